"""One editing session: the instance, the drawing the page shows, locked lots, named
snapshots, the optimum of a design run to compare with, and the autosaved draft in ``--out``.

Requests from the page are checked here (:func:`parse_assignment`, :func:`parse_lots`):
anything wrong raises :class:`RequestError` before the state changes.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from allocatie.errors import UsageError
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.text import natural_key

if TYPE_CHECKING:
    from allocatie.editor.geo import Geography

DRAFT = "editor-draft.json"
LOTS_CSV = "lots.csv"
RESULTS = "results"
OWN_FILES = {DRAFT, LOTS_CSV, RESULTS}
MAX_SNAPSHOTS = 50
MAX_NAME = 80


class RequestError(ValueError):
    """A bad request from the page or a script: answered with HTTP ``status`` and this
    message; the session's state is left as it was."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Session:
    """The mutable state of one editor, guarded by ``lock`` (requests run in threads)."""

    instance: Instance
    geography: Geography
    out: Path
    settings: SolverSettings
    lang: str = "nl"
    drawing: dict[str, str] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)
    snapshots: dict[str, dict] = field(default_factory=dict)
    optimum: dict | None = None
    draft: dict | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    edits: int = 0

    @property
    def lot_labels(self) -> tuple[str, ...]:
        return tuple(str(k) for k in range(1, self.instance.rules.lots_max + 1))

    # ------------------------------------------------------------------ requests
    def parse_assignment(self, value: object) -> dict[str, str]:
        """``{"<district_id>": <lot>|null, ...}`` -> district -> lot label (1..K); districts
        left out or null have no lot."""
        if not isinstance(value, Mapping):
            raise RequestError('"assignment" must be an object {"<district_id>": <lot>}')
        known = self.instance.district_by_id
        unknown = [str(d) for d in value if d not in known]
        if unknown:
            raise RequestError(f"unknown district(s): {', '.join(sorted(unknown)[:10])}; "
                               f"use the ids of GET /api/instance")
        result: dict[str, str] = {}
        for d, lot in value.items():
            if lot is None:
                continue
            result[d] = self.parse_lot(lot, f"district {d}")
        return result

    def parse_lot(self, lot: object, where: str = "lot") -> str:
        """A lot number 1..K (int, or a string of digits) -> its label."""
        k = self.instance.rules.lots_max
        if isinstance(lot, bool) or not isinstance(lot, int | str):
            raise RequestError(f"{where}: lot must be a number 1..{k}, got {lot!r}")
        text = str(lot).strip()
        if not text.isdigit() or not 1 <= int(text) <= k:
            raise RequestError(f"{where}: lot {lot!r} is out of range 1..{k}")
        return str(int(text))

    def parse_lots(self, value: object) -> set[str]:
        if not isinstance(value, list):
            raise RequestError('"locked" must be a list of lot numbers')
        return {self.parse_lot(v, "locked") for v in value}

    # ------------------------------------------------------------------ state
    def set_drawing(self, drawing: dict[str, str]) -> int:
        """Make ``drawing`` the session's (autosaved); returns the edit's number."""
        with self.lock:
            self.drawing = dict(drawing)
            self.edits += 1
            edit = self.edits
        self.autosave()
        return edit

    def set_locked(self, locked: set[str]) -> None:
        with self.lock:
            self.locked = set(locked)
        self.autosave()

    def add_snapshot(self, name: object, drawing: dict[str, str], summary: dict) -> dict:
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise RequestError(f'"name" must be a text of 1..{MAX_NAME} characters')
        with self.lock:
            if name not in self.snapshots and len(self.snapshots) >= MAX_SNAPSHOTS:
                raise RequestError(f"at most {MAX_SNAPSHOTS} snapshots; delete one first",
                                   status=409)
            self.snapshots[name.strip()] = {"name": name.strip(), "assignment": drawing,
                                            "figures": summary, "time": time.time()}
            snapshot = self.snapshots[name.strip()]
        self.autosave()
        return snapshot

    def delete_snapshot(self, name: object) -> None:
        with self.lock:
            if not isinstance(name, str) or name not in self.snapshots:
                raise RequestError(f"no snapshot named {name!r}", status=404)
            del self.snapshots[name]
        self.autosave()

    def state(self) -> dict:
        """What the page needs on (re)load."""
        with self.lock:
            return {"assignment": dict(self.drawing), "locked": sorted(self.locked,
                                                                         key=natural_key),
                    "snapshots": list(self.snapshots.values()), "optimum": self.optimum,
                    "draft": self.draft, "out": str(self.out)}

    # ------------------------------------------------------------------ draft
    def autosave(self) -> None:
        """Write the draft (drawing, locks, snapshots) atomically into ``--out``; not while
        an earlier session's draft waits for the user's choice to restore it."""
        with self.lock:
            if self.draft is not None:
                return
            data = {"instance": self.instance.name, "assignment": dict(self.drawing),
                    "locked": sorted(self.locked, key=natural_key),
                    "snapshots": list(self.snapshots.values()), "saved_at": time.time()}
        write_json_atomic(self.out / DRAFT, data)

    def restore_draft(self) -> None:
        """Take over the draft found at start (the page asked the user)."""
        if self.draft is None:
            raise RequestError("there is no draft to restore", status=404)
        with self.lock:
            self.drawing = dict(self.draft["assignment"])
            self.locked = set(self.draft["locked"])
            self.snapshots = {s["name"]: s for s in self.draft["snapshots"]}
            self.draft = None
        self.autosave()

    def discard_draft(self) -> None:
        with self.lock:
            self.draft = None
        self.autosave()


def read_draft(out: Path, instance: Instance, labels: tuple[str, ...]) -> dict | None:
    """The draft an earlier session left in ``out``, if it belongs to this instance and only
    names its districts and lots (anything else is ignored, never trusted)."""
    path = out / DRAFT
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("instance") != instance.name:
        return None
    known = instance.district_by_id
    assignment = data.get("assignment")
    if not isinstance(assignment, dict) or any(
            d not in known or lab not in labels for d, lab in assignment.items()):
        return None
    locked = [lab for lab in data.get("locked") or [] if lab in labels]
    snapshots = [s for s in data.get("snapshots") or []
                 if isinstance(s, dict) and isinstance(s.get("name"), str)
                 and isinstance(s.get("assignment"), dict)
                 and all(d in known and lab in labels for d, lab in s["assignment"].items())]
    return {"assignment": assignment, "locked": locked, "snapshots": snapshots,
            "saved_at": data.get("saved_at")}


def check_out_folder(out: Path) -> None:
    """``--out`` must be new, empty, or a folder this editor wrote (it never overwrites a
    file it did not write). Raises :class:`UsageError` naming what is in the way."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; choose a new folder")
    entries = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    foreign = sorted(entries - OWN_FILES)
    if foreign or (entries and DRAFT not in entries):
        shown = ", ".join(foreign[:5] or sorted(entries)[:5])
        raise UsageError(f"--out {out} holds files the editor did not write ({shown}); "
                         "choose a new or empty folder")


def write_json_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
