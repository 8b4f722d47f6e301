"""Seeded scenarios of unknown bids: what the bids might look like on the day of the tender.

Scenario ``i`` of a SPEC with seed ``s`` draws from
``numpy.random.default_rng(SeedSequence(s, spawn_key=(i,)))`` (the same stream as
``SeedSequence(s).spawn(n)[i]``), so it does not depend on the number of scenarios, the
design, the order of computation or the number of workers. Every design sees the same
scenario ``i`` (common random numbers), which makes their differences sharper.

With ``B`` bidders and ``D`` districts in instance order, one scenario draws, always in this
order and always all of them (so changing one parameter leaves the other draws unchanged):

1. ``z_level`` (B normals): bidder ``b``'s price level factor
   ``exp(price_level_sd * z - price_level_sd**2 / 2)`` (mean 1);
2. ``z_noise`` (B x D normals): the per-district factor of each bid
   ``exp(district_noise_sd * z - district_noise_sd**2 / 2)`` (mean 1);
3. ``u_show`` (B uniforms): bidder ``b`` does not show up when ``u < no_show_probability``
   (it is left out with all its bids);
4. ``z_capacity`` (B normals): a bidder with a capacity gets
   ``floor(capacity * exp(capacity_shock_sd * z - capacity_shock_sd**2 / 2))`` clients;
   unlimited stays unlimited.

A scenario bid is the instance's bid times both factors, rounded to cents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from allocatie.compare.spec import ScenarioSpec
from allocatie.instance import Bidder, Instance


@dataclass(frozen=True)
class Draw:
    """One scenario's random factors, in instance order (bidders x districts)."""

    index: int
    price_factor: np.ndarray  # (B, D): multiplies bid (b, d)
    present: np.ndarray  # (B,) bool: the bidder shows up
    capacity_factor: np.ndarray  # (B,)


def scenario_rng(seed: int, index: int) -> np.random.Generator:
    """The random generator of scenario ``index`` under SPEC seed ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def draw(params: ScenarioSpec, index: int, n_bidders: int, n_districts: int) -> Draw:
    """Draw scenario ``index`` (seeded by ``params.seed``). Returns its factors."""
    rng = scenario_rng(params.seed, index)
    z_level = rng.standard_normal(n_bidders)
    z_noise = rng.standard_normal((n_bidders, n_districts))
    u_show = rng.random(n_bidders)
    z_capacity = rng.standard_normal(n_bidders)
    level = _lognormal(z_level, params.price_level_sd)
    noise = _lognormal(z_noise, params.district_noise_sd)
    return Draw(
        index=index,
        price_factor=level[:, None] * noise,
        present=u_show >= params.no_show_probability,
        capacity_factor=_lognormal(z_capacity, params.capacity_shock_sd),
    )


def _lognormal(z: np.ndarray, sd: float) -> np.ndarray:
    return np.exp(sd * z - sd * sd / 2.0)


def apply_draw(instance: Instance, scenario: Draw) -> Instance:
    """The instance with the scenario's bids, bidders and capacities. Returns a new instance
    (the rules, design and everything else unchanged)."""
    bidder_index = {b: i for i, b in enumerate(instance.bidder_ids)}
    district_index = {d: j for j, d in enumerate(instance.district_ids)}
    keys = list(instance.bids)
    rows = np.fromiter((bidder_index[b] for b, _ in keys), dtype=np.int64, count=len(keys))
    cols = np.fromiter((district_index[d] for _, d in keys), dtype=np.int64, count=len(keys))
    prices = np.fromiter(instance.bids.values(), dtype=float, count=len(keys))
    new = np.round(prices * scenario.price_factor[rows, cols], 2).tolist()
    here = scenario.present[rows].tolist()
    bids = {key: price for key, price, ok in zip(keys, new, here, strict=True) if ok}
    bidders: list[Bidder] = []
    for i, bidder in enumerate(instance.bidders):
        if not scenario.present[i]:
            continue
        if bidder.capacity is not None:
            capacity = int(math.floor(bidder.capacity * float(scenario.capacity_factor[i])))
            bidder = replace(bidder, capacity=capacity)
        bidders.append(bidder)
    return replace(instance, bids=bids, bidders=tuple(bidders))


def absent_bidders(instance: Instance, scenario: Draw) -> tuple[str, ...]:
    """The bidders that do not show up in the scenario."""
    return tuple(b for b, here in zip(instance.bidder_ids, scenario.present, strict=True)
                 if not here)
