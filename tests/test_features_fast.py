"""The whole-document feature code (one code-point array per document, table lookups,
packed per-line sums) against a plain per-line reading of what each feature means, on
generated documents with non-ASCII letters, astral characters, lone surrogates and NUL.
The shipped weights were trained on these exact values: any drift here is a bug."""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubber import features
from scrubber.context import word_count
from scrubber.rules import load_ruleset

SAMPLE = 300
COL = {c: i for i, c in enumerate(features.names())}

# characters the fast path treats specially, mixed into otherwise arbitrary text
SPECIAL = [
    *"aAzZ .,;:!?'\"”’»)]|-/›>·•*–—►✓@©()cCopyrightw0123456789\t",
    "\udcff", "\ud800", "\ud835", "\udc00", "\x00", "\x1c", "\x85", "\xa0", "\u3000",
    "\u2028", "\u200b", "\u0301", "\u0130", "Σ", "ß", "Ǆ", "À", "à", "ü", "É",
    "中", "ภ", "ع", "٣", "৩", "😀", "𝐀", "𝟙", "\U0001d7ce", "\u212a", "\uffff",
    "the ", "The ", "und ", "für ", "À ", "of ", "www.", "http://", ".com ", "2020",
    "12.12.2020", "10:30", " | ", " - ", "\n",
]
chunk = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(min_size=1, max_size=3),
    st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF),
)
line = st.lists(chunk, max_size=40).map("".join)
document = st.lists(line, max_size=12)


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


def _matrix(lines, rs):
    lines = [ln.replace("\n", " ") for ln in lines]  # the pipeline's lines hold no newline
    x = features.extract(lines, rs.apply(lines), rs)
    kept = [(i, s.strip()) for i, s in enumerate(lines) if s.strip()]
    return x, kept


def _per_line(s: str) -> dict[str, float]:
    """A line's own features read off the line alone, the plain way."""
    t = s[:SAMPLE]
    # the trained letter counts: unicodedata categories, Basic Multilingual Plane only
    cats = [unicodedata.category(c) for c in t if ord(c) < 0x10000]
    upper, letters = sum(c == "Lu" for c in cats), sum(c[0] == "L" for c in cats)
    w = s.split()
    words = len(w) if len(w) > 2 else word_count(s)
    toks = t.lower().split()
    func = sum(tok in features._FUNCTION_WORDS for tok in toks)
    titles = len(regex.findall(r"(?<!\S)\p{Lu}", t))
    n, sample_words = max(len(t), 1), max(len(t.split()), 1)
    return {
        "log_chars": math.log1p(len(s)),
        "log_words": math.log1p(words),
        "sent_end": float(bool(features._SENT_END.search(s[-8:]))),
        "alpha_frac": letters / n,
        "upper_frac": upper / letters if letters else 0.0,
        "title_frac": min(titles / sample_words, 1.0),
        "comma_per_word": s.count(",") / max(words, 1),
        "func_frac": min(func / sample_words, 1.0),
        "bullet": float(bool(features._BULLET.match(t))),
        "all_caps": float(letters >= 3 and upper == letters),
    }


def _assert_per_line(lines, rs):
    x, kept = _matrix(lines, rs)
    for i, s in kept:
        want = _per_line(s)
        got = {k: x[i, COL[k]] for k in want}
        assert got == pytest.approx(want, abs=1e-12), s


SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(document)
def test_own_features_match_a_per_line_reading_on_generated_documents(ruleset, lines):
    """Letter and upper-case shares, words (str.split, CJK counted by word_count), commas,
    function words of the lowered line, title-case words, sentence end, bullet."""
    _assert_per_line(lines, ruleset)


def test_own_features_match_a_per_line_reading_on_edge_lines(ruleset):
    _assert_per_line([
        "End." + "'" * 7, "End" + "'" * 8, "." + "'" * 8, "x." + '"' * 6 + "»)", "?",
        "Ende。」", "end …", "(end.)]", "end.x",
        "A" * 300, "Ab " * 150, "É" * 299 + " tail", "the " * 100, "x" * 301,
        "word, " * 80 + "end.", "1. one", "12) two", "1234. no", "৩. three", "𝟙. four",
        "• dot", "-dash", "- dash", "-", "\u0130 İSTANBUL the\u0301 ſ Kelvin \u212a",
        "ΣΊΣΥΦΟΣ ΣΑΣ", "中文句子没有空格但是很长的一行文字", "\udcff\ud800 \x00 the \x00of",
        "😀 \U0001d400bc Title \U0001d400", "a\x1cb\x1dc the\x85of\xa0und\u3000die",
    ], ruleset)


