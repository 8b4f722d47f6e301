"""The immutable tender instance: districts, who serves them today, bidders, bids and rules.

An :class:`Instance` holds ids and numbers only (no polygons). It is built by
:func:`allocatie.io.loading.load_instance` from an instance folder, or directly in code and tests;
:func:`allocatie.validation.instance_problems` collects every inconsistency so one error can
list them all (this module imports no checks: no import circle).
"""

from __future__ import annotations

import copyreg
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from allocatie.settings import SolverSettings
from allocatie.text import natural_key

if TYPE_CHECKING:
    import networkx as nx


def _mapping_proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _pickle_mapping_proxy(proxy: MappingProxyType) -> tuple:
    return _mapping_proxy, (dict(proxy),)


# Instances hold read-only mappings; registering them lets an Instance be pickled for a
# worker process (the design's second heuristic search, batch comparison).
copyreg.pickle(MappingProxyType, _pickle_mapping_proxy)

CONTIGUITY = ("rook", "queen", "none")


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class District:
    """A CBS district (wijk or buurt) with its clients and today's providers.

    ``incumbents`` maps provider -> clients served today; its sum may be below ``clients``
    (new clients have no provider yet) but never above.
    """

    id: str
    clients: int
    name: str = ""
    incumbents: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "incumbents", _frozen(self.incumbents))

    @property
    def served(self) -> int:
        """Clients who have a provider today (the ones who can transition)."""
        return sum(self.incumbents.values())


@dataclass(frozen=True)
class Bidder:
    """An inschrijver. ``capacity`` in clients (None = unlimited); ``max_lots`` overrides the
    global kavelbeperking (None = the rule); ``lot_fee`` in EUR per lot won."""

    id: str
    capacity: int | None = None
    max_lots: int | None = None
    lot_fee: float = 0.0


@dataclass(frozen=True)
class Edge:
    """Two neighbouring districts (a < b), their shared border in metres and the kind of contact
    (``rook``: a border of positive length; ``queen_only``: a point; ``bridge``: added by the
    user or by ``auto_bridge`` to connect an island)."""

    a: str
    b: str
    border_m: float = 0.0
    kind: str = "rook"


@dataclass(frozen=True)
class LotBid:
    """A bid on a fixed lot: EUR per year for the whole lot, optional quality score and the
    bidder's preference rank for that lot (1 = most wanted)."""

    bidder: str
    lot: str
    price: float
    score: float | None = None
    preference: int | None = None


@dataclass(frozen=True)
class CombinationBid:
    """A price for a named set of lots, won all-or-nothing (combinatie-inschrijving)."""

    id: str
    bidder: str
    lots: frozenset[str]
    price: float


@dataclass(frozen=True)
class Rules:
    """The tender's rules. Money in EUR; ``transition_cost`` per client who must switch.

    ``lot_clients_penalty`` makes the client bounds soft: EUR per client above the maximum or
    below the minimum (None = hard bounds). ``compactness_weight`` is EUR per km of shared
    border between districts in different lots. ``max_changed_districts`` caps how many
    districts may leave their current area (needs ``current_lots``).
    """

    lots_min: int = 1
    lots_max: int = 1
    max_lots_per_bidder: int | None = None
    lot_clients_min: int | None = None
    lot_clients_max: int | None = None
    lot_clients_penalty: float | None = None
    transition_cost: float = 0.0
    contiguity: str = "rook"
    min_winners: int | None = None
    max_winners: int | None = None
    compactness_weight: float = 0.0
    max_changed_districts: int | None = None
    pinned: Mapping[str, str] = field(default_factory=dict)  # district -> lot label
    together: tuple[tuple[str, ...], ...] = ()  # groups of districts kept in one lot

    def __post_init__(self) -> None:
        object.__setattr__(self, "pinned", _frozen(self.pinned))
        object.__setattr__(self, "together", tuple(tuple(g) for g in self.together))

    @property
    def soft_client_bounds(self) -> bool:
        return self.lot_clients_penalty is not None


@dataclass(frozen=True)
class AwardSettings:
    """Published award rule settings from ``[award]`` in instance.toml."""

    rule: str = "optimal"
    criterion: str = "price"  # or "price_quality"
    quality_weight: float = 0.0  # weight of quality in the price-quality score (0..1)
    lottery_seed: int = 0


