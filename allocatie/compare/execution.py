"""Running the chunks of a compare plan: inline, in processes or on dask, with a grace period
when interrupted, and the versions recorded with the results."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import platform
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from allocatie.compare.tasks import (
    Chunk,
    ignore_interrupts,
    run_chunk,
)

GRACE_S = 30.0

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


def parallelism(workers: int | None, dask: str | None) -> int:
    if dask is not None:
        return workers or 2
    return workers or os.cpu_count() or 1


@contextlib.contextmanager
def make_executor(workers: int | None,
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
