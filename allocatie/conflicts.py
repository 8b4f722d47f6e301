"""Rule conflicts as a result: the infeasible :class:`~allocatie.solution.Solution` written
to the results folder when the rules of an instance cannot all be met (the loader's
:class:`~allocatie.errors.RuleConflict`), with the diagnosis."""

from __future__ import annotations

from allocatie.errors import RuleConflict
from allocatie.solution import Solution
from allocatie.status import Status


def conflict_solution(conflict: RuleConflict, lang: str = "nl") -> Solution:
    """Status infeasible, the conflicts as the diagnosis (``details.diagnosis``, the log)."""
    lines = [str(p) for p in conflict.problems]
    messages = {"nl": f"de regels zijn met elkaar in strijd ({len(lines)} gevonden): zie de "
                      "diagnose",
                "en": f"the rules conflict ({len(lines)} found): see the diagnosis"}
    lang = "nl" if lang == "nl" else "en"
    word = "Diagnose" if lang == "nl" else "Diagnosis"
    return Solution(Status.INFEASIBLE, solver="rule check (before solving)",
                    message=messages[lang],
                    log=tuple(f"{word} {i}: {line}" for i, line in enumerate(lines, 1)),
                    details={"diagnosis": lines, "diagnosis_en": lines,
                             "message_nl": messages["nl"], "message_en": messages["en"],
                             "conflicts": [{"kind": p.kind, "file": p.file, "id": p.id,
                                            "message": p.message} for p in conflict.problems]})
