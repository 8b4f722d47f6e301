"""The seeded lottery (loting) that settles ties, with every draw recorded.

A draw puts the tied bidders in alphabetical order and shuffles them with Python's
``random.Random(seed)`` (Mersenne Twister); the first in the drawn order wins. Draws are
numbered in the order the rule needs them, so the same seed and the same bids give the same
draws, and anyone can replay them from the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Lottery:
    """A seeded lottery. ``draws`` holds one dict per draw: number, lot, the tied candidates
    (alphabetical), the drawn order and the tied value."""

    seed: int
    draws: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, lot: str, candidates: list[str], value: float | None = None,
             measure: str = "price") -> list[str]:
        """The candidates in drawn order (the first wins); a single candidate needs no draw
        and is returned as is."""
        if len(candidates) < 2:
            return list(candidates)
        ordered = sorted(candidates)
        self._rng.shuffle(ordered)
        self.draws.append({"draw": len(self.draws) + 1, "seed": self.seed, "lot": lot,
                           "candidates": sorted(candidates), "order": list(ordered),
                           "value": value, "measure": measure})
        return ordered
