"""Label each line of a rendered page body (1) or clutter (0) by aligning it to the gold text.

    >>> from scrubber.train.label import label_text
    >>> body = "Owls see well in the dark and hear even better."
    >>> gold = "Why owls hunt at night\\n" + body
    >>> text = "Home | About | Contact\\n\\nWhy owls hunt at night\\n" + body + "\\nShare"
    >>> lines, result = label_text(text, gold)
    >>> result.labels
    [0, -1, 1, 1, 0]

How a line is labelled (all matching on lower-cased, NFKC-normalised word tokens, ``\\w+``
Unicode; characters of scripts written without spaces, i.e. Han, Hiragana, Katakana, Thai, Lao,
Khmer and Myanmar, are one token each, so CJK text is matched by character n-grams):

1. **Blank** lines (no non-space character) get label ``-1`` (ignored) and score 0. Lines with
   characters but no word token (``"|"``, ``"»"``, ``"* * *"``) are clutter (0).
2. **Long** lines (>= :data:`SHINGLE` tokens): score = share of the line's 4-token shingles found
   among the gold's shingles. Lines scoring >= ``threshold`` (:data:`THRESHOLD`) are
   *candidates*, placed in the gold by voting on ``gold position - line position`` of their
   matched shingles (a shingle occurring k times in the gold gives each position 1/k vote).
3. **Order**: the heaviest chain of candidates whose gold positions increase with the line
   order (weighted longest increasing subsequence; weight = matched shingles × score) is body.
   A candidate off that chain is body too (content the renderer reordered) unless its gold span
   is already mostly claimed: then it is a copy (see 6).
4. **Reworded gold**: a long line that failed 2 but lies between two body lines is body when
   >= :data:`BAG_SHARE` of its tokens are unclaimed gold tokens of the gold window between
   them (a table row the gold rewrote as a sentence).
5. **Short** lines (1-3 tokens): body when the tokens occur as a contiguous run of unclaimed
   gold tokens *inside the gold window between the neighbouring body lines* (plus
   :data:`SLACK` tokens). So a heading ("Why owls hunt") between two body paragraphs is body,
   while a menu item ("Home") whose word only occurs far away in the gold is clutter.
   Score: 1.0 when the run occurs anywhere in the gold, else 0.0.
6. **Copies**: when the page shows a text more often than the gold has it (``<title>`` and
   ``<h1>``, a table of contents and the section headings, a headline repeated under "related
   stories", quoted forum posts), the claimed gold spans go to the copies that fit the gold
   order of their neighbours and are followed by body; the other copies are clutter even
   though their score is high.

Before matching, gold words glued together by a bad line-unwrapping (``"regulationthat"``) are
split when both halves occur in the rendered text (CleanEval has such golds).

Gold positions come from an index (token -> positions, shingle -> positions, capped at
:data:`MAX_POSITIONS`), so the cost is about linear in the page size: a typical page labels in
a few milliseconds (median 1-6 ms on the shared sets, p90 4-25 ms).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import regex

__all__ = [
    "BAG_SHARE",
    "LABEL_VERSION",
    "MAX_POSITIONS",
    "SHINGLE",
    "SLACK",
    "THRESHOLD",
    "GoldIndex",
    "LineLabels",
    "index_gold",
    "label_lines",
    "label_text",
    "split_lines",
    "tokenize",
]

LABEL_VERSION = "label-2"
"""Bump when the labelling rules change: it is part of the dataset cache key."""

SHINGLE = 4
"""Shingle length in tokens; lines shorter than this are matched as contiguous runs."""

THRESHOLD = 0.5
"""Default minimum share of a long line's shingles that must occur in the gold."""

SLACK = 16
"""Tokens of slack around the gold window in which a short line may match."""

BAG_SHARE = 0.8
"""Share of a rejected long line's tokens that must be free gold tokens of its window."""

MAX_POSITIONS = 64
"""Cap on gold positions kept per shingle (votes) - bounds work on repetitive pages."""

