"""A small backend-neutral MILP container and one ``solve`` that runs it on HiGHS, CBC or
CP-SAT. Model code builds a :class:`Model` with integer variable handles; backends only
translate it, so every formulation is written once.
"""

from allocatie.milp.model import Model, Progress, RawResult
from allocatie.milp.solve import Relaxation, solve

__all__ = ["Model", "Progress", "RawResult", "Relaxation", "solve"]
