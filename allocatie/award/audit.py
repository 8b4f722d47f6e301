"""The award's audit log: numbered sentences a lawyer can read, in Dutch or English.

Award rules record what they do as events (plain dicts, kept in ``Solution.details['events']``
so the log can be written again in another language); :func:`format_log` turns them into
``Stap 1: ...`` (``lang="nl"``) or ``Step 1: ...`` (``lang="en"``) lines. Amounts are whole
euros unless cents matter (``€ 2.345.678`` / ``EUR 2,345,678``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from allocatie.text import fmt_list, fmt_lots, plain_eur, plain_int, plain_num, plain_pct

LANGS = ("nl", "en")


def _n_lots(n: int, lang: str) -> str:
    if lang == "nl":
        return f"{n} {'perceel' if n == 1 else 'percelen'}"
    return f"{n} {'lot' if n == 1 else 'lots'}"


def _clients(n: int, lang: str) -> str:
    word = ("cliënt" if n == 1 else "cliënten") if lang == "nl" else (
        "client" if n == 1 else "clients")
    return f"{plain_int(n, lang)} {word}"


# --------------------------------------------------------------------------- bids
def _bid(bid: Mapping, lang: str) -> str:
    """'Zorggroep A (€ 2.100.000)' or with a score '(81,20 punten; € 2.100.000)'."""
    price = plain_eur(bid.get("price"), lang)
    if bid.get("score") is not None:
        points = "punten" if lang == "nl" else "points"
        return f"{bid['bidder']} ({plain_num(bid['score'], 2, lang)} {points}; {price})"
    return f"{bid['bidder']} ({price})"


def _won(event: Mapping, lang: str) -> str:
    """'B (€ 2.150.000; 35 cliënten wisselen van aanbieder)'."""
    parts = []
    if event.get("score") is not None:
        parts.append(f"score {plain_num(event['score'], 2, lang)}")
    if event.get("price") is not None:
        parts.append(plain_eur(event["price"], lang))
    moved = int(event.get("transitions") or 0)
    if lang == "nl":
        parts.append(f"{_clients(moved, lang)} {'wisselt' if moved == 1 else 'wisselen'} "
                     "van aanbieder")
    else:
        parts.append(f"{_clients(moved, lang)} change provider")
    return f"{event['winner']} ({'; '.join(parts)})"


def _draw(draw: Mapping, lang: str) -> str:
    names = fmt_list(draw["candidates"], lang)
    order = ", ".join(draw["order"])
    if lang == "nl":
        return (f"loting {draw['draw']} (seed {draw['seed']}) tussen {names} geeft de volgorde "
                f"{order}")
    return f"draw {draw['draw']} (seed {draw['seed']}) among {names} gives the order {order}"


def _dropped(d: Mapping, first: bool, lang: str) -> str:
    who = d["bidder"] if first else _bid(d, lang)
    reason = d["reason"]
    if lang == "nl":
        if reason == "max_lots":
            return f"{who} heeft al {_n_lots(d['have'], lang)} (maximum {d['limit']}) en valt af"
        if reason == "capacity":
            return (f"{who} heeft nog {_clients(d['left'], lang)} capaciteit over (van "
                    f"{plain_int(d['capacity'], lang)}), te weinig, en valt af")
        if reason == "max_winners":
            return f"{who} valt af: het maximum van {d['limit']} winnaars is bereikt"
        return (f"{who} heeft al een perceel en valt af: de overige percelen moeten naar nieuwe "
                f"winnaars om het minimum van {d['limit']} winnaars te halen")
    if reason == "max_lots":
        return (f"{who} already holds {_n_lots(d['have'], lang)} (maximum {d['limit']}) and "
                "drops out")
    if reason == "capacity":
        return (f"{who} has {_clients(d['left'], lang)} of capacity left (of "
                f"{plain_int(d['capacity'], lang)}), too few, and drops out")
    if reason == "max_winners":
        return f"{who} drops out: the maximum of {d['limit']} winners is reached"
    return (f"{who} already holds a lot and drops out: the remaining lots must go to new "
            f"winners to reach the minimum of {d['limit']} winners")


# --------------------------------------------------------------------------- sentences
def _intro(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    rule_text = {
        "optimal": ("optimale gunning: de combinatie van winnaars met de laagste totale kosten "
                    f"(inschrijfprijs plus {plain_eur(e['transition_cost'], lang)} per cliënt die "
                    "van aanbieder moet wisselen)") if nl else
                   ("optimal award: the set of winners with the lowest total cost (bid price "
                    f"plus {plain_eur(e['transition_cost'], lang)} per client who must change "
                    "provider)"),
        "by-lot-value": "gunning per perceel, het grootste perceel (meeste cliënten) eerst" if nl
        else "lot by lot, the largest lot (most clients) first",
        "by-lot-number": "gunning per perceel, in volgorde van perceelnummer" if nl
        else "lot by lot, in lot-number order",
        "by-preference": ("per perceel de beste inschrijver; wie meer percelen zou winnen dan "
                          "mag, houdt de percelen van zijn voorkeur") if nl else
                         ("each lot to its best bidder; a bidder that would win more lots than "
                          "allowed keeps the lots it prefers"),
    }[e["rule"]]
    if e["rule"] == "optimal" and e["criterion"] == "price_quality":
        rule_text = ("optimale gunning: de combinatie van winnaars met de hoogste totale score; "
                     "bij gelijke score de laagste totale kosten") if nl else (
                     "optimal award: the set of winners with the highest total score; at equal "
                     "score the lowest total cost")
    q = float(e.get("quality_weight") or 0.0)
    if e["criterion"] == "price_quality":
        crit = (f"beste prijs-kwaliteitverhouding, score = {plain_pct(1 - q, lang)} x 100 x "
                f"laagste "
                f"prijs / prijs + {plain_pct(q, lang)} x kwaliteitsscore") if nl else (
                f"best price-quality ratio, score = {plain_pct(1 - q, lang)} x 100 x lowest price "
                f"/ price + {plain_pct(q, lang)} x quality score")
    else:
        crit = "laagste prijs" if nl else "lowest price"
    rules = []
    if e.get("max_lots_per_bidder") is not None:
        rules.append(f"maximaal {_n_lots(e['max_lots_per_bidder'], lang)} per inschrijver" if nl
                     else f"at most {_n_lots(e['max_lots_per_bidder'], lang)} per bidder")
    own = int(e.get("own_limits") or 0)
    if own:
        rules.append(f"{own} {'inschrijver' if own == 1 else 'inschrijvers'} met een eigen "
                     "maximum" if nl else
                     f"{own} {'bidder' if own == 1 else 'bidders'} with a limit of their own")
    if e.get("capacities"):
        rules.append("capaciteit per inschrijver in cliënten" if nl
                     else "capacity per bidder in clients")
    if e.get("min_winners") is not None:
        rules.append(f"minimaal {e['min_winners']} winnaars" if nl
                     else f"at least {e['min_winners']} winners")
    if e.get("max_winners") is not None:
        rules.append(f"maximaal {e['max_winners']} winnaars" if nl
                     else f"at most {e['max_winners']} winners")
    if not rules:
        rules.append("geen kavelbeperking" if nl else "no lot limit")
    pricing = ("prijs per perceel uit de perceelinschrijvingen" if nl else
               "lot prices from the lot bids") if e["pricing"] == "lot_bids" else (
              "prijs per perceel = vaste kosten per perceel + som van prijs per cliënt x "
              "cliënten per wijk" if nl else
              "lot price = lot fee + sum of price per client x clients per district")
    if nl:
        return (f"Gunningsregel: {rule_text}. Criterium: {crit}. Regels: {', '.join(rules)}; "
                f"{pricing}. {_n_lots(e['lots'], lang).capitalize()}, {e['bidders']} "
                f"inschrijvers. Gelijke inschrijvingen worden beslist door loting met seed "
                f"{e['seed']}.")
    return (f"Award rule: {rule_text}. Criterion: {crit}. Rules: {', '.join(rules)}; {pricing}. "
            f"{_n_lots(e['lots'], lang).capitalize()}, {e['bidders']} bidders. Ties are settled "
            f"by a lottery with seed {e['seed']}.")


def _order(e: Mapping, lang: str) -> str:
    if e["rule"] == "by-lot-number":
        lots = ", ".join(item["lot"] for item in e["lots"])
        return (f"Volgorde van de percelen: {lots}." if lang == "nl"
                else f"Order of the lots: {lots}.")
    items = ", ".join(f"{item['lot']} ({_clients(item['clients'], lang)})" for item in e["lots"])
    if lang == "nl":
        return ("Volgorde van de percelen naar grootte (aantal cliënten; bij gelijk aantal de "
                f"hoogste gemiddelde inschrijfprijs): {items}.")
    return ("Order of the lots by size (number of clients; at equal numbers the higher mean "
            f"bid price): {items}.")


def _lot(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    head = (f"{'Perceel' if nl else 'Lot'} {e['lot']} ({_clients(e['clients'], lang)}, "
            f"{'waarde' if nl else 'value'} {plain_eur(e.get('value'), lang)})")
    parts = []
    best = e.get("best") or []
    pq = e.get("criterion") == "price_quality"
    if not best:
        parts.append("geen inschrijving" if nl else "no bid")
    elif len(best) == 1:
        label = ("hoogste score" if pq else "laagste inschrijving") if nl else (
            "highest score" if pq else "lowest bid")
        parts.append(f"{label} {_bid(best[0], lang)}")
    else:
        label = ("gelijke hoogste score" if pq else "gelijke laagste inschrijving") if nl else (
            "equal highest score" if pq else "equal lowest bids")
        parts.append(f"{label} {fmt_list([_bid(b, lang) for b in best], lang)}")
    best_names = {b["bidder"] for b in best}
    for d in e.get("dropped") or []:
        parts.append(_dropped(d, d["bidder"] in best_names, lang))
    if e.get("draw"):
        parts.append(_draw(e["draw"], lang))
    if e.get("winner"):
        parts.append(f"{'gegund aan' if nl else 'awarded to'} {_won(e, lang)}")
    elif best:
        parts.append("geen inschrijver komt nog in aanmerking; het perceel blijft open" if nl
                     else "no bidder is eligible any more; the lot stays open")
    return f"{head}: {'; '.join(parts)}."


def _preferences(e: Mapping, lang: str) -> str:
    items = "; ".join(f"{o['bidder']}: {', '.join(o['lots'])}" for o in e["orders"])
    if lang == "nl":
        return ("Voorkeursvolgorde van de inschrijvers (eerst genoemd = liefst; zonder opgave "
                f"op perceelnummer): {items}.")
    return f"Bidders' preference orders (first = most wanted; unstated by lot number): {items}."


def _round(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    items = []
    for o in e["offers"]:
        text = f"{'perceel' if nl else 'lot'} {o['lot']} {'naar' if nl else 'to'} {_bid(o, lang)}"
        if o.get("draw"):
            text += f" ({_draw(o['draw'], lang)})"
        items.append(text)
    if nl:
        return (f"Ronde {e['round']}, voorlopige gunning aan de beste inschrijver: "
                f"{'; '.join(items)}.")
    return f"Round {e['round']}, provisional award to the best bidder: {'; '.join(items)}."


def _turn_down(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    refused = []
    for r in e["refused"]:
        if r["reason"] == "max_lots":
            why = (f"maximum van {_n_lots(e['limit'], lang)} bereikt" if nl
                   else f"maximum of {_n_lots(e['limit'], lang)} reached")
        else:
            why = (f"nog {_clients(r['left'], lang)} capaciteit, te weinig voor "
                   f"{plain_int(r['clients'], lang)}" if nl else
                   f"{_clients(r['left'], lang)} of capacity left, too few for "
                   f"{plain_int(r['clients'], lang)}")
        refused.append(f"{r['lot']} ({why})")
    kept = fmt_lots(e["kept"], lang) if e["kept"] else ("geen perceel" if nl else "no lot")
    if nl:
        return (f"{e['bidder']} houdt volgens zijn voorkeur {kept} en valt af voor "
                f"{'perceel' if len(refused) == 1 else 'percelen'} {fmt_list(refused, lang)}.")
    return (f"{e['bidder']} keeps {kept} by its preference and drops out of "
            f"{'lot' if len(refused) == 1 else 'lots'} {fmt_list(refused, lang)}.")


def _awarded(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    combo = ""
    if e.get("combo"):
        combo = (f", binnen combinatie-inschrijving {e['combo']}" if nl
                 else f", within combination bid {e['combo']}")
    if nl:
        return (f"Perceel {e['lot']} ({_clients(e['clients'], lang)}) gegund aan "
                f"{_won(e, lang)}{combo}.")
    return f"Lot {e['lot']} ({_clients(e['clients'], lang)}) awarded to {_won(e, lang)}{combo}."


def _combination(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    head = (f"{'Combinatie-inschrijving' if nl else 'Combination bid'} {e['combo']} "
            f"{'van' if nl else 'of'} {e['bidder']} ({fmt_lots(e['lots'], lang)}, "
            f"{plain_eur(e['price'], lang)})")
    current = e.get("current")
    if e["accepted"]:
        if current is None:
            why = "dekt een perceel dat nog open was" if nl else "covers a lot still open"
        else:
            why = (f"is lager dan de som van de voorlopige gunningen ({plain_eur(current, lang)})"
                   if nl else f"is below the sum of the provisional awards "
                              f"({plain_eur(current, lang)})")
        won = (f"{e['bidder']} krijgt {fmt_lots(e['lots'], lang)}" if nl
               else f"{e['bidder']} wins {fmt_lots(e['lots'], lang)}")
        return (f"{head} {why} {'en wordt aanvaard' if nl else 'and is accepted'}: {won}.")
    reason = e.get("reason")
    texts = {
        "overlap": ("een perceel ervan zit al in een aanvaarde combinatie-inschrijving",
                    "one of its lots is in a combination bid accepted before"),
        "not_cheaper": (f"niet lager dan de som van de voorlopige gunningen "
                        f"({plain_eur(current, lang)})",
                        f"not below the sum of the provisional awards "
                        f"({plain_eur(current, lang)})"),
        "max_lots": (f"{e['bidder']} zou dan {_n_lots(e.get('lots_after', 0), lang)} hebben "
                     f"(maximum {e.get('limit')})",
                     f"{e['bidder']} would then hold {_n_lots(e.get('lots_after', 0), lang)} "
                     f"(maximum {e.get('limit')})"),
        "capacity": (f"{e['bidder']} zou dan {_clients(e.get('clients_after', 0), lang)} hebben "
                     f"(capaciteit {plain_int(e.get('capacity') or 0, lang)})",
                     f"{e['bidder']} would then hold {_clients(e.get('clients_after', 0), lang)}"
                     f" (capacity {plain_int(e.get('capacity') or 0, lang)})"),
        "max_winners": (f"het maximum van {e.get('limit')} winnaars zou worden overschreden",
                        f"the maximum of {e.get('limit')} winners would be exceeded"),
        "min_winners": (f"het minimum van {e.get('limit')} winnaars zou niet worden gehaald",
                        f"the minimum of {e.get('limit')} winners would not be reached"),
        "not_chosen": ("zonder deze inschrijving zijn de totale kosten lager of gelijk",
                       "the total cost is lower or equal without it"),
    }
    why = texts.get(reason, (str(reason), str(reason)))[0 if nl else 1]
    return f"{head} {'wordt niet aanvaard' if nl else 'is not accepted'}: {why}."


def _optimal_lot(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    text = (f"{'Perceel' if nl else 'Lot'} {e['lot']} ({_clients(e['clients'], lang)}): "
            f"{'gegund aan' if nl else 'awarded to'} {_won(e, lang)}")
    if e.get("combo"):
        text += (f", binnen combinatie-inschrijving {e['combo']}" if nl
                 else f", within combination bid {e['combo']}")
    lowest = e.get("lowest")
    if lowest and lowest["bidder"] != e["winner"]:
        text += (f"; de laagste inschrijving was van {_bid(lowest, lang)}" if nl
                 else f"; the lowest bid was by {_bid(lowest, lang)}")
    return text + "."


def _tie_draws(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    draws = "; ".join(f"{'perceel' if nl else 'lot'} {d['lot']}: {', '.join(d['order'])}"
                      for d in e["draws"])
    lots = fmt_lots([d["lot"] for d in e["draws"]], lang)
    if nl:
        return (f"Gelijke inschrijvingen op {lots}: een loting met seed {e['seed']} bepaalt per "
                f"perceel een volgorde ({draws}); van de gunningen met de beste totale waarde "
                "is die gekozen met de beste plaatsen in deze volgordes.")
    return (f"Equal bids on {lots}: a lottery with seed {e['seed']} draws an order per lot "
            f"({draws}); among the awards of best total value the one with the best places in "
            "these orders is chosen.")


def _totals(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    text = (f"{'kosten' if nl else 'cost'} {plain_eur(e['cost'], lang)}, "
            f"{_clients(e['transitions'], lang)} "
            f"{'wisselen van aanbieder' if nl else 'change provider'} "
            f"(x {plain_eur(e['transition_cost'], lang)} = "
            f"{plain_eur(e['transitions'] * e['transition_cost'], lang)})")
    if e.get("constant"):
        text += (f", vaste termen van de indeling {plain_eur(e['constant'], lang)}" if nl
                 else f", fixed terms of the design {plain_eur(e['constant'], lang)}")
    text += f", {'doelwaarde' if nl else 'objective'} {plain_eur(e['objective'], lang)}"
    return text


def _total(e: Mapping, lang: str) -> str:
    return f"{'Totaal' if lang == 'nl' else 'Total'}: {_totals(e, lang)}."


def _optimal_total(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    seconds = plain_num(e["time_s"], 2, lang)
    if e["status"] == "optimal":
        proof = (f"bewezen optimaal door {e['solver']} in {seconds} s" if nl
                 else f"proven optimal by {e['solver']} in {seconds} s")
    else:
        gap = "" if e.get("gap") is None else (
            f" (gap {plain_pct(e['gap'], lang)})")
        proof = (f"beste gevonden door {e['solver']} binnen de tijdslimiet; ondergrens "
                 f"{plain_eur(e.get('bound'), lang)}{gap}" if nl else
                 f"best found by {e['solver']} within the time limit; lower bound "
                 f"{plain_eur(e.get('bound'), lang)}{gap}")
    if e.get("score") is not None:  # the proof is about the score, not the objective
        score = plain_num(e["score"], 2, lang)
        if e["status"] == "optimal":
            proof = (f"totale score {score}, de hoogste mogelijke: bewezen door {e['solver']} "
                     f"in {seconds} s" if nl else f"total score {score}, the highest "
                     f"possible: proven by {e['solver']} in {seconds} s")
        else:
            proof = (f"totale score {score}, de hoogste gevonden door {e['solver']} binnen de "
                     "tijdslimiet" if nl else f"total score {score}, the highest found by "
                     f"{e['solver']} within the time limit")
    return f"{'Totaal' if nl else 'Total'}: {_totals(e, lang)}; {proof}."


def _price_of_rule(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    status = e.get("optimal_status")
    ref = (f"optimale gunning {plain_eur(e['optimal_objective'], lang)}"
           + ("" if status == "optimal" else ", niet bewezen optimaal") if nl else
           f"optimal award {plain_eur(e['optimal_objective'], lang)}"
           + ("" if status == "optimal" else ", not proven optimal"))
    if abs(e["objective"]) < 0.005 and abs(e["cost"]) < 0.005 and e["transitions"] == 0:
        return (f"Prijs van de regel: geen; deze gunning is even goed als de optimale ({ref})."
                if nl else f"Price of the rule: none; this award is as good as the optimal "
                           f"one ({ref}).")

    def more(x: float, money: bool) -> str:
        amount = plain_eur(abs(x), lang) if money else _clients(abs(int(x)), lang)
        word = ("meer" if x >= 0 else "minder") if nl else ("more" if x >= 0 else "less")
        return f"{amount} {word}"
    if nl:
        return (f"Prijs van de regel ten opzichte van de optimale gunning: {more(e['cost'], True)}"
                f" kosten, {more(e['transitions'], False)} die van aanbieder wisselen; de "
                f"doelwaarde is {more(e['objective'], True)} "
                f"({plain_pct(e['objective_pct'], lang)};"
                f" {ref}).")
    return (f"Price of the rule against the optimal award: {more(e['cost'], True)} cost, "
            f"{more(e['transitions'], False)} changing provider; the objective is "
            f"{more(e['objective'], True)} ({plain_pct(e['objective_pct'], lang)}; {ref}).")


def _failure(e: Mapping, lang: str) -> str:
    nl = lang == "nl"
    if e["reason"] == "open_lots":
        return (f"De regel kan {fmt_lots(e['lots'], lang)} aan niemand gunnen: er is geen "
                "gunning volgens deze regel." if nl else
                f"The rule cannot award {fmt_lots(e['lots'], lang)} to anyone: it gives no "
                "award.")
    if e["reason"] == "min_winners":
        return (f"De regel levert {e['winners']} winnaars op, minder dan het minimum van "
                f"{e['limit']}: geen gunning volgens deze regel." if nl else
                f"The rule gives {e['winners']} winners, fewer than the minimum of "
                f"{e['limit']}: no award.")
    return (f"De regel levert {e['winners']} winnaars op, meer dan het maximum van "
            f"{e['limit']}: geen gunning volgens deze regel." if nl else
            f"The rule gives {e['winners']} winners, more than the maximum of {e['limit']}: "
            "no award.")


_NOTES = {
    "combos_need_lot_bids": ("{count} combinatie-inschrijving(en) tellen niet mee: die vragen "
                             "perceelinschrijvingen (lot_bids.csv).",
                             "{count} combination bid(s) are left out: they need lot bids "
                             "(lot_bids.csv)."),
    "combos_need_price": ("{count} combinatie-inschrijving(en) tellen niet mee bij de beste "
                          "prijs-kwaliteitverhouding: ze hebben geen kwaliteitsscore.",
                          "{count} combination bid(s) are left out under the best "
                          "price-quality ratio: they have no quality score."),
    "no_quality": ("Er zijn geen kwaliteitsscores: de score volgt alleen uit de prijs.",
                   "There are no quality scores: the score follows from the price alone."),
    "bid_unknown_lot": ("De inschrijving van {bidder} op perceel {lot} telt niet mee: dat "
                        "perceel bestaat niet in de indeling.",
                        "The bid of {bidder} on lot {lot} is left out: the design has no such "
                        "lot."),
    "bid_unknown_bidder": ("De inschrijving van {bidder} op perceel {lot} telt niet mee: "
                           "{bidder} staat niet in bidders.csv.",
                           "The bid of {bidder} on lot {lot} is left out: {bidder} is not in "
                           "bidders.csv."),
    "bid_duplicate": ("{bidder} schreef twee keer in op perceel {lot}; de eerste inschrijving "
                      "telt.", "{bidder} bid twice on lot {lot}; the first bid counts."),
    "combo_duplicate": ("Combinatie-inschrijving {combo} komt twee keer voor; de eerste telt.",
                        "Combination bid {combo} appears twice; the first counts."),
    "combo_unknown_bidder": ("Combinatie-inschrijving {combo} telt niet mee: {bidder} staat "
                             "niet in bidders.csv.",
                             "Combination bid {combo} is left out: {bidder} is not in "
                             "bidders.csv."),
    "combo_unknown_lot": ("Combinatie-inschrijving {combo} telt niet mee: onbekende percelen "
                          "{lots}.", "Combination bid {combo} is left out: unknown lots {lots}."),
    "rule_not_optimal_pq": ("De gunning volgens deze regel wordt vergeleken met de optimale "
                            "gunning op de doelwaarde (kosten plus overstapkosten).",
                            "The award by this rule is compared with the optimal award on the "
                            "objective (cost plus transition cost)."),
    "tie_break_skipped": ("De loting tussen gelijke optimale gunningen is niet uitgevoerd: de "
                          "tijdslimiet was bereikt.",
                          "The lottery between equal optimal awards was not run: the time "
                          "limit was reached."),
    "design_violations": ("Let op: de vaste indeling zelf voldoet niet aan de regels: "
                          "{violations}.",
                          "Note: the fixed design itself breaks the rules: {violations}."),
}


def _note(e: Mapping, lang: str) -> str:
    template = _NOTES.get(e["key"], (e["key"], e["key"]))[0 if lang == "nl" else 1]
    fields = {k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
              for k, v in e.items()}
    return template.format(**fields)


def _diagnosis(e: Mapping, lang: str) -> str:
    return e["text"][lang] if isinstance(e.get("text"), Mapping) else str(e.get("text"))


_FORMATTERS = {
    "intro": _intro, "order": _order, "lot": _lot, "preferences": _preferences,
    "round": _round, "turn_down": _turn_down, "awarded": _awarded, "combination": _combination,
    "optimal_lot": _optimal_lot, "tie_draws": _tie_draws, "total": _total,
    "optimal_total": _optimal_total, "price_of_rule": _price_of_rule, "failure": _failure,
    "note": _note, "diagnosis": _diagnosis,
}


def format_event(event: Mapping, lang: str = "nl") -> str:
    """One event as a sentence (without the step number). Raises ValueError for an unknown
    language."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    formatter = _FORMATTERS.get(event.get("kind", ""))
    return formatter(event, lang) if formatter else str(dict(event))


