"""The worker process of :mod:`allocatie.design.second_search` (run with ``python -m``)."""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

POLL_S = 0.05


class _StopFile:
    """A stop flag with the ``is_set`` of :class:`threading.Event`: the file exists."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = False
        self._checked = 0.0

    def is_set(self) -> bool:
        now = time.monotonic()
        if not self._seen and now - self._checked >= POLL_S:
            self._checked = now
            self._seen = self.path.exists()
        return self._seen


def _main(folder: Path) -> None:
    from allocatie.design.heuristic import heuristic_design

    instance, time_limit_s, seed, start = pickle.loads((folder / "job.pickle").read_bytes())
    found = heuristic_design(instance, time_limit_s=time_limit_s, seed=seed,
                             stop=_StopFile(folder / "stop"),  # type: ignore[arg-type]
                             start=start)
    if found is not None:
        part = folder / "found.pickle.part"
        # a plain tuple: the parent reads it without importing this module
        part.write_bytes(pickle.dumps((found.objective, dict(found.assignment),
                                       dict(found.winners))))
        os.replace(part, folder / "found.pickle")


if __name__ == "__main__":
    _main(Path(sys.argv[1]))
