"""Write a new instance folder: staged, checked by the loader, then moved into place."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

MANIFEST = ".allocatie-init.json"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return json.dumps(str(value), ensure_ascii=False)


def toml_text(sections: dict[str, dict[str, object]], comments: dict[str, str]) -> str:
    """instance.toml text; ``comments`` per key (``section.key``) go after the value."""
    lines = []
    for section, values in sections.items():
        if section:
            lines.append(f"\n[{section}]")
        for key, value in values.items():
            comment = comments.get(f"{section}.{key}")
            line = f"{key} = {_toml_value(value)}"
            lines.append(f"{line:<32} # {comment}" if comment else line)
    return "\n".join(lines).lstrip("\n") + "\n"


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def check_target(out: Path) -> None:
    """Refuse a target that holds files init did not write (never overwrite them)."""
    from allocatie.errors import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file; give a new folder for the instance")
    if out.is_dir():
        ours = set(_manifest(out))
        theirs = sorted(p.name for p in out.iterdir() if p.name not in ours | {MANIFEST})
        if theirs:
            raise UsageError(f"{out} already holds files that allocatie init did not write "
                             f"({', '.join(theirs[:5])}); give a new or empty folder")


def publish(out: Path, build: Callable[[Path], list[str]], check: Callable[[Path], None],
            keep: set[str] = frozenset()) -> list[str]:
    """Build the folder in a staging directory beside ``out``, run ``check`` on it (which
    raises on any problem: then nothing is written), then move the files into ``out``
    (instance.toml last). Files named in ``keep`` that exist in ``out`` are left alone.
    Returns the files written."""
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.init-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        names = build(staging)
        check(staging)
        out.mkdir(exist_ok=True)
        written = [n for n in names if not (n in keep and (out / n).exists())]
        for name in sorted(written, key=lambda n: n == "instance.toml"):
            os.replace(staging / name, out / name)
        manifest = sorted(set(_manifest(out)) | set(written))
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _manifest(out: Path) -> list[str]:
    path = out / MANIFEST
    if not path.is_file():
        return []
    try:
        return [str(n) for n in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, OSError):
        return []
