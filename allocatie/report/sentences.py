"""The sentences of a report that follow from the solution alone: the status, the award rule,
the price of a rule, the solver line, the solver's notes and the diagnosis of a failure."""

from __future__ import annotations

import re
from collections.abc import Mapping

from allocatie.checker import Evaluation
from allocatie.instance import Instance
from allocatie.solution import Solution
from allocatie.status import Status
from allocatie.text import fmt_eur, fmt_num, fmt_pct

# Paul Tol's "light" scheme: pale, colour-blind safe fills that keep black labels readable;
# ordered so that the first colours differ most.


# --------------------------------------------------------------------------- words
def district_words(instance: Instance, t: Mapping[str, str]) -> tuple[str, str]:
    """("Wijk", "Wijken") for CBS wijk codes, ("Buurt", "Buurten") for buurt codes, else the
    generic word."""
    ids = instance.district_ids
    if ids and all(i.upper().startswith("WK") for i in ids):
        return t["district_wk"], t["districts_wk"]
    if ids and all(i.upper().startswith("BU") for i in ids):
        return t["district_bu"], t["districts_bu"]
    return t["district"], t["districts"]


def objective_label(t: Mapping[str, str], ev: Evaluation, minimised: bool) -> str:
    """The objective's label, naming every part it sums (penalty, compactness when set)."""
    extra = "".join(t[key] for key, value in (("a_plus_penalty", ev.client_penalty),
                                               ("a_plus_compactness", ev.compactness_cost))
                    if value)
    return t["a_objective" if minimised else "a_objective_rule"].format(extra=extra)


def minimises_objective(solution: Solution) -> bool:
    """Whether the run minimised the objective (cost + transition cost): every design, and
    an award under rule optimal on price. Other award rules (by lot, by preference, or the
    highest price-quality score) do not, so a bound and gap do not describe them; their one
    figure is the price of the rule (how much more they cost than the cheapest award)."""
    details = solution.details
    if "rule" not in details:
        return True
    return details.get("rule") == "optimal" and details.get("criterion", "price") == "price"


def rule_label(details: Mapping[str, object], t: Mapping[str, str]) -> str:
    """The award rule in the report's language ("per perceel, grootste perceel eerst")."""
    rule = str(details.get("rule"))
    if rule == "optimal" and details.get("criterion") == "price_quality":
        return t["rule_optimal_quality"]
    return t.get(f"rule_{rule}", rule)


def price_of_rule_text(solution: Solution, t: Mapping[str, str], lang: str) -> str | None:
    """How much more the rule's award costs than the cheapest award (cost + transition cost,
    the audit log's figure: difference / cheapest), or None when unknown."""
    price = solution.details.get("price_of_rule")
    if not isinstance(price, Mapping):
        return None
    if abs(float(price["objective"])) < 0.005:
        return t["rule_price_none"]
    word = t["rule_price_more"] if price["objective"] >= 0 else t["rule_price_less"]
    return word.format(amount=fmt_eur(abs(float(price["objective"])), lang),
                       pct=fmt_pct(abs(float(price["objective_pct"])), lang, 2),
                       optimal=fmt_eur(float(price["optimal_objective"]), lang))


def status_text(solution: Solution, instance: Instance, t: Mapping[str, str], lang: str) -> str:
    """The outcome in words: proven optimal, feasible with its gap, impossible, or none; for
    an award rule that does not minimise the objective, the rule, its own proof and the
    price of the rule (the same figure as the audit log)."""
    status = solution.status
    if status.has_solution and not minimises_objective(solution):
        details = solution.details
        proof = t["status_rule_proof"] if details.get("score_status") == "optimal" else ""
        text = t["status_rule"].format(rule=rule_label(details, t), proof=proof)
        price = price_of_rule_text(solution, t, lang)
        return f"{text}; {price}" if price else text
    if status is Status.OPTIMAL:
        requested = instance.solver.mip_gap
        if requested > 0 and solution.bound is not None and solution.objective is not None:
            return t["status_optimal_gap"].format(gap=fmt_pct(requested, lang))
        return t["status_optimal"]
    if status is Status.FEASIBLE:
        gap = solution.gap
        if gap is None:
            return t["status_feasible_nogap"]
        return t["status_feasible"].format(gap=fmt_pct(gap, lang))
    if status is Status.INFEASIBLE:
        return t["status_infeasible"]
    return t["status_no_solution"].format(limit=fmt_num(instance.solver.time_limit_s, lang, 0))


def solver_text(solution: Solution, t: Mapping[str, str]) -> str:
    """The solver in the report's language: an award rule's "rule X; optimal by S" becomes
    "regel <label>; goedkoopste gunning berekend met S"."""
    match = re.fullmatch(r"rule (\S+); optimal by (.+)", solution.solver)
    if match is None:
        return solution.solver
    return t["a_solver_rule"].format(rule=rule_label(solution.details, t),
                                     solver=match.group(2))


# English notes of the design pipeline, in Dutch (other notes are English-only details)
_DUTCH_NOTES = (
    (re.compile(r"lot-level rules \((.*)\) are relaxed in the territory bound"),
     r"de ondergrens laat de regels per perceel (\1) buiten beschouwing"),
    (re.compile(r"the territories of the territory model could not be cut into lots that "
                r"meet the lot-level rules"),
     "de gebieden van het gebiedsmodel konden niet worden verdeeld in percelen die aan de "
     "regels per perceel voldoen"),
)


# The names of design/run.py's lot_level_rules, in Dutch
_DUTCH_RULE_NAMES = {
    "client bounds per lot": "cliëntgrenzen per perceel",
    "compactness weight": "weging van compactheid",
    "pinned districts": "vastgezette gebieden",
    "cap on districts that change area": "maximum aantal gebieden dat van gebied wisselt",
}


def _dutch_note(pattern: re.Pattern[str], dutch: str, part: str) -> str:
    text = pattern.sub(dutch, part)
    for english, name in _DUTCH_RULE_NAMES.items():
        text = text.replace(english, name)
    return text


def message_text(solution: Solution, lang: str) -> str | None:
    """The solver's note in the report's language, or None. Award notes repeat the status
    and the audit log, so they are left out; English design notes are translated when
    known and left out of a Dutch report otherwise (they stay in summary.json)."""
    if not solution.message or "rule" in solution.details:
        return None
    if lang == "en":
        return solution.message
    parts = []
    for part in solution.message.split("; "):
        for pattern, dutch in _DUTCH_NOTES:
            if pattern.fullmatch(part):
                parts.append(_dutch_note(pattern, dutch, part))
                break
    return "; ".join(parts) or None



def diagnosis_lines(solution: Solution) -> tuple[str, ...]:
    """The solver's message and the diagnosis lines of an award (``details['diagnosis']``)."""
    lines = [solution.message] if solution.message else []
    found = solution.details.get("diagnosis")
    if isinstance(found, list | tuple):
        lines += [str(line) for line in found if str(line) not in lines]
    return tuple(lines)
