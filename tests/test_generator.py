"""Tests of the synthetic tender generator, the synthetic instances and the bundled instances."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from collections import deque
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tools import instances as gen
from tools.instances.synthetic import synthetic_districts, write_synthetic_instance

ROOT = Path(__file__).resolve().parents[1]

INSTANCES = ROOT / "instances"
BUNDLED = ("emmen-wijken", "emmen-buurten", "rivierenland-buurten", "lelystad-buurten",
           "groningen-buurten")


def _load_build_script():
    spec = importlib.util.spec_from_file_location(
        "build_instances", ROOT / "scripts" / "build_instances.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _rook_connected(geoms: list) -> bool:
    """Connected when neighbours are polygons whose boundaries share a line of length > 0."""
    n = len(geoms)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if geoms[i].touches(geoms[j]) and (
                shapely.intersection(geoms[i].boundary, geoms[j].boundary).length > 0
            ):
                nbrs[i].append(j)
                nbrs[j].append(i)
    seen, todo = {0}, deque([0])
    while todo:
        for v in nbrs[todo.popleft()]:
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return len(seen) == n


def _check_folder(folder: Path) -> None:
    """Format and the generator's guarantees, read back from the files."""
    toml = tomllib.loads((folder / "instance.toml").read_text(encoding="utf-8"))
    assert toml["schema_version"] == 1
    for name in toml["files"].values():
        assert (folder / name).is_file(), name
    raw = json.loads((folder / "districts.geojson").read_text(encoding="utf-8"))
    assert raw["crs"] == gen.RD_CRS_MEMBER
    districts = gpd.read_file(folder / "districts.geojson")
    assert districts.crs.to_epsg() == 28992
    assert districts["id"].is_unique
    clients = districts.set_index("id")["clients"]
    assert pd.api.types.is_integer_dtype(clients) and (clients >= 0).all()
    inc = pd.read_csv(folder / "incumbents.csv", dtype={"district_id": str})
    assert list(inc.columns) == ["district_id", "provider", "clients"]
    served = inc.groupby("district_id")["clients"].sum()
    assert (served <= clients.reindex(served.index)).all()
    bids = pd.read_csv(folder / "bids.csv", dtype={"district_id": str})
    assert list(bids.columns) == ["bidder", "district_id", "price"]
    assert (bids.groupby("district_id").size().reindex(clients.index, fill_value=0) >= 2).all()
    bidders = pd.read_csv(folder / "bidders.csv")
    assert list(bidders.columns) == ["bidder", "capacity", "max_lots", "lot_fee"]
    assert set(bids["bidder"]) <= set(bidders["bidder"])
    rules = toml["rules"]
    limits = bidders["max_lots"].fillna(rules["max_lots_per_bidder"])
    assert limits.sum() >= rules["lots"]
    assert bidders["capacity"].fillna(clients.sum()).sum() >= 1.3 * clients.sum()
    current = pd.read_csv(folder / "current_lots.csv", dtype=str)
    assert set(current["district_id"]) == set(clients.index)
    assert current["lot"].nunique() == rules["lots"]
    if "lot_clients_min" in rules:
        per_lot = current.assign(c=current["district_id"].map(clients)).groupby("lot")["c"].sum()
        assert per_lot.between(rules["lot_clients_min"], rules["lot_clients_max"]).all()
    if "lot_bids" in toml["files"]:
        lot_bids = pd.read_csv(folder / "lot_bids.csv", dtype={"lot": str})
        assert (lot_bids.groupby("lot").size() >= 2).all()
        assert lot_bids["score"].between(0, 100).all()


@pytest.mark.parametrize("layout", ["grid", "voronoi"])
def test_synthetic_same_seed_identical_files(tmp_path: Path, layout: str) -> None:
    a = write_synthetic_instance(tmp_path / "a", 30, 4, 5, seed=7, layout=layout)
    b = write_synthetic_instance(tmp_path / "b", 30, 4, 5, seed=7, layout=layout)
    assert _files(a) == _files(b)
    _check_folder(a)


def test_synthetic_different_seed_different_bids(tmp_path: Path) -> None:
    a = write_synthetic_instance(tmp_path / "a", 30, 4, 5, seed=1)
    b = write_synthetic_instance(tmp_path / "b", 30, 4, 5, seed=2)
    assert (a / "bids.csv").read_bytes() != (b / "bids.csv").read_bytes()


