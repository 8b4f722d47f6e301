"""Build the bundled instance folders from the real CBS data (fixed seeds, deterministic).

    /work/venv/bin/python scripts/build_instances.py [--data DIR] [--out DIR]

``--data`` defaults to $ALLOCATIE_NL_DATA or /work/shared/data/nl; ``--out`` to ``instances/``.
Geometry and wijk inhabitants are real (CBS, CC BY 4.0); everything else is SYNTHETIC, made by
:mod:`tools.instances.generator`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from allocatie.io.instance_toml import DEFAULT_COMPACTNESS_WEIGHT  # noqa: E402
from tools import instances as gen  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("ALLOCATIE_NL_DATA", "/work/shared/data/nl"))
DEFAULT_OUT = ROOT / "instances"

WIJK_ATTRIBUTION = (
    "Bron: Centraal Bureau voor de Statistiek (CBS) / Kadaster, Wijk- en Buurtkaart en "
    "Kerncijfers wijken en buurten 2024 (CC BY 4.0); geometry simplified by cartomap/nl "
    "(mapshaper)."
)
BUURT_ATTRIBUTION = (
    "Bron: Centraal Bureau voor de Statistiek (CBS) / Kadaster, Wijk- en Buurtkaart 2024 "
    "(buurt_gegeneraliseerd) en Kerncijfers wijken en buurten 2024 (wijk totals) (CC BY 4.0); "
    "geometry simplified by cartomap/nl (mapshaper)."
)
EMMEN_TOWN = tuple(f"WK0114{n}" for n in range(40, 54))  # the wijken of Emmen town (40-53)
AWARD = {"criterion": "price_quality", "quality_weight": 0.3, "lottery_seed": 2026}


@dataclass(frozen=True)
class Spec:
    """One bundled instance: source file, level and generator settings."""

    folder: str
    source: str
    level: str  # "wijk" or "buurt"
    title: str
    seed: int
    lots: int
    bidders: int
    transition_cost: float
    mixed_share: float
    noise: float
    regime: str
    town_lots: int = 0  # > 0: Emmen layout (town sectors + rural sectors)
    centre_id: str | None = None
    n_tight: int = 2
    fixed_lots: bool = False
    time_limit_s: int = 60
    compactness_weight: float = 0.0  # EUR per km of border between lots


SPECS = (
    Spec(
        folder="emmen-wijken",
        source="cases/emmen_wijken_2024_rd.geojson",
        level="wijk",
        title="Emmen, Wmo huishoudelijke hulp en begeleiding "
        "(27 wijken, synthetische inschrijvingen)",
        seed=2017,
        lots=6,
        bidders=8,
        transition_cost=1000,
        mixed_share=0.15,
        noise=0.05,
        regime="moderate",
        town_lots=3,
        compactness_weight=DEFAULT_COMPACTNESS_WEIGHT,  # the default instance: compact lots
        centre_id="WK011440",
        fixed_lots=True,
    ),
    Spec(
        folder="emmen-buurten",
        source="cases/emmen_buurten_2024_rd.geojson",
        level="buurt",
        title="Emmen, 83 buurten, hard regime (synthetische inschrijvingen)",
        seed=2025,
        lots=6,
        bidders=8,
        transition_cost=300,
        mixed_share=0.4,
        noise=0.10,
        regime="hard",
        town_lots=3,
        centre_id="BU01144000",
    ),
    Spec(
        folder="rivierenland-buurten",
        source="cases/rivierenland_buurten_2024_rd.geojson",
        level="buurt",
        title="Rivierenland (7 gemeenten, zonder Maasdriel), 216 buurten, hard regime "
        "(synthetische inschrijvingen)",
        seed=2019,
        lots=10,
        bidders=12,
        transition_cost=300,
        mixed_share=0.4,
        noise=0.10,
        regime="hard",
        n_tight=3,
        time_limit_s=300,
    ),
    # Small and quick, for the batch comparison example (examples/compare-lelystad.toml).
    Spec(
        folder="lelystad-buurten",
        source="cases/lelystad_buurten_2024_rd.geojson",
        level="buurt",
        title="Lelystad, buurten (synthetische inschrijvingen)",
        seed=2024,
        lots=5,
        bidders=7,
        transition_cost=500,
        mixed_share=0.2,
        noise=0.08,
        regime="moderate",
        time_limit_s=30,
    ),
    Spec(
        folder="groningen-buurten",
        source="groningen/groningen_buurten_2024_rd.geojson",
        level="buurt",
        title="Provincie Groningen (10 gemeenten), 635 buurten, hard regime "
        "(synthetische inschrijvingen)",
        seed=2050,
        lots=16,
        bidders=14,
        transition_cost=300,
        mixed_share=0.4,
        noise=0.10,
        regime="hard",
        n_tight=4,
        time_limit_s=600,
    ),
)
PLACES = {"groningen": "the province of Groningen"}  # else the folder's first word


def build_tender(spec: Spec, data: Path) -> gen.Tender:
    """Districts with synthetic clients, today's areas and the synthetic tender."""
    s_clients, s_areas, s_tender = gen.child_seeds(spec.seed, 3)
    districts = gen.load_cbs_districts(data / spec.source, spec.level)
    districts["clients"] = gen.clients_from_inhabitants(districts["inwoners"], s_clients)
    current = None
    if spec.town_lots:
        town = districts["wijkcode"].isin(EMMEN_TOWN).to_numpy()
        centre_row = districts.index[districts["id"] == spec.centre_id][0]
        centre = gen.representative_points(districts)[centre_row]
        current = gen.current_areas(
            districts, spec.lots, s_areas, town=town, k_town=spec.town_lots, centre=centre
        )
    return gen.generate_tender(
        districts,
        spec.lots,
        spec.bidders,
        s_tender,
        current=current,
        max_lots_per_bidder=2,
        mixed_share=spec.mixed_share,
        noise=spec.noise,
        transition_cost=spec.transition_cost,
        n_tight=spec.n_tight,
        fixed_lots=spec.fixed_lots,
    )