@SETTINGS
@given(document)
def test_markers_are_those_one_scan_of_the_joined_lines_finds(ruleset, lines):
    """Separators, urls, dates and copyright signs: what one left-to-right scan of the
    combined pattern over the lines' samples joined by newlines finds, per line."""
    x, kept = _matrix(lines, ruleset)
    if not kept:
        return
    samples = [s[:SAMPLE] for _, s in kept]
    starts = np.cumsum([0] + [len(t) + 1 for t in samples[:-1]])
    found = {"sep": np.zeros(len(kept)), "url": np.zeros(len(kept)),
             "date": np.zeros(len(kept)), "copy": np.zeros(len(kept))}
    for mt in features._MARKERS.finditer("\n".join(samples)):
        found[mt.lastgroup][np.searchsorted(starts, mt.start(), side="right") - 1] += 1
    for r, (i, _) in enumerate(kept):
        assert x[i, COL["separators"]] == pytest.approx(math.log1p(found["sep"][r]))
        assert x[i, COL["urlish"]] == float(found["url"][r] > 0)
        assert x[i, COL["dateish"]] == float(found["date"][r] > 0)
        assert x[i, COL["copyright"]] == float(found["copy"][r] > 0)


def test_blank_and_empty_documents_give_zero_rows(ruleset):
    for lines in ([], [""], ["  ", "\t", "\u3000"]):
        x = features.extract(lines, ruleset.apply(lines), ruleset)
        assert x.shape == (len(lines), len(features.names()))
        assert not x.any()


def test_a_megabyte_line_reads_its_whole_length_and_words(ruleset):
    lines = ["word, " * 170_000 + "end.", "x" * 1_000_000]
    x = features.extract(lines, ruleset.apply(lines), ruleset)
    assert x[0, COL["log_chars"]] == pytest.approx(math.log1p(len(lines[0].strip())))
    assert x[0, COL["log_words"]] == pytest.approx(math.log1p(170_001))
    assert x[0, COL["comma_per_word"]] == pytest.approx(170_000 / 170_001)
    assert x[0, COL["sent_end"]] == 1.0
    assert x[1, COL["log_words"]] == pytest.approx(math.log1p(1))


def test_unicode_facts_the_whole_document_code_relies_on():
    """str.lower keeps whitespace where it is and lowers only U+0130 to more than one
    character; no whitespace (str or regex) lies above the BMP; regex digits are word
    characters and word characters are never whitespace."""
    every = "".join(map(chr, range(0x110000)))
    low = [c.lower() for c in every]
    for c, lo in zip(every, low, strict=True):
        if c.isspace():
            assert lo == c
        else:
            assert lo and not any(ch.isspace() for ch in lo)
    assert [hex(ord(c)) for c, lo in zip(every, low, strict=True) if len(lo) != 1] == ["0x130"]
    astral = every[0x10000:]
    assert not any(c.isspace() for c in astral)
    assert not regex.search(r"\s", astral)
    assert not regex.search(r"\d", regex.sub(r"\w", "", every))
    assert not regex.search(r"\s", regex.sub(r"\W", "", every))


SEP_EDGES = ["|", "| a", "a |", "a | b", "- x", "x -", "-", ">", "» y", "y ›", "a | | b", "· z",
             "x /", "/ x", "a b", "Plain words here.", "Home | News | Sport |", "|  |"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(SEP_EDGES), line), max_size=14),
       st.lists(st.booleans(), min_size=14, max_size=14))
def test_own_rows_kept_for_the_settle_passes_are_what_a_fresh_extract_reads(
    doc: list[str], drop: list[bool]
) -> None:
    """A row remembered from one document is used in another (a subset of its lines, as
    the settle passes see them) only where it reads the same: the matrix is the same,
    bit for bit, as without the cache."""
    rs = load_ruleset()
    first = [t for t in doc if "\n" not in t]
    later = [t for t, d in zip(first, drop, strict=False) if not d]
    cache: dict[str, np.ndarray] = {}
    for lines in (first, later, later[::2]):
        hits = rs.apply(lines)
        want = features.extract(lines, hits, rs)
        got = features.extract(lines, hits, rs, own_cache=cache)
        assert np.array_equal(want, got)


def test_isolated_lines() -> None:
    assert features._isolated(["a | b", "c"]) == [True, True]
    assert features._isolated(["a |", "c"]) == [False, True]  # ends in a symbol
    assert features._isolated(["a", "| c"]) == [False, False]  # the next starts with one
    assert features._isolated(["a", "- c", "d"]) == [False, False, True]


def test_the_decision_path_reads_runs_of_white_space_as_one_space(ruleset):
    """A paragraph behind a layout table's indentation (trafilatura's ``| ... |`` row)
    reads, with ``squeeze``, as the paragraph; training reads lines as rendered."""
    para = ("Special prosecutors raided the headquarters of the group on Tuesday in a "
            "widening probe into allegations of a slush fund.")
    padded = "|  \t\t" + " " * 150 + "\t " + para.replace(" of ", "   of\t") + "   |"
    squeezed = f"| {para} |"
    assert features.squeezed(padded) == squeezed
    lines = ["Menu", padded, "A  footer\xa0line"]
    read = ["Menu", squeezed, "A footer line"]
    x = features.extract(lines, ruleset.apply(lines), ruleset, squeeze=True)
    want = features.extract(read, ruleset.apply(lines), ruleset)
    assert np.array_equal(x, want)
    as_rendered = features.extract(lines, ruleset.apply(lines), ruleset)
    assert as_rendered[1, COL["alpha_frac"]] < 0.5 < x[1, COL["alpha_frac"]]
