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
import itertools
import math
from collections import Counter
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
# markdown (kind "markdown"): what the markup says of a line, as the view read it
# (scrubber.lines.MarkupView.links): the share of its characters that are link text
# (menus, tag clouds, related lists are links; body text seldom is), its number of
# links, whether it was written as a heading, the link share of its neighbours and of
# the windows around it, and of the whole document (characters)
MARKDOWN = [
    "md_link_frac", "md_log_links", "md_heading", "md_link_prev", "md_link_next",
    "md_link_win3", "md_link_win10", "md_doc_link_frac",
]


@functools.cache
def names(kind: str = "text") -> list[str]:
    """The feature names, in column order, for ``kind`` (``text``, ``html`` or
    ``markdown``)."""
    cols = list(OWN) + [f"hint_{f}" for f in FAMILIES] + [f"drop_{f}" for f in FAMILIES]
    for off in (-2, -1, 1, 2):
        cols += [f"n{off:+d}_{c}" for c in NEIGH]
    cols += CONTEXT
    if kind == "html":
        from .html import DOM_FEATURES

        cols += list(DOM_FEATURES)
    elif kind == "markdown":
        cols += MARKDOWN
    return cols


@functools.cache
def _width(kind: str) -> int:
    return len(names(kind))


_OWN_IDX = {c: i for i, c in enumerate(OWN)}
_NEIGH_IDX = [_OWN_IDX[c] for c in NEIGH]
_FAM_IDX = {f: i for i, f in enumerate(FAMILIES)}


_SAMPLE = 300  # shape fractions are read off the first _SAMPLE characters of a line
_TITLE = regex.compile(r"(?<!\S)\p{Lu}")
_COPYRIGHT = regex.compile(r"©|\([cC]\)|[Cc]opyright|COPYRIGHT")
# The document's markers, as one scan of this pattern over the joined sample text finds
# them (the group name says which). _own_matrix finds the separators with array code and
# tries the other three only where one could start; see _markers.
_MARKERS = regex.compile(
    "|".join(f"(?P<{name}>{p.pattern})" for name, p in (
        ("sep", _SEPARATORS), ("url", _URLISH), ("date", _DATEISH), ("copy", _COPYRIGHT),
    ))
)
_REST = regex.compile(
    "|".join(f"(?P<{name}>{p.pattern})" for name, p in (
        ("url", _URLISH), ("date", _DATEISH), ("copy", _COPYRIGHT),
    ))
)

