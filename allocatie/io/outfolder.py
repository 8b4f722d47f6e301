"""The ``--out`` folder: what may be written there, and how, without losing a user's file.

Rules (the README's "Where results go"):

- allocatie only ever replaces or deletes files that it wrote itself. Those are listed in the
  folder's manifest, ``.allocatie-manifest`` (JSON), with their SHA-256 (``check`` uses it to
  see a changed report file). A results folder written before the
  manifest existed is recognised by its ``summary.json`` (``allocatie_version``): its files
  with the names allocatie writes count as ours.
- It refuses an ``--out`` that is an existing file, that is the instance folder, holds it or
  lies inside it, or that holds files it did not write (a user's ``notities.txt``, the current
  directory with other work in it), unless ``--force``. With ``--force`` it writes its files
  next to the foreign ones and still deletes or replaces none of them; a foreign file with the
  name of a file allocatie writes is never overwritten, not even with ``--force``.
- A new folder is written in a staging folder next to it (``.NAME.out.XXXXXX``) and moved into
  place in one step; into an existing folder each file is moved into place in one step. A
  staging folder that a killed run left behind is removed by the next run into the same place
  (it carries a marker naming the process that made it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from allocatie.errors import UsageError

MANIFEST = ".allocatie-manifest"
STAGING_MARKER = ".allocatie-staging"
STAGING_INFIX = ".out."
LEGACY_STAGING = re.compile(r"\..+\.[a-z0-9_]{8}")  # tempfile.mkdtemp(prefix=".NAME.")
STALE_AFTER_S = 24 * 3600.0  # a staging folder whose process we cannot see is stale after this

# Every name allocatie may write into a results folder (report files included).
KNOWN_OUTPUTS = frozenset({
    "summary.json", "assignment.csv", "transitions.csv", "transitions_per_lot.csv",
    "lots.geojson", "log.txt", "kaart.png", "kaart-huidig.png", "kaart.html", "rapport.html",
    "resultaat.xlsx", MANIFEST,
})


def ours(folder: Path) -> set[str]:
    """Names of the files in ``folder`` that allocatie wrote (from its manifest)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            names = data.get("files", []) if isinstance(data, dict) else []
            return {str(n) for n in names if isinstance(n, str) and "/" not in n} | {MANIFEST}
        except (OSError, ValueError):
            return {MANIFEST}
    if _is_legacy_results(folder):
        return {p.name for p in folder.iterdir() if p.name in KNOWN_OUTPUTS}
    return set()


def _is_legacy_results(folder: Path) -> bool:
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "allocatie_version" in data


def foreign_entries(folder: Path) -> list[str]:
    """Entries in ``folder`` that allocatie did not write (stale staging folders excluded)."""
    mine = ours(folder)
    return sorted(p.name for p in folder.iterdir()
                  if p.name not in mine and not is_staging_folder(p))


def is_staging_folder(path: Path) -> bool:
    """A staging folder of a run (running or killed), never a results folder: it carries the
    marker, or it is an unmarked one of an older allocatie (``.NAME.XXXXXXXX``)."""
    return path.is_dir() and ((path / STAGING_MARKER).exists() or _is_legacy_staging(path))


def _is_legacy_staging(path: Path) -> bool:
    """``.NAME.XXXXXXXX`` (before version 0.2: no marker) holding only allocatie's files."""
    if not LEGACY_STAGING.fullmatch(path.name) or (path / MANIFEST).exists():
        return False
    try:
        return all(p.name in KNOWN_OUTPUTS for p in path.iterdir())
    except OSError:
        return False


