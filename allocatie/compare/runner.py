"""Run a compare SPEC: prepare the designs, award each under every scenario in parallel, keep
every finished task, and write the tables and the plot.

Order of work in :func:`run_compare`:

1. read the SPEC and the instance; hash the instance's content;
2. prepare the candidates (today's areas, lots files, MILP designs; a MILP design is stored
   in ``out_dir/designs/`` and reused on a rerun);
3. plan one task per design x scenario, keyed by the hash of its inputs; tasks already in
   ``out_dir/tasks/`` are not run again (failed ones only with ``retry_failed``);
4. run the rest in batches (one design, several scenarios) on the local cores (a process
   pool; ``workers=1`` runs in this process) or on Dask (``dask="local"``: a LocalCluster on
   127.0.0.1; ``dask="tcp://host:port"``: an existing scheduler whose workers see the same
   instance folder). Each finished task is stored at once, atomically;
5. on ``stop`` or Ctrl-C: submit nothing more, keep what finished, write the tables for what
   is done, and return with ``interrupted`` set;
6. write ``scenarios.csv``, ``scenarios.parquet``, ``designs.csv``, ``vergelijking.xlsx``,
   ``pareto.png`` and ``compare.json``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import math
import multiprocessing
import os
import platform
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from allocatie.compare.candidates import Candidate, describe, prepare
from allocatie.compare.plots import write_pareto_png
from allocatie.compare.spec import CompareSpec, load_spec
from allocatie.compare.store import CODE_VERSION, TaskStore, instance_hash, task_key, write_json
from allocatie.compare.summary import design_table, scenario_table, write_tables
from allocatie.compare.tasks import (
    Chunk,
    DesignRecipe,
    InstanceRecipe,
    ignore_interrupts,
    run_chunk,
)
from allocatie.errors import UsageError
from allocatie.text import console_eur
from allocatie.validation import with_rules

ProgressCallback = Callable[[int, int, float], None]
MAX_CHUNK = 50
GRACE_S = 30.0


@dataclass(frozen=True)
class PlannedTask:
    """One design x scenario of the plan."""

    design_order: int
    candidate: Candidate
    scenario: int
    key: str


@dataclass(frozen=True)
class CompareResult:
    """What a compare run did and where it wrote it.

    ``total`` tasks planned (designs x scenarios, failed designs included), ``computed`` in
    this run, ``reused`` from ``out_dir/tasks``, ``failed`` rows with an error, ``missing``
    tasks not done (the run was interrupted). ``files`` maps output names to paths.
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

    @property
    def complete(self) -> bool:
        """Every planned task has a result (possibly an error)."""
        return self.missing == 0 and not self.interrupted

    @property
    def ok(self) -> bool:
        """The run is complete and at least one design has an award in some scenario (failed
        tasks are listed by :meth:`describe`, they do not make a run fail)."""
        return self.complete and bool(self.designs["rank"].notna().any())

    def describe(self) -> str:
        """A short plain-text account of the run and the ranking, for a terminal."""
        head = (f"{len(self.designs)} designs x {self.spec.scenarios.count} scenarios = "
                f"{self.total} tasks: {self.computed} computed, {self.reused} reused, "
                f"{self.failed} failed, {self.missing} not done; {self.elapsed_s:.1f} s on "
                f"{self.executor}")
        lines = [head]
        if self.interrupted:
            lines.append("interrupted: the tables hold what was done; run the same command "
                         "again to continue" + (f" ({self.message})" if self.message else ""))
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
            if row.get("design_status") == "error":
                lines.append(f"      {row['design']}: {row['design_message']}")
        errors = self.scenarios[self.scenarios["status"] == "error"]
        if len(errors):
            first = errors.iloc[0]
            lines.append(f"{len(errors)} task(s) failed, e.g. {first['design']} scenario "
                         f"{first['scenario']}: {first['error_type']}: {first['error']}; "
                         "see scenarios.csv (rerun with --retry-failed to try them again)")
        lines.append(f"results in {self.out_dir}")
        return "\n".join(lines)