_SCRIPTIO_CONTINUA = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_TOKEN_RE = regex.compile(rf"[{_SCRIPTIO_CONTINUA}]|[^\W{_SCRIPTIO_CONTINUA}]+", regex.V1)
_HAS_CONTINUA = regex.compile(rf"[{_SCRIPTIO_CONTINUA}]")
_ASCII_WORD_RE = re.compile(r"\w+")
_WORD_RE = regex.compile(r"\w+")  # the regex module's \w includes combining marks

Shingle = tuple[str, ...]


def tokenize(text: str) -> list[str]:
    """Labeller tokens: NFKC + lower-case, ``\\w+`` runs, CJK/Thai-like characters one each.

    >>> tokenize("Hello, WORLD! 東京タワー")
    ['hello', 'world', '東', '京', 'タ', 'ワ', 'ー']
    """
    if not text:
        return []
    if text.isascii():
        return _ASCII_WORD_RE.findall(text.lower())
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", text).lower())
    out: list[str] = []
    for word in words:
        if word.isascii() or _HAS_CONTINUA.search(word) is None:
            out.append(word)
        else:
            out.extend(_TOKEN_RE.findall(word))
    return out


def split_lines(text: str) -> list[str]:
    """The lines of a rendered text (``str.splitlines``; no trailing empty line)."""
    return text.splitlines()


@dataclass(slots=True)
class GoldIndex:
    """Token and shingle positions of a gold text (build with :func:`index_gold`).

    Attributes:
        tokens: the gold's labeller tokens, all gold lines as one stream.
        positions: token -> sorted positions in ``tokens``.
        shingles: 4-token shingle -> first :data:`MAX_POSITIONS` start positions.
        counts: 4-token shingle -> number of occurrences (uncapped).
    """

    tokens: list[str]
    positions: dict[str, list[int]]
    shingles: dict[Shingle, list[int]]
    counts: dict[Shingle, int]

    def __len__(self) -> int:
        return len(self.tokens)


def _split_glued(tokens: list[str], vocab: set[str] | frozenset[str]) -> list[str]:
    """Split gold tokens absent from ``vocab`` into two tokens that are both in it.

    Repairs words a gold conversion glued together when joining hard-wrapped lines
    (``"regulationthat"`` -> ``"regulation", "that"``); the split with the longest shorter part
    wins. Tokens in ``vocab`` and tokens with no such split are kept.
    """
    out: list[str] = []
    for tok in tokens:
        if tok in vocab or len(tok) < 3:
            out.append(tok)
            continue
        best = 0
        for i in range(1, len(tok)):
            if min(i, len(tok) - i) > min(best, len(tok) - best) and (
                tok[:i] in vocab and tok[i:] in vocab
            ):
                best = i
        if best:
            out.extend((tok[:best], tok[best:]))
        else:
            out.append(tok)
    return out


def index_gold(gold: str, vocab: set[str] | frozenset[str] | None = None) -> GoldIndex:
    """Index a gold text for :func:`label_lines`.

    Args:
        gold: the gold text.
        vocab: tokens of the text that will be labelled; when given, gold tokens missing from
            it are split into two vocabulary tokens where possible (see :func:`_split_glued`).
            Reuse an index built without ``vocab`` across several renders of a page.
    """
    base = _base_index(gold)
    tokens = _split_glued(base.tokens, vocab) if vocab else base.tokens
    if tokens == base.tokens:
        return base
    return _build_index(tokens)


@lru_cache(maxsize=8)
def _base_index(gold: str) -> GoldIndex:
    """The index of a gold without repair (cached: a page is labelled once per renderer)."""
    return _build_index(tokenize(gold))


def _build_index(tokens: list[str]) -> GoldIndex:
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        found = positions.get(tok)
        if found is None:
            positions[tok] = [i]
        else:
            found.append(i)
    shingles: dict[Shingle, list[int]] = {}
    counts: dict[Shingle, int] = {}
    grams = zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False)
    for i, key in enumerate(grams):
        found = shingles.get(key)
        if found is None:
            shingles[key] = [i]
            counts[key] = 1
        else:
            counts[key] += 1
            if len(found) < MAX_POSITIONS:
                found.append(i)
    return GoldIndex(tokens, positions, shingles, counts)


