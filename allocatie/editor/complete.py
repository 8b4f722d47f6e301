""""Maak af" (complete my plan): the locked lots stay exactly as drawn, the design model draws
the rest.

The design model is run unchanged on a *contracted* instance: every locked lot becomes one
district (its clients, today's providers and, per bidder who bid on all of its districts, the
client-weighted mean price) without neighbours. Under a contiguity rule a district without
neighbours can only be a lot on its own, so the design keeps each locked lot whole and alone,
and draws the other ``K - locked`` lots on the free districts, while the award of all ``K``
lots (kavelbeperking, capacities, number of winners) stays one optimisation. The design found
is expanded back to districts and scored again by the same award and checker as a drawing.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from allocatie.errors import UsageError
from allocatie.instance import District, Edge, Instance
from allocatie.milp import Progress
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.text import natural_key

LOCKED_PREFIX = "locked-lot:"


@dataclass(frozen=True)
class Completion:
    """The outcome of "Maak af": the completed drawing (district -> lot label), the design's
    winners by those labels, and the design run's solution on the contracted instance
    (status, objective, bound, time)."""

    assignment: dict[str, str]
    winners: dict[str, str]
    solution: Solution
    offset: float = 0.0  # compactness cost of the locked lots' borders, outside the design

    @property
    def objective(self) -> float | None:
        """The design's objective on the real districts."""
        s = self.solution.objective
        return None if s is None else s + self.offset

    @property
    def bound(self) -> float | None:
        b = self.solution.bound
        return None if b is None else b + self.offset


def contract(instance: Instance, locked: Mapping[str, list[str]]) -> Instance:
    """The instance with every locked lot (lot -> its districts) merged into one district
    without neighbours; the free districts keep their edges among themselves."""
    if instance.rules.contiguity == "none":
        raise UsageError("completing a plan needs a contiguity rule (rook or queen): without "
                         "one a locked lot cannot be kept apart from the rest")
    in_locked = {d: lot for lot, ds in locked.items() for d in ds}
    districts = [d for d in instance.districts if d.id not in in_locked]
    bids = {(b, d): p for (b, d), p in instance.bids.items() if d not in in_locked}
    for lot in sorted(locked, key=natural_key):
        members = [instance.district_by_id[d] for d in locked[lot]]
        node = LOCKED_PREFIX + lot
        clients = sum(m.clients for m in members)
        incumbents: Counter[str] = Counter()
        for m in members:
            incumbents.update(m.incumbents)
        districts.append(District(node, clients, name=f"lot {lot} (locked)",
                                  incumbents=dict(incumbents)))
        for b in instance.bidder_ids:
            prices = [instance.price(b, m.id) for m in members]
            if any(p is None for p in prices):
                continue
            weighted = sum(p * m.clients for p, m in zip(prices, members, strict=True))
            bids[(b, node)] = weighted / clients if clients else 0.0
    edges = tuple(e for e in instance.edges if e.a not in in_locked and e.b not in in_locked)
    rules = instance.rules

    def mapped(d: str) -> str:
        return LOCKED_PREFIX + in_locked[d] if d in in_locked else d

    pinned = {mapped(d): label for d, label in rules.pinned.items()
              if d in instance.district_by_id}
    together = tuple(tuple(dict.fromkeys(mapped(d) for d in group)) for group in rules.together)
    current = None
    if instance.current_lots and rules.max_changed_districts is not None:
        current = {d: lab for d, lab in instance.current_lots.items() if d not in in_locked}
        for lot, ds in locked.items():
            labels = Counter(instance.current_lots.get(d) for d in ds if d in
                             instance.current_lots)
            if labels:
                current[LOCKED_PREFIX + lot] = labels.most_common(1)[0][0]
    return dataclasses.replace(
        instance, districts=tuple(districts), bids=bids, edges=edges,
        rules=dataclasses.replace(rules, pinned=pinned, together=together),
        lots=None, lot_bids=(), combination_bids=(), current_lots=current)


def complete(instance: Instance, drawing: Mapping[str, str], locked_lots: set[str],
             settings: SolverSettings,
             progress: Callable[[Progress], None] | None = None,
             stop: threading.Event | None = None) -> Completion:
    """Keep ``locked_lots`` of ``drawing`` (district -> lot label) and let the design model
    draw the other lots. Raises :class:`UsageError` when nothing is left to draw or a locked
    lot is empty."""
    from allocatie.design import design

    check_locked_lots(instance, drawing, locked_lots)
    locked = {lot: sorted(d for d, lab in drawing.items() if lab == lot) for lot in locked_lots}
    if len(locked) >= instance.rules.lots_max:
        raise UsageError("every lot is locked: unlock a lot to let the design draw it")
    contracted = contract(instance, locked)
    offset = instance.rules.compactness_weight * sum(
        e.border_m for e in locked_edges(instance, locked)) / 1000.0

    def shifted(p: Progress) -> None:
        if progress is not None:
            progress(Progress(p.elapsed_s, None if p.incumbent is None else p.incumbent + offset,
                              None if p.bound is None else p.bound + offset, p.backend))

    solution = design(contracted, settings, shifted, stop)
    if not solution.assignment:
        return Completion({}, {}, solution, offset)
    assignment, label_of = expand(instance, drawing, locked, solution.assignment)
    winners = {label_of[lot]: b for lot, b in solution.winners.items() if lot in label_of}
    return Completion(assignment, winners, solution, offset)


