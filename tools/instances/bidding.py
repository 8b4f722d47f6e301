"""The providers and bidders of a generated tender and their bids: incumbents per district,
bidder profiles, district prices, lot bids and combination bids (assumptions: generator.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from tools.instances.areas import Adjacency, representative_points

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
