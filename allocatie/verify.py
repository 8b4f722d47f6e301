"""``allocatie check``: verify a whole results folder against the instance, with the checker.

Every file is read as a user may have left it (CSV re-saved by Dutch Excel with ``;`` and a
BOM is fine; a damaged file is a named violation, never a traceback) and checked against the
instance and against the other files:

- ``summary.json``: readable; status one of the spec's; objective, cost, transitions,
  transition cost and penalty equal to the ones recomputed from the design; one lot entry per
  lot with the same winner, districts, clients, cost (a winning combination bid's price split
  over its lots by :mod:`allocatie.lot_shares`), transitions and combination;
  ``feasible_by_checker`` and ``violations`` as recomputed; the bound not above the
  objective, ``optimal`` only with a bound that proves it, the gap equal to
  (objective - bound) / objective; under an award rule that does not minimise the
  objective no bound, no gap, not ``optimal``, and a price of the rule that adds up; the
  instance's name;
- ``assignment.csv``: every row (known district, once, a lot, one winner per lot); the design
  keeps every rule (:func:`allocatie.checker.evaluate`);
- ``transitions.csv`` and ``transitions_per_lot.csv``: equal to the recomputed matrices;
- ``lots.geojson``: present when the instance has geometry, one feature per lot with the same
  winner, clients, cost (the same per-lot share), transitions and combination;
- ``.allocatie-manifest``: every file it lists is present.

A folder with status ``infeasible`` and a design (``evaluate`` of a design that breaks rules,
or a result the checker rejected when it was written) is accepted when the design really does
break the rules it lists: that is an infeasible result reported honestly.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from allocatie.checker import Evaluation, Violation, evaluate, objectives_match
from allocatie.errors import Problem
from allocatie.instance import Instance
from allocatie.io.outfolder import MANIFEST, file_digest, is_staging_folder
from allocatie.io.tables import read_table
from allocatie.text import natural_key

SUMMARY = "summary.json"
ASSIGNMENT = "assignment.csv"
TRANSITIONS = "transitions.csv"
TRANSITIONS_PER_LOT = "transitions_per_lot.csv"
LOTS_GEOJSON = "lots.geojson"
STATUSES = ("optimal", "feasible", "infeasible", "no_solution")
WORKBOOK = "resultaat.xlsx"
CONTENT_CHECKED = frozenset({SUMMARY, ASSIGNMENT, TRANSITIONS, TRANSITIONS_PER_LOT, LOTS_GEOJSON,
                             WORKBOOK})
OPTIMAL_GAP = 1e-4  # "optimal" needs a bound within this relative gap (or the run's mip gap)


@dataclass
class CheckReport:
    """The verdict on a results folder: every violation found, and printable lines."""

    violations: list[Violation] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def fail(self, rule: str, message: str, file: str | None = None,
             lots: tuple[str, ...] = (), districts: tuple[str, ...] = ()) -> None:
        self.add(Violation(rule, message, lots=lots, districts=districts, file=file))

    def add(self, violation: Violation) -> None:
        self.violations.append(violation)
        self.lines.append(f"FAIL [{violation.rule}] {violation}")

    def good(self, line: str) -> None:
        self.lines.append(f"ok   {line}")

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def check_results_folder(instance: Instance, folder: str | Path) -> CheckReport:
    """Check every file of a results folder against the instance and each other."""
    folder = Path(folder)
    report = CheckReport()
    if not folder.is_dir():
        report.fail("results_folder", f"{folder} is not a folder")
        return report
    if is_staging_folder(folder):
        report.fail("results_folder", f"{folder} is a staging folder of a run that was killed "
                    "or is still running, not a results folder; run the command again")
        return report
    summary = _read_summary(folder, report)
    _check_manifest(folder, report)
    if summary is None:
        return report
    status = summary.get("status")
    if status not in STATUSES:
        report.fail("status", f"status {status!r}; expected one of {', '.join(STATUSES)}",
                    file=SUMMARY)
        return report
    if summary.get("instance") not in (None, instance.name):
        report.fail("instance", f"written for instance {summary.get('instance')!r}, not "
                    f"{instance.name!r}", file=SUMMARY)
    instance = _apply_relaxation(instance, folder, summary, report)
    design = _read_assignment(folder, instance, report)
    if design is None:
        if status in ("optimal", "feasible"):
            report.fail("file_missing", f"status {status} but there is no {ASSIGNMENT}",
                        file=ASSIGNMENT)
        else:
            for name in (TRANSITIONS, TRANSITIONS_PER_LOT, LOTS_GEOJSON):
                if (folder / name).exists():
                    report.fail("status", f"status {status} and no design, but {name} is "
                                "there", file=name)
            if summary.get("lots"):
                report.fail("summary_lots", f"status {status} and no design, but lot entries",
                            file=SUMMARY)
            if report.ok:
                report.good(f"status {status!r} and no design, as it should be")
        return report
    assignment, winners = design
    pricing = summary.get("pricing", "district")
    combinations = summary.get("combinations") or []
    if pricing not in ("district", "lot_bids") or not isinstance(combinations, list) or not all(
            isinstance(c, str) for c in combinations):
        report.fail("summary_field", f"pricing {pricing!r} / combinations {combinations!r} "
                    "unreadable", file=SUMMARY)
        return report
    result = evaluate(instance, assignment, winners, pricing, tuple(combinations))
    _check_rules(status, summary, result, report)
    _check_figures(summary, result, report)
    _check_lot_entries(summary, result, report)
    _check_bound(summary, status, result, report)
    _check_award_rule(summary, status, result, report)
    _check_matrix(folder, result, report)
    _check_matrix_per_lot(folder, result, report)
    _check_geojson(folder, instance, result, report)
    _check_workbook(folder, instance, assignment, winners, report)
    return report


# Rules the command line can change (design --lots, award --max-lots-per-bidder, ...).
COMMAND_LINE_RULES = ("lots_min", "lots_max", "max_lots_per_bidder", "transition_cost",
                      "contiguity")


def recorded_rule_changes(instance: Instance, folder: str | Path,
                          ) -> tuple[dict[str, object], list[str]]:
    """The command-line rules recorded in ``summary.json`` that differ from the instance's
    (``check`` checks under them and says so), and the recorded values that are not valid
    rules; both empty when the summary is unreadable (that is reported elsewhere)."""
    try:
        rules = json.loads((Path(folder) / SUMMARY).read_text(encoding="utf-8-sig"))["rules"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return {}, []
    if not isinstance(rules, dict):
        return {}, [f"'rules' is {rules!r}, not a table of rules"]
    changes: dict[str, object] = {}
    bad = []
    for key in COMMAND_LINE_RULES:
        value = rules.get(key)
        if value is None or value == getattr(instance.rules, key):
            continue
        if key == "contiguity":
            valid = value in ("rook", "queen", "none")
        elif key == "transition_cost":
            valid = isinstance(value, int | float) and not isinstance(value, bool) and \
                math.isfinite(value) and value >= 0
        else:
            valid = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        if valid:
            changes[key] = value
        else:
            bad.append(f"rules.{key} is {value!r}, not a valid value")
    return changes, bad


def _apply_relaxation(instance: Instance, folder: Path, summary: dict,
                      report: CheckReport) -> Instance:
    """The instance under the rule relaxation the summary records, when it may apply: only
    ``accept-fixed-lots``, only for an award of exactly the published lots."""
    from allocatie.award.relaxation import ACCEPT_FIXED_LOTS, accept_fixed_lots

    relaxation = summary.get("relaxation")
    if relaxation is None:
        return instance
    name = relaxation.get("name") if isinstance(relaxation, dict) else relaxation
    if name != ACCEPT_FIXED_LOTS:
        report.fail("relaxation", f"unknown rule relaxation {name!r}", file=SUMMARY)
        return instance
    design = _read_assignment(folder, instance, CheckReport())
    published = dict(instance.lots or {})
    if summary.get("command") != "award" or design is None or design[0] != published:
        report.fail("relaxation", f"{ACCEPT_FIXED_LOTS} covers only an award of the published "
                    "lots (lots.csv), and this folder holds another design or command",
                    file=SUMMARY)
        return instance
    report.good(f"awarded under the rule relaxation {ACCEPT_FIXED_LOTS}: the published lots "
                "as they are, with the lot count, contiguity and client bounds lifted")
    return accept_fixed_lots(instance)


# --------------------------------------------------------------------------- readers
def _read_summary(folder: Path, report: CheckReport) -> dict | None:
    path = folder / SUMMARY
    if not path.is_file():
        report.fail("file_missing", f"{SUMMARY} not found: is {folder} a results folder?",
                    file=SUMMARY)
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        report.fail("file_unreadable", f"not valid JSON ({_short(error)})", file=SUMMARY)
        return None
    if not isinstance(data, dict):
        report.fail("file_unreadable", "not a JSON object", file=SUMMARY)
        return None
    return data


def _check_manifest(folder: Path, report: CheckReport) -> None:
    """Every file the manifest lists is there, and unchanged unless ``check`` reads its content
    (those may be re-saved, e.g. by Excel, and are checked by content instead)."""
    path = folder / MANIFEST
    if not path.exists():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = [str(f) for f in data["files"]]
        digests = data.get("sha256") or {}
        if not isinstance(digests, dict):
            raise TypeError("sha256 is not a table")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        report.fail("file_unreadable", f"unreadable ({_short(error)})", file=MANIFEST)
        return
    changed = []
    for name in files:
        target = folder / name
        if name == MANIFEST or "/" in name or "\\" in name:
            continue
        if not target.is_file():
            report.fail("file_missing", f"{name} was written by allocatie and is gone",
                        file=name)
        elif name in digests and digests[name] != file_digest(target):
            if name in CONTENT_CHECKED:
                changed.append(name)
            else:
                report.fail("file_changed", f"{name} differs from the file allocatie wrote "
                            "(its SHA-256 in the manifest)", file=name)
    if changed:
        report.good(f"changed since written, so checked by content: {', '.join(changed)}")


def _problem_text(problem: Problem) -> str:
    """A reading problem without its file name (the violation names the file)."""
    text = f"row {problem.row}: {problem.message}" if problem.row else problem.message
    return f"{text} ({problem.hint})" if problem.hint else text


def _short(error: Exception) -> str:
    """An error named without the file's content (a decode error carries all of it)."""
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start})"
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    return f"{type(error).__name__}: {str(error)[:80]}"


