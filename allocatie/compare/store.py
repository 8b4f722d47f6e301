"""Where a compare run keeps what it has done: one small JSON per finished task, content keys,
and atomic writes of every output file.

A task's file name is a hash of everything that decides its result (the instance's content,
the rule overrides, the design, the scenario's parameters and index, the award rule, the solver
settings and :data:`CODE_VERSION`), so a rerun finds what is done, an edited SPEC recomputes
only what changed, and two designs with the same lots share their results.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from allocatie.instance import Instance

# Bump when what a task computes changes (sampling, award, recorded fields): old results are
# then recomputed instead of reused.
CODE_VERSION = "compare-2"
TASKS = "tasks"
DESIGNS = "designs"


# --------------------------------------------------------------------------- keys
def canonical(value: Any) -> str:
    """Deterministic JSON text of plain data (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      default=str)


def digest(value: Any, length: int = 32) -> str:
    """A hex SHA-256 of ``canonical(value)``, cut to ``length`` characters."""
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()[:length]


def instance_hash(instance: Instance) -> str:
    """A hash of what the instance says (districts, incumbents, bidders, bids, edges, rules,
    designs, award settings), independent of file names, formatting and the solver settings."""
    rules = {f.name: getattr(instance.rules, f.name) for f in fields(instance.rules)}
    rules["pinned"] = sorted(dict(instance.rules.pinned).items())
    rules["together"] = [list(g) for g in instance.rules.together]
    award = {f.name: getattr(instance.award, f.name) for f in fields(instance.award)}
    content = {
        "districts": [[d.id, d.clients, sorted(dict(d.incumbents).items())]
                      for d in instance.districts],
        "bidders": [[b.id, b.capacity, b.max_lots, b.lot_fee] for b in instance.bidders],
        "bids": sorted([b, d, p] for (b, d), p in instance.bids.items()),
        "edges": [[e.a, e.b, e.border_m, e.kind] for e in instance.edges],
        "rules": rules,
        "lots": sorted(dict(instance.lots or {}).items()),
        "current_lots": sorted(dict(instance.current_lots or {}).items()),
        "lot_bids": [[b.bidder, b.lot, b.price, b.score, b.preference]
                     for b in instance.lot_bids],
        "combination_bids": [[c.id, c.bidder, sorted(c.lots), c.price]
                             for c in instance.combination_bids],
        "award": award,
    }
    return digest(content, 64)


def task_key(inputs: Mapping[str, Any]) -> str:
    """The file name stem of a task: a hash of its inputs plus :data:`CODE_VERSION`."""
    from allocatie import __version__

    return digest({"inputs": dict(inputs), "code": CODE_VERSION, "allocatie": __version__})


# --------------------------------------------------------------------------- atomic files
@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` to write to; on success it replaces ``path``
    in one step (``os.replace``), on error it is removed. The temporary name keeps the
    suffix, so writers that infer the format from it still work."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)


def write_json(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_json(path: str | Path) -> Any | None:
    """The JSON in ``path``, or None when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- task store
class TaskStore:
    """The finished tasks of a run folder: ``out_dir/tasks/<key>.json``, one per task."""

    def __init__(self, out_dir: str | Path) -> None:
        self.folder = Path(out_dir) / TASKS
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, keys: set[str] | None = None) -> dict[str, dict[str, Any]]:
        """The stored records by key (only ``keys`` when given); unreadable files are left
        out, so their tasks are computed again."""
        records: dict[str, dict[str, Any]] = {}
        for entry in os.scandir(self.folder):
            name = entry.name
            if not name.endswith(".json") or name.startswith("."):
                continue
            key = name[:-5]
            if keys is not None and key not in keys:
                continue
            record = read_json(entry.path)
            if isinstance(record, dict) and record.get("key") == key:
                records[key] = record
        return records

    def save(self, record: Mapping[str, Any]) -> None:
        """Store one finished task atomically under its ``key``."""
        write_json(self.path(str(record["key"])), dict(record))

    def clean_temporary(self, older_than_s: float = 300.0) -> int:
        """Remove temporary files a killed run left behind (older than ``older_than_s``, so a
        file being written now is kept). Returns how many were removed."""
        removed = 0
        now = time.time()
        for entry in os.scandir(self.folder):
            if not (entry.name.startswith(".") and ".tmp" in entry.name):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > older_than_s:
                    Path(entry.path).unlink(missing_ok=True)
                    removed += 1
        return removed