def run_compare(spec_path: str | Path | CompareSpec, out_dir: str | Path,
                workers: int | None = None, dask: str | None = None,
                progress: ProgressCallback | None = None,
                stop: threading.Event | None = None, retry_failed: bool = False,
                chunk_size: int | None = None, lang: str = "nl") -> CompareResult:
    """Run the compare SPEC at ``spec_path`` into ``out_dir``.

    ``workers``: local processes (default ``os.cpu_count()``; 1 = in this process) or, with
    ``dask="local"``, the LocalCluster's worker processes (default 2). ``dask``: None (local
    processes), ``"local"`` or a scheduler address ``"tcp://host:port"``. ``progress(done,
    total, elapsed_s)`` is called as tasks finish. Setting ``stop`` (or Ctrl-C) ends the run
    early with what is done. ``retry_failed`` runs failed tasks and designs again.
    ``chunk_size`` scenarios per batch (default: the SPEC's ``[run] chunk_size``, else
    automatic). Returns a :class:`CompareResult`; raises :class:`SpecError` for a bad SPEC,
    :class:`InstanceError` for a bad instance, :class:`UsageError` for bad options.
    """
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    spec = spec_path if isinstance(spec_path, CompareSpec) else load_spec(spec_path)
    if workers is not None and workers < 1:
        raise UsageError(f"workers must be >= 1, got {workers}")
    if dask is not None and dask != "local" and not dask.startswith(("tcp://", "tls://")):
        raise UsageError(f"dask = {dask!r}: use \"local\" or a scheduler address such as "
                         "\"tcp://10.0.0.5:8786\"")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    stop = stop or threading.Event()

    from allocatie.loading import load_instance

    base = load_instance(spec.instance)
    content_hash = instance_hash(base)
    instance = with_rules(base, spec.rules)
    try:
        candidates = prepare(spec, instance, content_hash, out, stop, retry_failed)
    except KeyboardInterrupt:  # Ctrl-C during a MILP design: keep the designs already stored
        stop.set()
        candidates = prepare(spec, instance, content_hash, out, stop, retry_failed)
    plan = make_plan(spec, candidates, content_hash)
    store = TaskStore(out)
    store.clean_temporary()
    results = store.load({p.key for p in plan if p.key})
    reused = {k for k, r in results.items() if not (retry_failed and r.get("status") == "error")}
    todo = list({p.key: p for p in reversed(plan) if p.key and p.key not in reused}.values())
    todo.reverse()  # one task per key, in plan order
    total = len(plan)
    per_key = Counter(p.key for p in plan if p.key)
    done = [sum(1 for p in plan if not p.key or p.key in reused)]

    def report() -> None:
        if progress is not None:
            progress(min(done[0], total), total, time.perf_counter() - started)

    def on_records(records: list[dict[str, Any]]) -> None:
        for record in records:
            if not record.get("setup_error"):
                store.save(record)
            results[record["key"]] = record
        done[0] += sum(per_key[r["key"]] for r in records)
        report()

    executor_name, message, interrupted = "none (nothing to run)", "", stop.is_set()
    parallel = _parallelism(workers, dask)
    report()
    if todo and not interrupted:
        size = chunk_size or spec.chunk_size or auto_chunk_size(len(todo), parallel)
        recipe = InstanceRecipe(str(spec.instance), content_hash,
                                tuple(sorted(dict(spec.rules).items())))
        chunks = list(make_chunks(todo, spec, recipe, size, run_id))
        with _executor(workers, dask) as (submit, executor_name, in_flight):
            interrupted, message = drive(submit, chunks, on_records, stop, in_flight)
    computed = sum(1 for p in todo if results.get(p.key, {}).get("run_id") == run_id)

    scenarios = scenario_table(table_rows(plan, results))
    infos = [{"design": c.spec.name, "kind": c.spec.kind, **_candidate_info(c),
              **describe(c, instance, spec)} for c in candidates]
    designs = design_table(scenarios, infos, spec.scenarios.count)
    files = write_tables(out, scenarios, designs)
    files["pareto.png"] = out / "pareto.png"
    write_pareto_png(designs, files["pareto.png"], lang)
    missing = total - len(scenarios)
    failed = int((scenarios["status"] == "error").sum())
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
                  "failed": failed, "missing": missing},
        "interrupted": interrupted, "message": message,
        "designs": [{"design": c.spec.name, **c.spec.params(), **_candidate_info(c)}
                    for c in candidates],
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 3),
    })
    return CompareResult(out_dir=out, spec=spec, scenarios=scenarios, designs=designs,
                         total=total, computed=computed, reused=len(reused), failed=failed,
                         missing=missing, interrupted=interrupted, elapsed_s=elapsed,
                         executor=executor_name, files=files, message=message)


