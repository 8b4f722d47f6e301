"""The lot editor in headless Chromium against a real server on a free loopback port: click
and paint districts, and the panel shows what the checker recomputes; undo and redo; lock two
lots and complete the plan; save, and ``allocatie evaluate`` on the saved lots.csv agrees; bad
API requests get 4xx; no request leaves the machine. Screenshots go to
$ALLOCATIE_SCREENSHOTS (else a temporary folder).

Needs the Debian package ``chromium`` (/usr/bin/chromium) and the Python package
``playwright`` (its own browser download is never used).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from allocatie.award import award
from allocatie.checker import evaluate
from allocatie.cli import main
from allocatie.editor.command import build_session
from allocatie.editor.server import ThreadedServer
from allocatie.io.results import read_results

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTANCES = Path(__file__).resolve().parents[1] / "instances"
WIJKEN = INSTANCES / "emmen-wijken"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs headless Chromium at /usr/bin/chromium "
                              "(apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    out = tmp_path_factory.mktemp("editor-browser") / "out"
    session = build_session(WIJKEN, out=out)
    running = ThreadedServer(session).start()
    try:
        yield running, session
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    """A Chromium context that lets only requests to the editors on 127.0.0.1 through and
    records every other one (aborted)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.fail("the browser tests need the Python package playwright")
    running, _ = server
    own = urlparse(running.url)
    outside: list[str] = []

    def guard(route) -> None:
        url = urlparse(route.request.url)
        ours = url.scheme == "http" and url.hostname == own.hostname  # 127.0.0.1 only
        if ours or url.scheme in ("data", "blob", "about"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    profile = tmp_path_factory.mktemp("chromium-profile-editor")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 900}, service_workers="block")
        context.route("**/*", guard)
        try:
            yield context, outside
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, server):
    context, outside = browser
    running, session = server
    request = urllib.request.Request(  # every test starts from the instance's lots
        running.url + "/api/evaluate", method="POST",
        data=json.dumps({"assignment": dict(session.instance.lots)}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(running.url + "/")
    page.wait_for_selector("[data-verdict]", timeout=30_000)
    page.editor_errors = errors
    yield page
    page.close()
    assert errors == []
    assert outside == [], f"requests left the machine: {outside}"


def settle(page) -> dict[str, str]:
    """Wait until the panel shows the figures of the latest edit; the drawing."""
    page.wait_for_function("() => window.allocatieEditor.shownEdit() === "
                           "window.allocatieEditor.edit()", timeout=30_000)
    return page.evaluate("() => window.allocatieEditor.drawing()")


def click_district(page, district: str, shift: bool = False) -> None:
    point = page.evaluate(f"() => window.allocatieEditor.screenPoint({district!r})")
    page.mouse.click(point["x"], point["y"])


def euros(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def assert_panel_is_checker(page, instance) -> None:
    drawing = settle(page)
    fixed = dataclasses.replace(instance, lots=drawing, lot_bids=(), combination_bids=())
    awarded = award(fixed, rule="optimal")
    checked = evaluate(fixed, drawing, dict(awarded.winners))
    assert euros(page.locator("#totals [data-figure=objective]").inner_text()) == round(
        checked.objective)
    assert euros(page.locator("#totals [data-figure=cost]").inner_text()) == round(checked.cost)
    assert euros(page.locator("#totals [data-figure=transitions]").inner_text()) == \
        checked.transitions
    for lot in checked.lots:
        row = page.locator(f"#lot-table tr[data-lot='{lot.lot}']")
        assert row.locator("[data-figure=winner]").inner_text() == lot.winner
        assert euros(row.locator("[data-figure=clients]").inner_text()) == lot.clients
        assert euros(row.locator("[data-figure=transitions]").inner_text()) == lot.transitions
    verdict = page.locator("[data-verdict]").get_attribute("data-verdict")
    assert verdict == ("ok" if checked.feasible else "bad")


def boundary_district(instance, drawing, own: str, other: str) -> str:
    return next(d for d in instance.district_ids if drawing[d] == own and any(
        drawing[n] == other for n in instance.neighbours[d]))


def test_click_paint_undo_redo_follow_the_checker(page, server, screenshots):
    _, session = server
    instance = session.instance
    start = settle(page)
    assert_panel_is_checker(page, instance)
    page.screenshot(path=screenshots / "editor-start.png")

    district = boundary_district(instance, start, "2", "3")
    page.locator("#toolbar button[data-lot='3']").click()
    click_district(page, district)
    clicked = settle(page)
    assert clicked[district] == "3"
    assert {d for d in clicked if clicked[d] != start[d]} == {district}
    assert_panel_is_checker(page, instance)

    # Shift-drag paints every district the pointer passes over into the active lot.
    page.locator("#toolbar button[data-lot='4']").click()
    first = boundary_district(instance, clicked, "5", "4")
    second = next(n for n in instance.neighbours[first] if clicked[n] == "5")
    a = page.evaluate(f"() => window.allocatieEditor.screenPoint({first!r})")
    b = page.evaluate(f"() => window.allocatieEditor.screenPoint({second!r})")
    page.keyboard.down("Shift")
    page.mouse.move(a["x"], a["y"])
    page.mouse.down()
    page.mouse.move(b["x"], b["y"], steps=8)
    page.mouse.up()
    page.keyboard.up("Shift")
    painted = settle(page)
    assert painted[first] == "4" and painted[second] == "4"
    assert_panel_is_checker(page, instance)
    page.screenshot(path=screenshots / "editor-painted.png")

    page.keyboard.press("Control+z")
    assert settle(page) == clicked
    assert_panel_is_checker(page, instance)
    page.keyboard.press("Control+z")
    assert settle(page) == start
    page.keyboard.press("Control+y")
    assert settle(page) == clicked
    page.keyboard.press("Control+y")
    assert settle(page) == painted
    assert_panel_is_checker(page, instance)

    # The eraser leaves a district without a lot: the panel says so and the checker agrees.
    page.locator("#toolbar button[data-tool='erase']").click()
    click_district(page, first)
    erased = settle(page)
    assert first not in erased
    assert "geen perceel" in page.locator("#problems").inner_text()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "bad"
    page.screenshot(path=screenshots / "editor-unassigned.png")
    page.keyboard.press("Control+z")
    assert settle(page) == painted


def test_lock_two_lots_and_complete_the_plan(page, server, screenshots):
    _, session = server
    instance = session.instance
    before = settle(page)
    page.locator("#toolbar button[data-lock='1']").click()
    page.locator("#toolbar button[data-lock='2']").click()
    page.wait_for_selector("#toolbar button[data-lock='2'][aria-pressed='true']")
    # Not a race against the clock on a loaded machine: a long limit, then stop the solve as
    # soon as it shows a completion (what a user does); the best completion found comes back.
    page.locator("#time-limit").fill("600")
    page.locator("#time-limit").dispatch_event("change")
    page.locator("#complete").click()
    page.wait_for_function("() => /\\d/.test(document.querySelector('#job "
                           "[data-job=incumbent]')?.textContent || '') || "
                           "!!document.querySelector('#job [data-job-result]')",
                           timeout=240_000)
    page.evaluate("() => document.querySelector('#job #cancel')?.click()")
    page.wait_for_selector("#job [data-job-result]", timeout=120_000)
    page.screenshot(path=screenshots / "editor-completed.png")
    outcome = page.locator("#job").inner_text()
    assert "Maak af: €" in outcome, outcome
    after = settle(page)
    for d, lot in before.items():
        if lot in ("1", "2"):
            assert after[d] == lot
    assert not [d for d in after if after[d] in ("1", "2") and before[d] not in ("1", "2")]
    assert set(after) == set(instance.district_ids)
    assert_panel_is_checker(page, instance)
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "ok"
    page.keyboard.press("Control+z")  # completing is one undoable step
    assert settle(page) == before
    page.locator("#toolbar button[data-lock='1']").click()
    page.locator("#toolbar button[data-lock='2']").click()
    page.wait_for_selector("#toolbar button[data-lock='2'][aria-pressed='false']")


def test_save_then_evaluate_gives_the_same_design(page, server, tmp_path):
    _, session = server
    drawing = settle(page)
    page.locator("#save").click()
    saved = page.wait_for_selector("#job [data-saved]", timeout=120_000)
    results = Path(saved.get_attribute("data-saved"))
    assert results.parent == session.out
    assert main(["evaluate", str(WIJKEN), "--lots", str(session.out / "lots.csv"), "--out",
                 str(tmp_path / "again"), "--no-report", "--quiet"]) == 0
    mine, mine_lots, mine_winners = read_results(results)
    theirs, their_lots, their_winners = read_results(tmp_path / "again")
    assert mine_lots == their_lots == drawing
    assert mine_winners == their_winners
    assert mine["objective"] == pytest.approx(theirs["objective"])
    assert (results / "rapport.html").exists()


def test_bad_api_requests_from_the_page_get_4xx(page):
    statuses = page.evaluate("""async () => {
        const post = (path, body) => fetch(path, {method: "POST",
            headers: {"Content-Type": "application/json"}, body}).then(r => r.status);
        return [
            await post("/api/evaluate", JSON.stringify({assignment: {"NOPE": 1}})),
            await post("/api/evaluate", JSON.stringify({assignment: {"WK011401": 99}})),
            await post("/api/evaluate", "{not json"),
            await post("/api/save", JSON.stringify({assignment: {}, path: "/etc"})),
        ];
    }""")
    assert statuses == [400, 400, 400, 403]
    page.editor_errors[:] = [e for e in page.editor_errors  # the browser logs the 4xx
                             if not e.startswith("Failed to load resource")]


def test_hover_shows_name_providers_and_bids(page, server):
    _, session = server
    instance = session.instance
    district = max(instance.districts, key=lambda d: len(d.incumbents))
    point = page.evaluate(f"() => window.allocatieEditor.screenPoint({district.id!r})")
    page.mouse.move(point["x"], point["y"])
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert district.name in text and district.id in text
    for provider in district.incumbents:
        assert provider in text
    bidders = [b for b in instance.bidder_ids if instance.price(b, district.id) is not None]
    assert bidders and all(b in text for b in bidders)


@pytest.fixture(scope="module")
def buurten_server(tmp_path_factory):
    session = build_session(INSTANCES / "emmen-buurten",
                            out=tmp_path_factory.mktemp("editor-buurten") / "out")
    running = ThreadedServer(session).start()
    try:
        yield running, session
    finally:
        running.stop()


def test_wijk_brush_paints_every_buurt_of_the_wijk(browser, buurten_server, screenshots):
    context, outside = browser
    running, session = buurten_server
    instance = session.instance
    page = context.new_page()
    page.goto(running.url + "/")
    page.wait_for_selector("[data-verdict]", timeout=30_000)
    start = settle(page)
    wijk = session.geography.wijk
    buurt = next(d for d in instance.district_ids
                 if len({start[e] for e in instance.district_ids if wijk[e] == wijk[d]}) > 1)
    target = start[buurt]
    page.locator(f"#toolbar button[data-lot='{target}']").click()
    page.locator("#toolbar button[data-tool='wijk']").click()
    click_district(page, buurt)
    page.wait_for_function("() => window.allocatieEditor.edit() > 1")
    after = settle(page)
    members = [d for d in instance.district_ids if wijk[d] == wijk[buurt]]
    assert all(after[d] == target for d in members)
    assert all(after[d] == start[d] for d in instance.district_ids if d not in members)
    assert_panel_is_checker(page, instance)
    page.screenshot(path=screenshots / "editor-wijk-brush.png")
    page.close()
    assert outside == []
