"""Seeded generator of a SYNTHETIC tender situation on real (or synthetic) district geometry.

Real input: CBS district polygons (EPSG:28992) and inhabitants (wijk totals, CBS 85984NED).
Everything else is made up here, from documented assumptions and a seed. Nothing below is
observed data: label every derived figure as synthetic or as a proxy.

Assumptions (all numbers are defaults of the functions below)
--------------------------------------------------------------
Clients (``clients_from_inhabitants``)
    ``clients = round(inhabitants x 0.04 x U(1 - 0.10, 1 + 0.10))``. Rate 4% of inhabitants for
    household help plus support (huishoudelijke hulp + begeleiding). The DOMAIN.md figures for
    Rivierenland (2019) give 2,457 Wmo clients excluding household help; over the ~255k
    inhabitants of all 8 municipalities that is ~1.0%, over the ~199k of the 6 municipalities
    the figure was for ~1.2%. Household help roughly doubles that (2-2.5%). We take 4%, on the
    high side of that range (an older, rural population such as Emmen's uses more care), which
    puts Emmen's 6 lots at ~730 clients each, in line with the client bounds of the format
    example (400-900). The rate is a parameter.
Buurt inhabitants proxy (``buurt_population_proxy``)
    CBS buurt figures were not available; the wijk total (real) is spread over its buurten with
    weights ``w = sqrt(max(area_ha, 10)) x m``, ``m = 0.1`` for rural buurten (name contains
    "Verspreide huizen", "Buitengebied", " e.o.", "Tuinbouw"), ``m = 0.02`` for business areas
    ("Bedrijventerrein", "Industrieterrein", "Bedrijvenpark", "Industrie"), else ``m = 1``. The
    square root dampens large polygons (a 4x larger buurt gets 2x the weight); the 10 ha floor
    keeps buurten that the simplification collapsed to ~0 ha (e.g. Buren-Oude Kern) inhabited.
    Integers by the largest-remainder method, so each wijk's buurten sum to the real wijk total.
    It is a PROXY, not CBS data.
Current areas (``current_areas``)
    K contiguous areas (rook). With a main town (Emmen): the town districts are cut into
    ``k_town`` angular sectors around the town centre and the other districts into ``K - k_town``
    angular sectors around the same centre, each cut balanced by clients over the best rotation;
    without a town: K regions grown from farthest-point seeds, the lightest region growing first.
    Any disconnected piece is moved to the neighbouring area with the longest shared border.
Incumbents (``assign_area_providers``, ``incumbents_table``)
    ``ceil(K / 2) + 1`` providers (Emmen, K = 6: 4 providers with 2, 2, 1 and 1 areas, as in
    Emmen's 2017 award; K = 10: 6 providers, 2-2-2-2-1-1), never more than ``max_lots`` areas
    each. Per district: no provider for U(3%, 7%) of the clients (new clients), the main
    provider has U(75%, 90%), the rest is split over 1-2 other providers (other incumbents or
    "Overige aanbieders", small providers that do not bid). In ``mixed_share`` of the districts
    (hard regime 0.4) the main provider is a neighbouring area's provider (else another
    incumbent) instead of the area's own.
Bidders (``make_bidder_profiles``)
    The incumbents plus newcomers. Price level U(2,500, 3,500) EUR per client per year; rural
    skill factor U(0.5, 1.5); quality U(55, 85) points; lot fee U(20,000, 60,000) EUR (whole
    thousands). Base: an incumbent at the client-weighted centre of its areas; newcomers
    alternately local (a district drawn by clients) and regional (5-15 km outside the area).
    Capacity: 2 (Rivierenland: 3) "tight" bidders can serve max(1.5 x average lot, 1.1 x their
    current areas) clients; the others max_lots x average lot x U(1.2, 1.6) (at least 1.1 x their
    current areas); one newcomer is unlimited (empty); all rounded up to 10; total capacity is
    raised to at least 1.3 x total clients. The last newcomer has ``max_lots = 1`` (a small
    local provider); the other max_lots are empty (the rule applies).
Bids (``make_bids``)
    ``price(b, d) = level_b x (1 + 0.003 x km(base_b, d) + 0.08 x rural_b x rurality_d
    - 0.03 x [b serves d's area today]) x U(1 - noise, 1 + noise)``, whole euros, where rurality
    is 1 - the percentile rank of client density (clients/km2). Noise 0.10 in the hard regime.
    Each incumbent skips the U(0%, 4%) and each newcomer the U(4%, 15%) districts farthest from
    its base (about 5-10% of all pairs), never an incumbent's own areas; every district keeps
    at least 2 bids (the nearest bidders are put back).
Lot bids (``make_lot_bids``), for a fixed design
    A bidder bids on a lot when it bid on all its districts, except that it skips it with
    probability 0.1 (never an incumbent's own current area); each lot gets at least 2 bids.
    ``price = sum_d price(b, d) x clients(d) x (1 + U(-6%, +4%))`` (the lot fee is not included:
    the tool adds it), rounded to 100 EUR. Score = quality_b + N(0, 4), integer 0-100.
    Preference = the bidder's rank of its lots by client-weighted distance from its base
    (+ noise), 1 = most wanted.
Combination bids (``make_combination_bids``)
    Up to 2 bidders offer U(3%, 6%) off the sum of their lot bids for a pair of adjacent lots
    they both bid on and can take (max lots >= 2, capacity).
Rules
    Client bounds per lot (optional): min = 0.9 x the smallest current area, at most half an
    average lot; max = 1.1 x the largest current area, at least 1.6 x an average lot.

Feasible by construction: the current areas awarded to their area providers satisfy every
rule (bids, max lots, capacities, bounds, contiguity); :func:`certificate_problems` checks it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from tools.instances.areas import (
    Adjacency,
    components,
    current_areas,
    representative_points,
    rook_adjacency,
)
from tools.instances.bidding import (
    assign_area_providers,
    bidder_names,
    default_incumbents,
    incumbents_table,
    latent_prices,
    make_bidder_profiles,
    make_bids,
    make_combination_bids,
    make_lot_bids,
)

# --------------------------------------------------------------------------- inhabitants


# --------------------------------------------------------------------------- geometry


# --------------------------------------------------------------------------- providers


# --------------------------------------------------------------------------- bidders and bids


# --------------------------------------------------------------------------- the tender


@dataclass
class Tender:
    """A full synthetic tender situation, ready to be written as an instance folder."""

    districts: gpd.GeoDataFrame  # id, name, clients, extra properties, geometry (EPSG:28992)
    current_lots: pd.DataFrame  # district_id, lot
    area_provider: dict[str, str]  # current lot -> provider
    incumbents: pd.DataFrame  # district_id, provider, clients
    profiles: pd.DataFrame  # per bidder, internal (not written)
    bids: pd.DataFrame  # bidder, district_id, price
    rules: dict[str, object]
    lots: pd.DataFrame | None = None  # district_id, lot
    lot_bids: pd.DataFrame | None = None
    combination_bids: pd.DataFrame | None = None
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def bidders(self) -> pd.DataFrame:
        """``bidder, capacity, max_lots, lot_fee`` as written to bidders.csv."""
        p = self.profiles
        return pd.DataFrame(
            {
                "bidder": p.index.to_list(),
                "capacity": p["capacity"].to_list(),
                "max_lots": p["max_lots"].to_list(),
                "lot_fee": p["lot_fee"].astype(int).to_list(),
            }
        ).astype({"capacity": "Int64", "max_lots": "Int64"})


def child_seeds(seed: int, n: int) -> list[int]:
    """n independent integer seeds derived from one seed (numpy SeedSequence.spawn)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n)]


