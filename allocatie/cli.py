"""The ``allocatie`` command line. Exit codes (spec): 0 a solution was found, 1 invalid input,
2 usage error, 3 proven infeasible, 4 no solution within the limits."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from allocatie import __version__
from allocatie.errors import InstanceError, RuleConflict, UsageError
from allocatie.instance import Instance
from allocatie.settings import BACKENDS, SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # a second Ctrl-C before anything was written
EXIT_FAILURES = 5  # compare: some tasks or designs failed (not: no award possible)


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


# --------------------------------------------------------------------------- handlers
def cmd_validate(args: argparse.Namespace) -> int:
    instance = _load(args)  # its warnings are printed by main()
    print(f"{args.instance}: valid — {len(instance.districts)} districts, "
          f"{instance.total_clients:,} clients, {len(instance.bidders)} bidders, "
          f"{len(instance.bids):,} bids, {len(instance.edges_for())} neighbour pairs "
          f"({instance.rules.contiguity})"
          + _BIDS_NOTE.get(instance.bids_kind, ""))
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from allocatie.checker import evaluate
    from allocatie.io.design_file import with_own_lot_count
    from allocatie.io.loading import load_lots_file

    _check_out(args)
    _say(args, _text(args, "reading", folder=args.instance))
    instance = _load(args, tolerate=("rules", "fixed_design", "fixed_lots_shape"))  # given
    assignment, winners = load_lots_file(args.lots, instance)
    instance, note = with_own_lot_count(instance, assignment, args.lots)
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
                        message="; ".join(filter(None, (note, "" if result.feasible else
                                                         "the design breaks rules: "
                                                         + "; ".join(result.messages)))))
    return _finish(args, instance, solution, "evaluate")


def cmd_check(args: argparse.Namespace) -> int:
    from allocatie.verify import check_results_folder, recorded_rule_changes

    instance = _load(args, tolerate=("rules", "fixed_design", "fixed_lots_shape"))
    changes, bad = recorded_rule_changes(instance, args.results)
    if bad:
        for line in bad:
            print(f"FAIL [summary_field] summary.json: {line}")
        return EXIT_INFEASIBLE
    if changes:
        print("note: checked under the rules of the run, recorded in summary.json, which "
              "differ from the instance's: " + ", ".join(
                  f"{k} {v} (instance: {getattr(instance.rules, k)})"
                  for k, v in changes.items()))
        try:
            instance = _load(args, changes, tolerate=("rules", "fixed_design",
                                                      "fixed_lots_shape"))
        except (InstanceError, UsageError) as error:
            print(f"FAIL [rules] the rules recorded in summary.json are not valid: {error}")
            return EXIT_INFEASIBLE
    report = check_results_folder(instance, args.results)
    for line in report.lines:
        print(line)
    return EXIT_OK if report.ok else EXIT_INFEASIBLE


def cmd_design(args: argparse.Namespace) -> int:
    from allocatie.design import design

    _check_out(args)
    overrides = {"lots": args.lots, "lots_min": args.lots_min, "lots_max": args.lots_max,
                 "max_lots_per_bidder": args.max_lots_per_bidder,
                 "transition_cost": args.transition_cost, "contiguity": args.contiguity}
    _say(args, _text(args, "reading", folder=args.instance))
    instance = _load(args, overrides,  # it draws its own lots
                     tolerate=("fixed_design", "fixed_lots_shape"))
    settings = _settings(args, instance)
    rules = instance.rules
    if instance.bids_kind != "bid":
        _say(args, "note: " + _BIDS_NOTE[instance.bids_kind].lstrip("; "))
    lots = (str(rules.lots_min) if rules.lots_min == rules.lots_max
            else f"{rules.lots_min}-{rules.lots_max}")
    _say(args, _text(args, "designing", lots=lots, districts=len(instance.districts),
                     bidders=len(instance.bidders), backend=settings.backend,
                     limit=f"{settings.time_limit_s:g}"))
    solution, stopped = _with_stop(args, lambda stop, progress: design(instance, settings,
                                                                       progress, stop))
    if solution.status is Status.INFEASIBLE and not stopped:
        from allocatie.design_diagnosis import with_diagnosis

        _say(args, _text(args, "diagnosing"))
        solution = with_diagnosis(instance, settings, solution)
    if (rules.compactness_weight and not args.no_compactness_price and not stopped
            and solution.status.has_solution):
        from allocatie.design.compactness_price import EXTRA_SHARE, price_of_compactness

        _say(args, _text(args, "compactness_price", share=f"{EXTRA_SHARE:.0%}"))
        designed = solution
        solution, stopped = _with_stop(args, lambda stop, progress: price_of_compactness(
            instance, designed, settings, stop))
    return _finish(args, instance, solution, "design", ("solve",) if stopped else ())


def cmd_award(args: argparse.Namespace) -> int:
    from allocatie.award import award

    _check_out(args)
    overrides = {"max_lots_per_bidder": args.max_lots_per_bidder,
                 "transition_cost": args.transition_cost}
    _say(args, _text(args, "reading", folder=args.instance))
    relaxed: list[str] = []
    if args.accept_fixed_lots:
        from allocatie.relaxation import accept_fixed_lots

        instance, relaxed = _load_accepting_fixed_lots(args, overrides)
        if relaxed:
            instance = accept_fixed_lots(instance)
    else:
        instance = _load(args, overrides)
    if instance.lots is None:
        raise UsageError(f"{args.instance} has no fixed design: add [files] lots = "
                         "\"lots.csv\" (district_id,lot) to instance.toml, or run "
                         "'allocatie design' to draw the lots")
    if args.lottery_seed is not None:
        instance = dataclasses.replace(
            instance, award=dataclasses.replace(instance.award, lottery_seed=args.lottery_seed))
    solution = award(instance, rule=args.rule, settings=_settings(args, instance),
                     criterion=args.criterion, lang=_report_lang(args))
    if relaxed:
        from allocatie.relaxation import ACCEPT_FIXED_LOTS, describe

        solution = dataclasses.replace(
            solution, message="; ".join(filter(None, (describe(relaxed, _cli_lang(args)),
                                                      solution.message))),
            details={**solution.details, "relaxation": {"name": ACCEPT_FIXED_LOTS,
                                                        "broken": relaxed}})
    return _finish(args, instance, solution, "award")


def _load_accepting_fixed_lots(args: argparse.Namespace,
                               overrides: dict) -> tuple[Instance, list[str]]:
    """Load for ``award --accept-fixed-lots``: the instance and what its fixed lots break."""
    try:
        return _load(args, overrides), []
    except RuleConflict as conflict:
        if conflict.of_kind("fixed_lots_shape") != conflict.problems:
            raise
        broken = [p.message for p in conflict.problems]
        for line in broken:
            _say(args, f"note: accepted as published: {line}")
        return conflict.instance, broken  # type: ignore[return-value]


def cmd_compare(args: argparse.Namespace) -> int:
    """Exit 0 when complete without failures, 5 when tasks or designs failed (unless
    --allow-failures), 4 when interrupted or no design has any award."""
    from allocatie.compare import run_compare

    printer = None if args.quiet else _progress_printer()
    started = time.monotonic()

    def stage(text: str) -> None:
        if printer is not None:
            printer.close()
            print(f"{time.monotonic() - started:6.1f} s  {text}", file=sys.stderr, flush=True)

    stop = threading.Event()
    with _sigint_sets(stop):
        result = run_compare(args.spec, args.out, workers=args.workers, dask=args.dask,
                             progress=None if printer is None else printer.scenario, stop=stop,
                             retry_failed=args.retry_failed, chunk_size=args.chunk_size,
                             lang=args.lang, stage=stage, solver_progress=printer,
                             spread=args.spread)
    if printer is not None:
        printer.close()
    print(result.describe())
    if not result.complete or result.awarded == 0:
        return EXIT_NO_SOLUTION
    if result.has_failures and not args.allow_failures:
        print(f"exit {EXIT_FAILURES}: some tasks failed (listed above); pass --allow-failures "
              "to accept them", file=sys.stderr)
        return EXIT_FAILURES
    return EXIT_OK


# --------------------------------------------------------------------------- init
_BIDS_NOTE = {"expected": "; NO BIDS YET: each current provider bids the expected tariff, "
                          "award figures are expected, not bid",
              "example": "; EXAMPLE BIDS (synthetic), not real bids"}


def _tariff_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tariff", type=_euros, metavar="EUR",
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
    p.add_argument("--tariff", type=_euros, metavar="EUR", help="expected EUR per client per "
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


def _report_lang(args: argparse.Namespace) -> str:
    """The reports' language: --lang, else Dutch (a municipality reads them)."""
    return getattr(args, "lang", None) or "nl"


