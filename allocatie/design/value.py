"""A design as a value: the lots (district -> lot), their winners (lot -> bidder), the
objective and its parts, and the method that found it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Objective parts, named as in :class:`allocatie.checker.Evaluation`: lot fees and prices,
#: transitions (EUR), soft client-bound penalty, compactness cost.
PARTS = ("cost", "transition_cost", "client_penalty", "compactness_cost")


@dataclass(frozen=True)
class Design:
    """``assignment`` district -> lot, ``winners`` lot -> bidder, ``objective`` in EUR (the
    method's value; the checker recomputes it), ``parts`` its terms (:data:`PARTS`, summing to
    ``objective`` up to rounding; empty when the method did not give them) and ``source``, the
    method that found it."""

    assignment: Mapping[str, str]
    winners: Mapping[str, str]
    objective: float
    source: str = ""
    parts: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("assignment", "winners", "parts"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "objective", float(self.objective))

    def better_than(self, other: Design | None, tolerance: float = 1e-6) -> bool:
        """Whether this design's objective is lower than ``other``'s by more than
        ``tolerance`` EUR (always when there is no other)."""
        return other is None or self.objective < other.objective - tolerance