# Bits of the per-code-point class table. The first four follow ``unicodedata`` (the
# shape fractions the shipped weights were trained on), the others the definitions of
# the patterns they stand in for (``str.split``, and the ``regex`` module's \s, \p{Lu},
# \d and \w).
_LETTER, _UPPERCASE, _DIGITS, _PUNCTS = 1, 2, 4, 8
_SPLIT = 1 << 4  # str.isspace: what str.split() splits on
_RX_SPACE = 1 << 5  # regex \s
_RX_UPPER = 1 << 6  # regex \p{Lu}
_RX_DIGIT = 1 << 7  # regex \d
_RX_WORD = 1 << 8  # regex \w (what \b looks at)
_SEP_SYM = 1 << 9  # the middle of a separator: [|»›>·•/] or -
_CLOSER = 1 << 10  # what may follow a sentence end: '"”’»)]
_END = 1 << 11  # a sentence end: .!?…。！？
_BULLET_CH = 1 << 12  # a bullet character of _BULLET
_REST_FIRST = 1 << 13  # where a url, date or copyright marker may start: [hw.@©(Cc] or \d
_BMP = 0x10000
_BACK8 = np.arange(1, 9)
_ASTRAL_UPPER = regex.compile(r"\p{Lu}")
# per-line sums of several 0/1 per-character columns are taken at once, each column in
# its own 9-bit field of one uint64 (a line's sample and its newline are <= 301 < 512)
_FIELD = 9
_F_LETTER, _F_UPPER, _F_DIGIT, _F_PUNCT, _F_COMMA, _F_WORD, _F_TITLE = range(7)
# A word is keyed by its lowered characters (one byte each, those that do not lower to
# one Latin-1 character other than NUL as 0, which no function word holds) and its length
# (capped at _FW_MAX + 1, which no function word has) above them.
_FW_MAX = max(map(len, _FUNCTION_WORDS))  # at most 7 characters and a length byte
_FW_MASK = np.array([(1 << (8 * n)) - 1 for n in range(_FW_MAX + 1)] + [0], dtype=np.uint64)
_FW_LEN = np.array([n << (8 * _FW_MAX) for n in range(_FW_MAX + 2)], dtype=np.uint64)
_FW_KEYS = np.array(sorted(
    sum(ord(c) << (8 * k) for k, c in enumerate(w)) | (len(w) << (8 * _FW_MAX))
    for w in _FUNCTION_WORDS
), dtype=np.uint64)


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Per code point of the Basic Multilingual Plane: the class bits (uint16), the
    packed per-line-sum weights (uint64), and the lower-case character when
    ``str.lower`` maps it to one Latin-1 character (else 0, as NUL). Built once per
    process, on first use, in about 30 ms (importing the module builds nothing).

    Code points above the plane are looked up at U+FFFF, which has no bit set: the
    trained ``unicodedata`` counts never counted them, no whitespace lies there, and the
    ``regex`` classes that do have members there (\p{Lu}, \d, \w) are handled by the
    callers."""
    import unicodedata

    points = np.arange(_BMP, dtype=np.uint32)
    bmp = points.tobytes().decode("utf-32-le", "surrogatepass")
    cats = list(map(unicodedata.category, bmp))
    cat_bits = {}
    for cat in set(cats):
        if cat[0] == "L":
            cat_bits[cat] = _LETTER | (_UPPERCASE if cat == "Lu" else 0)
        elif cat == "Nd":
            cat_bits[cat] = _DIGITS
        elif cat[0] in "PS":
            cat_bits[cat] = _PUNCTS
        else:
            cat_bits[cat] = 0
    table = np.fromiter(map(cat_bits.__getitem__, cats), np.uint16, count=_BMP)
    table[np.fromiter(map(str.isspace, bmp), bool, count=_BMP)] |= _SPLIT
    for bit, pattern in (
        (_RX_SPACE, r"\s"), (_RX_UPPER, r"\p{Lu}"), (_RX_DIGIT, r"\d"), (_RX_WORD, r"\w"),
        (_SEP_SYM, r"[|»›>·•/\-]"), (_CLOSER, r"['\"”’»)\]]"), (_END, r"[.!?…。！？]"),
        (_BULLET_CH, r"[-*•·–—►▸▶✓✔]"), (_REST_FIRST, r"[hw.@©(Cc\d]"),
    ):
        # each matching character replaced by U+FFFF, which matches none of them
        marked = regex.sub(pattern, "\uffff", bmp).encode("utf-32-le", "surrogatepass")
        table[np.frombuffer(marked, dtype=np.uint32) != points] |= bit
    table[_BMP - 1] = 0

    weights = np.zeros(_BMP, dtype=np.uint64)
    for bit, field in ((_LETTER, _F_LETTER), (_UPPERCASE, _F_UPPER), (_DIGITS, _F_DIGIT),
                       (_PUNCTS, _F_PUNCT)):
        weights[(table & bit) != 0] += np.uint64(1 << (_FIELD * field))
    weights[ord(",")] += np.uint64(1 << (_FIELD * _F_COMMA))

    # U+0130 is the one character str.lower turns into two (i and U+0307)
    lowered = bmp.replace("\u0130", "\x00").lower()
    assert len(lowered) == _BMP
    lc = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    low = np.where(lc < 0x100, lc, 0).astype(np.uint8)
    low[_BMP - 1] = 0
    return table, weights, low


def _class_table() -> np.ndarray:
    """The class bits of the Basic Multilingual Plane (see :func:`_tables`)."""
    return _tables()[0]


@functools.cache
def _astral_upper(cp: int) -> bool:
    return _ASTRAL_UPPER.match(chr(cp)) is not None


def _line_of(pos: Any, starts: np.ndarray, m: int) -> np.ndarray:
    """Per line, how many of the positions ``pos`` of the joined text fall in it."""
    if not len(pos):
        return np.zeros(m)
    return np.bincount(np.searchsorted(starts, pos, side="right") - 1, minlength=m).astype(
        np.float64
    )


def _markers(text: str, cps: np.ndarray, cls: np.ndarray, astral: np.ndarray | None
             ) -> dict[str, Any]:
    """What ``_MARKERS.finditer(text)`` finds: the start positions of its matches, by
    group name.

    Separator matches are whitespace, one symbol, whitespace; the others never contain
    whitespace and none of them is a lone separator symbol, so no separator match can
    overlap any other match and the two kinds are found apart. Separators: the start of
    every such triple, keeping (as the left-to-right scan does) every other one of a chain
    that overlaps by one character. The rest: ``_REST`` is tried, left to right and past
    the end of each match, at every position where one of its alternatives could start
    (a superset, from the class bits and the next few characters); elsewhere it cannot
    match.
    """
    n = len(cps)
    at = np.zeros(0, dtype=np.int64)
    if n >= 3:
        space = (cls & _RX_SPACE) != 0
        at = (space[:-2] & ((cls[1:-1] & _SEP_SYM) != 0) & space[2:]).nonzero()[0]
        if len(at) > 1:
            chained = np.concatenate([[False], at[1:] - at[:-1] == 2])
            if chained.any():
                k = np.arange(len(at))
                first = np.maximum.accumulate(np.where(chained, 0, k))
                at = at[(k - first) % 2 == 0]
    # where url / date / copy may start
    p = ((cls & _REST_FIRST) != 0).nonzero()[0]
    padded = np.concatenate([cps, np.zeros(4, dtype=np.uint32)])
    c, n1, n2, n3 = padded[p], padded[p + 1], padded[p + 2], padded[p + 3]
    n4 = padded[p + 4]

    def isin(a: np.ndarray, chars: str) -> np.ndarray:
        out = a == ord(chars[0])
        for ch in chars[1:]:
            out |= a == ord(ch)
        return out

    date = (
        isin(n1, "-/.:") | isin(n2, "-/.:") | isin(n3, "-/.:") | isin(n4, "-/.")
        | ((c == ord("1")) & (n1 == ord("9"))) | ((c == ord("2")) & (n1 == ord("0")))
    )
    date &= (cls[p] & _RX_DIGIT) != 0
    prev = cls[p - 1] if len(p) else cls[:0]
    after_word = ((prev & _RX_WORD) != 0) & (p > 0)
    if astral is not None:
        after_word &= ~astral[p - 1]
    date &= ~after_word
    cand = (
        date
        | ((c == ord("h")) & (n1 == ord("t")) & (n2 == ord("t")) & (n3 == ord("p")))
        | ((c == ord("w")) & (n1 == ord("w")) & (n2 == ord("w")) & (n3 == ord(".")))
        | ((c == ord(".")) & isin(n1, "conh"))
        | (c == ord("@"))
        | (c == ord("©"))
        | ((c == ord("(")) & isin(n1, "cC") & (n2 == ord(")")))
        | (isin(c, "Cc") & isin(n1, "oO") & isin(n2, "pP"))
    )
    starts = p[cand]
    if astral is not None:  # possible digits outside the table
        starts = np.union1d(starts, astral.nonzero()[0])
    found: dict[str, Any] = {"sep": at, "url": [], "date": [], "copy": []}
    end = 0
    match = _REST.match
    for q in starts.tolist():
        if q < end:
            continue
        mt = match(text, q)
        if mt is not None:
            found[mt.lastgroup or "url"].append(q)
            end = mt.end()
    return found


#: A document of more non-blank lines than this gets its own columns in ranges of about
#: this many lines (:func:`_own_spans`): the per-character arrays of the whole document
#: (about 450 bytes a line) are then never all in memory at once.
OWN_CHUNK_LINES = 1 << 14


def _own_spans(lines: Sequence[str], size: int | None = None) -> list[tuple[int, int]]:
    """Ranges of ``lines`` whose own columns, computed apart, equal those of the whole
    document: each cut falls between two lines whose joining newline no separator match
    can take as its white space (see :func:`_isolated`), so no match and no chain of them
    crosses it; the other markers never contain white space. One range when a line holds
    a newline of its own (:func:`_function_words` reads such a document as a whole)."""
    m = len(lines)
    size = OWN_CHUNK_LINES if size is None else size
    if m <= size or any("\n" in s for s in lines):
        return [(0, m)]
    sym = _SEP_CHARS
    cuts = [0]
    r = size
    while r < m:
        # the first safe cut at or after r (lines r - 1 and r apart)
        while r < m and (lines[r][0] in sym or lines[r - 1][:_SAMPLE][-1] in sym):
            r += 1
        if r >= m:
            break
        cuts.append(r)
        r += size
    cuts.append(m)
    return list(itertools.pairwise(cuts))


def _own_matrix(lines: Sequence[str], full_len: np.ndarray | None = None) -> np.ndarray:
    """The OWN columns of ``lines`` (see :func:`_own_block`), a range of lines at a time
    for a huge document (:func:`_own_spans`); each row the same either way."""
    m = len(lines)
    if full_len is None:
        full_len = np.fromiter(map(len, lines), np.int64, count=m)
    spans = _own_spans(lines)
    if len(spans) == 1:
        return _own_block(lines, full_len)
    own = np.zeros((m, len(OWN)))
    for a, b in spans:
        own[a:b] = _own_block(lines[a:b], full_len[a:b])
    return own


def _own_block(lines: Sequence[str], full_len: np.ndarray | None = None) -> np.ndarray:
    """The OWN columns for non-blank stripped ``lines`` (one row each), computed over the
    whole document at once: the lines' first ``_SAMPLE`` characters are joined with
    newlines and decoded into one array of code points; every per-character count is a
    table lookup and a sum per line, and the patterns run once over the document or only
    where they can match. Only lines longer than the sample get per-line string work for
    the columns that read the whole line (length, words, commas, sentence end)."""
    m = len(lines)
    if full_len is None:
        full_len = np.fromiter(map(len, lines), np.int64, count=m)
    long = (full_len > _SAMPLE).nonzero()[0].tolist()
    samples = [s[:_SAMPLE] for s in lines] if long else lines
    lens = np.minimum(full_len, _SAMPLE)
    ends = (lens + 1).cumsum() - 1  # one past each line's last character
    starts = ends - lens
    text = "\n".join(samples)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table, weights, lowtab = _tables()
    astral = None
    idx = cps
    if cps.max() >= _BMP:
        astral = cps >= _BMP
        idx = np.minimum(cps, _BMP - 1)
    cls = table[idx]
    w = weights[idx]

    # words as str.split() sees them, and title-case words as _TITLE finds them
    ns = (cls & _SPLIT) == 0
    word_start = ns.copy()
    word_start[1:] &= ~ns[:-1]
    tok = word_start.nonzero()[0]
    w[tok] += np.uint64(1 << (_FIELD * _F_WORD))
    title = (cls & _RX_UPPER) != 0
    if astral is not None:
        at = astral.nonzero()[0]
        title[at] = [_astral_upper(int(cp)) for cp in cps[at]]
    title[1:] &= (cls[:-1] & _RX_SPACE) != 0
    w[title] += np.uint64(1 << (_FIELD * _F_TITLE))
    sums = np.add.reduceat(w, starts)
    mask = np.uint64((1 << _FIELD) - 1)

    def field(f: int) -> np.ndarray:
        return ((sums >> np.uint64(_FIELD * f)) & mask).astype(np.float64)

    alpha, upper, digits, punct = field(_F_LETTER), field(_F_UPPER), field(_F_DIGIT), \
        field(_F_PUNCT)
    commas, split_words, titles = field(_F_COMMA), field(_F_WORD), field(_F_TITLE)
    sample_words = np.maximum(split_words, 1.0)
    found = _markers(text, cps, cls, astral)

    # sentence end: the last character of the line's last 8 that is not a closing quote
    # or bracket is a sentence end
    at = ends[:, None] - _BACK8  # the last 8 characters, last first
    tail = np.where(at >= starts[:, None], cls[np.maximum(at, 0)], 0)
    k = ((tail & _CLOSER) == 0).argmax(axis=1)  # the first that is not a closer
    sent_end = (tail[np.arange(m), k] & _END) != 0
    bullet = np.zeros(m, dtype=bool)
    first = cls[starts]
    maybe = (first & (_BULLET_CH | _RX_DIGIT)) != 0
    if astral is not None:
        maybe |= astral[starts]
    for r in maybe.nonzero()[0].tolist():
        bullet[r] = _BULLET.match(samples[r]) is not None

    words = split_words.copy()
    if long:
        for r in long:
            s = lines[r]
            words[r] = len(s.split())
            commas[r] += s.count(",", _SAMPLE)
            sent_end[r] = _SENT_END.search(s[-8:]) is not None
    for r in ((words <= 2) & (full_len > 12)).nonzero()[0].tolist():
        words[r] = word_count(lines[r])
    func = _function_words(text, tok, ns, idx, lowtab, split_words, m)

    mlen = np.maximum(lens, 1).astype(np.float64)
    own = np.zeros((m, len(OWN)))
    own[:, 0] = np.log1p(full_len.astype(np.float64))
    own[:, 1] = np.log1p(words)
    own[:, 2] = sent_end
    own[:, 3] = alpha / mlen
    own[:, 4] = digits / mlen
    own[:, 5] = np.divide(upper, alpha, out=np.zeros(m), where=alpha > 0)
    own[:, 6] = punct / mlen
    own[:, 7] = np.minimum(titles / sample_words, 1.0)
    own[:, 8] = commas / np.maximum(words, 1)
    own[:, 9] = np.minimum(func / sample_words, 1.0)
    own[:, 10] = bullet
    own[:, 11] = np.log1p(_line_of(found["sep"], starts, m))
    own[:, 12] = _line_of(found["url"], starts, m) > 0
    own[:, 13] = _line_of(found["date"], starts, m) > 0
    own[:, 14] = _line_of(found["copy"], starts, m) > 0
    own[:, 15] = (alpha >= 3) & (upper == alpha)
    return own


@functools.cache
def _fw_hash() -> tuple[np.uint64, np.ndarray]:
    """A multiplier that sends the function-word keys to distinct slots of a 2**16 table
    (``(key * mult) >> 48``), and that table (each key in its slot, 0 elsewhere)."""
    keys = _FW_KEYS
    mult = 0x9E3779B97F4A7C15
    with np.errstate(over="ignore"):
        while True:
            slots = (keys * np.uint64(mult)) >> np.uint64(48)
            if len(np.unique(slots)) == len(keys):
                break
            mult = (mult + 0x2545F4914F6CDD1D) % (1 << 64) | 1
    table = np.zeros(1 << 16, dtype=np.uint64)
    table[slots] = keys
    return np.uint64(mult), table


def _function_words(text: str, tok: np.ndarray, ns: np.ndarray, idx: np.ndarray,
                    lowtab: np.ndarray, split_words: np.ndarray, m: int) -> np.ndarray:
    """Per line, how many of the words of ``text.lower().split("\n")[line].split()`` are
    function words.

    ``str.lower`` keeps whitespace where it is (checked over all of Unicode by the tests),
    so the lowered words are the words of the text, lowered. A word is a function word
    only if it is at most ``_FW_MAX`` characters long and each character lowers to one
    Latin-1 character (the only one that lowers to more, U+0130, gives U+0307): such a
    word is keyed by those characters and its length and looked up."""
    if int(np.count_nonzero(idx == 0x0A)) != m - 1:
        # a line holds a newline of its own: count as the first implementation did
        low = text.lower()
        return np.fromiter((sum(map(_FUNCTION_WORDS.__contains__, t.split()))
                            for t in low.split("\n")), np.float64, count=m)
    word_end = ns.copy()
    word_end[:-1] &= ~ns[1:]
    length = np.minimum(word_end.nonzero()[0] + 1 - tok, _FW_MAX + 1)
    # the 8 lowered characters from each word's start, read as one little-endian uint64;
    # keep the word's own (at most _FW_MAX), put its length above them
    low = np.zeros(len(idx) + 8, dtype=np.uint8)
    low[:-8] = lowtab[idx]
    window = np.ndarray((len(idx),), dtype="<u8", buffer=low, strides=(1,))
    key = (window[tok] & _FW_MASK[length]) | _FW_LEN[length]
    mult, slots = _fw_hash()
    with np.errstate(over="ignore"):
        fw = (slots[(key * mult) >> np.uint64(48)] == key).astype(np.float64)
    c = np.concatenate([[0.0], np.cumsum(fw)])
    bounds = np.concatenate([[0], np.cumsum(split_words.astype(np.int64))])
    return c[bounds[1:]] - c[bounds[:-1]]


def _dist(flags: np.ndarray, reverse: bool) -> np.ndarray:
    """Distance (in rows) to the nearest earlier (or later) row where ``flags`` is set;
    ``len`` when there is none."""
    m = len(flags)
    if reverse:
        flags = flags[::-1]
    idx = np.arange(m)
    last = np.maximum.accumulate(np.where(flags, idx, -1))
    d = np.empty(m)
    d[0] = m
    d[1:] = np.where(last[:-1] >= 0, idx[1:] - last[:-1], m)
    return d[::-1] if reverse else d


def _window_means(v: np.ndarray, ks: tuple[int, ...]) -> list[np.ndarray]:
    """Mean of ``v`` over rows r-k..r+k (clipped to the document), for every row r, for
    each k of ``ks`` (one running sum for all of them)."""
    c = np.concatenate([[0.0], np.cumsum(v)])
    m = len(v)
    r = np.arange(m)
    out = []
    for k in ks:
        lo = np.maximum(r - k, 0)
        hi = np.minimum(r + k + 1, m)
        out.append((c[hi] - c[lo]) / np.maximum(hi - lo, 1))
    return out


# The own columns _own_matrix computes (all of OWN before "trimmed") read each line alone,
# but for the separator count: a separator match (white space, symbol, white space) can
# take the newline joining two lines as its white space, so a line's count can depend on
# its neighbours, and so can the parity of a chain of them. It cannot when neither the
# line's first character, nor the last of its sample, nor the next line's first character
# is a separator symbol; such a line's row is the same in any document.
_OWN_LOCAL = OWN.index("trimmed")
_SEP_CHARS = frozenset("|»›>·•/-")  # _SEP_SYM


def _isolated(lines: Sequence[str]) -> list[bool]:
    """Per stripped non-blank line: is its own-column row independent of its neighbours?"""
    sym = _SEP_CHARS
    heads = [s[0] in sym for s in lines]
    out = [not h and s[:_SAMPLE][-1] not in sym for s, h in zip(lines, heads, strict=True)]
    for r in range(len(lines) - 1):
        if heads[r + 1]:
            out[r] = False
    return out


def _own_from_cache(lines: Sequence[str], cache: dict[str, np.ndarray]) -> np.ndarray | None:
    """The own-column matrix of ``lines`` from rows remembered for the same lines in an
    earlier pass, when every line has one and is isolated here too (else ``None``)."""
    if len(lines) > OWN_CHUNK_LINES:
        return _own_from_cache_big(lines, cache)
    rows = []
    get = cache.get
    for s, ok in zip(lines, _isolated(lines), strict=True):
        row = get(s) if ok else None
        if row is None:
            return None
        rows.append(row)
    own = np.zeros((len(lines), len(OWN)))
    own[:, :_OWN_LOCAL] = rows
    return own


def _own_from_cache_big(lines: Sequence[str], cache: dict[str, np.ndarray]
                        ) -> np.ndarray | None:
    """:func:`_own_from_cache` for a huge document: each distinct line's row looked up
    once and spread by index (a list of a row view per line, which numpy also copies into
    one array before assigning, took about 300 bytes a line)."""
    if not all(_isolated(lines)):
        return None
    at: dict[str, int] = {}
    inv = np.fromiter((at.setdefault(s, len(at)) for s in lines), np.intp, count=len(lines))
    rows = list(map(cache.get, at))
    if any(r is None for r in rows):
        return None
    own = np.zeros((len(lines), len(OWN)))
    own[:, :_OWN_LOCAL] = np.array(rows)[inv]
    return own


def _own_to_cache(lines: Sequence[str], own: np.ndarray, cache: dict[str, np.ndarray]) -> None:
    if any("\n" in s for s in lines):
        return  # _function_words reads such a document another way
    # the rows of lines not cached yet, copied once each (a view of ``own`` would keep
    # the whole matrix alive for the document's later passes: 160 MB a million lines)
    first: dict[str, int] = {}
    for r, (s, ok) in enumerate(zip(lines, _isolated(lines), strict=True)):
        if ok and s not in cache:
            first.setdefault(s, r)
    if first:
        cache.update(zip(first, own[list(first.values()), :_OWN_LOCAL], strict=True))


def extract(
    pieces: Sequence[str], hits: Any, rs: Any, extra: Any = None, kind: str = "text",
    own_cache: dict[str, np.ndarray] | None = None, squeeze: bool = False,
    size_cap: int | None = None,
) -> np.ndarray:
    """The feature matrix (one row per input line) for one document.

    ``pieces`` are the lines after rule trims; ``hits`` the :class:`RuleHits` for them;
    ``rs`` the :class:`RuleSet`; ``extra`` the front end's per-line extra features (an
    array with one row per line, or a :class:`scrubber.html.DomFeatures`) for
    ``kind == "html"``; for ``kind == "markdown"``, one row per line of its link
    characters, its number of links and 1 for a heading (:func:`markdown_rows`; ``None``:
    no markup). ``squeeze``: read each line as :func:`squeezed` gives it (the decision
    path does; training reads lines as rendered). ``size_cap``: the document-size
    columns (a line's distance from either end, the number of lines) read at most this
    many lines (a model's card's ``size_cap``: see :func:`extract_parts`; ``None``: as
    they are).
    """
    parts = extract_parts(pieces, hits, rs, extra, kind, own_cache, squeeze, size_cap)
    return parts.rows(0, parts.n)


class Parts:
    """A document's feature matrix as its column blocks, one row per non-blank line
    (``nb``: their indices among the ``n`` input lines); :meth:`rows` assembles any
    range of the matrix's rows. A huge document is scored a range at a time
    (:meth:`scrubber.model.Model.score`), so its whole matrix (87 float64 columns: 700 MB
    for a million lines) and the model's copies of it are never in memory at once."""

    __slots__ = ("blocks", "n", "nb", "width")

    def __init__(self, n: int, nb: np.ndarray, blocks: Sequence[np.ndarray], width: int) -> None:
        self.n, self.nb, self.blocks, self.width = n, nb, list(blocks), width

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of the matrix :func:`extract` returns, the same values."""
        if not self.blocks:
            return np.zeros((stop - start, self.width))
        m, n = len(self.nb), self.n
        if start == 0 and stop == n:
            k0, k1 = 0, m
        else:
            k0, k1 = np.searchsorted(self.nb, [start, stop]).tolist()
        blocks = self.blocks if (k0, k1) == (0, m) else [b[k0:k1] for b in self.blocks]
        if k1 - k0 == stop - start:
            return np.concatenate(blocks, axis=1)
        out = np.zeros((stop - start, self.width))
        out[self.nb[k0:k1] - start] = np.concatenate(blocks, axis=1)
        return out


def squeezed(line: str) -> str:
    """``line`` as the decision path's features read it (:func:`extract` with
    ``squeeze``): stripped, and a line with a run of white space in it (two spaces, a
    tab, a no-break space) with each run written as one space.

    Source indentation reaches the text when an extractor keeps a layout table's cell
    whole (trafilatura writes it as a ``| ... |`` row) and inscriptis pads table columns;
    a paragraph behind 150 spaces and tabs looked like no prose at all to the shape
    fractions, which read a line's first ``_SAMPLE`` characters (held-out L3S-GN1 pages
    of one news site lost their whole article so). Squeezed, it reads as the other
    renderers write the same paragraph. Training reads lines as rendered: the shipped
    nets were trained so, and training on squeezed lines gained nothing (README, "The
    model").

    >>> squeezed("|  \t\t  By A. Writer      42 minutes ago |")
    '| By A. Writer 42 minutes ago |'
    """
    return " ".join(line.split()) if _has_space_run(line) else line.strip()


def _has_space_run(text: str) -> bool:
    """Whether ``text`` holds a run of white space :func:`squeezed` reads as one space."""
    return "  " in text or "\t" in text or "\xa0" in text


# A model's document-size columns (a line's distance from the start and from the end,
# the document's number of lines) read at most its card's ``size_cap`` lines: the most
# non-blank lines of one of its training documents (``scrubber.train.fit.size_cap_of``),
# so the cap moves no training row. Without it, a document longer than any the model
# saw was read by extrapolation: a text of 16,000 plain lines lost one line from its end
# at each of 16 settle passes (and was no fixed point), and 6,000 paragraphs of news
# articles' gold text kept 703 (2,444 with the cap; README, "The model").
def extract_parts(
    pieces: Sequence[str], hits: Any, rs: Any, extra: Any = None, kind: str = "text",
    own_cache: dict[str, np.ndarray] | None = None, squeeze: bool = False,
    size_cap: int | None = None,
) -> Parts:
    """What :func:`extract` computes, as :class:`Parts` (see there)."""
    n = len(pieces)
    stripped = list(map(str.strip, pieces))
    # (one check of the whole document first: most hold no run at all)
    if squeeze and _has_space_run("\n".join(stripped)):
        stripped = list(map(squeezed, stripped))
    full_len = np.fromiter(map(len, stripped), np.int64, count=n)
    nb = full_len.nonzero()[0]
    m = len(nb)
    if not m:
        return Parts(n, nb, [], _width(kind))
    lines = [s for s in stripped if s]
    del stripped
    own = None if own_cache is None else _own_from_cache(lines, own_cache)
    if own is None:
        own = _own_matrix(lines, full_len[nb])
        if own_cache is not None:
            _own_to_cache(lines, own, own_cache)

    # the rules' verdicts
    rules = rs.rules
    drop = np.asarray(hits.drop, dtype=np.int64)[nb]
    hint = np.asarray(hits.hint, dtype=np.int64)[nb]
    # a cut suffix ("... Read more") marks a teaser; a cut prefix (a date stamp) says
    # nothing of what follows it, mostly the first paragraph of a post (training pages:
    # long remainders of suffix trims 119 clutter / 15 body, of prefix trims 1 / 16)
    suffix = [rules[t[2]].scope == "suffix" if t is not None else False for t in hits.trim]
    trimmed = np.fromiter(suffix, bool, count=n)[nb]
    own[:, _OWN_IDX["rule_drop"]] = drop >= 0
    own[:, _OWN_IDX["rule_hint"]] = hint >= 0
    own[:, _OWN_IDX["trimmed"]] = trimmed
    # (0/1 columns: int8 here, exactly 0.0 / 1.0 once assembled; an eighth of the memory)
    fam_h = np.zeros((m, len(FAMILIES)), dtype=np.int8)
    fam_d = np.zeros((m, len(FAMILIES)), dtype=np.int8)
    for fam, which in ((fam_d, drop), (fam_h, hint)):
        rows = (which >= 0).nonzero()[0]
        if len(rows):
            f_of = {d: _FAM_IDX.get(rules[d].family, -1) for d in set(which[rows].tolist())}
            f = np.array([f_of[d] for d in which[rows].tolist()], dtype=np.int64)
            fam[rows[f >= 0], f[f >= 0]] = 1
    keys = list(map(str.casefold, lines))
    if len(set(keys)) < m:
        counts = Counter(keys)
        own[:, _OWN_IDX["repeated"]] = [counts[k] > 1 for k in keys]
        del counts
    del keys  # (a folded copy of every line: not kept while the arrays below are made)

    # the neighbours' columns: rows of one zero-padded copy, shifted by -2, -1, +1, +2
    padded = np.zeros((m + 4, len(NEIGH)))
    padded[2 : m + 2] = own[:, _NEIGH_IDX]
    blocks = [own, fam_h, fam_d, padded[:m], padded[1 : m + 1], padded[3 : m + 3],
              padded[4 : m + 4]]

    log_chars = own[:, 0]
    dropped = own[:, _OWN_IDX["rule_drop"]] > 0
    prose = (own[:, 2] > 0) & (own[:, 1] >= math.log1p(8)) & ~dropped
    short = own[:, 1] < math.log1p(10)
    # run length of consecutive short lines containing each line (0 for a long line)
    run = np.zeros(m)
    if short.any():
        padded_short = np.concatenate([[0], short.astype(np.int8), [0]])
        edges = padded_short[1:] - padded_short[:-1]
        lengths = (edges == -1).nonzero()[0] - (edges == 1).nonzero()[0]
        run[short] = lengths.repeat(lengths)
    # a blank line just before / after: the neighbouring input line is not in nb
    gap = nb[1:] - nb[:-1] > 1
    blank_before = np.concatenate([[nb[0] > 0], gap]).astype(np.float64)
    blank_after = np.concatenate([gap, [nb[-1] + 1 < n]]).astype(np.float64)
    pos = np.arange(m, dtype=np.float64)
    pf = prose.astype(np.float64)
    df = dropped.astype(np.float64)
    # the CONTEXT columns, filled in place (one array, no per-column stacking)
    ctx = np.empty((m, len(CONTEXT)))
    ctx[:, 0] = blank_before
    ctx[:, 1] = blank_after
    ctx[:, 2] = pos / max(m - 1, 1)
    # (each log1p over the very array it always read: numpy's SIMD and scalar loops can
    # differ in the last bit, and which one runs depends on the memory layout)
    from_end = m - 1 - pos
    if size_cap is not None and m > size_cap:
        pos, from_end = np.minimum(pos, size_cap), np.minimum(from_end, size_cap)
    ctx[:, 3] = np.log1p(pos)
    ctx[:, 4] = np.log1p(from_end)
    ctx[:, 5] = np.log1p(_dist(prose, False))
    ctx[:, 6] = np.log1p(_dist(prose, True))
    ctx[:, 7] = np.log1p(_dist(dropped, False))
    ctx[:, 8] = np.log1p(_dist(dropped, True))
    for j, w in enumerate((*_window_means(pf, (3, 10)), *_window_means(df, (3, 10)))):
        ctx[:, 9 + j] = w
    ctx[:, 13] = np.log1p(run)
    ctx[:, 14] = log_chars / max(log_chars.max(), 1e-9)
    ctx[:, 15] = math.log1p(m if size_cap is None else min(m, size_cap))
    ctx[:, 16] = pf.mean()
    ctx[:, 17] = math.log1p(np.expm1(log_chars).sum())
    ctx[:, 18] = df.mean()
    blocks.append(ctx)
    if kind == "html":
        ex = np.asarray(getattr(extra, "matrix", extra), dtype=np.float64)
        blocks.append(ex[nb])
    elif kind == "markdown":
        blocks.append(_markdown_block(extra, nb, full_len[nb].astype(np.float64)))
    return Parts(n, nb, blocks, _width(kind))


def markdown_rows(view: Any, idx: Sequence[int], pieces: Sequence[str]) -> np.ndarray | None:
    """The ``extra`` of :func:`extract` for ``kind == "markdown"``: ``pieces[j]`` is line
    ``idx[j]`` of ``view`` (a :class:`scrubber.lines.MarkupView`, or ``None``), or a piece
    of it."""
    if view is None:
        return None
    out = np.zeros((len(pieces), 3))
    heads = view.headings
    for j, (i, piece) in enumerate(zip(idx, pieces, strict=True)):
        out[j, :2] = view.links(i, piece)
        if i in heads:
            out[j, 2] = 1.0
    return out


def _markdown_block(extra: Any, nb: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """The :data:`MARKDOWN` columns of the non-blank lines ``nb`` (``chars``: their
    lengths, stripped)."""
    m = len(nb)
    out = np.zeros((m, len(MARKDOWN)))
    if extra is None:
        return out
    ex = np.asarray(extra, dtype=np.float64)[nb]
    link = ex[:, 0]
    frac = np.minimum(link / np.maximum(chars, 1.0), 1.0)
    out[:, 0] = frac
    out[:, 1] = np.log1p(ex[:, 1])
    out[:, 2] = ex[:, 2]
    out[1:, 3] = frac[:-1]
    out[:-1, 4] = frac[1:]
    w3, w10 = _window_means(frac, (3, 10))
    out[:, 5] = w3
    out[:, 6] = w10
    out[:, 7] = link.sum() / max(chars.sum(), 1.0)
    return out


# ------------------------------------------------------------ second stage (HTML model)
# The HTML model scores in two stages (stacking): the first reads each block's own
# features, the second reads them again together with the first stage's scores pooled
# over the page: along the reading order (neighbours, windows, body text above and
# below) and up the DOM tree (the score and share of the page's body text of each of the
# block's nearest ancestor elements, and whether it sits in the element holding most of
# the page's body text). A list item whose element is full of body-scored text rises; a
# prose-like block in a sidebar whose siblings all scored as clutter sinks. Measured on
# held-out sites (the blocks front end): line AUC 0.945 -> 0.953; WCXB word F1 0.802 ->
# 0.816 in the HTML track (README, "The model").
SCORE_SEQ = [
    "s", "s_prev1", "s_prev2", "s_prev3", "s_next1", "s_next2", "s_next3",
    "s_win2", "s_win5", "s_win12", "s_max_prev5", "s_max_next5",
    "body_above", "body_below", "log_dist_sure_above", "log_dist_sure_below",
    "doc_s_mean", "doc_sure_frac", "between_sure",
]
TREE_LEVELS = 5  # the block element itself and its 4 nearest ancestors
SCORE_TREE = [f"up{k}_{w}" for k in range(TREE_LEVELS) for w in ("mean", "share")] + [
    "in_c50", "in_c80", "c50_mean", "c50_chars", "c80_mean",
]
# Blocks built alike (the same tag path at the same depth: the cards of a grid, the rows
# of a list) and blocks of the same parent element, as groups: their size, mean score,
# share of the body text, share of sure body lines, best score.
SCORE_GROUPS = [
    "tpl_log_n", "tpl_mean", "tpl_share", "tpl_sure", "sib_log_n", "sib_sure", "sib_max",
]
SCORE_CONTEXT = SCORE_SEQ + SCORE_TREE + SCORE_GROUPS
_SURE = 0.8  # a first-stage score this high counts as a sure body line


def score_context(
    scores: np.ndarray,
    pieces: Sequence[str],
    bad: np.ndarray,
    ancestors: Sequence[Sequence[int]] | None = None,
    paths: Sequence[Sequence[str]] | None = None,
) -> np.ndarray:
    """The second stage's extra columns (:data:`SCORE_CONTEXT`), one row per line.

    ``scores`` are the first stage's body probabilities, ``bad`` marks lines a sure rule
    dropped (they count as score 0), ``ancestors`` each line's element serial numbers
    (:attr:`scrubber.html.Block.ancestors`; without them every line is its own element
    under one root), ``paths`` their tag paths (:attr:`scrubber.html.Block.path`; without
    them every line is its own template). Blank lines get a row of zeros.

    >>> x = score_context(np.array([0.9, 0.1, 0.8]), ["a", "b", "c"],
    ...                   np.zeros(3, bool), [(1, 2), (1, 3), (1, 2, 4)])
    >>> round(float(x[2, SCORE_CONTEXT.index("up1_mean")]), 3)  # element 2: lines 0 and 2
    0.85
    """
    n = len(pieces)
    out = np.zeros((n, len(SCORE_CONTEXT)))
    chars_all = np.fromiter(map(len, map(str.strip, pieces)), np.float64, count=n)
    nb = chars_all.nonzero()[0]
    m = len(nb)
    if not m:
        return out
    v_all = np.where(np.asarray(bad, dtype=bool), 0.0, np.asarray(scores, dtype=np.float64))
    v_all[chars_all == 0] = 0.0
    out[nb, : len(SCORE_SEQ)] = _score_sequence(v_all[nb], chars_all[nb])
    if ancestors is None:
        ancestors = [(0, i + 1) for i in range(n)]
    tree_end = len(SCORE_SEQ) + len(SCORE_TREE)
    out[:, len(SCORE_SEQ) : tree_end] = _score_tree(v_all, chars_all, ancestors)
    out[nb, tree_end:] = _score_groups(v_all, chars_all, nb, ancestors, paths)
    out[chars_all == 0] = 0.0
    return out


def _score_sequence(v: np.ndarray, chars: np.ndarray) -> np.ndarray:
    m = len(v)
    f = np.zeros((m, len(SCORE_SEQ)))
    w = np.log1p(chars)
    f[:, 0] = v
    pad = np.concatenate([np.zeros(3), v, np.zeros(3)])
    for k in (1, 2, 3):
        f[:, k] = pad[3 - k : 3 - k + m]
        f[:, 3 + k] = pad[3 + k : 3 + k + m]
    cv = np.concatenate([[0.0], np.cumsum(v * w)])
    cw = np.concatenate([[0.0], np.cumsum(w)])
    r = np.arange(m)
    for k, half in enumerate((2, 5, 12)):
        lo = np.maximum(r - half, 0)
        hi = np.minimum(r + half + 1, m)
        f[:, 7 + k] = (cv[hi] - cv[lo]) / np.maximum(cw[hi] - cw[lo], 1e-9)
    padm = np.concatenate([np.zeros(5), v, np.zeros(5)])
    # the best of lines r-5 .. r-1 and of r+1 .. r+5 (five shifted views; max is exact,
    # so this equals a sliding-window max, without its per-call set-up)
    f[:, 10] = np.maximum.reduce([padm[k : k + m] for k in range(5)])
    f[:, 11] = np.maximum.reduce([padm[k : k + m] for k in range(6, 11)])
    body = v * chars
    total = max(body.sum(), 1e-9)
    cb = np.cumsum(body)
    f[:, 12] = (cb - body) / total
    f[:, 13] = (cb[-1] - cb) / total
    sure = v >= _SURE
    above = _dist(sure, False)
    below = _dist(sure, True)
    f[:, 14] = np.log1p(np.minimum(above, 1000))
    f[:, 15] = np.log1p(np.minimum(below, 1000))
    f[:, 16] = (v * w).sum() / max(w.sum(), 1e-9)
    f[:, 17] = sure.mean()
    f[:, 18] = (above < m) & (below < m)
    return f


def _score_tree(
    v: np.ndarray, chars: np.ndarray, ancestors: Sequence[Sequence[int]]
) -> np.ndarray:
    n = len(v)
    f = np.zeros((n, len(SCORE_TREE)))
    lens = np.fromiter(map(len, ancestors), np.int64, count=n)
    total_len = int(lens.sum())
    if not total_len:
        return f
    flat = np.fromiter(itertools.chain.from_iterable(ancestors), np.int64, count=total_len)
    line_of = np.arange(n).repeat(lens)
    ends = lens.cumsum()
    starts = ends - lens
    nodes, node = _codes(flat)
    body = v * chars
    mass = np.bincount(node, weights=body[line_of], minlength=len(nodes))
    size = np.bincount(node, weights=chars[line_of], minlength=len(nodes))
    depth = np.zeros(len(nodes), dtype=np.int64)
    depth[node] = np.arange(total_len) - starts.repeat(lens)
    total = body.sum()
    mean = mass / np.maximum(size, 1.0)
    share = mass / max(total, 1e-9)
    for k in range(TREE_LEVELS):
        rows = (lens > k).nonzero()[0]
        at = node[ends[rows] - 1 - k]
        f[rows, 2 * k] = mean[at]
        f[rows, 2 * k + 1] = share[at]
    if total > 0:
        base = len(SCORE_TREE) - 5
        for j, (th, mean_col) in enumerate(((0.5, base + 2), (0.8, base + 4))):
            cand = (mass >= th * total).nonzero()[0]
            if not len(cand):
                continue
            c = cand[np.argmax(depth[cand])]  # the deepest such element
            f[line_of[node == c], base + j] = 1.0  # (a line at most once per element)
            f[:, mean_col] = mean[c]
            if th == 0.5:
                f[:, base + 3] = size[c] / max(chars.sum(), 1.0)
    return f


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for a non-empty 1-D integer array; by a
    table of the range when it is small (the serial numbers of a page's elements: no sort).

    >>> [a.tolist() for a in _codes(np.array([7, 3, 7, -1]))]
    [[-1, 3, 7], [2, 1, 2, 0]]
    """
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > 8 * len(values) + 4096:
        return np.unique(values, return_inverse=True)
    present = np.zeros(hi - lo + 1, dtype=bool)
    at = values - lo
    present[at] = True
    return present.nonzero()[0] + lo, (present.cumsum() - 1)[at]


def _score_groups(
    v: np.ndarray, chars: np.ndarray, nb: np.ndarray,
    ancestors: Sequence[Sequence[int]], paths: Sequence[Sequence[str]] | None,
) -> np.ndarray:
    """:data:`SCORE_GROUPS` for the non-blank lines ``nb``."""
    m = len(nb)
    f = np.zeros((m, len(SCORE_GROUPS)))
    vv, cc = v[nb], chars[nb]
    total = max(float((vv * cc).sum()), 1e-9)
    sure = (vv >= _SURE).astype(np.float64)
    if paths is None:
        tpl = np.arange(m)
    else:
        codes: dict[tuple[Any, int], int] = {}
        tpl = np.fromiter(
            (codes.setdefault((paths[i], len(ancestors[i])), len(codes)) for i in nb.tolist()),
            np.int64, count=m,
        )
    parent = np.fromiter(
        (ancestors[i][-2] if len(ancestors[i]) > 1 else -1 for i in nb.tolist()),
        np.int64, count=m,
    )
    _, parent = _codes(parent)
    n_t = np.bincount(tpl).astype(np.float64)
    mass_t = np.bincount(tpl, weights=vv * cc)
    f[:, 0] = np.log1p(n_t[tpl])
    f[:, 1] = (mass_t / np.maximum(np.bincount(tpl, weights=cc), 1.0))[tpl]
    f[:, 2] = mass_t[tpl] / total
    f[:, 3] = (np.bincount(tpl, weights=sure) / n_t)[tpl]
    n_p = np.bincount(parent).astype(np.float64)
    best = np.zeros(len(n_p))
    np.maximum.at(best, parent, vv)
    f[:, 4] = np.log1p(n_p[parent])
    f[:, 5] = (np.bincount(parent, weights=sure) / n_p)[parent]
    f[:, 6] = best[parent]
    return f
