"""Build CBS Wijk- en Buurtkaart files in the published layouts from real CBS geometry.

The geometry is the bundled instance ``instances/rivierenland-buurten`` (real CBS / Kadaster
buurt geometry, CC BY 4.0, see its ATTRIBUTION.md), so the tests run from the repository
alone. Each file gets what real files have: a water-only buurt, a secrecy-coded number of
inhabitants, two municipalities, and borders perturbed by a few centimetres (the real map's
full-resolution borders do not coincide exactly either).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "instances" / "rivierenland-buurten" / "districts.geojson"
GEMEENTEN = {"GM0281": "Tiel", "GM1740": "Neder-Betuwe"}
SECRET_CODE = -99997
WATER_CODE = "BU02819999"


def real_buurten() -> gpd.GeoDataFrame:
    """The real buurten of GEMEENTEN (RD New), with a water buurt and a secret count."""
    frame = gpd.read_file(SOURCE).to_crs(28992)
    frame["gemeentecode"] = "GM" + frame["id"].str[2:6]
    frame = frame[frame["gemeentecode"].isin(GEMEENTEN)].copy()
    frame["water"] = "NEE"
    frame["inhabitants"] = frame["inwoners"].astype(int)
    frame.loc[frame.index[3], "inhabitants"] = SECRET_CODE
    tiel = frame[frame["gemeentecode"] == "GM0281"]
    minx, miny, _, _ = tiel.total_bounds
    water = gpd.GeoDataFrame(
        {"id": [WATER_CODE], "name": ["Waal (water)"], "wijkcode": ["WK028199"],
         "gemeentenaam": ["Tiel"], "gemeentecode": ["GM0281"], "water": ["JA"],
         "inhabitants": [0]},
        geometry=[shapely.box(minx - 400, miny - 400, minx, miny)], crs=frame.crs)
    return gpd.GeoDataFrame(
        gpd.pd.concat([frame, water], ignore_index=True), crs=frame.crs)


def perturbed(frame: gpd.GeoDataFrame, sigma_m: float = 0.03, seed: int = 7) -> gpd.GeoDataFrame:
    """Every vertex moved by N(0, sigma) metres, independently per district."""
    rng = np.random.default_rng(seed)

    def move(xy: np.ndarray) -> np.ndarray:  # the same vertex moves the same way (rings close)
        unique, inverse = np.unique(xy, axis=0, return_inverse=True)
        return xy + rng.normal(0, sigma_m, unique.shape)[inverse.reshape(-1)]

    out = frame.copy()
    out["geometry"] = [shapely.transform(g, move) for g in frame.geometry]
    return out


def write_recent_gpkg(path: Path, crs: int = 28992) -> Path:
    """One GeoPackage, one layer per level, recent field names (buurtcode, aantalInwoners)."""
    frame = perturbed(real_buurten()).to_crs(crs)
    buurten = gpd.GeoDataFrame({
        "buurtcode": frame["id"], "buurtnaam": frame["name"], "wijkcode": frame["wijkcode"],
        "gemeentecode": frame["gemeentecode"], "gemeentenaam": frame["gemeentenaam"],
        "water": frame["water"], "aantalInwoners": frame["inhabitants"]},
        geometry=frame.geometry.values, crs=frame.crs)
    wijken = buurten.dissolve(by="wijkcode", as_index=False)[
        ["wijkcode", "gemeentecode", "gemeentenaam", "geometry"]]
    wijken["wijknaam"] = wijken["wijkcode"]
    wijken["water"] = "NEE"
    wijken["aantalInwoners"] = 1000
    buurten.to_file(path, layer="buurten", driver="GPKG")
    wijken.to_file(path, layer="wijken", driver="GPKG")
    return path


def write_old_shapefile(folder: Path) -> Path:
    """One Shapefile per level, old upper-case field names (BU_CODE, AANT_INW), RD New."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = perturbed(real_buurten(), seed=11)
    buurten = gpd.GeoDataFrame({
        "BU_CODE": frame["id"], "BU_NAAM": frame["name"], "WK_CODE": frame["wijkcode"],
        "GM_CODE": frame["gemeentecode"], "GM_NAAM": frame["gemeentenaam"],
        "WATER": frame["water"], "AANT_INW": frame["inhabitants"]},
        geometry=frame.geometry.values, crs=frame.crs)
    path = folder / "buurt_2021_v1.shp"
    buurten.to_file(path)
    return path


def write_pdok_gpkg(path: Path) -> Path:
    """PDOK gebiedsindelingen layout (statcode, statnaam only), in WGS84."""
    frame = perturbed(real_buurten(), seed=5)
    frame = frame[frame["water"] == "NEE"]
    pdok = gpd.GeoDataFrame({"statcode": frame["id"], "statnaam": frame["name"]},
                            geometry=frame.geometry.values, crs=frame.crs).to_crs(4326)
    pdok.to_file(path, layer="buurt_gegeneraliseerd", driver="GPKG")
    return path
