"""Run a compare SPEC: prepare the designs, award each under every scenario in parallel, keep
every finished task, and write the tables, the report and the plot.

Order of work in :func:`run_compare`:

1. read the SPEC and the instance; hash the instance's content; check the named scenarios
   against the instance and read their bids files;
2. prepare the candidates (today's areas, lots files, MILP designs; a MILP design is stored
   in ``out_dir/designs/`` and reused on a rerun); two names with the same lots (and the same
   lot cap) are one design: it is computed once and both names show its results;
3. plan one task per distinct design x scenario (random and named), keyed by the hash of its
   inputs; tasks already in ``out_dir/tasks/`` are not run again (failed ones only with
   ``retry_failed``);
4. run the rest in batches (one design, several scenarios) on the local cores (a process
   pool; ``workers=1`` runs in this process) or on Dask (``dask="local"``: a LocalCluster on
   127.0.0.1; ``dask="tcp://host:port"``: an existing scheduler whose workers see the same
   instance folder). Each finished task is stored at once, atomically;
5. on ``stop`` or Ctrl-C: submit nothing more, keep what finished, write the tables for what
   is done, and return with ``interrupted`` set;
6. write ``scenarios.csv``, ``scenarios.parquet``, ``designs.csv``, ``named.csv``,
   ``vergelijking.xlsx``, ``vergelijking.html``, ``designs/<name>/lots.csv`` and
   ``lots.geojson``, ``pareto.png`` and ``compare.json``.

How tasks are counted: ``total`` = distinct designs x (random + named scenarios) =
``computed + reused + missing``; of the tasks done, ``awarded + no_award + failed``. A
scenario in which no award meets the rules is a result (the chance of no award), not a
failure; a failure is a task that raised, or a candidate that could not be made for another
reason than a proof that no design meets its rules.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from allocatie.compare.candidates import Candidate, describe, prepare
from allocatie.compare.execution import drive, make_executor, parallelism, versions
from allocatie.compare.named import resolve
from allocatie.compare.planning import (
    auto_chunk_size,
    candidate_info,
    make_chunks,
    make_plan,
    same_designs,
    table_rows,
)
from allocatie.compare.plots import write_pareto_png
from allocatie.compare.spec import CompareSpec, load_spec
from allocatie.compare.store import CODE_VERSION, TaskStore, instance_hash, write_json
from allocatie.compare.summary import (
    NO_AWARD,
    design_table,
    named_table,
    scenario_table,
    write_tables,
)
from allocatie.compare.tasks import (
    InstanceRecipe,
)
from allocatie.errors import UsageError
from allocatie.text import console_eur
from allocatie.validation import with_rules

ProgressCallback = Callable[[int, int, float], None]
StageCallback = Callable[[str], None]
SPREADS = ("box", "whiskers", "none")


@dataclass(frozen=True)
class CompareResult:
    """What a compare run did and where it wrote it.

    ``total`` tasks planned (distinct designs x scenarios) = ``computed`` in this run +
    ``reused`` from ``out_dir/tasks`` + ``missing`` (not done: the run was interrupted). The
    tasks done are ``awarded`` + ``no_award`` (no award meets the rules: a result) +
    ``failed`` (raised an error). ``duplicates`` maps a design name to the earlier name with
    the same lots; ``no_design`` and ``design_failures`` map names of candidates without a
    design to why (proven infeasible; any other reason). ``files`` maps output names to
    paths.
    """

    out_dir: Path
    spec: CompareSpec
    scenarios: pd.DataFrame
    designs: pd.DataFrame
    total: int
    computed: int
    reused: int
    failed: int
    missing: int
    interrupted: bool
    elapsed_s: float
    executor: str
    files: dict[str, Path] = field(default_factory=dict)
    message: str = ""
    awarded: int = 0
    no_award: int = 0
    distinct: int = 0
    duplicates: Mapping[str, str] = field(default_factory=dict)
    no_design: Mapping[str, str] = field(default_factory=dict)
    design_failures: Mapping[str, str] = field(default_factory=dict)
    named: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def complete(self) -> bool:
        """Every planned task has a result (possibly an error)."""
        return self.missing == 0 and not self.interrupted

    @property
    def has_failures(self) -> bool:
        """Some task raised, or a candidate could not be made (see :attr:`design_failures`)."""
        return self.failed > 0 or bool(self.design_failures)

    @property
    def ok(self) -> bool:
        """The run is complete, nothing failed, and some design has an award in some
        scenario (random or named)."""
        return self.complete and not self.has_failures and self.awarded > 0

    def failures(self) -> list[str]:
        """One line per failure: the candidate or the design x scenario, and its error."""
        lines = [f"design {name}: {message}" for name, message in self.design_failures.items()]
        errors = self.scenarios[self.scenarios["status"] == "error"]
        for _, row in errors.iterrows():
            if row["design"] in self.duplicates:
                continue
            lines.append(f"{row['design']} / {scenario_label(row)}: {row['error_type']}: "
                         f"{row['error']}")
        return lines

    def count_line(self) -> str:
        """The counts, in a line that adds up."""
        n = len(self.spec.designs)
        per = self.spec.scenarios.count + len(self.spec.scenarios.named)
        without = len(self.no_design) + len(self.design_failures)
        head = f"{n} design name(s)"
        if self.duplicates:
            same = ", ".join(f"{a} = {b}" for a, b in self.duplicates.items())
            head += f", {len(self.duplicates)} the same as another ({same}: counted once)"
        if without:
            head += f", {without} without a design"
        head += f": {self.distinct} distinct design(s) x {per} scenario(s) = {self.total} tasks"
        done = self.computed + self.reused
        return (f"{head}: {self.computed} computed + {self.reused} reused + {self.missing} not "
                f"done; of the {done} done: {self.awarded} awarded + {self.no_award} without "
                f"any feasible award + {self.failed} failed")

    def describe(self) -> str:
        """A short plain-text account of the run and the ranking, for a terminal."""
        lines = [self.count_line() + f" ({self.elapsed_s:.1f} s on {self.executor})"]
        if self.interrupted:
            lines.append("interrupted: the tables hold what was done; run the same command "
                         "again to continue" + (f" ({self.message})" if self.message else ""))
        for name, message in self.no_design.items():
            lines.append(f"design {name}: no design meets its rules ({message})")
        lines.append(f"{'rank':>4}  {'design':<16} {'lots':>4} {'mean objective':>16} "
                     f"{'p95 objective':>16} {'mean switchers':>14} {'no award':>8}  pareto")
        for _, row in self.designs.sort_values("rank", na_position="last").iterrows():
            rank = "-" if pd.isna(row["rank"]) else str(int(row["rank"]))
            lots = "-" if pd.isna(row["lots"]) else str(int(row["lots"]))
            lines.append(
                f"{rank:>4}  {str(row['design'])[:16]:<16} {lots:>4} "
                f"{console_eur(row['objective_mean']):>16} {console_eur(row['objective_p95']):>16} "
                f"{_num(row['transitions_mean']):>14} {_pct(row['infeasible_share']):>8}  "
                f"{'yes' if row['pareto'] else ''}")
        failures = self.failures()
        if failures:
            lines.append(f"{len(failures)} failure(s):")
            lines += [f"  {line}" for line in failures[:20]]
            if len(failures) > 20:
                lines.append(f"  ... and {len(failures) - 20} more in scenarios.csv")
            lines.append("  (rerun with --retry-failed to try them again)")
        lines.append(f"results in {self.out_dir}")
        return "\n".join(lines)


def scenario_label(row: Mapping[str, Any]) -> str:
    """``scenario 3`` for a random scenario, the name for a named one."""
    if row.get("scenario_kind") == "named":
        return f"scenario {row['scenario_name']!r}"
    return f"scenario {row['scenario']}"


def run_compare(spec_path: str | Path | CompareSpec, out_dir: str | Path,
                workers: int | None = None, dask: str | None = None,
                progress: ProgressCallback | None = None,
                stop: threading.Event | None = None, retry_failed: bool = False,
                chunk_size: int | None = None, lang: str = "nl",
                stage: StageCallback | None = None,
                solver_progress: Callable[[Any], None] | None = None,
                spread: str = "box") -> CompareResult:
    """Run the compare SPEC at ``spec_path`` into ``out_dir``.

    ``workers``: local processes (default ``os.cpu_count()``; 1 = in this process) or, with
    ``dask="local"``, the LocalCluster's worker processes (default 2). ``dask``: None (local
    processes), ``"local"`` or a scheduler address ``"tcp://host:port"``. ``progress(done,
    total, elapsed_s)`` is called as tasks finish; ``stage(text)`` as each phase starts (in
    English), ``solver_progress`` with the design MILPs' progress events. Setting ``stop``
    (or Ctrl-C) ends the run early with what is done. ``retry_failed`` runs failed tasks and
    designs again. ``chunk_size`` scenarios per batch (default: the SPEC's ``[run]
    chunk_size``, else automatic). ``lang`` is the language of the report, workbook and plot
    (``nl`` or ``en``); ``spread`` how the Pareto plot shows the 5-95% spread (``box``,
    ``whiskers`` or ``none``). Returns a :class:`CompareResult`; raises :class:`SpecError`
    for a bad SPEC, :class:`InstanceError` for a bad instance, :class:`UsageError` for bad
    options.
    """
    started = time.perf_counter()
    started_at = datetime.now(UTC)

    def say(text: str) -> None:
        if stage is not None:
            stage(text)

    say("reading the spec")
    spec = spec_path if isinstance(spec_path, CompareSpec) else load_spec(spec_path)
    if workers is not None and workers < 1:
        raise UsageError(f"workers must be >= 1, got {workers}")
    if dask is not None and dask != "local" and not dask.startswith(("tcp://", "tls://")):
        raise UsageError(f"dask = {dask!r}: use \"local\" or a scheduler address such as "
                         "\"tcp://10.0.0.5:8786\"")
    if spread not in SPREADS:
        raise UsageError(f"spread = {spread!r}; use one of {', '.join(SPREADS)}")
    if lang not in ("nl", "en"):
        raise UsageError(f"lang = {lang!r}; use nl or en")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    stop = stop or threading.Event()

    from allocatie.io.loading import load_instance

    say(f"reading the instance {spec.instance}")
    base = load_instance(spec.instance)
    content_hash = instance_hash(base)
    instance = with_rules(base, spec.rules)
    named = resolve(spec.scenarios.named, instance, spec.path)

    def on_design(name: str, number: int, count: int) -> None:
        kind = next(d.kind for d in spec.designs if d.name == name)
        say(f"design {number} of {count}: {name} ({kind})")

    def candidates_now() -> list[Candidate]:
        return prepare(spec, instance, content_hash, out, stop, retry_failed,
                       on_design=on_design, solver_progress=solver_progress)

    try:
        candidates = candidates_now()
    except KeyboardInterrupt:  # Ctrl-C during a MILP design: keep the designs already stored
        stop.set()
        candidates = candidates_now()
    duplicates = same_designs(candidates)
    plan = make_plan(spec, candidates, content_hash, named, duplicates)
    store = TaskStore(out)
    store.clean_temporary()
    results = store.load({p.key for p in plan})
    reused = {k for k, r in results.items() if not (retry_failed and r.get("status") == "error")}
    todo = list({p.key: p for p in reversed(plan) if p.key not in reused}.values())
    todo.reverse()  # one task per key, in plan order
    total = len(plan)
    per_key = Counter(p.key for p in plan)
    done = [sum(1 for p in plan if p.key in reused)]
    awarding = time.perf_counter()

    def report() -> None:  # elapsed since the awards began, so the estimate of time left fits
        if progress is not None:
            progress(min(done[0], total), total, time.perf_counter() - awarding)

    def on_records(records: list[dict[str, Any]]) -> None:
        for record in records:
            if not record.get("setup_error"):
                store.save(record)
            results[record["key"]] = record
        done[0] += sum(per_key[r["key"]] for r in records)
        report()

    executor_name, message, interrupted = "none (nothing to run)", "", stop.is_set()
    parallel = parallelism(workers, dask)
    say(f"awarding {total} tasks ({len(todo)} to compute, {total - len(todo)} stored)")
    report()
    if todo and not interrupted:
        size = chunk_size or spec.chunk_size or auto_chunk_size(len(todo), parallel)
        recipe = InstanceRecipe(str(spec.instance), content_hash,
                                tuple(sorted(dict(spec.rules).items())))
        chunks = list(make_chunks(todo, spec, recipe, size, run_id))
        with make_executor(workers, dask) as (submit, executor_name, in_flight):
            interrupted, message = drive(submit, chunks, on_records, stop, in_flight)
    computed = sum(1 for p in todo if results.get(p.key, {}).get("run_id") == run_id)

    say("writing the tables and the report")
    scenarios = scenario_table(table_rows(plan, results, candidates, duplicates))
    infos = [{"design": c.spec.name, "kind": c.spec.kind,
              "same_as": duplicates.get(c.spec.name, ""), **candidate_info(c),
              **describe(c, instance, spec)} for c in candidates]
    designs = design_table(scenarios, infos, spec.scenarios.count)
    named_rows = named_table(scenarios, designs, named)
    files = write_tables(out, scenarios, designs, named_rows)
    unique = scenarios[~scenarios["design"].isin(list(duplicates))]
    status = unique["status"]
    failed = int((status == "error").sum())
    no_award = int(status.isin(NO_AWARD).sum())
    awarded = int(len(unique) - failed - no_award)
    missing = total - len(unique)
    no_design = {c.spec.name: c.message for c in candidates if c.status == "infeasible"}
    design_failures = {c.spec.name: f"{c.error_type}: {c.message}" for c in candidates
                       if not c.ok and c.status != "infeasible"}
    distinct = sum(1 for c in candidates if c.ok and c.spec.name not in duplicates)
    result = CompareResult(out_dir=out, spec=spec, scenarios=scenarios, designs=designs,
                           total=total, computed=computed, reused=len(reused), failed=failed,
                           missing=missing, interrupted=interrupted, elapsed_s=0.0,
                           executor=executor_name, files=files, message=message,
                           awarded=awarded, no_award=no_award, distinct=distinct,
                           duplicates=duplicates, no_design=no_design,
                           design_failures=design_failures, named=named_rows)
    counts = {"total": total, "computed": computed, "reused": len(reused), "missing": missing,
              "awarded": awarded, "no_award": no_award, "failed": failed,
              "distinct": distinct, "without": len(no_design) + len(design_failures)}
    from allocatie.compare.report import write_comparison

    files.update(write_comparison(out, spec, base, candidates, scenarios, designs, named_rows,
                                  named, lang=lang, spread=spread, duplicates=duplicates,
                                  counts=counts, failures=result.failures()))
    files["pareto.png"] = out / "pareto.png"
    write_pareto_png(designs, files["pareto.png"], lang, spread=spread)
    elapsed = time.perf_counter() - started
    files["compare.json"] = out / "compare.json"
    write_json(files["compare.json"], {
        "spec_path": str(spec.path), "spec": dict(spec.raw),
        "instance": {"path": str(spec.instance), "name": base.name, "hash": content_hash},
        "seeds": {"scenarios": spec.scenarios.seed,
                  "scenario_derivation": "numpy.random.default_rng(SeedSequence(seed, "
                                         "spawn_key=(i,))) for scenario i",
                  "solver": spec.solver.seed},
        "versions": versions(), "code_version": CODE_VERSION, "run_id": run_id,
        "executor": executor_name, "parallel": parallel, "dask": dask,
        "tasks": {"total": total, "computed": computed, "reused": len(reused),
                  "missing": missing, "awarded": awarded, "no_award": no_award,
                  "failed": failed},
        "distinct_designs": distinct, "duplicates": duplicates, "no_design": no_design,
        "design_failures": design_failures,
        "interrupted": interrupted, "message": message,
        "designs": [{"design": c.spec.name, **c.spec.params(), **candidate_info(c)}
                    for c in candidates],
        "named_scenarios": [{"name": n.name, **n.key_params(), "bids_file": n.bids_file}
                            for n in named],
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 3),
    })
    return replace(result, elapsed_s=elapsed)


def _num(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:,.0f}"


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{100 * value:.1f}%"