def readme_text(spec: Spec, tender: gen.Tender) -> str:
    """The instance README: what is real, what is synthetic, how to rebuild, attribution."""
    d = tender.districts
    attribution = WIJK_ATTRIBUTION if spec.level == "wijk" else BUURT_ATTRIBUTION
    rules = tender.rules
    bounds = (
        f"{rules['lot_clients_min']:,}-{rules['lot_clients_max']:,} clients per lot"
        if "lot_clients_min" in rules
        else "none"
    )
    town = ""
    if spec.town_lots:
        town = (
            f"Areas 1-{spec.town_lots} cover the town of Emmen (wijken 40-53), areas "
            f"{spec.town_lots + 1}-{spec.lots} the villages and countryside (angular sectors "
            "around Emmen-Centrum), as in Emmen's 2017 design of 3 central and 3 rural areas. "
        )
    if spec.level == "wijk":
        inhabitants = (
            "`inwoners` is the real CBS number of inhabitants of the wijk on 1-1-2024 "
            "(rounded to 5)."
        )
    else:
        inhabitants = (
            "`wijk_inwoners` is the real CBS number of inhabitants of the parent wijk on "
            "1-1-2024. `inwoners` per buurt is a **PROXY, not CBS data**: the wijk total spread "
            "over its buurten with weight sqrt(max(area ha, 10)) x 0.1 for rural buurten "
            '("Verspreide huizen", "Buitengebied", " e.o.", "Tuinbouw") and x 0.02 for '
            "business areas (Bedrijventerrein, Industrieterrein, Bedrijvenpark), x 1 otherwise; "
            "whole numbers by largest remainder, so each wijk adds up to its real total."
        )
    extra = ""
    if spec.folder == "rivierenland-buurten":
        extra = (
            "\nMaasdriel (26,195 inhabitants) is missing at buurt level in the source data, so "
            "this instance covers 7 of the 8 Rivierenland municipalities. Two of its buurten "
            "were collapsed to ~0 ha by the simplification (BU02140000 Buren-Oude Kern, "
            "BU17400103 Pottemsestraat en Groenestraat); the proxy's 10 ha floor still gives "
            "them inhabitants.\n"
        )
    if spec.folder == "groningen-buurten":
        extra = (
            "\nThe whole province: 10 gemeenten, 123 wijken, 601,347 inhabitants (CBS, "
            "1-1-2024). The source file's own proxies (`inwoners_proxy_area`, "
            "`inwoners_proxy_mixed`) are not used; the proxy above is the same as for the "
            "other bundled buurt instances. The geometry is coarse (areas approximate).\n"
        )
    lots_note = (
        "The fixed design for the award (`lots.csv`) is today's areas; `lot_bids.csv` has a "
        "price per year for each whole lot (the lot fee is not included), a quality score "
        "(0-100) and the bidder's preference rank (1 = most wanted).\n\n"
        if spec.fixed_lots
        else ""
    )
    key = spec.folder.split("-")[0]
    place = PLACES.get(key, key.capitalize())
    files = "`lots.csv`, `lot_bids.csv`, `combination_bids.csv`, " if spec.fixed_lots else ""
    return f"""# {spec.folder}: {spec.title}

**The geometry and the inhabitants are real; the clients, providers, bids and capacities are
SYNTHETIC.** They were made up by a seeded generator to give the tool a realistic test case.
They are not the real figures of {place} and say nothing about any real provider.

## What is real
- District polygons: CBS {spec.level}en 2024 ({len(d)} districts), EPSG:28992 (RD New), real
  coordinates as simplified by cartomap/nl (10% mapshaper simplification).
- {inhabitants}
{extra}
## What is synthetic (generated)
- `clients` per district: inhabitants x 4% (household help plus support) x U(0.9, 1.1),
  rounded; total {int(d["clients"].sum()):,} clients.
- Today's {spec.lots} areas (`current_lots.csv`) and who serves the clients today
  (`incumbents.csv`). {town}In {spec.mixed_share:.0%} of the districts the main provider is not
  the area's provider.
- {spec.bidders} fictional bidders (`bidders.csv`), their prices per district (`bids.csv`, EUR per
  client per year, noise +-{spec.noise:.0%}), capacities and lot fees{
        ", and " + files.rstrip(", ") if files else ""
    }.
- Regime: **{spec.regime}** (transition cost EUR {spec.transition_cost:,.0f} per client,
  mixed share {spec.mixed_share}, price noise +-{spec.noise:.0%}).

{lots_note}Rules: {spec.lots} lots, at most 2 per bidder, client bounds {bounds}, rook contiguity.
A feasible design exists by construction: today's areas, each awarded to its current provider.

{gen.summary_markdown(tender)}
All assumptions, with their numbers, are in the docstring of `tools/instances/generator.py`.

## Rebuild
```
/work/venv/bin/python scripts/build_instances.py
```
Seed {spec.seed} (`SPECS` in `scripts/build_instances.py`); the output is identical byte for
byte on every run, and `tests/test_generator.py` checks that this folder equals a fresh build.
Do not edit these files by hand.

## Source and licence
{attribution}

Our changes: we selected the {spec.level}en of this case, {
        "spread the wijk inhabitants over the buurten (proxy above), "
        if spec.level == "buurt"
        else ""
    }and added synthetic clients, providers, bids and capacities. See `ATTRIBUTION.md`.
"""


