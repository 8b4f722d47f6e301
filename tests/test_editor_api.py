"""The lot editor's HTTP API on a real server (uvicorn on a free loopback port): figures equal
the checker's, bad requests get 4xx and leave the state alone, "Maak af" keeps locked lots,
"Herstel" makes a drawing valid, saving writes what ``allocatie evaluate`` writes."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from allocatie.award import award
from allocatie.checker import evaluate
from allocatie.cli import main
from allocatie.editor.command import build_session, numbered
from allocatie.editor.complete import LOCKED_PREFIX, contract
from allocatie.editor.server import ThreadedServer
from allocatie.editor.session import DRAFT
from allocatie.errors import UsageError
from allocatie.io.loading import load_instance
from allocatie.io.results import read_results
from allocatie.verify import check_results_folder

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
WIJKEN = INSTANCES / "emmen-wijken"


def request(url: str, method: str = "GET", body: object = None,
            raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_job(url: str, job: dict, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while job["state"] == "running":
        assert time.monotonic() < deadline, f"job {job} did not finish"
        time.sleep(0.2)
        _, job = request(f"{url}/api/jobs/{job['id']}")
    return job


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    out = tmp_path_factory.mktemp("editor-out") / "out"
    session = build_session(WIJKEN, out=out)
    server = ThreadedServer(session).start()
    try:
        yield server.url, session
    finally:
        server.stop()


def checker_figures(instance, drawing):
    """The optimal award of the drawn lots and the checker's figures, computed here."""
    fixed = dataclasses.replace(instance, lots=drawing, lot_bids=(), combination_bids=())
    awarded = award(fixed, rule="optimal")
    return awarded, evaluate(fixed, drawing, dict(awarded.winners))


def test_instance_describes_districts_bids_and_rules(editor):
    url, session = editor
    status, data = request(f"{url}/api/instance")
    assert status == 200
    features = data["districts"]["features"]
    assert len(features) == len(session.instance.districts)
    first = session.instance.districts[0]
    props = next(f["properties"] for f in features if f["id"] == first.id)
    assert props["name"] == first.name and props["clients"] == first.clients
    assert props["incumbents"] == dict(first.incumbents)
    assert props["bids"] == {b: session.instance.price(b, first.id)
                             for b in session.instance.bidder_ids
                             if session.instance.price(b, first.id) is not None}
    lon, lat = features[0]["geometry"]["coordinates"][0][0][:2] if features[0]["geometry"][
        "type"] == "Polygon" else features[0]["geometry"]["coordinates"][0][0][0][:2]
    assert 6.5 < lon < 7.3 and 52.5 < lat < 53.0  # Emmen, in WGS84
    assert data["lots"] == [str(k) for k in range(1, 7)]
    assert data["rules"]["lot_clients_min"] == 350


def test_evaluate_equals_the_checker_and_the_evaluate_award(editor):
    url, session = editor
    drawing = dict(session.instance.lots)
    moved = next(d for d in session.instance.district_ids if drawing[d] == "2")
    drawing[moved] = "3"
    status, data = request(f"{url}/api/evaluate", "POST", {"assignment": drawing})
    assert status == 200 and not data["superseded"]
    awarded, checked = checker_figures(session.instance, drawing)
    assert data["objective"] == pytest.approx(checked.objective)
    assert data["cost"] == pytest.approx(checked.cost)
    assert data["transitions"] == checked.transitions
    assert {lot["lot"]: lot["winner"] for lot in data["lots"]} == dict(awarded.winners)
    assert data["checker"]["feasible"] == checked.feasible
    assert data["feasible"] == checked.feasible
    assert sum(lot["clients"] for lot in data["lots"]) == session.instance.total_clients
    _, state = request(f"{url}/api/state")
    assert state["assignment"] == drawing


