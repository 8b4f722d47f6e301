"""The Sources section of a report: the instance's ATTRIBUTION or README in the report's
language, else the paragraphs in that language with the credit line translated."""

from __future__ import annotations

import re
from pathlib import Path

from allocatie.instance import Instance
from allocatie.report.texts import DEFAULT_ATTRIBUTION, texts

# Paul Tol's "light" scheme: pale, colour-blind safe fills that keep black labels readable;
# ordered so that the first colours differ most.


ATTRIBUTION_FILES = ("ATTRIBUTION", "ATTRIBUTION.md", "ATTRIBUTION.txt", "attribution.txt",
                     "attribution.md")


README_FILES = ("README.md", "README.txt", "README", "readme.md")


# --------------------------------------------------------------------------- sources
def attribution(instance: Instance, lang: str) -> tuple[str, ...]:
    """Attribution paragraphs in the report's language: ``ATTRIBUTION.<lang>.md`` of the
    instance folder, else the paragraphs of its ATTRIBUTION file written in ``lang`` plus
    the credit line ("Bron: ...", kept as the licensor words it), introduced by a sentence in
    ``lang`` when paragraphs in the other language were left out; else the README paragraphs
    that mention the licence or the source; else a default CBS/Kadaster line."""
    folder = Path(instance.folder) if instance.folder is not None else None
    if folder is not None:
        for name in (f"ATTRIBUTION.{lang}.md", f"ATTRIBUTION.{lang}.txt"):
            if (folder / name).is_file():
                paragraphs = _paragraphs((folder / name).read_text(encoding="utf-8",
                                                                   errors="replace"))
                if paragraphs:
                    return tuple(paragraphs[:12])
        for name in ATTRIBUTION_FILES:
            path = folder / name
            if path.is_file():
                paragraphs = _paragraphs(path.read_text(encoding="utf-8", errors="replace"))
                kept = [_credit(p, lang) for p in paragraphs
                        if _is_credit(p) or _language(p) in (lang, None)]
                if kept and len(kept) < len(paragraphs):
                    kept.insert(0, texts(lang)["attribution_intro"])
                if kept:
                    return tuple(kept[:12])
        for name in README_FILES:
            path = folder / name
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                found = [p for p in _paragraphs(text)
                         if re.search(r"CC[ -]BY|licen[cst]e|attribution|bron:|source:", p,
                                      re.IGNORECASE)]
                if found:
                    return tuple(found[:6])
    return (DEFAULT_ATTRIBUTION[lang],)


_WORDS = {
    "nl": {"de", "het", "een", "en", "van", "zijn", "is", "door", "met", "op", "voor", "niet",
           "uit", "wijk", "buurt", "gegevens", "naar"},
    "en": {"the", "a", "an", "and", "of", "are", "is", "by", "with", "on", "for", "not",
           "from", "data", "under", "see", "added", "derived"},
}


# English phrases of the usual CBS credit line, in Dutch
_CREDIT_NL = (("geometry simplified by", "geometrie vereenvoudigd door"),)


def _language(paragraph: str) -> str | None:
    """"nl" or "en" by common words; None when it cannot tell (a URL, a name)."""
    words = re.findall(r"[a-zà-ÿ]+", paragraph.lower())
    hits = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _WORDS.items()}
    if max(hits.values()) < 2 or hits["nl"] == hits["en"]:
        return None
    return max(hits, key=lambda lang: hits[lang])


def _is_credit(paragraph: str) -> bool:
    return bool(re.match(r"(Bron|Source)\s*:", paragraph)) and "CC" in paragraph


def _credit(paragraph: str, lang: str) -> str:
    """The credit line with its fixed words in ``lang`` (names and titles unchanged)."""
    if not _is_credit(paragraph):
        return paragraph
    for english, dutch in _CREDIT_NL:
        paragraph = paragraph.replace(english, dutch) if lang == "nl" else \
            paragraph.replace(dutch, english)
    return re.sub(r"^(Bron|Source)\s*:", "Bron:" if lang == "nl" else "Source:", paragraph)


def _paragraphs(text: str) -> list[str]:
    """Plain-text paragraphs of a Markdown or text file (headings and markup removed)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.strip().splitlines()]
        lines = [line for line in lines if line and not line.startswith("#")
                 and not set(line) <= set("-|: ")]
        if not lines:
            continue
        plain = " ".join(lines)
        plain = re.sub(r"\*\*|__|`", "", plain)
        plain = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", plain)
        paragraphs.append(plain)
    return paragraphs
