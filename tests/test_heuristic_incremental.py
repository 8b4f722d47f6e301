"""The design heuristic's incremental bookkeeping: kept figures, move deltas, the quiet marks
that let the descent skip units, and hop distances computed per source.

Each shortcut is checked against the plain computation it replaces: a fresh recomputation
of the figures, the search run without skipping or filtering, scipy's all-pairs distances.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path
from test_design_heuristic import random_instance

from allocatie.budget import Budget
from allocatie.design.common import DesignData
from allocatie.design.heuristic import heuristic_design, hops
from allocatie.design.heuristic.context import Context
from allocatie.design.heuristic.hops import HopDistances
from allocatie.design.heuristic.search import Search
from allocatie.design.heuristic.state import Quiet, State
from allocatie.instance import Instance
from allocatie.io.loading import load_instance

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
FEATURE_SETS = [frozenset(f) for f in ({"bounds", "capacity"}, {"soft", "compact"},
                                        {"missing", "capacity"}, {"current"},
                                        {"pins", "together", "bounds"})]


@pytest.fixture(scope="module")
def emmen_buurten() -> Instance:
    return load_instance(INSTANCES / "emmen-buurten")


def _search(instance: Instance, seed: int = 0) -> Search:
    data = DesignData.from_instance(instance)
    search = Search(data, seed, Budget.starting_now(60.0), None, None, "highs", False)
    search.ctx = Context(data)
    return search


def _start(search: Search, seed: int) -> State:
    """A design grown from spread seeds with random winners, as a search state."""
    rng = random.Random(seed)
    k = search.data.lots_min
    seeds = search._spread_seeds(k, ())
    assert seeds is not None
    winners = [rng.randrange(search.ctx.nb) for _ in range(k)]
    lot_of = search._grow(seeds, winners)
    assert lot_of is not None
    return State(search.ctx, lot_of, winners)


def _random_moves(search: Search, des: State, rng: random.Random, count: int) -> None:
    """``count`` random boundary moves that keep the lots non-empty and connected."""
    ctx = search.ctx
    done = 0
    for _ in range(50 * count):
        if done == count:
            return
        u = rng.randrange(ctx.n_units)
        members = ctx.unit_members[u]
        a = des.lot_of[members[0]]
        targets = search._targets(des, u)
        if not targets or not des.removable(a, members):
            continue
        des.move(u, a, rng.choice(targets))
        done += 1


def _assert_figures_match(des: State) -> None:
    fresh = State(des.ctx, des.lot_of, des.winner)
    assert des.members == fresh.members
    assert des.lot_clients == fresh.lot_clients
    assert des.bidder_clients == fresh.bidder_clients
    assert des.lot_label == fresh.lot_label
    assert des.missing == fresh.missing
    assert des.award_cost == pytest.approx(fresh.award_cost, rel=1e-12, abs=1e-6)
    assert des.cut_m == pytest.approx(fresh.cut_m, rel=1e-12, abs=1e-6)
    if des.ctx.track_changed:
        assert des.changed == fresh.changed
    assert des.key() == pytest.approx(fresh.key(), rel=1e-12, abs=1e-6)
    if des.ctx.contiguous:  # the kept edges of each lot (read before, so maybe stale)
        assert [des.edge_of(lot) for lot in range(des.k)] == \
            [fresh.edge_of(lot) for lot in range(des.k)]


# --------------------------------------------------------------------------- figures
@pytest.mark.parametrize("features", FEATURE_SETS)
def test_move_deltas_and_kept_figures_equal_a_recomputation(features: frozenset[str]) -> None:
    rng = random.Random(3)
    for seed in range(3):
        instance = random_instance(200 + seed, 3, 4, 3, features)
        search = _search(instance, seed)
        des = _start(search, seed)
        ctx = search.ctx
        for lot in range(des.k):
            des.edge_of(lot)
        for step in range(60):
            u = rng.randrange(ctx.n_units)
            a = des.lot_of[ctx.unit_members[u][0]]
            targets = search._targets(des, u)
            if not targets:
                continue
            b = rng.choice(targets)
            before = des.key()
            dv, do = des.violation_delta(u, a, b), des.objective_delta(u, a, b)
            assert (dv, do) == des.delta(u, a, b)
            des.move(u, a, b)
            after = des.key()
            assert after[0] - before[0] == pytest.approx(dv, abs=1e-6)
            assert after[1] - before[1] == pytest.approx(do, rel=1e-9, abs=1e-6)
            if step % 10 == 0:
                _assert_figures_match(des)
        _assert_figures_match(des)


def test_kept_figures_after_a_descent_on_emmen_buurten(emmen_buurten: Instance) -> None:
    search = _search(emmen_buurten)
    des = _start(search, 1)
    search.descend(des)
    _random_moves(search, des, random.Random(1), 40)
    _assert_figures_match(des)


# --------------------------------------------------------------------------- quiet marks
def _units_marked_quiet(quiet: Quiet, des: State) -> list[int]:
    return [u for u in range(des.ctx.n_units) if quiet.holds(des, u)]


def test_quiet_units_find_nothing_when_searched_afresh(emmen_buurten: Instance) -> None:
    """After a descent and some random moves, every unit the marks let the search skip
    finds no move and no chain on a fresh copy of the design (without marks)."""
    search = _search(emmen_buurten)
    for seed in range(3):
        des = _start(search, seed)
        search.descend(des)
        _random_moves(search, des, random.Random(seed), 1)
        skipped_moves = _units_marked_quiet(des.quiet_moves, des)
        skipped_chains = _units_marked_quiet(des.quiet_chains, des)
        assert skipped_moves and skipped_chains  # the check is not empty
        assert len(skipped_moves) < des.ctx.n_units  # the random moves woke some up
        fresh = State(des.ctx, des.lot_of, des.winner)
        for u in skipped_moves:
            assert not search._improve_unit(fresh, u), u
        for u in skipped_chains:
            assert not search._chain_unit(fresh, u), u


def _deltas(search: Search, des: State, u: int) -> list[tuple[int, float, float]]:
    """The moves unit ``u`` may make and their deltas (none when it is its lot)."""
    members = des.ctx.unit_members[u]
    a = des.lot_of[members[0]]
    if len(des.members[a]) <= len(members):
        return []
    return [(b, des.violation_delta(u, a, b), des.objective_delta(u, a, b))
            for b in search._targets(des, u)]


def _check_quiet_through_moves(instance: Instance, seed: int, moves: int) -> int:
    """Descend, then make random moves; after each, every unit still marked quiet has the
    deltas it had when marked and finds nothing afresh. Returns the units checked."""
    search = _search(instance, seed)
    des = _start(search, seed)
    search.descend(des)
    rng = random.Random(seed)
    marked = {u: _deltas(search, des, u) for u in _units_marked_quiet(des.quiet_moves, des)}
    checked = 0
    for _ in range(moves):
        _random_moves(search, des, rng, 1)
        fresh = State(des.ctx, des.lot_of, des.winner)
        for u in _units_marked_quiet(des.quiet_moves, des):
            assert _deltas(search, des, u) == marked[u], (seed, u)
            assert not search._improve_unit(fresh, u), (seed, u)
            checked += 1
        for u in _units_marked_quiet(des.quiet_chains, des):
            assert not search._chain_unit(fresh, u), (seed, u)
    return checked


def test_quiet_marks_stay_exact_through_random_moves_on_emmen(emmen_buurten: Instance,
                                                              ) -> None:
    assert sum(_check_quiet_through_moves(emmen_buurten, seed, 10) for seed in range(3))


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_quiet_marks_stay_exact_through_random_moves(features: frozenset[str]) -> None:
    """Tight capacities and bounds: after each random move, a unit still marked quiet has
    the deltas it had when it was marked, and finds no move and no chain afresh."""
    checked = 0
    for seed in range(10):
        instance = random_instance(400 + seed, 4, 5, 4, features | {"capacity"})
        checked += _check_quiet_through_moves(instance, seed, 15)
    if "current" in features:
        assert checked == 0  # the changed cap reads every lot: nothing is skipped
    else:
        assert checked > 0


def test_a_derived_design_keeps_the_marks_of_unchanged_lots(emmen_buurten: Instance) -> None:
    """A copy keeps every mark; a design with another winner for one lot wakes up the
    units around it, and what stays marked still finds nothing afresh."""
    search = _search(emmen_buurten)
    des = _start(search, 0)
    search.descend(des)
    quiet = _units_marked_quiet(des.quiet_moves, des)
    same = State(des.ctx, des.lot_of, des.winner, parent=des)
    assert _units_marked_quiet(same.quiet_moves, same) == quiet
    kicked = list(des.winner)
    kicked[0] = (kicked[0] + 1) % des.ctx.nb
    other = State(des.ctx, des.lot_of, kicked, parent=des)
    still = _units_marked_quiet(other.quiet_moves, other)
    assert set(still) < set(quiet)
    assert not any(0 in search._around(other, u) for u in still)
    fresh = State(des.ctx, des.lot_of, kicked)
    for u in still:
        assert not search._improve_unit(fresh, u), u


def _unskipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search without quiet marks and without the mending-move filter."""
    monkeypatch.setattr(Quiet, "holds", lambda self, des, u: False)
    monkeypatch.setattr(State, "eases_out", lambda self, u, a: True)
    monkeypatch.setattr(State, "short_lots", lambda self: set(range(self.k)))


