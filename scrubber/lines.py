"""Step 1 of the pipeline: text -> lines, and kept lines -> text.

Lines are split on ``\\n``, ``\\r\\n`` and ``\\r`` only (not on U+2028, form feeds or
the other separators :meth:`str.splitlines` knows), and each line keeps its own
ending so that the output can reproduce the input byte for byte::

    >>> texts, endings = split_lines("a\\r\\nb\\rc")
    >>> texts, endings
    (['a', 'b', 'c'], ['\\r\\n', '\\r', ''])
    >>> join_lines(texts, endings, ["a", None, "c"])
    'a\\r\\nc\\r\\n'

Joining: kept lines in input order; a blank line between two kept lines stays (a run of
blank lines collapses to its first line); no blank line at the start or the end; the last
kept line ends with its own ending, or with the document's most common ending when it
had none.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

_BREAK = regex.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split ``text`` into line contents and their endings (``""`` for an unterminated
    last line). An empty text has no lines."""
    if not text:
        return [], []
    if "\r" not in text:
        texts = text.split("\n")
        endings = ["\n"] * len(texts)
        if texts[-1] == "":
            texts.pop()
            endings.pop()
        else:
            endings[-1] = ""
        return texts, endings
    texts: list[str] = []
    endings: list[str] = []
    pos = 0
    for m in _BREAK.finditer(text):
        texts.append(text[pos : m.start()])
        endings.append(m.group())
        pos = m.end()
    if pos < len(text):
        texts.append(text[pos:])
        endings.append("")
    return texts, endings


def is_blank(line: str) -> bool:
    """A line with nothing but whitespace (including zero-width and control spacing)."""
    return not line.strip()


def default_ending(endings: Sequence[str]) -> str:
    """The most common line ending of the document (``\\n`` when it has none)."""
    if not endings:
        return "\n"
    counts: dict[str, int] = {}
    for e in endings:
        if e:
            counts[e] = counts.get(e, 0) + 1
    if not counts:
        return "\n"
    return max(counts, key=lambda e: (counts[e], e == "\n"))


def join_lines(
    texts: Sequence[str],
    endings: Sequence[str],
    outputs: Sequence[str | None],
    written: list[int] | None = None,
) -> str:
    """Join the kept lines. ``outputs[i]`` is what line ``i`` contributes (the line, or a
    trimmed piece of it) or ``None`` when it is dropped. Blank input lines are layout: they
    are written (as themselves) only between two kept non-blank lines. When ``written`` is
    given, the indices of the blank lines written are appended to it."""
    parts: list[str] = []
    pending_blank = -1  # index of the first blank line seen since the last kept line
    last_kept = -1
    for i, out in enumerate(outputs):
        text = texts[i]
        if not text.strip():
            if last_kept >= 0 and pending_blank < 0:
                pending_blank = i
            continue
        if out is None or not out.strip():
            continue
        if pending_blank >= 0:
            if written is not None:
                written.append(pending_blank)
            parts.append(texts[pending_blank])
            parts.append(endings[pending_blank] or default_ending(endings))
        pending_blank = -1
        parts.append(out)
        parts.append(endings[i])
        last_kept = i
    if last_kept >= 0 and not endings[last_kept]:
        parts.append(default_ending(endings))
    return "".join(parts)
