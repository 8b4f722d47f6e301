"""A second heuristic search in a worker process while the MILP runs.

HiGHS' branch-and-bound (and CBC's) keeps one core busy; on the reference machine the other
core would idle. For instances large enough that the MILP rarely improves the incumbent
within the time limit, :class:`SecondSearch` goes on improving the first heuristic's design
(:func:`heuristic_design` with ``start`` and another seed) in a worker process while the MILP
runs, and the pipeline keeps the better design. The search
is independent of the MILP, so it changes no bound and no status rule; its design is offered
like any other candidate (the checker recomputes every objective the tool writes).

The worker is a plain ``python -m allocatie.design.search_worker DIR`` process, not
:mod:`multiprocessing`: spawning would re-run a user's script that lacks an
``if __name__ == "__main__"`` guard, and forking a process that holds solver threads can
deadlock. It reads the pickled job from ``DIR/job.pickle``, stops when ``DIR/stop`` appears,
and writes its design to ``DIR/found.pickle`` (atomically, as a plain tuple).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from allocatie.design.value import Design
from allocatie.instance import Instance
from allocatie.settings import SolverSettings

MIN_DISTRICTS = 60  # below this the MILP usually settles the design itself
MIN_TIME_LIMIT_S = 20.0  # the worker needs about 2 s to start
START_MARGIN_S = 4.0  # the worker starts in about 2 s and should stop before the MILP


def wanted(instance: Instance, settings: SolverSettings) -> bool:
    """Whether a second search pays: a spare core (CP-SAT uses both), a large instance and
    enough time."""
    return (settings.backend != "cpsat" and settings.threads >= 2
            and len(instance.districts) >= MIN_DISTRICTS
            and settings.time_limit_s >= MIN_TIME_LIMIT_S)


class SecondSearch:
    """The heuristic with seed ``seed`` in a worker process, until :meth:`collect`."""

    def __init__(self, instance: Instance, time_limit_s: float, seed: int,
                 start: tuple[dict[str, str], dict[str, str]]) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="allocatie-search-")
        self._path = Path(self._dir.name)
        job = (instance, max(1.0, time_limit_s - START_MARGIN_S), seed, start)
        (self._path / "job.pickle").write_bytes(pickle.dumps(job))
        # the worker imports allocatie the way this process did, installed or not
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "allocatie.design.search_worker", str(self._path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env)

    def collect(self, wait_s: float) -> Design | None:
        """Ask the search to stop and return its best design (None if none came within
        ``wait_s``)."""
        (self._path / "stop").touch()
        try:
            self._process.wait(timeout=wait_s)
            found = self._path / "found.pickle"
            if not found.exists():
                return None
            objective, assignment, winners = pickle.loads(found.read_bytes())
            return Design(assignment, winners, objective, "second heuristic")
        except subprocess.TimeoutExpired:
            return None
        finally:
            self.cancel()

    def cancel(self) -> None:
        """End the worker now, without its design."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._dir.cleanup()
