"""WCXB word F1 and AEB shingle F1 (scrubber.bench.metrics): edge cases and hand-computed values."""

from __future__ import annotations

import pytest

from scrubber.bench.metrics import (
    PRF,
    ShingleCounts,
    aggregate_shingles,
    aggregate_words,
    shingle_counts,
    shingles,
    word_prf,
    word_tokens,
)


def test_word_tokens_lowercase_unicode() -> None:
    assert word_tokens("Café AU-lait, naïve_x 42!") == ["café", "au", "lait", "naïve_x", "42"]
    assert word_tokens(None) == []
    assert word_tokens("... !!") == []


def test_word_prf_known_values() -> None:
    m = word_prf("the cat sat", "The cat sat down")
    assert m.precision == 1.0
    assert m.recall == pytest.approx(3 / 4)
    assert m.f1 == pytest.approx(2 * 1.0 * 0.75 / 1.75)


def test_word_prf_is_a_bag_intersection() -> None:
    # pred a×3 b×1, gold a×1 b×2: overlap = min(3,1) + min(1,2) = 2
    m = word_prf("a a a b", "a b b")
    assert m.precision == pytest.approx(2 / 4)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    # order does not matter for word F1
    assert word_prf("b a", "a b").f1 == 1.0


@pytest.mark.parametrize(
    ("pred", "gold", "expected"),
    [
        ("", "", 1.0),  # nothing to find, nothing kept: perfect
        ("  ...  ", "", 1.0),  # no word tokens counts as empty
        ("", "some gold", 0.0),
        ("some output", "", 0.0),
        ("x y", "a b", 0.0),
    ],
)
def test_word_prf_edge_cases(pred: str, gold: str, expected: float) -> None:
    m = word_prf(pred, gold)
    assert (m.precision, m.recall, m.f1) == (expected, expected, expected)


def test_aggregate_words_is_mean_over_pages() -> None:
    pages = [word_prf("a b", "a b"), word_prf("a", "a b"), word_prf("", "a b")]
    agg = aggregate_words(pages)
    assert agg.n == 3
    assert agg.precision == pytest.approx((1 + 1 + 0) / 3)
    assert agg.recall == pytest.approx((1 + 0.5 + 0) / 3)
    assert agg.f1 == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert aggregate_words([]) == PRF(0.0, 0.0, 0.0, 0)


def test_shingles() -> None:
    assert shingles("A b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("A b") == {("a", "b"): 1}  # fewer than 4 tokens: one short shingle
    assert shingles("") == {}
    assert shingles("A b", lowercase=False) == {("A", "b"): 1}
    assert shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
        ("d", "a", "b", "c"): 1,
    }


def test_shingle_counts_known_values() -> None:
    # pred {abcd, bcde}, gold {abcd, bcdf}: tp 1, fp 1, fn 1 -> each 1/3
    c = shingle_counts("a b c d e", "a b c d f")
    assert (c.tp, c.fp, c.fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert c.precision == pytest.approx(0.5)
    assert c.recall == pytest.approx(0.5)
    assert c.f1 == pytest.approx(0.5)
    # multiset: pred has 5 shingles (abcd twice, bcda, cdab, dabc); gold has abcd once
    c = shingle_counts("a b c d a b c d", "a b c d")
    assert (c.tp, c.fp, c.fn) == pytest.approx((1 / 5, 4 / 5, 0.0))


def test_shingle_counts_edge_cases() -> None:
    both_empty = shingle_counts("", "")
    assert (both_empty.tp, both_empty.fp, both_empty.fn) == (0.0, 0.0, 0.0)
    assert both_empty.precision == both_empty.recall == both_empty.f1 == 1.0
    no_pred = shingle_counts("", "a b c d")
    assert (no_pred.tp, no_pred.fp, no_pred.fn) == (0.0, 0.0, 1.0)
    assert no_pred.precision == no_pred.recall == 0.0
    no_gold = shingle_counts("a b c d", "")
    assert (no_gold.tp, no_gold.fp, no_gold.fn) == (0.0, 1.0, 0.0)
    assert no_gold.precision == no_gold.recall == 0.0
    perfect = shingle_counts("A B C D.", "a b c d")
    assert perfect.precision == perfect.recall == 1.0


def test_shingle_case_sensitivity_switch() -> None:
    assert shingle_counts("A B C D", "a b c d").f1 == 1.0
    assert shingle_counts("A B C D", "a b c d", lowercase=False).f1 == 0.0


def test_aggregate_shingles_follows_aeb_inclusion_rule() -> None:
    perfect = shingle_counts("a b c d", "a b c d")
    half = shingle_counts("a b c d e", "a b c d f")  # P = R = 0.5
    no_pred = shingle_counts("", "e f g h")  # enters only the recall mean
    no_gold = shingle_counts("e f g h", "")  # enters only the precision mean
    both_empty = shingle_counts("", "")  # enters neither
    agg = aggregate_shingles([perfect, half, no_pred, no_gold, both_empty])
    assert agg.n == 5
    assert agg.precision == pytest.approx((1 + 0.5 + 0) / 3)
    assert agg.recall == pytest.approx((1 + 0.5 + 0) / 3)
    assert agg.f1 == pytest.approx(0.5)
    # F1 of the macro means, not the mean of per-page F1
    agg2 = aggregate_shingles([perfect, no_pred])
    assert (agg2.precision, agg2.recall) == (1.0, 0.5)
    assert agg2.f1 == pytest.approx(2 / 3)


def test_aggregate_shingles_empty() -> None:
    assert aggregate_shingles([]) == PRF(0.0, 0.0, 0.0, 0)
    assert aggregate_shingles([ShingleCounts(0.0, 0.0, 0.0)]).f1 == 0.0


def test_per_page_normalisation_weighs_pages_equally() -> None:
    long_good = shingle_counts(
        " ".join(f"w{i}" for i in range(500)), " ".join(f"w{i}" for i in range(500))
    )
    short_bad = shingle_counts("x y z q", "a b c d")
    agg = aggregate_shingles([long_good, short_bad])
    assert agg.precision == pytest.approx(0.5)
    assert agg.recall == pytest.approx(0.5)
