"""The neutral model: columns with bounds, cost and integrality; rows as sparse sums."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from allocatie.status import Status

INF = math.inf


@dataclass(frozen=True)
class Progress:
    """A progress report during a solve (objective values include the model's offset)."""

    elapsed_s: float
    incumbent: float | None
    bound: float | None
    backend: str
    phase: str = ""  # what runs now, e.g. "heuristic", "root_cuts" (see allocatie.cli.progress)

    @property
    def gap(self) -> float | None:
        if self.incumbent is None or self.bound is None:
            return None
        return max(0.0, (self.incumbent - self.bound) / max(abs(self.incumbent), 1e-9))


ProgressCallback = Callable[[Progress], None]


@dataclass
class Model:
    """A minimisation MILP. Variables are integer handles returned by :meth:`add_var`."""

    name: str = "model"
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    row_index: list[list[int]] = field(default_factory=list)
    row_value: list[list[float]] = field(default_factory=list)
    row_lb: list[float] = field(default_factory=list)
    row_ub: list[float] = field(default_factory=list)
    offset: float = 0.0
    hint: dict[int, float] = field(default_factory=dict)

    @property
    def num_vars(self) -> int:
        return len(self.lb)

    @property
    def num_rows(self) -> int:
        return len(self.row_lb)

    def add_var(self, lb: float = 0.0, ub: float = INF, cost: float = 0.0,
                integer: bool = False, name: str = "") -> int:
        """Add a variable and return its handle."""
        self.lb.append(float(lb))
        self.ub.append(float(ub))
        self.cost.append(float(cost))
        self.integer.append(bool(integer))
        self.names.append(name)
        return len(self.lb) - 1

    def add_binary(self, cost: float = 0.0, name: str = "") -> int:
        return self.add_var(0.0, 1.0, cost, True, name)

    def add_row(self, terms: Iterable[tuple[int, float]], lb: float = -INF,
                ub: float = INF) -> int:
        """Add ``lb <= sum(coef * var) <= ub``; repeated variables are summed."""
        merged: dict[int, float] = {}
        for var, coef in terms:
            merged[var] = merged.get(var, 0.0) + float(coef)
        self.row_index.append(list(merged))
        self.row_value.append(list(merged.values()))
        self.row_lb.append(float(lb))
        self.row_ub.append(float(ub))
        return len(self.row_lb) - 1

    def add_le(self, terms: Iterable[tuple[int, float]], rhs: float) -> int:
        return self.add_row(terms, -INF, rhs)

    def add_ge(self, terms: Iterable[tuple[int, float]], rhs: float) -> int:
        return self.add_row(terms, rhs, INF)

    def add_eq(self, terms: Iterable[tuple[int, float]], rhs: float) -> int:
        return self.add_row(terms, rhs, rhs)

    def objective_of(self, values: np.ndarray) -> float:
        return float(np.dot(self.cost, values)) + self.offset


@dataclass(frozen=True)
class RawResult:
    """What a backend returns: mapped status, the native status, values (None without a
    solution), objective and bound including the offset, and wall time."""

    status: Status
    native_status: str
    values: np.ndarray | None
    objective: float | None
    bound: float | None
    time_s: float
    backend: str
    version: str = ""

    def value(self, var: int) -> float:
        assert self.values is not None, "no solution values"
        return float(self.values[var])

    def is_one(self, var: int) -> bool:
        return self.values is not None and self.values[var] > 0.5
