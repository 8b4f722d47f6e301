"""The districts file of an instance (GeoJSON, GeoPackage or Shapefile, through :mod:`gebieden`):
ids, names and clients per district, and the adjacency edges with their bridges."""

from __future__ import annotations

from typing import Any

from allocatie.errors import Problem
from allocatie.instance import (
    District,
    Edge,
)
from allocatie.io.instance_toml import (
    NAME_COLUMNS,
    TOML,
    GeometrySettings,
    LoadState,
    file_missing,
    file_outside,
)
from allocatie.io.tables import parse_number
from allocatie.text import list_ids


def read_districts(files: dict[str, Any], geometry: GeometrySettings,
                    incumbents: dict[str, dict[str, int]] | None, contiguity: object,
                    state: LoadState) -> tuple[list[District], list[Edge], str | None]:
    """Districts, their edges (rook, queen_only, bridge) and a fix for islands, if any."""
    value = files.get("districts")
    state.unread.add("districts")  # until read
    if value is None:
        state.toml("[files] has no districts", hint='add districts = "districts.geojson" to '
                   "[files]")
        return [], [], None
    if not isinstance(value, str):
        state.toml(f"[files] districts = {value!r}; expected a file name",
                   hint='write districts = "districts.geojson"')
        return [], [], None
    state.files["districts"] = value
    if file_outside(state, "districts", value) or file_missing(state, "districts", value):
        return [], [], None
    import gebieden

    try:
        gdf = gebieden.read_districts(state.folder / value, id_field=geometry.id_field,
                                      layer=geometry.layer)
    except gebieden.GeometryError as exc:
        message = str(exc).replace(f"{state.folder / value}: ", "")
        about_fields = any(word in message for word in ("Id field", "layer", "empty id"))
        state.problems.append(Problem(message, file=value, hint="see [geometry] id_field and "
                                      "layer in instance.toml" if about_fields else None))
        return [], [], None
    state.unread.discard("districts")
    from allocatie.io.coordinates import coordinate_problems

    wrong_place, far_away = coordinate_problems(gdf, value)
    state.problems.extend(wrong_place)
    state.notes.extend(far_away)
    columns = {str(c).strip().lower(): c for c in gdf.columns if c != gdf.geometry.name}
    clients_column = columns.get("clients")
    if clients_column is None:
        state.problems.append(Problem(
            f"no clients property; found {', '.join(map(str, columns.values())) or 'none'}",
            file=value, hint="add a property clients, a whole number >= 0, to every district"))
        state.unread.add("clients")
    name_column = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    districts = []
    for number, (d, record) in enumerate(gdf.iterrows(), start=1):
        state.rows[("districts", d)].append(number)
        clients: float | int = 0
        if clients_column is not None:
            parsed = _clients(record[clients_column], value, number, d, state)
            if parsed is None:
                state.bad_clients.add(d)
            clients = parsed if parsed is not None else 0
        name = record[name_column] if name_column is not None else ""
        name = "" if _missing(name) else name
        districts.append(District(d, clients, str(name), (incumbents or {}).get(d, {})))
    known = set(gdf.index)
    if incumbents:
        for d in sorted(set(incumbents) - known):
            rows = sorted(r for key, rs in state.rows.items() for r in rs
                          if key[0] == "incumbents" and key[1] == d)
            more = f" (rows {list_ids(rows, 10)})" if len(rows) > 1 else ""
            state.problems.append(Problem(
                f"today's providers for unknown district {d}{more}", file=state.files[
                    "incumbents"], row=rows[0] if rows else None, id=d,
                hint="use a district id of the districts file, or delete the row"))
    edges, hint = _edges(gdf, value, geometry, contiguity, state)
    return districts, edges, hint


def _missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA (an empty cell in a GeoPackage or shapefile)."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are not missing
        return False


def _clients(value: object, file: str, number: int, d: str, state: LoadState) -> float | int | None:
    """Clients as int (or a non-whole float, left for validation to report)."""
    if _missing(value):
        state.problems.append(Problem("no clients", file=file, row=number, id=d,
                                      hint="fill in clients, a whole number >= 0"))
        return None
    if isinstance(value, str):
        parsed = parse_number(value, decimal=",")
        if parsed is None:
            state.problems.append(Problem(f"clients {value!r} is not a number", file=file,
                                          row=number, id=d, hint="write a whole number >= 0"))
            return None
        value = parsed
    try:
        number_value = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        state.problems.append(Problem(f"clients {value!r} is not a number", file=file,
                                      row=number, id=d, hint="write a whole number >= 0"))
        return None
    return int(number_value) if number_value.is_integer() else number_value