def client_bounds(area_clients: Sequence[int], k: int, total: int) -> tuple[int, int]:
    """Comfortable lot client bounds that today's areas satisfy (see module docstring)."""
    avg = total / k
    step = 50 if avg >= 500 else (10 if avg >= 50 else 1)
    lo = math.floor(min(0.5 * avg, 0.9 * min(area_clients)) / step) * step
    hi = math.ceil(max(1.6 * avg, 1.1 * max(area_clients)) / step) * step
    return max(lo, 0), hi


def generate_tender(
    districts: gpd.GeoDataFrame,
    lots: int,
    n_bidders: int,
    seed: int,
    *,
    current: pd.Series | None = None,
    max_lots_per_bidder: int = 2,
    mixed_share: float = 0.0,
    noise: float = 0.05,
    transition_cost: float = 1000,
    n_incumbents: int | None = None,
    n_tight: int = 2,
    with_client_bounds: bool = True,
    fixed_lots: bool = False,
    n_combination_bids: int = 2,
) -> Tender:
    """Incumbents, bidders and bids for districts that already have ``id``, ``name``, ``clients``.

    ``current`` gives today's area label per district (same index); default: grown regions.
    With ``fixed_lots`` the lot design is today's areas, with lot and combination bids.
    """
    if not 1 <= lots <= len(districts):
        raise ValueError(f"lots must be between 1 and {len(districts)}, got {lots}")
    if n_bidders < 2:
        raise ValueError("at least 2 bidders are needed (every district gets 2 bids)")
    s = child_seeds(seed, 8)
    districts = districts.reset_index(drop=True)
    adj = rook_adjacency(districts.geometry)
    if len(components(range(len(districts)), adj)) != 1:
        raise ValueError("the districts are not rook-connected")
    if current is None:
        current = current_areas(districts, lots, s[0], adj=adj)
    area_of = [str(a) for a in current.tolist()]
    areas = sorted(set(area_of), key=lambda x: (len(x), x))
    if len(areas) != lots:
        raise ValueError(f"current design has {len(areas)} areas, expected {lots}")
    ids = districts["id"].astype(str).to_list()
    clients = districts["clients"].to_numpy(dtype=int)
    n_inc = n_incumbents or default_incumbents(lots, n_bidders, max_lots_per_bidder)
    names = bidder_names(n_bidders)
    rng = np.random.default_rng(s[1])
    providers = sorted(names[int(i)] for i in rng.choice(n_bidders, size=n_inc, replace=False))
    area_provider = assign_area_providers(areas, providers, max_lots_per_bidder, s[2])
    incumbents = incumbents_table(ids, clients, area_of, area_provider, adj, mixed_share, s[3])
    pts = representative_points(districts)
    profiles = make_bidder_profiles(
        pts, clients, area_of, area_provider, n_bidders, max_lots_per_bidder, s[4], n_tight=n_tight
    )
    latent = latent_prices(districts, profiles, area_of, area_provider, noise, s[5])
    bids = make_bids(districts, profiles, latent, area_of, area_provider, s[6])
    total = int(clients.sum())
    area_clients = pd.Series(clients).groupby(pd.Series(area_of)).sum()
    rules: dict[str, object] = {"lots": lots, "max_lots_per_bidder": max_lots_per_bidder}
    if with_client_bounds:
        lo, hi = client_bounds(area_clients.tolist(), lots, total)
        rules["lot_clients_min"] = lo
        rules["lot_clients_max"] = hi
    rules["transition_cost"] = transition_cost
    rules["contiguity"] = "rook"
    current_df = pd.DataFrame({"district_id": ids, "lot": area_of})
    tender = Tender(
        districts=districts,
        current_lots=current_df,
        area_provider=area_provider,
        incumbents=incumbents,
        profiles=profiles,
        bids=bids,
        rules=rules,
        settings=dict(
            seed=seed,
            lots=lots,
            n_bidders=n_bidders,
            max_lots_per_bidder=max_lots_per_bidder,
            mixed_share=mixed_share,
            noise=noise,
            transition_cost=transition_cost,
            n_incumbents=n_inc,
            n_tight=n_tight,
        ),
    )
    if fixed_lots:
        lot_series = pd.Series(area_of, index=ids)
        rng7 = child_seeds(s[7], 2)
        lot_bids = make_lot_bids(
            districts, lot_series, profiles, latent, bids, area_provider, rng7[0]
        )
        combos = make_combination_bids(
            lot_bids,
            pd.Series(area_of),
            pd.Series(clients),
            profiles,
            adj,
            max_lots_per_bidder,
            rng7[1],
            n=n_combination_bids,
        )
        tender.lots = current_df.copy()
        tender.lot_bids = lot_bids
        tender.combination_bids = combos if len(combos) else None
    problems = certificate_problems(tender, adj)
    if problems:
        raise AssertionError("generated tender is not feasible: " + "; ".join(problems))
    return tender


