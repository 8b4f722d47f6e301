"""The ``allocatie`` command line. Exit codes (spec): 0 a solution was found, 1 invalid input,
2 usage error, 3 proven infeasible, 4 no solution within the limits."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from allocatie import __version__
from allocatie.cli.commands import (
    cmd_award,
    cmd_check,
    cmd_compare,
    cmd_design,
    cmd_evaluate,
    cmd_init,
    cmd_validate,
)
from allocatie.cli.options import (
    _common,
    _count,
    _euros,
    _outputs,
    _rule_options,
    _solver_options,
    _tariff_option,
)
from allocatie.cli.running import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_USAGE,
    _rules_conflict,
)
from allocatie.errors import InstanceError, RuleConflict, UsageError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return args.handler(args)
            finally:  # warnings are printed also when the input is rejected
                for w in caught:
                    if not args.quiet:
                        print(f"warning: {w.message}", file=sys.stderr)
    except RuleConflict as conflict:
        return _rules_conflict(args, conflict)
    except InstanceError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except UsageError as error:
        print(f"usage error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except PermissionError as error:
        print(f"error: no permission: {error}; choose another --out folder", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted by Ctrl-C: nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allocatie",
        description="Design the area lots (percelen) of a social-care tender and award them.")
    parser.add_argument("--version", action="version", version=f"allocatie {__version__}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("validate", help="check an instance folder and list every problem")
    _common(p)
    _tariff_option(p)
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("evaluate", help="score a given design (lots.csv, optional winners)")
    _common(p)
    p.add_argument("--lots", required=True, type=Path,
                   help="district_id,lot[,winner] file (CSV/XLSX); without winners the lots "
                        "are awarded optimally on the per-district bids")
    _outputs(p)
    _solver_options(p)
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser("check", help="verify a results folder with the independent checker")
    _common(p)
    p.add_argument("results", type=Path, help="results folder written by design/award/evaluate")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("design", help="design the lots and award them (MILP)")
    _common(p)
    _outputs(p)
    _solver_options(p)
    _rule_options(p)
    _tariff_option(p)
    p.add_argument("--no-compactness-price", action="store_true",
                   help="skip the extra design without the compactness weight that shows "
                        "what compact lots cost")
    p.set_defaults(handler=cmd_design)

    p = sub.add_parser("award", help="award the fixed lots (lots.csv) under a published rule")
    _common(p)
    _outputs(p)
    _solver_options(p)
    p.add_argument("--rule", choices=["optimal", "by-lot-value", "by-lot-number",
                                      "by-preference"], help="award rule (default: instance)")
    p.add_argument("--criterion", choices=["price", "price_quality"],
                   help="award criterion (default: instance)")
    p.add_argument("--lottery-seed", type=_count(0), help="seed of the tie-breaking lottery")
    p.add_argument("--max-lots-per-bidder", type=_count(1), help="kavelbeperking")
    p.add_argument("--transition-cost", type=_euros, help="EUR per client who must switch")
    p.add_argument("--accept-fixed-lots", action="store_true",
                   help="award the published lots as they are even when they break the lot "
                        "count, contiguity or the client bounds (a named rule relaxation, "
                        "recorded in summary.json and the report)")
    p.set_defaults(handler=cmd_award)

    _init_parser(sub)

    p = sub.add_parser("compare", help="compare lot designs over many bid scenarios")
    p.add_argument("spec", type=Path, help="comparison spec (TOML)")
    p.add_argument("--out", required=True, type=Path, help="results folder (resumable)")
    p.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    p.add_argument("--dask", help="'local' for a local Dask cluster, or a scheduler address")
    p.add_argument("--retry-failed", action="store_true", help="rerun tasks that failed")
    p.add_argument("--chunk-size", type=int, help="scenarios per task (default: automatic)")
    p.add_argument("--lang", choices=["nl", "en"], default="nl",
                   help="language of vergelijking.html, vergelijking.xlsx and the plot")
    p.add_argument("--spread", choices=["box", "whiskers", "none"], default="box",
                   help="how the Pareto plot shows the 5-95%% spread (default: box)")
    p.add_argument("--allow-failures", action="store_true",
                   help="exit 0 even when tasks or designs failed (they are still listed)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=cmd_compare)

    from allocatie.editor.command import add_parser as add_editor_parser

    add_editor_parser(sub)  # allocatie editor: the browser lot editor (allocatie/editor/)
    return parser


def _init_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="make an instance from the CBS Wijk- en Buurtkaart and "
                                    "the municipality's client sheet")
    p.add_argument("out", type=Path, help="new instance folder to write")
    p.add_argument("--geometry", required=True, type=Path,
                   help="CBS Wijk- en Buurtkaart (GeoPackage or Shapefile) or PDOK file")
    p.add_argument("--gemeente", required=True, action="append",
                   help="municipality code (GM0114) or name; repeat for several")
    p.add_argument("--level", choices=["wijk", "buurt"], default="wijk",
                   help="district level (default wijk)")
    p.add_argument("--clients", type=Path, help="filled clienten-sjabloon.xlsx or a long "
                   "table (district, provider, clients) in XLSX/CSV")
    p.add_argument("--clients-proxy", type=float, metavar="RATE",
                   help="clients = RATE x inhabitants, labelled as a proxy")
    p.add_argument("--bids", type=Path, help="bids per district (bidder,district_id,price) "
                   "or per lot (bidder,lot,price[,score][,preference], with --lots-file)")
    p.add_argument("--lots-file", type=Path, help="the lot design of bids per lot: "
                   "district_id,lot (e.g. a design's assignment.csv)")
    p.add_argument("--tariff", type=_euros, metavar="EUR", help="expected EUR per client per "
                   "year until the bids are in (default 2500)")
    p.add_argument("--example-bids", action="store_true",
                   help="add clearly labelled synthetic bids so design runs at once")
    p.add_argument("--lots", type=int, help="number of lots K (default: about 5 districts "
                   "per lot, 2 to 8)")
    p.add_argument("--name", help="instance name")
    p.add_argument("--quiet", action="store_true", help="print only the essentials")
    p.set_defaults(handler=cmd_init)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