def _num(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:,.0f}"


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{100 * value:.1f}%"


# --------------------------------------------------------------------------- planning
def make_plan(spec: CompareSpec, candidates: Sequence[Candidate],
              content_hash: str) -> list[PlannedTask]:
    """One task per design x scenario, in design order then scenario; a failed candidate's
    tasks have an empty key (nothing to run)."""
    plan = []
    for order, candidate in enumerate(candidates):
        for i in range(spec.scenarios.count):
            key = task_key(task_inputs(spec, candidate, content_hash, i)) if candidate.ok \
                else ""
            plan.append(PlannedTask(order, candidate, i, key))
    return plan


def task_inputs(spec: CompareSpec, candidate: Candidate, content_hash: str,
                index: int) -> dict[str, Any]:
    """Everything that decides a task's result (hashed into its key)."""
    assert candidate.assignment is not None
    return {
        "instance": content_hash,
        "rules": sorted(dict(spec.rules).items()),
        "design": {"assignment": sorted(dict(candidate.assignment).items()),
                   "max_lots_per_bidder": candidate.spec.max_lots_per_bidder},
        "scenario": {**spec.scenarios.sampling(), "index": index},
        "award": spec.award.params(),
        "solver": spec.solver_params(),
    }


def auto_chunk_size(tasks: int, parallel: int) -> int:
    """Scenarios per batch: about four batches per worker, at most :data:`MAX_CHUNK`."""
    return max(1, min(MAX_CHUNK, math.ceil(tasks / max(1, 4 * parallel))))


def make_chunks(todo: Sequence[PlannedTask], spec: CompareSpec, recipe: InstanceRecipe,
                size: int, run_id: str) -> Iterator[Chunk]:
    """Batches of at most ``size`` tasks of one design each, in plan order."""
    by_design: dict[int, list[PlannedTask]] = {}
    for task in todo:
        by_design.setdefault(task.design_order, []).append(task)
    for tasks in by_design.values():
        candidate = tasks[0].candidate
        assert candidate.assignment is not None
        design = DesignRecipe(candidate.spec.name, tuple(sorted(candidate.assignment.items())),
                              candidate.spec.max_lots_per_bidder)
        for start in range(0, len(tasks), size):
            part = tasks[start:start + size]
            yield Chunk(instance=recipe, design=design, scenarios=spec.scenarios,
                        indices=tuple(t.scenario for t in part),
                        keys=tuple(t.key for t in part), award=spec.award,
                        solver=spec.solver, run_id=run_id)


