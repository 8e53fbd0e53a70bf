"""Step 3 of the pipeline: per-line features for the classifier.

Every line gets a fixed-length numeric vector: its own shape (length, words, punctuation,
case and digit shapes, function-word density), the rules' verdicts (sure drops and hint
families), and context in both directions (neighbours' shapes, blank-line structure,
distances to the nearest prose line and the nearest clutter line, runs of short lines,
repetition inside the document, position). Counting is done with C-level string methods
and precompiled patterns; nothing here is language-specific except the small function-word
list, and CJK/Thai text counts characters where there are no spaces.

    >>> import numpy as np
    >>> from scrubber.rules import load_ruleset
    >>> rs = load_ruleset()
    >>> lines = ["Home | News | Sport", "", "A sentence of real prose, as it happens."]
    >>> x = extract(lines, rs.apply(lines), rs)
    >>> x.shape == (3, len(names()))
    True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import regex

from .context import word_count

_UPPER = regex.compile(r"\p{Lu}")
_ALPHA = regex.compile(r"\p{L}")
_DIGIT = regex.compile(r"\p{Nd}")
_PUNCT = regex.compile(r"[\p{P}\p{S}]")
_SENT_END = regex.compile(r"[.!?…。！？]['\"”’»)\]]*$")
_SEPARATORS = regex.compile(r"\s[|»›>·•/]\s|\s-\s")
_BULLET = regex.compile(r"^(?:[-*•·–—►▸▶✓✔]|\d{1,3}[.)])\s")
_URLISH = regex.compile(r"https?://|www\.|\.(?:com|org|net|html?)\b|@\w")
_DATEISH = regex.compile(
    r"\b(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}|(?:19|20)\d{2})\b"
)
_WORD = regex.compile(r"\w+")
# Function words of the languages the data mostly holds; prose is dense in them, menus,
# cards and link lists are not.
_FUNCTION_WORDS = frozenset([
    "a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "for", "with", "by", "from",
    "as", "is", "are", "was", "were", "be", "been", "it", "this", "that", "these", "those",
    "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "its", "not", "but",
    "if", "so", "than", "then", "there", "which", "who", "what", "when", "where", "how", "will",
    "would", "can", "could", "should", "has", "have", "had", "do", "does", "did", "der", "die",
    "das", "und", "oder", "zu", "im", "auf", "mit", "von", "für", "ist", "sind", "war", "nicht",
    "ein", "eine", "einen", "dem", "den", "des", "sich", "auch", "es", "wir", "sie", "er",
    "ich", "le", "la", "les", "un", "une", "du", "de", "et", "ou", "à", "au", "aux", "en",
    "dans", "pour", "par", "sur", "avec", "est", "sont", "pas", "que", "qui", "ce", "cette",
    "il", "elle", "nous", "vous", "ils", "el", "los", "las", "y", "o", "con", "por", "para",
    "son", "se", "su", "sus", "una", "uno", "del", "al", "lo", "como", "más", "pero", "gli",
    "e", "di", "da", "che", "non", "per"
])

OWN = [
    "log_chars", "log_words", "sent_end", "alpha_frac", "digit_frac", "upper_frac",
    "punct_frac", "title_frac", "comma_per_word", "func_frac", "bullet", "separators",
    "urlish", "dateish", "copyright", "all_caps", "trimmed", "repeated",
    "rule_drop", "rule_hint",
]
FAMILIES = [
    "ads", "comments", "cookies", "headline", "media", "metadata", "navigation",
    "newsletter", "paywall", "related", "social", "video",
]
# own-feature columns copied for the neighbours at offsets -2, -1, +1, +2
NEIGH = ["log_chars", "sent_end", "func_frac", "rule_drop", "punct_frac", "title_frac"]
CONTEXT = [
    "blank_before", "blank_after", "rel_pos", "log_from_start", "log_from_end",
    "log_dist_prose_above", "log_dist_prose_below", "log_dist_drop_above",
    "log_dist_drop_below", "prose_win3", "prose_win10", "drop_win3", "drop_win10",
    "log_short_run", "chars_rel_max", "doc_log_lines", "doc_prose_frac", "doc_log_chars",
    "doc_drop_frac",
]


@functools.cache
def names(kind: str = "text") -> list[str]:
    """The feature names, in column order, for ``kind`` (``text`` or ``html``)."""
    cols = list(OWN) + [f"hint_{f}" for f in FAMILIES] + [f"drop_{f}" for f in FAMILIES]
    for off in (-2, -1, 1, 2):
        cols += [f"n{off:+d}_{c}" for c in NEIGH]
    cols += CONTEXT
    if kind == "html":
        from .html import DOM_FEATURES

        cols += list(DOM_FEATURES)
    return cols


_OWN_IDX = {c: i for i, c in enumerate(OWN)}
_FAM_IDX = {f: i for i, f in enumerate(FAMILIES)}


_SAMPLE = 300  # shape fractions are read off the first _SAMPLE characters of a line
_TITLE = regex.compile(r"(?<!\S)\p{Lu}")
_COPYRIGHT = regex.compile(r"©|\([cC]\)|[Cc]opyright|COPYRIGHT")
# one pass over the document finds all of these; the group name says which
_MARKERS = regex.compile(
    "|".join(f"(?P<{name}>{p.pattern})" for name, p in (
        ("sep", _SEPARATORS), ("url", _URLISH), ("date", _DATEISH), ("copy", _COPYRIGHT),
    ))
)
_LETTER, _UPPERCASE, _DIGITS, _PUNCTS = 1, 2, 4, 8


@functools.cache
def _class_table() -> np.ndarray:
    """Character class bits for the Basic Multilingual Plane (built once, ~30 ms)."""
    import unicodedata

    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        c = cat[0]
        if c == "L":
            table[cp] = _LETTER | (_UPPERCASE if cat == "Lu" else 0)
        elif cat == "Nd":
            table[cp] = _DIGITS
        elif c in "PS":
            table[cp] = _PUNCTS
    return table


def _line_of(pos: list[int], starts: np.ndarray, m: int) -> np.ndarray:
    """Per line, how many of the positions ``pos`` of the joined text fall in it."""
    if not pos:
        return np.zeros(m)
    return np.bincount(np.searchsorted(starts, pos, side="right") - 1, minlength=m).astype(
        np.float64
    )


def _own_matrix(lines: Sequence[str]) -> np.ndarray:
    """The OWN columns for non-blank stripped ``lines`` (one row each), computed over the
    whole document at once: one pass of each pattern, one table lookup of all characters."""
    m = len(lines)
    samples = [s[:_SAMPLE] for s in lines]
    text = "\n".join(samples)
    lens = np.fromiter((len(t) for t in samples), dtype=np.int64, count=m)
    starts = np.concatenate([[0], np.cumsum(lens + 1)[:-1]])
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _class_table()[np.minimum(cps, 0xFFFF)]

    def count(bit: int) -> np.ndarray:
        return np.add.reduceat((cls & bit) > 0, starts).astype(np.float64) if m else np.zeros(0)

    alpha, upper, digits, punct = count(_LETTER), count(_UPPERCASE), count(_DIGITS), count(_PUNCTS)
    low = text.lower()
    sample_words = np.fromiter((max(len(t.split()), 1) for t in samples), np.float64, count=m)
    full_chars = np.fromiter((len(s) for s in lines), np.float64, count=m)
    words = np.fromiter(
        (len(w) if len(w) > 2 else word_count(s) for s in lines for w in (s.split(),)),
        np.float64, count=m,
    )
    commas = np.fromiter((s.count(",") for s in lines), np.float64, count=m)
    mlen = np.maximum(lens, 1).astype(np.float64)
    own = np.zeros((m, len(OWN)))
    own[:, 0] = np.log1p(full_chars)
    own[:, 1] = np.log1p(words)
    own[:, 2] = [1.0 if _SENT_END.search(s[-8:]) else 0.0 for s in lines]
    own[:, 3] = alpha / mlen
    own[:, 4] = digits / mlen
    own[:, 5] = np.divide(upper, alpha, out=np.zeros(m), where=alpha > 0)
    own[:, 6] = punct / mlen
    title = [mt.start() for mt in _TITLE.finditer(text)]
    own[:, 7] = np.minimum(_line_of(title, starts, m) / sample_words, 1.0)
    own[:, 8] = commas / np.maximum(words, 1)
    func = np.fromiter((sum(map(_FUNCTION_WORDS.__contains__, t.split()))
                        for t in low.split("\n")), np.float64, count=m)
    own[:, 9] = np.minimum(func / sample_words, 1.0)
    own[:, 10] = [1.0 if _BULLET.match(t) else 0.0 for t in samples]
    found: dict[str, list[int]] = {"sep": [], "url": [], "date": [], "copy": []}
    for mt in _MARKERS.finditer(text):
        found[mt.lastgroup or "sep"].append(mt.start())
    own[:, 11] = np.log1p(_line_of(found["sep"], starts, m))
    own[:, 12] = _line_of(found["url"], starts, m) > 0
    own[:, 13] = _line_of(found["date"], starts, m) > 0
    own[:, 14] = _line_of(found["copy"], starts, m) > 0
    own[:, 15] = (alpha >= 3) & (upper == alpha)
    return own


def _dist(flags: np.ndarray, reverse: bool) -> np.ndarray:
    """Distance (in rows) to the nearest earlier (or later) row where ``flags`` is set;
    ``len`` when there is none."""
    m = len(flags)
    idx = np.arange(m)
    if reverse:
        flags, idx = flags[::-1], idx
    last = np.where(flags, idx, -1)
    last = np.maximum.accumulate(last)
    d = np.where(last >= 0, idx - last, m).astype(np.float64)
    # distance to a strictly earlier row: shift by one
    d = np.concatenate([[float(m)], np.where(last[:-1] >= 0, idx[1:] - last[:-1], m)])
    return d[::-1] if reverse else d


def _window_mean(v: np.ndarray, k: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(v)])
    m = len(v)
    lo = np.clip(np.arange(m) - k, 0, m)
    hi = np.clip(np.arange(m) + k + 1, 0, m)
    return (c[hi] - c[lo]) / np.maximum(hi - lo, 1)


def extract(
    pieces: Sequence[str], hits: Any, rs: Any, extra: Any = None, kind: str = "text"
) -> np.ndarray:
    """The feature matrix (one row per input line) for one document.

    ``pieces`` are the lines after rule trims; ``hits`` the :class:`RuleHits` for them;
    ``rs`` the :class:`RuleSet`; ``extra`` the front end's per-line extra features (an
    array with one row per line) for ``kind == "html"``.
    """
    n = len(pieces)
    cols = names(kind)
    out = np.zeros((n, len(cols)), dtype=np.float64)
    stripped = [p.strip() for p in pieces]
    nb = [i for i, s in enumerate(stripped) if s]
    if not nb:
        return out
    m = len(nb)
    own = _own_matrix([stripped[i] for i in nb])
    rules = rs.rules
    fam_h = np.zeros((m, len(FAMILIES)))
    fam_d = np.zeros((m, len(FAMILIES)))
    counts: dict[str, int] = {}
    keys = []
    for r, i in enumerate(nb):
        d, h = hits.drop[i], hits.hint[i]
        if d >= 0:
            own[r, _OWN_IDX["rule_drop"]] = 1.0
            f = _FAM_IDX.get(rules[d].family)
            if f is not None:
                fam_d[r, f] = 1.0
        if h >= 0:
            own[r, _OWN_IDX["rule_hint"]] = 1.0
            f = _FAM_IDX.get(rules[h].family)
            if f is not None:
                fam_h[r, f] = 1.0
        if hits.trim[i] is not None:
            own[r, _OWN_IDX["trimmed"]] = 1.0
        key = stripped[i].casefold()
        keys.append(key)
        counts[key] = counts.get(key, 0) + 1
    own[:, _OWN_IDX["repeated"]] = [1.0 if counts[k] > 1 else 0.0 for k in keys]

    neigh_idx = [_OWN_IDX[c] for c in NEIGH]
    blocks = [own, fam_h, fam_d]
    for off in (-2, -1, 1, 2):
        sh = np.zeros((m, len(NEIGH)))
        src = own[:, neigh_idx]
        if off < 0:
            sh[-off:] = src[:off]
        else:
            sh[:-off] = src[off:]
        blocks.append(sh)

    log_chars = own[:, 0]
    prose = (own[:, 2] > 0) & (own[:, 1] >= math.log1p(8)) & (own[:, _OWN_IDX["rule_drop"]] == 0)
    dropped = own[:, _OWN_IDX["rule_drop"]] > 0
    short = own[:, 1] < math.log1p(10)
    # run length of consecutive short lines containing each line
    run = np.zeros(m)
    start = 0
    for r in range(1, m + 1):
        if r == m or not short[r] or not short[r - 1]:
            run[start:r] = r - start if short[start] else 0
            start = r
    blank_before = np.array([1.0 if i > 0 and not stripped[i - 1] else 0.0 for i in nb])
    blank_after = np.array([1.0 if i + 1 < n and not stripped[i + 1] else 0.0 for i in nb])
    pos = np.arange(m, dtype=np.float64)
    pf = prose.astype(np.float64)
    df = dropped.astype(np.float64)
    ctx = np.column_stack([
        blank_before, blank_after, pos / max(m - 1, 1), np.log1p(pos), np.log1p(m - 1 - pos),
        np.log1p(_dist(prose, False)), np.log1p(_dist(prose, True)),
        np.log1p(_dist(dropped, False)), np.log1p(_dist(dropped, True)),
        _window_mean(pf, 3), _window_mean(pf, 10), _window_mean(df, 3), _window_mean(df, 10),
        np.log1p(run), log_chars / max(log_chars.max(), 1e-9),
        np.full(m, math.log1p(m)), np.full(m, pf.mean()),
        np.full(m, math.log1p(np.expm1(log_chars).sum())),
        np.full(m, df.mean()),
    ])
    blocks.append(ctx)
    if kind == "html":
        ex = np.asarray(extra, dtype=np.float64)
        blocks.append(ex[nb])
    out[nb] = np.hstack(blocks)
    return out
