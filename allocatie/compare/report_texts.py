"""The words of the comparison report (vergelijking.html) and workbook, in Dutch and English.

Numbers are formatted by :mod:`allocatie.report.texts` (Dutch: € 1.234.567, 12,5%).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_NL = {
    "title": "Vergelijking van perceelindelingen",
    "nav_read": "Zo leest u dit",
    "nav_overview": "Overzicht",
    "nav_pareto": "Kosten en overstappen",
    "nav_maps": "Kaarten",
    "nav_designs": "Per indeling",
    "nav_run": "Berekening",
    "read_heading": "Zo leest u dit",
    "read_text": (
        "Elke indeling (een verdeling van de {districts} over percelen) is {n} keer gegund, "
        "telkens met andere inschrijvingen: prijzen die hoger of lager uitvallen, "
        "inschrijvers die niet komen en capaciteit die tegenvalt. Zo ziet u niet alleen wat "
        "een indeling kost als alles loopt zoals verwacht, maar ook hoe ver het kan "
        "uitwaaieren. \"Verwacht\" is de gunning op de inschrijvingen zoals ze nu bekend "
        "zijn. Het gemiddelde en de 5%-, 50%- en 95%-waarden gaan over de willekeurige "
        "scenario's: in 90 van de 100 scenario's liggen de kosten tussen de 5%- en de "
        "95%-waarde. \"Kans geen gunning\" is het deel van de scenario's waarin geen enkele "
        "gunning aan de regels voldoet (bijvoorbeeld omdat niemand op een perceel inschrijft); "
        "dat is een uitkomst van de indeling, geen rekenfout. Overstappers zijn cliënten die "
        "een andere aanbieder krijgen dan nu. Een indeling is Pareto-efficiënt als geen "
        "andere indeling tegelijk goedkoper is en minder overstappers heeft."),
    "read_named": ("Benoemde scenario's zijn gevallen die u zelf hebt opgeschreven (zoals "
                   "\"een inschrijver doet niet mee\"); ze staan als eigen regel in elke "
                   "tabel."),
    "read_maps": ("De kaarten tonen elke indeling met dezelfde kleuren per perceelnummer; "
                  "beweeg over een {district} voor naam, perceel en verwachte winnaar."),
    "overview_heading": "Overzicht",
    "col_no": "Nr.",
    "col_rank": "Rang",
    "col_design": "Indeling",
    "col_kind": "Soort",
    "col_lots": "Percelen",
    "col_expected_cost": "Kosten verwacht",
    "col_cost_mean": "Kosten gemiddeld",
    "col_cost_p5": "Kosten 5%",
    "col_cost_p50": "Kosten 50%",
    "col_cost_p95": "Kosten 95%",
    "col_expected_transitions": "Overstappers verwacht",
    "col_transitions_mean": "Overstappers gemiddeld",
    "col_transitions_p5": "Overstappers 5%",
    "col_transitions_p50": "Overstappers 50%",
    "col_transitions_p95": "Overstappers 95%",
    "col_objective_mean": "Totaal gemiddeld",
    "col_no_award": "Kans geen gunning",
    "col_no_bid": "Kans perceel zonder inschrijving",
    "col_pareto": "Pareto-efficiënt",
    "col_row": "Scenario",
    "col_cost": "Kosten",
    "col_transitions": "Overstappers",
    "col_objective": "Totaal (kosten + overstapkosten)",
    "col_status": "Uitkomst",
    "col_reason": "Waarom",
    "col_winners": "Winnaars per perceel",
    "col_cost_change": "Kosten t.o.v. verwacht",
    "col_transitions_change": "Overstappers t.o.v. verwacht",
    "col_scenario": "Scenario",
    "col_scenario_kind": "Soort scenario",
    "col_absent": "Afwezig",
    "col_error": "Fout",
    "col_district": "Code",
    "col_district_name": "Naam",
    "col_lot": "Perceel",
    "col_clients": "Cliënten",
    "col_what": "Wat verandert",
    "yes": "ja",
    "no": "nee",
    "kind_current": "huidige gebieden",
    "kind_fixed": "vaste indeling",
    "kind_design": "ontworpen",
    "row_expected": "Verwacht (huidige inschrijvingen)",
    "row_mean": "Willekeurig: gemiddelde",
    "row_p5": "Willekeurig: 5%",
    "row_p50": "Willekeurig: 50% (mediaan)",
    "row_p95": "Willekeurig: 95%",
    "row_named": "Benoemd: {name}",
    "random": "willekeurig",
    "named": "benoemd",
    "scenario_n": "scenario {n}",
    "status_optimal": "gegund",
    "status_feasible": "gegund",
    "status_infeasible": "geen gunning mogelijk",
    "status_no_solution": "geen gunning gevonden binnen de tijd",
    "status_error": "mislukt",
    "pareto_heading": "Kosten tegen overstappers",
    "pareto_text": ("Elk punt is een indeling (nummer zoals in het overzicht), op het "
                    "gemiddelde van de willekeurige scenario's. {spread} De rode punten zijn "
                    "Pareto-efficiënt."),
    "spread_box": "Onder de figuur staat per indeling de spreiding: het vlak loopt van de "
                  "5%- tot de 95%-waarde, de streep is de mediaan, de stip het gemiddelde.",
    "spread_whiskers": "De strepen lopen van de 5%- tot de 95%-waarde.",
    "spread_none": "",
    "maps_heading": "Kaarten van de indelingen",
    "map_caption": "{lots} percelen",
    "map_none": "Geen kaart: {reason}",
    "no_geometry": "Het instance heeft geen geometrie; kaarten ontbreken.",
    "designs_heading": "Per indeling",
    "same_as": "Dezelfde indeling als {other}: één keer berekend, de cijfers zijn die van "
               "{other}.",
    "no_design": "Geen indeling mogelijk: bewezen dat geen indeling aan de regels voldoet "
                 "({rules}).",
    "rule_lots": "{n} percelen",
    "rule_lots_range": "{low} tot {high} percelen",
    "rule_max_lots": "hoogstens {n} percelen per inschrijver",
    "rule_max_lots_one": "hoogstens 1 perceel per inschrijver",
    "rule_clients": "{low} tot {high} cliënten per perceel",
    "rule_instance": "de regels van het instance",
    "design_failed": "Indeling mislukt: {message}",
    "worst_heading": "Waar deze indeling mislukte of het slechtst uitviel",
    "worst_none": "Geen scenario zonder gunning; hieronder de scenario's met het hoogste "
                  "totaal (kosten + overstapkosten).",
    "worst_no_award": "{n} van de {total} scenario's zonder gunning.",
    "worst_errors": "{n} scenario's mislukt door een fout.",
    "reason_no_bid": "perceel {lots} kreeg geen inschrijving: geen aanwezige inschrijver bood "
                     "op al de {districts}",
    "reason_max_lots": "de kavelbeperking (hoogstens {n} percelen per inschrijver) kon niet "
                       "worden nageleefd met de inschrijvers die er waren",
    "reason_max_lots_one": "de kavelbeperking (hoogstens 1 perceel per inschrijver) kon niet "
                           "worden nageleefd met de inschrijvers die er waren",
    "reason_max_lots_free": "de kavelbeperking kon niet worden nageleefd met de inschrijvers "
                            "die er waren",
    "reason_capacity": "de capaciteit van de inschrijvers die er waren was te klein voor de "
                       "percelen",
    "reason_winners": "het vereiste aantal verschillende winnaars was niet te halen",
    "reason_max_lots+capacity": "pas zonder kavelbeperking én capaciteitsgrenzen was gunnen "
                                "mogelijk",
    "reason_combined": "meerdere regels tegelijk (inschrijvingen, kavelbeperking, "
                       "capaciteit) maakten gunnen onmogelijk",
    "reason_absent": "afwezig: {names}",
    "reason_all_present": "alle inschrijvers aanwezig",
    "reason_error": "fout bij het berekenen: {error}",
    "named_bids": "inschrijvingen uit {file}",
    "named_absent": "{names} schrijft niet in",
    "named_dearer": "{bidder} {pct} duurder",
    "named_cheaper": "{bidder} {pct} goedkoper",
    "named_capacity": "capaciteit {bidder}: {n} cliënten",
    "named_heading": "Benoemde scenario's",
    "run_heading": "Berekening",
    "run_counts": ("{names} indelingen in de specificatie{dups}; {distinct} verschillende "
                   "indelingen × {per} scenario's = {total} berekeningen: {computed} berekend "
                   "+ {reused} hergebruikt + {missing} niet gedaan. Van de {done} gedane: "
                   "{awarded} gegund + {no_award} zonder mogelijke gunning + {failed} "
                   "mislukt."),
    "run_dups": "{pairs}: dezelfde indeling, één keer geteld",
    "run_without": "{n} zonder indeling",
    "run_failures": "Mislukt",
    "sources": "Bronnen",
    "synthetic": "Let op: de cliënten, aanbieders en inschrijvingen van dit voorbeeld zijn "
                 "synthetisch (verzonnen); alleen de geometrie en inwonertallen zijn echt.",
    "footer": "Gemaakt met allocatie {version}. Specificatie: {spec}.",
    "tip_lot": "Perceel",
    "tip_winner": "Verwachte winnaar",
    "tip_clients": "Cliënten",
    "no_winner": "geen",
    "sheet_overview": "Overzicht",
    "sheet_designs": "Per indeling",
    "sheet_named": "Benoemde scenario's",
    "sheet_worst": "Slechtste scenario's",
    "sheet_scenarios": "Alle scenario's",
    "sheet_explain": "Toelichting",
}

_EN = {
    "title": "Comparison of lot designs",
    "nav_read": "How to read this",
    "nav_overview": "Overview",
    "nav_pareto": "Cost and switching",
    "nav_maps": "Maps",
    "nav_designs": "Per design",
    "nav_run": "The run",
    "read_heading": "How to read this",
    "read_text": (
        "Each design (a division of the {districts} into lots) was awarded {n} times, each "
        "time with other bids: prices that come out higher or lower, bidders that do not "
        "show up, capacity that falls short. So you see not only what a design costs when "
        "all goes as expected, but also how far it can spread. \"Expected\" is the award on "
        "the bids as known today. The mean and the 5%, 50% and 95% values are over the "
        "random scenarios: in 90 of 100 scenarios the cost lies between the 5% and the 95% "
        "value. \"Chance of no award\" is the share of scenarios in which no award meets the "
        "rules (for instance because nobody bids on a lot); that is an outcome of the design, "
        "not a computing error. Switchers are clients who get another provider than today. "
        "A design is Pareto-efficient when no other design is both cheaper and has fewer "
        "switchers."),
    "read_named": ("Named scenarios are cases you wrote down yourself (such as \"a bidder "
                   "does not take part\"); each is a row of its own in every table."),
    "read_maps": ("The maps show each design with the same colours per lot number; hover "
                  "over a {district} for its name, lot and expected winner."),
    "overview_heading": "Overview",
    "col_no": "No.",
    "col_rank": "Rank",
    "col_design": "Design",
    "col_kind": "Kind",
    "col_lots": "Lots",
    "col_expected_cost": "Cost expected",
    "col_cost_mean": "Cost mean",
    "col_cost_p5": "Cost 5%",
    "col_cost_p50": "Cost 50%",
    "col_cost_p95": "Cost 95%",
    "col_expected_transitions": "Switchers expected",
    "col_transitions_mean": "Switchers mean",
    "col_transitions_p5": "Switchers 5%",
    "col_transitions_p50": "Switchers 50%",
    "col_transitions_p95": "Switchers 95%",
    "col_objective_mean": "Total mean",
    "col_no_award": "Chance of no award",
    "col_no_bid": "Chance a lot gets no bid",
    "col_pareto": "Pareto-efficient",
    "col_row": "Scenario",
    "col_cost": "Cost",
    "col_transitions": "Switchers",
    "col_objective": "Total (cost + transition cost)",
    "col_status": "Outcome",
    "col_reason": "Why",
    "col_winners": "Winners per lot",
    "col_cost_change": "Cost vs expected",
    "col_transitions_change": "Switchers vs expected",
    "col_scenario": "Scenario",
    "col_scenario_kind": "Scenario kind",
    "col_absent": "Absent",
    "col_error": "Error",
    "col_district": "Code",
    "col_district_name": "Name",
    "col_lot": "Lot",
    "col_clients": "Clients",
    "col_what": "What changes",
    "yes": "yes",
    "no": "no",
    "kind_current": "today's areas",
    "kind_fixed": "fixed design",
    "kind_design": "designed",
    "row_expected": "Expected (today's bids)",
    "row_mean": "Random: mean",
    "row_p5": "Random: 5%",
    "row_p50": "Random: 50% (median)",
    "row_p95": "Random: 95%",
    "row_named": "Named: {name}",
    "random": "random",
    "named": "named",
    "scenario_n": "scenario {n}",
    "status_optimal": "awarded",
    "status_feasible": "awarded",
    "status_infeasible": "no award possible",
    "status_no_solution": "no award found in time",
    "status_error": "failed",
    "pareto_heading": "Cost against switchers",
    "pareto_text": ("Each point is a design (numbered as in the overview), at the mean of the "
                    "random scenarios. {spread} The red points are Pareto-efficient."),
    "spread_box": "Below the plot, per design, the spread: the box runs from the 5% to the "
                  "95% value, the line is the median, the dot the mean.",
    "spread_whiskers": "The whiskers run from the 5% to the 95% value.",
    "spread_none": "",
    "maps_heading": "Maps of the designs",
    "map_caption": "{lots} lots",
    "map_none": "No map: {reason}",
    "no_geometry": "The instance has no geometry; no maps.",
    "designs_heading": "Per design",
    "same_as": "The same design as {other}: computed once, the figures are those of {other}.",
    "no_design": "No design possible: proven that no design meets the rules ({rules}).",
    "rule_lots": "{n} lots",
    "rule_lots_range": "{low} to {high} lots",
    "rule_max_lots": "at most {n} lots per bidder",
    "rule_max_lots_one": "at most 1 lot per bidder",
    "rule_clients": "{low} to {high} clients per lot",
    "rule_instance": "the instance's rules",
    "design_failed": "Design failed: {message}",
    "worst_heading": "Where this design failed or did worst",
    "worst_none": "No scenario without an award; below, the scenarios with the highest "
                  "total (cost + transition cost).",
    "worst_no_award": "{n} of {total} scenarios without an award.",
    "worst_errors": "{n} scenarios failed with an error.",
    "reason_no_bid": "lot {lots} got no bid: no bidder present bid on all its {districts}",
    "reason_max_lots": "the lot limit (at most {n} lots per bidder) could not be met with the "
                       "bidders present",
    "reason_max_lots_one": "the lot limit (at most 1 lot per bidder) could not be met with "
                           "the bidders present",
    "reason_max_lots_free": "the lot limit could not be met with the bidders present",
    "reason_capacity": "the capacity of the bidders present was too small for the lots",
    "reason_winners": "the required number of distinct winners could not be reached",
    "reason_max_lots+capacity": "only without both the lot limit and the capacities could "
                                "the lots be awarded",
    "reason_combined": "several rules together (bids, lot limit, capacity) made an award "
                       "impossible",
    "reason_absent": "absent: {names}",
    "reason_all_present": "all bidders present",
    "reason_error": "error while computing: {error}",
    "named_bids": "bids from {file}",
    "named_absent": "{names} does not bid",
    "named_dearer": "{bidder} {pct} dearer",
    "named_cheaper": "{bidder} {pct} cheaper",
    "named_capacity": "capacity of {bidder}: {n} clients",
    "named_heading": "Named scenarios",
    "run_heading": "The run",
    "run_counts": ("{names} designs in the spec{dups}; {distinct} distinct designs × {per} "
                   "scenarios = {total} tasks: {computed} computed + {reused} reused + "
                   "{missing} not done. Of the {done} done: {awarded} awarded + {no_award} "
                   "without a feasible award + {failed} failed."),
    "run_dups": "{pairs}: the same design, counted once",
    "run_without": "{n} without a design",
    "run_failures": "Failures",
    "sources": "Sources",
    "synthetic": "Note: the clients, providers and bids of this example are synthetic (made "
                 "up); only the geometry and the inhabitants are real.",
    "footer": "Made with allocatie {version}. Spec: {spec}.",
    "tip_lot": "Lot",
    "tip_winner": "Expected winner",
    "tip_clients": "Clients",
    "no_winner": "none",
    "sheet_overview": "Overview",
    "sheet_designs": "Per design",
    "sheet_named": "Named scenarios",
    "sheet_worst": "Worst scenarios",
    "sheet_scenarios": "All scenarios",
    "sheet_explain": "Explanation",
}

assert _NL.keys() == _EN.keys()
_TEXTS = {"nl": MappingProxyType(_NL), "en": MappingProxyType(_EN)}


def compare_texts(lang: str) -> Mapping[str, str]:
    """The words of one language; raises ValueError for another than ``nl`` or ``en``."""
    try:
        return _TEXTS[lang]
    except KeyError:
        raise ValueError(f"unknown report language {lang!r}; expected nl or en") from None
