"""The short text the command line prints after a run: status, figures, lots and who moves
to whom."""

from __future__ import annotations

from allocatie.checker import Evaluation
from allocatie.instance import Instance
from allocatie.solution import Solution


def money(value: float | None) -> str:
    return "-" if value is None else f"EUR {value:,.0f}"


def describe(instance: Instance, solution: Solution, evaluation: Evaluation | None,
             lang: str = "en", quiet: bool = False) -> str:
    """A printable summary of a result (English; the reports carry Dutch)."""
    lines = [f"status: {solution.status.value}"
             + (f" (gap {solution.gap:.2%})" if solution.gap else "")
             + f", {solution.time_s:.1f} s, {solution.solver}"]
    if solution.message:
        lines.append(f"note: {solution.message}")
    if instance.bids_kind == "expected":
        lines.append("NO BIDS YET: costs are EXPECTED (every current provider at the expected "
                     "tariff), not bid")
    elif instance.bids_kind == "example":
        lines.append("EXAMPLE BIDS: synthetic bids, not real ones")
    if evaluation is None:
        lines += [f"  {line}" for line in solution.log]
        return "\n".join(lines)
    lines.append(f"objective {money(solution.objective)} = cost {money(evaluation.cost)} + "
                 f"{evaluation.transitions:,} transitions x "
                 f"{money(instance.rules.transition_cost)}"
                 + (f" + penalty {money(evaluation.client_penalty)}"
                    if evaluation.client_penalty else "")
                 + (f" + compactness {money(evaluation.compactness_cost)}"
                    if evaluation.compactness_cost else ""))
    if solution.bound is not None:
        lines.append(f"bound {money(solution.bound)}")
    price = solution.details.get("compactness_price")
    if isinstance(price, dict):
        lines.append(
            f"compactness costs {money(price['extra_money'])} per year in cost and switching "
            f"and saves {price['saved_km']:,.1f} km of lot border (without it: "
            f"{money(price['without']['money'])}, {price['without']['cut_border_km']:,.1f} km, "
            f"{price['without']['status']}; with it: {money(price['with']['money'])}, "
            f"{price['with']['cut_border_km']:,.1f} km)")
    if quiet:
        return "\n".join(lines)
    lines.append(f"{'lot':>5}  {'winner':<24} {'districts':>9} {'clients':>8} "
                 f"{'cost':>14} {'switch':>7}")
    for f in evaluation.lots:
        lines.append(f"{f.lot:>5}  {(f.winner or '-'):<24} {len(f.districts):>9} "
                     f"{f.clients:>8,} {money(f.cost):>14} {f.transitions:>7,}")
    lines.append(transitions_table(evaluation))
    return "\n".join(lines)


def transitions_table(evaluation: Evaluation) -> str:
    """Who moves to whom: clients from today's provider (rows) to the new one (columns)."""
    sources = sorted({s for s, _ in evaluation.matrix})
    targets = sorted({t for _, t in evaluation.matrix})
    if not sources:
        return "no clients with a current provider"
    width = max(12, *(len(t) for t in targets))
    corner = "from / to"
    head = f"{corner:<26}" + "".join(f"{t[:width]:>{width + 1}}" for t in targets)
    rows = ["who moves to whom (clients; the diagonal stays):", head]
    for s in sources:
        cells = "".join(f"{evaluation.matrix.get((s, t), 0):>{width + 1},}" for t in targets)
        rows.append(f"{s[:25]:<26}{cells}")
    return "\n".join(rows)
