"""The field's two standard extraction metrics, per page and aggregated.

**WCXB word F1** (Foley 2026, ``evaluate.py`` of the WCXB repository): tokens are
``re.findall(r"\\w+", text.lower())``; per page, precision = |pred ∩ gold| / |pred| and
recall = |pred ∩ gold| / |gold| with multiset (bag) intersection; F1 their harmonic mean. The set
score is the plain mean of the per-page P, R and F1 over pages.

**Article-extraction-benchmark (AEB) shingle F1** (Scrapinghub, ``evaluate.py``): tokens are
``\\w+`` runs, shingles are the 4-token windows (a text with 1-3 tokens has one shorter
shingle), compared as multisets: tp = Σ min(count_gold, count_pred), fp = Σ excess predicted,
fn = Σ missing gold; the page's (tp, fp, fn) is divided by tp + fp + fn so each page weighs the
same. Macro precision = mean of per-page precision over pages with tp + fp > 0, macro recall =
mean of per-page recall over pages with tp + fn > 0, and F1 = harmonic mean of those two means
(not the mean of per-page F1).

    >>> from scrubber.bench.metrics import word_prf, shingle_counts, aggregate_words
    >>> word_prf("the cat sat", "The cat sat down").f1
    0.8571428571428571
    >>> aggregate_words([word_prf("a b", "a b"), word_prf("", "a b")]).f1
    0.5

Edge cases (both metrics, per page):

* gold empty and prediction empty: P = R = F1 = 1 (nothing to find, nothing wrongly kept);
* exactly one of them empty: P = R = F1 = 0;
* both non-empty but disjoint: 0.

For AEB aggregation the original code's rule is kept: a page with no predicted shingles does not
enter the precision mean, and a page with no gold shingles does not enter the recall mean, so a
page where both are empty (tp = fp = fn = 0) affects neither mean. An empty set of pages
aggregates to 0. Case: the original AEB compares tokens *case-sensitively* (its regex has the
IGNORECASE flag but ``findall`` does not lower-case); here ``lowercase=True`` is the default
(like WCXB); pass ``lowercase=False`` to reproduce AEB's published numbers exactly.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "PRF",
    "ShingleCounts",
    "aggregate_shingles",
    "aggregate_words",
    "shingle_counts",
    "shingles",
    "word_prf",
    "word_tokens",
]

_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 (per page, or aggregated with ``n`` pages)."""

    precision: float
    recall: float
    f1: float
    n: int = 1


@dataclass(frozen=True, slots=True)
class ShingleCounts:
    """One page's AEB tp/fp/fn, normalised to sum to 1 (all 0 when both texts are empty)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        """AEB per-page precision: 1 if fp == fn == 0, 0 if tp == fp == 0, else tp/(tp+fp)."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if self.tp == 0 and self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        """AEB per-page recall: 1 if fp == fn == 0, 0 if tp == fn == 0, else tp/(tp+fn)."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if self.tp == 0 and self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Per-page F1 of :attr:`precision` and :attr:`recall` (for per-page reporting)."""
        return _f1(self.precision, self.recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def word_tokens(text: str | None) -> list[str]:
    """WCXB tokens: ``\\w+`` runs of the lower-cased text."""
    if not text:
        return []
    return _WORD_RE.findall(text.lower())


def word_prf(predicted: str | None, gold: str | None) -> PRF:
    """WCXB word-level precision/recall/F1 of one page (bag-of-words intersection).

    >>> word_prf("", "")
    PRF(precision=1.0, recall=1.0, f1=1.0, n=1)
    >>> word_prf("x", "")
    PRF(precision=0.0, recall=0.0, f1=0.0, n=1)
    """
    pred = word_tokens(predicted)
    ref = word_tokens(gold)
    if not ref:
        return PRF(1.0, 1.0, 1.0) if not pred else PRF(0.0, 0.0, 0.0)
    if not pred:
        return PRF(0.0, 0.0, 0.0)
    overlap = sum((Counter(pred) & Counter(ref)).values())
    p = overlap / len(pred)
    r = overlap / len(ref)
    return PRF(p, r, _f1(p, r))


def aggregate_words(pages: Iterable[PRF]) -> PRF:
    """WCXB set score: the mean of per-page precision, recall and F1 (0s for no pages)."""
    items = list(pages)
    if not items:
        return PRF(0.0, 0.0, 0.0, 0)
    n = len(items)
    return PRF(
        sum(x.precision for x in items) / n,
        sum(x.recall for x in items) / n,
        sum(x.f1 for x in items) / n,
        n,
    )


def shingles(text: str | None, n: int = 4, lowercase: bool = True) -> Counter[tuple[str, ...]]:
    """AEB shingles of a text: the n-token windows; 1..n-1 tokens give one shorter shingle.

    >>> sorted(shingles("a b c d e", 4))
    [('a', 'b', 'c', 'd'), ('b', 'c', 'd', 'e')]
    >>> list(shingles("a b", 4))
    [('a', 'b')]
    """
    if not text:
        return Counter()
    tokens = _WORD_RE.findall(text.lower() if lowercase else text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def shingle_counts(
    predicted: str | None, gold: str | None, n: int = 4, lowercase: bool = True
) -> ShingleCounts:
    """One page's AEB (tp, fp, fn) over n-token shingles, normalised to sum to 1."""
    true = shingles(gold, n, lowercase)
    pred = shingles(predicted, n, lowercase)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return ShingleCounts(0.0, 0.0, 0.0)
    return ShingleCounts(tp / total, fp / total, fn / total)


def aggregate_shingles(pages: Sequence[ShingleCounts] | Iterable[ShingleCounts]) -> PRF:
    """AEB set score: macro precision and recall (AEB's page inclusion rule), F1 of the two.

    >>> a = shingle_counts("a b c d", "a b c d")
    >>> b = shingle_counts("", "e f g h")
    >>> aggregate_shingles([a, b])      # b has no prediction: only in the recall mean
    PRF(precision=1.0, recall=0.5, f1=0.6666666666666666, n=2)
    """
    items = list(pages)
    precisions = [c.precision for c in items if c.tp + c.fp > 0]
    recalls = [c.recall for c in items if c.tp + c.fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return PRF(p, r, _f1(p, r), len(items))
