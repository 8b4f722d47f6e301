"""The short text the command line prints after a run: status, figures, lots and who moves
to whom, in English (default) or Dutch (``--lang nl``)."""

from __future__ import annotations

from allocatie.checker import Evaluation
from allocatie.instance import Instance
from allocatie.solution import Solution
from allocatie.text import console_eur, fmt_eur, plain_int, plain_num

WORDS = {
    "en": {"status": "status", "gap": "gap", "note": "note", "objective": "objective",
           "cost": "cost", "transitions": "transitions", "penalty": "penalty",
           "compactness": "compactness", "bound": "bound", "lot": "lot", "winner": "winner",
           "districts": "districts", "clients": "clients", "switch": "switch",
           "combination": "combination",
           "moves": "who moves to whom (clients; the diagonal stays):",
           "corner": "from / to", "nobody": "no clients with a current provider",
           "bids_expected": "NO BIDS YET: costs are EXPECTED (every current provider at the "
                            "expected tariff), not bid",
           "bids_example": "EXAMPLE BIDS: synthetic bids, not real ones",
           "compactness_price": "compactness costs {extra} per year in cost and switching and "
                                "saves {km} km of lot border (without it: {without}, "
                                "{without_km} km, {status}; with it: {with_}, {with_km} km)",
           "statuses": {}},
    "nl": {"status": "uitkomst", "gap": "gap", "note": "toelichting", "objective": "doelwaarde",
           "cost": "kosten", "transitions": "overstappers", "penalty": "boete",
           "compactness": "compactheid", "bound": "ondergrens", "lot": "perceel",
           "winner": "hoofdaannemer", "districts": "gebieden", "clients": "cliënten",
           "switch": "wissel", "combination": "combinatie",
           "moves": "wie gaat naar wie (cliënten; op de diagonaal blijven ze):",
           "corner": "van / naar", "nobody": "geen cliënten met een huidige aanbieder",
           "bids_expected": "NOG GEEN BIEDINGEN: de kosten zijn VERWACHT (elke zittende "
                            "aanbieder tegen het verwachte tarief), niet geboden",
           "bids_example": "VOORBEELDBIEDINGEN: synthetische biedingen, geen echte",
           "compactness_price": "compactheid kost {extra} per jaar aan kosten en overstappen en "
                                "bespaart {km} km perceelgrens (zonder: {without}, "
                                "{without_km} km, {status}; met: {with_}, {with_km} km)",
           "statuses": {"optimal": "bewezen optimaal", "feasible": "toelaatbaar",
                        "infeasible": "onmogelijk", "no_solution": "geen oplossing"}},
}


def money(value: float | None, lang: str = "en") -> str:
    """``EUR 1,234,567`` (en) or ``€ 1.234.567`` (nl)."""
    return fmt_eur(value, "nl") if lang == "nl" else console_eur(value)


def describe(instance: Instance, solution: Solution, evaluation: Evaluation | None,
             lang: str = "en", quiet: bool = False) -> str:
    """A printable summary of a result in ``lang`` (``en`` or ``nl``)."""
    from allocatie.report.sentences import minimises_objective, status_text
    from allocatie.report.texts import texts

    lang = "nl" if lang == "nl" else "en"
    w = WORDS[lang]
    status = w["statuses"].get(solution.status.value, solution.status.value)
    minimised = minimises_objective(solution)
    if minimised or not solution.status.has_solution:
        head = f"{w['status']}: {status}" + (
            f" ({w['gap']} {solution.gap:.2%})" if solution.gap else "")
    else:  # a rule that does not minimise the objective: its price, as in the report
        text = status_text(solution, instance, texts(lang), lang)
        head = f"{w['status']}: {status}; {text[0].lower()}{text[1:]}"
    seconds = f"{solution.time_s:.1f}".replace(".", "," if lang == "nl" else ".")
    lines = [f"{head}, {seconds} s, {solution.solver}"]
    if solution.message and ("rule" not in solution.details or not solution.status.has_solution):
        message = solution.details.get(f"message_{lang}", solution.message)  # CLI's language
        lines.append(f"{w['note']}: {message}")  # an award's note repeats the status
    relaxation = solution.details.get("relaxation")
    if isinstance(relaxation, dict) and "rule" in solution.details:  # named on every award
        from allocatie.award.relaxation import describe as describe_relaxation

        lines.append(f"{w['note']}: {describe_relaxation(list(relaxation['broken']), lang)}")
    if instance.bids_kind in ("expected", "example"):
        lines.append(w[f"bids_{instance.bids_kind}"])
    if evaluation is None:
        english = solution.details.get("diagnosis_en")
        if lang == "en" and isinstance(english, list):  # the log is in the report's language
            lines += [f"  Diagnosis {i}: {line}" for i, line in enumerate(english, 1)]
        else:
            lines += [f"  {line}" for line in solution.log]
        return "\n".join(lines)
    lines.append(f"{w['objective']} {money(solution.objective, lang)} = {w['cost']} "
                 f"{money(evaluation.cost, lang)} + {plain_int(evaluation.transitions, lang)} "
                 f"{w['transitions']} x {money(instance.rules.transition_cost, lang)}"
                 + (f" + {w['penalty']} {money(evaluation.client_penalty, lang)}"
                    if evaluation.client_penalty else "")
                 + (f" + {w['compactness']} {money(evaluation.compactness_cost, lang)}"
                    if evaluation.compactness_cost else ""))
    if solution.bound is not None and minimised:
        lines.append(f"{w['bound']} {money(solution.bound, lang)}")
    price = solution.details.get("compactness_price")
    if isinstance(price, dict):
        lines.append(w["compactness_price"].format(
            extra=money(price["extra_money"], lang), km=plain_num(price["saved_km"], 1, lang),
            without=money(price["without"]["money"], lang),
            without_km=plain_num(price["without"]["cut_border_km"], 1, lang),
            status=w["statuses"].get(price["without"]["status"], price["without"]["status"]),
            with_=money(price["with"]["money"], lang),
            with_km=plain_num(price["with"]["cut_border_km"], 1, lang)))
    if quiet:
        return "\n".join(lines)
    lines.append(f"{w['lot']:>7}  {w['winner']:<24} {w['districts']:>9} {w['clients']:>8} "
                 f"{w['cost']:>14} {w['switch']:>7}")
    for f in evaluation.lots:
        cost, combination = f.cost, f.combination  # the share by allocatie.lot_shares
        lines.append(f"{f.lot:>7}  {(f.winner or '-'):<24} {len(f.districts):>9} "
                     f"{plain_int(f.clients, lang):>8} {money(cost, lang):>14} "
                     f"{plain_int(f.transitions, lang):>7}"
                     + (f"  ({w['combination']} {combination})" if combination else ""))
    lines.append(transitions_table(evaluation, lang))
    return "\n".join(lines)


def transitions_table(evaluation: Evaluation, lang: str = "en") -> str:
    """Who moves to whom: clients from today's provider (rows) to the new one (columns)."""
    w = WORDS["nl" if lang == "nl" else "en"]
    sources = sorted({s for s, _ in evaluation.matrix})
    targets = sorted({t for _, t in evaluation.matrix})
    if not sources:
        return w["nobody"]
    width = max(12, *(len(t) for t in targets))
    head = f"{w['corner']:<26}" + "".join(f"{t[:width]:>{width + 1}}" for t in targets)
    rows = [w["moves"], head]
    for s in sources:
        cells = "".join(f"{plain_int(evaluation.matrix.get((s, t), 0), lang):>{width + 1}}"
                        for t in targets)
        rows.append(f"{s[:25]:<26}{cells}")
    return "\n".join(rows)
