"""The Pareto plot of a compare run and an HTML section for the report.

:func:`pareto_figure` draws mean cost against mean transitions per design, with p5-p95
whiskers in both directions, the Pareto-efficient designs marked and joined, and a label per
design. :func:`compare_section_html` returns that plot (inline PNG) and the design table as
one self-contained HTML fragment (inline SVG or PNG), for :mod:`allocatie.report` or any
page.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from allocatie.compare.store import write_atomic
from allocatie.text import plain_num

TEXTS = {
    "nl": {
        "title": "Perceelindelingen vergeleken over {n} scenario's",
        "x": "Gemiddelde kosten (mln EUR per jaar)",
        "y": "Gemiddeld aantal overstappende cliënten",
        "efficient": "Pareto-efficiënt",
        "other": "Gedomineerd",
        "whiskers": "Strepen: 5e-95e percentiel",
        "heading": "Vergelijking van perceelindelingen",
        "intro": ("Elke indeling is gegund in {n} scenario's met onzekere inschrijvingen "
                  "(prijsniveau, ruis per wijk, inschrijvers die niet komen, capaciteit). "
                  "Rang 1 heeft de laagste gemiddelde totale waarde (kosten + "
                  "overstapkosten); bij gelijkspel telt het 95e percentiel."),
        "empty": "Nog geen resultaten.",
        "columns": {"rank": "Rang", "design": "Indeling", "kind": "Soort", "lots": "Percelen",
                    "cost_mean": "Kosten gem.", "cost_p95": "Kosten p95",
                    "transitions_mean": "Overstappers gem.",
                    "transitions_p95": "Overstappers p95",
                    "objective_mean": "Totaal gem.", "objective_p95": "Totaal p95",
                    "infeasible_share": "Kans geen gunning",
                    "lot_no_bid_chance": "Kans perceel zonder inschrijving",
                    "winners_mean": "Winnaars gem.", "pareto": "Pareto"},
        "yes": "ja", "no": "",
    },
    "en": {
        "title": "Lot designs compared over {n} scenarios",
        "x": "Mean cost (EUR million per year)",
        "y": "Mean clients who switch provider",
        "efficient": "Pareto-efficient",
        "other": "Dominated",
        "whiskers": "Whiskers: 5th-95th percentile",
        "heading": "Comparison of lot designs",
        "intro": ("Each design was awarded in {n} scenarios of uncertain bids (price level, "
                  "noise per district, bidders that do not show up, capacity). Rank 1 has "
                  "the lowest mean total (cost + transition cost); ties go by the 95th "
                  "percentile."),
        "empty": "No results yet.",
        "columns": {"rank": "Rank", "design": "Design", "kind": "Kind", "lots": "Lots",
                    "cost_mean": "Cost mean", "cost_p95": "Cost p95",
                    "transitions_mean": "Switchers mean", "transitions_p95": "Switchers p95",
                    "objective_mean": "Total mean", "objective_p95": "Total p95",
                    "infeasible_share": "Chance of no award",
                    "lot_no_bid_chance": "Chance a lot gets no bid",
                    "winners_mean": "Winners mean", "pareto": "Pareto"},
        "yes": "yes", "no": "",
    },
}


def _texts(lang: str) -> dict:
    return TEXTS.get(lang, TEXTS["en"])


def pareto_figure(table: pd.DataFrame, lang: str = "nl") -> Figure:
    """The Pareto plot of a design table (:func:`allocatie.compare.summary.design_table`).
    Returns a matplotlib Figure, made without pyplot (no global state, no window)."""
    t = _texts(lang)
    fig = Figure(figsize=(8.0, 5.5), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    rows = table.dropna(subset=["cost_mean", "transitions_mean"])
    scale = 1e6
    planned = int(table["scenarios"].max()) if "scenarios" in table and len(table) else 0
    for efficient, colour, marker in ((False, "#7f7f7f", "o"), (True, "#c0392b", "D")):
        part = rows[rows["pareto"] == efficient]
        if not len(part):
            continue
        x = part["cost_mean"] / scale
        y = part["transitions_mean"]
        xerr = [(x - part["cost_p5"] / scale).clip(lower=0),
                (part["cost_p95"] / scale - x).clip(lower=0)]
        yerr = [(y - part["transitions_p5"]).clip(lower=0),
                (part["transitions_p95"] - y).clip(lower=0)]
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="none", ecolor=colour, alpha=0.35,
                    elinewidth=1, capsize=2)
        ax.plot(x, y, marker, color=colour, markersize=7, linestyle="none",
                label=t["efficient"] if efficient else t["other"], zorder=3)
    front = rows[rows["pareto"]].sort_values("cost_mean")
    if len(front) > 1:
        ax.plot(front["cost_mean"] / scale, front["transitions_mean"], "--", color="#c0392b",
                linewidth=1, alpha=0.7, zorder=2)
    _place_labels(fig, ax, rows, scale)
    ax.set_xlabel(t["x"])
    ax.set_ylabel(t["y"])
    ax.set_title(t["title"].format(n=planned), fontsize=11)
    ax.grid(True, alpha=0.3)
    if len(rows):
        ax.legend(loc="best", fontsize=8, title=t["whiskers"], title_fontsize=8)
    fig.tight_layout()
    return fig


def _place_labels(fig: Figure, ax: object, rows: pd.DataFrame, scale: float) -> None:
    """One label per point (designs on the same point share it), each moved to the first
    spot near its point that does not overlap the labels already placed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    groups: dict[tuple[float, float], list[str]] = {}
    for _, row in rows.iterrows():
        point = (round(float(row["cost_mean"]) / scale, 6), round(float(row["transitions_mean"]),
                                                                  6))
        groups.setdefault(point, []).append(str(row["design"]))
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.figure.canvas.draw()  # type: ignore[attr-defined]
    offsets = [(7, 5), (7, -12), (-7, 5), (-7, -12), (7, 17), (7, -24), (-7, 17), (-7, -24),
               (7, 29), (7, -36), (-7, 29), (-7, -36)]
    placed = []
    for (x, y), names in sorted(groups.items(), key=lambda item: -item[0][1]):
        label = " = ".join(names)
        for dx, dy in offsets:
            text = ax.annotate(label, (x, y), xytext=(dx, dy),  # type: ignore[attr-defined]
                               textcoords="offset points", fontsize=9,
                               ha="left" if dx > 0 else "right", va="bottom", zorder=4,
                               arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.35",
                                           "shrinkA": 0, "shrinkB": 3})
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()
        else:
            text = ax.annotate(label, (x, y), xytext=offsets[0],  # type: ignore[attr-defined]
                               textcoords="offset points", fontsize=9, zorder=4)
            placed.append(text.get_window_extent(renderer))


