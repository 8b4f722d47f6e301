"""Static maps for print (kaart.png) and for the HTML report (inline SVG).

The lot map colours each lot, draws lot borders thick and district borders thin, labels each
lot with its winner and clients, and adds a legend, a scale bar in km, a north arrow, a title
and the data attribution. Sized for an A4 page (portrait or landscape, whichever suits the
area) at 160 dpi. Figures are built with :class:`matplotlib.figure.Figure` (no pyplot, no
global state) and rendered under an ``rc_context`` so output is deterministic.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import matplotlib
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from shapely.ops import polylabel
from shapely.plotting import patch_from_polygon

import gebieden
from allocatie.report.data import NO_PROVIDER_COLOUR, OTHER_COLOUR, ReportData

A4_IN = (8.27, 11.69)
DPI = 160
DISTRICT_EDGE = "#4d4d4d"
LOT_EDGE = "#111111"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "allocatie-report",
    "svg.fonttype": "none",
    "path.simplify": True,
}


def lots_geometry(districts: gpd.GeoDataFrame, assignment: Mapping[str, str]
                  ) -> gpd.GeoDataFrame:
    """One (multi)polygon per lot, in the districts' CRS, indexed by lot."""
    mapping = {d: lot for d, lot in assignment.items() if d in districts.index}
    return gebieden.dissolve_lots(districts, mapping)


def lot_map(districts: gpd.GeoDataFrame, data: ReportData) -> Figure:
    """The new design: lots coloured, labelled with winner and clients."""
    t = data.t
    lots = lots_geometry(districts, data.solution.assignment)
    colour_of_district = {d.id: data.lot_colours.get(d.lot or "", OTHER_COLOUR)
                          for d in data.districts}
    handles = [
        Patch(facecolor=row.colour, edgecolor=LOT_EDGE, linewidth=0.8,
              label=f"{t['lot']} {row.lot} – {row.winner or t['map_no_winner']} "
                    f"({data.integer(row.clients)})")
        for row in data.lots
    ]
    handles.append(Line2D([], [], color=LOT_EDGE, linewidth=2.0, label=t["map_lot_border"]))
    ev = data.evaluation
    subtitle = t["map_subtitle"].format(
        lots=data.integer(len(data.lots)), winners=data.integer(len(data.winners)),
        switchers=data.integer(ev.transitions if ev else 0))
    fig, ax = _page(districts, t["map_title"], data.instance.name, subtitle,
                    t["map_legend_lots"], handles, data)
    _draw_districts(ax, districts, colour_of_district)
    _draw_outlines(ax, lots, "lot")
    _label_lots(ax, lots, data)
    return fig


def provider_map(districts: gpd.GeoDataFrame, data: ReportData) -> Figure:
    """Today: each district coloured by the provider with most of its clients; today's areas
    (``current_lots``) outlined when known."""
    t = data.t
    colour_of_district = {d.id: data.org_colour(d.main_provider) for d in data.districts}
    shown = sorted({d.main_provider for d in data.districts if d.main_provider},
                   key=lambda p: (p not in data.org_colours, p))
    clients_of: dict[str, int] = {}
    for d in data.districts:
        for provider, n in d.incumbents:
            clients_of[provider] = clients_of.get(provider, 0) + n
    handles = [Patch(facecolor=data.org_colour(p), edgecolor=DISTRICT_EDGE, linewidth=0.6,
                     label=t["map_provider_entry"].format(
                         provider=p, clients=data.integer(clients_of.get(p, 0))))
               for p in shown if p in data.org_colours]
    if any(p not in data.org_colours for p in shown):
        handles.append(Patch(facecolor=OTHER_COLOUR, edgecolor=DISTRICT_EDGE, linewidth=0.6,
                             label=t["other"]))
    if any(d.main_provider is None for d in data.districts):
        handles.append(Patch(facecolor=NO_PROVIDER_COLOUR, edgecolor=DISTRICT_EDGE,
                             linewidth=0.6, label=t["no_provider"]))
    if data.instance.current_lots:
        handles.append(Line2D([], [], color=LOT_EDGE, linewidth=2.0,
                              label=t["map_current_border"]))
    fig, ax = _page(districts, t["map_title_current"], data.instance.name,
                    t["map_subtitle_current"], t["map_legend_providers"], handles, data)
    _draw_districts(ax, districts, colour_of_district)
    current = data.instance.current_lots
    if current:
        _draw_outlines(ax, lots_geometry(districts, current), "area")
    return fig


