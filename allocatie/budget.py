"""Time budgets: one way to say how long a run may take and how much of it is left.

A :class:`Budget` is a start (``time.perf_counter()`` seconds) and a limit in seconds. Every
"time left" of the tool is :meth:`Budget.left`; a phase that may use part of the time gets a
sub-budget (:meth:`Budget.share`) that never ends after its parent; the time limit handed to a
solver is :meth:`Budget.solver_limit`, the time left with a floor of :data:`MIN_SOLVE_S` (a
solver needs a positive limit), so a floor can overrun the limit by at most that much.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

#: The default time limit of a design, an award or a comparison run (seconds).
DEFAULT_TIME_LIMIT_S = 60.0
#: The shortest time limit handed to a solver, even when (almost) no time is left.
MIN_SOLVE_S = 0.05


@dataclass(frozen=True)
class Budget:
    """``limit`` seconds from ``start`` (a ``time.perf_counter()`` reading; ``math.inf`` =
    no limit)."""

    start: float
    limit: float

    @classmethod
    def starting_now(cls, limit: float) -> Budget:
        """A budget of ``limit`` seconds from now."""
        return cls(time.perf_counter(), float(limit))

    @property
    def deadline(self) -> float:
        """The ``time.perf_counter()`` reading at which the budget is used up."""
        return self.start + self.limit

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def left(self) -> float:
        """Seconds left (0 when the budget is used up)."""
        return max(0.0, self.deadline - time.perf_counter())

    def expired(self) -> bool:
        """Whether the budget is used up."""
        return time.perf_counter() >= self.deadline

    def share(self, fraction: float, at_most: float = math.inf,
              at_least: float = 0.0) -> Budget:
        """A budget from now of ``fraction`` of the time left, at least ``at_least`` and at
        most ``at_most`` seconds; it never ends after this one."""
        left = self.left()
        return Budget(time.perf_counter(), min(max(fraction * left, at_least), at_most, left))

    def until(self, deadline: float) -> Budget:
        """A budget from now to ``deadline`` (a ``perf_counter`` reading) or to the end of
        this one, whichever is earlier."""
        now = time.perf_counter()
        return Budget(now, max(0.0, min(deadline, self.deadline) - now))

    def solver_limit(self, at_most: float = math.inf, at_least: float = MIN_SOLVE_S) -> float:
        """The time limit to hand a solver: the time left (at most ``at_most``), but at least
        ``at_least`` (default :data:`MIN_SOLVE_S`)."""
        return max(at_least, min(self.left(), at_most))
