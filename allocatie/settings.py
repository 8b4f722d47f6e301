"""Solver settings, kept apart from the instance data."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from allocatie.budget import DEFAULT_TIME_LIMIT_S
from allocatie.errors import UsageError

BACKENDS = ("highs", "cbc", "cpsat")


@dataclass(frozen=True)
class SolverSettings:
    """How to solve: backend, limits and reproducibility.

    ``mip_gap`` is relative (0.0 = prove optimality). ``threads`` defaults to the 2 cores of the
    reference machine; CP-SAT gets that many workers (more workers than cores is slower).
    """

    backend: str = "highs"
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    mip_gap: float = 0.0
    threads: int = 2
    seed: int = 0
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise UsageError(
                f"unknown backend {self.backend!r}; expected one of {', '.join(BACKENDS)}"
            )
        if not math.isfinite(self.time_limit_s) or self.time_limit_s <= 0:
            raise UsageError(f"time_limit_s must be a number of seconds > 0, got "
                             f"{self.time_limit_s}")
        if self.seed < 0:
            raise UsageError(f"seed must be a whole number >= 0, got {self.seed}")
        if not 0.0 <= self.mip_gap < 1.0:
            raise UsageError(f"mip_gap must be in [0, 1), got {self.mip_gap}")
        if self.threads < 1:
            raise UsageError(f"threads must be >= 1, got {self.threads}")

    def with_(self, **changes: object) -> SolverSettings:
        """A copy with the given fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