def save_png(fig: Figure, path: Path, dpi: int = DPI) -> None:
    """Write the figure as PNG (no timestamp in the metadata)."""
    with matplotlib.rc_context(RC):
        fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None},
                    facecolor="white")


def svg_text(fig: Figure) -> str:
    """The figure as an inline SVG element (without the XML prolog), deterministic."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None},
                    facecolor="white")
    text = buffer.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


# --------------------------------------------------------------------------- layout
def _page(districts: gpd.GeoDataFrame, title: str, name: str, subtitle: str,
          legend_title: str, handles: Sequence[Patch], data: ReportData):
    """An A4 page (portrait for tall areas, landscape for wide ones) with title lines on top,
    the map axes in the middle and the legend and attribution below."""
    minx, miny, maxx, maxy = districts.total_bounds
    width_m, height_m = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    landscape = width_m / height_m > 1.15
    size = (A4_IN[1], A4_IN[0]) if landscape else A4_IN
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size, dpi=DPI, facecolor="white")
        columns = 3 if landscape else 2
        if len(handles) <= 4:
            columns = min(columns, 2)
        legend_rows = math.ceil(len(handles) / columns) if handles else 0
        top_in, bottom_in = 1.3, 0.75 + 0.24 * legend_rows + 0.35
        margin_in = 0.45
        fig.text(margin_in / size[0], 1 - 0.32 / size[1], title, fontsize=16,
                 fontweight="bold", va="top", ha="left")
        name_lines = textwrap.wrap(name, width=125 if landscape else 92)[:2]
        fig.text(margin_in / size[0], 1 - 0.62 / size[1], "\n".join(name_lines),
                 fontsize=10.5, va="top", ha="left", color="#222222", linespacing=1.3)
        fig.text(margin_in / size[0], 1 - (0.7 + 0.19 * len(name_lines)) / size[1], subtitle,
                 fontsize=9.5, va="top", ha="left", color="#444444")
        ax = fig.add_axes((margin_in / size[0], bottom_in / size[1],
                           1 - 2 * margin_in / size[0], 1 - (top_in + bottom_in) / size[1]))
        ax.set_aspect("equal")
        pad = 0.03 * max(width_m, height_m)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        ax.set_axis_off()
        _fit_limits(ax, fig)
        if handles:
            fig.legend(handles=list(handles), title=legend_title, loc="lower left",
                       bbox_to_anchor=(margin_in / size[0], 0.6 / size[1]), ncols=columns,
                       frameon=False, fontsize=9, title_fontsize=9.5, alignment="left",
                       handlelength=1.6, handleheight=1.1, columnspacing=1.6)
        attribution = "\n".join(textwrap.wrap(data.attribution_line(),
                                               width=190 if landscape else 135)[:3])
        fig.text(margin_in / size[0], 0.18 / size[1], attribution, fontsize=6.5,
                 ha="left", va="bottom", color="#555555", linespacing=1.3)
        _scale_bar(ax, data)
        _north_arrow(ax)
    return fig, ax


def _fit_limits(ax, fig: Figure) -> None:
    """Widen the axis limits so the map fills its box (aspect equal) and stays centred."""
    box = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    box_ratio = (box.width * fig_w) / (box.height * fig_h)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    if w / h < box_ratio:
        extra = (h * box_ratio - w) / 2
        ax.set_xlim(x0 - extra, x1 + extra)
    else:
        extra = (w / box_ratio - h) / 2
        ax.set_ylim(y0 - extra, y1 + extra)


def _draw_districts(ax, districts: gpd.GeoDataFrame, colours: Mapping[str, str]) -> None:
    """One patch per district (gid ``district-<id>`` in SVG output)."""
    for district_id, geometry in zip(districts.index, districts.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        patch = _patch(geometry, facecolor=colours.get(str(district_id), OTHER_COLOUR),
                       edgecolor=DISTRICT_EDGE, linewidth=0.45, joinstyle="round")
        patch.set_gid(f"district-{district_id}")
        ax.add_patch(patch)


def _draw_outlines(ax, lots: gpd.GeoDataFrame, prefix: str) -> None:
    """Thick outlines of lots (or today's areas), with a thin white casing for contrast."""
    for lot, geometry in zip(lots.index, lots.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        for width, colour in ((3.6, "white"), (2.0, LOT_EDGE)):
            patch = _patch(geometry, facecolor="none", edgecolor=colour, linewidth=width,
                           joinstyle="round")
            if colour == LOT_EDGE:
                patch.set_gid(f"{prefix}-{lot}")
            ax.add_patch(patch)


def _patch(geometry, **style) -> PathPatch:
    return patch_from_polygon(geometry, **style)


def _label_lots(ax, lots: gpd.GeoDataFrame, data: ReportData) -> None:
    """Label each lot with its name, winner and clients: inside the lot where the label fits,
    else next to it with a leader line, never on top of another label."""
    t = data.t
    rows = {row.lot: row for row in data.lots}
    size = 9 if len(rows) <= 8 else 8 if len(rows) <= 14 else 6.5
    fig = ax.get_figure()
    renderer = FigureCanvasAgg(fig).get_renderer()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_px = ax.get_window_extent(renderer).width
    per_px = (x1 - x0) / width_px
    pad_px = 2 * 0.35 * size * fig.dpi / 72 + 2
    bounds = shapely.box(x0, y0, x1, y1)
    shapes = {str(lot): g for lot, g in zip(lots.index, lots.geometry, strict=True)
              if g is not None and not g.is_empty and str(lot) in rows}
    anchors = {lot: label_point(g) for lot, g in shapes.items()}
    placed: list[shapely.Polygon] = []
    style = {"ha": "center", "va": "center", "fontsize": size, "linespacing": 1.25,
             "zorder": 7, "color": "#111111",
             "bbox": {"boxstyle": "round,pad=0.35", "facecolor": "white",
                      "edgecolor": "#333333", "linewidth": 0.6, "alpha": 0.92}}
    for lot in sorted(shapes, key=lambda lot: -shapes[lot].area):
        row = rows[lot]
        text = t["map_lot_label"].format(lot=row.lot, winner=row.winner or t["map_no_winner"],
                                         clients=data.integer(row.clients))
        anchor = anchors[lot]
        probe = ax.text(anchor.x, anchor.y, text, **{**style, "bbox": None})
        extent = probe.get_window_extent(renderer)
        probe.remove()
        half_w = (extent.width + pad_px) * per_px / 2
        half_h = (extent.height + pad_px) * per_px / 2
        box = shapely.box(anchor.x - half_w, anchor.y - half_h,
                          anchor.x + half_w, anchor.y + half_h)
        if _fits(box, shapes[lot]) and not any(box.intersects(p) for p in placed):
            ax.text(anchor.x, anchor.y, text, **style)
            placed.append(box)
            continue
        centre = _outside_position(lot, anchor, half_w, half_h, shapes, anchors, placed,
                                   bounds)
        placed.append(shapely.box(centre[0] - half_w, centre[1] - half_h,
                                  centre[0] + half_w, centre[1] + half_h))
        ax.plot([anchor.x], [anchor.y], marker="o", markersize=3.2, color="#111111",
                zorder=7)
        ax.annotate(text, xy=(anchor.x, anchor.y), xytext=centre, textcoords="data",
                    arrowprops={"arrowstyle": "-", "color": "#111111", "linewidth": 0.9,
                                "shrinkA": 0, "shrinkB": 2},
                    **style)


def _fits(box: shapely.Polygon, lot) -> bool:
    """Whether a label box lies (almost) wholly inside its lot."""
    return box.intersection(lot).area >= 0.97 * box.area


def _outside_position(lot: str, anchor: shapely.Point, half_w: float, half_h: float,
                      shapes: Mapping[str, object], anchors: Mapping[str, shapely.Point],
                      placed: Sequence[shapely.Polygon], bounds: shapely.Polygon
                      ) -> tuple[float, float]:
    """The best centre for a label that does not fit in its lot: near the lot, on no other
    label and no lot anchor, covering as little as possible of small lots (its own
    included)."""
    size = max(half_w, half_h) * 2
    box_area = 4 * half_w * half_h
    best: tuple[float, tuple[float, float]] | None = None
    for step in (1.0, 1.4, 1.8, 2.3, 2.9, 3.6, 4.5, 6.0):
        for k in range(24):
            angle = 2 * math.pi * k / 24
            cx = anchor.x + math.cos(angle) * step * size * 0.75
            cy = anchor.y + math.sin(angle) * step * size * 0.55
            box = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
            if not bounds.contains(box):
                continue
            if any(box.intersects(p.buffer(size * 0.04)) for p in placed):
                continue
            cost = 0.25 * step
            for other, shape in shapes.items():
                covered = box.intersection(shape).area / box_area
                if covered <= 0:
                    continue
                small = other == lot or shape.area < 6 * box_area
                cost += covered * (3.0 if small else 0.4)
                if other != lot and box.contains(anchors[other]):
                    cost += 5.0
            if best is None or cost < best[0]:
                best = (cost, (cx, cy))
    if best is None:  # nowhere free: put it just above the lot
        return anchor.x, anchor.y + 2 * half_h
    return best[1]


def label_point(geometry) -> shapely.Point:
    """A point well inside the largest part of a (multi)polygon (pole of inaccessibility)."""
    parts = list(getattr(geometry, "geoms", [geometry]))
    largest = max(parts, key=lambda g: g.area)
    tolerance = max(math.sqrt(largest.area) / 200.0, 1.0)
    try:
        return polylabel(largest, tolerance=tolerance)
    except Exception:  # degenerate polygon: fall back to a point on the surface
        return largest.representative_point()


def _scale_bar(ax, data: ReportData) -> None:
    """A four-part black-and-white scale bar in km, lower left of the map."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 4
    nice = [0.2, 0.5, 1, 2, 4, 5, 10, 20, 40, 50, 100]
    km = max((n for n in nice if n * 1000 <= target), default=nice[0])
    length = km * 1000
    height = (y1 - y0) * 0.007
    left = x0 + (x1 - x0) * 0.03
    bottom = y0 + (y1 - y0) * 0.03
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, bottom), length / 4, height,
                               facecolor="#111111" if i % 2 == 0 else "white",
                               edgecolor="#111111", linewidth=0.8, zorder=6))
    halo = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
            "alpha": 0.75}
    for value, x in ((0.0, left), (km / 2, left + length / 2), (km, left + length)):
        decimals = 0 if float(value).is_integer() else 1
        ax.text(x, bottom + height * 1.8, data.num(value, decimals), fontsize=8.5,
                ha="center", va="bottom", zorder=6, bbox=halo)
    ax.text(left + length + (x1 - x0) * 0.012, bottom + height / 2, data.t["km"],
            fontsize=8.5, ha="left", va="center", zorder=6, bbox=halo)


def _north_arrow(ax) -> None:
    """A small north arrow in the top right corner of the map."""
    ax.annotate("N", xy=(0.965, 0.975), xytext=(0.965, 0.905), xycoords="axes fraction",
                textcoords="axes fraction", ha="center", va="center", fontsize=10,
                fontweight="bold", zorder=6,
                arrowprops={"arrowstyle": "-|>", "color": "#111111", "linewidth": 1.4})
