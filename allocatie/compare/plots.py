"""The Pareto plot of a compare run and an HTML section for the report.

:func:`pareto_figure` draws mean cost against mean transitions per design, with the p5-p95
spread in both directions (a box, whiskers or none), the Pareto-efficient designs marked and
joined, a number per design placed where it overlaps no other label or marker, and a legend
that names the numbers. :func:`compare_section_html` returns that plot and the design table
as one self-contained HTML fragment (inline SVG or PNG), for :mod:`allocatie.report` or any
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
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

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
        "spread_box": "Vlak: 5e-95e percentiel",
        "spread_whiskers": "Strepen: 5e-95e percentiel",
        "spread_none": "",
        "legend_numbers": "Indelingen",
        "y_short": "Overstappende cliënten",
        "x_short": "Kosten (mln EUR per jaar)",
        "spread_title": "Spreiding per indeling over de scenario's: 5e-95e percentiel "
                        "(streep: mediaan, punt: gemiddelde)",
        "not_plotted": "geen gunning",
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
        "spread_box": "Box: 5th-95th percentile",
        "spread_whiskers": "Whiskers: 5th-95th percentile",
        "spread_none": "",
        "legend_numbers": "Designs",
        "y_short": "Clients who switch",
        "x_short": "Cost (EUR million per year)",
        "spread_title": "Spread per design over the scenarios: 5th-95th percentile "
                        "(line: median, dot: mean)",
        "not_plotted": "no award",
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


def pareto_figure(table: pd.DataFrame, lang: str = "nl", spread: str = "box") -> Figure:
    """The Pareto plot of a design table (:func:`allocatie.compare.summary.design_table`):
    one numbered point per distinct design at its means, the axes fitted to the points, and
    a legend that names the numbers. The 5-95% spread is shown, with ``spread="box"``, as a
    box per design in two panels below the plot (cost, switchers; a tick at the median, a
    dot at the mean), so it never hides the points; ``"whiskers"`` draws them on the points;
    ``"none"`` leaves them out. Returns a matplotlib Figure, made without pyplot."""
    t = _texts(lang)
    boxes = spread == "box"
    fig = Figure(figsize=(9.0, 8.2 if boxes else 5.5), dpi=110)
    ax = fig.add_axes((0.09, 0.47, 0.60, 0.47) if boxes else (0.09, 0.11, 0.60, 0.80))
    numbers = design_numbers(table)
    rows = table.dropna(subset=["cost_mean", "transitions_mean"])
    if "same_as" in rows.columns:
        rows = rows.loc[[not _text(v) for v in rows["same_as"]]]
    scale = 1e6
    planned = int(table["scenarios"].max()) if "scenarios" in table and len(table) else 0
    for efficient, colour, marker in ((False, "#7f7f7f", "o"), (True, "#c0392b", "D")):
        part = rows[rows["pareto"] == efficient]
        if not len(part):
            continue
        x = part["cost_mean"] / scale
        y = part["transitions_mean"]
        if spread == "whiskers":
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
    ax.set_xlabel(t["x"])
    ax.set_ylabel(t["y"])
    ax.set_title(t["title"].format(n=planned), fontsize=11)
    ax.grid(True, alpha=0.3)
    if len(rows):
        ax.margins(0.15)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False,
                  title=t.get(f"spread_{spread}", "") if spread == "whiskers" else "",
                  title_fontsize=8)
        _place_labels(fig, ax, rows, scale, numbers)
        _number_legend(fig, table, numbers, t, 0.80 if boxes else 0.62)
        if boxes:
            _spread_panels(fig, rows, numbers, scale, t)
    return fig


def _spread_panels(fig: Figure, rows: pd.DataFrame, numbers: dict[str, int], scale: float,
                   t: dict) -> None:
    """Per design a box from the 5th to the 95th percentile, a tick at the median and a dot
    at the mean: cost on the left, switchers on the right, designs by number."""
    order = sorted(rows.index, key=lambda i: numbers[str(rows.loc[i, "design"])])
    ys = list(range(len(order)))[::-1]
    panels = (("cost", (0.09, 0.07, 0.28, 0.29), scale, t["x_short"]),
              ("transitions", (0.41, 0.07, 0.28, 0.29), 1.0, t["y_short"]))
    fig.text(0.09, 0.375, t["spread_title"], fontsize=9, ha="left", va="bottom")
    for metric, rect, divide, label in panels:
        axis = fig.add_axes(rect)
        for y, i in zip(ys, order, strict=True):
            row = rows.loc[i]
            colour = "#c0392b" if bool(row["pareto"]) else "#7f7f7f"
            low, mid = row[f"{metric}_p5"] / divide, row[f"{metric}_p50"] / divide
            high, mean = row[f"{metric}_p95"] / divide, row[f"{metric}_mean"] / divide
            axis.add_patch(Rectangle((low, y - 0.32), high - low, 0.64, facecolor=colour,
                                     alpha=0.22, edgecolor=colour, linewidth=0.8))
            axis.plot([mid, mid], [y - 0.32, y + 0.32], color=colour, linewidth=1.6)
            axis.plot([mean], [y], "o", color=colour, markersize=3.5)
        axis.set_yticks(ys, [str(numbers[str(rows.loc[i, "design"])]) for i in order],
                        fontsize=8)
        axis.set_ylim(-0.7, len(order) - 0.3)
        axis.autoscale(axis="x")
        axis.margins(x=0.05)
        axis.tick_params(axis="x", labelsize=8)
        axis.set_xlabel(label, fontsize=8.5)
        axis.grid(True, axis="x", alpha=0.3)


def design_numbers(table: pd.DataFrame) -> dict[str, int]:
    """The number of each design in the plot and its legend: distinct designs are numbered
    1, 2, ... in table order; a name that is the same design as an earlier one gets the
    earlier one's number."""
    numbers: dict[str, int] = {}
    same = [_text(v) for v in table["same_as"]] if "same_as" in table.columns \
        else [""] * len(table)
    for name, original in zip(table["design"], same, strict=True):
        if original and original in numbers:
            numbers[str(name)] = numbers[original]
        else:
            numbers[str(name)] = len(set(numbers.values())) + 1
    return numbers


