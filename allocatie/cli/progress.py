"""A compact progress line on stderr for long solves and scenario runs.

Only the command line creates a :class:`ProgressPrinter`; library code takes it as a
callback (``allocatie.milp.model.ProgressCallback``) and never prints itself. On a terminal
the line is rewritten in place (carriage return); elsewhere (logs, CI) one line is written
per change, at most one every ``min_interval_s`` seconds, and the last state is flushed by
:meth:`ProgressPrinter.close`. Example line (Dutch number format)::

      12,3 s  beste € 4.567.890  grens € 4.512.000  gap 1,22%
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from allocatie.milp.model import Progress
from allocatie.report.texts import texts
from allocatie.text import fmt_eur, fmt_num, fmt_pct

TTY_INTERVAL_S = 0.1


class ProgressPrinter:
    """Print solver progress and scenario counts to ``stream`` (default: stderr).

    Use the instance itself as the solver's progress callback, and :meth:`scenario` for
    "scenarios done out of total". Call :meth:`close` (or use it as a context manager) at
    the end so a terminal line ends with a newline and a pending line is written.
    """

    def __init__(self, stream: TextIO | None = None, lang: str = "nl",
                 min_interval_s: float = 5.0, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.lang = lang
        self.t = texts(lang)
        self.min_interval_s = min_interval_s
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty()) if callable(isatty) else False
        self.tty = tty
        self.clock = clock
        self._last_emit: float | None = None
        self._last_key: object = None
        self._pending: str | None = None
        self._width = 0
        self._phase = ""
        self._last_event: Progress | None = None
        self._last_event_at: float | None = None
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- callbacks
    def __call__(self, event: Progress) -> None:
        """Report a solver progress event (elapsed time, phase, incumbent, bound, gap); a new
        phase is shown at once, so a long step is never silent."""
        phase = getattr(event, "phase", "")
        with self._lock:
            new_phase = phase != self._phase
            self._phase = phase
            self._last_event, self._last_event_at = event, self.clock()
            self._show(self.solve_line(event), key=(phase, event.incumbent, event.bound),
                       force=new_phase)

    def heartbeat(self, quiet_s: float = 10.0) -> None:
        """Repeat the last solver line with the time now, when nothing was printed for
        ``quiet_s`` seconds: a long phase (a MILP in its root, say) still shows it runs."""
        with self._lock:
            event, at = self._last_event, self._last_event_at
            if event is None or at is None or self._last_emit is None:
                return
            now = self.clock()
            if now - self._last_emit < quiet_s:
                return
            later = dataclasses.replace(event, elapsed_s=event.elapsed_s + now - at)
            line = self.solve_line(later)
            if self.tty:
                self._show(line, key=None, force=True)
            else:
                self._write_line(line, now)

    def scenario(self, done: int, total: int, elapsed_s: float) -> None:
        """Report that ``done`` of ``total`` scenarios are finished after ``elapsed_s``."""
        self._show(self.scenario_line(done, total, elapsed_s), key=(done, total),
                   force=done >= total)

    # ----------------------------------------------------------------- lines
    def solve_line(self, event: Progress) -> str:
        """The text of one solver progress line."""
        t, lang = self.t, self.lang
        parts = [f"{fmt_num(event.elapsed_s, lang, 1):>8} s"]
        phase = getattr(event, "phase", "")
        if phase:
            parts.append(f"{t.get('phase_' + phase, phase):<26}")
        parts.append(f"{t['progress_incumbent']} {fmt_eur(event.incumbent, lang)}")
        parts.append(f"{t['progress_bound']} {fmt_eur(event.bound, lang)}")
        gap = event.gap
        if gap is not None:
            parts.append(f"gap {fmt_pct(gap, lang, 2)}")
        return "  ".join(parts)

    def scenario_line(self, done: int, total: int, elapsed_s: float) -> str:
        """The text of one scenario progress line, with an estimate of the time left."""
        t, lang = self.t, self.lang
        share = done / total if total else 1.0
        line = (f"  {t['progress_scenarios'].format(done=done, total=total)} "
                f"({fmt_pct(share, lang, 0)})  {fmt_num(elapsed_s, lang, 1)} s")
        if 0 < done < total:
            left = elapsed_s / done * (total - done)
            line += f"  {t['progress_left'].format(time=duration(left, lang))}"
        return line

    # ----------------------------------------------------------------- output
    def _show(self, line: str, key: object, force: bool = False) -> None:
        now = self.clock()
        if self.tty:
            if not force and self._last_emit is not None \
                    and now - self._last_emit < TTY_INTERVAL_S:
                self._pending = line
                return
            padding = " " * max(0, self._width - len(line))
            self.stream.write("\r" + line + padding)
            self.stream.flush()
            self._width = len(line)
            self._last_emit, self._pending = now, None
            return
        if key == self._last_key and not force:
            return
        self._last_key = key
        if not force and self._last_emit is not None \
                and now - self._last_emit < self.min_interval_s:
            self._pending = line
            return
        self._write_line(line, now)

    def _write_line(self, line: str, now: float) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()
        self._last_emit, self._pending = now, None

    def close(self) -> None:
        """Write a pending line, and end the terminal line with a newline."""
        if self._pending is not None:
            if self.tty:
                padding = " " * max(0, self._width - len(self._pending))
                self.stream.write("\r" + self._pending + padding)
                self._width = len(self._pending)
                self._pending = None
            else:
                self._write_line(self._pending, self.clock())
        if self.tty and self._width:
            self.stream.write("\n")
            self._width = 0
        self.stream.flush()

    def __enter__(self) -> ProgressPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def duration(seconds: float, lang: str = "nl") -> str:
    """A short duration: "45 s", "3 min 20 s", "2 h 05 min"."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{fmt_num(seconds, lang, 0)} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