def test_unassigned_and_split_lots_are_reported(editor):
    url, session = editor
    drawing = dict(session.instance.lots)
    lot_one = [d for d in session.instance.district_ids if drawing[d] == "1"]
    del drawing[lot_one[0]]
    far = [d for d in session.instance.district_ids if drawing.get(d) == "6"][0]
    drawing[far] = "1"
    _, data = request(f"{url}/api/evaluate", "POST", {"assignment": drawing})
    assert data["unassigned"] == [lot_one[0]]
    assert not data["feasible"]
    lot = next(x for x in data["lots"] if x["lot"] == "1")
    if not lot["contiguous"]:
        assert far in [d for part in lot["parts"] for d in part]
    assert any("geen perceel" in p for p in data["problems"])


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"assignment": {"WK999999": 1}}, 400, "unknown district"),
    ({"assignment": {"WK011401": 7}}, 400, "out of range"),
    ({"assignment": {"WK011401": 0}}, 400, "out of range"),
    ({"assignment": {"WK011401": "x"}}, 400, "out of range"),
    ({"assignment": [1, 2]}, 400, "must be an object"),
    ({"assignment": {}, "extra": 1}, 400, "unknown field"),
    ({}, 400, "missing field"),
])
def test_bad_evaluate_requests_get_4xx_and_change_nothing(editor, body, status, words):
    url, _ = editor
    _, before = request(f"{url}/api/state")
    code, data = request(f"{url}/api/evaluate", "POST", body)
    assert code == status and words in data["error"]
    _, after = request(f"{url}/api/state")
    assert after == before


def test_malformed_json_and_save_paths_are_refused(editor):
    url, session = editor
    _, before = request(f"{url}/api/state")
    code, data = request(f"{url}/api/evaluate", "POST", raw=b'{"assignment": {')
    assert code == 400 and "malformed JSON" in data["error"]
    code, data = request(f"{url}/api/save", "POST",
                         {"assignment": dict(session.instance.lots), "path": "/tmp/elsewhere"})
    assert code == 403 and "--out" in data["error"]
    code, data = request(f"{url}/api/locks", "POST", {"locked": [9]})
    assert code == 400
    code, _ = request(f"{url}/api/jobs/nope")
    assert code == 404
    code, _ = request(f"{url}/api/complete", "POST",
                      {"assignment": dict(session.instance.lots), "locked": [],
                       "time_limit": 5})
    assert code == 400
    code, _ = request(f"{url}/api/complete", "POST",
                      {"assignment": dict(session.instance.lots), "locked": ["1"],
                       "time_limit": -1})
    assert code == 400
    _, after = request(f"{url}/api/state")
    assert after == before
    assert not Path("/tmp/elsewhere").exists()


def test_complete_keeps_locked_lots_and_draws_the_rest(editor):
    url, session = editor
    drawing = dict(session.instance.lots)
    locked = ["1", "2", "3", "4"]
    for d in [d for d in drawing if drawing[d] == "5"][:2]:
        del drawing[d]  # unfinished: the design must draw these too
    code, job = request(f"{url}/api/complete", "POST",
                        {"assignment": drawing, "locked": locked, "time_limit": 20})
    assert code == 202
    job = wait_job(url, job)
    assert job["state"] == "done", job
    result = job["result"]
    done = result["assignment"]
    assert set(done) == set(session.instance.district_ids)
    for d, lot in drawing.items():
        if lot in locked:
            assert done[d] == lot
    assert not any(done[d] in locked for d in done if drawing.get(d) not in locked)
    _, checked = checker_figures(session.instance, done)
    assert checked.feasible
    assert result["figures"]["objective"] == pytest.approx(checked.objective)
    # the design's own objective is the checker's for the completed drawing and its winners
    # (the panel awards by the tender's criterion, here price-quality, as evaluate does)
    fixed = dataclasses.replace(session.instance, lots=done, lot_bids=(), combination_bids=())
    own = evaluate(fixed, done, result["design_winners"])
    assert own.feasible
    assert result["design_objective"] == pytest.approx(own.objective, abs=0.5)
    assert result["design_objective"] <= checked.objective + 0.5
    assert result["status"] in ("optimal", "feasible")


def test_repair_moves_few_districts_to_a_valid_drawing(editor):
    url, session = editor
    instance = session.instance
    drawing = dict(instance.lots)
    one = [d for d in instance.district_ids if drawing[d] == "1"]
    six = [d for d in instance.district_ids if drawing[d] == "6"]
    drawing[six[-1]] = "1"  # most likely a separate part of lot 1
    del drawing[one[0]]
    code, job = request(f"{url}/api/repair", "POST",
                        {"assignment": drawing, "locked": [], "time_limit": 20})
    assert code == 202
    job = wait_job(url, job)
    assert job["state"] == "done", job
    result = job["result"]
    repaired = result["assignment"]
    assert set(repaired) == set(instance.district_ids)
    _, checked = checker_figures(instance, repaired)
    assert not [v for v in checked.violations if "contiguous" in str(v) or "clients" in str(v)]
    assert 1 <= len(result["moved"]) <= 2
    assert result["figures"]["unassigned"] == []


