"""The comparison report of a compare run: ``vergelijking.html``, ``vergelijking.xlsx`` and
each design's lots in ``designs/<name>/lots.csv`` and ``lots.geojson``.

:func:`build` turns the run's tables into a :class:`Comparison`: the same rows feed the HTML
page (:func:`render_html`) and the workbook (:mod:`allocatie.compare.workbook`), so both say
the same. A cell is ``(value, kind)`` with ``kind`` one of ``eur``, ``int``, ``pct``,
``delta_eur``, ``delta_int`` or ``text``; the page formats it in the report's language
(Dutch: € 1.234.567, 12,5%), the workbook stores the number with an Excel number format.

The page is self-contained and works offline, like ``rapport.html``: inline CSS, the Pareto
plot as inline SVG, and one inlined copy of Leaflet (:mod:`allocatie.report.webmap`) that
draws a small map per candidate design, without any tile layer.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from allocatie.compare.candidates import Candidate
from allocatie.compare.named import ResolvedNamed, describe_named
from allocatie.compare.plots import design_numbers, pareto_svg
from allocatie.compare.report_texts import compare_texts
from allocatie.compare.spec import CompareSpec
from allocatie.compare.store import write_atomic
from allocatie.instance import Instance
from allocatie.report.texts import texts
from allocatie.text import fmt_eur, fmt_int, fmt_num, fmt_pct, natural_key

HTML_NAME = "vergelijking.html"
WORKBOOK_NAME = "vergelijking.xlsx"
TEMPLATES = Path(__file__).parent / "templates"
WORST_ROWS = 8
Cell = tuple[Any, str]


@dataclass
class DesignView:
    """One candidate design in the report."""

    number: int
    name: str
    kind: str
    lots: int | None
    note: str  # same design as / no design / failed ("" when it has results)
    problem: bool  # the note is a failure or a design without results
    rows: list[list[Cell]] = field(default_factory=list)
    worst: list[list[Cell]] = field(default_factory=list)
    worst_note: str = ""
    map: dict[str, Any] | None = None
    map_note: str = ""


@dataclass
class Comparison:
    """Everything the page and the workbook show, in one language."""

    lang: str
    t: Mapping[str, str]
    title: str
    subtitle: str
    read: list[str]
    overview_header: list[str]
    overview: list[list[Cell]]
    overview_html: list[int]  # the overview columns the page shows (the workbook has all)
    design_header: list[str]
    worst_header: list[str]
    named_header: list[str]
    named: list[list[Cell]]
    designs: list[DesignView]
    counts: str
    failures: list[str]
    pareto_text: str
    sources: list[str]
    synthetic: bool
    spec_path: str
    map_source: str = ""
    districts: dict[str, Any] | None = None


# --------------------------------------------------------------------------- entry point
def write_comparison(out: Path, spec: CompareSpec, instance: Instance,
                     candidates: Sequence[Candidate], scenarios: pd.DataFrame,
                     designs: pd.DataFrame, named_rows: pd.DataFrame,
                     named: Sequence[ResolvedNamed], lang: str = "nl", spread: str = "box",
                     duplicates: Mapping[str, str] | None = None,
                     counts: Mapping[str, int] | None = None,
                     failures: Sequence[str] = ()) -> dict[str, Path]:
    """Write ``vergelijking.html``, ``vergelijking.xlsx`` and ``designs/<name>/lots.csv`` +
    ``lots.geojson`` into ``out`` (each atomically). Returns the paths by name."""
    from allocatie.compare import workbook
    from allocatie.io.geometry import district_frame

    frame = district_frame(instance)
    files: dict[str, Path] = {}
    files.update(write_design_files(out, instance, candidates, designs, frame))
    view = build(spec, instance, candidates, scenarios, designs, named_rows, named, lang,
                 spread, duplicates or {}, counts, failures, frame)
    svg = pareto_svg(designs, lang, spread) if designs["cost_mean"].notna().any() else ""
    page = render_html(view, svg)
    files[HTML_NAME] = out / HTML_NAME
    write_atomic(files[HTML_NAME], lambda p: p.write_text(page, encoding="utf-8"))
    files[WORKBOOK_NAME] = out / WORKBOOK_NAME
    data = workbook.workbook_bytes(view, scenarios)
    write_atomic(files[WORKBOOK_NAME], lambda p: p.write_bytes(data))
    return files


# --------------------------------------------------------------------------- design files
def folder_name(name: str) -> str:
    """A design name as a folder name: letters, digits, ``-``, ``_``, ``.`` and spaces kept,
    anything else (``/``, ``:``...) replaced by ``_``."""
    cleaned = re.sub(r"[^\w\-. ]", "_", name, flags=re.UNICODE).strip(" .")
    return cleaned or "_"


def write_design_files(out: Path, instance: Instance, candidates: Sequence[Candidate],
                       designs: pd.DataFrame, frame: Any) -> dict[str, Path]:
    """``designs/<name>/lots.csv`` (``district_id,lot``, usable as a ``kind = "fixed"``
    design) and ``lots.geojson`` (one polygon per lot, WGS84, with its clients and expected
    winner) for every candidate with a design."""
    import gebieden

    files: dict[str, Path] = {}
    table = designs.set_index("design")
    used: set[str] = set()
    for candidate in candidates:
        if candidate.assignment is None:
            continue
        base = folder_name(candidate.spec.name)
        name, n = base, 1
        while name.lower() in used:  # "a/b" and "a_b", or names that differ only in case
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        folder = out / "designs" / name
        folder.mkdir(parents=True, exist_ok=True)
        order = [d for d in instance.district_ids if d in candidate.assignment]
        text = "district_id,lot\n" + "".join(f"{_csv(d)},{_csv(candidate.assignment[d])}\n"
                                             for d in order)
        path = folder / "lots.csv"
        write_atomic(path, lambda p, text=text: p.write_text(text, encoding="utf-8"))
        files[f"designs/{folder.name}/lots.csv"] = path
        if frame is None:
            continue
        winners = parse_winners(table.loc[candidate.spec.name].get("expected_winners"))
        clients: dict[str, int] = {}
        for d, lot in candidate.assignment.items():
            clients[lot] = clients.get(lot, 0) + instance.clients(d)
        extra = pd.DataFrame({"clients": clients,
                              "expected_winner": {lot: winners.get(lot) for lot in clients}})
        extra.index.name = "lot"
        lots = gebieden.dissolve_lots(frame, dict(candidate.assignment), extra=extra)
        lots.insert(0, "design", candidate.spec.name)
        path = folder / "lots.geojson"
        gebieden.write_geojson_atomic(lots.reset_index(), path)
        files[f"designs/{folder.name}/lots.geojson"] = path
    return files


def _csv(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n') \
        else value


def parse_winners(text: Any) -> dict[str, str]:
    """``"1=A; 2=B"`` (the ``expected_winners`` column) as ``{lot: bidder}``."""
    if not isinstance(text, str) or not text:
        return {}
    out = {}
    for part in text.split("; "):
        lot, _, bidder = part.partition("=")
        if bidder:
            out[lot] = bidder
    return out


# --------------------------------------------------------------------------- the view
def build(spec: CompareSpec, instance: Instance, candidates: Sequence[Candidate],
          scenarios: pd.DataFrame, designs: pd.DataFrame, named_rows: pd.DataFrame,
          named: Sequence[ResolvedNamed], lang: str, spread: str,
          duplicates: Mapping[str, str], counts: Mapping[str, int] | None,
          failures: Sequence[str], frame: Any = None) -> Comparison:
    """The report's content (see :class:`Comparison`)."""
    from allocatie.report.sentences import district_words
    from allocatie.report.sources import attribution

    t = compare_texts(lang)
    word, words = district_words(instance, texts(lang))
    n = spec.scenarios.count
    numbers = design_numbers(designs)
    read = [t["read_text"].format(districts=words.lower(), n=n)]
    if named:
        read.append(t["read_named"])
    if frame is not None:
        read.append(t["read_maps"].format(district=word.lower()))
    table = designs.set_index("design")
    views = []
    for candidate in candidates:
        row = table.loc[candidate.spec.name]
        views.append(_design_view(candidate, row, numbers, scenarios, named, duplicates, t,
                                  lang, spec, instance, words))
    if frame is not None:
        payload = _map_payload(frame, instance, candidates, table, views, t, lang)
    else:
        payload = None
        for view in views:
            view.map_note = t["no_geometry"]
    overview_header, overview = _overview(designs, numbers, t)
    named_header, named_table = _named(named_rows, named, t, lang)
    return Comparison(
        lang=lang, t=t, title=spec.name or t["title"],
        subtitle=f"{t['title']} – {instance.name}" if spec.name else instance.name,
        read=read, overview_header=overview_header, overview=overview,
        overview_html=[0, 1, 3, 4, 5, 6, 8, 9, 10, 13, 14, 16, 17],
        design_header=[t["col_row"], t["col_cost"], t["col_transitions"], t["col_objective"],
                       t["col_no_award"], t["col_status"]],
        worst_header=[t["col_scenario"], t["col_status"], t["col_cost"], t["col_transitions"],
                      t["col_objective"], t["col_reason"]],
        named_header=named_header, named=named_table, designs=views,
        counts=_counts_text(spec, counts, duplicates, t) if counts else "",
        failures=list(failures),
        pareto_text=t["pareto_text"].format(spread=t[f"spread_{spread}"]).replace("  ", " "),
        sources=list(attribution(instance, lang)),
        map_source=_source_line(list(attribution(instance, lang))),
        synthetic="synthetic" in (instance.description or "").lower(),
        spec_path=str(spec.path), districts=payload)