def _read_assignment(folder: Path, instance: Instance, report: CheckReport,
                     ) -> tuple[dict[str, str], dict[str, str]] | None:
    path = folder / ASSIGNMENT
    if not path.exists():
        return None
    table = read_table(path, ["district_id", "lot"], ["winner"])
    for problem in table.problems:
        report.fail("file_unreadable", _problem_text(problem), file=ASSIGNMENT)
    assignment: dict[str, str] = {}
    winners: dict[str, str] = {}
    known = set(instance.district_ids)
    for row in table:
        d, lot, winner = row.get("district_id", ""), row.get("lot", ""), row.get("winner", "")
        where = f"row {row.number}: "
        if d not in known:
            report.fail("known_districts", f"{where}unknown district {d!r}", file=ASSIGNMENT,
                        districts=(d,))
            continue
        if d in assignment:
            report.fail("duplicate_district", f"{where}district {d} appears twice",
                        file=ASSIGNMENT, districts=(d,))
            continue
        assignment[d] = lot
        if lot and winner and winners.setdefault(lot, winner) != winner:
            report.fail("one_winner_per_lot", f"{where}district {d} of lot {lot} names winner "
                        f"{winner}, another row {winners[lot]}", file=ASSIGNMENT, lots=(lot,),
                        districts=(d,))
    return assignment, winners


