"""The ``allocatie`` command line. Exit codes (spec): 0 a solution was found, 1 invalid input,
2 usage error, 3 proven infeasible, 4 no solution within the limits."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from allocatie import __version__
from allocatie.errors import InstanceError, UsageError
from allocatie.instance import Instance
from allocatie.settings import BACKENDS, SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = args.handler(args)
        for w in caught:
            if not args.quiet:
                print(f"warning: {w.message}", file=sys.stderr)
        return code
    except InstanceError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except UsageError as error:
        print(f"usage error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID


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
    p.add_argument("--lottery-seed", type=int, help="seed of the tie-breaking lottery")
    p.add_argument("--max-lots-per-bidder", type=int, help="kavelbeperking")
    p.add_argument("--transition-cost", type=float, help="EUR per client who must switch")
    p.set_defaults(handler=cmd_award)

    _init_parser(sub)

    p = sub.add_parser("compare", help="compare lot designs over many bid scenarios")
    p.add_argument("spec", type=Path, help="comparison spec (TOML)")
    p.add_argument("--out", required=True, type=Path, help="results folder (resumable)")
    p.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    p.add_argument("--dask", help="'local' for a local Dask cluster, or a scheduler address")
    p.add_argument("--retry-failed", action="store_true", help="rerun tasks that failed")
    p.add_argument("--chunk-size", type=int, help="scenarios per task (default: automatic)")
    p.add_argument("--lang", choices=["nl", "en"], default="nl", help="plot language")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=cmd_compare)
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("instance", type=Path, help="instance folder (with instance.toml)")
    p.add_argument("--quiet", action="store_true", help="print only the essentials")


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="results folder to write")
    p.add_argument("--lang", choices=["nl", "en"], default="nl", help="report language")
    p.add_argument("--no-report", action="store_true",
                   help="skip maps, HTML report and Excel (only the spec's files)")


def _solver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS, help="MILP solver (default: instance/highs)")
    p.add_argument("--time-limit", type=float, help="seconds")
    p.add_argument("--mip-gap", type=float, help="relative gap at which to stop (0 = prove)")
    p.add_argument("--threads", type=int, help="threads / CP-SAT workers")
    p.add_argument("--seed", type=int, help="solver and heuristic seed")


def _rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lots", type=int, help="exact number of lots K")
    p.add_argument("--lots-min", type=int, help="fewest lots (with --lots-max)")
    p.add_argument("--lots-max", type=int, help="most lots (with --lots-min)")
    p.add_argument("--max-lots-per-bidder", type=int, help="kavelbeperking")
    p.add_argument("--transition-cost", type=float, help="EUR per client who must switch")
    p.add_argument("--contiguity", choices=["rook", "queen", "none"])


# --------------------------------------------------------------------------- handlers
def cmd_validate(args: argparse.Namespace) -> int:
    from allocatie.loading import load_instance

    instance = load_instance(args.instance, expected_tariff=args.tariff)  # warnings: main()
    print(f"{args.instance}: valid — {len(instance.districts)} districts, "
          f"{instance.total_clients:,} clients, {len(instance.bidders)} bidders, "
          f"{len(instance.bids):,} bids, {len(instance.edges_for())} neighbour pairs "
          f"({instance.rules.contiguity})"
          + _BIDS_NOTE.get(instance.bids_kind, ""))
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from allocatie.checker import evaluate
    from allocatie.loading import load_instance, load_lots_file

    instance = load_instance(args.instance)
    assignment, winners = load_lots_file(args.lots, instance)
    if not winners:
        from allocatie.award import award

        fixed = dataclasses.replace(instance, lots=assignment, lot_bids=(), combination_bids=())
        awarded = award(fixed, rule="optimal", settings=_settings(args, instance))
        if not awarded.status.has_solution:
            return _finish(args, fixed, awarded, "evaluate")
        winners = dict(awarded.winners)
        instance = fixed
    result = evaluate(instance, assignment, winners)
    # A given design is scored, not optimised: "feasible" when it keeps every rule,
    # "infeasible" (with the broken rules listed) when it does not.
    solution = Solution(Status.FEASIBLE if result.feasible else Status.INFEASIBLE,
                        assignment=assignment, winners=winners, objective=result.objective,
                        solver="evaluate (no optimisation)",
                        message="" if result.feasible else
                        "the design breaks rules: " + "; ".join(result.violations))
    return _finish(args, instance, solution, "evaluate")


def cmd_check(args: argparse.Namespace) -> int:
    from allocatie.loading import load_instance
    from allocatie.verify import check_results_folder

    instance = load_instance(args.instance)
    report = check_results_folder(instance, args.results)
    for line in report.lines:
        print(line)
    return EXIT_OK if report.ok else EXIT_INFEASIBLE


def cmd_design(args: argparse.Namespace) -> int:
    from allocatie.design import design
    from allocatie.loading import load_instance

    overrides = {"lots": args.lots, "lots_min": args.lots_min, "lots_max": args.lots_max,
                 "max_lots_per_bidder": args.max_lots_per_bidder,
                 "transition_cost": args.transition_cost, "contiguity": args.contiguity}
    instance = load_instance(args.instance, overrides, expected_tariff=args.tariff)
    settings = _settings(args, instance)
    rules = instance.rules
    if instance.bids_kind != "bid":
        _say(args, "note: " + _BIDS_NOTE[instance.bids_kind].lstrip("; "))
    lots = (str(rules.lots_min) if rules.lots_min == rules.lots_max
            else f"{rules.lots_min}-{rules.lots_max}")
    _say(args, f"designing {lots} lots for {len(instance.districts)} districts, "
               f"{len(instance.bidders)} bidders ({settings.backend}, time limit "
               f"{settings.time_limit_s:g} s; Ctrl-C stops and keeps the best design)")
    solution = _with_stop(args, lambda stop, progress: design(instance, settings, progress,
                                                              stop))
    if rules.compactness_weight and not args.no_compactness_price:
        from allocatie.design.compactness_price import EXTRA_SHARE, price_of_compactness

        _say(args, f"what compactness costs: one more design without it "
                   f"({EXTRA_SHARE:.0%} of the time limit; --no-compactness-price skips it)")
        solution = _with_stop(args, lambda stop, progress: price_of_compactness(
            instance, solution, settings, stop))
    return _finish(args, instance, solution, "design")


def cmd_award(args: argparse.Namespace) -> int:
    from allocatie.award import award
    from allocatie.loading import load_instance

    overrides = {"max_lots_per_bidder": args.max_lots_per_bidder,
                 "transition_cost": args.transition_cost}
    instance = load_instance(args.instance, overrides)
    if instance.lots is None:
        raise UsageError(f"{args.instance} has no fixed design: add [files] lots = "
                         "\"lots.csv\" (district_id,lot) to instance.toml, or run "
                         "'allocatie design' to draw the lots")
    if args.lottery_seed is not None:
        instance = dataclasses.replace(
            instance, award=dataclasses.replace(instance.award, lottery_seed=args.lottery_seed))
    solution = award(instance, rule=args.rule, settings=_settings(args, instance),
                     criterion=args.criterion)
    return _finish(args, instance, solution, "award")


def cmd_compare(args: argparse.Namespace) -> int:
    from allocatie.compare import run_compare

    printer = None if args.quiet else _progress_printer()
    stop = threading.Event()
    with _sigint_sets(stop):
        result = run_compare(args.spec, args.out, workers=args.workers, dask=args.dask,
                             progress=None if printer is None else printer.scenario, stop=stop,
                             retry_failed=args.retry_failed, chunk_size=args.chunk_size,
                             lang=args.lang)
    if printer is not None:
        printer.close()
    print(result.describe())
    return EXIT_OK if result.ok else EXIT_NO_SOLUTION


# --------------------------------------------------------------------------- init
_BIDS_NOTE = {"expected": "; NO BIDS YET: each current provider bids the expected tariff, "
                          "award figures are expected, not bid",
              "example": "; EXAMPLE BIDS (synthetic), not real bids"}


def _tariff_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tariff", type=float, metavar="EUR",
                   help="before the bids: expected EUR per client per year that every "
                        "current provider bids (overrides [bids] expected_tariff)")


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
    p.add_argument("--tariff", type=float, metavar="EUR", help="expected EUR per client per "
                   "year until the bids are in (default 2500)")
    p.add_argument("--example-bids", action="store_true",
                   help="add clearly labelled synthetic bids so design runs at once")
    p.add_argument("--lots", type=int, help="number of lots K (default: about 5 districts "
                   "per lot, 2 to 8)")
    p.add_argument("--name", help="instance name")
    p.add_argument("--quiet", action="store_true", help="print only the essentials")
    p.set_defaults(handler=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    from allocatie.onboarding import init_instance

    report = init_instance(args.out, args.geometry, args.gemeente, level=args.level,
                           clients=args.clients, clients_proxy=args.clients_proxy,
                           bids=args.bids, example=args.example_bids, lots=args.lots,
                           name=args.name, lots_file=args.lots_file, tariff=args.tariff)
    for line in report.lines:
        if not args.quiet or not line.startswith("check:"):
            print(line)
    return EXIT_OK


# --------------------------------------------------------------------------- helpers
def _settings(args: argparse.Namespace, instance: Instance) -> SolverSettings:
    return instance.solver.with_(backend=args.backend, time_limit_s=args.time_limit,
                                 mip_gap=args.mip_gap, threads=args.threads, seed=args.seed)


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, file=sys.stderr)


def _progress_printer():
    from allocatie.progress import ProgressPrinter

    return ProgressPrinter()


def _with_stop(args: argparse.Namespace, run: Callable) -> Solution:
    printer = None if args.quiet else _progress_printer()
    stop = threading.Event()
    with _sigint_sets(stop):
        solution = run(stop, printer)
    if printer is not None:
        printer.close()
    if stop.is_set():
        print("stopped by Ctrl-C: keeping the best result found so far", file=sys.stderr)
    return solution


class _sigint_sets:  # noqa: N801 - used as a context manager
    """First Ctrl-C sets ``stop`` (the solver ends and keeps its best); a second one aborts."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.previous = None

    def __enter__(self) -> _sigint_sets:
        if threading.current_thread() is threading.main_thread():
            def handler(signum, frame):  # noqa: ARG001
                if self.stop.is_set():
                    raise KeyboardInterrupt
                self.stop.set()
            self.previous = signal.signal(signal.SIGINT, handler)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _finish(args: argparse.Namespace, instance: Instance, solution: Solution,
            command: str) -> int:
    from allocatie.results import write_results
    from allocatie.summary_text import describe

    evaluation = write_results(args.out, instance, solution, command=command,
                               report=not args.no_report, lang=args.lang)
    print(describe(instance, solution, evaluation, lang="en", quiet=args.quiet))
    print(f"results written to {args.out}")
    if evaluation is not None and not evaluation.feasible:
        print("CHECKER: the result breaks rules: " + "; ".join(evaluation.violations),
              file=sys.stderr)
    return solution.status.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