def _text(value: object) -> str:
    """A table cell as text; empty for NaN/None (a CSV read back gives NaN for "")."""
    return value if isinstance(value, str) else ""


def _number_legend(fig: Figure, table: pd.DataFrame, numbers: dict[str, int],
                   t: dict, top: float = 0.62) -> None:
    """The list "1  name" to the right of the plot (designs without results marked)."""
    names: dict[int, list[str]] = {}
    for name in table["design"]:
        names.setdefault(numbers[str(name)], []).append(str(name))
    plotted = set(table.dropna(subset=["cost_mean", "transitions_mean"])["design"].astype(str))
    lines = []
    for number in sorted(names):
        label = " = ".join(names[number])
        if not any(n in plotted for n in names[number]):
            label += f" ({t['not_plotted']})"
        lines.append(f"{number:>2}  {label}")
    fig.text(0.72, top, t["legend_numbers"] + "\n" + "\n".join(lines), fontsize=8.5,
             va="top", ha="left", family="DejaVu Sans", linespacing=1.5)


def _place_labels(fig: Figure, ax: object, rows: pd.DataFrame, scale: float,
                  numbers: dict[str, int]) -> None:
    """One number per point (designs on the same point share it), each at the first spot
    around its point, on rings of growing radius, that overlaps no marker and no label
    already placed; a thin line joins each label to its point, so a label that had to move
    away still points at its own marker."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    groups: dict[tuple[float, float], list[int]] = {}
    for _, row in rows.iterrows():
        point = (float(row["cost_mean"]) / scale, float(row["transitions_mean"]))
        groups.setdefault(point, []).append(numbers[str(row["design"])])
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    canvas.draw()
    transform = ax.transData  # type: ignore[attr-defined]
    blocked = []
    for x, y in groups:
        px, py = transform.transform((x, y))
        blocked.append(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
    spots = [(dx * r, dy * r) for r in (9, 16, 24, 34, 46)
             for dx, dy in ((1, 0.6), (1, -1.2), (-1, 0.6), (-1, -1.2), (0, 1.2), (0, -2),
                            (1.3, 0), (-1.3, 0))]
    inside = ax.get_window_extent(renderer)  # type: ignore[attr-defined]
    for (x, y), labels in sorted(groups.items(), key=lambda item: (-item[0][1], item[0][0])):
        label = ", ".join(str(n) for n in sorted(set(labels)))
        for dx, dy in spots:
            text = ax.annotate(  # type: ignore[attr-defined]
                label, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=9,
                fontweight="bold", ha="left" if dx > 0 else "right" if dx < 0 else "center",
                va="center", zorder=4,
                arrowprops={"arrowstyle": "-", "lw": 0.8, "color": "0.15", "shrinkA": 1,
                            "shrinkB": 4})
            # The text alone, not its leader line (which always reaches the point).
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer).expanded(1.1, 1.15)
            fits = inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(other) for other in blocked):
                blocked.append(box)
                break
            text.remove()
        else:  # every spot taken: the legend still names it; put it on the point
            text = ax.annotate(label, (x, y), fontsize=9, fontweight="bold",  # type: ignore
                               ha="center", va="center", zorder=4)
            blocked.append(text.get_window_extent(renderer))


def pareto_png(table: pd.DataFrame, lang: str = "nl", spread: str = "box") -> bytes:
    """The Pareto plot as PNG bytes."""
    buffer = io.BytesIO()
    pareto_figure(table, lang, spread).savefig(buffer, format="png")
    return buffer.getvalue()


def pareto_svg(table: pd.DataFrame, lang: str = "nl", spread: str = "box") -> str:
    """The Pareto plot as SVG text (deterministic ids, text kept as text)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "allocatie-compare", "svg.fonttype": "none"}):
        pareto_figure(table, lang, spread).savefig(buffer, format="svg",
                                                   metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def write_pareto_png(table: pd.DataFrame, path: Path, lang: str = "nl",
                     spread: str = "box") -> None:
    """Write the Pareto plot to ``path`` atomically."""
    data = pareto_png(table, lang, spread)
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
