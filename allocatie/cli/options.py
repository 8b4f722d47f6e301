"""Argument types and option groups shared by the subcommands (solver, outputs, rules, tariff)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from allocatie.settings import BACKENDS


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", type=Path, help="instance folder (with instance.toml)")
    p.add_argument("--quiet", action="store_true", help="print only the essentials")


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="results folder to write")
    p.add_argument("--lang", choices=["nl", "en"], default=None,
                   help="language of the reports (default nl) and of this command's own "
                        "status and progress lines (default en)")
    p.add_argument("--no-report", action="store_true",
                   help="skip maps, HTML report and Excel (only the spec's files)")
    p.add_argument("--force", action="store_true",
                   help="write into an --out that holds other files or the instance (they "
                        "are kept: allocatie replaces only files it wrote itself)")


def _solver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS, help="MILP solver (default: instance/highs)")
    p.add_argument("--time-limit", type=_seconds, help="seconds (a number > 0)")
    p.add_argument("--mip-gap", type=_fraction, help="relative gap at which to stop (0 = prove)")
    p.add_argument("--threads", type=_count(1), help="threads / CP-SAT workers")
    p.add_argument("--seed", type=_count(0), help="solver and heuristic seed (a whole number "
                                                   ">= 0)")


def _seconds(text: str) -> float:
    """A time limit: a finite number of seconds > 0 (argparse turns ValueError into usage)."""
    import math

    value = _float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0; write "
                                         "e.g. --time-limit 60")
    return value


def _euros(text: str) -> float:
    """An amount in EUR: a finite number >= 0."""
    import math

    value = _float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount of EUR >= 0; write e.g. "
                                         "--transition-cost 1000")
    return value


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _fraction(text: str) -> float:
    value = _float(text)
    if not 0.0 <= value < 1.0:  # also rejects nan
        raise argparse.ArgumentTypeError(f"{text!r} is not a relative gap in [0, 1); write "
                                         "e.g. --mip-gap 0.01 for 1%")
    return value


def _count(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= {least}")
        return value

    parse.__name__ = "whole number"
    return parse


def _rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lots", type=_count(1), help="exact number of lots K")
    p.add_argument("--lots-min", type=_count(1), help="fewest lots (with --lots-max)")
    p.add_argument("--lots-max", type=_count(1), help="most lots (with --lots-min)")
    p.add_argument("--max-lots-per-bidder", type=_count(1), help="kavelbeperking")
    p.add_argument("--transition-cost", type=_euros, help="EUR per client who must switch")
    p.add_argument("--contiguity", choices=["rook", "queen", "none"])


def _tariff_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tariff", type=_euros, metavar="EUR",
                   help="before the bids: expected EUR per client per year that every "
                        "current provider bids (overrides [bids] expected_tariff)")
