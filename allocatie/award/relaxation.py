"""The one named rule relaxation: ``accept-fixed-lots``.

A tender publishes its lots before the bids come in; when the published lots (``lots.csv``)
break the lot count, contiguity or the client bounds, ``award`` exits 3 with the diagnosis.
With ``award --accept-fixed-lots`` they are awarded as published instead: those three rules
are lifted for the fixed design only (every other rule, such as the lot limits and the
capacities, still applies). ``summary.json`` records the relaxation and the rules it lifted
(``relaxation``), and the report names it. ``check`` applies the same relaxation only to a
folder that awards exactly the published lots.
"""

from __future__ import annotations

import dataclasses

from allocatie.instance import Instance

ACCEPT_FIXED_LOTS = "accept-fixed-lots"
LIFTED = ("lot count", "contiguity", "client bounds per lot")


def accept_fixed_lots(instance: Instance) -> Instance:
    """``instance`` with the lot count, contiguity and client bounds lifted for its fixed
    lots (the count becomes the fixed design's own)."""
    k = len(instance.lot_ids)
    rules = dataclasses.replace(instance.rules, lots_min=k, lots_max=k, contiguity="none",
                                lot_clients_min=None, lot_clients_max=None,
                                lot_clients_penalty=None)
    return dataclasses.replace(instance, rules=rules)


def describe(broken: list[str], lang: str = "nl") -> str:
    """The sentence the CLI and the report carry, in ``lang`` (nl or en)."""
    if lang == "nl":
        return (f"gegund met de regelversoepeling {ACCEPT_FIXED_LOTS}: de gepubliceerde "
                "percelen zijn gegund zoals ze zijn; het aantal percelen, de samenhang en de "
                "grenzen aan het aantal cliënten per perceel gelden voor deze percelen niet. "
                "Zij breken: " + "; ".join(broken))
    return (f"awarded under the rule relaxation {ACCEPT_FIXED_LOTS}: the published lots are "
            f"awarded as they are, with the {', '.join(LIFTED)} lifted for them; they break: "
            + "; ".join(broken))
