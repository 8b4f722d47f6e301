"""The tables of a compare run and the files they are written to.

- the scenario table: one row per design x scenario (sorted by design order, then the random
  scenarios by number, then the named ones in SPEC order);
- the design table: per design the spread of cost, transitions and objective over the
  random scenarios that have an award (mean, sd, p5, p50, p95), the chance that a lot gets
  no bid,
  the share of infeasible scenarios, how often the lot cap binds, and a rank (by mean
  objective, ties by p95; designs without any award last), plus the figures that do not
  depend on the scenarios (see :func:`allocatie.compare.candidates.describe`);
- the named table: one row per design x named scenario, with the change against the award
  on the expected bids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocatie.compare.store import write_atomic
from allocatie.compare.tasks import winners_text

SCENARIO_COLUMNS = (
    "design", "kind", "scenario", "scenario_kind", "scenario_name", "status", "cost",
    "transitions", "objective", "distinct_winners", "lot_cap_bound", "lots_without_bid",
    "absent_bidders", "absent", "reason", "solver", "solver_status", "time_s", "error_type",
    "error", "winners", "key", "run_id",
)
NAMED_COLUMNS = (
    "design", "scenario_name", "status", "cost", "transitions", "objective", "cost_change",
    "transitions_change", "absent", "reason", "winners", "error",
)
METRICS = ("cost", "transitions", "objective")
STATS = ("mean", "sd", "p5", "p50", "p95")
NO_AWARD = ("infeasible", "no_solution")
# Columns that vary between runs of the same SPEC (timings, who computed what).
VOLATILE = ("time_s", "run_id", "solver_status")


def scenario_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The scenario table from task records (each with ``design``, ``design_order``,
    ``kind``). Returns a DataFrame with :data:`SCENARIO_COLUMNS`, sorted by design order and
    scenario."""
    frame = pd.DataFrame([dict(r) for r in rows])
    for column in (*SCENARIO_COLUMNS, "design_order"):
        if column not in frame.columns:
            frame[column] = None
    if len(frame):
        frame["winners"] = [w if isinstance(w, str) else
                            winners_text(w) if isinstance(w, Mapping) else ""
                            for w in frame["winners"]]
        frame["absent"] = [a if isinstance(a, str) else "; ".join(a) if isinstance(a, list)
                           else "" for a in frame["absent"]]
        frame["reason"] = [reason_code(r) for r in frame["reason"]]
        frame["scenario_kind"] = frame["scenario_kind"].fillna("random")
        frame["_named"] = frame["scenario_kind"] == "named"
        frame["_order"] = frame.groupby("design_order").cumcount()
        frame = frame.sort_values(["design_order", "_named", "scenario", "_order"],
                                  kind="stable", na_position="last")
    frame = frame[list(SCENARIO_COLUMNS)].reset_index(drop=True)
    frame = frame.astype({"cost": "float64", "objective": "float64", "time_s": "float64"})
    for column in ("transitions", "distinct_winners", "lots_without_bid", "absent_bidders",
                   "scenario"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    frame["lot_cap_bound"] = pd.array(frame["lot_cap_bound"], dtype="boolean")
    for column in ("design", "kind", "scenario_kind", "scenario_name", "status", "absent",
                   "reason", "solver", "solver_status", "error_type", "error", "winners", "key",
                   "run_id"):
        frame[column] = frame[column].astype("string")
    return frame


def reason_code(reason: Any) -> str:
    """A stored no-award reason (:mod:`allocatie.compare.reasons`) as text: ``max_lots``,
    ``no_bid:3,5``; empty without one."""
    if isinstance(reason, str):
        return reason
    if not isinstance(reason, Mapping):
        return ""
    rule = str(reason.get("rule", ""))
    lots = reason.get("lots")
    return f"{rule}:{','.join(str(lot) for lot in lots)}" if lots else rule


def design_table(scenarios: pd.DataFrame, designs: Sequence[Mapping[str, Any]],
                 planned: int) -> pd.DataFrame:
    """The per-design summary. ``designs`` holds, per design in SPEC order, its ``design``,
    ``kind`` and scenario-independent figures; ``planned`` is the scenarios per design.
    Returns one row per design with the statistics, ``pareto`` and ``rank``."""
    rows = []
    for info in designs:
        name = info["design"]
        part = scenarios[(scenarios["design"] == name)
                         & (scenarios["scenario_kind"] != "named")]
        row: dict[str, Any] = dict(info)
        not_error = part[part["status"] != "error"]
        solved = not_error[not_error["objective"].notna()]
        lots = info.get("lots") or 0
        row.update(
            scenarios=planned, done=len(part), errors=int((part["status"] == "error").sum()),
            awarded=len(solved),
            infeasible_share=_share((not_error["status"].isin(NO_AWARD)).sum(), len(not_error)),
            lot_no_bid_chance=_share(not_error["lots_without_bid"].sum(),
                                     lots * len(not_error)),
            cap_bound_share=_share(solved["lot_cap_bound"].sum(), len(solved)),
            winners_mean=_mean(solved["distinct_winners"]),
        )
        for metric in METRICS:
            values = solved[metric].astype("float64").to_numpy()
            row.update(_stats(metric, values))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["pareto"] = pareto_mask(table)
    table.insert(0, "rank", ranks(table))
    return table


def named_table(scenarios: pd.DataFrame, designs: pd.DataFrame,
                named: Sequence[Any]) -> pd.DataFrame:
    """One row per design x named scenario (designs in SPEC order, scenarios in SPEC order),
    with the change of cost and transitions against the award on the expected bids."""
    rows = []
    part = scenarios[scenarios["scenario_kind"] == "named"]
    expected = designs.set_index("design") if len(designs) else designs
    for name in designs["design"] if len(designs) else []:
        mine = part[part["design"] == name].set_index("scenario_name")
        for scenario in named:
            if scenario.name not in mine.index:
                continue
            row = mine.loc[scenario.name]
            record = {c: row.get(c) for c in NAMED_COLUMNS if c in row.index}
            record.update(design=name, scenario_name=scenario.name)
            for metric in ("cost", "transitions"):
                base = expected.loc[name].get(f"expected_{metric}") \
                    if f"expected_{metric}" in expected.columns else None
                value = row.get(metric)
                record[f"{metric}_change"] = (float(value) - float(base)) \
                    if not (pd.isna(value) or base is None or pd.isna(base)) else float("nan")
            rows.append(record)
    frame = pd.DataFrame(rows, columns=list(NAMED_COLUMNS))
    return frame.astype({"cost": "float64", "objective": "float64",
                         "cost_change": "float64", "transitions_change": "float64"})


def _share(count: float, total: float) -> float:
    return float(count) / total if total else float("nan")


def _mean(values: pd.Series) -> float:
    values = values.astype("float64")
    return float(values.mean()) if len(values) else float("nan")


def _stats(metric: str, values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return {f"{metric}_{s}": float("nan") for s in STATS}
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {f"{metric}_mean": float(values.mean()),
            f"{metric}_sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            f"{metric}_p5": float(p5), f"{metric}_p50": float(p50), f"{metric}_p95": float(p95)}


def ranks(table: pd.DataFrame) -> pd.Series:
    """Rank 1 = lowest mean objective, ties broken by the lower p95, then SPEC order; designs
    without an award get no rank; a name that is the same design as an earlier one
    (``same_as``) gets that one's rank."""
    if not len(table):
        return pd.Series([], dtype="Int64")
    same = [v if isinstance(v, str) else "" for v in table["same_as"]] \
        if "same_as" in table.columns else [""] * len(table)
    order = table.assign(_pos=range(len(table)), _same=same)
    order = order[order["_same"] == ""].dropna(subset=["objective_mean"])
    order = order.sort_values(["objective_mean", "objective_p95", "_pos"], kind="stable")
    rank = pd.Series(pd.NA, index=table.index, dtype="Int64")
    rank.loc[order.index] = range(1, len(order) + 1)
    by_name = dict(zip(table["design"], rank, strict=True))
    for i, original in zip(table.index, same, strict=True):
        if original:
            rank.loc[i] = by_name.get(original, pd.NA)
    return rank


def pareto_mask(table: pd.DataFrame) -> pd.Series:
    """True for the designs whose (mean cost, mean transitions) no other design beats in
    both (lower or equal in both, lower in one)."""
    if not len(table):
        return pd.Series([], dtype=bool)
    cost = table["cost_mean"].to_numpy(dtype=float)
    moved = table["transitions_mean"].to_numpy(dtype=float)
    ok = np.isfinite(cost) & np.isfinite(moved)
    mask = []
    for i in range(len(table)):
        if not ok[i]:
            mask.append(False)
            continue
        dominated = ok & (cost <= cost[i]) & (moved <= moved[i]) & (
            (cost < cost[i]) | (moved < moved[i]))
        mask.append(not dominated.any())
    return pd.Series(mask, index=table.index, dtype=bool)


# --------------------------------------------------------------------------- files
def write_tables(out_dir: Path, scenarios: pd.DataFrame, designs: pd.DataFrame,
                 named: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write ``scenarios.csv``, ``scenarios.parquet``, ``designs.csv`` and ``named.csv``
    (machine-readable, English column names) atomically. Returns the paths by name. The
    workbook for people is :mod:`allocatie.compare.workbook`."""
    paths = {name: out_dir / name for name in ("scenarios.csv", "scenarios.parquet",
                                               "designs.csv", "named.csv")}
    write_atomic(paths["scenarios.csv"], lambda p: scenarios.to_csv(p, index=False))
    write_atomic(paths["scenarios.parquet"], lambda p: scenarios.to_parquet(p, index=False))
    write_atomic(paths["designs.csv"], lambda p: designs.to_csv(p, index=False))
    table = named if named is not None else pd.DataFrame(columns=list(NAMED_COLUMNS))
    write_atomic(paths["named.csv"], lambda p: table.to_csv(p, index=False))
    return paths