@dataclass(slots=True)
class LineLabels:
    """Per-line labels (1 body, 0 clutter, -1 blank) and overlap scores in [0, 1]."""

    labels: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    def body_text(self, lines: Sequence[str]) -> str:
        """The lines labelled body, joined with newlines (the labeller's 'oracle' output)."""
        return "\n".join(line for line, lab in zip(lines, self.labels, strict=True) if lab == 1)


@dataclass(slots=True)
class _Cand:
    line: int
    start: int
    end: int
    weight: float  # matched shingles × score: full matches beat matches with extra words
    alternatives: list[tuple[int, int]]  # other plausible (start, end) spans, best first


def _tolerance(n_tok: int) -> int:
    """How far (tokens) a matched shingle may sit from the line's offset and still count."""
    return max(2, n_tok // 5)


def _place(toks: list[str], gold: GoldIndex) -> tuple[int, int, list[tuple[int, int]]]:
    """Matched and total shingle counts of a long line, and its gold spans, best first.

    Each matched shingle votes for ``gold position - line position``; a shingle occurring k
    times in the gold gives each of its positions 1/k of a vote, so rare shingles place a line
    and boilerplate phrases repeated throughout the gold do not. A span runs from the first to
    the last matched gold position near the voted offset (renderers insert and drop words, so
    the offset drifts along a line); other spans are offsets with at least half the best vote
    that are not near it.
    """
    total = len(toks) - SHINGLE + 1
    votes: dict[int, float] = {}
    hits: list[tuple[int, list[int], bool]] = []
    shingles = gold.shingles
    counts = gold.counts
    for i, key in enumerate(zip(toks, toks[1:], toks[2:], toks[3:], strict=False)):
        found = shingles.get(key)
        if found:
            n = counts[key]
            hits.append((i, found, n > len(found)))
            if n == 1:
                off = found[0] - i
                votes[off] = votes.get(off, 0.0) + 1.0
            else:
                weight = 1.0 / n
                for p in found:
                    votes[p - i] = votes.get(p - i, 0.0) + weight
    if not votes:
        return 0, total, []
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    best = ranked[0][1]
    tol = _tolerance(len(toks))
    chosen: list[int] = []
    for off, n in ranked:
        if n * 2 < best or len(chosen) >= 8:
            break
        if all(abs(off - c) > tol for c in chosen):
            chosen.append(off)
    spans = []
    size = len(gold)
    for off in chosen:
        lo, hi = size, -1
        for i, found, capped in hits:
            want = off + i
            if len(found) == 1:
                p = found[0]
            else:
                k = bisect_left(found, want)
                p = found[k] if k < len(found) else found[-1]
                if k > 0 and abs(found[k - 1] - want) <= abs(p - want):
                    p = found[k - 1]
            if abs(p - want) > tol:
                if not capped or not 0 <= want < size:
                    continue
                p = want  # positions were capped: assume the shingle sits where voted
            if p < lo:
                lo = p
            if p + SHINGLE > hi:
                hi = p + SHINGLE
        if hi > lo:
            spans.append((lo, hi))
    return len(hits), total, spans


def _heaviest_chain(cands: list[_Cand], size: int) -> set[int]:
    """Indices (into cands) of the max-weight chain with strictly increasing ``start``."""
    if not cands:
        return set()
    n = size + 2
    tree_val = [0.0] * (n + 1)
    tree_idx = [-1] * (n + 1)
    best_val = [0.0] * len(cands)
    pred = [-1] * len(cands)
    for k, cand in enumerate(cands):
        # prefix max over starts < cand.start (Fenwick indices are start + 1)
        i = cand.start
        v, j = 0.0, -1
        while i > 0:
            tv, ti = tree_val[i], tree_idx[i]
            if ti >= 0 and (tv > v or (tv == v and ti < j)):
                v, j = tv, ti
            i -= i & -i
        best_val[k] = v + cand.weight
        pred[k] = j
        i = cand.start + 1
        while i <= n:
            if best_val[k] > tree_val[i]:
                tree_val[i], tree_idx[i] = best_val[k], k
            i += i & -i
    top = max(range(len(cands)), key=lambda k: (best_val[k], -k))
    chain: set[int] = set()
    while top >= 0:
        chain.add(top)
        top = pred[top]
    return chain


class _Aligner:
    """Mutable alignment state: which line owns each gold token, and the accepted spans."""

    def __init__(
        self, toks_of: list[list[str]], gidx: GoldIndex, labels: list[int], scores: list[float]
    ) -> None:
        self.toks_of = toks_of
        self.gidx = gidx
        self.size = len(gidx)
        self.labels = labels
        self.scores = scores
        self.owner = [-1] * self.size
        self.spans: dict[int, tuple[int, int]] = {}

    def claim(self, li: int, start: int, end: int) -> None:
        self.labels[li] = 1
        self.spans[li] = (start, end)
        owner = self.owner
        for p in range(start, end):
            if owner[p] < 0:
                owner[p] = li

    def release(self, li: int) -> None:
        self.labels[li] = 0
        start, end = self.spans.pop(li)
        owner = self.owner
        for p in range(start, end):
            if owner[p] == li:
                owner[p] = -1

    def owned(self, start: int, end: int) -> tuple[float, int]:
        """Share of [start, end) already owned, and the line owning most of it (-1: none)."""
        if end <= start:
            return 1.0, -1
        seen = Counter(o for o in self.owner[start:end] if o >= 0)
        if not seen:
            return 0.0, -1
        top, _ = max(seen.items(), key=lambda kv: (kv[1], -kv[0]))
        return sum(seen.values()) / (end - start), top

    def window(self, li: int, anchors: list[int], slack: int) -> tuple[int, int, bool, bool]:
        """Gold window [lo, hi) between the accepted lines around ``li``, and which exist."""
        a = bisect_left(anchors, li)
        has_prev = a > 0
        has_next = a < len(anchors)
        lo = self.spans[anchors[a - 1]][1] - slack if has_prev else 0
        hi = self.spans[anchors[a]][0] + slack if has_next else self.size
        if hi < lo:  # neighbours out of order: take the span between them either way
            lo, hi = hi - 2 * slack, lo + 2 * slack
        return max(0, lo), min(self.size, hi), has_prev, has_next


def _distance(li: int, anchors: list[int], skip: tuple[int, ...]) -> int:
    """Line distance from ``li`` to the nearest line of sorted ``anchors`` not in ``skip``."""
    a = bisect_left(anchors, li)
    best = 1 << 30
    for j in range(a - 1, -1, -1):
        if anchors[j] not in skip:
            best = li - anchors[j]
            break
    for j in range(a, len(anchors)):
        if anchors[j] not in skip:
            best = min(best, anchors[j] - li)
            break
    return best


def _occurs(toks: list[str], gold: GoldIndex) -> bool:
    first = gold.positions.get(toks[0])
    if not first:
        return False
    k = len(toks)
    gtoks = gold.tokens
    return any(gtoks[p : p + k] == toks for p in first)


def label_lines(
    lines: Sequence[str],
    gold: str | GoldIndex,
    *,
    threshold: float = THRESHOLD,
    slack: int = SLACK,
    repair: bool = True,
    bag_share: float = BAG_SHARE,
) -> LineLabels:
    """Label ``lines`` against ``gold`` (a text or a prebuilt :class:`GoldIndex`).

    Args:
        lines: the rendered page, one entry a line.
        gold: the gold text, or :func:`index_gold` of it.
        threshold: minimum shingle overlap for a long line to be body.
        slack: tokens of slack around the window a short line must fall in.
        repair: when ``gold`` is a text, split gold words glued by a bad line-unwrapping
            (``"regulationthat"``) if both halves occur in ``lines`` (see :func:`index_gold`).
        bag_share: share of a rejected long line's tokens that must be free gold tokens of its
            window for it to be body anyway (reworded gold); ``> 1`` switches this off.

    Returns:
        :class:`LineLabels` with one label (1 body, 0 clutter, -1 blank) and one score a line.
    """
    n_lines = len(lines)
    labels = [0] * n_lines
    scores = [0.0] * n_lines
    toks_of: list[list[str]] = [[] for _ in range(n_lines)]
    for li, line in enumerate(lines):
        if line.strip():
            toks_of[li] = tokenize(line)
        else:
            labels[li] = -1
    if isinstance(gold, GoldIndex):
        gidx = gold
    else:
        vocab = {t for toks in toks_of for t in toks} if repair else None
        gidx = index_gold(gold, vocab)
    size = len(gidx)
    cands: list[_Cand] = []
    short: list[int] = []
    for li in range(n_lines):
        toks = toks_of[li]
        if not toks:
            continue
        if len(toks) < SHINGLE or size < SHINGLE:
            short.append(li)
            continue
        matched, total, spans = _place(toks, gidx)
        score = matched / total
        scores[li] = score
        if spans and score >= threshold:
            start, end = spans[0]
            cands.append(_Cand(li, start, end, matched * score, spans[1:]))

    al = _Aligner(toks_of, gidx, labels, scores)
    chain = _heaviest_chain(cands, size)
    for k in sorted(chain):
        al.claim(cands[k].line, cands[k].start, cands[k].end)
    _place_off_chain([cands[k] for k in range(len(cands)) if k not in chain], al)
    if bag_share <= 1.0:
        _label_bag(al, slack, bag_share)
    if short:
        _label_short(short, al, scores, slack)
    _resolve_copies(al, threshold, slack)
    return LineLabels(labels, scores)


def _place_off_chain(cands: list[_Cand], al: _Aligner) -> None:
    """Candidates off the ordered chain: reordered content is body, duplicates are not.

    A candidate whose every plausible gold span is already mostly owned is a copy of text
    another line has claimed; :func:`_resolve_copies` later decides which copy keeps it.
    """
    for c in sorted(cands, key=lambda c: (-c.weight, c.line)):
        for start, end in [(c.start, c.end), *c.alternatives]:
            share, _ = al.owned(start, end)
            if share < 0.5:
                al.claim(c.line, start, end)
                break


def _label_bag(al: _Aligner, slack: int, bag_share: float) -> None:
    """Accept long lines whose words are (mostly) the unclaimed gold words of their window.

    Catches body lines the gold reworded or reformatted (a table row the gold wrote as a
    sentence), which share words but few 4-token shingles with it. Needs an accepted line on
    both sides; the window is the gold between them.
    """
    if al.size < SHINGLE:
        return
    anchors = sorted(al.spans)
    gtoks = al.gidx.tokens
    owner = al.owner
    for li, toks in enumerate(al.toks_of):
        if al.labels[li] != 0 or len(toks) < SHINGLE:
            continue
        lo, hi, has_prev, has_next = al.window(li, anchors, slack)
        if not (has_prev and has_next) or hi <= lo:
            continue
        free: Counter[str] = Counter(gtoks[p] for p in range(lo, hi) if owner[p] < 0)
        need = Counter(toks)
        hit = sum(min(c, free[t]) for t, c in need.items())
        if hit >= bag_share * len(toks):
            al.labels[li] = 1


def _label_short(short: list[int], al: _Aligner, scores: list[float], slack: int) -> None:
    """Short lines: an unclaimed contiguous gold run inside the window of their neighbours."""
    gidx = al.gidx
    anchors = sorted(al.spans)  # accepted long lines only
    gtoks = gidx.tokens
    owner = al.owner
    run_end = -1  # end of the last accepted short run, for monotone progress
    run_anchor = -2  # the previous anchor when that run was accepted
    for li in short:
        toks = al.toks_of[li]
        if not _occurs(toks, gidx):
            continue
        scores[li] = 1.0
        lo, hi, has_prev, _ = al.window(li, anchors, slack)
        prev_anchor = anchors[bisect_left(anchors, li) - 1] if has_prev else -1
        if prev_anchor == run_anchor and run_end >= 0:
            lo = max(lo, run_end - slack)
        k = len(toks)
        first = gidx.positions[toks[0]]
        found = -1
        for p in first[bisect_left(first, lo) :]:
            if p + k > hi:
                break
            if gtoks[p : p + k] == toks and all(owner[q] < 0 for q in range(p, p + k)):
                found = p
                break
        if found < 0:
            continue
        al.claim(li, found, found + k)
        run_end = found + k
        run_anchor = prev_anchor


def _resolve_copies(al: _Aligner, threshold: float, slack: int) -> None:
    """Among lines with identical tokens, give the claimed gold spans to the best copies.

    A page often shows the same text twice (``<title>`` and ``<h1>``, a table of contents and
    the section headings, the headline again under "related stories") while the gold has it
    once. Each copy is ranked by: its gold span fitting between the gold spans of the body
    lines around it (a quoted forum post placed out of order loses), then the lines that
    *follow* it being body (a heading is followed by its section), then those lines not being
    copies themselves (a table of contents is a run of copies), then the lines before it being
    body, then nearness to other body lines, then page order.
    """
    toks_of = al.toks_of
    groups: dict[tuple[str, ...], list[int]] = {}
    for li, toks in enumerate(toks_of):
        if toks:
            groups.setdefault(tuple(toks), []).append(li)
    dup = [False] * len(toks_of)
    for members in groups.values():
        if len(members) > 1:
            for li in members:
                dup[li] = True
    nonblank = [li for li, toks in enumerate(toks_of) if toks]
    for members in groups.values():
        if len(members) < 2:
            continue
        held = [li for li in members if li in al.spans]
        if not held:
            continue
        long_line = len(toks_of[members[0]]) >= SHINGLE
        eligible = [
            li
            for li in members
            if li in al.spans
            or (al.labels[li] == 0 and al.scores[li] >= (threshold if long_line else 1.0))
        ]
        if len(eligible) == len(held):
            continue
        group = set(members)
        anchors = sorted(x for x in al.spans if x not in group)
        spans = sorted(al.spans[li] for li in held)

        def fits(
            li: int, anchors: list[int] = anchors, spans: list[tuple[int, int]] = spans
        ) -> bool:
            a = bisect_left(anchors, li)
            lo = al.spans[anchors[a - 1]][1] - slack if a > 0 else -slack
            hi = al.spans[anchors[a]][0] + slack if a < len(anchors) else al.size + slack
            return any(lo <= start and end <= hi for start, end in spans)

        def rank(li: int, group: set[int] = group, anchors: list[int] = anchors) -> tuple:
            pos = bisect_left(nonblank, li)
            after = [x for x in nonblank[pos + 1 : pos + 4] if x not in group][:2]
            before = [x for x in nonblank[max(0, pos - 3) : pos] if x not in group][-2:]
            body_after = sum(al.labels[x] == 1 for x in after)
            dup_after = sum(dup[x] for x in after)
            body_before = sum(al.labels[x] == 1 for x in before)
            return (
                not fits(li),
                -body_after,
                dup_after,
                -body_before,
                _distance(li, anchors, ()),
                li,
            )

        chosen = sorted(sorted(eligible, key=rank)[: len(held)])
        if chosen == sorted(held):
            continue
        for li in held:
            al.release(li)
        for li, (start, end) in zip(chosen, spans, strict=True):
            al.claim(li, start, end)


def label_text(text: str, gold: str | GoldIndex, **kwargs: float) -> tuple[list[str], LineLabels]:
    """Split ``text`` into lines (:func:`split_lines`) and label them; see :func:`label_lines`."""
    lines = split_lines(text)
    return lines, label_lines(lines, gold, **kwargs)  # type: ignore[arg-type]
