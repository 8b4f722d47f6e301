"""Write a generated tender as an instance folder: districts GeoJSON in RD (EPSG:28992), CSV
tables as the tool reads them, instance.toml and the README summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tools.instances.areas import RD_CRS, RD_CRS_MEMBER

if TYPE_CHECKING:
    from tools.instances.generator import Tender


def _coords(obj: object) -> object:
    if isinstance(obj, (list, tuple)):
        return [_coords(o) for o in obj]
    x = float(obj)  # type: ignore[arg-type]
    return int(x) if x.is_integer() else round(x, 2)


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def write_geojson_rd(districts: gpd.GeoDataFrame, path: Path, properties: Sequence[str]) -> None:
    """Write a FeatureCollection in EPSG:28992 with the legacy ``crs`` member, one feature a
    line, coordinates as whole metres where they are whole."""
    if districts.crs is not None and not districts.crs.equals(RD_CRS):
        districts = districts.to_crs(RD_CRS)
    lines = []
    for _, row in districts.iterrows():
        geom = shapely.geometry.mapping(row.geometry)
        feature = {
            "type": "Feature",
            "id": str(row["id"]),
            "properties": {p: _plain(row[p]) for p in properties},
            "geometry": {"type": geom["type"], "coordinates": _coords(geom["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps({"type": "FeatureCollection", "crs": RD_CRS_MEMBER}, separators=(",", ":"))
    text = head[:-1] + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def _toml_value(v: object) -> str:
    v = _plain(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return json.dumps(str(v), ensure_ascii=False)


def toml_text(top: dict[str, object], sections: dict[str, dict[str, object]]) -> str:
    """A small TOML writer for flat tables (enough for instance.toml)."""
    out = [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    for name, table in sections.items():
        out.append("")
        out.append(f"[{name}]")
        out.extend(f"{k} = {_toml_value(v)}" for k, v in table.items() if v is not None)
    return "\n".join(out) + "\n"


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_instance_folder(
    folder: Path | str,
    tender: Tender,
    name: str,
    description: str,
    extra_properties: Sequence[str] = (),
    award: dict[str, object] | None = None,
    solver: dict[str, object] | None = None,
    readme: str | None = None,
    attribution: str | None = None,
) -> Path:
    """Write ``tender`` as an instance folder (format version 1 + our extensions)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    props = ["id", "name", "clients", *extra_properties]
    write_geojson_rd(tender.districts, folder / "districts.geojson", props)
    files: dict[str, object] = {
        "districts": "districts.geojson",
        "incumbents": "incumbents.csv",
        "bidders": "bidders.csv",
        "bids": "bids.csv",
    }
    _write_csv(tender.incumbents, folder / "incumbents.csv")
    _write_csv(tender.bidders, folder / "bidders.csv")
    _write_csv(tender.bids, folder / "bids.csv")
    if tender.lots is not None and tender.lot_bids is not None:
        files["lots"] = "lots.csv"
        files["lot_bids"] = "lot_bids.csv"
        _write_csv(tender.lots, folder / "lots.csv")
        _write_csv(tender.lot_bids, folder / "lot_bids.csv")
    files["current_lots"] = "current_lots.csv"
    _write_csv(tender.current_lots, folder / "current_lots.csv")
    if tender.combination_bids is not None:
        files["combination_bids"] = "combination_bids.csv"
        _write_csv(tender.combination_bids, folder / "combination_bids.csv")
    sections: dict[str, dict[str, object]] = {"files": files, "rules": dict(tender.rules)}
    if award:
        sections["award"] = award
    sections["solver"] = solver or {"backend": "highs", "time_limit_s": 60}
    top = {"schema_version": 1, "name": name, "description": description}
    (folder / "instance.toml").write_text(toml_text(top, sections), encoding="utf-8")
    if readme is not None:
        (folder / "README.md").write_text(readme, encoding="utf-8")
    if attribution is not None:
        (folder / "ATTRIBUTION.md").write_text(attribution, encoding="utf-8")
    return folder


def summary_markdown(tender: Tender) -> str:
    """Markdown tables of today's areas and the bidders (for an instance README)."""
    d = tender.districts
    clients = dict(zip(d["id"].astype(str), d["clients"].astype(int), strict=True))
    cur = tender.current_lots.assign(clients=tender.current_lots["district_id"].map(clients))
    per_area = cur.groupby("lot").agg(districts=("district_id", "size"), clients=("clients", "sum"))
    lines = ["| current area | provider today | districts | clients |", "|---|---|---|---|"]
    for lot in sorted(per_area.index, key=lambda s: (len(s), s)):
        r = per_area.loc[lot]
        lines.append(
            f"| {lot} | {tender.area_provider[lot]} | {r['districts']} | {r['clients']:,} |"
        )
    lines += [
        "",
        "| bidder | incumbent | capacity (clients) | max_lots | lot_fee (EUR) "
        "| price level (EUR/client/yr) | districts bid |",
        "|---|---|---|---|---|---|---|",
    ]
    nbids = tender.bids.groupby("bidder").size()
    for b, p in tender.profiles.iterrows():
        cap = "unlimited" if pd.isna(p["capacity"]) else f"{int(p['capacity']):,}"
        ml = "rule" if pd.isna(p["max_lots"]) else str(int(p["max_lots"]))
        lines.append(
            f"| {b} | {'yes' if p['incumbent'] else 'no'} | {cap} | {ml} | "
            f"{int(p['lot_fee']):,} | {p['level']:,.0f} | {int(nbids.get(b, 0))} |"
        )
    return "\n".join(lines) + "\n"