def check_out(out: str | Path, instance_folder: str | Path | None = None,
              force: bool = False) -> Path:
    """Refuse an ``--out`` that would lose or mix up a user's files; return it resolved.

    Call it before a long solve so that a refusal costs nothing. Raises :class:`UsageError`
    saying why and how to fix it."""
    given = Path(out)
    target = given.resolve()
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {given} is an existing file, not a folder; allocatie never "
                         "replaces a file it did not write. Pass a new folder name, e.g. "
                         f"--out {given}-results")
    if is_staging_folder(target):
        raise UsageError(f"--out {given} is a staging folder of another run; pass another "
                         "folder")
    if instance_folder is not None:
        inst = Path(instance_folder).resolve()
        if inst.is_file():
            inst = inst.parent
        relation = ("is the instance folder" if target == inst else
                    "holds the instance folder" if target in inst.parents else
                    "lies inside the instance folder" if inst in target.parents else None)
        if relation and not force:
            raise UsageError(f"--out {given} {relation} {instance_folder}; write the results "
                             f"elsewhere, e.g. --out out/{inst.name} (or add --force to write "
                             "them there anyway: allocatie then adds its files and deletes or "
                             "replaces none of yours)")
    if target.is_dir():
        foreign = foreign_entries(target)
        if foreign and not force:
            raise UsageError(
                f"--out {given} already holds {len(foreign)} file(s) that allocatie did not "
                f"write ({_names(foreign)}); allocatie only replaces its own results. Pass an "
                "empty or new folder, or add --force to write next to them (they are kept)")
        clash = sorted(set(foreign) & KNOWN_OUTPUTS)
        if clash:
            raise UsageError(
                f"--out {given} holds {_names(clash)}, not written by allocatie, with the name "
                "of a file allocatie writes; allocatie never overwrites it, not even with "
                "--force. Move it away, or pass another folder")
    return target


def _names(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


# --------------------------------------------------------------------------- staging
def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove staging folders in ``parent`` whose run is gone; return what was removed."""
    removed = []
    if not parent.is_dir():
        return removed
    for path in parent.iterdir():
        if not path.is_dir() or not path.name.startswith("."):
            continue
        legacy = _is_legacy_staging(path) and time.time() - path.stat().st_mtime > 3600
        if legacy or (STAGING_INFIX in path.name and _stale(path)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _stale(path: Path) -> bool:
    marker = path / STAGING_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        pid, started = int(info["pid"]), float(info["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return False  # not ours, or being written: leave it
    if pid == os.getpid():
        return False
    if time.time() - started > STALE_AFTER_S:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def make_staging(out: Path) -> Path:
    """A fresh staging folder for ``out``: next to it when ``out`` is new, else inside it."""
    parent = out if out.is_dir() else out.parent
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name or 'out'}{STAGING_INFIX}", dir=parent))
    (staging / STAGING_MARKER).write_text(
        json.dumps({"pid": os.getpid(), "started": time.time()}) + "\n", encoding="utf-8")
    return staging


def move_into_place(staging: Path, out: Path) -> None:
    """Move the staged results into ``out``, replacing only allocatie's own earlier files."""
    (staging / STAGING_MARKER).unlink()
    written = sorted(p.name for p in staging.iterdir())
    _write_manifest(staging, written)
    if not out.exists():
        staging.chmod(0o755)  # mkdtemp makes it private; a results folder is for sharing
        os.replace(staging, out)
        return
    old = ours(out)
    clash = sorted(n for n in written if (out / n).exists() and n not in old)
    if clash or not out.is_dir():
        kept = free_sibling(out)
        os.replace(staging, kept)
        raise UsageError(f"{out} changed during the run: it now holds {_names(clash)}, not "
                         f"written by allocatie; nothing there was touched and the results "
                         f"are in {kept}")
    # The manifest first, listing old and new, so an interruption leaves only known files.
    _write_manifest(out, sorted(old | set(written)))
    for name in written:
        if name != MANIFEST and name != "summary.json":
            os.replace(staging / name, out / name)
    os.replace(staging / "summary.json", out / "summary.json")
    for name in sorted(old - set(written)):
        if (out / name).is_file():
            (out / name).unlink()
    os.replace(staging / MANIFEST, out / MANIFEST)
    shutil.rmtree(staging, ignore_errors=True)


def free_sibling(out: Path) -> Path:
    """A new folder name next to ``out`` for results that may not go into ``out``."""
    for n in range(1, 1000):
        candidate = out.parent / f"{out.name or 'out'}-{n}"
        if not candidate.exists():
            return candidate
    raise UsageError(f"no free folder name next to {out}; pass another --out")


def _write_manifest(folder: Path, files: Iterable[str]) -> None:
    from allocatie import __version__

    names = sorted(set(files) | {MANIFEST})
    digests = {n: file_digest(folder / n) for n in names
               if n != MANIFEST and (folder / n).is_file()}
    data = {"written_by": f"allocatie {__version__}", "files": names, "sha256": digests,
            "note": "files allocatie wrote here; it replaces or deletes only these"}
    tmp = folder / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def file_digest(path: Path) -> str:
    """SHA-256 of a file, as recorded in the manifest."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
