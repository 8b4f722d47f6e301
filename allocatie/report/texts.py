"""Every user-visible string of the report, in Dutch (default) and English, and the number
formats that go with each language (Dutch: 1.234.567, € 1.234.567, 1,2%)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

LANGUAGES = ("nl", "en")

DEFAULT_ATTRIBUTION = {
    "nl": "Bron kaartgegevens: Centraal Bureau voor de Statistiek (CBS) / Kadaster, "
          "Wijk- en Buurtkaart (CC BY 4.0).",
    "en": "Map data: Statistics Netherlands (CBS) / Kadaster, Wijk- en Buurtkaart "
          "(CC BY 4.0).",
}

_NL: dict[str, str] = {
    # words
    "lot": "Perceel",
    "lots": "percelen",
    "client": "cliënt",
    "clients": "cliënten",
    "bidder": "Inschrijver",
    "winner": "Hoofdaannemer",
    "none": "geen",
    "yes": "ja",
    "no": "nee",
    "unlimited": "onbeperkt",
    "other": "Overig",
    "no_provider": "Geen aanbieder",
    "total": "Totaal",
    "district": "Gebied",
    "districts": "Gebieden",
    "district_wk": "Wijk",
    "districts_wk": "Wijken",
    "district_bu": "Buurt",
    "districts_bu": "Buurten",
    "n_clients": "{n} cliënten",
    # maps
    "map_title": "Nieuwe percelen en hoofdaannemers",
    "map_title_current": "Huidige aanbieders",
    "map_subtitle": "{lots} percelen · {winners} hoofdaannemers · {switchers} cliënten "
                    "wisselen van aanbieder",
    "map_subtitle_current": "Kleur: aanbieder met de meeste cliënten in het gebied",
    "map_legend_lots": "Perceel – hoofdaannemer (cliënten)",
    "map_legend_providers": "Grootste huidige aanbieder",
    "map_lot_label": "Perceel {lot}\n{winner}\n{clients} cliënten",
    "map_lot_border": "Perceelgrens",
    "map_current_border": "Grens huidige percelen",
    "map_provider_entry": "{provider} ({clients} cliënten vandaag)",
    "map_no_winner": "(geen winnaar)",
    "km": "km",
    # web map
    "web_title": "Kaart: {name}",
    "web_layer_lots": "Nieuwe percelen",
    "web_layer_winners": "Nieuwe hoofdaannemer",
    "web_layer_current": "Huidige aanbieders",
    "web_layer_borders": "Perceelgrenzen en namen",
    "web_layer_osm": "Achtergrondkaart OpenStreetMap (haalt gegevens van internet)",
    "web_tip_code": "Code",
    "web_tip_clients": "Cliënten",
    "web_tip_current": "Huidige aanbieders",
    "web_tip_lot": "Perceel",
    "web_tip_winner": "Hoofdaannemer",
    "web_tip_price": "Prijs per cliënt per jaar",
    "web_tip_cost": "Kosten per jaar",
    "web_tip_switch": "Cliënten die wisselen",
    "web_hint": "Beweeg over een gebied voor de gegevens; kies rechtsboven wat de kaart kleurt.",
    "web_no_bid": "geen bod",
    "web_attribution": "Kaart: CBS / Kadaster (CC BY 4.0)",
    # report
    "report_title": "Percelen en gunning",
    "report_title_none": "Percelen en gunning: geen oplossing",
    "nav_answer": "Antwoord",
    "nav_question": "Vraag",
    "nav_lots": "Percelen",
    "nav_bidders": "Inschrijvers",
    "nav_transitions": "Overstappen",
    "nav_tradeoff": "Afweging",
    "nav_audit": "Auditlog",
    "nav_check": "Controle",
    "nav_sources": "Bronnen",
    "sec_short": "In het kort",
    "sec_question": "De vraag",
    "sec_answer": "Het antwoord",
    "sec_map": "Kaart",
    "sec_map_current": "Vandaag: huidige aanbieders",
    "sec_lots": "Percelen",
    "sec_bidders": "Inschrijvers",
    "sec_transitions": "Wie gaat naar wie?",
    "sec_tradeoff": "Kosten tegenover overstappen",
    "sec_audit": "Auditlog van de gunningsregel",
    "sec_diagnosis": "Waarom er geen oplossing is",
    "sec_check": "Onafhankelijke controle",
    "sec_sources": "Bronnen en verantwoording",
    "map_open": "Open de interactieve kaart (kaart.html) om per gebied de gegevens te zien.",
    "map_missing": "Geen kaart: de gebieden hebben geen geometrie (instantie zonder "
                   "gebiedenbestand).",
    "short_solution": "{status}. {lots} percelen, gewonnen door {winners} hoofdaannemers. "
                      "Totale kosten {cost} per jaar; {switchers} van de {served} cliënten "
                      "met een aanbieder ({share}) moeten wisselen van aanbieder.",
    "short_none": "{status}.",
    "short_bids_expected": "Let op: er zijn nog geen biedingen. Elke zittende aanbieder is "
                           "meegenomen tegen een verwacht tarief per cliënt; de kosten en de "
                           "gunning zijn verwacht, niet geboden.",
    "short_bids_example": "Let op: dit zijn VOORBEELDBIEDINGEN (synthetisch), geen echte "
                          "inschrijvingen.",
    # question
    "q_instance": "Instantie",
    "q_description": "Omschrijving",
    "q_districts": "Aantal {districts}",
    "q_clients": "Cliënten in totaal",
    "q_served": "waarvan met een huidige aanbieder",
    "q_providers": "Huidige aanbieders",
    "q_bidders": "Inschrijvers",
    "q_lots": "Aantal percelen",
    "q_lots_range": "{lo} tot en met {hi}",
    "q_fixed_design": "vaste indeling ({n} percelen)",
    "q_max_lots": "Kavelbeperking (max. percelen per inschrijver)",
    "q_capacity": "Capaciteit inschrijvers",
    "q_capacity_some": "{n} van de {total} inschrijvers hebben een maximum aantal cliënten",
    "q_capacity_none": "geen maximum",
    "q_own_max_lots": "Eigen maximum percelen",
    "q_client_bounds": "Cliënten per perceel",
    "q_bounds_between": "tussen {lo} en {hi}",
    "q_bounds_min": "minimaal {lo}",
    "q_bounds_max": "maximaal {hi}",
    "q_bounds_soft": "{bounds} (zachte grens: {penalty} per cliënt erboven of eronder)",
    "q_transition_cost": "Kosten per cliënt die moet wisselen",
    "q_contiguity": "Samenhang van een perceel",
    "q_contiguity_rook": "aaneengesloten: gebieden delen een grens",
    "q_contiguity_queen": "aaneengesloten: gebieden raken elkaar (ook in een punt)",
    "q_contiguity_none": "niet vereist",
    "q_winners": "Aantal verschillende winnaars",
    "q_compactness": "Weging compactheid",
    "q_compactness_value": "{eur} per km grens tussen percelen",
    "q_changed": "Max. {districts} in een ander perceel dan nu",
    "q_pricing": "Prijsgrondslag",
    "q_pricing_district": "prijs per cliënt per {district} (bids.csv)",
    "q_pricing_lot_bids": "prijs per perceel (lot_bids.csv)",
    "q_award_rule": "Gunningsregel",
    "q_criterion": "Gunningscriterium",
    "q_criterion_price": "laagste prijs",
    "q_criterion_quality": "beste prijs-kwaliteitverhouding (weging kwaliteit {weight})",
    "q_solver": "Rekenmethode",
    "q_solver_value": "{backend}, tijdslimiet {limit} s, gevraagde gap {gap}",
    "q_objective": "Doel",
    "q_objective_value": "minimaliseer de jaarkosten + {eur} × aantal cliënten dat wisselt",
    # answer
    "a_status": "Uitkomst",
    "a_lots": "Percelen",
    "a_winners": "Hoofdaannemers",
    "a_cost": "Totale kosten per jaar",
    "a_switchers": "Cliënten die wisselen van aanbieder",
    "a_switchers_value": "{n} van {served} ({share})",
    "a_transition_cost": "Kosten van overstappen",
    "a_penalty": "Boete zachte cliëntgrenzen",
    "a_compactness": "Kosten compactheid",
    "a_objective": "Doelwaarde (kosten + overstapkosten)",
    "a_bound": "Ondergrens (bewezen)",
    "a_gap": "Gap",
    "a_solver": "Rekenmethode en rekentijd",
    "a_solver_value": "{solver}, {seconds} s",
    "a_changed": "{districts} in een ander perceel dan nu",
    "a_message": "Toelichting",
    "a_compactness_price": "Wat compacte percelen kosten",
    "a_compactness_price_value": "{extra} per jaar aan kosten en overstappen, voor {km} km "
                                 "minder perceelgrens ({with_} met, {without} zonder de "
                                 "compactheidsweging; apart berekend)",
    "status_optimal": "Bewezen optimaal",
    "status_optimal_gap": "Optimaal binnen de gevraagde gap van {gap}",
    "status_feasible": "Toelaatbaar, niet bewezen optimaal, gap {gap}",
    "status_feasible_nogap": "Toelaatbaar, niet bewezen optimaal (geen ondergrens bekend)",
    "status_infeasible": "Onmogelijk: geen indeling en gunning voldoet aan alle regels",
    "status_no_solution": "Geen oplossing gevonden binnen de grenzen (tijdslimiet "
                          "{limit} s); dat er geen bestaat is niet bewezen",
    # tables
    "col_lot": "Perceel",
    "col_winner": "Hoofdaannemer",
    "col_n_districts": "Aantal {districts}",
    "col_clients": "Cliënten",
    "col_cost": "Kosten per jaar",
    "col_cost_per_client": "Kosten per cliënt",
    "col_switchers": "Overstappers",
    "col_switch_share": "% overstappers",
    "col_bidder": "Inschrijver",
    "col_lots_won": "Gewonnen percelen",
    "col_n_lots": "Aantal percelen",
    "col_max_lots": "Max. percelen",
    "col_capacity": "Capaciteit",
    "col_capacity_use": "Benutting",
    "col_district_id": "Code",
    "col_district_name": "Naam",
    "col_current": "Huidige aanbieders",
    "col_main_current": "Grootste huidige aanbieder",
    "col_price": "Prijs per cliënt",
    "col_from": "Van (huidige aanbieder)",
    "col_to": "Naar (nieuwe hoofdaannemer)",
    "col_item": "Onderdeel",
    "col_value": "Waarde",
    "col_line": "Regel",
    "col_entry": "Melding",
    "col_name": "Naam",
    "col_transitions": "Overstappers",
    "transitions_intro": "Rijen: de huidige aanbieder van de cliënten; kolommen: de nieuwe "
                         "hoofdaannemer van hun gebied. Op de diagonaal (omlijnd) blijven "
                         "cliënten bij hun aanbieder; elders moeten ze wisselen.",
    "transitions_summary": "{stay} cliënten houden hun aanbieder, {switch} wisselen; "
                           "{new} cliënten hebben nu nog geen aanbieder.",
    "transitions_none": "Geen cliënten met een huidige aanbieder: niemand hoeft te wisselen.",
    "tradeoff_intro": "Elk punt is een doorgerekend alternatief: jaarkosten tegenover het "
                      "aantal cliënten dat moet wisselen. Linksonder is beter op beide.",
    "tradeoff_x": "Cliënten die wisselen van aanbieder",
    "tradeoff_y": "Kosten per jaar (€)",
    "tradeoff_this": "deze oplossing",
    "tradeoff_table_name": "Alternatief",
    "audit_intro": "De stappen van de gunningsregel, in volgorde, zoals de software ze "
                   "heeft uitgevoerd.",
    "check_ok": "De onafhankelijke controle heeft de oplossing opnieuw doorgerekend en vindt "
                "geen overtredingen: elke regel is nageleefd.",
    "check_bad": "De onafhankelijke controle vindt {n} overtreding(en):",
    "check_objective_ok": "De doelwaarde van de rekenmethode ({reported}) komt overeen met de "
                          "herberekende waarde.",
    "check_objective_bad": "Let op: de doelwaarde van de rekenmethode ({reported}) wijkt af "
                           "van de herberekende waarde ({recomputed}).",
    "check_none": "Er is geen oplossing om te controleren.",
    "sources_data": "Gegevens",
    "sources_files": "Bestanden van de instantie",
    "sources_tool": "Berekend met allocatie {version}.",
    "sources_clients_note": "Cliëntaantallen, huidige aanbieders en biedingen komen uit de "
                            "bestanden van de instantie, niet van het CBS.",
    "check_short_ok": "geen overtredingen",
    "check_short_bad": "overtredingen gevonden",
    "diagnosis_none": "De rekenmethode gaf geen nadere verklaring.",
    "show_names": "toon namen",
    "winners_word": "hoofdaannemers",
    "lots_note": "Overstappers: cliënten van wie de huidige aanbieder niet de nieuwe "
                 "hoofdaannemer van hun gebied is. Het percentage is berekend over de "
                 "cliënten die nu een aanbieder hebben.",
    "col_clients_today": "Cliënten vandaag",
    "districts_table": "Alle {n} {districts} met hun cliënten, huidige aanbieders en "
                       "nieuwe perceel",
    "progress_incumbent": "beste",
    "progress_bound": "grens",
    "progress_scenarios": "{done}/{total} scenario's klaar",
    "progress_left": "nog ca. {time}",
    "unit_s": "s",
    "unit_time": "Rekentijd (s)",
    "summary_sheet": "Samenvatting",
    "lots_sheet": "Percelen",
    "bidders_sheet": "Inschrijvers",
    "districts_sheet": "Wijken",
    "transitions_sheet": "Overstappen",
    "audit_sheet": "Auditlog",
}

_EN: dict[str, str] = {
    "lot": "Lot",
    "lots": "lots",
    "client": "client",
    "clients": "clients",
    "bidder": "Bidder",
    "winner": "Main contractor",
    "none": "none",
    "yes": "yes",
    "no": "no",
    "unlimited": "unlimited",
    "other": "Other",
    "no_provider": "No provider",
    "total": "Total",
    "district": "Area",
    "districts": "Areas",
    "district_wk": "District",
    "districts_wk": "Districts",
    "district_bu": "Neighbourhood",
    "districts_bu": "Neighbourhoods",
    "n_clients": "{n} clients",
    "map_title": "New lots and main contractors",
    "map_title_current": "Current providers",
    "map_subtitle": "{lots} lots · {winners} main contractors · {switchers} clients "
                    "switch provider",
    "map_subtitle_current": "Colour: the provider with the most clients in the area",
    "map_legend_lots": "Lot – main contractor (clients)",
    "map_legend_providers": "Largest current provider",
    "map_lot_label": "Lot {lot}\n{winner}\n{clients} clients",
    "map_lot_border": "Lot border",
    "map_current_border": "Border of today's lots",
    "map_provider_entry": "{provider} ({clients} clients today)",
    "map_no_winner": "(no winner)",
    "km": "km",
    "web_title": "Map: {name}",
    "web_layer_lots": "New lots",
    "web_layer_winners": "New main contractor",
    "web_layer_current": "Current providers",
    "web_layer_borders": "Lot borders and names",
    "web_layer_osm": "OpenStreetMap background (fetches data from the internet)",
    "web_tip_code": "Code",
    "web_tip_clients": "Clients",
    "web_tip_current": "Current providers",
    "web_tip_lot": "Lot",
    "web_tip_winner": "Main contractor",
    "web_tip_price": "Price per client per year",
    "web_tip_cost": "Cost per year",
    "web_tip_switch": "Clients who switch",
    "web_hint": "Hover over an area for its figures; choose what the map colours at the top "
                "right.",
    "web_no_bid": "no bid",
    "web_attribution": "Map: CBS / Kadaster (CC BY 4.0)",
    "report_title": "Lots and award",
    "report_title_none": "Lots and award: no solution",
    "nav_answer": "Answer",
    "nav_question": "Question",
    "nav_lots": "Lots",
    "nav_bidders": "Bidders",
    "nav_transitions": "Transitions",
    "nav_tradeoff": "Trade-off",
    "nav_audit": "Audit log",
    "nav_check": "Check",
    "nav_sources": "Sources",
    "sec_short": "In short",
    "sec_question": "The question",
    "sec_answer": "The answer",
    "sec_map": "Map",
    "sec_map_current": "Today: current providers",
    "sec_lots": "Lots",
    "sec_bidders": "Bidders",
    "sec_transitions": "Who moves to whom?",
    "sec_tradeoff": "Cost against transitions",
    "sec_audit": "Audit log of the award rule",
    "sec_diagnosis": "Why there is no solution",
    "sec_check": "Independent check",
    "sec_sources": "Sources and accountability",
    "map_open": "Open the interactive map (kaart.html) to see the figures of each area.",
    "map_missing": "No map: the areas have no geometry (instance without a districts file).",
    "short_solution": "{status}. {lots} lots, won by {winners} main contractors. Total cost "
                      "{cost} per year; {switchers} of the {served} clients with a provider "
                      "({share}) must switch provider.",
    "short_none": "{status}.",
    "short_bids_expected": "Note: there are no bids yet. Every current provider is taken at an "
                           "expected tariff per client; the costs and the award are expected, "
                           "not bid.",
    "short_bids_example": "Note: these are EXAMPLE bids (synthetic), not real bids.",
    "q_instance": "Instance",
    "q_description": "Description",
    "q_districts": "Number of {districts}",
    "q_clients": "Clients in total",
    "q_served": "of whom with a current provider",
    "q_providers": "Current providers",
    "q_bidders": "Bidders",
    "q_lots": "Number of lots",
    "q_lots_range": "{lo} to {hi}",
    "q_fixed_design": "fixed design ({n} lots)",
    "q_max_lots": "Lot limitation (max lots per bidder)",
    "q_capacity": "Bidder capacity",
    "q_capacity_some": "{n} of the {total} bidders have a maximum number of clients",
    "q_capacity_none": "no maximum",
    "q_own_max_lots": "Own maximum of lots",
    "q_client_bounds": "Clients per lot",
    "q_bounds_between": "between {lo} and {hi}",
    "q_bounds_min": "at least {lo}",
    "q_bounds_max": "at most {hi}",
    "q_bounds_soft": "{bounds} (soft bound: {penalty} per client above or below)",
    "q_transition_cost": "Cost per client who must switch",
    "q_contiguity": "Contiguity of a lot",
    "q_contiguity_rook": "connected: areas share a border",
    "q_contiguity_queen": "connected: areas touch (a point is enough)",
    "q_contiguity_none": "not required",
    "q_winners": "Number of distinct winners",
    "q_compactness": "Compactness weight",
    "q_compactness_value": "{eur} per km of border between lots",
    "q_changed": "Max {districts} in another lot than today",
    "q_pricing": "Pricing",
    "q_pricing_district": "price per client per {district} (bids.csv)",
    "q_pricing_lot_bids": "price per lot (lot_bids.csv)",
    "q_award_rule": "Award rule",
    "q_criterion": "Award criterion",
    "q_criterion_price": "lowest price",
    "q_criterion_quality": "best price-quality ratio (quality weight {weight})",
    "q_solver": "Solver",
    "q_solver_value": "{backend}, time limit {limit} s, requested gap {gap}",
    "q_objective": "Objective",
    "q_objective_value": "minimise yearly cost + {eur} × number of clients who switch",
    "a_status": "Outcome",
    "a_lots": "Lots",
    "a_winners": "Main contractors",
    "a_cost": "Total cost per year",
    "a_switchers": "Clients who switch provider",
    "a_switchers_value": "{n} of {served} ({share})",
    "a_transition_cost": "Cost of transitions",
    "a_penalty": "Penalty of soft client bounds",
    "a_compactness": "Compactness cost",
    "a_objective": "Objective (cost + transition cost)",
    "a_bound": "Lower bound (proven)",
    "a_gap": "Gap",
    "a_solver": "Solver and time",
    "a_solver_value": "{solver}, {seconds} s",
    "a_changed": "{districts} in another lot than today",
    "a_message": "Note",
    "a_compactness_price": "What compact lots cost",
    "a_compactness_price_value": "{extra} per year in cost and switching, for {km} km less "
                                 "lot border ({with_} with, {without} without the compactness "
                                 "weight; solved separately)",
    "status_optimal": "Proven optimal",
    "status_optimal_gap": "Optimal within the requested gap of {gap}",
    "status_feasible": "Feasible, not proven optimal, gap {gap}",
    "status_feasible_nogap": "Feasible, not proven optimal (no lower bound known)",
    "status_infeasible": "Impossible: no design and award meets all the rules",
    "status_no_solution": "No solution found within the limits (time limit {limit} s); "
                          "that none exists is not proven",
    "col_lot": "Lot",
    "col_winner": "Main contractor",
    "col_n_districts": "Number of {districts}",
    "col_clients": "Clients",
    "col_cost": "Cost per year",
    "col_cost_per_client": "Cost per client",
    "col_switchers": "Switching clients",
    "col_switch_share": "% switching",
    "col_bidder": "Bidder",
    "col_lots_won": "Lots won",
    "col_n_lots": "Number of lots",
    "col_max_lots": "Max lots",
    "col_capacity": "Capacity",
    "col_capacity_use": "Capacity used",
    "col_district_id": "Code",
    "col_district_name": "Name",
    "col_current": "Current providers",
    "col_main_current": "Largest current provider",
    "col_price": "Price per client",
    "col_from": "From (current provider)",
    "col_to": "To (new main contractor)",
    "col_item": "Item",
    "col_value": "Value",
    "col_line": "Line",
    "col_entry": "Entry",
    "col_name": "Name",
    "col_transitions": "Switching clients",
    "transitions_intro": "Rows: the clients' current provider; columns: the new main "
                         "contractor of their area. On the diagonal (outlined) clients keep "
                         "their provider; elsewhere they must switch.",
    "transitions_summary": "{stay} clients keep their provider, {switch} switch; {new} "
                           "clients have no provider yet.",
    "transitions_none": "No clients with a current provider: nobody has to switch.",
    "tradeoff_intro": "Each point is an evaluated alternative: yearly cost against the "
                      "number of clients who must switch. Bottom left is better on both.",
    "tradeoff_x": "Clients who switch provider",
    "tradeoff_y": "Cost per year (€)",
    "tradeoff_this": "this solution",
    "tradeoff_table_name": "Alternative",
    "audit_intro": "The steps of the award rule, in order, as the software carried them out.",
    "check_ok": "The independent check recomputed the solution and finds no violations: "
                "every rule is met.",
    "check_bad": "The independent check finds {n} violation(s):",
    "check_objective_ok": "The solver's objective ({reported}) matches the recomputed value.",
    "check_objective_bad": "Note: the solver's objective ({reported}) differs from the "
                           "recomputed value ({recomputed}).",
    "check_none": "There is no solution to check.",
    "sources_data": "Data",
    "sources_files": "Files of the instance",
    "sources_tool": "Computed with allocatie {version}.",
    "sources_clients_note": "Client numbers, current providers and bids come from the "
                            "instance's files, not from CBS.",
    "check_short_ok": "no violations",
    "check_short_bad": "violations found",
    "diagnosis_none": "The solver gave no further explanation.",
    "show_names": "show names",
    "winners_word": "main contractors",
    "lots_note": "Switching clients: clients whose current provider is not the new main "
                 "contractor of their area. The share is taken over the clients who have a "
                 "provider today.",
    "col_clients_today": "Clients today",
    "districts_table": "All {n} {districts} with their clients, current providers and new "
                       "lot",
    "progress_incumbent": "incumbent",
    "progress_bound": "bound",
    "progress_scenarios": "{done}/{total} scenarios done",
    "progress_left": "about {time} left",
    "unit_s": "s",
    "unit_time": "Solver time (s)",
    "summary_sheet": "Summary",
    "lots_sheet": "Lots",
    "bidders_sheet": "Bidders",
    "districts_sheet": "Districts",
    "transitions_sheet": "Transitions",
    "audit_sheet": "Audit log",
}

_TEXTS = {"nl": MappingProxyType(_NL), "en": MappingProxyType(_EN)}


def texts(lang: str) -> Mapping[str, str]:
    """The strings of one language; raises ValueError for an unknown language."""
    try:
        return _TEXTS[lang]
    except KeyError:
        raise ValueError(
            f"unknown report language {lang!r}; expected one of {', '.join(LANGUAGES)}"
        ) from None


# --------------------------------------------------------------------------- numbers
def _group(number: str, lang: str) -> str:
    """Swap separators of an English-formatted number for Dutch ones."""
    if lang == "nl":
        return number.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return number


def fmt_int(value: float | None, lang: str) -> str:
    """A whole number with thousands separators: 1.234.567 (nl) or 1,234,567 (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _group(f"{round(value):,}", lang)


def fmt_num(value: float | None, lang: str, decimals: int = 1) -> str:
    """A number with the given decimals: 1.234,5 (nl) or 1,234.5 (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _group(f"{value:,.{decimals}f}", lang)


def fmt_eur(value: float | None, lang: str, decimals: int = 0) -> str:
    """An amount in euros: € 1.234.567 (nl) or € 1,234,567 (en), with a no-break space after
    the euro sign so the amount never wraps apart."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "−" if value < 0 and round(abs(value), decimals) > 0 else ""
    return f"{sign}€\u00a0{_group(f'{abs(value):,.{decimals}f}', lang)}"


def fmt_pct(fraction: float | None, lang: str, decimals: int = 1) -> str:
    """A fraction as a percentage: 1,2% (nl) or 1.2% (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return f"{_group(f'{100.0 * fraction:,.{decimals}f}', lang)}%"
