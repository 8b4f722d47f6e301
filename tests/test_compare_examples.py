"""The two example specs run as a user runs them and give a report with a map of every
candidate (slow: they draw MILP designs and award hundreds of scenarios)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from allocatie.compare import run_compare

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("example", ["compare-emmen.toml", "compare-lelystad.toml"])
def test_example_gives_a_report_with_a_map_of_every_candidate(example: str,
                                                              tmp_path: Path) -> None:
    result = run_compare(ROOT / "examples" / example, tmp_path / "out", workers=1)
    assert result.ok and not result.has_failures
    assert result.total == result.computed + result.reused + result.missing
    page = (tmp_path / "out" / "vergelijking.html").read_text(encoding="utf-8")
    payload = json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))
    names = [d.name for d in result.spec.designs]
    assert [d["name"] for d in payload["designs"]] == names
    for design in payload["designs"]:
        assert design["outlines"]["features"], design["name"]
        assert (tmp_path / "out" / "designs" / design["name"] / "lots.geojson").is_file()
    assert len(result.spec.scenarios.named) >= 2
    named = result.named
    assert set(named["scenario_name"]) == {s.name for s in result.spec.scenarios.named}
    assert (named["status"] != "error").all()
