"""The interactive map (kaart.html): Leaflet with its JS and CSS inlined, so the file works
fully offline; no tile layer unless the user switches the optional OpenStreetMap layer on.

Hovering a district shows its name, code, clients, current providers, lot, winner and price.
A layer switch colours the districts by new lot, by new main contractor or by today's main
provider; lot borders and lot names are an overlay.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import geopandas as gpd
import jinja2
import shapely

import gebieden
from allocatie.io.geometry import COORDINATE_DECIMALS, rounded_geojson
from allocatie.report import maps
from allocatie.report.data import OTHER_COLOUR, ReportData

ASSETS = Path(__file__).parent / "assets"
TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescaping on)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=jinja2.select_autoescape(("html", "j2")),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def leaflet_css() -> str:
    """Leaflet's stylesheet with its layer-control images inlined as data URIs."""
    css = (ASSETS / "leaflet.css").read_text(encoding="utf-8")
    for name in ("layers-2x.png", "layers.png"):
        uri = "data:image/png;base64," + base64.b64encode((ASSETS / name).read_bytes()).decode()
        css = css.replace(f"url(images/{name})", f"url({uri})")
    # Marker images are never used (labels are div icons); drop the reference.
    return css.replace("url(images/marker-icon.png)", "none")


def leaflet_js() -> str:
    return (ASSETS / "leaflet.js").read_text(encoding="utf-8")


