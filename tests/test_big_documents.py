"""Huge documents (a log or data dump scraped as a page) are scored a range of lines at a
time, so memory stays bounded, and every line gets the score and output it would get from
the whole matrix at once."""

from __future__ import annotations

import random

import numpy as np
import pytest

import scrubber
from scrubber import features, model
from scrubber.rules import load_ruleset

_POOL = [
    "|", "a |", "| b", "-", "x - y", "» next", "Home | News | Sport", "2024-01-02 10:11",
    "www.example.com", "© 2020 Example", "Share", "Subscribe to our newsletter",
    "A sentence of real prose, as it happens, with enough words to read as body text.",
    "", "", "Another paragraph follows here, and it is long enough to be an article line.",
]


def _document(lines: int, seed: int = 7) -> list[str]:
    r = random.Random(seed)
    return [r.choice(_POOL) for _ in range(lines)]


def test_a_huge_document_is_scored_in_bounded_ranges_with_the_same_scores(monkeypatch):
    m = model.get_model("text")
    if m is None:
        pytest.skip("no text model shipped")
    rs = load_ruleset()
    texts = _document(9_001)
    hits = rs.apply(texts)
    whole = m.score(texts, hits, rs)  # one range: CHUNK_LINES is far above 9,001
    sizes: list[int] = []
    forward = model._Net.forward

    def recording(self, x):
        sizes.append(len(x))
        return forward(self, x)

    monkeypatch.setattr(model, "CHUNK_LINES", 2_000)
    monkeypatch.setattr(model._Net, "forward", recording)
    ranged = m.score(texts, hits, rs)
    assert len(sizes) > 1 and max(sizes) <= 2 * 4_096  # (ranges start at CHUNK_ALIGN)
    assert ranged == whole


def test_a_huge_document_gets_its_own_columns_in_ranges_with_the_same_values(monkeypatch):
    lines = [s for s in _document(6_000, seed=3) if s]
    whole = features._own_block(lines)
    monkeypatch.setattr(features, "OWN_CHUNK_LINES", 97)
    spans = features._own_spans(lines)
    assert len(spans) > 10
    # no cut between two lines a separator match could join across
    for a, _ in spans[1:]:
        assert lines[a][0] not in features._SEP_CHARS
        assert lines[a - 1][-1] not in features._SEP_CHARS
    assert np.array_equal(features._own_matrix(lines), whole)


def test_cleaning_a_huge_document_in_ranges_gives_the_same_output(monkeypatch):
    text = "\n".join(_document(12_000, seed=11)) + "\n"
    expected = scrubber.clean(text)
    monkeypatch.setattr(model, "CHUNK_LINES", 3_000)
    monkeypatch.setattr(features, "OWN_CHUNK_LINES", 500)
    assert scrubber.clean(text) == expected


def test_a_huge_document_is_scanned_by_the_rules_in_bounded_ranges_with_the_same_hits(
        monkeypatch):
    from scrubber import rules

    # distinct lines: the scans read the lines whose verdicts the rules' memo does not
    # hold yet, each text once
    texts = [f"{s} {i}" if s else s for i, s in enumerate(_document(6_000, seed=5))]
    texts += ["x" * 700, "", "Popular Categories", "a", "b"]
    whole_rs = rules.RuleSet(rules.builtin_rules())
    whole_rs.prepare()
    whole = whole_rs.apply(texts)
    joined: list[int] = []
    real = rules._joined

    def recording(lines):
        out = real(lines)
        joined.append(len(out[0]))
        return out

    monkeypatch.setattr(rules, "SCAN_RANGE_CHARS", 2_000)
    monkeypatch.setattr(rules, "_joined", recording)
    ranged_rs = rules.RuleSet(rules.builtin_rules())
    ranged_rs.prepare()
    ranged = ranged_rs.apply(texts)
    # every scan (line, hint, trim, run and widget rules) read ranges, none the whole text
    assert len(joined) > 10 and max(joined) <= 2_000 + 1
    assert (ranged.drop, ranged.trim, ranged.hint) == (whole.drop, whole.trim, whole.hint)
    assert rules._scan_ranges([5, 700, 5], 100) == [(0, 1), (1, 2), (2, 3)]


def test_sparse_page_words_are_counted_in_ranges_as_the_joined_text_splits(monkeypatch):
    from scrubber import pipeline

    r = random.Random(11)
    monkeypatch.setattr(pipeline, "_WORD_LINES", 3)
    monkeypatch.setattr(pipeline, "_WORD_CHARS", 7)
    for _ in range(300):
        lines = ["".join(r.choice("ab  \t\x1c\u3000\u00a0x") for _ in range(r.randrange(40)))
                 for _ in range(r.randrange(12))]
        assert pipeline._count_words(iter(lines)) == len(" ".join(lines).split())