def _runs(instance: Instance, seeds: range, iterations: int) -> list[tuple]:
    out = []
    for seed in seeds:
        found = heuristic_design(instance, time_limit_s=120.0, seed=seed,
                                 max_iterations=iterations, region_milps=False)
        assert found is not None
        out.append((dict(found.assignment), dict(found.winners), found.objective,
                    found.iterations))
    return out


def test_skipping_leaves_the_designs_unchanged_on_emmen_buurten(
        emmen_buurten: Instance, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _runs(emmen_buurten, range(2), 30)
    _unskipped(monkeypatch)
    assert _runs(emmen_buurten, range(2), 30) == fast


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_skipping_leaves_the_designs_unchanged_on_random_instances(
        features: frozenset[str], monkeypatch: pytest.MonkeyPatch) -> None:
    instances = [random_instance(300 + seed, 3, 4, 3, features) for seed in range(3)]
    fast = [_runs(instance, range(2), 15) for instance in instances]
    _unskipped(monkeypatch)
    assert [_runs(instance, range(2), 15) for instance in instances] == fast


# --------------------------------------------------------------------------- hops
def _random_graph(n: int, seed: int) -> csr_matrix:
    """A sparse graph with a few components (and an isolated district)."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for i in range(1, n - 1):
        if i % 17:  # cut into parts
            rows.append(i)
            cols.append(i - 1)
        j = int(rng.integers(0, n - 1))
        if abs(j - i) < 5:
            rows.append(i)
            cols.append(j)
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def test_hop_distances_equal_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hops, "CACHE_ROWS", 8)
    monkeypatch.setattr(hops, "BATCH", 7)
    n = 120
    matrix = _random_graph(n, 4)
    full = shortest_path(matrix, method="D", unweighted=True, directed=False)
    full[~np.isfinite(full)] = 4 * n + 4
    dist = HopDistances(matrix)
    rng = random.Random(5)
    for _ in range(30):
        sources = rng.sample(range(n), rng.randint(1, 12))
        assert np.array_equal(dist.rows(sources), full[sources])
        assert np.array_equal(dist.row(sources[0]), full[sources[0]])
        targets = rng.sample(range(n), 9)
        assert np.array_equal(dist.block(sources, targets), full[np.ix_(sources, targets)])
        assert np.array_equal(dist.nearest(sources), full[sources].min(axis=0))
    assert len(dist._cache) <= 12


def test_hop_distances_of_the_context_match_the_graph(emmen_buurten: Instance) -> None:
    ctx = Context(DesignData.from_instance(emmen_buurten))
    full = shortest_path(ctx.hops.matrix, method="D", unweighted=True, directed=False)
    assert np.isfinite(full).all()  # Emmen's buurten are one component
    assert np.array_equal(ctx.hops.rows(list(range(ctx.n))), full)
    first = ctx.nbrs[0][0]
    assert ctx.hops.row(0)[first] == 1.0


def test_a_winner_near_its_capacity_is_stamped_tight(emmen_buurten: Instance) -> None:
    """Clients of a winner that change within two units of its capacity wake up the
    units that read it; far below the capacity they do not."""
    search = _search(emmen_buurten)
    des = _start(search, 0)
    ctx = des.ctx
    u, a, b = next((u, des.lot_of[ctx.unit_members[u][0]], b) for u in range(ctx.n_units)
                   for b in search._targets(des, u)
                   if des.winner[des.lot_of[ctx.unit_members[u][0]]] != des.winner[b])
    wa, wb = des.winner[a], des.winner[b]
    s = ctx.unit_clients[u]
    for room, woken in ((1, True), (2 * max(ctx.unit_clients) + s + 1, False)):
        ctx.cap[wa] = des.bidder_clients[wa] + room
        ctx.cap[wb] = des.bidder_clients[wb] + s + room
        ctx.tight_from = ctx.tight_thresholds()
        before = list(des.tight_stamp)
        des.move(u, a, b)
        assert (des.tight_stamp[wa] == des.clock) is woken
        assert (des.tight_stamp[wb] == des.clock) is woken
        assert des.load_stamp[wa] == des.load_stamp[wb] == des.clock
        assert [t for w, t in enumerate(des.tight_stamp) if w not in (wa, wb)] == \
            [t for w, t in enumerate(before) if w not in (wa, wb)]
        des.move(u, b, a)
