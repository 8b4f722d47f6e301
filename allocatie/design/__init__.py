"""Lot design: draw K contiguous lots and award them in one optimisation.

``design(instance, settings)`` runs a fast heuristic for a first design, then the exact
territory MILP (:mod:`allocatie.design.territory`) warm-started from it, and cuts every
winning bidder's territory into its lots (:mod:`allocatie.design.partition`). The baseline
model with anonymous lots lives in :mod:`allocatie.design.plain` for benchmarks.
"""

from allocatie.design.run import design

__all__ = ["design"]
