"""Helpers for the report tests (no tests here): the bundled Emmen instance with an evaluated
solution on a fixed design, and a small instance built in code without geometry."""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from allocatie.checker import Evaluation, evaluate
from allocatie.instance import Bidder, District, Edge, Instance, Rules
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status

ROOT = Path(__file__).resolve().parent.parent
EMMEN_WIJKEN = ROOT / "instances" / "emmen-wijken"


def load(folder: Path) -> Instance:
    """The instance of a bundled folder: through ``allocatie.loading`` when it exists, else
    read here from the spec's files (districts, incumbents, bidders, bids, lots)."""
    try:
        from allocatie.loading import load_instance
    except ImportError:
        return _read_folder(folder)
    return load_instance(folder)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _read_folder(folder: Path) -> Instance:
    import gebieden

    config = tomllib.loads((folder / "instance.toml").read_text(encoding="utf-8"))
    files = dict(config["files"])
    frame = gebieden.read_districts(folder / files["districts"])
    incumbents: dict[str, dict[str, int]] = defaultdict(dict)
    if "incumbents" in files:
        for row in _rows(folder / files["incumbents"]):
            incumbents[row["district_id"]][row["provider"]] = int(row["clients"])
    districts = tuple(
        District(id=str(i), clients=int(r["clients"]), name=str(r.get("name") or ""),
                 incumbents=incumbents.get(str(i), {}))
        for i, r in frame.iterrows())
    bidders = tuple(
        Bidder(id=r["bidder"], capacity=int(r["capacity"]) if r.get("capacity") else None,
               max_lots=int(r["max_lots"]) if r.get("max_lots") else None,
               lot_fee=float(r["lot_fee"]) if r.get("lot_fee") else 0.0)
        for r in _rows(folder / files["bidders"]))
    bids = {(r["bidder"], r["district_id"]): float(r["price"])
            for r in _rows(folder / files["bids"])}
    edges = tuple(Edge(a.a, a.b, a.border_m, a.kind)
                  for a in gebieden.adjacency(frame, kind="queen"))
    raw = config.get("rules", {})
    lots = raw.get("lots")
    rules = Rules(
        lots_min=raw.get("lots_min", lots or 1), lots_max=raw.get("lots_max", lots or 1),
        max_lots_per_bidder=raw.get("max_lots_per_bidder"),
        lot_clients_min=raw.get("lot_clients_min"), lot_clients_max=raw.get("lot_clients_max"),
        transition_cost=float(raw.get("transition_cost", 0.0)),
        contiguity=raw.get("contiguity", "rook"))
    solver = config.get("solver", {})

    def design(role: str) -> dict[str, str] | None:
        if role not in files:
            return None
        return {r["district_id"]: r["lot"] for r in _rows(folder / files[role])}

    return Instance(
        name=config.get("name", folder.name), description=config.get("description", ""),
        districts=districts, bidders=bidders, bids=bids, edges=edges, rules=rules,
        lots=design("lots"), current_lots=design("current_lots"),
        solver=SolverSettings(backend=solver.get("backend", "highs"),
                              time_limit_s=float(solver.get("time_limit_s", 60))),
        folder=folder, files={k: str(v) for k, v in files.items()},
    )


def best_award(instance: Instance, design: Mapping[str, str],
               node_limit: int = 50_000) -> dict[str, str]:
    """Cheap feasible winners of a fixed design under district prices (cost plus transition
    cost), by depth-first search with pruning: the optimum when the search ends within
    ``node_limit`` nodes (small designs), else the best found."""
    members: dict[str, list[str]] = defaultdict(list)
    for d, lot in design.items():
        members[lot].append(d)
    lots = sorted(members, key=lambda lot: -sum(instance.clients(d) for d in members[lot]))
    options: dict[str, list[tuple[float, str]]] = {}
    rules = instance.rules
    for lot in lots:
        clients = sum(instance.clients(d) for d in members[lot])
        choice = []
        for bidder in instance.bidders:
            prices = [instance.price(bidder.id, d) for d in members[lot]]
            if any(p is None for p in prices):
                continue
            cost = bidder.lot_fee + sum(p * instance.clients(d)
                                        for p, d in zip(prices, members[lot], strict=True))
            moved = sum(n for d in members[lot]
                        for p, n in instance.district_by_id[d].incumbents.items()
                        if p != bidder.id)
            if bidder.capacity is not None and clients > bidder.capacity:
                continue
            choice.append((cost + rules.transition_cost * moved, bidder.id))
        options[lot] = sorted(choice)
    best: tuple[float, dict[str, str]] = (float("inf"), {})
    budget = [node_limit]

    def search(i: int, total: float, chosen: dict[str, str], load: dict[str, int],
               count: dict[str, int]) -> None:
        nonlocal best
        budget[0] -= 1
        if total >= best[0] or budget[0] < 0:
            return
        if i == len(lots):
            best = (total, dict(chosen))
            return
        lot = lots[i]
        clients = sum(instance.clients(d) for d in members[lot])
        for value, bidder in options[lot]:
            limit = instance.max_lots(bidder)
            capacity = instance.bidder_by_id[bidder].capacity
            if limit is not None and count.get(bidder, 0) >= limit:
                continue
            if capacity is not None and load.get(bidder, 0) + clients > capacity:
                continue
            chosen[lot] = bidder
            count[bidder] = count.get(bidder, 0) + 1
            load[bidder] = load.get(bidder, 0) + clients
            search(i + 1, total + value, chosen, load, count)
            count[bidder] -= 1
            load[bidder] -= clients
            del chosen[lot]

    search(0, 0.0, {}, {}, {})
    return best[1]


def emmen_solution(instance: Instance, status: Status = Status.OPTIMAL,
                   log: tuple[str, ...] = ()) -> tuple[Solution, Evaluation]:
    """Today's areas of Emmen (``current_lots``, else ``lots``) with the cheapest winners."""
    design = dict(instance.current_lots or instance.lots or {})
    winners = best_award(instance, design)
    evaluation = evaluate(instance, design, winners)
    bound = evaluation.objective * (0.988 if status is Status.FEASIBLE else 1.0)
    solution = Solution(status=status, assignment=design, winners=winners,
                        objective=evaluation.objective, bound=bound, solver="highs 1.12",
                        time_s=12.34, log=log)
    return solution, evaluation


def tiny_instance() -> Instance:
    """Three districts on a path, two bidders, no geometry (built in code)."""
    districts = (
        District("A", 100, "Noord", {"Oud": 80}),
        District("B", 50, "Midden", {"Oud": 20, "Nieuw": 25}),
        District("C", 70, "Zuid", {}),
    )
    bidders = (Bidder("Oud", capacity=200), Bidder("Nieuw"))
    bids = {(b, d): price for b, price in (("Oud", 1000.0), ("Nieuw", 900.0))
            for d in "ABC"}
    edges = (Edge("A", "B", 10.0), Edge("B", "C", 10.0))
    return Instance(name="Drie wijken", districts=districts, bidders=bidders, bids=bids,
                    edges=edges, rules=Rules(lots_min=2, lots_max=2, transition_cost=500.0))
