"""Damage instances/emmen-wijken in N seeded ways and count what ``allocatie validate`` does.

    python benchmarks/fuzz_inputs.py [N] [first_seed]

Prints one table: inputs tried, rejected with every problem located (file, and row or id
when one row is at fault; exit 1, or exit 3 when the damage makes the rules conflict, which is
diagnosed as infeasibility), rejected but unclear (a problem without its file or row),
accepted with a warning, accepted silently (split: a format variant the tool must read, e.g.
a Dutch Excel re-save, blank lines, a BOM, CRLF, an unchanged file; or a changed value),
crashes (a traceback or another exit code), and the unclear, crashing and silently accepted
value changes themselves. Mutations: tests/fuzzing.py.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fuzzing import RandomChooser, mutate  # noqa: E402
from test_fuzz_input import problem_lines, unlocated  # noqa: E402

from allocatie.cli import main  # noqa: E402

SOURCE = ROOT / "instances" / "emmen-wijken"
# mutations that keep the content: the same table as another program writes it
FORMAT_VARIANTS = frozenset({"bom", "crlf", "dutch excel", "blank lines", "unchanged",
                             "utf-16", "cp1252"})


def run_one(seed: int, work: Path) -> tuple[str, str, str]:
    """(outcome, mutation, first problem or error) for one seed."""
    folder = work / f"s{seed}"
    shutil.copytree(SOURCE, folder)
    files = {p.name for p in folder.iterdir()}
    mutation = mutate(folder, RandomChooser(seed))
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(folder)])
    except BaseException:  # noqa: BLE001 - a crash is what we count
        return "crash", str(mutation), traceback.format_exc(limit=-3)
    text = err.getvalue()
    if code == 0:
        silent = ("format variant read" if mutation.kind in FORMAT_VARIANTS
                  else "accepted silently")
        return ("accepted with warning" if "warning:" in text else silent,
                str(mutation), text.strip().splitlines()[0] if text.strip() else "")
    if code not in (1, 3):
        return "crash", str(mutation), f"exit {code}: {text}"
    problems = problem_lines(text)
    bad = unlocated(problems, files, mutation) if problems else [text]
    return ("unclear" if bad else "located", str(mutation), (bad or problems)[0])


def main_(n: int, first: int) -> None:
    counts: Counter[str] = Counter()
    shown: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(first, first + n):
            outcome, mutation, first_line = run_one(seed, Path(tmp))
            counts[outcome] += 1
            if outcome in ("crash", "unclear", "accepted silently"):
                shown.append(f"[{outcome}] seed {seed}: {mutation}\n    {first_line[:300]}")
    print("| inputs tried | located errors | unclear errors | accepted with warning | "
          "accepted silently: format variant | accepted silently: changed value | crashes |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {n} | {counts['located']} | {counts['unclear']} | "
          f"{counts['accepted with warning']} | {counts['format variant read']} | "
          f"{counts['accepted silently']} | {counts['crash']} |")
    print()
    print("\n".join(shown))


if __name__ == "__main__":
    main_(int(sys.argv[1]) if len(sys.argv) > 1 else 300,
          int(sys.argv[2]) if len(sys.argv) > 2 else 0)