def certificate_problems(tender: Tender, adj: Adjacency | None = None) -> list[str]:
    """Why today's areas awarded to their providers would NOT be a feasible solution (empty =
    feasible), plus the generator's own guarantees (>= 2 bids per district, capacity margin)."""
    d = tender.districts
    adj = adj if adj is not None else rook_adjacency(d.geometry)
    ids = d["id"].astype(str).to_list()
    clients = dict(zip(ids, d["clients"].astype(int), strict=True))
    area = dict(zip(tender.current_lots["district_id"], tender.current_lots["lot"], strict=True))
    rules = tender.rules
    problems = []
    covered = set(zip(tender.bids["bidder"], tender.bids["district_id"], strict=True))
    per_district = tender.bids.groupby("district_id").size().reindex(ids, fill_value=0)
    if (per_district < 2).any():
        problems.append(f"districts with < 2 bids: {per_district[per_district < 2].index.tolist()}")
    served = tender.incumbents.groupby("district_id")["clients"].sum()
    for i in ids:
        if served.get(i, 0) > clients[i]:
            problems.append(f"{i}: incumbents serve more than its clients")
    if len(set(area.values())) != rules["lots"]:
        problems.append("current design does not have the required number of lots")
    won: dict[str, list[str]] = defaultdict(list)
    for lot, prov in tender.area_provider.items():
        won[prov].append(lot)
        members = [j for j, i in enumerate(ids) if area[i] == lot]
        if len(components(members, adj)) != 1:
            problems.append(f"current lot {lot} is not rook-connected")
        missing = [ids[j] for j in members if (prov, ids[j]) not in covered]
        if missing:
            problems.append(f"{prov} did not bid on {missing} of its lot {lot}")
        n_cl = sum(clients[ids[j]] for j in members)
        if "lot_clients_min" in rules and not (
            rules["lot_clients_min"] <= n_cl <= rules["lot_clients_max"]
        ):
            problems.append(f"current lot {lot} has {n_cl} clients, outside the bounds")
    prof = tender.profiles
    for prov, lots_won in won.items():
        m = prof.loc[prov, "max_lots"]
        limit = rules["max_lots_per_bidder"] if pd.isna(m) else int(m)
        if len(lots_won) > limit:
            problems.append(f"{prov} holds {len(lots_won)} areas > max lots {limit}")
        cap = prof.loc[prov, "capacity"]
        need = sum(clients[i] for i in ids if area[i] in lots_won)
        if not pd.isna(cap) and need > int(cap):
            problems.append(f"{prov} capacity {cap} < {need} clients of its areas")
    total = sum(clients.values())
    cap_total = prof["capacity"].fillna(total).astype(float).sum()
    if cap_total < 1.3 * total:
        problems.append(f"total capacity {cap_total:.0f} < 1.3 x {total} clients")
    limits = prof["max_lots"].fillna(rules["max_lots_per_bidder"]).astype(int)
    if limits.sum() < rules["lots"]:
        problems.append("max lots of all bidders together < lots")
    if tender.lot_bids is not None:
        have = set(zip(tender.lot_bids["bidder"], tender.lot_bids["lot"], strict=True))
        for lot, prov in tender.area_provider.items():
            if (prov, lot) not in have:
                problems.append(f"{prov} has no lot bid on its current lot {lot}")
        counts = tender.lot_bids.groupby("lot").size()
        if (counts < 2).any():
            problems.append("a lot has fewer than 2 lot bids")
    return problems


# --------------------------------------------------------------------------- writing


