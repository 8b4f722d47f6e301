"""Text for people: numbers, money and ids in Dutch or English, and the natural sort order.

Two styles of the same figures, both grouping digits by :func:`localise` (1.234.567,5 in
Dutch, 1,234,567.5 in English):

- *typeset* (reports, maps, Excel, progress lines): :func:`fmt_int`, :func:`fmt_num`,
  :func:`fmt_eur`, :func:`fmt_pct`; the euro sign with a no-break space, a true minus (−) and
  an en dash (–) for a missing figure;
- *plain* (the audit log and texts that go into plain files and e-mails): :func:`plain_int`,
  :func:`plain_num`, :func:`plain_eur`, :func:`plain_pct`; ASCII minus and dash, "EUR" in
  English, cents only when there are any; :func:`console_eur` for English command-line
  tables.

``gebieden`` keeps its own id list and sort key: the geometry floor imports nothing of
``allocatie``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

LANGUAGES = ("nl", "en")
#: Ids listed in a message before "... and N more".
LISTED = 20


def natural_key(text: object) -> tuple:
    """Sort key that orders 'lot 2' before 'lot 10'."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(text)))


def list_ids(ids: Iterable[object], limit: int = LISTED) -> str:
    """Ids as ``a, b, c, ... and 7 more``."""
    items = [str(i) for i in ids]
    text = ", ".join(items[:limit])
    if len(items) > limit:
        text += f", ... and {len(items) - limit} more"
    return text


def localise(number: str, lang: str) -> str:
    """Swap the separators of an English-formatted number for Dutch ones (``lang == "nl"``)."""
    if lang == "nl":
        return number.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return number


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------- typeset
def fmt_int(value: float | None, lang: str) -> str:
    """A whole number with thousands separators: 1.234.567 (nl) or 1,234,567 (en)."""
    if _missing(value):
        return "–"
    return localise(f"{round(value):,}", lang)


def fmt_num(value: float | None, lang: str, decimals: int = 1) -> str:
    """A number with the given decimals: 1.234,5 (nl) or 1,234.5 (en)."""
    if _missing(value):
        return "–"
    return localise(f"{value:,.{decimals}f}", lang)


def fmt_eur(value: float | None, lang: str, decimals: int = 0) -> str:
    """An amount in euros: € 1.234.567 (nl) or € 1,234,567 (en), with a no-break space after
    the euro sign so the amount never wraps apart."""
    if _missing(value):
        return "–"
    sign = "−" if value < 0 and round(abs(value), decimals) > 0 else ""
    return f"{sign}€\u00a0{localise(f'{abs(value):,.{decimals}f}', lang)}"


def fmt_pct(fraction: float | None, lang: str, decimals: int = 1) -> str:
    """A fraction as a percentage: 1,2% (nl) or 1.2% (en)."""
    if _missing(fraction):
        return "–"
    return f"{localise(f'{100.0 * fraction:,.{decimals}f}', lang)}%"


# --------------------------------------------------------------------------- plain
def plain_int(n: float, lang: str = "nl") -> str:
    """1.234 (nl) or 1,234 (en)."""
    return localise(f"{round(n):,}", lang)


def plain_num(x: float, decimals: int = 2, lang: str = "nl") -> str:
    """A decimal number: 1.234,56 (nl) or 1,234.56 (en)."""
    return localise(f"{x:,.{decimals}f}", lang)


def plain_eur(x: float | None, lang: str = "nl") -> str:
    """€ 2.345.678 (nl) or EUR 2,345,678 (en); cents shown only when there are any."""
    if x is None:
        return "-"
    sign = "-" if x < 0 else ""
    x = abs(x)
    body = plain_int(x, lang) if abs(x - round(x)) < 0.005 else plain_num(x, 2, lang)
    return f"{sign}€ {body}" if lang == "nl" else f"{sign}EUR {body}"


def plain_pct(x: float, lang: str = "nl") -> str:
    """A fraction as a percentage with two decimals: 1,25% (nl) or 1.25% (en)."""
    return plain_num(100.0 * x, 2, lang) + "%"


def console_eur(value: float | None) -> str:
    """Whole euros for English command-line tables: EUR 1,234,567 (``-`` when missing)."""
    return "-" if _missing(value) else f"EUR {value:,.0f}"


# --------------------------------------------------------------------------- words
def fmt_list(items: Iterable[object], lang: str = "nl") -> str:
    """'1, 2 en 3' (nl) or '1, 2 and 3' (en)."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'en' if lang == 'nl' else 'and'} {items[-1]}"


def fmt_lots(lots: Iterable[str], lang: str = "nl") -> str:
    """'perceel 3' / 'percelen 2 en 3' (nl), 'lot 3' / 'lots 2 and 3' (en)."""
    lots = list(lots)
    word = ("perceel" if len(lots) == 1 else "percelen") if lang == "nl" else (
        "lot" if len(lots) == 1 else "lots")
    return f"{word} {fmt_list(lots, lang)}"
