"""The handlers of the subcommands: validate, evaluate, check, design, award, compare, init."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading
import time

from allocatie.cli.running import (
    _BIDS_NOTE,
    EXIT_FAILURES,
    EXIT_INFEASIBLE,
    EXIT_NO_SOLUTION,
    EXIT_OK,
    _check_out,
    _cli_lang,
    _finish,
    _load,
    _load_accepting_fixed_lots,
    _progress_printer,
    _report_lang,
    _say,
    _settings,
    _sigint_sets,
    _text,
    _with_stop,
)
from allocatie.errors import InstanceError, UsageError
from allocatie.status import Status


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
    from allocatie.award.given import award_design, scored_design
    from allocatie.io.design_file import with_own_lot_count
    from allocatie.io.loading import load_lots_file

    _check_out(args)
    _say(args, _text(args, "reading", folder=args.instance))
    instance = _load(args, tolerate=("rules", "fixed_design", "fixed_lots_shape"))  # given
    assignment, winners = load_lots_file(args.lots, instance)
    instance, note = with_own_lot_count(instance, assignment, args.lots)
    if not winners:
        fixed, awarded = award_design(instance, assignment, _settings(args, instance))
        if not awarded.status.has_solution:
            return _finish(args, fixed, awarded, "evaluate")
        winners = dict(awarded.winners)
        instance = fixed
    solution, _result = scored_design(instance, assignment, winners, note)
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
        from allocatie.design.diagnosis import with_diagnosis

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
        from allocatie.award.relaxation import accept_fixed_lots

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
        from allocatie.award.relaxation import ACCEPT_FIXED_LOTS, describe

        solution = dataclasses.replace(
            solution, message="; ".join(filter(None, (describe(relaxed, _cli_lang(args)),
                                                      solution.message))),
            details={**solution.details, "relaxation": {"name": ACCEPT_FIXED_LOTS,
                                                        "broken": relaxed}})
    return _finish(args, instance, solution, "award")


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