def expand(instance: Instance, drawing: Mapping[str, str], locked: Mapping[str, list[str]],
           designed: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The designed lots (on the contracted instance) as a drawing on the real districts, and
    the design's lot labels -> the drawing's.

    Locked lots keep their label; the new lots take the free labels 1..K, matched to the old
    drawing by the most clients in common so that colours on the map stay where they were."""
    result: dict[str, str] = {}
    new_lots: dict[str, list[str]] = {}
    label_map: dict[str, str] = {}
    for node, label in designed.items():
        if node.startswith(LOCKED_PREFIX):
            lot = node[len(LOCKED_PREFIX):]
            label_map[label] = lot
            for d in locked[lot]:
                result[d] = lot
        else:
            new_lots.setdefault(label, []).append(node)
    free_labels = [str(k) for k in range(1, instance.rules.lots_max + 1)
                   if str(k) not in locked]
    names = sorted(new_lots, key=natural_key)
    overlap = np.zeros((len(names), len(free_labels)))
    for i, name in enumerate(names):
        for d in new_lots[name]:
            old = drawing.get(d)
            if old in free_labels:
                overlap[i, free_labels.index(old)] += instance.clients(d) + 1
    rows, cols = linear_sum_assignment(-overlap)
    label_of = {names[r]: free_labels[c] for r, c in zip(rows, cols, strict=True)}
    spare = iter(lab for lab in free_labels if lab not in label_of.values())
    for name in names:
        lot = label_of.get(name) or next(spare, name)
        label_map[name] = lot
        for d in new_lots[name]:
            result[d] = lot
    return result, label_map


def locked_edges(instance: Instance, locked: Mapping[str, list[str]]) -> tuple[Edge, ...]:
    """The edges the contraction drops that are always cut border: between a locked lot and
    the rest, or between two locked lots."""
    in_locked = {d: lot for lot, ds in locked.items() for d in ds}
    return tuple(e for e in instance.edges
                 if (e.a in in_locked) != (e.b in in_locked)
                 or (e.a in in_locked and in_locked[e.a] != in_locked[e.b]))


def check_locked_lots(instance: Instance, drawing: Mapping[str, str], locked: set[str],
                      lang: str = "en") -> None:
    """Raise :class:`UsageError` (in ``lang``) when a locked lot is empty, not contiguous or
    outside the hard client bounds: no completion or repair can keep it as it is."""
    from allocatie.editor.evaluation import lot_parts
    from allocatie.editor.texts import number

    nl = lang == "nl"
    rules = instance.rules
    for lot in sorted(locked, key=natural_key):
        districts = [d for d in instance.district_ids if drawing.get(d) == lot]
        if not districts:
            raise UsageError(f"vastgezet perceel {lot} heeft geen gebieden: teken het of maak "
                             "het los" if nl else
                             f"locked lot {lot} has no districts: draw it or unlock it")
        if rules.contiguity != "none" and len(lot_parts(instance, districts)) > 1:
            raise UsageError(f"vastgezet perceel {lot} is niet aaneengesloten: verbind de "
                             "delen of maak het los" if nl else
                             f"locked lot {lot} is not contiguous: join its parts or unlock it")
        clients = sum(instance.clients(d) for d in districts)
        low, high = rules.lot_clients_min, rules.lot_clients_max
        n = number(clients, lang)
        if not rules.soft_client_bounds and low is not None and clients < low:
            raise UsageError(f"vastgezet perceel {lot} heeft {n} cliënten, minder dan het "
                             f"minimum {number(low, lang)}: maak het groter of maak het los"
                             if nl else f"locked lot {lot} has {n} clients, below the minimum "
                             f"{number(low, lang)}: enlarge it or unlock it")
        if not rules.soft_client_bounds and high is not None and clients > high:
            raise UsageError(f"vastgezet perceel {lot} heeft {n} cliënten, meer dan het "
                             f"maximum {number(high, lang)}: maak het kleiner of maak het los"
                             if nl else f"locked lot {lot} has {n} clients, above the maximum "
                             f"{number(high, lang)}: shrink it or unlock it")
