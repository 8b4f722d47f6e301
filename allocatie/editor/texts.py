"""The editor's words, in Dutch (default) and English: the page's labels and the plain-language
problems of a drawing."""

from __future__ import annotations

from allocatie.instance import Rules

LANGS = ("nl", "en")

PAGE: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Percelen tekenen",
        "lot": "Perceel",
        "lots": "Percelen",
        "active_lot": "Actief perceel",
        "tools": "Gereedschap",
        "tool_paint": "Toewijzen",
        "tool_wijk": "Hele wijk",
        "tool_erase": "Gum",
        "lock": "Vastzetten",
        "unlock": "Losmaken",
        "locked": "vast",
        "undo": "Ongedaan maken",
        "redo": "Opnieuw",
        "complete": "Maak af",
        "complete_hint": "De vastgezette percelen blijven zoals getekend; het ontwerpmodel "
                         "tekent de rest.",
        "time_limit": "Tijdslimiet (s)",
        "cancel": "Stop",
        "repair": "Herstel",
        "repair_hint": "Maak de tekening geldig (aaneengesloten, cliëntgrenzen) door zo min "
                       "mogelijk gebieden te verplaatsen.",
        "prices": "Prijs van de grens",
        "prices_hint": "Wat kost het als een grensgebied naar het buurperceel gaat "
                       "(opnieuw exact gegund)?",
        "snapshot": "Bewaar als variant",
        "snapshot_name": "Naam van de variant",
        "compare": "Varianten vergelijken",
        "save": "Opslaan",
        "saved": "Opgeslagen in",
        "restore": "Er is een concept van een eerdere sessie. Terugzetten?",
        "restore_yes": "Terugzetten",
        "restore_no": "Nee, begin met de geladen percelen",
        "total": "Totaal",
        "objective": "Doelwaarde",
        "objective_hint": "kosten + overstapkosten (EUR per jaar)",
        "cost": "Kosten",
        "transitions": "Overstappers",
        "transitions_hint": "cliënten die een andere aanbieder krijgen",
        "lots_vs_k": "Percelen getekend",
        "clients": "Cliënten",
        "bounds": "grenzen",
        "winner": "Winnaar",
        "contiguous": "Aaneengesloten",
        "parts": "delen",
        "compactness": "Compact",
        "compactness_hint": "Compactheid: 1 = cirkel, lager = grilliger",
        "yes": "ja",
        "no": "nee",
        "none": "geen",
        "binding": "Regels die knellen",
        "binding_none": "Geen regel knelt: zonder de regels zou dezelfde gunning volgen.",
        "rule_max_lots_per_bidder": "Kavelbeperking (max. percelen per inschrijver)",
        "rule_capacity": "Capaciteit van inschrijvers",
        "saving": "zonder deze regel goedkoper met",
        "checker": "Controle (onafhankelijk)",
        "checker_ok": "Geldig: voldoet aan alle regels",
        "checker_bad": "Ongeldig",
        "checker_match": "doelwaarde gelijk aan de gunning",
        "problems": "Wat moet er nog gebeuren",
        "diagnosis": "Waarom niet gegund kan worden",
        "unassigned": "zonder perceel",
        "busy": "Rekent…",
        "incumbent": "Beste ontwerp",
        "bound": "Ondergrens",
        "gap": "Gat",
        "optimal": "bewezen optimaal",
        "not_proven": "niet bewezen optimaal",
        "optimum": "Optimum (ontwerp)",
        "drawing": "Tekening",
        "gap_to_optimum": "Verschil met het optimum",
        "tip_clients": "Cliënten",
        "tip_current": "Aanbieders nu",
        "tip_bids": "Inschrijvingen (EUR per cliënt per jaar)",
        "tip_lot": "Perceel",
        "help": "Klik op een gebied om het aan het actieve perceel te geven. Houd Shift "
                "ingedrukt en sleep om meerdere gebieden te schilderen. Ctrl-Z maakt ongedaan, "
                "Ctrl-Y opnieuw. Het slotje naast een perceel zet het vast; 'Maak af' tekent "
                "dan de andere percelen. 'Opslaan' schrijft de percelen en het volledige "
                "rapport.",
        "name": "Naam",
        "balance": "Balans (kleinste / grootste perceel)",
        "balance_short": "Balans",
        "close": "Sluiten",
        "moved": "gebieden verplaatst",
        "legend_unassigned": "Nog zonder perceel",
        "legend_part": "Los deel van een perceel",
        "legend_locked": "Vastgezet perceel (lichter)",
        "legend_cheaper": "Naar het buurperceel: goedkoper",
        "legend_dearer": "Naar het buurperceel: duurder",
        "legend_hover": "Alleen verplaatsingen die de tekening geldig laten kleuren de rand. "
                        "Wijs een gebied aan voor de bedragen (⚠ = tekening wordt "
                        "ongeldig).",
        "was": "de tekening was",
        "award_basis": "Gunning",
        "award_price": "optimaal, laagste doelwaarde",
        "award_price_quality": "optimaal, beste prijs-kwaliteit (kwaliteitsgewicht {q})",
        "design_vs_award": "Het ontwerpmodel gunt op de laagste doelwaarde; het paneel gunt "
                           "volgens het criterium van de aanbesteding, zoals allocatie "
                           "evaluate.",
        "bounds_line": "Cliëntgrenzen per perceel",
        "no_result": "Geen geldige tekening gevonden binnen de tijdslimiet of de regels",
        "eur": "EUR",
        "error": "Fout",
        "delete": "Verwijder",
        "no_change": "geen",
        "district": "Gebied",
        "layer_lots": "Percelen",
        "layer_prices": "Prijs van de grens",
    },
    "en": {
        "title": "Draw lots",
        "lot": "Lot",
        "lots": "Lots",
        "active_lot": "Active lot",
        "tools": "Tools",
        "tool_paint": "Assign",
        "tool_wijk": "Whole wijk",
        "tool_erase": "Eraser",
        "lock": "Lock",
        "unlock": "Unlock",
        "locked": "locked",
        "undo": "Undo",
        "redo": "Redo",
        "complete": "Complete",
        "complete_hint": "Locked lots stay as drawn; the design model draws the rest.",
        "time_limit": "Time limit (s)",
        "cancel": "Stop",
        "repair": "Repair",
        "repair_hint": "Make the drawing valid (contiguous, client bounds) by moving as few "
                       "districts as possible.",
        "prices": "Price of the boundary",
        "prices_hint": "What does it cost to move a boundary district to the neighbouring lot "
                       "(awarded again, exactly)?",
        "snapshot": "Keep as variant",
        "snapshot_name": "Name of the variant",
        "compare": "Compare variants",
        "save": "Save",
        "saved": "Saved in",
        "restore": "There is a draft from an earlier session. Restore it?",
        "restore_yes": "Restore",
        "restore_no": "No, start with the loaded lots",
        "total": "Total",
        "objective": "Objective",
        "objective_hint": "cost + transition cost (EUR per year)",
        "cost": "Cost",
        "transitions": "Switching clients",
        "transitions_hint": "clients who get another provider",
        "lots_vs_k": "Lots drawn",
        "clients": "Clients",
        "bounds": "bounds",
        "winner": "Winner",
        "contiguous": "Contiguous",
        "parts": "parts",
        "compactness": "Compact",
        "compactness_hint": "Compactness: 1 = a disc, lower = more irregular",
        "yes": "yes",
        "no": "no",
        "none": "none",
        "binding": "Rules that bind",
        "binding_none": "No rule binds: without the rules the same award would follow.",
        "rule_max_lots_per_bidder": "Lot limit (max lots per bidder)",
        "rule_capacity": "Bidder capacity",
        "saving": "without this rule cheaper by",
        "checker": "Check (independent checker)",
        "checker_ok": "Valid: meets every rule",
        "checker_bad": "Invalid",
        "checker_match": "objective equal to the award's",
        "problems": "What is still to do",
        "diagnosis": "Why no award is possible",
        "unassigned": "without a lot",
        "busy": "Computing…",
        "incumbent": "Best design",
        "bound": "Lower bound",
        "gap": "Gap",
        "optimal": "proven optimal",
        "not_proven": "not proven optimal",
        "optimum": "Optimum (design)",
        "drawing": "Drawing",
        "gap_to_optimum": "Gap to the optimum",
        "tip_clients": "Clients",
        "tip_current": "Providers today",
        "tip_bids": "Bids (EUR per client per year)",
        "tip_lot": "Lot",
        "help": "Click a district to give it to the active lot. Hold Shift and drag to paint "
                "several. Ctrl-Z undoes, Ctrl-Y redoes. The padlock next to a lot locks it; "
                "'Complete' then draws the other lots. 'Save' writes the "
                "lots and the complete report.",
        "name": "Name",
        "balance": "Balance (smallest / largest lot)",
        "balance_short": "Balance",
        "close": "Close",
        "moved": "districts moved",
        "legend_unassigned": "No lot yet",
        "legend_part": "Separate part of a lot",
        "legend_locked": "Locked lot (lighter)",
        "legend_cheaper": "To the neighbouring lot: cheaper",
        "legend_dearer": "To the neighbouring lot: dearer",
        "legend_hover": "Only moves that keep the drawing valid colour the border. Point "
                        "at a district for the amounts (⚠ = the drawing becomes invalid).",
        "was": "the drawing was",
        "award_basis": "Award",
        "award_price": "optimal, lowest objective",
        "award_price_quality": "optimal, best price-quality (quality weight {q})",
        "design_vs_award": "The design model awards on the lowest objective; the panel "
                           "awards by the tender's criterion, as allocatie evaluate does.",
        "bounds_line": "Client bounds per lot",
        "no_result": "No valid drawing found within the time limit or the rules",
        "eur": "EUR",
        "error": "Error",
        "delete": "Delete",
        "no_change": "none",
        "district": "District",
        "layer_lots": "Lots",
        "layer_prices": "Price of the boundary",
    },
}


