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

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import gebieden

CLIENT_RATE = 0.04
CLIENT_NOISE = 0.10
RURAL_KEYWORDS = ("verspreide huizen", "buitengebied", " e.o.", "tuinbouw")
BUSINESS_KEYWORDS = ("bedrijventerrein", "industrieterrein", "bedrijvenpark", "industrie")
RURAL_FACTOR = 0.1
BUSINESS_FACTOR = 0.02
MIN_AREA_HA = 10.0
PRICE_LEVEL = (2500.0, 3500.0)
KM_SURCHARGE = 0.003
RURAL_SURCHARGE = 0.08
HOME_DISCOUNT = 0.03
OTHER_PROVIDERS = "Overige aanbieders"
BIDDER_NAMES = (
    "Zorggroep A",
    "Thuiszorg B",
    "Welzijn C",
    "Zorgcooperatie D",
    "Thuishulp E",
    "Wijkzorg F",
    "Zorgpartners G",
    "Thuiszorg H",
    "Zorggroep I",
    "Welzijn J",
    "Zorgbedrijf K",
    "Thuishulp L",
    "Wijkzorg M",
    "Zorgpartners N",
    "Zorggroep O",
    "Thuiszorg P",
)
RD_CRS = "EPSG:28992"
RD_CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}

Adjacency = list[dict[int, float]]  # node -> {neighbour: shared border in metres}


# --------------------------------------------------------------------------- inhabitants


def proxy_weight(name: str, area_ha: float) -> float:
    """Weight of a buurt in the population proxy: sqrt(max(area, 10 ha)) x name factor."""
    lower = f" {name.lower()} "
    if any(k in lower for k in BUSINESS_KEYWORDS):
        factor = BUSINESS_FACTOR
    elif any(k in lower for k in RURAL_KEYWORDS):
        factor = RURAL_FACTOR
    else:
        factor = 1.0
    return math.sqrt(max(float(area_ha), MIN_AREA_HA)) * factor


