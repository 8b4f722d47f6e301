"""Shape measures of districts or lots."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gebieden._guards import geometry_array, require_projected


def compactness(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return a DataFrame indexed like `gdf` with area_km2, perimeter_km, polsby_popper and
    convex_hull_ratio.

    polsby_popper = 4*pi*area/perimeter² (1 for a circle, pi/4 for a square; the perimeter
    includes holes); convex_hull_ratio = area / area of the convex hull. Both are NaN for
    zero-area or missing geometry.

    Raises GeometryError if the CRS is missing, geographic or not in metres.
    """
    require_projected(gdf, "compactness")
    geoms = geometry_array(gdf)
    area = np.nan_to_num(shapely.area(geoms).astype(float), nan=0.0)
    perimeter = np.nan_to_num(shapely.length(geoms).astype(float), nan=0.0)
    hull = np.nan_to_num(shapely.area(shapely.convex_hull(geoms)).astype(float), nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        polsby = np.where(perimeter > 0, 4.0 * math.pi * area / perimeter**2, np.nan)
        hull_ratio = np.where(hull > 0, area / hull, np.nan)
    return pd.DataFrame(
        {
            "area_km2": area / 1e6,
            "perimeter_km": perimeter / 1e3,
            "polsby_popper": polsby,
            "convex_hull_ratio": hull_ratio,
        },
        index=gdf.index,
    )
