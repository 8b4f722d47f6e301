"""Mutations of an instance folder, for the fuzz suite and ``benchmarks/fuzz_inputs.py``.

A mutation picks one file of the folder (instance.toml, the GeoJSON or a CSV) and damages it
the way files really get damaged: a cell replaced by odd text, a row deleted or doubled, a
header renamed, the file cut off at some byte, saved by Dutch Excel (``;``, BOM, decimal
comma) or as cp1252, a GeoJSON feature with another id, clients, geometry or CRS.
Choices come from a :class:`Chooser`, so Hypothesis (shrinkable) and a plain seeded
``random.Random`` drive the same code.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

ODD_VALUES = ("", " ", "-1", "0", "-0", "1e15", "nan", "inf", "-inf", "abc", "3,5", "3.926",
              "€ 1.234,50", "1.234.567", "(12)", "12%", "0x1F", "١٢٣", "\u00a0", "NULL",
              "#N/A", "=1+1", "2", '"', "a;b", "x" * 300, "WK011401", "Zorggroep A", "1",
              "999999999999999999999", "1_000", "+7", "true", "é", "\t")


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...
    def choice(self, options: Sequence[Any]) -> Any: ...


class RandomChooser:
    """A :class:`Chooser` on ``random.Random(seed)``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]


@dataclass(frozen=True)
class Mutation:
    """What was done: ``file`` changed by ``kind``; ``row`` is the Excel row (header = 1) or
    feature number (from 1) at fault, when one row is."""

    file: str
    kind: str
    row: int | None = None
    detail: str = ""
    id: str | None = None  # the district of a damaged GeoJSON feature

    def __str__(self) -> str:
        where = f" row {self.row}" if self.row is not None else ""
        return f"{self.file}{where}: {self.kind} {self.detail}".strip()


def mutate(folder: Path, choose: Chooser) -> Mutation:
    """Damage one file of ``folder`` in place and return what was done."""
    files = sorted(p.name for p in folder.iterdir()
                   if p.suffix in (".csv", ".geojson", ".toml"))
    name = choose.choice(files)
    path = folder / name
    if choose.integer(0, 9) == 0:
        return _bytes(path, choose)
    if name.endswith(".csv"):
        return _csv(path, choose)
    if name.endswith(".toml"):
        return _toml(path, choose)
    return _geojson(path, choose)


