"""The self-contained HTML report (rapport.html): inline CSS, maps and charts as inline SVG,
no external fetch. Dutch by default, English with ``lang="en"``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from allocatie import __version__
from allocatie.report import charts
from allocatie.report.data import ReportData
from allocatie.report.webmap import environment
from allocatie.status import Status
from allocatie.text import natural_key

STATUS_CLASS = {Status.OPTIMAL: "ok", Status.FEASIBLE: "warn", Status.INFEASIBLE: "bad",
                Status.NO_SOLUTION: "bad"}


def render(data: ReportData, lot_map_svg: str | None = None,
           provider_map_svg: str | None = None, has_webmap: bool = False) -> str:
    """The complete rapport.html as text."""
    matrix = data.matrix
    cells = {
        (a, b): charts.cell_style(n, matrix.maximum, a == b)
        for (a, b), n in matrix.counts.items()
    }
    tradeoff = charts.tradeoff_svg(data, data.alternatives) if data.alternatives else None
    files = sorted((data.t.get(f"role_{role}", role), name)
                   for role, name in data.instance.files.items()
                   if role not in ("id_field", "layer"))
    template = environment().get_template("rapport.html.j2")
    return template.render(
        d=data, t=data.t, lang=data.lang, status_class=STATUS_CLASS[data.solution.status],
        lot_map_svg=lot_map_svg, provider_map_svg=provider_map_svg, has_webmap=has_webmap,
        cells=cells, tradeoff_svg=tradeoff, alternatives=_alternatives(data), files=files,
        version=__version__, totals=_totals(data), sort=natural_key,
    )


def write(path: Path, data: ReportData, **maps: object) -> None:
    path.write_text(render(data, **maps), encoding="utf-8")  # type: ignore[arg-type]


def _totals(data: ReportData) -> Mapping[str, object]:
    lots = data.lots
    return {
        "districts": sum(len(r.districts) for r in lots),
        "clients": sum(r.clients for r in lots),
        "served": sum(r.served for r in lots),
        "cost": sum(r.cost for r in lots),
        "transitions": sum(r.transitions for r in lots),
    }


def _alternatives(data: ReportData) -> Sequence[Mapping[str, str]]:
    rows = []
    for a in data.alternatives:
        cost = a.get("cost")
        moved = a.get("transitions")
        rows.append({
            "name": str(a.get("name", "")),
            "cost": data.eur(float(cost)) if isinstance(cost, int | float) else "–",
            "transitions": data.integer(float(moved)) if isinstance(moved, int | float) else "–",
        })
    return rows