def number(value: int, lang: str) -> str:
    """A whole number with thousands separators (1.234 in Dutch, 1,234 in English)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


def problem_texts(result: dict, rules: Rules, lang: str) -> list[str]:
    """What keeps a drawing from being a valid tender design, one plain sentence each."""
    nl = lang == "nl"
    found = []
    unassigned = len(result["unassigned"])
    if unassigned:
        found.append(f"{unassigned} gebied(en) hebben nog geen perceel" if nl
                     else f"{unassigned} district(s) have no lot yet")
    drawn, low, high = result["lots_drawn"], result["lots_min"], result["lots_max"]
    if not low <= drawn <= high:
        wanted = str(low) if low == high else f"{low}-{high}"
        found.append(f"{drawn} percelen getekend, de aanbesteding vraagt er {wanted}" if nl
                     else f"{drawn} lots drawn, the tender asks for {wanted}")
    for lot in result["lots"]:
        if not lot["contiguous"]:
            parts = len(lot["parts"])
            found.append(f"perceel {lot['lot']} is niet aaneengesloten ({parts} delen)" if nl
                         else f"lot {lot['lot']} is not contiguous ({parts} parts)")
        if not lot["within_bounds"] and not rules.soft_client_bounds:
            clients = number(lot["clients"], lang)
            if rules.lot_clients_min is not None and lot["clients"] < rules.lot_clients_min:
                limit = number(rules.lot_clients_min, lang)
                found.append(f"perceel {lot['lot']} heeft {clients} cliënten, minder dan het "
                             f"minimum {limit}" if nl else
                             f"lot {lot['lot']} has {clients} clients, below the minimum "
                             f"{limit}")
            else:
                limit = number(rules.lot_clients_max or 0, lang)
                found.append(f"perceel {lot['lot']} heeft {clients} cliënten, meer dan het "
                             f"maximum {limit}" if nl else
                             f"lot {lot['lot']} has {clients} clients, above the maximum "
                             f"{limit}")
    if result["diagnosis"]:
        found.append("de percelen kunnen zo niet gegund worden (zie de diagnose)" if nl
                     else "these lots cannot be awarded (see the diagnosis)")
    return found
