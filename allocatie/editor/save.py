"""Save a drawing: ``lots.csv`` (``district_id,lot``, the format ``evaluate --lots`` reads)
and the results folder ``evaluate`` writes, through the same code and checker, into
``--out`` only."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from allocatie.award.given import award_design
from allocatie.editor.evaluation import scored_solution
from allocatie.editor.session import LOTS_CSV, RESULTS
from allocatie.errors import UsageError
from allocatie.instance import Instance
from allocatie.settings import SolverSettings


def save_drawing(out: Path, instance: Instance, drawing: Mapping[str, str],
                 settings: SolverSettings, lang: str = "nl", report: bool = True) -> dict:
    """Write ``out/lots.csv`` and ``out/results/`` (as ``allocatie evaluate --lots
    out/lots.csv --out out/results`` would) and return what was written. Raises
    :class:`UsageError` when a district has no lot (``lots.csv`` needs every district)."""
    from allocatie.io.results import write_results

    missing = [d for d in instance.district_ids if d not in drawing]
    if missing:
        raise UsageError(f"{len(missing)} district(s) have no lot yet (for example "
                         f"{missing[0]}); give every district a lot before saving")
    out.mkdir(parents=True, exist_ok=True)
    _write_lots_csv(out / LOTS_CSV, instance, drawing)
    fixed, awarded = award_design(instance, drawing, settings, lang)
    solution, _ = scored_solution(fixed, drawing, awarded)
    written = write_results(out / RESULTS, fixed, solution, command="evaluate", report=report,
                            lang=lang)
    solution, evaluation = written.solution, written.evaluation  # as the results folder says
    return {"lots_csv": str(out / LOTS_CSV), "results": str(out / RESULTS),
            "status": solution.status.value, "objective": solution.objective,
            "winners": dict(solution.winners),
            "feasible_by_checker": None if evaluation is None else evaluation.feasible,
            "violations": [] if evaluation is None else [str(v) for v in
                                                         evaluation.violations]}


def lots_csv_text(instance: Instance, drawing: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["district_id", "lot"])
    for d in instance.district_ids:
        writer.writerow([d, drawing[d]])
    return buffer.getvalue()


def _write_lots_csv(path: Path, instance: Instance, drawing: Mapping[str, str]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(lots_csv_text(instance, drawing))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