# --------------------------------------------------------------------------- checks
def _check_rules(status: str, summary: dict, result: Evaluation, report: CheckReport) -> None:
    claimed = _claimed_violations(summary.get("violations"))
    if status in ("optimal", "feasible"):
        for violation in result.violations:
            report.add(violation)
        if result.feasible:
            report.good(f"design is feasible: {len(result.lots)} lots, every rule kept")
    elif result.feasible:
        report.fail("status", f"status {status} but the design keeps every rule",
                    file=SUMMARY)
    else:
        report.good(f"an infeasible result, reported honestly: the design breaks "
                    f"{len(result.violations)} rule(s), as {SUMMARY} says")
    if summary.get("feasible_by_checker") is not result.feasible:
        report.fail("summary_verdict", f"feasible_by_checker is "
                    f"{summary.get('feasible_by_checker')!r}, recomputed {result.feasible}",
                    file=SUMMARY)
    if claimed is None or sorted(claimed) != sorted(result.messages):
        report.fail("summary_verdict", f"the violations listed ({len(claimed or [])}) are not "
                    f"the recomputed ones ({len(result.violations)})", file=SUMMARY)


def _claimed_violations(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    out = []
    for v in value:
        if isinstance(v, dict) and isinstance(v.get("message"), str):
            out.append(v["message"] if not v.get("file") else f"{v['file']}: {v['message']}")
        elif isinstance(v, str):
            out.append(v)
        else:
            return None
    return out


def _number(summary: dict, key: str, report: CheckReport, file: str = SUMMARY,
            where: str = "") -> float | None:
    value = summary.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        report.fail("summary_field", f"{where}{key!r} is {value!r}, not a number", file=file)
        return None
    return float(value)


def _check_figures(summary: dict, result: Evaluation, report: CheckReport) -> None:
    for key, recomputed in (("objective", result.objective), ("cost", result.cost),
                            ("transitions", result.transitions),
                            ("transition_cost", result.transition_cost),
                            ("client_penalty", result.client_penalty)):
        if key not in summary and key in ("transition_cost", "client_penalty"):
            continue
        claimed = _number(summary, key, report)
        if claimed is None or not objectives_match(claimed, float(recomputed)):
            report.fail(key, f"{key}: {SUMMARY} says {summary.get(key)!r}, recomputed "
                        f"{recomputed:,.2f}", file=SUMMARY)
        else:
            report.good(f"{key} {recomputed:,.2f} recomputed and equal")


def _check_lot_entries(summary: dict, result: Evaluation, report: CheckReport) -> None:
    entries = summary.get("lots")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        report.fail("summary_lots", f"'lots' is {type(entries).__name__}, not a list of lot "
                    "entries", file=SUMMARY)
        return
    seen = Counter(str(e.get("lot")) for e in entries)
    for lot, n in seen.items():
        if n > 1:
            report.fail("summary_lots", f"lot {lot} has {n} entries", file=SUMMARY, lots=(lot,))
    by_lot = {str(e.get("lot")): e for e in entries}
    bad = 0
    for figures in result.lots:
        entry = by_lot.pop(figures.lot, None)
        if entry is None:
            report.fail("summary_lots", f"lot {figures.lot} has no entry", file=SUMMARY,
                        lots=(figures.lot,))
            bad += 1
            continue
        wrong = []
        if entry.get("winner") != figures.winner:
            wrong.append(f"winner {entry.get('winner')!r} (design: {figures.winner!r})")
        districts = entry.get("districts")
        if not isinstance(districts, list) or sorted(map(str, districts)) != sorted(
                figures.districts):
            wrong.append("other districts than the design")
        for key, value in (("clients", figures.clients), ("cost", figures.cost),
                           ("transitions", figures.transitions)):
            claimed = _number(entry, key, report, where=f"lot {figures.lot}: ")
            if claimed is None or not objectives_match(claimed, float(value)):
                wrong.append(f"{key} {entry.get(key)!r} (recomputed {value:,.2f})")
        combination = entry.get("combination")
        claimed_id = combination.get("id") if isinstance(combination, dict) else combination
        if (claimed_id or "") != figures.combination:
            wrong.append(f"combination {claimed_id!r} (design: {figures.combination or None!r})")
        if wrong:
            bad += 1
            report.fail("summary_lots", f"lot {figures.lot}: " + "; ".join(wrong),
                        file=SUMMARY, lots=(figures.lot,))
    for lot in sorted(by_lot, key=natural_key):
        report.fail("summary_lots", f"an entry for lot {lot}, which the design does not have",
                    file=SUMMARY, lots=(lot,))
    if not bad and not by_lot:
        report.good(f"{len(result.lots)} lot entries equal to the design")


def _check_award_rule(summary: dict, status: str, result: Evaluation,
                      report: CheckReport) -> None:
    """An award rule that does not minimise the objective (any rule but ``optimal`` on
    price) claims no bound, no gap and not ``optimal``; its ``award_rule`` entry names the
    rule and a price of the rule that adds up with the recomputed objective."""
    details = summary.get("details")
    rule = details.get("rule") if isinstance(details, dict) else None
    if rule is None:
        return
    criterion = details.get("criterion", "price")
    if rule == "optimal" and criterion == "price":
        return
    entry = summary.get("award_rule")
    where = f"rule {rule} ({criterion}) does not minimise the objective"
    if not isinstance(entry, dict) or entry.get("rule") != rule:
        report.fail("award_rule", f"{where}, but 'award_rule' does not name it", file=SUMMARY)
        return
    if status == "optimal" or summary.get("bound") is not None or summary.get("gap") is not None:
        report.fail("award_rule", f"{where}, but the summary claims status {status}, bound "
                    f"{summary.get('bound')!r}, gap {summary.get('gap')!r}", file=SUMMARY)
    price = entry.get("price_of_rule")
    if price is None:
        return
    try:
        own, cheapest = float(price["rule_objective"]), float(price["optimal_objective"])
        extra, pct = float(price["objective"]), float(price["objective_pct"])
    except (KeyError, TypeError, ValueError):
        report.fail("award_rule", f"price_of_rule {price!r} unreadable", file=SUMMARY)
        return
    if (not objectives_match(own, result.objective) or not objectives_match(extra, own - cheapest)
            or abs(pct - extra / max(abs(cheapest), 1e-9)) > 1e-6):
        report.fail("award_rule", f"price_of_rule {extra:,.2f} ({pct:.4%}) does not add up: "
                    f"objective {result.objective:,.2f} recomputed, cheapest award "
                    f"{cheapest:,.2f}", file=SUMMARY)
    else:
        report.good(f"award rule {rule}: no bound or gap claimed; price of the rule "
                    f"{extra:,.2f} adds up")


def _check_bound(summary: dict, status: str, result: Evaluation, report: CheckReport) -> None:
    objective = result.objective
    bound = _number(summary, "bound", report)
    gap = _number(summary, "gap", report)
    scale = max(abs(objective), 1e-9)
    if bound is not None and bound > objective + max(0.01, 1e-6 * abs(objective)):
        report.fail("bound", f"bound {bound:,.2f} lies above the objective {objective:,.2f}",
                    file=SUMMARY)
        return
    if status == "optimal":
        allowed = max(OPTIMAL_GAP, _number(summary, "mip_gap", report) or 0.0)
        if bound is None:
            report.fail("bound", "status optimal without a bound that proves it", file=SUMMARY)
        elif (objective - bound) / scale > allowed + 1e-9:
            report.fail("bound", f"status optimal, but the bound {bound:,.2f} is "
                        f"{(objective - bound) / scale:.2%} below the objective", file=SUMMARY)
        if gap not in (None, 0.0):
            report.fail("gap", f"status optimal with gap {gap}", file=SUMMARY)
    elif gap is not None:
        if bound is None:
            report.fail("gap", f"gap {gap} without a bound", file=SUMMARY)
        elif abs(gap - max(0.0, (objective - bound) / scale)) > 1e-6:
            report.fail("gap", f"gap {gap:.6f}, but (objective - bound) / objective = "
                        f"{(objective - bound) / scale:.6f}", file=SUMMARY)
    if bound is not None and not any(v.rule in ("bound", "gap") for v in report.violations):
        report.good(f"bound {bound:,.2f} and gap consistent with status {status}")


def _read_rows(path: Path, columns: list[str], report: CheckReport) -> list[dict] | None:
    if not path.exists():
        report.fail("file_missing", f"{path.name} is missing", file=path.name)
        return None
    table = read_table(path, columns)
    if table.problems:
        for problem in table.problems:
            report.fail("file_unreadable", _problem_text(problem), file=path.name)
        return None
    return list(table)


def _count(row: dict, path: Path, report: CheckReport) -> int | None:
    text = row.get("clients", "").replace(".", "").replace(" ", "")
    if not text.isdigit():
        report.fail("file_unreadable", f"row {row.number}: clients {row.get('clients')!r} is "
                    "not a whole number", file=path.name)
        return None
    if (row.get("switch") or "").lower() != ("yes" if row["from_provider"] != row["to_provider"]
                                             else "no"):
        report.fail("switch", f"row {row.number}: switch {row.get('switch')!r} for "
                    f"{row['from_provider']} -> {row['to_provider']}", file=path.name)
    return int(text)


def _check_matrix(folder: Path, result: Evaluation, report: CheckReport) -> None:
    path = folder / TRANSITIONS
    rows = _read_rows(path, ["from_provider", "to_provider", "clients", "switch"], report)
    if rows is None:
        return
    claimed: Counter[tuple[str, str]] = Counter()
    for row in rows:
        n = _count(row, path, report)
        if n is not None:
            claimed[(row["from_provider"], row["to_provider"])] += n
    if dict(claimed) == {k: v for k, v in result.matrix.items() if v}:
        report.good(f"{TRANSITIONS} matches the recomputed transitions matrix")
    else:
        report.fail("transitions", "differs from the recomputed transitions matrix",
                    file=TRANSITIONS)


def _check_matrix_per_lot(folder: Path, result: Evaluation, report: CheckReport) -> None:
    path = folder / TRANSITIONS_PER_LOT
    rows = _read_rows(path, ["lot", "from_provider", "to_provider", "clients", "switch"], report)
    if rows is None:
        return
    claimed: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        n = _count(row, path, report)
        if n is not None:
            claimed[(row["lot"], row["from_provider"], row["to_provider"])] += n
    recomputed = {(lot, s, t): n for lot, m in result.matrix_per_lot.items()
                  for (s, t), n in m.items() if n}
    differ = sorted({k[0] for k in set(claimed) | set(recomputed)
                     if claimed.get(k) != recomputed.get(k)}, key=natural_key)
    if differ:
        report.fail("transitions_per_lot", f"differs from the recomputed matrix in lot(s) "
                    f"{', '.join(differ)}", file=TRANSITIONS_PER_LOT, lots=tuple(differ))
    else:
        report.good(f"{TRANSITIONS_PER_LOT} matches the recomputed matrix of every lot")


def _check_geojson(folder: Path, instance: Instance, result: Evaluation,
                   report: CheckReport) -> None:
    path = folder / LOTS_GEOJSON
    if not path.exists():
        if instance.folder is not None and instance.files.get("districts"):
            report.fail("file_missing", f"{LOTS_GEOJSON} is missing", file=LOTS_GEOJSON)
        return
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        props = {str(f["properties"]["lot"]): (f["properties"], f.get("geometry"))
                 for f in features}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        report.fail("file_unreadable", f"not a lots GeoJSON ({_short(error)})",
                    file=LOTS_GEOJSON)
        return
    wrong = sorted(set(props) ^ {f.lot for f in result.lots}, key=natural_key)
    for f in result.lots:
        if f.lot not in props:
            continue
        p, geometry = props[f.lot]
        if (p.get("winner") != f.winner or p.get("clients") != f.clients
                or (p.get("combination") or "") != f.combination
                or p.get("transitions") != f.transitions
                or not isinstance(p.get("cost"), int | float)
                or not objectives_match(float(p["cost"]), f.cost)
                or not isinstance(geometry, dict)
                or geometry.get("type") not in ("Polygon", "MultiPolygon")):
            wrong.append(f.lot)
    if len(features) != len(props):
        report.fail("lots_geojson", "two features for one lot", file=LOTS_GEOJSON)
    if wrong:
        report.fail("lots_geojson", f"lot(s) {', '.join(wrong)} differ from the design",
                    file=LOTS_GEOJSON, lots=tuple(wrong))
    else:
        report.good(f"{LOTS_GEOJSON}: one polygon per lot, figures equal to the design")


def _check_workbook(folder: Path, instance: Instance, assignment: dict[str, str],
                    winners: dict[str, str], report: CheckReport) -> None:
    """The districts sheet of resultaat.xlsx names the same lot and winner per district."""
    from allocatie.io.design_file import design_table

    path = folder / WORKBOOK
    if not path.exists():
        return
    table = design_table(path, instance)
    for problem in table.problems:
        report.fail("file_unreadable", _problem_text(problem), file=WORKBOOK)
    if table.problems:
        return
    differ = sorted({row["district_id"] for row in table
                     if assignment.get(row["district_id"]) != row["lot"]
                     or winners.get(row["lot"], "") != row["winner"]}
                    | (set(assignment) - {row["district_id"] for row in table}),
                    key=natural_key)
    if differ:
        report.fail("workbook", f"the districts sheet differs from {ASSIGNMENT} for "
                    f"{', '.join(differ[:10])}", file=WORKBOOK, districts=tuple(differ))
    else:
        report.good(f"{WORKBOOK}: every district in the lot and with the winner of the design")