def _source_line(paragraphs: Sequence[str]) -> str:
    """The shortest attribution paragraph that names the source (for under the maps)."""
    for pattern in (r"^(Bron|Source)\b", r"CC[ -]BY", r"CBS"):
        found = [p for p in paragraphs if re.search(pattern, p)]
        if found:
            return min(found, key=len)
    return paragraphs[0] if paragraphs else ""


def _design_view(candidate: Candidate, row: pd.Series, numbers: Mapping[str, int],
                 scenarios: pd.DataFrame, named: Sequence[ResolvedNamed],
                 duplicates: Mapping[str, str], t: Mapping[str, str], lang: str,
                 spec: CompareSpec, instance: Instance, words: str) -> DesignView:
    name = candidate.spec.name
    note, problem = "", False
    if name in duplicates:
        note = t["same_as"].format(other=duplicates[name])
    elif candidate.status == "infeasible":
        note, problem = t["no_design"].format(rules=_design_rules(candidate, t)), True
    elif not candidate.ok:
        note, problem = t["design_failed"].format(
            message=f"{candidate.error_type}: {candidate.message}"), True
    view = DesignView(number=numbers[name], name=name, kind=t[f"kind_{candidate.spec.kind}"],
                      lots=candidate.lots, note=note, problem=problem)
    if not candidate.ok:
        return view
    expected_status = str(row.get("expected_status") or "")
    view.rows.append([(t["row_expected"], "text"), (_num(row.get("expected_cost")), "eur"),
                      (_num(row.get("expected_transitions")), "int"),
                      (_num(row.get("expected_objective")), "eur"),
                      (1.0 if expected_status in ("infeasible", "no_solution") else 0.0
                       if expected_status else None, "pct"),
                      (_status_word(expected_status, t), "text")])
    for stat in ("mean", "p5", "p50", "p95"):
        view.rows.append([(t[f"row_{stat}"], "text"), (_num(row.get(f"cost_{stat}")), "eur"),
                          (_num(row.get(f"transitions_{stat}")), "int"),
                          (_num(row.get(f"objective_{stat}")), "eur"),
                          (_num(row.get("infeasible_share")) if stat == "mean" else None, "pct"),
                          ("", "text")])
    mine = scenarios[scenarios["design"] == name]
    by_name = mine[mine["scenario_kind"] == "named"].set_index("scenario_name")
    for scenario in named:
        if scenario.name not in by_name.index:
            continue
        record = by_name.loc[scenario.name]
        status = str(record["status"])
        view.rows.append([(t["row_named"].format(name=scenario.name), "text"),
                          (_num(record["cost"]), "eur"), (_num(record["transitions"]), "int"),
                          (_num(record["objective"]), "eur"),
                          (1.0 if status in ("infeasible", "no_solution") else 0.0
                           if status != "error" else None, "pct"),
                          (_status_word(status, t), "text")])
    view.worst, view.worst_note = _worst(mine, spec, t, lang, instance, words, named,
                                         candidate.spec.max_lots_per_bidder)
    return view


