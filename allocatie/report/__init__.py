"""Human-readable results: a print map (kaart.png), an offline interactive map (kaart.html),
a self-contained HTML report (rapport.html) and an Excel workbook (resultaat.xlsx).

Only :func:`write_report` is public. It writes into the given folder only (the caller writes
into a staging folder and moves it into place) and its output is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from allocatie.report.texts import LANGUAGES, texts

if TYPE_CHECKING:
    from allocatie.checker import Evaluation
    from allocatie.instance import Instance
    from allocatie.solution import Solution

MAP_PNG = "kaart.png"
CURRENT_MAP_PNG = "kaart-huidig.png"
WEB_MAP = "kaart.html"
REPORT_HTML = "rapport.html"
WORKBOOK = "resultaat.xlsx"

__all__ = ["LANGUAGES", "MAP_PNG", "REPORT_HTML", "WEB_MAP", "WORKBOOK", "write_report"]


def write_report(folder: Path, instance: Instance, solution: Solution,
                 evaluation: Evaluation | None, lang: str = "nl",
                 alternatives: Sequence[Mapping[str, object]] | None = None) -> list[Path]:
    """Write the report files into ``folder`` and return their paths.

    ``evaluation`` is the checker's verdict on ``solution`` (None when there is no solution);
    ``alternatives`` are other evaluated designs as ``{name, cost, transitions}`` for the
    cost-against-transitions plot. Without district geometry (an instance built in code) the
    maps are skipped and the report says so. With no solution, ``kaart.png`` shows today's
    providers. Raises ValueError for an unknown language.
    """
    from allocatie.io.geometry import district_frame
    from allocatie.report import data as report_data
    from allocatie.report import excel, html, maps, webmap

    texts(lang)  # fail early on an unknown language
    folder = Path(folder)
    data = report_data.build(instance, solution, evaluation, lang, alternatives)
    districts = district_frame(instance)
    written: list[Path] = []
    lot_svg = provider_svg = None
    if districts is not None and len(districts):
        has_providers = any(d.incumbents for d in instance.districts)
        if data.has_solution:
            figure = maps.lot_map(districts, data)
            maps.save_png(figure, folder / MAP_PNG)
            lot_svg = maps.svg_text(figure)
            written.append(folder / MAP_PNG)
        if has_providers or not data.has_solution:
            figure = maps.provider_map(districts, data)
            target = CURRENT_MAP_PNG if data.has_solution else MAP_PNG
            maps.save_png(figure, folder / target)
            provider_svg = maps.svg_text(figure)
            written.append(folder / target)
        webmap.write(folder / WEB_MAP, districts, data)
        written.append(folder / WEB_MAP)
    html.write(folder / REPORT_HTML, data, lot_map_svg=lot_svg, provider_map_svg=provider_svg,
               has_webmap=districts is not None)
    written.append(folder / REPORT_HTML)
    excel.write(folder / WORKBOOK, data)
    written.append(folder / WORKBOOK)
    return written