def attribution_text(spec: Spec) -> str:
    """ATTRIBUTION.md: the CC BY 4.0 attribution of the source data."""
    attribution = WIJK_ATTRIBUTION if spec.level == "wijk" else BUURT_ATTRIBUTION
    return f"""# Attribution

The district geometry (`districts.geojson`) and the {spec.level}-level inhabitant figures are
derived from data published under the Creative Commons Attribution 4.0 licence
(CC BY 4.0, https://creativecommons.org/licenses/by/4.0/):

{attribution}

Changes: subset of one case, {
        "buurt inhabitants are a proxy spread from wijk totals, " if spec.level == "buurt" else ""
    }synthetic clients, providers, bids and capacities added (see README.md). The synthetic
parts are not CBS data.
"""


def build(spec: Spec, data: Path, out: Path) -> Path:
    """Build one instance folder (removed and rewritten)."""
    tender = build_tender(spec, data)
    if spec.compactness_weight:
        tender = dataclasses.replace(
            tender, rules={**tender.rules, "compactness_weight": spec.compactness_weight})
    folder = out / spec.folder
    if folder.exists():
        shutil.rmtree(folder)
    extra = ["wijkcode", "gemeentenaam", "inwoners"]
    if spec.level == "buurt":
        extra.append("wijk_inwoners")
    description = (
        f"Real CBS {spec.level} geometry and inhabitants; SYNTHETIC clients, providers, bids "
        f"and capacities ({spec.regime} regime, seed {spec.seed})."
    )
    return gen.write_instance_folder(
        folder,
        tender,
        name=spec.title,
        description=description,
        extra_properties=extra,
        award=AWARD if spec.fixed_lots else None,
        solver={"backend": "highs", "time_limit_s": spec.time_limit_s},
        readme=readme_text(spec, tender),
        attribution=attribution_text(spec),
    )


def build_all(out: Path = DEFAULT_OUT, data: Path = DEFAULT_DATA) -> list[Path]:
    """Build every bundled instance into ``out``."""
    return [build(spec, data, out) for spec in SPECS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for folder in build_all(args.out, args.data):
        tender_clients = np.loadtxt(folder / "incumbents.csv", delimiter=",", skiprows=1, usecols=2)
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(
            f"{folder}: {size / 1024:.0f} KiB, {int(tender_clients.sum()):,} clients served today"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