def script_json(value: object) -> str:
    """JSON safe to embed in a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render(districts: gpd.GeoDataFrame, data: ReportData) -> str:
    """The complete kaart.html as text."""
    t = data.t
    wgs = gebieden.to_wgs84(districts)
    rows = {d.id: d for d in data.districts}
    features = []
    for district_id, geometry in zip(wgs.index, wgs.geometry, strict=True):
        row = rows.get(str(district_id))
        if row is None or geometry is None or geometry.is_empty:
            continue
        colours = {
            "lot": data.lot_colours.get(row.lot or "", OTHER_COLOUR),
            "winner": data.org_colour(row.winner),
            "current": data.org_colour(row.main_provider),
        }
        features.append({"type": "Feature", "id": row.id,
                         "properties": {"id": row.id, "tip": _tooltip(row, data),
                                        "colours": colours},
                         "geometry": rounded_geojson(geometry)})
    layers = []
    lot_features: list[dict] = []
    labels: list[dict] = []
    if data.has_solution:
        lots_rd = maps.lots_geometry(districts, data.solution.assignment)
        lots = gebieden.to_wgs84(lots_rd)
        figures = {row.lot: row for row in data.lots}
        for lot, geometry, projected in zip(lots.index, lots.geometry, lots_rd.geometry,
                                            strict=True):
            row = figures.get(str(lot))
            if row is None or geometry is None or geometry.is_empty:
                continue
            lot_features.append({"type": "Feature", "id": str(lot),
                                 "properties": {"lot": str(lot)},
                                 "geometry": rounded_geojson(geometry)})
            lon, lat = _to_wgs84_point(maps.label_point(projected), districts)
            labels.append({"lot": row.lot, "lat": lat, "lon": lon, "area": projected.area,
                           "html": _label_html(row.lot, row.winner, row.clients, data),
                           "short": f"<b>{html.escape(t['lot'])} {html.escape(row.lot)}</b>"})
        labels.sort(key=lambda label: -label.pop("area"))
        layers += [
            {"key": "lot", "name": t["web_layer_lots"], "legend": _legend_lots(data)},
            {"key": "winner", "name": t["web_layer_winners"],
             "legend": _legend_orgs(data, [r.winner for r in data.lots if r.winner],
                                    t["web_layer_winners"])},
        ]
    layers.append({"key": "current", "name": t["web_layer_current"],
                   "legend": _legend_orgs(data, [d.main_provider for d in data.districts],
                                          t["map_legend_providers"])})
    payload = {
        "districts": {"type": "FeatureCollection", "features": features},
        "lots": {"type": "FeatureCollection", "features": lot_features},
        "labels": labels,
        "layers": layers,
        "texts": {"borders": t["web_layer_borders"], "osm": t["web_layer_osm"]},
        "attribution": html.escape(t["web_attribution"]),
    }
    template = environment().get_template("kaart.html.j2")
    return template.render(
        lang=data.lang, t=t, title=t["web_title"].format(name=data.instance.name),
        heading=data.title, name=data.instance.name, hint=t["web_hint"],
        source=data.attribution_line(),
        leaflet_css=leaflet_css(), leaflet_js=leaflet_js(), payload=script_json(payload),
    )


def write(path: Path, districts: gpd.GeoDataFrame, data: ReportData) -> None:
    path.write_text(render(districts, data), encoding="utf-8")


# --------------------------------------------------------------------------- pieces
def _to_wgs84_point(point: shapely.Point, districts: gpd.GeoDataFrame) -> tuple[float, float]:
    series = gpd.GeoSeries([point], crs=districts.crs).to_crs("EPSG:4326")
    p = series.iloc[0]
    return round(p.x, COORDINATE_DECIMALS), round(p.y, COORDINATE_DECIMALS)


def _tooltip(row, data: ReportData) -> str:
    """The hover box of one district (HTML, every value escaped)."""
    t = data.t
    esc = html.escape
    current = "<br>".join(f"{esc(p)} ({data.integer(n)})" for p, n in row.incumbents) \
        or t["none"]
    lines = [(t["web_tip_code"], esc(row.id)),
             (t["web_tip_clients"], data.integer(row.clients)),
             (t["web_tip_current"], current)]
    if row.lot is not None:
        lines.append((t["web_tip_lot"], esc(row.lot)))
        lines.append((t["web_tip_winner"], esc(row.winner or t["map_no_winner"])))
        if data.solution.pricing == "district":
            price = data.eur(row.price) if row.price is not None else t["web_no_bid"]
            lines.append((t["web_tip_price"], price))
            if row.cost is not None:
                lines.append((t["web_tip_cost"], data.eur(row.cost)))
        lines.append((t["web_tip_switch"], data.integer(row.switchers)))
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in lines)
    return f"<div class=tip><b>{esc(row.name or row.id)}</b><table>{cells}</table></div>"


def _label_html(lot: str, winner: str | None, clients: int, data: ReportData) -> str:
    t = data.t
    return (f"<b>{html.escape(t['lot'])} {html.escape(lot)}</b><br>"
            f"{html.escape(winner or t['map_no_winner'])}<br>"
            f"{html.escape(t['n_clients'].format(n=data.integer(clients)))}")


def _swatch(colour: str, text: str) -> str:
    return (f"<div class=row><span class=swatch style=\"background:{colour}\"></span>"
            f"{text}</div>")


def _legend_lots(data: ReportData) -> str:
    t = data.t
    esc = html.escape
    items = "".join(_swatch(row.colour, f"{esc(t['lot'])} {esc(row.lot)} – "
                                        f"{esc(row.winner or t['map_no_winner'])} "
                                        f"({data.integer(row.clients)})")
                    for row in data.lots)
    return f"<div class=legend-title>{esc(t['map_legend_lots'])}</div>{items}"


def _legend_orgs(data: ReportData, organisations: list[str | None], title: str) -> str:
    t = data.t
    esc = html.escape
    present = set(organisations)
    named = sorted((o for o in present if o in data.org_colours), key=str)
    items = [_swatch(data.org_colour(o), esc(o)) for o in named]
    if any(o is not None and o not in data.org_colours for o in present):
        items.append(_swatch(OTHER_COLOUR, esc(t["other"])))
    if None in present:
        items.append(_swatch(data.org_colour(None), esc(t["no_provider"])))
    return f"<div class=legend-title>{esc(title)}</div>{''.join(items)}"