@pytest.mark.parametrize(
    ("n", "lots", "bidders", "layout", "regime"),
    [
        (4, 2, 3, "grid", "hard"),
        (9, 3, 3, "grid", "easy"),
        (4, 1, 2, "grid", "hard"),
        (40, 5, 4, "voronoi", "hard"),
        (80, 6, 5, "voronoi", "easy"),
    ],
)
def test_synthetic_instances_are_valid(
    tmp_path: Path, n: int, lots: int, bidders: int, layout: str, regime: str
) -> None:
    folder = write_synthetic_instance(tmp_path / "x", n, lots, bidders, 3, layout, regime)
    _check_folder(folder)
    toml = tomllib.loads((folder / "instance.toml").read_text(encoding="utf-8"))
    expected = write_synthetic_instance.__globals__["REGIMES"][regime]
    assert toml["rules"]["transition_cost"] == expected["transition_cost"]


def test_synthetic_rejects_impossible_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_synthetic_instance(tmp_path / "x", 9, 7, 3, 0, "grid")  # 3 x 2 < 7 lots
    with pytest.raises(ValueError):
        write_synthetic_instance(tmp_path / "y", 4, 5, 3, 0, "grid")  # more lots than districts


@pytest.mark.parametrize(("n", "layout"), [(4, "grid"), (9, "grid"), (7, "grid"), (60, "voronoi")])
def test_synthetic_geometry_valid_and_rook_connected(n: int, layout: str) -> None:
    districts = synthetic_districts(n, layout, seed=5)
    geoms = list(districts.geometry)
    assert len(geoms) == n
    assert all(g.is_valid and g.area > 0 for g in geoms)
    union = shapely.union_all(geoms)
    assert abs(union.area - sum(g.area for g in geoms)) < 1.0  # no overlaps
    assert _rook_connected(geoms)


def test_generated_tender_certificate_and_clients() -> None:
    districts = synthetic_districts(40, "voronoi", seed=11)
    districts["clients"] = gen.clients_from_inhabitants(districts["inwoners"], seed=11)
    tender = gen.generate_tender(districts, 5, 6, seed=11, mixed_share=0.4, fixed_lots=True)
    assert gen.certificate_problems(tender) == []
    counts = tender.area_provider.values()
    assert max(pd.Series(list(counts)).value_counts()) <= 2
    c = tender.districts["clients"].to_numpy()
    assert np.issubdtype(c.dtype, np.integer) and (c >= 0).all()


def test_clients_rate_and_determinism() -> None:
    inh = np.array([0, 1000, 10_000, 50_000])
    a = gen.clients_from_inhabitants(inh, seed=3)
    assert (a == gen.clients_from_inhabitants(inh, seed=3)).all()
    assert a[0] == 0 and 360 <= a[2] <= 440 and np.issubdtype(a.dtype, np.integer)


def test_buurt_proxy_sums_to_wijk_total_and_dampens_rural() -> None:
    buurten = pd.DataFrame(
        {
            "wijkcode": ["W1", "W1", "W1", "W2"],
            "wijk_aantal_inwoners": [1000, 1000, 1000, 55],
            "buurtnaam": ["Dorp", "Verspreide huizen Dorp", "Industrieterrein Dorp", "Stad"],
            "geom_area_ha": [50.0, 2000.0, 200.0, 0.0],
        }
    )
    proxy = gen.buurt_population_proxy(buurten)
    assert proxy[:3].sum() == 1000 and proxy[3] == 55
    assert proxy[0] > proxy[1] > proxy[2]


def test_bundled_instances_are_valid() -> None:
    for name in BUNDLED:
        folder = INSTANCES / name
        assert folder.is_dir(), f"run scripts/build_instances.py ({name} missing)"
        _check_folder(folder)
        assert sum(p.stat().st_size for p in folder.iterdir()) < 1_000_000
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert "SYNTHETIC" in readme and "CC BY 4.0" in readme


def test_bundled_instances_equal_fresh_build(tmp_path: Path) -> None:
    build = _load_build_script()
    if not (build.DEFAULT_DATA / "cases").is_dir():
        pytest.skip(f"CBS source data not found at {build.DEFAULT_DATA}")
    build.build_all(tmp_path, build.DEFAULT_DATA)
    for name in BUNDLED:
        fresh, disk = _files(tmp_path / name), _files(INSTANCES / name)
        assert fresh.keys() == disk.keys(), name
        changed = [f for f in fresh if fresh[f] != disk[f]]
        assert not changed, f"{name}: {changed} differ from a fresh build (hand-edited?)"
