"""Small figures for the HTML report: cost against transitions, and the colours of the
who-moves-to-whom matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from allocatie.report import maps
from allocatie.report.data import ReportData

STAY_RGB = (51, 119, 187)  # blue: clients keep their provider
MOVE_RGB = (221, 119, 51)  # orange: clients must switch (colour-blind safe pair with blue)


def tradeoff_svg(data: ReportData, alternatives: Sequence[Mapping[str, object]]) -> str:
    """Scatter of yearly cost against switching clients, one point per alternative, with this
    solution highlighted; returns inline SVG."""
    t = data.t
    fig = Figure(figsize=(7.2, 4.3), dpi=100, facecolor="white")
    ax = fig.add_axes((0.17, 0.14, 0.78, 0.8))
    xs = [float(a.get("transitions") or 0) for a in alternatives]
    ys = [float(a.get("cost") or 0) for a in alternatives]
    ax.scatter(xs, ys, s=46, color="#4477AA", edgecolor="white", linewidth=0.8, zorder=3)
    for a, x, y in zip(alternatives, xs, ys, strict=True):
        ax.annotate(str(a.get("name", "")), (x, y), xytext=(6, 5), textcoords="offset points",
                    fontsize=8.5, color="#222222")
    ev = data.evaluation
    if ev is not None and data.has_solution:
        ax.scatter([ev.transitions], [ev.cost], s=170, marker="*", color="#EE6677",
                   edgecolor="#111111", linewidth=0.7, zorder=4, label=t["tradeoff_this"])
        ax.legend(loc="best", frameon=True, framealpha=0.9, edgecolor="#cccccc", fontsize=9)
    ax.set_xlabel(t["tradeoff_x"], fontsize=9.5)
    ax.set_ylabel(t["tradeoff_y"], fontsize=9.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=7))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: data.integer(v)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: data.integer(v)))
    ax.tick_params(labelsize=8.5)
    ax.grid(True, color="#dddddd", linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.margins(0.12)
    return maps.svg_text(fig)


def cell_style(count: int, maximum: int, stays: bool) -> str:
    """Inline CSS for a matrix cell: blue for stayers, orange for movers, darker = more."""
    if count <= 0 or maximum <= 0:
        return ""
    strength = 0.12 + 0.78 * (count / maximum) ** 0.6
    r, g, b = STAY_RGB if stays else MOVE_RGB
    colour = "#ffffff" if strength > 0.6 else "#111111"
    return f"background: rgba({r},{g},{b},{strength:.2f}); color: {colour};"
