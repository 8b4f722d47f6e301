"""Shared fixtures: tiny instances built in code, and instance folders on disk."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from allocatie.instance import Bidder, District, Edge, Instance, Rules

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
SQUARE_M = 1000.0
ORIGIN = (230_000.0, 530_000.0)  # somewhere in Drenthe, EPSG:28992


def grid_id(r: int, c: int, cols: int) -> str:
    """District id of cell (r, c): D01, D02, ... row by row."""
    return f"D{r * cols + c + 1:02d}"


def grid_edges(rows: int, cols: int) -> tuple[Edge, ...]:
    """Rook edges of a rows x cols grid, each with a 1,000 m border."""
    edges = []
    for r in range(rows):
        for c in range(cols):
            here = grid_id(r, c, cols)
            if c + 1 < cols:
                edges.append(Edge(here, grid_id(r, c + 1, cols), SQUARE_M))
            if r + 1 < rows:
                edges.append(Edge(here, grid_id(r + 1, c, cols), SQUARE_M))
    return tuple(edges)


def make_grid_instance(rows: int = 2, cols: int = 2, clients: int = 10,
                       bidders: Iterable[str] = ("A", "B"), price: float = 100.0,
                       incumbents: Mapping[str, Mapping[str, int]] | None = None,
                       capacity: int | None = None, lots: int = 1,
                       **rules: object) -> Instance:
    """A rows x cols grid of districts D01.. with ``clients`` each, rook edges, and every
    bidder bidding ``price`` on every district. Not validated: call ``instance_problems``."""
    ids = [grid_id(r, c, cols) for r in range(rows) for c in range(cols)]
    incumbents = incumbents or {}
    districts = tuple(District(d, clients, f"wijk {d}", incumbents.get(d, {})) for d in ids)
    people = tuple(Bidder(b, capacity=capacity) for b in bidders)
    bids = {(b.id, d): price for b in people for d in ids}
    rules.setdefault("lots_min", lots)
    rules.setdefault("lots_max", lots)
    return Instance(name=f"grid {rows}x{cols}", districts=districts, bidders=people, bids=bids,
                    edges=grid_edges(rows, cols), rules=Rules(**rules))  # type: ignore[arg-type]


def square(x: float, y: float, size: float = SQUARE_M) -> list[list[list[float]]]:
    """GeoJSON polygon coordinates of a square with lower left corner (x, y)."""
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def write_grid_folder(folder: Path, rows: int = 2, cols: int = 3, clients: int = 10,
                      islands: int = 0, toml_extra: str = "", lots: int = 2) -> Path:
    """Write an instance folder with a grid of 1 km squares in RD (EPSG:28992), plus
    ``islands`` squares I1, I2, ... 5 km east of the grid; bidders A and B bid 100 on every
    district. Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    x0, y0 = ORIGIN
    features = []
    for r in range(rows):
        for c in range(cols):
            features.append((grid_id(r, c, cols), square(x0 + c * SQUARE_M, y0 + r * SQUARE_M)))
    for k in range(islands):
        features.append((f"I{k + 1}", square(x0 + (cols + 5 + 2 * k) * SQUARE_M, y0)))
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": [
            {"type": "Feature",
             "properties": {"id": d, "name": f"wijk {d}", "clients": clients},
             "geometry": {"type": "Polygon", "coordinates": coords}}
            for d, coords in features
        ],
    }
    (folder / "districts.geojson").write_text(json.dumps(collection), encoding="utf-8")
    (folder / "bidders.csv").write_text("bidder,capacity,max_lots,lot_fee\nA,,,\nB,,,\n",
                                        encoding="utf-8")
    bids = "".join(f"{b},{d},100\n" for b in "AB" for d, _ in features)
    (folder / "bids.csv").write_text("bidder,district_id,price\n" + bids, encoding="utf-8")
    (folder / "instance.toml").write_text(
        'schema_version = 1\nname = "grid"\n\n[files]\ndistricts = "districts.geojson"\n'
        'bidders = "bidders.csv"\nbids = "bids.csv"\n\n'
        f'[rules]\nlots = {lots}\ncontiguity = "rook"\n{toml_extra}', encoding="utf-8")
    return folder


def copy_instance(name: str, destination: Path) -> Path:
    """Copy a bundled instance folder to ``destination / name`` and return the copy."""
    source = INSTANCES / name
    if not (source / "instance.toml").is_file():
        pytest.fail(f"bundled instance {source} is missing; run scripts/build_instances.py")
    return Path(shutil.copytree(source, destination / name))


@pytest.fixture
def emmen_wijken(tmp_path: Path) -> Path:
    """A private copy of instances/emmen-wijken (27 wijken) to modify."""
    return copy_instance("emmen-wijken", tmp_path)


@pytest.fixture
def grid_folder(tmp_path: Path) -> Path:
    """A 2x3 grid instance folder on disk (see :func:`write_grid_folder`)."""
    return write_grid_folder(tmp_path / "grid")


@pytest.fixture(scope="session")
def instances_dir() -> Path:
    """The folder of the bundled instances (``instances/``)."""
    return INSTANCES


@pytest.fixture
def make_grid():
    """:func:`make_grid_instance`, as a fixture (no import from conftest needed)."""
    return make_grid_instance


@pytest.fixture
def write_grid():
    """:func:`write_grid_folder`, as a fixture (no import from conftest needed)."""
    return write_grid_folder


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests put their screenshots: $ALLOCATIE_SCREENSHOTS, else a temp
    folder (set it to look at them)."""
    folder = os.environ.get("ALLOCATIE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