def _design_rules(candidate: Candidate, t: Mapping[str, str]) -> str:
    """The rules a MILP candidate was asked to meet, in words (for "no design meets ...")."""
    spec = candidate.spec
    parts = []
    if spec.lots is not None:
        parts.append(t["rule_lots"].format(n=spec.lots))
    elif spec.lots_min is not None or spec.lots_max is not None:
        parts.append(t["rule_lots_range"].format(low=spec.lots_min or 1,
                                                 high=spec.lots_max or "…"))
    if spec.max_lots_per_bidder is not None:
        key = "rule_max_lots_one" if spec.max_lots_per_bidder == 1 else "rule_max_lots"
        parts.append(t[key].format(n=spec.max_lots_per_bidder))
    if spec.lot_clients_min is not None or spec.lot_clients_max is not None:
        parts.append(t["rule_clients"].format(low=spec.lot_clients_min or 0,
                                              high=spec.lot_clients_max or "…"))
    return ", ".join(parts) or t["rule_instance"]


def _status_word(status: str, t: Mapping[str, str]) -> str:
    return t.get(f"status_{status}", status)


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _worst(rows: pd.DataFrame, spec: CompareSpec, t: Mapping[str, str], lang: str,
           instance: Instance, words: str, named: Sequence[ResolvedNamed],
           max_lots: int | None = None) -> tuple[list[list[Cell]], str]:
    """The scenarios where a design failed (errors, no award) or did worst (highest total),
    at most :data:`WORST_ROWS`, each with the reason in words."""
    errors = rows[rows["status"] == "error"]
    no_award = rows[rows["status"].isin(("infeasible", "no_solution"))]
    awarded = rows[rows["objective"].notna()].sort_values("objective", ascending=False,
                                                          kind="stable")
    random_count = int((rows["scenario_kind"] == "random").sum())
    notes = []
    if len(no_award):
        notes.append(t["worst_no_award"].format(n=len(no_award), total=len(rows)))
    if len(errors):
        notes.append(t["worst_errors"].format(n=len(errors)))
    if not notes and random_count:
        notes.append(t["worst_none"])
    chosen = pd.concat([errors.head(3), no_award.head(5), awarded.head(3)])
    described = {s.name: s for s in named}
    out = []
    for _, record in chosen.head(WORST_ROWS).iterrows():
        out.append([(_scenario_name(record, t), "text"),
                    (_status_word(str(record["status"]), t), "text"),
                    (_num(record["cost"]), "eur"), (_num(record["transitions"]), "int"),
                    (_num(record["objective"]), "eur"),
                    (reason_words(record, spec, t, lang, instance, words, described, max_lots),
                     "text")])
    return out, " ".join(notes)


