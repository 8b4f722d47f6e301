"""Render rapport.html and kaart.html in headless Chromium: everything is drawn and no request
leaves the machine. Screenshots go to $ALLOCATIE_SCREENSHOTS (else a temporary folder).

Needs the Debian package ``chromium`` (/usr/bin/chromium) and the Python package
``playwright`` (its own browser download is never used).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_report_support import EMMEN_WIJKEN, emmen_solution, load

from allocatie.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = {"file", "data", "about", "blob"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs headless Chromium at /usr/bin/chromium "
                              "(apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def emmen_report(tmp_path_factory) -> tuple[Path, object, object]:
    instance = load(EMMEN_WIJKEN)
    solution, evaluation = emmen_solution(instance, log=("Regel: laagste prijs",))
    folder = tmp_path_factory.mktemp("browser-report")
    alternatives = [{"name": "Goedkoopst", "cost": evaluation.cost * 0.93,
                     "transitions": evaluation.transitions + 900}]
    write_report(folder, instance, solution, evaluation, alternatives=alternatives)
    return folder, instance, solution


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """A Chromium context with a fresh profile that records every request and aborts any
    that would leave the machine."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.fail("the browser tests need the Python package playwright "
                    "(pip install playwright; its browser download is not needed)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    requests: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        requests.append(url)
        if urlparse(url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900}, service_workers="block")
        context.route("**/*", guard)
        context.on("request", lambda request: requests.append(request.url))
        try:
            yield context, requests
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _open(context, path: Path):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def _only_local(requests: list[str]) -> list[str]:
    return [url for url in requests if urlparse(url).scheme not in LOCAL_SCHEMES]


def test_webmap_draws_every_district_and_lot_offline(browser_context, emmen_report,
                                                     screenshots):
    context, requests = browser_context
    folder, instance, solution = emmen_report
    page, errors = _open(context, folder / "kaart.html")
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)
    assert page.locator("path.district").count() == len(instance.districts)
    assert page.locator("path.district-lot").count() == len(instance.districts)
    assert page.locator("path.lot-outline").count() == len(solution.lots)
    assert page.locator(".lot-label").count() == len(solution.lots)
    page.screenshot(path=screenshots / "kaart-html.png")

    first = instance.districts[0]
    box = page.locator("path.district").first.bounding_box()
    assert box is not None
    page.locator("path.district").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    assert first.name in text and first.id in text and "Hoofdaannemer" in text
    page.screenshot(path=screenshots / "kaart-html-tooltip.png")

    page.locator(".leaflet-control-layers").get_by_text("Huidige aanbieders").click()
    assert page.locator("path.district-current").count() == len(instance.districts)
    assert page.locator("path.district-lot").count() == 0
    assert "Grootste huidige aanbieder" in page.locator(".legend").inner_text()
    page.screenshot(path=screenshots / "kaart-html-huidig.png")
    page.close()
    assert errors == []
    assert _only_local(requests) == []


def test_report_renders_maps_and_tables_offline(browser_context, emmen_report, screenshots):
    context, requests = browser_context
    folder, instance, solution = emmen_report
    page, errors = _open(context, folder / "rapport.html")
    districts, lots = len(instance.districts), len(solution.lots)
    assert page.locator("#lot-map svg g[id^='district-']").count() == districts
    assert page.locator("#lot-map svg g[id^='lot-']").count() == lots
    assert page.locator("#provider-map svg g[id^='district-']").count() == districts
    assert page.locator("tr[data-lot]").count() == lots
    assert page.locator("tr[data-district]").count() == districts
    assert page.locator("#afweging svg").count() == 1
    width = page.evaluate("document.querySelector('#lot-map svg').getBoundingClientRect().width")
    assert width > 500
    page.screenshot(path=screenshots / "rapport-boven.png")
    page.screenshot(path=screenshots / "rapport.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=screenshots / "rapport-print.png", full_page=True)
    page.close()
    assert errors == []
    assert _only_local(requests) == []
