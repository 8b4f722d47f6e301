"""Input that is wrong but looks fine: CRS, implausible numbers, cut-off files, paths that
leave the instance folder, instance.toml encodings, and command-line values."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from allocatie.cli import main
from allocatie.errors import InstanceError
from allocatie.io.loading import LoadWarning, load_instance


def problems_of(folder: Path) -> list:
    with pytest.raises(InstanceError) as caught:
        load_instance(folder)
    return caught.value.problems


def set_crs_member(folder: Path, name: str | None) -> None:
    path = folder / "districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    if name is None:
        data.pop("crs")
    else:
        data["crs"] = {"type": "name", "properties": {"name": name}}
    path.write_text(json.dumps(data), encoding="utf-8")


# --------------------------------------------------------------------------- CRS
def test_rd_coordinates_declared_as_web_mercator_are_named(emmen_wijken: Path) -> None:
    set_crs_member(emmen_wijken, "urn:ogc:def:crs:EPSG::3857")
    [problem] = problems_of(emmen_wijken)
    assert problem.file == "districts.geojson"
    assert "declared CRS EPSG:3857" in problem.message
    assert "look like RD New (EPSG:28992)" in problem.message
    assert "EPSG::28992" in problem.hint


def test_rd_coordinates_without_crs_give_one_problem_naming_the_crs(emmen_wijken: Path) -> None:
    set_crs_member(emmen_wijken, None)
    with pytest.raises(InstanceError, match=r"the CRS is EPSG:4326.*a GeoJSON without a 'crs' "
                       r"member.*look like RD New \(EPSG:28992\)") as caught:
        load_instance(emmen_wijken)
    assert len(caught.value.problems) == 1
    assert "inf" not in str(caught.value) and "bridges" not in str(caught.value)


def test_swapped_latitude_and_longitude_are_named(emmen_wijken: Path) -> None:
    path = emmen_wijken / "districts.geojson"
    frame = gpd.read_file(path).to_crs(4326)
    frame["geometry"] = frame.geometry.map(lambda g: shapely.transform(g, lambda xy: xy[:, ::-1]))
    frame.set_crs(4326, allow_override=True).to_file(path, driver="GeoJSON")
    [problem] = problems_of(emmen_wijken)
    assert "EPSG:4326" in problem.message
    assert "latitude/longitude in the wrong order" in problem.message


def test_districts_elsewhere_in_the_world_are_a_warning(emmen_wijken: Path) -> None:
    path = emmen_wijken / "districts.geojson"
    frame = gpd.read_file(path).to_crs(4326)
    frame["geometry"] = frame.geometry.translate(xoff=10.0)  # to Poland
    frame.to_file(path, driver="GeoJSON")
    with pytest.warns(LoadWarning, match=r"outside the Netherlands; check that the file's CRS "
                      r"\(EPSG:4326\) is right"):
        load_instance(emmen_wijken)


# --------------------------------------------------------------------------- numbers
def replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_price_far_from_its_peers_is_a_warning_with_the_row(emmen_wijken: Path) -> None:
    replace_line(emmen_wijken / "bids.csv", "Zorggroep A,WK011401,3926", "Zorggroep A,WK011401,"
                 "3.926")
    with pytest.warns(LoadWarning, match=r"bids.csv, row 2, id Zorggroep A/WK011401: price 3.926 "
                      r"of Zorggroep A for district WK011401 is 764 times below the median"):
        load_instance(emmen_wijken)


def test_a_lot_price_far_from_the_other_bids_on_the_lot_is_a_warning(emmen_wijken: Path) -> None:
    replace_line(emmen_wijken / "lot_bids.csv", "Thuishulp E,1,2899600,", "Thuishulp E,1,"
                 "28996000,")
    with pytest.warns(LoadWarning, match=r"lot_bids.csv, row 2.*above the median .* of the other "
                      "bids on lot 1"):
        load_instance(emmen_wijken)


@pytest.mark.parametrize(("file", "old", "new", "pattern"), [
    ("bids.csv", "Zorggroep A,WK011402,3785", "Zorggroep A,WK011402,1e15",
     r"price of Zorggroep A for WK011402 1,000,000,000,000,000 is outside the range > 0 and "
     r"<= 100,000 EUR per client per year"),
    ("bidders.csv", "Zorggroep A,1780,,29000", "Zorggroep A,1780,,1e15",
     r"lot_fee 1,000,000,000,000,000 is outside the range >= 0 and <= 100,000,000 EUR per lot"),
    ("bidders.csv", "Zorggroep A,1780,,29000", "Zorggroep A,1e15,,29000",
     r"capacity 1,000,000,000,000,000 is outside the range >= 0 and <= 1,000,000 clients"),
    ("lot_bids.csv", "Thuishulp E,1,2899600,86,2", "Thuishulp E,1,2899600,-50,2",
     r"quality score -50 is outside the range >= 0 and <= 100 quality points"),
    ("lot_bids.csv", "Thuishulp E,1,2899600,86,2", "Thuishulp E,1,1e15,86,2",
     r"price 1,000,000,000,000,000 is outside the range > 0 and <= 1,000,000,000 EUR per year"),
    ("combination_bids.csv", "B-combi,3+6,4004100", "B-combi,3+6,1e15",
     r"price 1,000,000,000,000,000 is outside the range"),
])
def test_values_outside_the_documented_ranges_are_rejected(emmen_wijken: Path, file: str,
                                                           old: str, new: str,
                                                           pattern: str) -> None:
    replace_line(emmen_wijken / file, old, new)
    with pytest.raises(InstanceError, match=pattern) as caught:
        load_instance(emmen_wijken)
    [problem] = [p for p in caught.value.problems if "outside the range" in p.message]
    assert problem.file == file and problem.row in (2, 3)


@pytest.mark.filterwarnings("ignore:.*times below the median")
def test_a_cut_off_last_line_is_detected(emmen_wijken: Path) -> None:
    bids = emmen_wijken / "bids.csv"
    text = bids.read_text(encoding="utf-8").rstrip("\n")
    assert text.endswith(",3223")
    bids.write_text(text[:-3], encoding="utf-8")  # "...,3" without a line break
    [problem] = problems_of(emmen_wijken)
    assert (problem.file, problem.row) == ("bids.csv", 206)
    assert "ends without a line break" in problem.message and "looks cut off" in problem.message


def test_a_last_line_cut_after_its_separator_is_detected(emmen_wijken: Path) -> None:
    bidders = emmen_wijken / "bidders.csv"
    text = bidders.read_text(encoding="utf-8").rstrip("\n")
    assert text.endswith("Thuiszorg H,880,1,49000")
    bidders.write_text(text[:-len("49000")], encoding="utf-8")
    [problem] = problems_of(emmen_wijken)
    assert (problem.file, problem.row) == ("bidders.csv", 9)
    assert "has no lot_fee, which every other row has: the file looks cut off" in problem.message


def test_a_complete_last_line_without_a_line_break_is_fine(emmen_wijken: Path) -> None:
    bids = emmen_wijken / "bids.csv"
    bids.write_text(bids.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")
    load_instance(emmen_wijken)


def test_an_unclosed_quote_is_located(emmen_wijken: Path) -> None:
    replace_line(emmen_wijken / "lots.csv", "WK011410,", 'WK011410,"')
    problems = problems_of(emmen_wijken)
    quote = next(p for p in problems if "opens a quote" in p.message)
    assert quote.file == "lots.csv" and quote.row == 11


# --------------------------------------------------------------------------- paths
def test_a_symlink_to_etc_passwd_is_refused_without_printing_it(emmen_wijken: Path) -> None:
    (emmen_wijken / "bidders.csv").unlink()
    os.symlink("/etc/passwd", emmen_wijken / "bidders.csv")
    [problem] = problems_of(emmen_wijken)
    assert problem.file == "bidders.csv"
    assert "is a symbolic link to a file outside the instance folder" in problem.message
    assert "allow_outside_folder" in problem.hint
    assert "root" not in str(problem)


def test_allowed_outside_files_that_are_no_table_are_not_quoted(emmen_wijken: Path) -> None:
    (emmen_wijken / "bidders.csv").unlink()
    os.symlink("/etc/passwd", emmen_wijken / "bidders.csv")
    replace_line(emmen_wijken / "instance.toml", "[files]\n", "[files]\nallow_outside_folder = "
                 "true\n")
    [problem] = problems_of(emmen_wijken)
    assert "missing column(s) bidder; found no column names" in problem.message
    assert "root" not in str(problem)


def test_a_path_that_leaves_the_folder_is_refused_unless_allowed(emmen_wijken: Path) -> None:
    shared = emmen_wijken.parent / "shared-bids.csv"
    shared.write_bytes((emmen_wijken / "bids.csv").read_bytes())
    replace_line(emmen_wijken / "instance.toml", 'bids = "bids.csv"',
                 'bids = "../shared-bids.csv"')
    [problem] = problems_of(emmen_wijken)
    assert problem.file == "instance.toml"
    assert problem.message == ("[files] bids = '../shared-bids.csv' names a file outside the "
                               "instance folder")
    replace_line(emmen_wijken / "instance.toml", "[files]\n", "[files]\nallow_outside_folder = "
                 "true\n")
    assert len(load_instance(emmen_wijken).bids) == 205


def test_a_missing_file_is_named_in_instance_toml_with_a_suggestion(emmen_wijken: Path) -> None:
    replace_line(emmen_wijken / "instance.toml", 'bids = "bids.csv"', 'bids = "bid.csv"')
    [problem] = problems_of(emmen_wijken)
    assert (problem.file, problem.hint) == ("instance.toml", "did you mean bids.csv?")


# --------------------------------------------------------------------------- instance.toml
def test_instance_toml_with_a_bom_is_read(emmen_wijken: Path) -> None:
    toml = emmen_wijken / "instance.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes())
    assert load_instance(emmen_wijken).rules.lots_max == 6


def test_instance_toml_in_cp1252_is_read_with_a_warning(emmen_wijken: Path) -> None:
    toml = emmen_wijken / "instance.toml"
    text = toml.read_text(encoding="utf-8").replace('name = "Emmen', 'name = "Émmen')
    toml.write_bytes(text.encode("cp1252"))
    with pytest.warns(LoadWarning, match="instance.toml is not UTF-8; read it as cp1252"):
        instance = load_instance(emmen_wijken)
    assert instance.name.startswith("Émmen")


# --------------------------------------------------------------------------- command line
@pytest.mark.parametrize(("option", "value", "pattern"), [
    ("--seed", "-1", r"argument --seed: '-1' is not a whole number >= 0"),
    ("--time-limit", "nan", r"argument --time-limit: 'nan' is not a number of seconds > 0"),
    ("--time-limit", "inf", r"'inf' is not a number of seconds > 0"),
    ("--time-limit", "-5", r"'-5' is not a number of seconds > 0"),
    ("--time-limit", "0", r"'0' is not a number of seconds > 0"),
    ("--mip-gap", "nan", r"'nan' is not a relative gap in \[0, 1\)"),
    ("--threads", "0", r"'0' is not a whole number >= 1"),
    ("--lots", "-1", r"argument --lots: '-1' is not a whole number >= 1"),
    ("--transition-cost", "nan", r"'nan' is not an amount of EUR >= 0"),
])
def test_bad_solver_options_are_usage_errors(instances_dir: Path, tmp_path: Path, capsys,
                                             option: str, value: str, pattern: str) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["design", str(instances_dir / "emmen-wijken"), "--out", str(tmp_path / "o"),
              f"{option}={value}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(pattern, err), err
    assert not (tmp_path / "o").exists()


def test_a_negative_seed_in_instance_toml_is_a_located_problem(emmen_wijken: Path) -> None:
    replace_line(emmen_wijken / "instance.toml", "time_limit_s = 60", "time_limit_s = 60\n"
                 "seed = -1")
    [problem] = problems_of(emmen_wijken)
    assert problem.file == "instance.toml"
    assert "seed must be a whole number >= 0, got -1" in problem.message
