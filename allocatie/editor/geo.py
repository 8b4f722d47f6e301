"""The editor's map data: district polygons in WGS84 for Leaflet, and per district the area,
perimeter and wijk needed for compactness and the wijk brush (computed once at start)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import gebieden
from allocatie.instance import Instance
from allocatie.io.geometry import COORDINATE_DECIMALS, rounded_geojson

BUURT_CODE = re.compile(r"^BU(\d{4})(\d{2})\d{2}$")


@dataclass(frozen=True)
class Geography:
    """Polygons (GeoJSON features, WGS84, with ``point``: [lat, lon] inside each) and
    measures (projected metres) of the districts.

    ``wijk`` maps a district to its wijk code on buurt instances (empty on wijk instances or
    without codes); ``area_m2`` and ``perimeter_m`` are empty without geometry."""

    features: list[dict] = field(default_factory=list)
    area_m2: dict[str, float] = field(default_factory=dict)
    perimeter_m: dict[str, float] = field(default_factory=dict)
    wijk: dict[str, str] = field(default_factory=dict)

    @property
    def has_wijken(self) -> bool:
        return len(set(self.wijk.values())) < len(self.wijk)


def load_geography(instance: Instance) -> Geography:
    """Read the instance's districts file once (an instance built in code has none)."""
    from allocatie.io.geometry import district_frame

    frame = district_frame(instance)
    if frame is None:
        return Geography()
    wijk = {}
    for d in instance.district_ids:
        code = None
        if "wijkcode" in frame.columns and d in frame.index:
            value = frame.at[d, "wijkcode"]
            code = str(value) if isinstance(value, str) and value else None
        match = BUURT_CODE.match(d)
        if code is None and match:
            code = f"WK{match.group(1)}{match.group(2)}"
        wijk[d] = code or d
    wgs = gebieden.to_wgs84(frame)
    features = []
    for d, geometry in zip(wgs.index, wgs.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        inside = geometry.representative_point()
        point = [round(inside.y, COORDINATE_DECIMALS), round(inside.x, COORDINATE_DECIMALS)]
        features.append({"type": "Feature", "id": str(d),
                         "properties": {"id": str(d), "point": point},
                         "geometry": rounded_geojson(geometry)})
    area = {str(d): float(g.area) for d, g in zip(frame.index, frame.geometry, strict=True)}
    perimeter = {str(d): float(g.length) for d, g in zip(frame.index, frame.geometry,
                                                         strict=True)}
    return Geography(features, area, perimeter, wijk)
