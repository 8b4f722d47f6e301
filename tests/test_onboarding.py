"""`allocatie init`: from CBS Wijk- en Buurtkaart files and a client sheet to an instance."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from openpyxl import load_workbook

import gebieden
from allocatie.cli import main
from allocatie.errors import InstanceError
from allocatie.io.loading import load_instance
from allocatie.onboarding import init_instance
from allocatie.onboarding.clients import TEMPLATE
from tests.onboarding import kwb

TWO = list(kwb.GEMEENTEN)


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory) -> Path:
    return kwb.write_recent_gpkg(tmp_path_factory.mktemp("kwb") / "wijkenbuurten_2024.gpkg")


def fill_template(path: Path, misspell: bool = False) -> dict[str, str]:
    """Fill the template as a civil servant would; returns code -> name of the rows."""
    book = load_workbook(path)
    sheet = book["Clienten"]
    sheet["D1"], sheet["E1"], sheet["F1"] = "Zorggroep Noord", "Thuiszorg Rivierenland", None
    names = {}
    for i, row in enumerate(sheet.iter_rows(min_row=2)):
        names[row[0].value] = row[1].value
        row[3].value = 10 + i % 7 if i < 24 else 2
        row[4].value = 3 if i < 24 else 12 + i % 5
        if misspell and i == 4:
            row[0].value, row[1].value = None, row[1].value[:-2]
    book.save(path)
    return names


def test_template_then_clients_then_a_valid_instance(gpkg: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiel"
    first = init_instance(out, gpkg, TWO, level="buurt")
    text = "\n".join(first.lines)
    assert "layer 'buurten'" in text and "recent field names (buurtcode" in text
    assert f"dropped 1 water-only district(s): {kwb.WATER_CODE}" in text
    assert f"({kwb.SECRET_CODE})" in text  # secret inhabitants are named, not used
    assert not first.ready and (out / TEMPLATE).is_file()
    assert not (out / "instance.toml").exists()
    rows = list(load_workbook(out / TEMPLATE)["Clienten"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 48 and kwb.WATER_CODE not in {r[0] for r in rows}
    secret = [r for r in rows if r[2] is None]
    assert len(secret) == 1  # -99997 is written as empty, never as a number
    assert load_workbook(out / TEMPLATE).sheetnames[0] == "Uitleg"

    clean = tmp_path / "clienten.xlsx"
    shutil.copy(out / TEMPLATE, clean)
    names = fill_template(out / TEMPLATE, misspell=True)
    with pytest.raises(InstanceError) as error:
        init_instance(out, gpkg, TWO, level="buurt", clients=out / TEMPLATE)
    wrong = list(names.values())[4]
    message = str(error.value)
    assert f"'{wrong[:-2]}' niet gevonden; bedoelt u '{wrong}' ({list(names)[4]})?" in message
    assert not (out / "instance.toml").exists()  # nothing written half-done

    fill_template(clean)
    done = init_instance(out, gpkg, TWO, level="buurt", clients=clean, lots=4)
    assert done.ready
    assert "code <- column 'code'" in "\n".join(done.lines)
    instance = load_instance(out)
    assert instance.bids_kind == "expected" and len(instance.districts) == 48
    assert {b.id for b in instance.bidders} == {"Zorggroep Noord", "Thuiszorg Rivierenland"}
    # the repaired adjacency is the one of the unperturbed real geometry
    real = kwb.real_buurten()
    real = real[real["water"] == "NEE"].set_index("id")
    exact = {(e.a, e.b) for e in gebieden.adjacency(real, snap_m=0.0)}
    assert {(e.a, e.b) for e in instance.edges if e.kind == "rook"} == exact
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "verwachte" in readme

    assert main(["validate", str(out)]) == 0
    design = tmp_path / "ontwerp"
    code = main(["design", str(out), "--out", str(design), "--time-limit", "10",
                 "--no-report", "--quiet"])
    assert code == 0
    summary = json.loads((design / "summary.json").read_text(encoding="utf-8"))
    assert summary["bids_expected"] is True and summary["feasible_by_checker"] is True
    # init weighs compactness, so design solved once more without it and scored both
    price = summary["details"]["compactness_price"]
    money = summary["cost"] + summary["transition_cost"] + summary["client_penalty"]
    assert price["with"]["money"] == pytest.approx(money, abs=0.01)
    assert price["with"]["cut_border_km"] == pytest.approx(summary["cut_border_km"], abs=1e-3)
    assert price["extra_money"] == pytest.approx(
        price["with"]["money"] - price["without"]["money"], abs=0.01)
    assert main(["check", str(out), str(design)]) == 0


def test_old_shapefile_long_csv_and_example_bids(tmp_path: Path, capsys) -> None:
    shp = kwb.write_old_shapefile(tmp_path / "shp")
    frame = gpd.read_file(shp)
    tiel = frame[(frame["GM_CODE"] == "GM0281") & (frame["WATER"] == "NEE")]
    lines = ["Buurt;Zorgaanbieder;Aantal cliënten"]
    lines += [f"{name};Zorg Oost;{5 + i % 4}" for i, name in enumerate(tiel["BU_NAAM"])]
    lines += [f"{code};Zorg West;3" for code in tiel["BU_CODE"][:10]]
    sheet = tmp_path / "clienten.csv"
    sheet.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    out = tmp_path / "tiel"
    code = main(["init", str(out), "--geometry", str(shp), "--gemeente", "Tiel", "--level",
                 "buurt", "--clients", str(sheet), "--example-bids", "--lots", "3"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "old upper-case field names" in printed and "EXAMPLE bids" in printed
    assert "name <- column 'buurt'" in printed and "provider <- column 'zorgaanbieder'" in printed
    instance = load_instance(out)
    assert instance.bids_kind == "example"
    assert len(instance.districts) == len(tiel)  # the water buurt is dropped
    assert kwb.WATER_CODE not in instance.district_ids
    assert instance.total_clients == sum(5 + i % 4 for i in range(len(tiel))) + 30


def test_unknown_municipality_and_foreign_files_are_refused(gpkg: Path, tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="GM9999"):
        init_instance(tmp_path / "x", gpkg, ["GM9999"], level="buurt")
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(theirs), "--geometry", str(gpkg), "--gemeente", "GM0281",
                 "--level", "buurt", "--clients-proxy", "0.02"]) == 2
    assert sorted(p.name for p in theirs.iterdir()) == ["notes.txt"]


def test_clients_proxy_is_labelled(gpkg: Path, tmp_path: Path) -> None:
    out = tmp_path / "proxy"
    report = init_instance(out, gpkg, ["GM0281"], level="buurt", clients_proxy=0.02,
                           example=True, lots=3)
    assert any("PROXY" in line for line in report.lines)
    assert "PROXY" in (out / "README.md").read_text(encoding="utf-8")
    assert "PROXY" in load_instance(out).name


def test_pdok_layout_in_wgs84(tmp_path: Path) -> None:
    path = kwb.write_pdok_gpkg(tmp_path / "cbs_gebiedsindelingen_2024.gpkg")
    with pytest.raises(InstanceError, match="needs inhabitants"):
        init_instance(tmp_path / "p", path, ["GM1740"], level="buurt", clients_proxy=0.02)
    codes = list(gpd.read_file(path)["statcode"])
    sheet = tmp_path / "clients.xlsx"
    frame = gpd.pd.DataFrame({"buurtcode": codes, "aanbieder": "Zorg Oost", "clienten": 7})
    frame.to_excel(sheet, index=False)
    with pytest.raises(InstanceError, match=r"code 'BU02810000' niet gevonden in de gekozen "
                                            r"gemeente\(n\); hoort hij bij gemeente GM0281"):
        init_instance(tmp_path / "p", path, ["GM1740"], level="buurt", clients=sheet)
    frame[frame["buurtcode"].str.startswith("BU1740")].to_excel(sheet, index=False)
    out = tmp_path / "pdok"
    report = init_instance(out, path, ["GM1740"], level="buurt", clients=sheet,
                           example=True, lots=3)
    text = "\n".join(report.lines)
    assert "PDOK gebiedsindelingen" in text and "EPSG:28992" in text  # WGS84 read, RD used
    instance = load_instance(out)
    assert all(d.startswith("BU1740") for d in instance.district_ids)
    real = kwb.real_buurten().set_index("id")
    real = real[real.index.str.startswith("BU1740")]
    exact = {(e.a, e.b) for e in gebieden.adjacency(real, snap_m=0.0)}
    assert {(e.a, e.b) for e in instance.edges if e.kind == "rook"} == exact
    assert instance.total_clients == 7 * len(instance.districts)
    with pytest.raises(InstanceError, match="by name"):
        init_instance(tmp_path / "n", path, ["Tiel"], level="buurt", clients=sheet)


def test_bids_per_lot_with_their_design(gpkg: Path, tmp_path: Path) -> None:
    frame = kwb.real_buurten()
    frame = frame[frame["water"] == "NEE"]
    lots = tmp_path / "percelen.csv"
    lots.write_text("district_id;lot\r\n" + "".join(
        f"{d};{'Tiel' if g == 'GM0281' else 'Betuwe'}\r\n"
        for d, g in zip(frame["id"], frame["gemeentecode"], strict=True)), encoding="utf-8-sig")
    bids = tmp_path / "inschrijvingen.csv"
    bids.write_text("bidder;lot;price\r\nZorg Oost;Tiel;1.250.000,00\r\nZorg Oost;Betuwe;"
                    "800.000\r\nZorg West;Tiel;1.190.000\r\nZorg West;Betuwe;900.000\r\n",
                    encoding="utf-8-sig")
    with pytest.raises(InstanceError, match="--lots-file"):
        init_instance(tmp_path / "x", gpkg, TWO, level="buurt", clients_proxy=0.02, bids=bids)
    out = tmp_path / "lots"
    init_instance(out, gpkg, TWO, level="buurt", clients_proxy=0.02, bids=bids,
                  lots_file=lots)
    instance = load_instance(out)
    assert instance.lots is not None and len(instance.lot_bids) == 4
    assert main(["award", str(out), "--out", str(tmp_path / "award"), "--no-report",
                 "--quiet"]) == 0
    summary = json.loads((tmp_path / "award" / "summary.json").read_text(encoding="utf-8"))
    assert summary["cost"] == pytest.approx(1_190_000 + 800_000)


def test_expected_tariff_from_init_the_command_line_or_a_file(gpkg: Path,
                                                               tmp_path: Path) -> None:
    frame = kwb.real_buurten()
    tiel = frame[(frame["gemeentecode"] == "GM0281") & (frame["water"] == "NEE")]
    sheet = tmp_path / "clienten.csv"
    sheet.write_text("code;aanbieder;clienten\r\n" + "".join(
        f"{d};{'Zorg Oost' if i % 2 else 'Zorg West'};4\r\n" for i, d in enumerate(tiel["id"])),
        encoding="utf-8-sig")
    out = tmp_path / "tiel"
    init_instance(out, gpkg, ["GM0281"], level="buurt", clients=sheet, tariff=2600, lots=3)
    assert set(load_instance(out).bids.values()) == {2600.0}
    assert set(load_instance(out, expected_tariff=3000).bids.values()) == {3000.0}
    (out / "tarieven.csv").write_text("provider;tariff\r\nZorg Oost;2.400,50\r\n",
                                      encoding="utf-8-sig")
    toml = (out / "instance.toml").read_text(encoding="utf-8")
    (out / "instance.toml").write_text(toml + 'expected_tariffs = "tarieven.csv"\n',
                                       encoding="utf-8")
    bids = load_instance(out).bids
    assert {p for (b, _), p in bids.items() if b == "Zorg Oost"} == {2400.5}
    assert {p for (b, _), p in bids.items() if b == "Zorg West"} == {2600.0}
