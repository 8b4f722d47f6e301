"""Fully synthetic instances (grid or Voronoi districts) for benchmarks and tests.

Districts are about 1 km2 each, in EPSG:28992 with the lower-left corner at RD (200000, 500000)
(central Netherlands), so every tool that expects Dutch coordinates can read them. Inhabitants
fall off from the centre: ``400 + 7000 x exp(-3 r2) x LogNormal(0, 0.4)`` per district, with r
the distance from the centre over half the side of the square. Clients, today's areas,
incumbents, bidders and bids then come from :func:`tools.instances.generator.generate_tender` with
the regime's settings:

- ``hard``: transition cost EUR 300 per client, mixed share 0.4, price noise +-10%;
- ``easy``: transition cost EUR 1,500, mixed share 0.0, price noise +-2%.

Every instance is feasible by construction (today's areas awarded to their providers).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from tools import instances as gen

ORIGIN = (200_000.0, 500_000.0)
CELL_M = 1000.0
REGIMES: dict[str, dict[str, float]] = {
    "hard": {"transition_cost": 300, "mixed_share": 0.4, "noise": 0.10},
    "easy": {"transition_cost": 1500, "mixed_share": 0.0, "noise": 0.02},
}


def grid_polygons(n: int) -> list[shapely.Polygon]:
    """n squares of 1 km in a near-square grid (rows of ``ceil(n / rows)``, the last partial)."""
    rows = max(1, math.isqrt(n))
    cols = math.ceil(n / rows)
    x0, y0 = ORIGIN
    return [
        shapely.box(x0 + c * CELL_M, y0 + r * CELL_M, x0 + (c + 1) * CELL_M, y0 + (r + 1) * CELL_M)
        for i in range(n)
        for r, c in [divmod(i, cols)]
    ]


def _spread_points(n: int, side: float, rng: np.random.Generator) -> np.ndarray:
    """n random points in a square, kept apart (dart throwing with a shrinking distance)."""
    min_dist = 0.6 * side / math.sqrt(n)
    pts: list[np.ndarray] = []
    tries = 0
    while len(pts) < n:
        p = rng.uniform(0, side, size=2)
        if not pts or np.min(np.hypot(*(np.asarray(pts) - p).T)) >= min_dist:
            pts.append(p)
            tries = 0
        else:
            tries += 1
            if tries > 200:
                min_dist *= 0.9
                tries = 0
    return np.asarray(pts)


def voronoi_polygons(n: int, seed: int) -> list[shapely.Polygon]:
    """Voronoi cells of n seeded points, clipped to a square of n km2, snapped to 1 m."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n) * CELL_M
    pts = _spread_points(n, side, rng) + np.asarray(ORIGIN)
    frame = shapely.box(ORIGIN[0], ORIGIN[1], ORIGIN[0] + side, ORIGIN[1] + side)
    if n == 1:
        return [frame]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=frame, ordered=True)
    out = []
    for cell in shapely.get_parts(cells):
        clipped = shapely.set_precision(shapely.intersection(cell, frame), 1.0)
        out.append(shapely.normalize(clipped))
    return out


def synthetic_districts(n: int, layout: str, seed: int) -> gpd.GeoDataFrame:
    """Districts ``id`` (D001...), ``name``, ``inwoners`` and geometry (EPSG:28992)."""
    if n < 1:
        raise ValueError(f"n_districts must be >= 1, got {n}")
    s_geom, s_inh = gen.child_seeds(seed, 2)
    if layout == "grid":
        polys = grid_polygons(n)
    elif layout == "voronoi":
        polys = voronoi_polygons(n, s_geom)
    else:
        raise ValueError(f"layout must be 'grid' or 'voronoi', got {layout!r}")
    geoms = gpd.GeoSeries(polys, crs=gen.RD_CRS)
    rng = np.random.default_rng(s_inh)
    cx, cy = geoms.union_all().centroid.coords[0]
    half = max(geoms.total_bounds[2] - geoms.total_bounds[0], CELL_M) / 2
    c = geoms.centroid
    r = np.hypot(c.x.to_numpy() - cx, c.y.to_numpy() - cy) / half
    inh = np.rint(400 + 7000 * np.exp(-3 * r**2) * rng.lognormal(0, 0.4, size=n)).astype(int)
    width = max(3, len(str(n)))
    return gpd.GeoDataFrame(
        {
            "id": [f"D{i + 1:0{width}d}" for i in range(n)],
            "name": [f"Gebied {i + 1}" for i in range(n)],
            "inwoners": inh,
        },
        geometry=geoms.to_numpy(),
        crs=gen.RD_CRS,
    )


def write_synthetic_instance(
    folder: Path | str,
    n_districts: int,
    lots: int,
    bidders: int,
    seed: int,
    layout: str = "voronoi",
    regime: str = "hard",
    max_lots_per_bidder: int = 2,
    *,
    fixed_lots: bool = True,
    client_bounds: bool = True,
) -> Path:
    """Write a synthetic instance folder (same format as the bundled ones) and return it.

    ``fixed_lots`` adds lots.csv (= today's areas), lot_bids.csv and combination_bids.csv.
    """
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {sorted(REGIMES)}, got {regime!r}")
    if not 1 <= lots <= n_districts:
        raise ValueError(f"lots must be between 1 and n_districts={n_districts}, got {lots}")
    if bidders < 2:
        raise ValueError(f"at least 2 bidders are needed, got {bidders}")
    if bidders * max_lots_per_bidder < lots:
        raise ValueError(
            f"{bidders} bidders x max {max_lots_per_bidder} lots cannot cover {lots} lots"
        )
    settings = REGIMES[regime]
    s_districts, s_clients, s_tender = gen.child_seeds(seed, 3)
    districts = synthetic_districts(n_districts, layout, s_districts)
    districts["clients"] = gen.clients_from_inhabitants(districts["inwoners"], s_clients)
    tender = gen.generate_tender(
        districts,
        lots,
        bidders,
        s_tender,
        max_lots_per_bidder=max_lots_per_bidder,
        mixed_share=settings["mixed_share"],
        noise=settings["noise"],
        transition_cost=settings["transition_cost"],
        n_tight=2 if bidders >= 4 else 1,
        with_client_bounds=client_bounds,
        fixed_lots=fixed_lots,
    )
    name = f"synthetic {layout} n={n_districts} K={lots} B={bidders} {regime} seed={seed}"
    description = (
        f"Fully SYNTHETIC instance: {n_districts} {layout} districts, {lots} lots, {bidders} "
        f"bidders, {regime} regime (transition cost {settings['transition_cost']:g}, mixed "
        f"share {settings['mixed_share']:g}, noise {settings['noise']:g}), seed {seed}."
    )
    readme = (
        f"# {name}\n\n{description}\n\nEverything here is made up (no real data): made by "
        "`tools.instances.synthetic.write_synthetic_instance("
        f"folder, {n_districts}, {lots}, {bidders}, {seed}, layout={layout!r}, "
        f"regime={regime!r}, max_lots_per_bidder={max_lots_per_bidder})`.\n\n"
        + gen.summary_markdown(tender)
    )
    award = (
        {"criterion": "price_quality", "quality_weight": 0.3, "lottery_seed": seed}
        if fixed_lots
        else None
    )
    return gen.write_instance_folder(
        folder,
        tender,
        name=name,
        description=description,
        extra_properties=["inwoners"],
        award=award,
        readme=readme,
    )
