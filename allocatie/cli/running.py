"""What every subcommand shares when it runs: exit codes, loading with rule conflicts as a result,
the language of its lines, progress with Ctrl-C, and writing the results folder."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from allocatie.errors import RuleConflict
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4


EXIT_INTERRUPTED = 130  # a second Ctrl-C before anything was written


EXIT_FAILURES = 5  # compare: some tasks or designs failed (not: no award possible)


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


# --------------------------------------------------------------------------- init
_BIDS_NOTE = {"expected": "; NO BIDS YET: each current provider bids the expected tariff, "
                          "award figures are expected, not bid",
              "example": "; EXAMPLE BIDS (synthetic), not real bids"}


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
           "conflict": "infeasible: the rules of {instance} conflict, no solution can keep "
                       "them all:",
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
           "conflict": "onmogelijk: de regels van {instance} zijn met elkaar in strijd, geen "
                       "oplossing houdt ze allemaal:",
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
    from allocatie.cli.progress import ProgressPrinter

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
    print(_text(args, "conflict", instance=args.instance), file=sys.stderr)
    for line in lines:
        print(f"  - {line}", file=sys.stderr)
    if getattr(args, "out", None) is None or args.command == "compare":
        return EXIT_INFEASIBLE
    solution = conflict_solution(conflict, _report_lang(args))
    _finish(args, conflict.instance, solution, args.command)  # type: ignore[arg-type]
    return EXIT_INFEASIBLE


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an unsafe --out before any solving (so a refusal costs nothing)."""
    from allocatie.io.outfolder import check_out

    check_out(args.out, args.instance, args.force)


def _finish(args: argparse.Namespace, instance: Instance, solution: Solution,
            command: str, interrupted: Sequence[str] = ()) -> int:
    from allocatie.cli.summary import describe
    from allocatie.io.results import write_results

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


def conflict_solution(conflict: RuleConflict, lang: str = "nl") -> Solution:
    """Status infeasible, the conflicts as the diagnosis (``details.diagnosis``, the log)."""
    lines = [str(p) for p in conflict.problems]
    messages = {"nl": f"de regels zijn met elkaar in strijd ({len(lines)} gevonden): zie de "
                      "diagnose",
                "en": f"the rules conflict ({len(lines)} found): see the diagnosis"}
    lang = "nl" if lang == "nl" else "en"
    word = "Diagnose" if lang == "nl" else "Diagnosis"
    return Solution(Status.INFEASIBLE, solver="rule check (before solving)",
                    message=messages[lang],
                    log=tuple(f"{word} {i}: {line}" for i, line in enumerate(lines, 1)),
                    details={"diagnosis": lines, "diagnosis_en": lines,
                             "message_nl": messages["nl"], "message_en": messages["en"],
                             "conflicts": [{"kind": p.kind, "file": p.file, "id": p.id,
                                            "message": p.message} for p in conflict.problems]})
