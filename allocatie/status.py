"""One status vocabulary for every backend, mapped in this one module."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Outcome of a solve, as written to ``summary.json``."""

    OPTIMAL = "optimal"  # proven optimal (within the requested mip gap)
    FEASIBLE = "feasible"  # a solution, optimality not proven: see bound and gap
    INFEASIBLE = "infeasible"  # proven: no solution exists
    NO_SOLUTION = "no_solution"  # no solution found within the limits, none proven impossible

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def exit_code(self) -> int:
        """The command-line exit status of the spec: 0 solution, 3 infeasible, 4 none found."""
        return {Status.OPTIMAL: 0, Status.FEASIBLE: 0, Status.INFEASIBLE: 3,
                Status.NO_SOLUTION: 4}[self]


# HiGHS model status names (highspy.HighsModelStatus.name) -> (status if a solution exists,
# status if none exists).
_HIGHS = {
    "kOptimal": (Status.OPTIMAL, Status.NO_SOLUTION),
    "kInfeasible": (Status.INFEASIBLE, Status.INFEASIBLE),
    "kUnboundedOrInfeasible": (Status.INFEASIBLE, Status.INFEASIBLE),
    "kTimeLimit": (Status.FEASIBLE, Status.NO_SOLUTION),
    "kIterationLimit": (Status.FEASIBLE, Status.NO_SOLUTION),
    "kSolutionLimit": (Status.FEASIBLE, Status.NO_SOLUTION),
    "kInterrupt": (Status.FEASIBLE, Status.NO_SOLUTION),
    "kObjectiveBound": (Status.FEASIBLE, Status.NO_SOLUTION),
    "kObjectiveTarget": (Status.FEASIBLE, Status.NO_SOLUTION),
}

# OR-Tools CP-SAT status names (cp_model.CpSolver.status_name()).
_CPSAT = {
    "OPTIMAL": (Status.OPTIMAL, Status.OPTIMAL),
    "FEASIBLE": (Status.FEASIBLE, Status.FEASIBLE),
    "INFEASIBLE": (Status.INFEASIBLE, Status.INFEASIBLE),
    "UNKNOWN": (Status.FEASIBLE, Status.NO_SOLUTION),
    "MODEL_INVALID": (Status.NO_SOLUTION, Status.NO_SOLUTION),
}

# OR-Tools MPSolver (pywraplp, used for CBC) result codes by name. FEASIBLE means stopped at a
# limit with an incumbent: never report it as optimal.
_MPSOLVER = {
    "OPTIMAL": (Status.OPTIMAL, Status.OPTIMAL),
    "FEASIBLE": (Status.FEASIBLE, Status.FEASIBLE),
    "INFEASIBLE": (Status.INFEASIBLE, Status.INFEASIBLE),
    "UNBOUNDED": (Status.NO_SOLUTION, Status.NO_SOLUTION),
    "ABNORMAL": (Status.NO_SOLUTION, Status.NO_SOLUTION),
    "NOT_SOLVED": (Status.FEASIBLE, Status.NO_SOLUTION),
    "MODEL_INVALID": (Status.NO_SOLUTION, Status.NO_SOLUTION),
}

_TABLES = {"highs": _HIGHS, "cpsat": _CPSAT, "cbc": _MPSOLVER, "scip": _MPSOLVER}


def map_status(backend: str, native: str, has_solution: bool) -> Status:
    """Translate a backend's native status name into a :class:`Status`.

    Unknown names map to ``FEASIBLE`` when a solution exists and ``NO_SOLUTION`` otherwise,
    so an unfamiliar status is never reported as proven optimal or infeasible.
    """
    table = _TABLES.get(backend, {})
    with_sol, without_sol = table.get(native, (Status.FEASIBLE, Status.NO_SOLUTION))
    if has_solution:
        return with_sol if with_sol.has_solution else Status.FEASIBLE
    return without_sol if not without_sol.has_solution else Status.NO_SOLUTION
