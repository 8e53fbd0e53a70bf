"""Document-level checks named by rules with ``scope = "document"``.

A check gets the document's lines, the rule engine's drops so far (``-1`` = not dropped)
and the rule's ``params``; it returns the indices of the lines it drops. Checks are code
because they compare lines with each other; which checks run, and their ids, are data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import regex

# Typographic variants that scrapers and CMSs swap freely between copies of one headline.
_FOLD = str.maketrans({
    "’": "'", "‘": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_SPACE = regex.compile(r"\s+")
# A site name appended to a title: "Headline | CNN", "Headline - The Guardian",
# "Headline — Site", "Headline :: Blog". The suffix is short (<= 6 words). Linear time:
# words are whole runs of non-spaces (possessive; the older ``(?:\S+\s*){1,6}`` could split
# one long word six ways and backtracked for minutes on a 100-character title), and a
# match starts only at the first space of a run.
_SITE_SUFFIX = regex.compile(r"(?<!\s)\s++(?:\||-|::|»|·|•)\s++(?:\S++\s+){0,5}\S++\s*$")


def normalise_headline(line: str) -> str:
    """Fold quotes, apostrophes, dashes, case and spacing for headline comparison."""
    s = unicodedata.normalize("NFKC", line).translate(_FOLD)
    s = _SPACE.sub(" ", s).strip().casefold()
    return s.rstrip(" .:")


# What normalise_headline can take out of a line: white space (str.strip's and \s's,
# none above U+3000; tests check the list) and the "." and ":" it strips at the end.
_REMOVABLE = dict.fromkeys(
    map(ord, "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
        "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000.:")
)


def headline_length_bound(line: str) -> int:
    """A lower bound of ``len(normalise_headline(line))`` that costs one pass in C (0 when
    the line is not in NFKC form: composing it could shorten it). The other steps map a
    character to one (or, case folding, more) characters, or remove it only if it is
    white space, a final "." or ":". Lets a caller skip normalising paragraphs longer than
    any headline it looks for.

    >>> headline_length_bound("  The  news: "), len(normalise_headline("  The  news: "))
    (7, 8)
    """
    if not unicodedata.is_normalized("NFKC", line):
        return 0
    return len(line.translate(_REMOVABLE))


def title_variants(line: str) -> set[str]:
    """The normalised line, and the line without a trailing site name."""
    norm = normalise_headline(line)
    out = {norm}
    cut = _SITE_SUFFIX.sub("", norm)
    if cut and cut != norm and len(cut.split()) >= 3:
        out.add(cut)
    return out


def repeated_headline(
    lines: Sequence[str], drop: Sequence[int], params: Mapping[str, Any]
) -> list[int]:
    """Later copies of the headline (the first non-blank line that is not dropped).

    Only the first ``window`` non-blank lines are looked at (default 12), copies must be
    at most ``max_chars`` long (default 300) and have at least ``min_words`` words
    (default 3), so repeated short body lines ("Yes.") are never taken for headlines.
    """
    window = int(params.get("window", 12))
    max_chars = int(params.get("max_chars", 300))
    min_words = int(params.get("min_words", 3))
    head = -1
    seen = 0
    out: list[int] = []
    heads: set[str] = set()
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        seen += 1
        if seen > window:
            break
        if drop[i] >= 0:
            continue
        if head < 0:
            if len(s) <= max_chars and len(s.split()) >= min_words:
                head = i
                heads = title_variants(s)
            else:
                break
            continue
        if len(s) <= max_chars and title_variants(s) & heads:
            out.append(i)
    return out


CHECKS: dict[str, Callable[[Sequence[str], Sequence[int], Mapping[str, Any]], Iterable[int]]] = {
    "repeated_headline": repeated_headline,
}
