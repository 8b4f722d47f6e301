"""The compare SPEC: what is accepted, and errors that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocatie.compare import SpecError, load_spec

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "emmen-wijken"

GOOD = f"""
instance = "{INSTANCE}"
[scenarios]
count = 10
seed = 7
price_level_sd = 0.08
[[designs]]
name = "vandaag"
kind = "current"
[[designs]]
name = "bestek"
kind = "fixed"
lots = "{INSTANCE / 'lots.csv'}"
[[designs]]
name = "K5"
kind = "design"
lots = 5
max_lots_per_bidder = 2
time_limit_s = 20
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_spec_is_read_with_defaults(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.instance == INSTANCE
    assert [d.name for d in spec.designs] == ["vandaag", "bestek", "K5"]
    assert spec.designs[1].path == INSTANCE / "lots.csv"
    assert spec.designs[2].lots == 5 and spec.designs[2].max_lots_per_bidder == 2
    assert spec.scenarios.count == 10 and spec.scenarios.seed == 7
    assert spec.scenarios.price_level_sd == 0.08 and spec.scenarios.no_show_probability == 0
    assert spec.award.rule == "optimal" and spec.award.method == "auto"
    assert spec.solver.threads == 1


def test_relative_paths_are_taken_from_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lots.csv").write_text("district_id,lot\n", encoding="utf-8")
    text = GOOD.replace(str(INSTANCE / "lots.csv"), "sub/lots.csv")
    spec = load_spec(write(tmp_path, text))
    assert spec.designs[1].path == (tmp_path / "sub" / "lots.csv").resolve()


def test_the_example_spec_is_valid() -> None:
    spec = load_spec(ROOT / "examples" / "compare-emmen.toml")
    assert len(spec.designs) >= 5
    assert spec.scenarios.count == 200
    assert {d.kind for d in spec.designs} == {"current", "fixed", "design"}


@pytest.mark.parametrize(("change", "match"), [
    (("count = 10", "count = 0"), r"\[scenarios\] count = 0 must be >= 1"),
    (("count = 10", "count = 'many'"), r"\[scenarios\] count = 'many' must be a whole number"),
    (("seed = 7\n", ""), r"\[scenarios\] 'seed' is missing; set seed = 2026"),
    (("price_level_sd = 0.08", "price_level_sd = -1"),
     r"price_level_sd = -1 must be between 0.0 and 2.0"),
    (("price_level_sd = 0.08", "no_show_probability = 1.5"),
     r"no_show_probability = 1.5 must be between 0.0 and 1.0"),
    (("price_level_sd = 0.08", "price_levl_sd = 0.08"),
     r"\[scenarios\] unknown key 'price_levl_sd'; expected one of count, seed"),
    (('kind = "current"', 'kind = "today"'),
     r"\[designs 'vandaag'\] kind = 'today'; use one of design, fixed, current"),
    (('name = "bestek"', 'name = "vandaag"'), r"name 'vandaag' is used twice"),
    (("lots = 5", 'lots = "five.csv"'),
     r"kind = \"design\" takes lots = <number of lots>; for a lots CSV use kind = \"fixed\""),
    (("time_limit_s = 20", "time_limit = 20"),
     r"\[designs 'K5'\] unknown key 'time_limit'"),
])
def test_spec_errors_name_the_key_and_the_fix(tmp_path: Path, change: tuple[str, str],
                                              match: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(SpecError, match=match):
        load_spec(write(tmp_path, GOOD.replace(old, new, 1)))


def test_missing_files_and_folders_are_named(tmp_path: Path) -> None:
    text = GOOD.replace(str(INSTANCE / "lots.csv"), "nowhere/lots.csv").replace(
        f'instance = "{INSTANCE}"', 'instance = "no-such-instance"')
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, text))
    message = str(info.value)
    assert "2 problem(s)" in message
    assert "'instance' = 'no-such-instance': folder" in message
    assert "lots = 'nowhere/lots.csv': file" in message and "not found" in message


def test_unknown_award_rule_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"\[award\] rule = 'cheapest' is not known; use one "
                                        r"of optimal"):
        load_spec(write(tmp_path, GOOD + '\n[award]\nrule = "cheapest"\n'))


def test_no_designs_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"no candidate designs: add at least one \[\[designs\]\]"):
        load_spec(write(tmp_path, GOOD[:GOOD.index("[[designs]]")]))
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(write(tmp_path, "instance = \n"))
    with pytest.raises(FileNotFoundError, match="compare spec .* not found"):
        load_spec(tmp_path / "missing.toml")


NAMED = """
[[scenarios.named]]
name = "zonder A"
absent = ["Zorggroep A"]
[[scenarios.named]]
name = "ronde 2"
description = "tweede ronde"
bids = "alt/bids.csv"
price_factor = {"Wijkzorg F" = 1.10}
capacity = {"Zorggroep A" = 400}
"""


def test_named_scenarios_are_read(tmp_path: Path) -> None:
    (tmp_path / "alt").mkdir()
    (tmp_path / "alt" / "bids.csv").write_text("bidder,district_id,price\n", encoding="utf-8")
    text = GOOD.replace("[[designs]]", NAMED + "\n[[designs]]", 1)
    named = load_spec(write(tmp_path, text)).scenarios.named
    assert [n.name for n in named] == ["zonder A", "ronde 2"]
    assert named[0].absent == ("Zorggroep A",)
    assert named[1].bids == (tmp_path / "alt" / "bids.csv").resolve()
    assert named[1].price_factor == (("Wijkzorg F", 1.10),)
    assert named[1].capacity == (("Zorggroep A", 400),)
    assert named[1].description == "tweede ronde"


@pytest.mark.parametrize(("table", "match"), [
    ('name = "x"\nabsnt = ["A"]', r"\[scenarios.named 'x'\] unknown key 'absnt'"),
    ('absent = ["A"]', r"\[scenarios.named #1\] 'name' is missing"),
    ('name = "x"', r"\[scenarios.named 'x'\] changes nothing"),
    ('name = "x"\nabsent = "A"', r"absent = 'A' must be a list of bidder names"),
    ('name = "x"\nprice_factor = {A = 0}', r"price_factor of 'A' = 0 must be a factor > 0"),
    ('name = "x"\ncapacity = {A = 1.5}', r"capacity of 'A' = 1.5 must be a whole number"),
    ('name = "x"\nbids = "nope.csv"', r"bids = 'nope.csv': file .* not found"),
])
def test_named_scenario_errors_name_the_key_and_the_fix(tmp_path: Path, table: str,
                                                        match: str) -> None:
    text = GOOD.replace("[[designs]]", f"[[scenarios.named]]\n{table}\n[[designs]]", 1)
    with pytest.raises(SpecError, match=match):
        load_spec(write(tmp_path, text))


def test_count_zero_needs_named_scenarios(tmp_path: Path) -> None:
    text = GOOD.replace("count = 10", "count = 0")
    with pytest.raises(SpecError, match=r"\[scenarios\] count = 0 must be >= 1"):
        load_spec(write(tmp_path, text))
    with_named = text.replace("[[designs]]", NAMED.split("[[scenarios.named]]")[1].join(
        ["[[scenarios.named]]", ""]) + "\n[[designs]]", 1)
    assert load_spec(write(tmp_path, with_named)).scenarios.count == 0
