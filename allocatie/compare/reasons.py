"""Why a fixed design cannot be awarded in a scenario, found by relaxing one rule at a time.

:func:`no_award_reason` returns a small JSON-able dict that the report turns into words:

- ``{"rule": "no_bid", "lots": [...]}``: these lots get no bid from any bidder present
  (nobody bids on all their districts);
- ``{"rule": "max_lots"}``: feasible without the lot limit per bidder (kavelbeperking);
- ``{"rule": "capacity"}``: feasible without the bidders' capacities;
- ``{"rule": "winners"}``: feasible without the minimum or maximum number of winners;
- ``{"rule": "max_lots+capacity"}``: only feasible without both;
- ``{"rule": "combined"}``: no single relaxation above helps.

Each relaxation is solved by the exact branch and bound of :mod:`allocatie.award.exact`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from allocatie.award.exact import AwardMatrix, solve_exact


def no_award_reason(matrix: AwardMatrix) -> dict[str, Any]:
    """The first rule whose relaxation makes the award of ``matrix`` feasible (see the module
    docstring). Returns a dict with ``rule`` (and ``lots`` for ``no_bid``)."""
    no_bid = [lot for lot, row in zip(matrix.lots, matrix.cost, strict=True)
              if not np.isfinite(row).any()]
    if no_bid or not matrix.bidders:
        return {"rule": "no_bid", "lots": list(no_bid or matrix.lots)}
    n = len(matrix.bidders)
    free_lots = replace(matrix, max_lots=(None,) * n)
    free_capacity = replace(matrix, capacity=(None,) * n)
    free_winners = replace(matrix, min_winners=None, max_winners=None)
    for rule, relaxed in (("max_lots", free_lots), ("capacity", free_capacity),
                          ("winners", free_winners),
                          ("max_lots+capacity", replace(free_lots, capacity=(None,) * n))):
        if solve_exact(relaxed).status == "optimal":
            return {"rule": rule}
    return {"rule": "combined"}