# --------------------------------------------------------------------------- any file
def _bytes(path: Path, choose: Chooser) -> Mutation:
    data = path.read_bytes()
    kind = choose.choice(("cut off", "bom", "cp1252", "utf-16", "empty", "binary", "crlf"))
    if kind == "cut off":
        at = choose.integer(0, len(data))
        path.write_bytes(data[:at])
        return Mutation(path.name, kind, detail=f"at byte {at} of {len(data)}")
    if kind == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + data)
    elif kind == "cp1252":
        path.write_bytes(data.decode("utf-8").replace("e", "é").encode("cp1252"))
    elif kind == "utf-16":
        path.write_bytes(data.decode("utf-8").encode("utf-16"))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    else:
        path.write_bytes(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return Mutation(path.name, kind)


# --------------------------------------------------------------------------- CSV
def _csv(path: Path, choose: Chooser) -> Mutation:
    lines = path.read_text(encoding="utf-8").splitlines()
    kind = choose.choice(("cell", "cell", "cell", "delete row", "double row", "header",
                          "drop column", "extra cell", "dutch excel", "blank lines",
                          "truncate last value"))
    data_rows = len(lines) - 1
    row = choose.integer(1, max(data_rows, 1))  # index in lines; Excel row = row + 1
    cells = lines[row].split(",") if data_rows else []
    if kind == "cell" and cells:
        column = choose.integer(0, len(cells) - 1)
        value = choose.choice(ODD_VALUES)
        cells[column] = value
        lines[row] = ",".join(cells)
        detail = f"{lines[0].split(',')[column]} = {value!r}"
        return _write(path, lines, Mutation(path.name, kind, row + 1, detail))
    if kind == "delete row" and data_rows:
        del lines[row]
        return _write(path, lines, Mutation(path.name, kind, detail=f"row {row + 1}"))
    if kind == "double row" and data_rows:
        lines.insert(row, lines[row])
        return _write(path, lines, Mutation(path.name, kind, row + 2))
    if kind == "header":
        header = lines[0].split(",")
        column = choose.integer(0, len(header) - 1)
        header[column] = choose.choice(("", "Prijs", header[column].upper(), "id",
                                        header[column] + " ", "bidder"))
        lines[0] = ",".join(header)
        return _write(path, lines, Mutation(path.name, kind, 1, ",".join(header)))
    if kind == "drop column":
        column = choose.integer(0, len(lines[0].split(",")) - 1)
        lines = [",".join(c for i, c in enumerate(line.split(",")) if i != column)
                 for line in lines]
        return _write(path, lines, Mutation(path.name, kind, detail=str(column)))
    if kind == "extra cell" and cells:
        lines[row] += "," + choose.choice(ODD_VALUES)
        return _write(path, lines, Mutation(path.name, kind, row + 1))
    if kind == "dutch excel":
        text = "\r\n".join(_dutch(line) for line in lines) + "\r\n"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        return Mutation(path.name, kind)
    if kind == "blank lines":
        lines.insert(choose.integer(0, len(lines)), "")
        return _write(path, lines, Mutation(path.name, kind))
    if kind == "truncate last value" and data_rows:
        last = lines[-1]
        cut = choose.integer(1, max(len(last) - 1, 1))
        path.write_text("\n".join(lines[:-1] + [last[:cut]]), encoding="utf-8")
        return Mutation(path.name, kind, len(lines), f"{last!r} -> {last[:cut]!r}")
    return _write(path, lines, Mutation(path.name, "unchanged"))


def _dutch(line: str) -> str:
    """A comma CSV line as Dutch Excel saves it: ``;`` between cells, decimal comma."""
    return ";".join(cell.replace(".", ",") for cell in line.split(","))


def _write(path: Path, lines: list[str], mutation: Mutation) -> Mutation:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutation


# --------------------------------------------------------------------------- instance.toml
TOML_LINES = ('lots = "six"', "lots = 0", "lots = -3", "lots = 1000", "max_lots_per_bidder = 0",
              "lot_clients_min = 99999", "transition_cost = -5", "transition_cost = nan",
              "[rules]", "[[rules]]", "[files]", 'bids = "../bids.csv"', 'bids = "/etc/passwd"',
              'districts = "nothing.geojson"', "contiguity = 'diagonal'", "lotz = 6",
              "time_limit_s = -1", "time_limit_s = inf", "seed = -1", "threads = 0",
              'backend = "gurobi"', "schema_version = 2", "=", "x = [1, 2", "lottery_seed = -1",
              "quality_weight = 2", 'criterion = "cheap"', 'rule = "random"', "pinned = 3",
              'together = [["WK011401", "WK999999"]]', 'bridges = [["WK011401"]]',
              "min_winners = 9", "max_winners = 0", "auto_bridge = 1", 'id_field = "nope"',
              "allow_outside_folder = true", "contiguity_snap_m = -1")


def _toml(path: Path, choose: Chooser) -> Mutation:
    lines = path.read_text(encoding="utf-8").splitlines()
    kind = choose.choice(("delete line", "insert line", "replace value"))
    at = choose.integer(0, len(lines) - 1)
    if kind == "delete line":
        detail = lines.pop(at)
    elif kind == "insert line":
        detail = choose.choice(TOML_LINES)
        lines.insert(at, detail)
    else:
        if "=" not in lines[at]:
            return _write(path, lines, Mutation(path.name, "unchanged"))
        key = lines[at].split("=")[0].strip()
        value = choose.choice(('""', "0", "-1", "1e300", "true", '"x"', "[]", "{}",
                               '"districts.csv"', '"bids.xlsx"'))
        detail = lines[at] = f"{key} = {value}"
    return _write(path, lines, Mutation(path.name, kind, detail=detail))


# --------------------------------------------------------------------------- GeoJSON
def _geojson(path: Path, choose: Chooser) -> Mutation:
    data = json.loads(path.read_text(encoding="utf-8"))
    features = data["features"]
    kind = choose.choice(("clients", "id", "geometry", "crs", "drop feature", "drop property",
                          "name"))
    k = choose.integer(0, len(features) - 1)
    feature = features[k]
    row = k + 1
    district = str(feature["properties"].get("id"))
    if kind == "clients":
        value: Any = choose.choice((-5, 2.5, "veel", None, 10**12, "1.234", True, [], 0))
        feature["properties"]["clients"] = value
        detail = repr(value)
    elif kind == "id":
        value = choose.choice(("", None, features[0]["properties"]["id"], "WK 01", 12, 3.0))
        feature["properties"]["id"] = value
        detail = repr(value)
    elif kind == "geometry":
        detail = choose.choice(("empty", "point", "null", "bowtie", "far away", "lonlat"))
        ring = feature["geometry"]["coordinates"][0] if feature["geometry"]["type"] == \
            "Polygon" else feature["geometry"]["coordinates"][0][0]
        x, y = ring[0]
        feature["geometry"] = {
            "empty": {"type": "Polygon", "coordinates": []},
            "point": {"type": "Point", "coordinates": [x, y]},
            "null": None,
            "bowtie": {"type": "Polygon", "coordinates": [[[x, y], [x + 100, y + 100],
                                                           [x + 100, y], [x, y + 100],
                                                           [x, y]]]},
            "far away": {"type": "Polygon", "coordinates": [[[p[0] + 9e6, p[1]] for p in
                                                             ring]]},
            "lonlat": {"type": "Polygon", "coordinates": [[[6.9, 52.8], [6.91, 52.8],
                                                           [6.91, 52.81], [6.9, 52.8]]]},
        }[detail]
    elif kind == "crs":
        detail = choose.choice(("none", "3857", "4326", "garbage"))
        if detail == "none":
            data.pop("crs", None)
        else:
            name = {"3857": "urn:ogc:def:crs:EPSG::3857", "4326": "urn:ogc:def:crs:EPSG::4326",
                    "garbage": "urn:ogc:def:crs:EPSG::999999"}[detail]
            data["crs"] = {"type": "name", "properties": {"name": name}}
        row = None
    elif kind == "drop feature":
        detail = str(features.pop(k)["properties"].get("id"))
        row = None
    elif kind == "drop property":
        key = choose.choice(("clients", "id", "name"))
        feature["properties"].pop(key, None)
        detail = key
    else:
        feature["properties"]["name"] = choose.choice(ODD_VALUES)
        detail = repr(feature["properties"]["name"])
    path.write_text(json.dumps(data), encoding="utf-8")
    return Mutation(path.name, kind, row, detail, district)
