"""``allocatie init``: from the CBS Wijk- en Buurtkaart and a client sheet to an instance folder.

:func:`init_instance` reads the geometry (:mod:`.cbs`), the clients (:mod:`.clients`) and the
bids (:mod:`.bids`), builds the folder in a staging directory, loads it with the instance
loader (so what is written is valid, or nothing is written) and moves it into place
(:mod:`.writer`). It returns an :class:`InitReport`: what was read, taken, dropped, repaired
and left to do, for the command line to print.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from allocatie.errors import InstanceError, Problem
from allocatie.onboarding.bids import (
    BID_TEMPLATE,
    EXAMPLE_TARIFF,
    Bids,
    example_bids,
    read_bids,
    write_bid_template,
)
from allocatie.onboarding.cbs import CbsDistricts, read_cbs
from allocatie.onboarding.clients import (
    TEMPLATE,
    Clients,
    proxy_clients,
    read_clients,
    write_template,
)
from allocatie.onboarding.writer import publish, toml_text, write_csv

ATTRIBUTION = ("Bron: Centraal Bureau voor de Statistiek (CBS) / Kadaster, Wijk- en Buurtkaart "
               "en Kerncijfers wijken en buurten (CC BY 4.0, "
               "https://creativecommons.org/licenses/by/4.0/)")
TRANSITION_COST = 1000.0  # EUR per client who must switch: the bundled instances' level


@dataclass
class InitReport:
    """What ``init`` did, as lines for a person (English), and what was written."""

    out: Path
    lines: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    ready: bool = False  # an instance.toml was written (validate and design can run)


def init_instance(out: str | Path, geometry: str | Path, gemeenten: list[str],
                  level: str = "wijk", clients: str | Path | None = None,
                  clients_proxy: float | None = None, bids: str | Path | None = None,
                  example: bool = False, lots: int | None = None,
                  name: str | None = None, lots_file: str | Path | None = None,
                  tariff: float | None = None) -> InitReport:
    """Build the instance folder ``out``; raise :class:`InstanceError` (nothing written)
    when the geometry, the client sheet or the bids have problems."""
    out = Path(out)
    if clients is not None and clients_proxy is not None:
        raise InstanceError([Problem("give --clients or --clients-proxy, not both")])
    if bids is not None and example:
        raise InstanceError([Problem("give --bids or --example-bids, not both")])
    if clients_proxy is not None and not 0 < clients_proxy <= 1:
        raise InstanceError([Problem(f"--clients-proxy {clients_proxy:g}; expected a share of "
                                     "the inhabitants between 0 and 1, e.g. 0.02")])
    cbs = read_cbs(geometry, gemeenten, level)
    report = InitReport(out)
    _say_geometry(report, cbs)
    frame = cbs.frame
    if clients is not None:
        table = read_clients(Path(clients), frame)
    elif clients_proxy is not None:
        table = proxy_clients(frame, clients_proxy)
    else:
        table = None
    codes = list(frame.index)
    if table is None:
        report.written = publish(out, lambda staging: _template_only(staging, cbs, name),
                                 lambda staging: None)
        report.lines += [f"no client sheet given: wrote {TEMPLATE} (one row per {level}) and "
                         "README.md",
                         f"next: fill in {out / TEMPLATE} and run init again with "
                         f"--clients {out / TEMPLATE} (or --clients-proxy RATE to start with "
                         "a proxy)"]
        return report
    _say_clients(report, table, frame)
    providers = table.providers
    if tariff is not None and not tariff > 0:
        raise InstanceError([Problem(f"--tariff {tariff:g}; expected EUR per client > 0")])
    offer = (read_bids(Path(bids), codes, None if lots_file is None else Path(lots_file))
             if bids is not None else
             example_bids(codes, providers) if example else None)
    if offer is not None and offer.lots:
        k = len(set(offer.lots.values()))
    else:
        k = lots or _default_lots(len(codes))
    sections, comments = _settings(cbs, table, offer, k, name, providers,
                                   tariff or EXAMPLE_TARIFF)

    def build(staging: Path) -> list[str]:
        return _write_instance(staging, cbs, table, offer, sections, comments)

    def check(staging: Path) -> None:
        from allocatie.io.loading import load_instance

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            load_instance(staging)
        report.lines += [f"check: {w.message}" for w in caught]

    report.written = publish(out, build, check, keep={TEMPLATE})
    report.ready = True
    if offer is None:
        report.lines.append(
            f"no bids yet: wrote {BID_TEMPLATE}; validate and design work now with EXPECTED "
            f"bids (every current provider at EUR {tariff or EXAMPLE_TARIFF:,.0f} per client, "
            "[bids] expected_tariff in instance.toml or --tariff)")
    elif offer.example:
        report.lines.append(f"EXAMPLE bids: {len(offer.bidders)} synthetic bidders "
                            f"({', '.join(offer.bidders)}); not real bids, the report says so")
    elif offer.lots:
        report.lines.append(f"bids: {len(offer.lot_rows)} bids on {k} lots from "
                            f"{len(offer.bidders)} bidders ({offer.source}); award them with "
                            f"allocatie award {out} --out {out}-gunning")
    else:
        report.lines.append(f"bids: {len(offer.prices)} from {len(offer.bidders)} bidders "
                            f"({offer.source})")
    report.lines.append(f"instance written to {out} ({k} lots); next: allocatie validate "
                        f"{out} && allocatie design {out} --out {out}-ontwerp")
    return report


def _default_lots(n: int) -> int:
    """About five districts per lot, 2 to 8 lots."""
    return max(2, min(8, round(n / 5)))


def _say_geometry(report: InitReport, cbs: CbsDistricts) -> None:
    where = f"layer {cbs.layer!r} of " if cbs.layer else ""
    gm = ", ".join(f"{code} {name}".strip() for code, name in cbs.gemeenten.items())
    report.lines.append(f"geometry: {where}{cbs.path.name}, layout {cbs.layout_text}, "
                        f"CRS {cbs.crs}; {len(cbs.frame)} {cbs.level}en of {gm}")
    if cbs.water:
        listed = ", ".join(f"{d} {n}".strip() for d, n in cbs.water)
        report.lines.append(f"dropped {len(cbs.water)} water-only district(s): {listed}")
    if cbs.secret:
        listed = ", ".join(f"{d} ({v:g})" for d, v in sorted(cbs.secret.items()))
        report.lines.append(f"inhabitants secret or unknown at CBS (taken as missing, not as "
                            f"numbers): {listed}")
    if cbs.frame["inhabitants"].isna().all():
        report.lines.append("no inhabitants in this file (PDOK layout): the client template "
                            "has an empty inwoners column")


def _say_clients(report: InitReport, table: Clients, frame) -> None:
    if table.proxy is not None:
        report.lines.append(f"clients: PROXY {table.proxy:g} x inhabitants (no real counts; "
                            "README and report say so)")
    else:
        taken = ", ".join(f"{role} <- column {column!r}" for role, column in
                          table.columns.items())
        report.lines.append(f"clients: {table.source} read as a {table.shape} table: {taken}; "
                            f"{len(table.providers)} providers")
    empty = [f"{d} {frame.at[d, 'name']}".strip() for d in frame.index if not table.total(d)]
    if empty:
        report.lines.append(f"{len(empty)} district(s) without clients: {', '.join(empty)}")


def _settings(cbs: CbsDistricts, table: Clients, offer: Bids | None, k: int,
              name: str | None, providers: list[str],
              tariff: float) -> tuple[dict, dict]:
    from allocatie.io.instance_toml import DEFAULT_COMPACTNESS_WEIGHT

    total = sum(table.total(d) for d in cbs.frame.index)
    average = total / k
    bidders = len(offer.bidders) if offer is not None else len(providers)
    per_bidder = max(2, math.ceil(k / max(1, bidders)))
    gm = ", ".join(cbs.gemeenten.values()) or ", ".join(cbs.gemeenten)
    label = (" (cliënten: PROXY)" if table.proxy is not None else "") + (
        " (VOORBEELDBIEDINGEN)" if offer is not None and offer.example else
        " (nog geen biedingen)" if offer is None else "")
    files: dict[str, object] = {"districts": "districts.geojson"}
    if table.incumbents:
        files["incumbents"] = "incumbents.csv"
    if offer is not None and offer.lots:
        files |= {"bidders": "bidders.csv", "lots": "lots.csv", "lot_bids": "lot_bids.csv"}
    elif offer is not None:
        files |= {"bidders": "bidders.csv", "bids": "bids.csv"}
    rules: dict[str, object] = {
        "lots": k, "max_lots_per_bidder": per_bidder,
        "lot_clients_min": int(math.floor(0.5 * average)),
        "lot_clients_max": int(math.ceil(1.6 * average)),
        "transition_cost": TRANSITION_COST, "compactness_weight": DEFAULT_COMPACTNESS_WEIGHT,
        "contiguity": "rook"}
    if offer is not None and offer.lots:  # a given design: no bounds to draw lots by
        for key in ("lot_clients_min", "lot_clients_max", "compactness_weight"):
            rules.pop(key)
    sections: dict[str, dict[str, object]] = {
        "": {"schema_version": 1, "name": name or f"{gm}, {cbs.level}en{label}",
             "description": f"Made by allocatie init from {cbs.path.name} and {table.source}."},
        "files": files, "rules": rules, "solver": {"backend": "highs", "time_limit_s": 60}}
    comments = {"rules.lot_clients_min": "half the average lot (clients / lots)",
                "rules.lot_clients_max": "1.6 x the average lot",
                "rules.transition_cost": "EUR per client who must switch provider",
                "rules.compactness_weight": "EUR per km of border between lots",
                "rules.max_lots_per_bidder": "kavelbeperking"}
    if offer is None:
        sections["bids"] = {"expected_tariff": tariff}
        comments["bids.expected_tariff"] = "EUR per client per year, until the bids are in"
    elif offer.example:
        sections["bids"] = {"kind": "example"}
        comments["bids.kind"] = "synthetic example bids, not real"
    return sections, comments


def _template_only(staging: Path, cbs: CbsDistricts, name: str | None) -> list[str]:
    write_template(staging / TEMPLATE, cbs.frame, cbs.level)
    (staging / "README.md").write_text(_readme(cbs, None, None, name), encoding="utf-8")
    return [TEMPLATE, "README.md"]


def _write_instance(staging: Path, cbs: CbsDistricts, table: Clients, offer: Bids | None,
                    sections: dict, comments: dict) -> list[str]:
    import gebieden

    frame = cbs.frame.copy()
    frame["clients"] = [table.total(d) for d in frame.index]
    frame["inwoners"] = [None if v != v else int(v) for v in frame["inhabitants"]]
    out = frame[["name", "clients", "inwoners", "gemeente", "gemeentenaam", "geometry"]]
    out = out.reset_index()
    gebieden.write_geojson_atomic(out, staging / "districts.geojson")
    names = ["districts.geojson", "instance.toml", "README.md"]
    if table.incumbents:
        rows = [[d, p, c] for d in frame.index
                for p, c in sorted(table.incumbents.get(d, {}).items())]
        write_csv(staging / "incumbents.csv", ["district_id", "provider", "clients"], rows)
        names.append("incumbents.csv")
    if offer is not None:
        write_csv(staging / "bidders.csv", ["bidder"], [[b] for b in offer.bidders])
        names.append("bidders.csv")
    if offer is not None and offer.lots:
        write_csv(staging / "lots.csv", ["district_id", "lot"],
                  [[d, offer.lots[d]] for d in frame.index])
        write_csv(staging / "lot_bids.csv", ["bidder", "lot", "price", "score", "preference"],
                  offer.lot_rows)
        names += ["lots.csv", "lot_bids.csv"]
    elif offer is not None:
        write_csv(staging / "bids.csv", ["bidder", "district_id", "price"],
                  [[b, d, p] for (b, d), p in sorted(offer.prices.items())])
        names.append("bids.csv")
    else:
        write_bid_template(staging / BID_TEMPLATE, list(frame.index))
        names.append(BID_TEMPLATE)
    (staging / "instance.toml").write_text(toml_text(sections, comments), encoding="utf-8")
    (staging / "README.md").write_text(_readme(cbs, table, offer, sections[""]["name"]),
                                       encoding="utf-8")
    return names


def _readme(cbs: CbsDistricts, table: Clients | None, offer: Bids | None,
            name: str | None) -> str:
    gm = ", ".join(f"{n} ({c})" for c, n in cbs.gemeenten.items())
    lines = [f"# {name or gm}", "",
             "Gemaakt met `allocatie init` / made by `allocatie init`.", "",
             "## Bronnen / sources", "",
             f"- Geometrie en inwoners: `{cbs.path.name}`"
             + (f" (laag `{cbs.layer}`)" if cbs.layer else "")
             + f", {cbs.layout_text}; {len(cbs.frame)} {cbs.level}en van {gm}.",
             f"- {ATTRIBUTION}. Wijzigingen: selectie van gemeenten, waterdistricten "
             "weggelaten, omgezet naar WGS84.",
             ]
    if cbs.water:
        lines.append("- Weggelaten (alleen water): "
                     + ", ".join(f"{d} {n}".strip() for d, n in cbs.water) + ".")
    if cbs.secret:
        lines.append("- Inwoners geheim/onbekend bij CBS (leeg gelaten): "
                     + ", ".join(sorted(cbs.secret)) + ".")
    if table is None:
        lines.append(f"- Cliënten: nog niet ingevuld; vul `{TEMPLATE}` in.")
    elif table.proxy is not None:
        lines.append(f"- Cliënten: **PROXY**, {table.proxy:g} x inwoners; geen echte "
                     "aantallen. Vervang ze door de echte cliëntenlijst (--clients).")
    else:
        lines.append(f"- Cliënten en zittende aanbieders: `{table.source}` (gemeente).")
    if table is not None:
        if offer is None:
            lines.append(f"- Biedingen: nog niet binnen. `validate` en `design` rekenen met "
                         f"**verwachte** biedingen (elke zittende aanbieder tegen "
                         f"[bids] expected_tariff per cliënt). Vul `{BID_TEMPLATE}` in als de "
                         "biedingen binnen zijn.")
        elif offer.example:
            lines.append("- Biedingen: **VOORBEELDBIEDINGEN**, synthetisch (seed 2026); geen "
                         "echte inschrijvingen.")
        else:
            lines.append(f"- Biedingen: `{offer.source}`.")
    lines += ["", "Formaat: zie docs/instance-format.md in de allocatie-repository.", ""]
    return "\n".join(lines)
