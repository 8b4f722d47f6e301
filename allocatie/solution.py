"""A solve's result as a value: status, design, winners, objective, bound and timings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from allocatie.status import Status

PRICING = ("district", "lot_bids")


@dataclass(frozen=True)
class Solution:
    """The outcome of ``design``, ``award`` or ``evaluate``.

    ``assignment`` maps district -> lot and ``winners`` lot -> bidder; both are empty when
    there is no solution (``status`` says why and ``message`` explains). ``pricing`` tells how
    a lot is priced: per-district bids (``district``) or lot bids (``lot_bids``), with the ids
    of accepted combination bids in ``combinations``. ``objective`` is the solver's value; the
    checker recomputes it independently. ``log`` holds the audit trail of an award rule or an
    infeasibility diagnosis, ``details`` anything else worth writing to ``summary.json``.
    """

    status: Status
    assignment: Mapping[str, str] = field(default_factory=dict)
    winners: Mapping[str, str] = field(default_factory=dict)
    objective: float | None = None
    bound: float | None = None
    solver: str = ""
    time_s: float = 0.0
    pricing: str = "district"
    combinations: tuple[str, ...] = ()
    message: str = ""
    log: tuple[str, ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("assignment", "winners", "details"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "log", tuple(self.log))
        object.__setattr__(self, "combinations", tuple(self.combinations))
        if self.pricing not in PRICING:
            raise ValueError(f"pricing must be one of {PRICING}, got {self.pricing!r}")

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0.0 when proven optimal)."""
        if self.status is Status.OPTIMAL:
            return 0.0
        if self.objective is None or self.bound is None:
            return None
        denominator = max(abs(self.objective), 1e-9)
        return max(0.0, (self.objective - self.bound) / denominator)

    @property
    def lots(self) -> tuple[str, ...]:
        from allocatie.text import natural_key

        return tuple(sorted(set(self.assignment.values()), key=natural_key))
