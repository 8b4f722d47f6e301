"""Fuzz: every file of an instance damaged in many ways; ``validate`` never crashes, exits 0
or 1, and when it rejects the input every problem names its file (and the row or id when
one row is at fault). Fixed seed (``derandomize``) and a small budget: part of the fast suite.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fuzzing import Mutation, mutate
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from allocatie.cli import main

SOURCE = Path(__file__).resolve().parents[1] / "instances" / "emmen-wijken"
PROBLEM = "  - "


class HypothesisChooser:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def choice(self, options):
        return self.data.draw(st.sampled_from(list(options)))


def problem_lines(err: str) -> list[str]:
    return [line[len(PROBLEM):] for line in err.splitlines() if line.startswith(PROBLEM)]


def located_row(head: str, text: str, mutation: Mutation) -> bool:
    """The problem names a row or an id, or (GeoJSON) the feature or the district's id."""
    if "row " in head or "id " in head:
        return True
    return mutation.file.endswith(".geojson") and (
        "feature" in text or bool(mutation.id and mutation.id in text))


def unlocated(problems: list[str], files: set[str], mutation: Mutation) -> list[str]:
    """Problems that name no file of the instance, or name the damaged file without the row
    (or id) at fault."""
    bad = []
    for text in problems:
        head = text.split(":", 1)[0]
        named = head.split(",")[0].strip()
        if named not in files or named == mutation.file and mutation.row is not None and \
                mutation.kind != "header" and not located_row(head, text, mutation):
            bad.append(text)
    return bad


@settings(max_examples=120, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_instances_are_rejected_with_file_and_row(data, tmp_path: Path, capsys) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "emmen"
    shutil.copytree(SOURCE, folder)
    files = {p.name for p in folder.iterdir()}
    mutation = mutate(folder, HypothesisChooser(data))
    note(str(mutation))
    capsys.readouterr()
    code = main(["validate", str(folder)])
    err = capsys.readouterr().err
    note(err)
    assert "Traceback" not in err
    assert code in (0, 1, 3)  # 3: the rules conflict (infeasible), diagnosed, not bad input
    if code == 3:
        assert "infeasible: the rules of" in err, err
    if code == 1:
        problems = problem_lines(err)
        assert problems, err
        assert unlocated(problems, files, mutation) == []