def _cli_lang(args: argparse.Namespace) -> str:
    """The language of the command line's own lines: --lang, else English."""
    return getattr(args, "lang", None) or "en"


# the command line's own sentences (problem messages of the input stay English)
_SAY = {
    "en": {"reading": "reading {folder} ...",
           "designing": "designing {lots} lots for {districts} districts, {bidders} bidders "
                        "({backend}, time limit {limit} s; Ctrl-C stops and keeps the best "
                        "design)",
           "stopped": "stopped by Ctrl-C: keeping the best result found so far",
           "writing": "writing the results and reports ...",
           "written": "results written to {out}",
           "checker": "CHECKER: the result breaks rules: {rules}",
           "diagnosing": "no design keeps every rule: finding which rules bind ...",
           "compactness_price": "what compactness costs: one more design without it ({share} "
                                "of the time limit; --no-compactness-price skips it)",
           "report_skipped": "stopped by Ctrl-C while writing the report: the report files are "
                             "skipped, the results are kept (summary.json records the "
                             "interruption)"},
    "nl": {"reading": "{folder} inlezen ...",
           "designing": "{lots} percelen ontwerpen voor {districts} gebieden, {bidders} "
                        "inschrijvers ({backend}, tijdslimiet {limit} s; Ctrl-C stopt en houdt "
                        "het beste ontwerp)",
           "stopped": "gestopt met Ctrl-C: het beste resultaat tot nu toe blijft bewaard",
           "writing": "resultaten en rapporten schrijven ...",
           "written": "resultaten geschreven naar {out}",
           "checker": "CONTROLE: het resultaat overtreedt regels: {rules}",
           "diagnosing": "geen ontwerp houdt zich aan alle regels: zoeken welke regels knellen ...",
           "compactness_price": "wat compactheid kost: nog een ontwerp zonder ({share} van de "
                                "tijdslimiet; --no-compactness-price slaat dit over)",
           "report_skipped": "gestopt met Ctrl-C tijdens het schrijven van het rapport: de "
                             "rapportbestanden zijn overgeslagen, de resultaten bewaard "
                             "(summary.json legt de onderbreking vast)"},
}