def _scenario_name(record: Mapping[str, Any], t: Mapping[str, str]) -> str:
    if record.get("scenario_kind") == "named":
        return str(record["scenario_name"])
    return t["scenario_n"].format(n=int(record["scenario"]))


def reason_words(record: Mapping[str, Any], spec: CompareSpec, t: Mapping[str, str],
                 lang: str, instance: Instance, words: str,
                 named: Mapping[str, ResolvedNamed] | None = None,
                 max_lots: int | None = None) -> str:
    """Why a scenario failed or cost what it did, in words: the error, the rule that could
    not be met (:mod:`allocatie.compare.reasons`), who was absent, what a named scenario
    changed."""
    status = str(record.get("status"))
    absent = str(record.get("absent") or "")
    who = t["reason_absent"].format(names=absent.replace("; ", ", ")) if absent else \
        t["reason_all_present"]
    parts = []
    if record.get("scenario_kind") == "named" and named:
        scenario = named.get(str(record.get("scenario_name")))
        if scenario is not None:
            parts.append(describe_named(scenario, t, lambda f: fmt_pct(f, lang, 0)))
    if status == "error":
        return t["reason_error"].format(error=f"{record.get('error_type')}: "
                                              f"{record.get('error')}")
    if status in ("infeasible", "no_solution"):
        code = str(record.get("reason") or "")
        rule, _, lots = code.partition(":")
        if rule == "no_bid":
            lot_list = ", ".join(sorted(lots.split(","), key=natural_key)) if lots else "?"
            parts.append(t["reason_no_bid"].format(lots=lot_list, districts=words.lower()))
        elif rule == "max_lots":
            limit = max_lots if max_lots is not None else instance.rules.max_lots_per_bidder
            key = "reason_max_lots_one" if limit == 1 else "reason_max_lots"
            parts.append(t[key].format(n=limit) if limit else t["reason_max_lots_free"])
        elif rule:
            parts.append(t.get(f"reason_{rule}", rule))
        if record.get("scenario_kind") != "named" or absent:
            parts.append(who)
        return "; ".join(p for p in parts if p)
    if record.get("scenario_kind") != "named":
        parts.append(who)
    return "; ".join(p for p in parts if p)


