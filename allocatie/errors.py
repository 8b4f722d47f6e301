"""Errors that carry every problem found, with where it was found and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in the input: what is wrong, where (file, row, id) and how to fix it.

    ``kind`` is ``input`` for bad input, ``rules`` when well-formed input asks for the
    impossible (the rules conflict with each other or with the data: infeasibility, not an
    error), ``fixed_design`` when the fixed lots (``lots.csv``) cannot be awarded (a lot
    without bids) and ``fixed_lots_shape`` when they break the lot count, contiguity or the
    client bounds (``award --accept-fixed-lots`` may relax those)."""

    message: str
    file: str | None = None
    row: int | None = None
    id: str | None = None
    hint: str | None = None
    kind: str = "input"

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.id:
            where.append(f"id {self.id}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class InstanceError(ValueError):
    """Raised once with every problem found in an instance, never just the first."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{len(self.problems)} problem(s) in instance"
        if source:
            head += f" {source}"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}:\n{body}")


class UsageError(ValueError):
    """A request that cannot be carried out as asked (bad option values, missing files)."""


class RuleConflict(InstanceError):
    """The instance is well-formed but its rules cannot all be met (no problem has kind
    ``input``). ``instance`` is the loaded instance, for a diagnosis."""

    def __init__(self, problems: list[Problem], instance: object,
                 source: str | None = None) -> None:
        super().__init__(problems, source)
        self.instance = instance

    def of_kind(self, *kinds: str) -> list[Problem]:
        return [p for p in self.problems if p.kind in kinds]
