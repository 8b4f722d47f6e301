"""Fixtures for the gebieden tests: paths to the shared real data and tiny square grids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box
from shapely.geometry.base import BaseGeometry

DATA = Path("/work/shared/data/nl")
RD = "EPSG:28992"


def square_grid(
    cols: int,
    rows: int = 1,
    size: float = 100.0,
    origin: tuple[float, float] = (0.0, 0.0),
    crs: str | None = RD,
) -> gpd.GeoDataFrame:
    """Return cols x rows touching squares of `size` m with ids "r{row}c{col}" (index "id")."""
    x0, y0 = origin
    shapes = {
        f"r{r}c{c}": box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
        for r in range(rows)
        for c in range(cols)
    }
    return districts_from(shapes, crs=crs)


def districts_from(shapes: Mapping[str, BaseGeometry], crs: str | None = RD) -> gpd.GeoDataFrame:
    """Return a GeoDataFrame of the given shapes, indexed by id (index name "id")."""
    gdf = gpd.GeoDataFrame(geometry=list(shapes.values()), index=list(shapes), crs=crs)
    gdf.index.name = "id"
    return gdf


@pytest.fixture
def grid() -> Callable[..., gpd.GeoDataFrame]:
    """Return the square_grid helper."""
    return square_grid


@pytest.fixture
def shapes() -> Callable[..., gpd.GeoDataFrame]:
    """Return the districts_from helper."""
    return districts_from


@pytest.fixture(scope="session")
def data() -> Path:
    """Return the shared real-data folder; skip the test if it is not there."""
    if not DATA.is_dir():
        pytest.skip(f"real data folder {DATA} not available")
    return DATA