def _text(args: argparse.Namespace, key: str, **values: object) -> str:
    return _SAY[_cli_lang(args)][key].format(**values)


def _progress_printer(lang: str = "en"):
    from allocatie.progress import ProgressPrinter

    return ProgressPrinter(lang=lang)


def _with_stop(args: argparse.Namespace, run: Callable) -> tuple[Solution, bool]:
    printer = None if args.quiet else _progress_printer(_cli_lang(args))
    stop = threading.Event()
    done = threading.Event()
    if printer is not None:  # a long silent phase still shows it runs
        threading.Thread(target=_heartbeat, args=(printer, done), daemon=True).start()
    try:
        with _sigint_sets(stop):
            solution = run(stop, printer)
    finally:
        done.set()
    if printer is not None:
        printer.close()
    if stop.is_set():
        print(_text(args, "stopped"), file=sys.stderr)
    return solution, stop.is_set()


def _heartbeat(printer, done: threading.Event, every_s: float = 1.0) -> None:
    while not done.wait(every_s):
        printer.heartbeat(quiet_s=5.0)


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


def _load(args: argparse.Namespace, overrides: dict | None = None,
          tolerate: Sequence[str] = ()) -> Instance:
    """Load the instance; rule conflicts of the kinds in ``tolerate`` are let through (the
    command deals with them), others raise :class:`RuleConflict` for :func:`_rules_conflict`."""
    from allocatie.io.loading import load_instance

    try:
        return load_instance(args.instance, overrides,
                             expected_tariff=getattr(args, "tariff", None))
    except RuleConflict as conflict:
        if conflict.of_kind(*tolerate) != conflict.problems:
            raise
        for problem in conflict.problems:
            _say(args, f"note: {problem}")
        return conflict.instance  # type: ignore[return-value]


def _rules_conflict(args: argparse.Namespace, conflict: RuleConflict) -> int:
    """The rules cannot all be met: infeasibility (exit 3), with the diagnosis written to the
    results folder when the command writes one."""
    lines = [str(p) for p in conflict.problems]
    print(f"infeasible: the rules of {args.instance} conflict, no solution can keep them all:",
          file=sys.stderr)
    for line in lines:
        print(f"  - {line}", file=sys.stderr)
    if getattr(args, "out", None) is None or args.command == "compare":
        return EXIT_INFEASIBLE
    from allocatie.conflicts import conflict_solution

    solution = conflict_solution(conflict, _report_lang(args))
    _finish(args, conflict.instance, solution, args.command)  # type: ignore[arg-type]
    return EXIT_INFEASIBLE


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an unsafe --out before any solving (so a refusal costs nothing)."""
    from allocatie.io.outfolder import check_out

    check_out(args.out, args.instance, args.force)


def _finish(args: argparse.Namespace, instance: Instance, solution: Solution,
            command: str, interrupted: Sequence[str] = ()) -> int:
    from allocatie.io.results import write_results
    from allocatie.summary_text import describe

    # the reports show the solver settings of this run, not the instance's defaults
    instance = dataclasses.replace(instance, solver=_settings(args, instance))
    _say(args, _text(args, "writing"))
    written = write_results(args.out, instance, solution, command=command,
                            report=not args.no_report, lang=_report_lang(args),
                            force=args.force, interrupted=interrupted,
                            mip_gap=instance.solver.mip_gap)
    solution, evaluation = written.solution, written.evaluation
    print(describe(instance, solution, evaluation, lang=_cli_lang(args), quiet=args.quiet))
    if written.note:
        print(f"warning: {written.note}", file=sys.stderr)
    print(_text(args, "written", out=written.folder if written.note else args.out))
    if "report" in written.interrupted:
        print(_text(args, "report_skipped"), file=sys.stderr)
    if evaluation is not None and not evaluation.feasible:
        print(_text(args, "checker", rules="; ".join(evaluation.messages)), file=sys.stderr)
    return solution.status.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