def test_boundary_prices_are_exact_reawards(editor):
    url, session = editor
    drawing = dict(session.instance.lots)
    code, job = request(f"{url}/api/prices", "POST", {"assignment": drawing, "locked": ["1"]})
    assert code == 202
    job = wait_job(url, job)
    assert job["state"] == "done", job
    moves = job["result"]["moves"]
    assert moves and all(m["from"] != "1" and m["to"] != "1" for m in moves)
    _, base = checker_figures(session.instance, drawing)
    move = moves[len(moves) // 2]
    _, after = checker_figures(session.instance, {**drawing, move["district"]: move["to"]})
    assert move["delta"] == pytest.approx(after.objective - base.objective, abs=0.01)


def test_save_writes_what_evaluate_writes(editor, tmp_path):
    url, session = editor
    drawing = dict(session.instance.lots)
    code, saved = request(f"{url}/api/save", "POST", {"assignment": drawing, "report": False})
    assert code == 200, saved
    lots_csv = Path(saved["lots_csv"])
    assert lots_csv.parent == session.out
    assert main(["evaluate", str(WIJKEN), "--lots", str(lots_csv), "--out",
                 str(tmp_path / "again"), "--no-report", "--quiet"]) == 0
    mine, mine_lots, mine_winners = read_results(saved["results"])
    theirs, their_lots, their_winners = read_results(tmp_path / "again")
    assert mine["objective"] == pytest.approx(theirs["objective"])
    assert mine_winners == their_winners and mine_lots == their_lots == drawing
    assert check_results_folder(load_instance(WIJKEN), Path(saved["results"])).ok
    code, _ = request(f"{url}/api/save", "POST",
                      {"assignment": {d: lot for d, lot in list(drawing.items())[1:]}})
    assert code == 422  # every district needs a lot before saving


def test_snapshots_are_kept_and_deleted(editor):
    url, session = editor
    drawing = dict(session.instance.lots)
    code, snap = request(f"{url}/api/snapshots", "POST",
                         {"name": "Variant A", "assignment": drawing})
    assert code == 200 and snap["figures"]["objective"] > 0
    _, state = request(f"{url}/api/state")
    assert [s["name"] for s in state["snapshots"]] == ["Variant A"]
    code, _ = request(f"{url}/api/snapshots/Variant%20A", "DELETE")
    assert code == 200
    code, _ = request(f"{url}/api/snapshots/Variant%20A", "DELETE")
    assert code == 404


def test_draft_is_offered_on_the_next_start(tmp_path):
    out = tmp_path / "out"
    session = build_session(WIJKEN, out=out)
    drawing = dict(session.drawing)
    first = session.instance.district_ids[0]
    drawing[first] = "2" if drawing[first] != "2" else "3"
    session.set_drawing(drawing)
    assert (out / DRAFT).exists()
    again = build_session(WIJKEN, out=out)
    assert again.draft is not None and again.draft["assignment"] == drawing
    again.set_drawing(dict(again.drawing))  # the pending draft is not overwritten
    assert build_session(WIJKEN, out=out).draft["assignment"] == drawing
    again.restore_draft()
    assert again.drawing == drawing and again.draft is None


def test_out_folder_with_foreign_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="did not write"):
        build_session(WIJKEN, out=tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_lot_labels_are_numbered_one_to_k():
    instance = load_instance(WIJKEN)
    named = {d: ("Noord" if i % 2 else "Zuid") for i, d in enumerate(instance.district_ids)}
    assert set(numbered(instance, named).values()) == {"1", "2"}
    many = {d: f"L{i}" for i, d in enumerate(instance.district_ids)}
    with pytest.raises(UsageError, match="more than"):
        numbered(instance, many)


def test_contracted_instance_isolates_locked_lots():
    instance = load_instance(WIJKEN)
    locked = {lot: [d for d, lab in instance.lots.items() if lab == lot] for lot in ("1", "2")}
    small = contract(instance, locked)
    nodes = [d.id for d in small.districts if d.id.startswith(LOCKED_PREFIX)]
    assert len(nodes) == 2
    assert not [e for e in small.edges if e.a in nodes or e.b in nodes]
    assert small.total_clients == instance.total_clients
    node = LOCKED_PREFIX + "1"
    for b in instance.bidder_ids:
        prices = [instance.price(b, d) for d in locked["1"]]
        if all(p is not None for p in prices):
            expected = sum(p * instance.clients(d) for p, d in zip(prices, locked["1"],
                                                                   strict=True))
            assert small.price(b, node) * small.clients(node) == pytest.approx(expected)
        else:
            assert small.price(b, node) is None


def test_from_a_results_folder_shows_the_optimum_and_the_gap(editor, tmp_path):
    url, session = editor
    code, saved = request(f"{url}/api/save", "POST",
                          {"assignment": dict(session.instance.lots), "report": False})
    assert code == 200
    other = build_session(WIJKEN, from_results=Path(saved["results"]), out=tmp_path / "o",
                          lang="en")
    assert other.drawing == dict(session.instance.lots)
    assert other.optimum["objective"] == pytest.approx(saved["objective"])
    server = ThreadedServer(other).start()
    try:
        drawing = dict(other.drawing)
        first = other.instance.district_ids[0]
        drawing[first] = next(drawing[n] for n in other.instance.neighbours[first]
                              if drawing[n] != drawing[first])
        _, data = request(f"{server.url}/api/evaluate", "POST", {"assignment": drawing})
        expected = (data["objective"] - saved["objective"]) / saved["objective"]
        assert data["gap_to_optimum"] == pytest.approx(expected)
        _, texts = request(f"{server.url}/api/instance")
        assert texts["lang"] == "en" and texts["texts"]["complete"] == "Complete"
        _, empty = request(f"{server.url}/api/evaluate", "POST", {"assignment": {}})
        assert empty["objective"] is None and not empty["feasible"]
        assert len(empty["unassigned"]) == len(other.instance.districts)
        assert any("have no lot yet" in p for p in empty["problems"])
    finally:
        server.stop()


def test_the_command_line_refuses_a_foreign_out_folder(tmp_path, capsys):
    (tmp_path / "keep.csv").write_text("x", encoding="utf-8")
    assert main(["editor", str(WIJKEN), "--out", str(tmp_path), "--no-browser"]) == 2
    assert "did not write" in capsys.readouterr().err
    assert (tmp_path / "keep.csv").read_text(encoding="utf-8") == "x"


def test_buurten_know_their_wijk_for_the_wijk_brush():
    from allocatie.editor.geo import load_geography

    instance = load_instance(INSTANCES / "emmen-buurten")
    geography = load_geography(instance)
    assert geography.has_wijken
    assert geography.wijk["BU01140100"] == "WK011401"
    assert len(set(geography.wijk.values())) < len(instance.districts)
    assert not load_geography(load_instance(WIJKEN)).has_wijken


def test_the_latest_edit_wins_when_edits_overlap(editor):
    import threading

    url, session = editor
    base = dict(session.instance.lots)
    drawings = []
    for d in session.instance.district_ids[:6]:
        other = next(base[n] for n in session.instance.neighbours[d] if base[n] != base[d]) \
            if any(base[n] != base[d] for n in session.instance.neighbours[d]) else base[d]
        drawings.append({**base, d: other})
    answers: list[dict] = [{} for _ in drawings]

    def send(i: int) -> None:
        answers[i] = request(f"{url}/api/evaluate", "POST", {"assignment": drawings[i]})[1]

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(drawings) - 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    send(len(drawings) - 1)
    assert not answers[-1]["superseded"]
    assert answers[-1]["edit"] == max(a["edit"] for a in answers)
    _, state = request(f"{url}/api/state")
    assert state["assignment"] == drawings[-1]
    for a in answers[:-1]:  # each overlapping answer is either complete or says superseded
        assert a["superseded"] or a["objective"] is not None


def test_binding_rules_come_with_the_figures_or_on_their_own(editor):
    url, session = editor
    drawing = dict(session.instance.lots)
    _, full = request(f"{url}/api/evaluate", "POST", {"assignment": drawing})
    _, quick = request(f"{url}/api/evaluate", "POST",
                       {"assignment": drawing, "binding": False})
    _, alone = request(f"{url}/api/binding", "POST", {"assignment": drawing})
    assert quick["binding"] is None
    assert full["binding"] == alone["binding"]
    rules = {b["rule"] for b in alone["binding"]}
    assert rules == {"max_lots_per_bidder", "capacity"}
    # a rule binds exactly when the award without it is cheaper: check the lot limit
    instance = session.instance
    fixed = dataclasses.replace(instance, lots=drawing, lot_bids=(), combination_bids=())
    free = dataclasses.replace(
        fixed, rules=dataclasses.replace(fixed.rules, max_lots_per_bidder=None),
        bidders=tuple(dataclasses.replace(b, max_lots=None) for b in fixed.bidders))
    saving = award(fixed, rule="optimal").objective - award(free, rule="optimal").objective
    limit = next(b for b in alone["binding"] if b["rule"] == "max_lots_per_bidder")
    assert limit["saving"] == pytest.approx(max(0.0, saving), abs=0.01)
    assert limit["binds"] == (saving > 0.01)
