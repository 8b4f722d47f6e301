"""Long solves ("Maak af", "Herstel", boundary prices) as jobs in a worker thread, so the
page stays responsive: it polls a job's status and progress and can cancel it."""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from allocatie.errors import UsageError

KEEP_JOBS = 20


@dataclass
class Job:
    """One long solve. ``state`` is ``running``, ``done``, ``cancelled`` or ``failed``;
    ``progress`` holds the latest report (e.g. incumbent, bound, gap), ``result`` the answer."""

    id: str
    kind: str
    started: float
    state: str = "running"
    progress: dict = field(default_factory=dict)
    result: dict | None = None
    error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    finished: float | None = None

    def report(self, **values: object) -> None:
        self.progress = {**values, "elapsed_s": round(time.perf_counter() - self.started, 2)}

    def as_json(self) -> dict:
        end = self.finished or time.perf_counter()
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "elapsed_s": round(end - self.started, 2), "progress": self.progress,
                "result": self.result, "error": self.error}


class Jobs:
    """At most one long solve at a time (two cores are shared); older jobs are kept for
    their results until :data:`KEEP_JOBS` newer ones exist."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, kind: str, work: Callable[[Job], dict]) -> Job:
        with self._lock:
            if any(j.state == "running" for j in self._jobs.values()):
                raise BusyError("another solve is running: wait for it or stop it first")
            job = Job(str(next(self._ids)), kind, time.perf_counter())
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-KEEP_JOBS]:
                del self._jobs[old]
        threading.Thread(target=self._run, args=(job, work), name=f"editor-{kind}-{job.id}",
                         daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            job.stop.set()

    @staticmethod
    def _run(job: Job, work: Callable[[Job], dict]) -> None:
        try:
            result = work(job)
            job.result = result
            job.state = "cancelled" if job.stop.is_set() else "done"
        except UsageError as error:
            job.error, job.state = str(error), "failed"
        except Exception as error:  # noqa: BLE001 - a job reports, it never kills the server
            job.error = f"{type(error).__name__}: {error}"
            job.state = "failed"
            job.progress = {**job.progress, "traceback": traceback.format_exc(limit=5)}
        finally:
            job.finished = time.perf_counter()


class BusyError(RuntimeError):
    """A second long solve was asked for while one runs."""
