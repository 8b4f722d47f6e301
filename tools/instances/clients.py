"""CBS districts with their inhabitants, and the clients of a generated tender: the buurt
inhabitants proxy and the client rate (assumptions: generator.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from tools.instances.areas import (
    RD_CRS,
)

CLIENT_RATE = 0.04


CLIENT_NOISE = 0.10


RURAL_KEYWORDS = ("verspreide huizen", "buitengebied", " e.o.", "tuinbouw")


BUSINESS_KEYWORDS = ("bedrijventerrein", "industrieterrein", "bedrijvenpark", "industrie")


RURAL_FACTOR = 0.1


BUSINESS_FACTOR = 0.02


MIN_AREA_HA = 10.0


def proxy_weight(name: str, area_ha: float) -> float:
    """Weight of a buurt in the population proxy: sqrt(max(area, 10 ha)) x name factor."""
    lower = f" {name.lower()} "
    if any(k in lower for k in BUSINESS_KEYWORDS):
        factor = BUSINESS_FACTOR
    elif any(k in lower for k in RURAL_KEYWORDS):
        factor = RURAL_FACTOR
    else:
        factor = 1.0
    return math.sqrt(max(float(area_ha), MIN_AREA_HA)) * factor


def spread_largest_remainder(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split an integer total in proportion to weights; the parts sum exactly to ``total``."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return np.zeros(0, dtype=int)
    w = np.ones_like(w) if w.sum() <= 0 else w
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(int)
    rest = int(total - parts.sum())
    order = np.lexsort((np.arange(len(w)), -(exact - parts)))  # largest remainder, then index
    parts[order[:rest]] += 1
    return parts


def buurt_population_proxy(
    buurten: pd.DataFrame,
    wijk_col: str = "wijkcode",
    total_col: str = "wijk_aantal_inwoners",
    name_col: str = "buurtnaam",
    area_col: str = "geom_area_ha",
) -> pd.Series:
    """Inhabitants per buurt: the real wijk total spread by :func:`proxy_weight` (a PROXY)."""
    out = pd.Series(0, index=buurten.index, dtype=int)
    for _, group in buurten.groupby(wijk_col, sort=True):
        weights = [
            proxy_weight(n, a) for n, a in zip(group[name_col], group[area_col], strict=True)
        ]
        total = int(group[total_col].iloc[0])
        out.loc[group.index] = spread_largest_remainder(total, weights)
    return out


def clients_from_inhabitants(
    inhabitants: Sequence[float] | pd.Series,
    seed: int,
    rate: float = CLIENT_RATE,
    noise: float = CLIENT_NOISE,
) -> np.ndarray:
    """Wmo clients (household help + support): round(inhabitants x rate x U(1 +- noise))."""
    rng = np.random.default_rng(seed)
    inh = np.asarray(inhabitants, dtype=float)
    factor = rng.uniform(1 - noise, 1 + noise, size=len(inh))
    return np.maximum(np.rint(inh * rate * factor), 0).astype(int)


def load_cbs_districts(path: Path | str, level: str) -> gpd.GeoDataFrame:
    """Read a CBS case file of ``data/nl`` as districts with ``id``, ``name``, ``inwoners``.

    ``level="wijk"``: real wijk inhabitants. ``level="buurt"``: the proxy of
    :func:`buurt_population_proxy`, with the real wijk total kept as ``wijk_inwoners``.
    """
    raw = gpd.read_file(path)
    if raw.crs is None or not raw.crs.equals(RD_CRS):
        raw = raw.set_crs(RD_CRS, allow_override=True) if raw.crs is None else raw.to_crs(RD_CRS)
    if level == "wijk":
        out = pd.DataFrame(
            {
                "id": raw["wijkcode"],
                "name": raw["wijknaam"],
                "wijkcode": raw["wijkcode"],
                "gemeentenaam": raw["gemeentenaam"],
                "inwoners": raw["aantal_inwoners"].astype(int),
            }
        )
    elif level == "buurt":
        out = pd.DataFrame(
            {
                "id": raw["buurtcode"],
                "name": raw["buurtnaam"],
                "wijkcode": raw["wijkcode"],
                "gemeentenaam": raw["gemeentenaam"],
                "inwoners": buurt_population_proxy(raw).astype(int),
                "wijk_inwoners": raw["wijk_aantal_inwoners"].astype(int),
            }
        )
    else:
        raise ValueError(f"level must be 'wijk' or 'buurt', got {level!r}")
    gdf = gpd.GeoDataFrame(out, geometry=raw.geometry.to_numpy(), crs=RD_CRS)
    return gdf.sort_values("id", kind="stable").reset_index(drop=True)
