"""Render vergelijking.html in headless Chromium: every candidate's map is drawn, the tables
and the Pareto plot are there, and no request leaves the machine. Screenshots go to
$ALLOCATIE_SCREENSHOTS (else a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import (  # noqa: F401 - fixtures
    CHROMIUM,
    _only_local,
    _open,
    browser_context,
)

from allocatie.compare import run_compare

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "emmen-wijken"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs headless Chromium at /usr/bin/chromium "
                              "(apt-get install -y chromium)"),
]

SPEC = f"""
name = "Emmen: browsertest"
instance = "{INSTANCE}"
[scenarios]
count = 4
seed = 3
price_level_sd = 0.08
no_show_probability = 0.2
[[scenarios.named]]
name = "zonder Zorggroep A"
absent = ["Zorggroep A"]
[[designs]]
name = "vandaag"
kind = "current"
[[designs]]
name = "bestek"
kind = "fixed"
lots = "{INSTANCE / 'lots.csv'}"
[[designs]]
name = "stad3-land2"
kind = "fixed"
lots = "{ROOT / 'examples' / 'emmen-stad3-land2.csv'}"
[[designs]]
name = "stad4-land3"
kind = "fixed"
lots = "{ROOT / 'examples' / 'emmen-stad4-land3.csv'}"
"""


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-compare")
    spec = folder / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    return run_compare(spec, folder / "out", workers=1)


def test_every_candidate_map_is_drawn_offline(browser_context, comparison,  # noqa: F811
                                              screenshots) -> None:  # noqa: F811
    context, requests = browser_context
    page, errors = _open(context, comparison.files["vergelijking.html"])
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    designs = comparison.designs.set_index("design")
    districts = 27
    assert page.locator(".mini-map").count() == len(designs) == 4
    assert page.get_attribute("body", "data-maps") == "4"
    for name, row in designs.iterrows():
        card = page.locator(f".map-card[data-design='{name}']")
        assert card.locator("h3").inner_text().endswith(name)
        assert card.locator("path.district").count() == districts, name
        assert card.locator("path.lot-outline").count() == int(row["lots"]), name
        assert card.locator(".lot-label").count() == int(row["lots"]), name
        box = card.locator(".mini-map").bounding_box()
        assert box is not None and box["width"] > 250 and box["height"] > 250
    assert page.locator("#pareto svg").count() == 1
    assert page.locator("table.overview tbody tr").count() == 4
    assert page.locator("table.named tbody tr").count() == 4
    assert "bestek = vandaag" in page.locator("#counts").inner_text()
    page.screenshot(path=screenshots / "vergelijking.png", full_page=True)
    page.locator("#kaarten").scroll_into_view_if_needed()
    page.locator(".map-card[data-design='stad4-land3'] path.district").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "Verwachte winnaar" in tooltip.inner_text()
    page.screenshot(path=screenshots / "vergelijking-kaarten.png")
    page.close()
    assert errors == []
    assert _only_local(requests) == []
