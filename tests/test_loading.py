"""Loading instance folders: the bundled instance, other geometry formats, XLSX and Dutch CSV
tables, islands, overrides, and the ``--lots`` file of ``evaluate``."""

from __future__ import annotations

import csv
import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from openpyxl import Workbook

from allocatie.errors import InstanceError, Problem, UsageError
from allocatie.io.instance_toml import read_geometry_settings
from allocatie.io.loading import LoadWarning, load_instance, load_lots_file


@pytest.fixture(scope="module")
def wijken(instances_dir: Path):
    """The bundled emmen-wijken instance, loaded once."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", LoadWarning)  # the bundled instance loads cleanly
        return load_instance(instances_dir / "emmen-wijken")


def set_toml(folder: Path, old: str, new: str) -> None:
    path = folder / "instance.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in instance.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")


def only(problems: list[Problem], pattern: str) -> Problem:
    found = [p for p in problems if re.search(pattern, str(p))]
    assert len(found) == 1, f"{pattern!r} in {[str(p) for p in problems]}"
    return found[0]


# --------------------------------------------------------------------------- bundled instance
def test_bundled_emmen_wijken_loads(wijken) -> None:
    assert len(wijken.districts) == 27 and len(wijken.bidders) == 8
    assert wijken.total_clients == 4312
    first = wijken.district_by_id["WK011401"]
    assert first.name == "Wijk 01 Nieuw-Weerdinge" and first.clients == 127
    assert first.incumbents == {"Wijkzorg F": 3, "Zorgcooperatie D": 113, "Zorgpartners G": 6}
    assert wijken.price("Zorggroep A", "WK011401") == 3926
    assert wijken.bidder_by_id["Zorggroep A"].capacity == 1780
    assert wijken.bidder_by_id["Thuiszorg B"].capacity is None
    assert wijken.max_lots("Thuiszorg H") == 1 and wijken.max_lots("Zorggroep A") == 2
    r = wijken.rules
    assert (r.lots_min, r.lots_max, r.lot_clients_min, r.lot_clients_max) == (6, 6, 350, 1150)
    assert r.transition_cost == 1000.0 and r.contiguity == "rook"
    assert wijken.award.criterion == "price_quality" and wijken.award.lottery_seed == 2026
    assert wijken.solver.time_limit_s == 60
    kinds = {e.kind for e in wijken.edges}
    assert kinds == {"rook", "queen_only"}
    assert all(e.a < e.b for e in wijken.edges)
    assert all(e.border_m > 0 for e in wijken.edges if e.kind == "rook")
    assert len(wijken.lot_ids) == 6 and len(wijken.current_lots) == 27
    bid = next(b for b in wijken.lot_bids if b.bidder == "Thuishulp E" and b.lot == "1")
    assert (bid.price, bid.score, bid.preference) == (2899600, 86, 2)
    combo = next(c for c in wijken.combination_bids if c.id == "B-combi")
    assert combo.bidder == "Thuiszorg B" and combo.lots == frozenset({"3", "6"})
    assert wijken.folder.name == "emmen-wijken"
    assert wijken.files["districts"] == "districts.geojson"
    assert set(wijken.files) == {"districts", "incumbents", "bidders", "bids", "lots",
                                 "lot_bids", "current_lots", "combination_bids"}
    assert read_geometry_settings(wijken.folder)["id_field"] == "id"


@pytest.mark.parametrize("target", ["districts.gpkg", "wgs84.geojson", "rd.geojson"])
def test_other_geometry_formats_give_the_same_edges(emmen_wijken: Path, wijken,
                                                     target: str) -> None:
    gdf = gpd.read_file(emmen_wijken / "districts.geojson")
    if target == "wgs84.geojson":
        gdf = gdf.to_crs(4326)
    gdf.to_file(emmen_wijken / target)
    set_toml(emmen_wijken, 'districts = "districts.geojson"', f'districts = "{target}"')
    loaded = load_instance(emmen_wijken)
    assert [(e.a, e.b, e.kind) for e in loaded.edges] == [(e.a, e.b, e.kind)
                                                         for e in wijken.edges]
    for new, old in zip(loaded.edges, wijken.edges, strict=True):
        assert new.border_m == pytest.approx(old.border_m, rel=1e-6, abs=1e-3)
    assert loaded.districts == wijken.districts
    assert loaded.files["districts"] == target


def test_xlsx_bids_in_a_named_sheet(emmen_wijken: Path, wijken) -> None:
    workbook = Workbook()
    workbook.active.title = "Uitleg"
    sheet = workbook.create_sheet("Prijzen")
    with (emmen_wijken / "bids.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    sheet.append(rows[0])
    for bidder, district, price in rows[1:]:
        sheet.append([bidder, district, float(price)])
    workbook.save(emmen_wijken / "inschrijvingen.xlsx")
    set_toml(emmen_wijken, 'bids = "bids.csv"', 'bids = "inschrijvingen.xlsx#Prijzen"')
    loaded = load_instance(emmen_wijken)
    assert dict(loaded.bids) == dict(wijken.bids)
    assert loaded.files["bids"] == "inschrijvingen.xlsx#Prijzen"


def test_dutch_excel_csv_tables(emmen_wijken: Path, wijken) -> None:
    """Bids and bidders saved by Dutch Excel: ; separator, decimal comma, cp1252."""
    with (emmen_wijken / "bids.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    lines = ["Bidder;District_ID;Price"] + [
        f"{b};{d};{float(p) / 1000:.3f}".replace(".", ",") for b, d, p in rows[1:]]
    (emmen_wijken / "bids.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    (emmen_wijken / "bidders.txt").write_bytes(
        "bidder;capacity;max_lots;lot_fee\r\nZorggroep A;1.780;;29.000,00\r\n"
        "Thuiszorg B;;;53.000\r\nWelzijn C;1.080;;24.000\r\nZorgcooperatie D;1.840;;24.000\r\n"
        "Thuishulp E;1.080;;37.000\r\nWijkzorg F;2.040;;43.000\r\n"
        "Zorgpartners G;1.850;;27.000\r\nThuiszorg H;880;1;49.000\r\n".encode("cp1252"))
    set_toml(emmen_wijken, 'bidders = "bidders.csv"', 'bidders = "bidders.txt"')
    loaded = load_instance(emmen_wijken)
    assert loaded.bids == {k: pytest.approx(v / 1000) for k, v in wijken.bids.items()}
    assert loaded.bidders == wijken.bidders


# --------------------------------------------------------------------------- islands
def test_island_is_a_problem_quoting_the_nearest_bridge(write_grid, tmp_path: Path) -> None:
    folder = write_grid(tmp_path / "g", rows=2, cols=3, islands=1)
    with pytest.raises(InstanceError, match="not connected under rook contiguity") as caught:
        load_instance(folder)
    problem = only(caught.value.problems, "not connected")
    assert "2 parts {D01, D02, D03, D04, D05, ... (6 districts)}; {I1}" in problem.message
    assert problem.file == "districts.geojson"
    assert '[geometry] bridges = [["D03", "I1"]]' in problem.hint  # nearest: 5 km east of D03
    assert "D03-I1 5.0 km" in problem.hint and "auto_bridge = true" in problem.hint


def test_island_joined_by_an_explicit_bridge(write_grid, tmp_path: Path) -> None:
    folder = write_grid(tmp_path / "g", islands=1,
                               toml_extra='\n[geometry]\nbridges = [["I1", "D06"]]\n')
    instance = load_instance(folder)
    bridges = [e for e in instance.edges if e.kind == "bridge"]
    assert [(e.a, e.b) for e in bridges] == [("D06", "I1")]


def test_island_joined_by_auto_bridge_with_a_warning(write_grid, tmp_path: Path) -> None:
    folder = write_grid(tmp_path / "g", islands=2,
                               toml_extra="\n[geometry]\nauto_bridge = true\n")
    with pytest.warns(LoadWarning, match=r"auto_bridge joined 3 parts .* D03-I1 \(5.0 km\)"):
        instance = load_instance(folder)
    assert {(e.a, e.b) for e in instance.edges if e.kind == "bridge"} == {("D03", "I1"),
                                                                          ("I1", "I2")}


def test_unknown_bridge_district_is_a_problem(write_grid, tmp_path: Path) -> None:
    folder = write_grid(tmp_path / "g",
                               toml_extra='\n[geometry]\nbridges = [["D01", "X9"]]\n')
    with pytest.raises(InstanceError, match="bridge .* names unknown district.* X9"):
        load_instance(folder)


def test_corner_contact_counts_under_queen_only(write_grid, tmp_path: Path) -> None:
    """Two squares touching at one corner: islands under rook, neighbours under queen."""
    folder = write_grid(tmp_path / "g", rows=1, cols=1)
    path = folder / "districts.geojson"
    data = json.loads(path.read_text())
    corner = json.loads(json.dumps(data["features"][0]))
    corner["properties"]["id"] = "D02"
    corner["geometry"]["coordinates"] = [[[x + 1000, y + 1000] for x, y in ring]
                                         for ring in corner["geometry"]["coordinates"]]
    data["features"].append(corner)
    path.write_text(json.dumps(data))
    (folder / "bids.csv").write_text("bidder,district_id,price\nA,D01,1\nB,D02,1\n")
    with pytest.raises(InstanceError, match='contiguity = "queen" connects them'):
        load_instance(folder)
    instance = load_instance(folder, overrides={"contiguity": "queen"})
    assert [(e.a, e.b, e.kind) for e in instance.edges] == [("D01", "D02", "queen_only")]


# --------------------------------------------------------------------------- toml and overrides
def test_overrides_replace_rules(grid_folder: Path) -> None:
    instance = load_instance(grid_folder, overrides={"lots": 3, "max_lots_per_bidder": 2,
                                                     "transition_cost": 250, "contiguity": None})
    r = instance.rules
    assert (r.lots_min, r.lots_max, r.max_lots_per_bidder, r.transition_cost) == (3, 3, 2, 250)
    assert r.contiguity == "rook"
    ranged = load_instance(grid_folder, overrides={"lots_max": 4}).rules  # toml: lots = 2
    assert (ranged.lots_min, ranged.lots_max) == (2, 4)
    with pytest.raises(InstanceError, match="more lots than districts: 7 lots > 6 districts"):
        load_instance(grid_folder, overrides={"lots": 7})
    with pytest.raises(UsageError, match="unknown rule override"):
        load_instance(grid_folder, overrides={"lotz": 3})


def test_rules_extras_are_read(write_grid, tmp_path: Path) -> None:
    extra = ('lot_clients_penalty = 50\nmin_winners = 2\ncompactness_weight = 10\n'
             'together = [["D01", "D02"]]\n\n[rules.pinned]\nD01 = "noord"\nD06 = 2\n\n'
             '[award]\nrule = "optimal"\nquality_weight = 0.4\n\n'
             '[solver]\nbackend = "cpsat"\ntime_limit_s = 5\nthreads = 1\nseed = 7\n')
    instance = load_instance(write_grid(tmp_path / "g", toml_extra=extra))
    r = instance.rules
    assert r.soft_client_bounds and r.lot_clients_penalty == 50.0 and r.min_winners == 2
    assert r.pinned == {"D01": "noord", "D06": "2"} and r.together == (("D01", "D02"),)
    assert instance.award.quality_weight == 0.4
    s = instance.solver
    assert (s.backend, s.time_limit_s, s.threads, s.seed) == ("cpsat", 5, 1, 7)


def test_toml_mistakes_are_all_listed(write_grid, tmp_path: Path) -> None:
    extra = ('max_lot_per_bidder = 2\ntransition_cost = "veel"\n\n[solver]\nbackend = "gurobi"\n'
             '\n[geometry]\ncontiguity_snap_m = -1\n')
    folder = write_grid(tmp_path / "g", toml_extra=extra)
    with pytest.raises(InstanceError) as caught:
        load_instance(folder)
    problems = caught.value.problems
    assert all(p.file == "instance.toml" for p in problems)
    assert "did you mean max_lots_per_bidder?" in only(problems, "unknown key").hint
    only(problems, r"transition_cost = 'veel'; expected a number")
    only(problems, r"unknown backend 'gurobi'")
    only(problems, r"contiguity_snap_m = -1")


def test_unreadable_toml_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="not found"):
        load_instance(tmp_path / "nothing")
    (tmp_path / "broken").mkdir()
    with pytest.raises(InstanceError, match="no instance.toml"):
        load_instance(tmp_path / "broken")
    (tmp_path / "broken" / "instance.toml").write_text("name = Emmen\n")
    with pytest.raises(InstanceError, match="not valid TOML"):
        load_instance(tmp_path / "broken")


def test_problems_of_every_file_in_one_error(emmen_wijken: Path) -> None:
    (emmen_wijken / "bidders.csv").write_text("naam,capaciteit\nA,1\n")
    (emmen_wijken / "bids.csv").unlink()
    with (emmen_wijken / "incumbents.csv").open("a") as handle:
        handle.write("WK999999,Zorggroep A,5\nWK011401,Zorggroep A,veel\n")
    (emmen_wijken / "lots.csv").write_text("district_id,lot\nWK011401,1\nWK011401,2\n")
    with pytest.raises(InstanceError) as caught:
        load_instance(emmen_wijken)
    problems = caught.value.problems
    columns = only(problems, "missing column")
    assert columns.file == "bidders.csv" and "found naam, capaciteit" in columns.message
    assert only(problems, "bids = 'bids.csv': no such file").file == "instance.toml"
    unknown = only(problems, "unknown district WK999999")
    assert (unknown.file, unknown.row, unknown.id) == ("incumbents.csv", 80, "WK999999")
    bad = only(problems, "'veel' is not a number")
    assert (bad.file, bad.row) == ("incumbents.csv", 81)
    twice = only(problems, "appears twice")
    assert (twice.file, twice.row, twice.id) == ("lots.csv", 3, "WK011401")


def test_bidders_taken_from_the_bids_without_a_bidders_file(grid_folder: Path) -> None:
    set_toml(grid_folder, 'bidders = "bidders.csv"\n', "")
    with pytest.warns(LoadWarning, match="no bidders; using the 2 bidders of the bids"):
        instance = load_instance(grid_folder)
    assert instance.bidder_ids == ("A", "B")


def test_repaired_polygon_is_a_warning_naming_it(grid_folder: Path) -> None:
    path = grid_folder / "districts.geojson"
    data = json.loads(path.read_text())
    (x, y), *_ = data["features"][0]["geometry"]["coordinates"][0]
    ring = [[x, y], [x + 1000, y], [x, y + 1000], [x + 1000, y + 1000], [x, y]]  # a bow tie
    data["features"][0]["geometry"]["coordinates"] = [ring]
    path.write_text(json.dumps(data))
    with pytest.warns(LoadWarning, match="district D01 was invalid"):
        load_instance(grid_folder)


def test_duplicate_bid_row(grid_folder: Path) -> None:
    with (grid_folder / "bids.csv").open("a") as handle:
        handle.write("A,D01,120\n")
    with pytest.raises(InstanceError, match="second bid of A on D01") as caught:
        load_instance(grid_folder)
    assert caught.value.problems[0].row == 14


# --------------------------------------------------------------------------- evaluate --lots
def test_load_lots_file(grid_folder: Path, tmp_path: Path) -> None:
    instance = load_instance(grid_folder)
    path = tmp_path / "design.csv"
    path.write_text("district_id;lot;winner\nD01;1;A\nD02;1;A\nD03;1;\nD04;2;B\nD05;2;B\n"
                    "D06;2;B\n")
    assignment, winners = load_lots_file(path, instance)
    assert assignment == {"D01": "1", "D02": "1", "D03": "1", "D04": "2", "D05": "2",
                          "D06": "2"}
    assert winners == {"1": "A", "2": "B"}
    path.write_text("district_id,lot,winner\nD01,1,A\nD02,1,B\nD09,2,\nD01,2,\nD03,2,Z\n")
    with pytest.raises(InstanceError) as caught:
        load_lots_file(path, instance)
    problems = caught.value.problems
    assert only(problems, "two winners").row == 3
    assert only(problems, "unknown district D09").row == 4
    assert only(problems, "appears twice").row == 5
    assert only(problems, "unknown winner Z").row == 6
    assert "3 district(s) are in no lot: D04, D05, D06" in only(problems, "in no lot").message


def test_one_bad_file_does_not_cascade(emmen_wijken: Path) -> None:
    path = emmen_wijken / "districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        del feature["properties"]["clients"]
    path.write_text(json.dumps(data), encoding="utf-8")
    set_toml(emmen_wijken, 'contiguity = "rook"', 'contiguity = "rok"')
    with pytest.raises(InstanceError) as caught:
        load_instance(emmen_wijken)
    problems = caught.value.problems
    assert len(problems) == 2, [str(p) for p in problems]
    assert only(problems, "no clients property").file == "districts.geojson"
    only(problems, "contiguity 'rok'")
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(InstanceError) as caught:
        load_instance(emmen_wijken)
    assert len(caught.value.problems) == 2, [str(p) for p in caught.value.problems]
    only(caught.value.problems, "Cannot open district file")


def test_contiguity_snap_joins_districts_a_few_metres_apart(write_grid, tmp_path: Path) -> None:
    folder = write_grid(tmp_path / "g", rows=1, cols=2)
    path = folder / "districts.geojson"
    data = json.loads(path.read_text())
    second = data["features"][1]["geometry"]
    second["coordinates"] = [[[x + 2, y] for x, y in ring] for ring in second["coordinates"]]
    path.write_text(json.dumps(data))
    with pytest.raises(InstanceError, match="not connected"):
        load_instance(folder)
    set_toml(folder, "[rules]", "[geometry]\ncontiguity_snap_m = 5\n\n[rules]")
    (edge,) = load_instance(folder).edges
    assert (edge.a, edge.b, edge.kind) == ("D01", "D02", "rook")
    assert edge.border_m == pytest.approx(1000, rel=0.02)