def _edges(gdf: Any, file: str, geometry: GeometrySettings, contiguity: object,
           state: LoadState) -> tuple[list[Edge], str | None]:
    """Rook and queen-only edges of the unique districts, plus bridges; and an island fix."""
    import gebieden

    unique = gdf[~gdf.index.duplicated(keep="first")]
    try:
        fixed, issues = gebieden.check_geometry(unique, repair=True)
    except gebieden.GeometryError as exc:
        state.problems.append(Problem(str(exc), file=file))
        return [], None
    for issue in issues:
        if issue.kind == "invalid":
            state.problems.append(Problem(issue.message, file=file, id=issue.ids[0]))
    state.notes += _geometry_notes(file, [i for i in issues if i.kind != "invalid"])
    try:
        pairs = gebieden.adjacency(fixed, kind="queen", **geometry.contiguity_rule())
    except (gebieden.GeometryError, ValueError) as exc:
        state.problems.append(Problem(str(exc), file=file))
        return [], None
    bridged = [p for p in pairs if p.kind == "rook" and p.gap_m > 0]
    if bridged:
        listed = ", ".join(f"{p.a}-{p.b} ({p.border_m:.0f} m of border, apart by "
                           f"{_gap(p.gap_m)} on average)" for p in bridged[:10])
        more = f" and {len(bridged) - 10} more" if len(bridged) > 10 else ""
        state.notes.append(f"{file}: repaired {len(bridged)} border(s) that do not coincide "
                           f"exactly; counted as shared within the contiguity tolerance "
                           f"([geometry] contiguity_snap_m): {listed}{more}")
    edges = {(p.a, p.b): Edge(p.a, p.b, p.border_m, p.kind) for p in pairs}
    known = set(fixed.index)
    for a, b in geometry.bridges:
        bad = [d for d in (a, b) if d not in known]
        if bad or a == b:
            state.toml(f"[geometry] bridge [{a!r}, {b!r}] names unknown district(s) "
                       f"{', '.join(bad)}" if bad else f"[geometry] bridge [{a!r}, {b!r}] "
                       "joins a district to itself", hint="use two district ids of the "
                       "districts file")
            continue
        key = tuple(sorted((a, b)))
        if key in edges and edges[key].kind == "rook":
            state.notes.append(f"{TOML}: bridge {a}-{b} is not needed, they already share a "
                               "border")
            continue
        edges[key] = Edge(key[0], key[1], 0.0, "bridge")
    if contiguity not in ("rook", "queen") or len(known) < 2:
        return sorted(edges.values(), key=lambda e: (e.a, e.b)), None
    counted = [(e.a, e.b) for e in edges.values() if contiguity == "queen" or
               e.kind != "queen_only"]
    hint = None
    if len(gebieden.connected_parts(list(fixed.index), counted)) > 1:
        bridges = gebieden.nearest_bridges(fixed, counted)
        if geometry.auto_bridge:
            for bridge in bridges:
                edges[(bridge.a, bridge.b)] = Edge(bridge.a, bridge.b, 0.0, "bridge")
            state.notes.append(
                f"{file}: auto_bridge joined {len(bridges) + 1} parts of the district graph "
                f"with bridges {_bridge_list(bridges)}")
        else:
            pairs_text = ", ".join(f'["{b.a}", "{b.b}"]' for b in bridges)
            distances = ", ".join(f"{b.a}-{b.b} {_distance(b.distance_m)}" for b in bridges)
            hint = (f"add to instance.toml [geometry] bridges = [{pairs_text}] (the nearest "
                    f"districts of the parts: {distances}), or set [geometry] auto_bridge = "
                    'true, or [rules] contiguity = "none"')
    return sorted(edges.values(), key=lambda e: (e.a, e.b)), hint


def _geometry_notes(file: str, issues: list[Any], listed: int = 5) -> list[str]:
    """One note per repaired polygon, overlap and sliver gap; beyond ``listed`` of a kind,
    one summary line with their number, total and largest area."""
    notes = []
    for kind in dict.fromkeys(i.kind for i in issues):
        same = [i for i in issues if i.kind == kind]
        notes += [f"{file}: {i.message}" for i in same[:listed]]
        if len(same) > listed:
            areas = [i.area_m2 for i in same[listed:] if i.area_m2 is not None]
            size = (f", {sum(areas):,.1f} m² in total, the largest {max(areas):,.1f} m²"
                    if areas else "")
            what = {"overlap": "overlaps", "sliver_gap": "sliver gaps"}.get(kind, kind)
            notes.append(f"{file}: {len(same) - listed} more {what}{size}")
    return notes


def _gap(metres: float) -> str:
    if metres < 0.001:
        return "less than 1 mm"
    return f"{metres * 100:.1f} cm" if metres < 0.995 else f"{metres:.2f} m"


def _bridge_list(bridges: list[Any]) -> str:
    return ", ".join(f"{b.a}-{b.b} ({_distance(b.distance_m)})" for b in bridges)


def _distance(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"