@dataclass(frozen=True)
class Instance:
    """A tender situation (frozen data). Build it with
    :func:`allocatie.validation.create_instance` (validates) or the folder loader."""

    name: str
    districts: tuple[District, ...]
    bidders: tuple[Bidder, ...]
    bids: Mapping[tuple[str, str], float]  # (bidder, district) -> EUR per client per year
    edges: tuple[Edge, ...]
    rules: Rules
    description: str = ""
    lots: Mapping[str, str] | None = None  # fixed design: district -> lot
    lot_bids: tuple[LotBid, ...] = ()
    combination_bids: tuple[CombinationBid, ...] = ()
    current_lots: Mapping[str, str] | None = None  # today's areas: district -> lot
    award: AwardSettings = AwardSettings()
    solver: SolverSettings = SolverSettings()
    folder: Path | None = None
    files: Mapping[str, str] = field(default_factory=dict)  # role -> file name, for messages
    # "bid": real bids; "example": synthetic example bids; "expected": no bids yet, every
    # current provider at an expected tariff (award figures are expected, not bid)
    bids_kind: str = "bid"

    def __post_init__(self) -> None:
        object.__setattr__(self, "bids", _frozen(self.bids))
        object.__setattr__(self, "files", _frozen(self.files))
        if self.lots is not None:
            object.__setattr__(self, "lots", _frozen(self.lots))
        if self.current_lots is not None:
            object.__setattr__(self, "current_lots", _frozen(self.current_lots))

    # ----------------------------------------------------------------- lookups
    @cached_property
    def district_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.districts)

    @cached_property
    def bidder_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.bidders)

    @cached_property
    def district_by_id(self) -> Mapping[str, District]:
        return MappingProxyType({d.id: d for d in self.districts})

    @cached_property
    def bidder_by_id(self) -> Mapping[str, Bidder]:
        return MappingProxyType({b.id: b for b in self.bidders})

    @cached_property
    def total_clients(self) -> int:
        return sum(d.clients for d in self.districts)

    @cached_property
    def lot_ids(self) -> tuple[str, ...]:
        """Lots of the fixed design, in natural order (empty without a design)."""
        return tuple(sorted(set((self.lots or {}).values()), key=natural_key))

    @cached_property
    def providers(self) -> tuple[str, ...]:
        """Today's providers, sorted."""
        return tuple(sorted({p for d in self.districts for p in d.incumbents}))

    @cached_property
    def neighbours(self) -> Mapping[str, tuple[str, ...]]:
        """District -> its neighbours under the rules' contiguity (sorted)."""
        found: dict[str, set[str]] = {d: set() for d in self.district_ids}
        for e in self.edges_for():
            found.setdefault(e.a, set()).add(e.b)
            found.setdefault(e.b, set()).add(e.a)
        return MappingProxyType({d: tuple(sorted(n)) for d, n in found.items()})

    @cached_property
    def graph(self) -> nx.Graph:
        """The neighbour graph under the rules' contiguity (every district a node), built once
        and frozen; edges come first, in the order of ``edges_for()``."""
        import networkx as nx

        graph = nx.Graph()
        graph.add_edges_from((e.a, e.b) for e in self.edges_for())
        graph.add_nodes_from(self.district_ids)
        return nx.freeze(graph)

    def clients(self, district: str) -> int:
        return self.district_by_id[district].clients

    def price(self, bidder: str, district: str) -> float | None:
        """EUR per client per year, or None when the bidder did not bid on the district."""
        return self.bids.get((bidder, district))

    def max_lots(self, bidder: str) -> int | None:
        """The bidder's own lot limit, else the global kavelbeperking (None = no limit)."""
        own = self.bidder_by_id[bidder].max_lots
        return own if own is not None else self.rules.max_lots_per_bidder

    def edges_for(self, contiguity: str | None = None) -> tuple[Edge, ...]:
        """The edges that count as neighbours under a contiguity rule (default: the rules').

        ``rook`` keeps borders and bridges, ``queen`` adds point contacts, ``none`` has no
        edges (lots need not be connected)."""
        rule = contiguity or self.rules.contiguity
        if rule == "none":
            return ()
        if rule == "queen":
            return self.edges
        return tuple(e for e in self.edges if e.kind != "queen_only")