def table_rows(plan: Sequence[PlannedTask],
               results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The scenario-table rows of the plan: stored records with their design added; failed
    candidates give an error row per scenario; tasks without a result are left out."""
    rows = []
    for task in plan:
        candidate = task.candidate
        head = {"design": candidate.spec.name, "kind": candidate.spec.kind,
                "design_order": task.design_order, "scenario": task.scenario}
        if not task.key:
            rows.append({**head, "status": "error", "error_type": candidate.error_type,
                         "error": f"design not available: {candidate.message}"})
        elif task.key in results:
            rows.append({**results[task.key], **head})
    return rows


def _candidate_info(candidate: Candidate) -> dict[str, Any]:
    return {"design_status": candidate.status, "design_time_s": round(candidate.time_s, 3),
            "design_gap": candidate.design_gap, "design_reused": candidate.reused,
            "design_message": candidate.message, "design_error_type": candidate.error_type}


# --------------------------------------------------------------------------- execution
Submit = Callable[..., cf.Future]


def drive(submit: Submit, chunks: Sequence[Chunk],
          on_records: Callable[[list[dict[str, Any]]], None],
          stop: threading.Event | None, in_flight: int) -> tuple[bool, str]:
    """Submit ``run_chunk`` for each chunk, at most ``in_flight`` at a time, and hand each
    finished batch to ``on_records`` as it completes. Returns (interrupted, message). On
    ``stop`` or Ctrl-C nothing more is submitted and batches already running are awaited
    (up to :data:`GRACE_S`) and kept."""
    queue = iter(chunks)
    pending: dict[cf.Future, Chunk] = {}
    interrupted = False
    message = ""

    def fill() -> None:
        while len(pending) < in_flight:
            chunk = next(queue, None)
            if chunk is None:
                return
            pending[submit(run_chunk, chunk)] = chunk

    def collect(future: cf.Future) -> str:
        chunk = pending.pop(future)
        if future.cancelled():
            return ""
        error = future.exception()
        if error is None:
            on_records(future.result())
            return ""
        # The batch itself failed (a worker died, the cluster went away): its tasks are not
        # stored, so the next run tries them again.
        return f"a batch of design {chunk.design.name!r} failed: {type(error).__name__}: " \
               f"{error}"

    try:
        fill()
        while pending:
            done, _ = cf.wait(list(pending), timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in done:
                problem = collect(future)
                if problem:
                    message = problem
                    if isinstance(future.exception(), cf.BrokenExecutor):
                        raise _Broken(problem)
            if stop is not None and stop.is_set():
                interrupted = True
                break
            fill()
    except KeyboardInterrupt:
        interrupted = True
    except _Broken as exc:
        interrupted, message = True, str(exc)
    if pending:
        for future in list(pending):
            future.cancel()
        with contextlib.suppress(KeyboardInterrupt):
            cf.wait(list(pending), timeout=GRACE_S)
        for future in list(pending):
            if future.done():
                collect(future)
    return interrupted, message


class _Broken(Exception):
    pass


def _parallelism(workers: int | None, dask: str | None) -> int:
    if dask is not None:
        return workers or 2
    return workers or os.cpu_count() or 1


@contextlib.contextmanager
def _executor(workers: int | None,
              dask: str | None) -> Iterator[tuple[Submit, str, int]]:
    """Yield (submit, description, batches in flight) for the chosen way of running."""
    if dask is None:
        n = workers or os.cpu_count() or 1
        if n == 1:
            yield _inline_submit, "in-process", 1
            return
        context = multiprocessing.get_context("spawn")  # no fork after solver threads ran
        pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=context,
                                      initializer=ignore_interrupts)
        try:
            yield pool.submit, f"processes ({n})", 2 * n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    from distributed import Client, LocalCluster

    cluster = None
    if dask == "local":
        n = workers or 2
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
        name = f"dask LocalCluster ({n} workers)"
    else:
        client = Client(dask, timeout=30)
        n = max(1, sum(w.get("nthreads", 1)
                       for w in client.scheduler_info().get("workers", {}).values()))
        name = f"dask {dask} ({n} threads)"
    executor = client.get_executor(pure=False)
    try:
        yield executor.submit, name, 2 * n
    finally:
        executor.shutdown(wait=False)
        client.close()
        if cluster is not None:
            cluster.close()


def _inline_submit(fn: Callable[..., Any], *args: Any) -> cf.Future:
    """Run ``fn`` now, in this process, and return a finished future (``workers=1``)."""
    future: cf.Future = cf.Future()
    try:
        future.set_result(fn(*args))
    except Exception as exc:  # noqa: BLE001 - reported like a pool's failed batch
        future.set_exception(exc)
    return future


def versions() -> dict[str, str]:
    """Versions of Python and of the libraries a result depends on."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("allocatie", "numpy", "pandas", "highspy", "ortools", "dask", "distributed",
                 "pyarrow", "networkx", "scipy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    from allocatie import __version__

    out["allocatie"] = __version__
    return out
