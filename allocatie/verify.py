"""``allocatie check``: verify a results folder against the instance with the checker alone."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from allocatie.checker import evaluate, objectives_match
from allocatie.instance import Instance
from allocatie.outfolder import is_staging_folder
from allocatie.results import TRANSITIONS, read_results


@dataclass
class CheckReport:
    """The verdict on a results folder: ``ok`` and the lines explaining it."""

    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.ok = False
        self.lines.append(f"FAIL {line}")

    def good(self, line: str) -> None:
        self.lines.append(f"ok   {line}")


def check_results_folder(instance: Instance, folder: str | Path) -> CheckReport:
    """Recompute feasibility, the objective, cost, transitions and the transitions matrix of a
    results folder from the instance alone and compare them with what the folder claims."""
    folder = Path(folder)
    report = CheckReport()
    if is_staging_folder(folder):
        report.fail(f"{folder} is a staging folder of a run that was killed or is still "
                    "running, not a results folder; run the command again")
        return report
    summary, assignment, winners = read_results(folder)
    status = summary.get("status")
    if status not in ("optimal", "feasible"):
        if assignment:
            report.fail(f"status is {status!r} but the folder holds a design")
        else:
            report.good(f"status {status!r} and no design, as it should be")
        return report
    result = evaluate(instance, assignment, winners, summary.get("pricing", "district"),
                      tuple(summary.get("combinations") or ()))
    if result.feasible:
        report.good(f"design is feasible: {len(result.lots)} lots, every rule kept")
    for violation in result.violations:
        report.fail(violation)
    for key, recomputed in (("objective", result.objective), ("cost", result.cost),
                            ("transitions", result.transitions)):
        claimed = summary.get(key)
        if claimed is None or not objectives_match(float(claimed), float(recomputed)):
            report.fail(f"{key}: folder says {claimed}, recomputed {recomputed:,.2f}")
        else:
            report.good(f"{key} {recomputed:,.2f} recomputed and equal")
    for lot in summary.get("lots", []):
        mine = next((f for f in result.lots if f.lot == str(lot.get("lot"))), None)
        if mine is None or not objectives_match(float(lot.get("cost", 0)), mine.cost) or (
                int(lot.get("transitions", -1)) != mine.transitions):
            report.fail(f"lot {lot.get('lot')}: figures differ from the recomputed ones")
    _check_matrix(folder / TRANSITIONS, result.matrix, report)
    bound = summary.get("bound")
    if bound is not None and float(bound) > result.objective + max(0.01,
                                                                  1e-6 * abs(result.objective)):
        report.fail(f"bound {bound:,.2f} lies above the objective {result.objective:,.2f}")
    return report


def _check_matrix(path: Path, matrix: dict, report: CheckReport) -> None:
    if not path.exists():
        report.fail(f"{path.name} is missing")
        return
    claimed: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            claimed[(row["from_provider"], row["to_provider"])] = int(row["clients"])
    if claimed == {k: v for k, v in matrix.items() if v}:
        report.good(f"{path.name} matches the recomputed transitions matrix")
    else:
        report.fail(f"{path.name} differs from the recomputed transitions matrix")