def _overview(designs: pd.DataFrame, numbers: Mapping[str, int],
              t: Mapping[str, str]) -> tuple[list[str], list[list[Cell]]]:
    header = [t["col_no"], t["col_design"], t["col_kind"], t["col_lots"],
              t["col_expected_cost"], t["col_cost_mean"], t["col_cost_p5"], t["col_cost_p50"],
              t["col_cost_p95"], t["col_expected_transitions"], t["col_transitions_mean"],
              t["col_transitions_p5"], t["col_transitions_p50"], t["col_transitions_p95"],
              t["col_no_award"], t["col_no_bid"], t["col_pareto"], t["col_rank"]]
    rows = []
    for _, row in designs.iterrows():
        rank = row.get("rank")
        rows.append([
            (numbers[str(row["design"])], "int"), (str(row["design"]), "text"),
            (t[f"kind_{row['kind']}"], "text"), (_num(row.get("lots")), "int"),
            (_num(row.get("expected_cost")), "eur"), (_num(row.get("cost_mean")), "eur"),
            (_num(row.get("cost_p5")), "eur"), (_num(row.get("cost_p50")), "eur"),
            (_num(row.get("cost_p95")), "eur"), (_num(row.get("expected_transitions")), "int"),
            (_num(row.get("transitions_mean")), "int"), (_num(row.get("transitions_p5")), "int"),
            (_num(row.get("transitions_p50")), "int"), (_num(row.get("transitions_p95")), "int"),
            (_num(row.get("infeasible_share")), "pct"), (_num(row.get("lot_no_bid_chance")),
                                                         "pct"),
            (t["yes"] if bool(row.get("pareto")) else "", "text"),
            (None if rank is None or pd.isna(rank) else int(rank), "int"),
        ])
    return header, rows


def _named(named_rows: pd.DataFrame, named: Sequence[ResolvedNamed], t: Mapping[str, str],
           lang: str) -> tuple[list[str], list[list[Cell]]]:
    header = [t["col_scenario"], t["col_what"], t["col_design"], t["col_status"],
              t["col_cost"], t["col_cost_change"], t["col_transitions"],
              t["col_transitions_change"]]
    by_name = {s.name: s for s in named}
    rows = []
    for scenario in named:
        part = named_rows[named_rows["scenario_name"] == scenario.name]
        what = describe_named(by_name[scenario.name], t, lambda f: fmt_pct(f, lang, 0))
        for _, row in part.iterrows():
            rows.append([(scenario.name, "text"), (what, "text"), (str(row["design"]), "text"),
                         (_status_word(str(row["status"]), t), "text"),
                         (_num(row["cost"]), "eur"), (_num(row["cost_change"]), "delta_eur"),
                         (_num(row["transitions"]), "int"),
                         (_num(row["transitions_change"]), "delta_int")])
    return header, rows


def _counts_text(spec: CompareSpec, counts: Mapping[str, int], duplicates: Mapping[str, str],
                 t: Mapping[str, str]) -> str:
    pairs = ", ".join(f"{a} = {b}" for a, b in duplicates.items())
    notes = [t["run_dups"].format(pairs=pairs)] if duplicates else []
    if counts.get("without"):
        notes.append(t["run_without"].format(n=counts["without"]))
    dups = f" ({'; '.join(notes)})" if notes else ""
    return t["run_counts"].format(
        names=len(spec.designs), dups=dups, distinct=counts["distinct"],
        per=spec.scenarios.count + len(spec.scenarios.named), total=counts["total"],
        computed=counts["computed"], reused=counts["reused"], missing=counts["missing"],
        done=counts["computed"] + counts["reused"], awarded=counts["awarded"],
        no_award=counts["no_award"], failed=counts["failed"])