def spread_largest_remainder(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split an integer total in proportion to weights; the parts sum exactly to ``total``."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return np.zeros(0, dtype=int)
    w = np.ones_like(w) if w.sum() <= 0 else w
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(int)
    rest = int(total - parts.sum())
    order = np.lexsort((np.arange(len(w)), -(exact - parts)))  # largest remainder, then index
    parts[order[:rest]] += 1
    return parts


def buurt_population_proxy(
    buurten: pd.DataFrame,
    wijk_col: str = "wijkcode",
    total_col: str = "wijk_aantal_inwoners",
    name_col: str = "buurtnaam",
    area_col: str = "geom_area_ha",
) -> pd.Series:
    """Inhabitants per buurt: the real wijk total spread by :func:`proxy_weight` (a PROXY)."""
    out = pd.Series(0, index=buurten.index, dtype=int)
    for _, group in buurten.groupby(wijk_col, sort=True):
        weights = [
            proxy_weight(n, a) for n, a in zip(group[name_col], group[area_col], strict=True)
        ]
        total = int(group[total_col].iloc[0])
        out.loc[group.index] = spread_largest_remainder(total, weights)
    return out


def clients_from_inhabitants(
    inhabitants: Sequence[float] | pd.Series,
    seed: int,
    rate: float = CLIENT_RATE,
    noise: float = CLIENT_NOISE,
) -> np.ndarray:
    """Wmo clients (household help + support): round(inhabitants x rate x U(1 +- noise))."""
    rng = np.random.default_rng(seed)
    inh = np.asarray(inhabitants, dtype=float)
    factor = rng.uniform(1 - noise, 1 + noise, size=len(inh))
    return np.maximum(np.rint(inh * rate * factor), 0).astype(int)


def load_cbs_districts(path: Path | str, level: str) -> gpd.GeoDataFrame:
    """Read a CBS case file of ``data/nl`` as districts with ``id``, ``name``, ``inwoners``.

    ``level="wijk"``: real wijk inhabitants. ``level="buurt"``: the proxy of
    :func:`buurt_population_proxy`, with the real wijk total kept as ``wijk_inwoners``.
    """
    raw = gpd.read_file(path)
    if raw.crs is None or not raw.crs.equals(RD_CRS):
        raw = raw.set_crs(RD_CRS, allow_override=True) if raw.crs is None else raw.to_crs(RD_CRS)
    if level == "wijk":
        out = pd.DataFrame(
            {
                "id": raw["wijkcode"],
                "name": raw["wijknaam"],
                "wijkcode": raw["wijkcode"],
                "gemeentenaam": raw["gemeentenaam"],
                "inwoners": raw["aantal_inwoners"].astype(int),
            }
        )
    elif level == "buurt":
        out = pd.DataFrame(
            {
                "id": raw["buurtcode"],
                "name": raw["buurtnaam"],
                "wijkcode": raw["wijkcode"],
                "gemeentenaam": raw["gemeentenaam"],
                "inwoners": buurt_population_proxy(raw).astype(int),
                "wijk_inwoners": raw["wijk_aantal_inwoners"].astype(int),
            }
        )
    else:
        raise ValueError(f"level must be 'wijk' or 'buurt', got {level!r}")
    gdf = gpd.GeoDataFrame(out, geometry=raw.geometry.to_numpy(), crs=RD_CRS)
    return gdf.sort_values("id", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- geometry


def rook_adjacency(geoms: gpd.GeoSeries | Sequence, min_border_m: float = 1.0) -> Adjacency:
    """Neighbours sharing a border longer than ``min_border_m`` (positional indices).

    The pairs and border lengths come from :func:`gebieden.adjacency` (rook).
    """
    frame = gpd.GeoDataFrame(geometry=list(geoms), crs=RD_CRS)
    adj: Adjacency = [{} for _ in range(len(frame))]
    for edge in gebieden.adjacency(frame, kind="rook"):
        if edge.border_m > min_border_m:
            i, j = int(edge.a), int(edge.b)
            adj[i][j] = edge.border_m
            adj[j][i] = edge.border_m
    return adj


def components(nodes: Iterable[int], adj: Adjacency) -> list[list[int]]:
    """Connected components of the subgraph induced by ``nodes`` (sorted lists, by first node).

    :func:`gebieden.connected_parts` on positional indices.
    """
    edges = [(str(u), str(v)) for u, near in enumerate(adj) for v in near if u < v]
    parts = gebieden.connected_parts((str(u) for u in nodes), edges)
    return sorted(sorted(int(u) for u in part) for part in parts)


def repair_contiguity(labels: np.ndarray, adj: Adjacency, weights: np.ndarray) -> np.ndarray:
    """Move every disconnected piece of an area to the neighbour area with the longest border.

    Each move lowers the total number of pieces, so this ends; the graph must be connected.
    """
    labels = labels.copy()
    while True:
        changed = False
        for g in sorted(set(labels.tolist())):
            comps = components(np.flatnonzero(labels == g).tolist(), adj)
            if len(comps) <= 1:
                continue
            keep = max(comps, key=lambda c: (weights[c].sum(), len(c), -c[0]))
            for comp in comps:
                if comp is keep:
                    continue
                border: dict[int, float] = defaultdict(float)
                for u in comp:
                    for v, length in adj[u].items():
                        if labels[v] != g:
                            border[int(labels[v])] += length
                if border:
                    target = max(sorted(border), key=lambda t: border[t])
                    labels[comp] = target
                    changed = True
        if not changed:
            return labels


def _cut_balanced(weights: np.ndarray, k: int) -> np.ndarray:
    """Group index of each element of an ordered sequence cut into k balanced runs."""
    n = len(weights)
    cum = np.concatenate([[0.0], np.cumsum(weights)])
    total = cum[-1]
    groups = np.zeros(n, dtype=int)
    prev = 0
    for j in range(1, k):
        lo, hi = prev + 1, n - (k - j)
        p = lo + int(np.argmin(np.abs(cum[lo : hi + 1] - j * total / k)))
        groups[p:] = j
        prev = p
    return groups


def angular_design(
    points: np.ndarray, weights: np.ndarray, k: int, centre: Sequence[float], adj: Adjacency
) -> np.ndarray:
    """Cut districts into k angular sectors around ``centre``, balanced by weight.

    Tries every rotation of the angular order; keeps the one with fewest disconnected pieces,
    then the smallest largest deviation from an equal split. Returns labels 0..k-1.
    """
    n = len(points)
    if k <= 1 or n <= 1:
        return np.zeros(n, dtype=int)
    angle = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    order = np.lexsort((np.arange(n), angle))
    w = np.asarray(weights, dtype=float) + 1.0
    target = w.sum() / k
    best_key, best = None, None
    for start in range(n):
        seq = np.roll(order, -start)
        labels = np.empty(n, dtype=int)
        labels[seq] = _cut_balanced(w[seq], k)
        pieces = sum(len(components(np.flatnonzero(labels == g).tolist(), adj)) for g in range(k))
        dev = max(abs(w[labels == g].sum() - target) for g in range(k)) / target
        key = (pieces, round(dev, 9), start)
        if best_key is None or key < best_key:
            best_key, best = key, labels
    assert best is not None
    return best


def grown_design(
    points: np.ndarray, weights: np.ndarray, k: int, adj: Adjacency, seed: int
) -> np.ndarray:
    """K contiguous regions grown from farthest-point seeds; the lightest region grows first."""
    rng = np.random.default_rng(seed)
    n = len(points)
    seeds = [int(rng.integers(n))]
    dist = np.hypot(*(points - points[seeds[0]]).T)
    while len(seeds) < k:
        nxt = int(np.argmax(dist))
        seeds.append(nxt)
        dist = np.minimum(dist, np.hypot(*(points - points[nxt]).T))
    labels = np.full(n, -1, dtype=int)
    totals = np.zeros(k)
    for r, s in enumerate(seeds):
        labels[s] = r
        totals[r] = weights[s] + 1.0
    members: list[set[int]] = [{s} for s in seeds]
    while (labels < 0).any():
        for r in np.lexsort((np.arange(k), totals)):
            cand = sorted({v for u in members[r] for v in adj[u] if labels[v] < 0})
            if not cand:
                continue
            d = np.hypot(*(points[cand] - points[seeds[r]]).T)
            v = cand[int(np.argmin(d))]
            labels[v] = r
            members[r].add(v)
            totals[r] += weights[v] + 1.0
            break
        else:  # graph not connected: give the rest to the nearest seed
            rest = np.flatnonzero(labels < 0)
            for v in rest:
                labels[v] = int(np.argmin(np.hypot(*(points[seeds] - points[v]).T)))
    return labels


def balance_areas(
    labels: np.ndarray,
    adj: Adjacency,
    weights: np.ndarray,
    classes: np.ndarray | None = None,
    max_passes: int = 50,
) -> np.ndarray:
    """Local search: move border districts between neighbouring areas of the same class while
    that lowers the squared deviation from the class's mean area weight and keeps both areas
    connected. ``classes`` is per district (e.g. town / rural); default one class."""
    labels = labels.copy()
    n = len(labels)
    w = np.asarray(weights, dtype=float) + 1.0
    cls = np.zeros(n, dtype=int) if classes is None else np.asarray(classes, dtype=int)
    area_cls = {int(g): int(cls[labels == g][0]) for g in set(labels.tolist())}
    totals = {g: float(w[labels == g].sum()) for g in area_cls}
    target = {}
    for c in set(area_cls.values()):
        group = [g for g in area_cls if area_cls[g] == c]
        target[c] = sum(totals[g] for g in group) / len(group)
    for _ in range(max_passes):
        moved = False
        for u in range(n):
            a = int(labels[u])
            t = target[area_cls[a]]
            for b in sorted({int(labels[v]) for v in adj[u]} - {a}):
                if area_cls[b] != area_cls[a]:
                    continue
                old = (totals[a] - t) ** 2 + (totals[b] - t) ** 2
                new = (totals[a] - w[u] - t) ** 2 + (totals[b] + w[u] - t) ** 2
                if new >= old - 1e-9:
                    continue
                rest = [v for v in np.flatnonzero(labels == a).tolist() if v != u]
                if not rest or len(components(rest, adj)) != 1:
                    continue
                labels[u] = b
                totals[a] -= w[u]
                totals[b] += w[u]
                moved = True
                break
        if not moved:
            break
    return labels


def representative_points(districts: gpd.GeoDataFrame) -> np.ndarray:
    """A point inside each district (x, y in the districts' CRS)."""
    rp = districts.geometry.representative_point()
    return np.column_stack([rp.x.to_numpy(), rp.y.to_numpy()])


def current_areas(
    districts: gpd.GeoDataFrame,
    k: int,
    seed: int,
    town: Sequence[bool] | None = None,
    k_town: int = 0,
    centre: Sequence[float] | None = None,
    adj: Adjacency | None = None,
) -> pd.Series:
    """Today's K contiguous areas as lot labels "1".."K" (town areas first), indexed like
    ``districts``. With ``town``: angular sectors (see module docstring); else grown regions."""
    adj = adj if adj is not None else rook_adjacency(districts.geometry)
    pts = representative_points(districts)
    w = districts["clients"].to_numpy(dtype=float)
    n = len(districts)
    if town is None or k_town <= 0:
        labels = grown_design(pts, w, k, adj, seed)
    else:
        mask = np.asarray(town, dtype=bool)
        if centre is None:
            centre = np.average(pts[mask], axis=0, weights=w[mask] + 1.0)
        labels = np.empty(n, dtype=int)
        for sub, kk, offset in ((mask, k_town, 0), (~mask, k - k_town, k_town)):
            idx = np.flatnonzero(sub)
            local = {int(g): i for i, g in enumerate(idx)}
            sub_adj: Adjacency = [
                {local[v]: b for v, b in adj[g].items() if v in local} for g in idx
            ]
            labels[idx] = angular_design(pts[idx], w[idx], kk, centre, sub_adj) + offset
    labels = repair_contiguity(labels, adj, w)
    classes = None
    if town is not None and k_town > 0:
        classes = (labels >= k_town).astype(int)  # town areas vs rural areas after the repair
    labels = balance_areas(labels, adj, w, classes)
    # renumber by first appearance within the town/rural order, so labels stay 1..K
    order = sorted(set(labels.tolist()))
    if len(order) != k:
        raise ValueError(f"could not build {k} contiguous areas (got {len(order)})")
    remap = {g: str(i + 1) for i, g in enumerate(order)}
    return pd.Series([remap[g] for g in labels.tolist()], index=districts.index, name="lot")


# --------------------------------------------------------------------------- providers


def default_incumbents(k: int, n_bidders: int, max_lots: int) -> int:
    """Number of incumbent providers: ceil(K/2) + 1, within [ceil(K/max_lots), min(K, B)]."""
    n = min(k, n_bidders, math.ceil(k / 2) + 1)
    n = max(n, math.ceil(k / max_lots))
    if n > n_bidders:
        raise ValueError(f"{n_bidders} bidders with at most {max_lots} lots cannot cover {k}")
    return n


def assign_area_providers(
    areas: Sequence[str], providers: Sequence[str], max_lots: int, seed: int
) -> dict[str, str]:
    """Area -> provider: counts as even as possible (e.g. 6 areas, 4 providers: 2, 2, 1, 1)."""
    k, p = len(areas), len(providers)
    counts = [k // p + (1 if i < k % p else 0) for i in range(p)]
    if max(counts) > max_lots:
        raise ValueError(f"{p} providers with at most {max_lots} areas cannot serve {k} areas")
    rng = np.random.default_rng(seed)
    slots = [prov for prov, c in zip(providers, counts, strict=True) for _ in range(c)]
    order = rng.permutation(k)
    return {areas[int(i)]: slots[j] for j, i in enumerate(order)}


def incumbents_table(
    ids: Sequence[str],
    clients: Sequence[int],
    area_of: Sequence[str],
    area_provider: dict[str, str],
    adj: Adjacency,
    mixed_share: float,
    seed: int,
) -> pd.DataFrame:
    """Who serves the clients today: ``district_id, provider, clients`` (see module docstring)."""
    rng = np.random.default_rng(seed)
    n = len(ids)
    providers = sorted(set(area_provider.values()))
    mixed = set(rng.choice(n, size=int(round(mixed_share * n)), replace=False).tolist())
    rows = []
    for i in range(n):
        c = int(clients[i])
        own = area_provider[area_of[i]]
        main = own
        if i in mixed and len(providers) > 1:
            near = sorted({area_provider[area_of[v]] for v in adj[i]} - {own})
            pool = near or [p for p in providers if p != own]
            main = pool[int(rng.integers(len(pool)))]
        new = int(round(c * rng.uniform(0.03, 0.07)))
        n_main = min(int(round(c * rng.uniform(0.75, 0.90))), c - new)
        rest = c - new - n_main
        others = [p for p in providers if p != main] + [OTHER_PROVIDERS]
        pick = rng.choice(len(others), size=min(2, len(others)), replace=False)
        shares = rng.multinomial(rest, [0.6, 0.4] if len(pick) == 2 else [1.0])
        parts = {main: n_main}
        for j, s in zip(pick.tolist(), shares.tolist(), strict=True):
            parts[others[j]] = parts.get(others[j], 0) + s
        for prov in sorted(parts):
            if parts[prov] > 0:
                rows.append((ids[i], prov, parts[prov]))
    return pd.DataFrame(rows, columns=["district_id", "provider", "clients"])


# --------------------------------------------------------------------------- bidders and bids


def _ceil_to(x: float, step: int) -> int:
    return int(math.ceil(x / step) * step)


def bidder_names(n: int) -> list[str]:
    """Fictional bidder names ("Zorggroep A", ...), clearly synthetic."""
    return [BIDDER_NAMES[i] if i < len(BIDDER_NAMES) else f"Aanbieder {i + 1}" for i in range(n)]


def make_bidder_profiles(
    points: np.ndarray,
    clients: np.ndarray,
    area_of: Sequence[str],
    area_provider: dict[str, str],
    n_bidders: int,
    max_lots: int,
    seed: int,
    n_tight: int = 2,
) -> pd.DataFrame:
    """Bidders with price level, base, rural skill, quality, capacity, max_lots and lot fee."""
    rng = np.random.default_rng(seed)
    names = bidder_names(n_bidders)
    incumbents = sorted(set(area_provider.values()))
    k = len(set(area_provider))
    total = float(clients.sum())
    avg_lot = total / k
    own_clients = {p: 0.0 for p in names}
    own_areas = {p: 0 for p in names}
    for p in area_provider.values():
        own_areas[p] += 1
    for a, c in zip(area_of, clients, strict=True):
        own_clients[area_provider[a]] += float(c)
    lo, hi = points.min(axis=0), points.max(axis=0)
    mid, radius = (lo + hi) / 2, float(np.hypot(*(hi - lo))) / 2
    newcomers = [b for b in names if b not in incumbents]
    rows = []
    for b in names:
        level = rng.uniform(*PRICE_LEVEL)
        rural = rng.uniform(0.5, 1.5)
        quality = rng.uniform(55, 85)
        fee = int(round(rng.uniform(20_000, 60_000), -3))
        if b in incumbents:
            mine = np.array([area_provider[a] == b for a in area_of])
            base = np.average(points[mine], axis=0, weights=clients[mine] + 1.0)
        elif newcomers.index(b) % 2 == 0:  # local newcomer
            p = (clients + 1.0) / (clients + 1.0).sum()
            base = points[int(rng.choice(len(points), p=p))]
        else:  # regional newcomer, based outside the area
            phi = rng.uniform(0, 2 * math.pi)
            dist = radius + rng.uniform(5_000, 15_000)
            base = mid + dist * np.array([math.cos(phi), math.sin(phi)])
        rows.append(
            dict(
                bidder=b,
                incumbent=b in incumbents,
                level=level,
                rural=rural,
                quality=quality,
                lot_fee=fee,
                base_x=float(base[0]),
                base_y=float(base[1]),
                own_areas=own_areas[b],
                own_clients=own_clients[b],
            )
        )
    prof = pd.DataFrame(rows).set_index("bidder")
    prof["max_lots"] = pd.array([pd.NA] * n_bidders, dtype="Int64")
    if len(newcomers) >= 2:
        prof.loc[newcomers[-1], "max_lots"] = 1
    # tight bidders: newcomers first (not the max_lots=1 one), then 1-area incumbents
    small_inc = [b for b in incumbents if own_areas[b] <= 1]
    candidates = [b for b in newcomers[:-1] if len(newcomers) >= 2] + small_inc
    candidates = candidates or list(names)
    tight = [candidates[int(i)] for i in rng.permutation(len(candidates))[:n_tight]]
    unlimited = newcomers[0] if newcomers and newcomers[0] not in tight else None
    caps = []
    for b in names:
        own = prof.loc[b, "own_clients"]
        m = max_lots if pd.isna(prof.loc[b, "max_lots"]) else int(prof.loc[b, "max_lots"])
        if b == unlimited:
            caps.append(pd.NA)
        elif b in tight:
            caps.append(_ceil_to(max(1.5 * avg_lot, 1.1 * own), 10))
        else:
            caps.append(_ceil_to(max(m * avg_lot * rng.uniform(1.2, 1.6), 1.1 * own), 10))
    prof["capacity"] = pd.array(caps, dtype="Int64")
    prof["tight"] = [b in tight for b in names]
    # total capacity at least 1.3 x total clients (an unlimited bidder counts as all clients)
    cap_total = prof["capacity"].fillna(int(total)).astype(float).sum()
    if cap_total < 1.3 * total:
        loose = [b for b in names if b not in tight and b != unlimited]
        extra = (1.3 * total - cap_total) / max(len(loose), 1)
        for b in loose:
            prof.loc[b, "capacity"] = _ceil_to(float(prof.loc[b, "capacity"]) + extra, 10)
    return prof


def rurality(districts: gpd.GeoDataFrame) -> np.ndarray:
    """1 - percentile rank of client density (clients per km2): 1 = most rural."""
    area_km2 = np.maximum(districts.geometry.area.to_numpy() / 1e6, 0.01)
    density = districts["clients"].to_numpy(dtype=float) / area_km2
    n = len(density)
    if n <= 1:
        return np.zeros(n)
    rank = pd.Series(density).rank(method="average").to_numpy() - 1
    return 1.0 - rank / (n - 1)


def latent_prices(
    districts: gpd.GeoDataFrame,
    profiles: pd.DataFrame,
    area_of: Sequence[str],
    area_provider: dict[str, str],
    noise: float,
    seed: int,
) -> pd.DataFrame:
    """Price of every bidder for every district (bidders x district ids), whole EUR."""
    rng = np.random.default_rng(seed)
    pts = representative_points(districts)
    rur = rurality(districts)
    home = np.array([area_provider[a] for a in area_of])
    out = {}
    for b, p in profiles.iterrows():
        km = np.hypot(pts[:, 0] - p["base_x"], pts[:, 1] - p["base_y"]) / 1000.0
        factor = 1 + KM_SURCHARGE * km + RURAL_SURCHARGE * p["rural"] * rur
        factor -= HOME_DISCOUNT * (home == b)
        factor *= rng.uniform(1 - noise, 1 + noise, size=len(pts))
        out[b] = np.rint(p["level"] * factor).astype(int)
    return pd.DataFrame(out, index=districts["id"].to_numpy()).T


def make_bids(
    districts: gpd.GeoDataFrame,
    profiles: pd.DataFrame,
    latent: pd.DataFrame,
    area_of: Sequence[str],
    area_provider: dict[str, str],
    seed: int,
) -> pd.DataFrame:
    """``bidder, district_id, price``: far districts skipped, >= 2 bids per district."""
    rng = np.random.default_rng(seed)
    pts = representative_points(districts)
    ids = districts["id"].to_list()
    n = len(ids)
    home = np.array([area_provider[a] for a in area_of])
    bid = np.ones((len(profiles), n), dtype=bool)
    km = np.zeros((len(profiles), n))
    for i, (b, p) in enumerate(profiles.iterrows()):
        km[i] = np.hypot(pts[:, 0] - p["base_x"], pts[:, 1] - p["base_y"])
        frac = rng.uniform(0.0, 0.04) if p["incumbent"] else rng.uniform(0.04, 0.15)
        far = [j for j in np.argsort(-km[i], kind="stable").tolist() if home[j] != b]
        bid[i, far[: int(round(frac * n))]] = False
    for j in range(n):
        for i in np.argsort(km[:, j], kind="stable"):
            if bid[:, j].sum() >= min(2, len(profiles)):
                break
            bid[i, j] = True
    rows = [
        (b, ids[j], int(latent.loc[b, ids[j]]))
        for i, b in enumerate(profiles.index)
        for j in range(n)
        if bid[i, j]
    ]
    return pd.DataFrame(rows, columns=["bidder", "district_id", "price"])


def make_lot_bids(
    districts: gpd.GeoDataFrame,
    lots: pd.Series,
    profiles: pd.DataFrame,
    latent: pd.DataFrame,
    bids: pd.DataFrame,
    area_provider: dict[str, str],
    seed: int,
    skip: float = 0.1,
) -> pd.DataFrame:
    """``bidder, lot, price, score, preference`` for a fixed design (lots indexed by id)."""
    rng = np.random.default_rng(seed)
    clients = districts.set_index("id")["clients"]
    pts = pd.DataFrame(representative_points(districts), index=districts["id"], columns=["x", "y"])
    covered = bids.groupby("bidder")["district_id"].apply(set).to_dict()
    lot_ids = sorted(set(lots.tolist()), key=lambda s: (len(s), s))
    members = {lot: lots.index[lots == lot].tolist() for lot in lot_ids}
    chosen: dict[str, list[str]] = {}
    for lot in lot_ids:
        ds = members[lot]
        names = []
        for b in profiles.index:
            full = set(ds) <= covered.get(b, set())
            draw = rng.random()
            if area_provider.get(lot) == b or (full and draw >= skip):
                names.append(b)
        if len(names) < 2:  # add the bidders covering most clients, cheapest first
            extra = sorted(
                (b for b in profiles.index if b not in names),
                key=lambda b: (
                    -clients[[d for d in ds if d in covered.get(b, set())]].sum(),
                    float((latent.loc[b, ds] * clients[ds]).sum()),
                ),
            )
            names += extra[: 2 - len(names)]
        chosen[lot] = names
    rows = []
    for lot in lot_ids:
        ds = members[lot]
        for b in chosen[lot]:
            amount = float((latent.loc[b, ds] * clients[ds]).sum())
            price = int(round(amount * (1 + rng.uniform(-0.06, 0.04)), -2))
            score = int(np.clip(round(profiles.loc[b, "quality"] + rng.normal(0, 4)), 0, 100))
            rows.append([b, lot, price, score])
    out = pd.DataFrame(rows, columns=["bidder", "lot", "price", "score"])
    # preference: rank of the bidder's lots by client-weighted distance from its base (+ noise)
    pref = []
    for b, group in out.groupby("bidder", sort=False):
        p = profiles.loc[b]
        dist = []
        for lot in group["lot"]:
            ds = members[lot]
            km = np.hypot(pts.loc[ds, "x"] - p["base_x"], pts.loc[ds, "y"] - p["base_y"]) / 1000
            dist.append(float(np.average(km, weights=clients[ds] + 1.0)) + rng.uniform(0, 3))
        ranks = np.argsort(np.argsort(dist, kind="stable"), kind="stable") + 1
        pref.extend(zip(group.index.tolist(), ranks.tolist(), strict=True))
    out["preference"] = pd.Series(dict(pref)).sort_index().astype(int)
    return out.sort_values(["lot", "bidder"], key=_lot_sort_key).reset_index(drop=True)


def _lot_sort_key(col: pd.Series) -> pd.Series:
    if col.name == "lot":
        return col.map(lambda s: (len(str(s)), str(s)))
    return col


def lot_adjacency(lots: pd.Series, adj: Adjacency) -> set[tuple[str, str]]:
    """Pairs of lots (a < b) that share a border, from district adjacency (positional)."""
    labels = lots.tolist()
    pairs = set()
    for u, nbrs in enumerate(adj):
        for v in nbrs:
            a, b = labels[u], labels[v]
            if a != b:
                pairs.add(tuple(sorted((a, b), key=lambda s: (len(s), s))))
    return pairs  # type: ignore[return-value]


def make_combination_bids(
    lot_bids: pd.DataFrame,
    lots: pd.Series,
    clients: pd.Series,
    profiles: pd.DataFrame,
    adj: Adjacency,
    max_lots: int,
    seed: int,
    n: int = 2,
) -> pd.DataFrame:
    """``bidder, combination, lots, price``: a discount of U(3%, 6%) on a pair of adjacent lots."""
    rng = np.random.default_rng(seed)
    lot_clients = clients.groupby(lots).sum()
    price = lot_bids.set_index(["bidder", "lot"])["price"]
    options = []
    for a, b in sorted(lot_adjacency(lots, adj)):
        for bidder in profiles.index:
            if (bidder, a) not in price.index or (bidder, b) not in price.index:
                continue
            m = profiles.loc[bidder, "max_lots"]
            cap = profiles.loc[bidder, "capacity"]
            if (max_lots if pd.isna(m) else int(m)) < 2:
                continue
            if not pd.isna(cap) and lot_clients[a] + lot_clients[b] > int(cap):
                continue
            options.append((bidder, a, b))
    rows = []
    used: set[str] = set()
    for i in rng.permutation(len(options)).tolist():
        bidder, a, b = options[i]
        if bidder in used:
            continue
        used.add(bidder)
        total = int(price[(bidder, a)] + price[(bidder, b)])
        code = bidder.split()[-1]
        rows.append(
            [
                bidder,
                f"{code}-combi",
                f"{a}+{b}",
                int(round(total * (1 - rng.uniform(0.03, 0.06)), -2)),
            ]
        )
        if len(rows) >= n:
            break
    out = pd.DataFrame(rows, columns=["bidder", "combination", "lots", "price"])
    return out.sort_values("bidder").reset_index(drop=True)


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


def _coords(obj: object) -> object:
    if isinstance(obj, (list, tuple)):
        return [_coords(o) for o in obj]
    x = float(obj)  # type: ignore[arg-type]
    return int(x) if x.is_integer() else round(x, 2)


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def write_geojson_rd(districts: gpd.GeoDataFrame, path: Path, properties: Sequence[str]) -> None:
    """Write a FeatureCollection in EPSG:28992 with the legacy ``crs`` member, one feature a
    line, coordinates as whole metres where they are whole."""
    if districts.crs is not None and not districts.crs.equals(RD_CRS):
        districts = districts.to_crs(RD_CRS)
    lines = []
    for _, row in districts.iterrows():
        geom = shapely.geometry.mapping(row.geometry)
        feature = {
            "type": "Feature",
            "id": str(row["id"]),
            "properties": {p: _plain(row[p]) for p in properties},
            "geometry": {"type": geom["type"], "coordinates": _coords(geom["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps({"type": "FeatureCollection", "crs": RD_CRS_MEMBER}, separators=(",", ":"))
    text = head[:-1] + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def _toml_value(v: object) -> str:
    v = _plain(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return json.dumps(str(v), ensure_ascii=False)


def toml_text(top: dict[str, object], sections: dict[str, dict[str, object]]) -> str:
    """A small TOML writer for flat tables (enough for instance.toml)."""
    out = [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    for name, table in sections.items():
        out.append("")
        out.append(f"[{name}]")
        out.extend(f"{k} = {_toml_value(v)}" for k, v in table.items() if v is not None)
    return "\n".join(out) + "\n"


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_instance_folder(
    folder: Path | str,
    tender: Tender,
    name: str,
    description: str,
    extra_properties: Sequence[str] = (),
    award: dict[str, object] | None = None,
    solver: dict[str, object] | None = None,
    readme: str | None = None,
    attribution: str | None = None,
) -> Path:
    """Write ``tender`` as an instance folder (format version 1 + our extensions)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    props = ["id", "name", "clients", *extra_properties]
    write_geojson_rd(tender.districts, folder / "districts.geojson", props)
    files: dict[str, object] = {
        "districts": "districts.geojson",
        "incumbents": "incumbents.csv",
        "bidders": "bidders.csv",
        "bids": "bids.csv",
    }
    _write_csv(tender.incumbents, folder / "incumbents.csv")
    _write_csv(tender.bidders, folder / "bidders.csv")
    _write_csv(tender.bids, folder / "bids.csv")
    if tender.lots is not None and tender.lot_bids is not None:
        files["lots"] = "lots.csv"
        files["lot_bids"] = "lot_bids.csv"
        _write_csv(tender.lots, folder / "lots.csv")
        _write_csv(tender.lot_bids, folder / "lot_bids.csv")
    files["current_lots"] = "current_lots.csv"
    _write_csv(tender.current_lots, folder / "current_lots.csv")
    if tender.combination_bids is not None:
        files["combination_bids"] = "combination_bids.csv"
        _write_csv(tender.combination_bids, folder / "combination_bids.csv")
    sections: dict[str, dict[str, object]] = {"files": files, "rules": dict(tender.rules)}
    if award:
        sections["award"] = award
    sections["solver"] = solver or {"backend": "highs", "time_limit_s": 60}
    top = {"schema_version": 1, "name": name, "description": description}
    (folder / "instance.toml").write_text(toml_text(top, sections), encoding="utf-8")
    if readme is not None:
        (folder / "README.md").write_text(readme, encoding="utf-8")
    if attribution is not None:
        (folder / "ATTRIBUTION.md").write_text(attribution, encoding="utf-8")
    return folder


def summary_markdown(tender: Tender) -> str:
    """Markdown tables of today's areas and the bidders (for an instance README)."""
    d = tender.districts
    clients = dict(zip(d["id"].astype(str), d["clients"].astype(int), strict=True))
    cur = tender.current_lots.assign(clients=tender.current_lots["district_id"].map(clients))
    per_area = cur.groupby("lot").agg(districts=("district_id", "size"), clients=("clients", "sum"))
    lines = ["| current area | provider today | districts | clients |", "|---|---|---|---|"]
    for lot in sorted(per_area.index, key=lambda s: (len(s), s)):
        r = per_area.loc[lot]
        lines.append(
            f"| {lot} | {tender.area_provider[lot]} | {r['districts']} | {r['clients']:,} |"
        )
    lines += [
        "",
        "| bidder | incumbent | capacity (clients) | max_lots | lot_fee (EUR) "
        "| price level (EUR/client/yr) | districts bid |",
        "|---|---|---|---|---|---|---|",
    ]
    nbids = tender.bids.groupby("bidder").size()
    for b, p in tender.profiles.iterrows():
        cap = "unlimited" if pd.isna(p["capacity"]) else f"{int(p['capacity']):,}"
        ml = "rule" if pd.isna(p["max_lots"]) else str(int(p["max_lots"]))
        lines.append(
            f"| {b} | {'yes' if p['incumbent'] else 'no'} | {cap} | {ml} | "
            f"{int(p['lot_fee']):,} | {p['level']:,.0f} | {int(nbids.get(b, 0))} |"
        )
    return "\n".join(lines) + "\n"