def pareto_png(table: pd.DataFrame, lang: str = "nl") -> bytes:
    """The Pareto plot as PNG bytes."""
    buffer = io.BytesIO()
    pareto_figure(table, lang).savefig(buffer, format="png")
    return buffer.getvalue()


def pareto_svg(table: pd.DataFrame, lang: str = "nl") -> str:
    """The Pareto plot as SVG text (deterministic ids, text kept as text)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "allocatie-compare", "svg.fonttype": "none"}):
        pareto_figure(table, lang).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def write_pareto_png(table: pd.DataFrame, path: Path, lang: str = "nl") -> None:
    """Write the Pareto plot to ``path`` atomically."""
    data = pareto_png(table, lang)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def compare_section_html(table: pd.DataFrame, lang: str = "nl", image: str = "svg") -> str:
    """An HTML ``<section>`` with the Pareto plot and the design table (``designs.csv`` or
    ``CompareResult.designs``), in ``lang`` (``nl`` or ``en``). ``image`` is ``svg`` (inline
    SVG) or ``png`` (inline base64 PNG). Returns the fragment; text is escaped. Raises
    ValueError for another ``image``."""
    if image not in ("svg", "png"):
        raise ValueError(f"image must be 'svg' or 'png', got {image!r}")
    t = _texts(lang)
    planned = int(table["scenarios"].max()) if "scenarios" in table and len(table) else 0
    parts = ['<section class="compare">', f"<h2>{html.escape(t['heading'])}</h2>",
             f"<p>{html.escape(t['intro'].format(n=planned))}</p>"]
    if not len(table):
        parts.append(f"<p>{html.escape(t['empty'])}</p></section>")
        return "\n".join(parts)
    if image == "svg":
        parts.append(f'<figure class="compare-plot">{pareto_svg(table, lang)}</figure>')
    else:
        data = base64.b64encode(pareto_png(table, lang)).decode("ascii")
        parts.append(f'<img alt="{html.escape(t["title"].format(n=planned))}" '
                     f'src="data:image/png;base64,{data}" style="max-width:100%">')
    columns = [c for c in t["columns"] if c in table.columns]
    parts.append('<table class="compare-table">')
    parts.append("<thead><tr>" + "".join(f"<th>{html.escape(t['columns'][c])}</th>"
                                        for c in columns) + "</tr></thead><tbody>")
    for _, row in table.sort_values("rank", na_position="last").iterrows():
        cells = "".join(f"<td>{html.escape(_cell(c, row[c], lang))}</td>" for c in columns)
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table></section>")
    return "\n".join(parts)


def _cell(column: str, value: object, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if column == "pareto":
        return _texts(lang)["yes"] if bool(value) else _texts(lang)["no"]
    if column in ("infeasible_share", "lot_no_bid_chance"):
        return plain_num(100.0 * float(value), 1, lang) + "%"
    if column.startswith(("cost", "objective")):
        return "EUR " + plain_num(float(value), 0, lang)
    if column.startswith("transitions"):
        return plain_num(float(value), 0, lang)
    if column == "winners_mean":
        return plain_num(float(value), 1, lang)
    return str(value)