# --------------------------------------------------------------------------- maps
def _map_payload(frame: Any, instance: Instance, candidates: Sequence[Candidate],
                 table: pd.DataFrame, views: Sequence[DesignView], t: Mapping[str, str],
                 lang: str) -> dict[str, Any]:
    """The districts once (WGS84) and, per design with lots, its lot per district, the lot
    colours, the lot outlines and label points."""
    import geopandas as gpd

    import gebieden
    from allocatie.io.geometry import rounded_geojson
    from allocatie.report import maps
    from allocatie.report.data import EXTRA_LOT_COLOURS, LOT_COLOURS

    palette = LOT_COLOURS + EXTRA_LOT_COLOURS
    wgs = gebieden.to_wgs84(frame)
    features = []
    for district_id, geometry in zip(wgs.index, wgs.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        district = instance.district_by_id[str(district_id)]
        features.append({"type": "Feature", "id": str(district_id),
                         "properties": {"id": str(district_id),
                                        "name": district.name or str(district_id),
                                        "clients": fmt_int(district.clients, lang)},
                         "geometry": rounded_geojson(geometry)})
    designs = []
    for candidate, view in zip(candidates, views, strict=True):
        if candidate.assignment is None:
            view.map_note = t["map_none"].format(reason=view.note)
            continue
        lots_rd = maps.lots_geometry(frame, candidate.assignment)
        lots = gebieden.to_wgs84(lots_rd)
        points = gebieden.to_wgs84(gpd.GeoDataFrame(
            geometry=[maps.label_point(g) for g in lots_rd.geometry], index=lots_rd.index,
            crs=lots_rd.crs))
        order = sorted({str(lot) for lot in candidate.assignment.values()}, key=natural_key)
        colours = {lot: palette[i % len(palette)] for i, lot in enumerate(order)}
        winners = parse_winners(table.loc[candidate.spec.name].get("expected_winners"))
        outlines, labels = [], []
        for lot, geometry, point in zip(lots.index, lots.geometry, points.geometry,
                                        strict=True):
            outlines.append({"type": "Feature", "properties": {"lot": str(lot)},
                             "geometry": rounded_geojson(geometry)})
            labels.append({"lot": str(lot), "lat": round(point.y, 5), "lon": round(point.x, 5)})
        view.map = {"index": view.number}
        designs.append({
            "name": candidate.spec.name, "id": f"map-{len(designs)}",
            "lots": {str(d): str(lot) for d, lot in candidate.assignment.items()},
            "colours": colours, "winners": {lot: winners.get(lot, t["no_winner"])
                                            for lot in order},
            "outlines": {"type": "FeatureCollection", "features": outlines},
            "labels": labels,
        })
        view.map["id"] = designs[-1]["id"]
    return {"districts": {"type": "FeatureCollection", "features": features},
            "designs": designs,
            "texts": {"lot": t["tip_lot"], "winner": t["tip_winner"],
                      "clients": t["tip_clients"]}}


# --------------------------------------------------------------------------- html
def format_cell(cell: Cell, lang: str) -> str:
    """A cell as text in ``lang`` (– for a missing number)."""
    value, kind = cell
    if kind == "text":
        return "" if value is None else str(value)
    if value is None:
        return "–"
    if kind == "eur":
        return fmt_eur(value, lang)
    if kind == "int":
        return fmt_int(value, lang)
    if kind == "pct":
        return fmt_pct(value, lang, 1)
    if kind == "delta_eur":
        sign = "+" if value > 0.5 else ""
        return sign + fmt_eur(value, lang)
    if kind == "delta_int":
        sign = "+" if round(value) > 0 else "−" if round(value) < 0 else ""
        return sign + fmt_int(abs(value), lang)
    return fmt_num(value, lang)


def render_html(view: Comparison, pareto: str) -> str:
    """The complete vergelijking.html as text."""
    from allocatie import __version__
    from allocatie.report.webmap import leaflet_css, leaflet_js, script_json

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(("html", "j2")),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["cell"] = lambda cell: format_cell(cell, view.lang)
    env.filters["numeric"] = lambda cell: cell[1] != "text"
    template = env.get_template("vergelijking.html.j2")
    return template.render(
        v=view, t=view.t, lang=view.lang, pareto=pareto, version=__version__,
        leaflet_css=leaflet_css() if view.districts else "",
        leaflet_js=leaflet_js() if view.districts else "",
        payload=script_json(view.districts) if view.districts else "null",
        escape=html.escape)
