"""allocatie: design the area lots (percelen) of a Dutch social-care tender and award them.

The decision layer. Geometry lives in the separate package :mod:`gebieden`; model code here
sees ids, numbers and an edge list, never a polygon.
"""

from allocatie.errors import InstanceError, Problem
from allocatie.instance import Bidder, CombinationBid, District, Edge, Instance, LotBid, Rules
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status

__version__ = "0.1.0"

__all__ = [
    "Bidder",
    "CombinationBid",
    "District",
    "Edge",
    "Instance",
    "InstanceError",
    "LotBid",
    "Problem",
    "Rules",
    "Solution",
    "SolverSettings",
    "Status",
    "__version__",
]