def format_log(events: Iterable[Mapping], lang: str = "nl") -> tuple[str, ...]:
    """The numbered audit log: 'Stap 1: ...' (nl) or 'Step 1: ...' (en)."""
    word = "Stap" if lang == "nl" else "Step"
    return tuple(f"{word} {i}: {format_event(e, lang)}" for i, e in enumerate(events, 1))


# --------------------------------------------------------------------------- transitions
def transitions_table(matrix: Mapping[tuple[str, str], int], lang: str = "nl",
                      title: str | None = None) -> str:
    """A printable from-provider x to-provider table of clients, with totals; the diagonal
    (clients who stay with their provider) is marked with '='."""
    sources = sorted({s for s, _ in matrix})
    targets = sorted({t for _, t in matrix})
    head_from = "van \\ naar" if lang == "nl" else "from \\ to"
    total = "totaal" if lang == "nl" else "total"
    moved_word = "wisselen" if lang == "nl" else "moving"
    rows = [[head_from] + targets + [total, moved_word]]
    for s in sources:
        cells = []
        for t in targets:
            n = matrix.get((s, t), 0)
            cells.append((f"={plain_int(n, lang)}" if s == t else plain_int(n, lang)) if n else "")
        row_total = sum(matrix.get((s, t), 0) for t in targets)
        moved = sum(matrix.get((s, t), 0) for t in targets if t != s)
        rows.append([s] + cells + [plain_int(row_total, lang), plain_int(moved, lang)])
    col_totals = [plain_int(sum(matrix.get((s, t), 0) for s in sources), lang) for t in targets]
    moved_all = sum(n for (s, t), n in matrix.items() if s != t)
    rows.append([total] + col_totals + [plain_int(sum(matrix.values()), lang),
                                        plain_int(moved_all, lang)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    if title:
        lines.append(title)
    for k, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                               for i, c in enumerate(r)).rstrip())
        if k == 0 or k == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def transitions_report(evaluation: object, lang: str = "nl", per_lot: bool = True) -> str:
    """Who moves to whom: the total table and (``per_lot``) one table per lot, from a
    :class:`allocatie.checker.Evaluation`."""
    from allocatie.text import natural_key

    total_title = ("Overstap van cliënten (van huidige naar nieuwe aanbieder), totaal" if
                   lang == "nl" else "Client transitions (from current to new provider), total")
    parts = [transitions_table(evaluation.matrix, lang, total_title)]  # type: ignore[attr-defined]
    if per_lot:
        per = evaluation.matrix_per_lot  # type: ignore[attr-defined]
        for lot in sorted(per, key=natural_key):
            title = f"{'Perceel' if lang == 'nl' else 'Lot'} {lot}"
            parts.append(transitions_table(per[lot], lang, title))
    return "\n\n".join(parts)
