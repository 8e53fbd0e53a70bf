"""The rule engine's whole-document scan (``scrubber.rules._Scan``) is only a filter: it
must never hide a line that the rule-by-rule path would decide. These tests compare the
scanned engine with a plain reference on documents built from the packs' own examples,
including the cross-line shapes that a scan over joined lines could get wrong."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubber.lines import split_lines
from scrubber.rules import (
    RuleSet,
    RuleTimeout,
    _fold,
    _folded,
    _line_safe,
    _literal_prefixes,
    _needed_literals,
    _required_end,
    _required_literals,
    _Scan,
    _trie,
    _Unsafe,
    builtin_rules,
    compiled,
    load_ruleset,
    parse_pack,
)


def _raw_rules() -> Iterator[dict[str, Any]]:
    packs = resources.files("scrubber.rules") / "packs"
    for entry in sorted(packs.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            yield from tomllib.loads(entry.read_text("utf-8"))["rule"]


def _example_lines() -> list[str]:
    out: list[str] = []
    for raw in _raw_rules():
        out += raw.get("match", []) + raw.get("no_match", [])
        out += [src for src, _ in raw.get("trims", [])]
        for case in raw.get("cases", []):
            out += case["lines"]
    return sorted(set(out))


EXAMPLES = _example_lines()


_REFERENCE: dict[int, RuleSet] = {}  # id(rule set) -> its unscanned twin


@pytest.fixture(autouse=True, scope="module")
def _scans_from_the_first_line() -> Iterator[None]:
    """These tests compare the document scans with the per-line path, so every rule set
    here builds its scans on first use (outside tests, after SCAN_AFTER_LINES lines)."""
    import scrubber.rules as rules_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rules_module, "SCAN_AFTER_LINES", 0)
        yield
BUILTIN = RuleSet(builtin_rules())


def _unscanned(rs: RuleSet, texts: Sequence[str], max_line_chars: int = 20_000) -> Any:
    """``rs.apply`` with every scan switched off: each line goes the per-line path."""
    fresh = _REFERENCE.get(id(rs))
    if fresh is None:
        fresh = _REFERENCE[id(rs)] = RuleSet(rs.rules, rs.timeout)
        fresh._scan()
    orig = _Scan.lines
    _Scan.lines = lambda self, docs: None  # type: ignore[method-assign]
    try:
        return fresh.apply(texts, max_line_chars)
    finally:
        _Scan.lines = orig  # type: ignore[method-assign]


def _first(rs: RuleSet, idxs: Sequence[int], s: str) -> int:
    """Rule by rule, in pack order: the first rule of ``idxs`` that fires on ``s``."""
    for k in idxs:
        r = rs.rules[k]
        if len(s) > r.max_chars:
            continue
        if r.match_start(s) if r.patterns[0].pattern.startswith("^") else r.search(s):
            return k
    return -1


def _assert_same(a: Any, b: Any) -> None:
    assert a.drop == b.drop
    assert a.trim == b.trim
    assert a.hint == b.hint


def test_every_pack_example_is_decided_as_rule_by_rule() -> None:
    """Each example line alone: the first line rule and hint rule in pack order that fire
    on it, tried one by one, are the ones the scanning engine reports."""
    rs = RuleSet(builtin_rules())
    hits = rs.apply(EXAMPLES)
    for i, line in enumerate(EXAMPLES):
        s = line.strip()
        want = _first(rs, rs._line, s) if s and len(s) <= rs.max_chars else -1
        if want >= 0:
            assert hits.drop[i] == want, line
        else:
            assert hits.drop[i] < 0 or rs.rules[hits.drop[i]].scope != "line", line
            want_hint = _first(rs, rs._hint, s) if s and len(s) <= rs.max_chars else -1
            assert hits.hint[i] == want_hint, line


def test_examples_joined_in_one_document_match_each_example_alone() -> None:
    """The same examples as one document (where a match could run from one line into the
    next) give each line the verdicts it gets as the only line of a document."""
    rs = RuleSet(builtin_rules())
    together = rs.apply(EXAMPLES)
    for i, line in enumerate(EXAMPLES):
        alone = BUILTIN.apply([line])
        assert together.trim[i] == alone.trim[0], line
        assert together.hint[i] == alone.hint[0], line
        for a, b in ((together.drop[i], alone.drop[0]), (alone.drop[0], together.drop[i])):
            if a >= 0 and rs.rules[a].scope == "line":
                assert a == b, line


_TWEAK = st.sampled_from(["", " ", "\t", "  ", " \u00a0", "\u2028", "\u3000"])


@st.composite
def documents(draw: Any) -> list[str]:
    lines = draw(st.lists(st.sampled_from([*EXAMPLES, "", "   ", "|", "Home |", "- x"]),
                          max_size=25))
    out = []
    for line in lines:
        before, after = draw(_TWEAK), draw(_TWEAK)
        out.append(before + line + after)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from([20_000, 40, 12]))
def test_scanned_document_agrees_with_the_per_line_path(doc: list[str], cap: int) -> None:
    """Documents of shuffled pack examples with white space around the lines (so a line
    ends in white space next to the joint): the scan filter changes nothing."""
    _assert_same(BUILTIN.apply(doc, cap), _unscanned(BUILTIN, doc, cap))


@pytest.mark.parametrize("doc", [
    # the pipe list needs "x | y | z" on one line; joined, "Home |" + "News | Sport"
    # would give it one across the joint (via \s and [^|·•] matching "\n")
    ["Home |", "News | Sport | World"],
    ["Home | News |", "Sport | World | Business", "Body text of some length here."],
    # a line ending in white space, then the rest of a multi-word label
    ["Read  ", "more", "Leave a", "Comment"],
    ["Photo: ", "Reuters", "Share this:", "Facebook"],
    # a match that would only exist with the next line's text after a negated class
    ["By clicking Accept", "you agree to cookies"],
    ["Copyright", "2024"],
    ["Related", "Posts:"],
])
def test_a_match_never_runs_across_a_line_break(doc: list[str]) -> None:
    rs = load_ruleset()
    _assert_same(rs.apply(doc), _unscanned(rs, doc))
    hits = RuleSet(builtin_rules()).apply(doc)
    for i, line in enumerate(doc):
        alone = BUILTIN.apply([line])
        assert hits.hint[i] == alone.hint[0]
        assert hits.trim[i] == alone.trim[0]


def test_pipe_list_after_a_line_ending_in_a_separator_is_still_found() -> None:
    rs = load_ruleset()
    hits = rs.apply(["Home |", "News | Sport | World"])
    assert hits.hint[1] == rs.ids["navigation.pipe-list"]
    assert hits.hint[0] == -1


def test_lines_with_a_newline_inside_or_over_the_cap_take_the_per_line_path() -> None:
    rs = load_ruleset()
    doc = ["Leave a Comment\nand more", "Leave a Comment", "x" * 500 + " Read more",
           "Advertisement"]
    for cap in (20_000, 10):
        _assert_same(RuleSet(rs.rules).apply(doc, cap), _unscanned(rs, doc, cap))


def test_lines_at_exactly_max_chars_and_one_over() -> None:
    rs = RuleSet(builtin_rules())
    doc = []
    for r in rs.rules:
        if r.scope == "line" and r.max_chars <= 200:
            doc.append("Advertisement" + " " * 0 + "x" * (r.max_chars - 13))
            doc.append("Read more " + "y" * (r.max_chars - 10))
            doc.append("Read more " + "y" * (r.max_chars - 9))
    _assert_same(rs.apply(doc), _unscanned(rs, doc))


def test_settle_passes_reuse_line_verdicts_and_stay_identical() -> None:
    """Repeated applies on shrinking subsets (the settle passes) give what a fresh rule
    set gives: remembered verdicts are the same as recomputed ones."""
    rs = RuleSet(builtin_rules())
    doc = EXAMPLES[::3]
    for step in (1, 2, 3, 5):
        sub = doc[::step]
        _assert_same(rs.apply(sub), RuleSet(builtin_rules()).apply(sub))


USER = """
family = "mine"
[[rule]]
id = "mine.slow"
description = "Catastrophic"
scope = "line"
max_chars = 100000
patterns = ['^(a|aa)+$']

[[rule]]
id = "mine.buy"
description = "Buy now"
scope = "line"
patterns = ['^Buy now!?$']
ignore_case = true
match = ["Buy now"]
no_match = ["Buy later"]
"""


def test_user_rules_still_run_per_line_and_time_out_on_the_right_line() -> None:
    rules = [*builtin_rules(), *parse_pack(USER, "mine.toml")]
    rs = RuleSet(rules, timeout=0.05)
    hits = rs.apply(["BUY NOW", "Leave a Comment", "plain text"])
    assert hits.drop[0] == rs.ids["mine.buy"]
    assert hits.drop[1] == rs.ids["comments.leave-a-comment"]
    assert hits.drop[2] == -1
    with pytest.raises(RuleTimeout) as err:
        rs.apply(["fine", "also fine", "a" * 40 + "b", "a" * 41 + "b"])
    assert err.value.rule_id == "mine.slow"
    assert err.value.line_index == 2


def test_user_rules_agree_with_the_per_line_path_on_examples() -> None:
    rules = [*builtin_rules(), *parse_pack(USER, "mine.toml")[1:]]
    rs = RuleSet(rules, timeout=1.0)
    doc = [*EXAMPLES, "Buy now!", "buy NOW"]
    _assert_same(rs.apply(doc), _unscanned(rs, doc))


# ---------------------------------------------------------------- the building blocks

@pytest.mark.parametrize("pattern, lib, inside, newline", [
    (r"a\sb", re, "a b", "a\nb"),
    (r"a[^x]b", re, "a-b", "a\nb"),
    (r"a\Wb", re, "a-b", "a\nb"),
    (r"a\Db", re, "a-b", "a\nb"),
    (r"a[\s|]b", re, "a|b", "a\nb"),
    (r"(?s)a.b", re, "a-b", "a\nb"),
    (r"a\P{L}b", regex, "a-b", "a\nb"),
    (r"a[^\p{L}]b", regex, "a-b", "a\nb"),
    (r"(?x) a \s b  # comment", regex, "a b", "a\nb"),
])
def test_line_safe_patterns_match_in_a_line_but_never_a_newline(
    pattern: str, lib: Any, inside: str, newline: str
) -> None:
    safe = lib.compile(_line_safe(pattern, lib, 0), lib.M)
    assert safe.search(inside)
    assert safe.search(newline) is None


def test_negative_lookarounds_are_left_out_of_the_filter() -> None:
    safe = re.compile(_line_safe(r"^(?!Foo)\w+$", re, 0), re.M)
    assert safe.search("Foobar")  # a superset: the per-line path decides


@pytest.mark.parametrize("pattern", [r"(a)\1", r"\Aabc", r"abc\Z", r"a(?i)b", r"(?(1)a|b)"])
def test_line_safe_refuses_what_it_cannot_vouch_for(pattern: str) -> None:
    with pytest.raises(_Unsafe):
        _line_safe(pattern, re, 0)


@given(st.frozensets(st.text(alphabet="abcAB0-:é", min_size=1, max_size=4), min_size=1,
                     max_size=6),
       st.text(alphabet="abcAB0123-:éÉ ", max_size=8))
def test_prefix_trie_accepts_every_line_the_prefix_filter_accepts(
    words: frozenset[str], line: str
) -> None:
    folded = frozenset(_fold(w) for w in words)
    if any(_fold(line).startswith(w) for w in folded):
        assert re.match(f"(?i:{_trie(folded)})", line)


def test_required_literals_are_required() -> None:
    assert _required_literals(r"(?<=\S)\s*(?:Read more|Continue)\s*$", 0) == {
        "Read more", "Continue"}
    assert _required_literals(r"(?i:read more)$", 0) is None
    assert _required_literals(r"a?b*", 0) is None
    for rule in builtin_rules():
        for fast in map(compiled, rule.fast):
            if not isinstance(fast, re.Pattern):
                continue
            lits = _required_literals(fast.pattern, fast.flags & re.I)
            if lits is None:
                continue
            for ex in EXAMPLES:
                m = fast.search(ex.strip())
                if m:
                    assert any(x in ex for x in lits), (rule.id, ex)


def test_every_builtin_group_is_scanned() -> None:
    """No built-in rule falls back to the per-line path for lack of a line-safe form
    (a new pattern the rewrite refuses would silently cost speed, not correctness)."""
    sc = load_ruleset()._scan()
    assert sc.line.usable and sc.hint.usable and sc.widget.usable and sc.trim.usable
    assert all(s.usable for s in sc.runs.values())


def test_a_document_of_two_hundred_examples_is_unchanged_by_the_scan() -> None:
    rs = load_ruleset()
    lines = split_lines("\n".join(EXAMPLES[:200]))[0]
    _assert_same(rs.apply(lines), _unscanned(rs, lines))


EMPTY_REPEAT = """
family = "mine"
[[rule]]
id = "mine.empty-repeat"
description = "A repeat whose body can match nothing"
scope = "line"
patterns = ['^(?:a?)+b$', '^(?:[^x]y|c)+d$']
"""


@pytest.mark.parametrize(("pattern", "line"), [
    (r"^(?:a?)+b", "b"),  # the body matches empty: the match may start with what follows
    (r"^(?:a|)+b", "b"),
    (r"^(?:a*){2,}b", "b"),
    (r"^(?:a?c?)+b", "b"),
    (r"^(?:(?:a?)+)+b", "b"),
    (r"^(?:[^x]y|c)+d", "zyd"),  # an open class in one branch: no finite prefix set
    (r"^(?:a?)+b", "ab"),
])
def test_literal_prefixes_keep_what_follows_a_repeat_that_can_match_nothing(
    pattern: str, line: str
) -> None:
    assert re.match(pattern, line)
    keys = _literal_prefixes(pattern)
    assert keys is None or any(_fold(line).startswith(k) for k in keys), keys


def test_a_rule_behind_an_empty_repeat_still_fires_on_what_follows() -> None:
    rules = [*builtin_rules(), *parse_pack(EMPTY_REPEAT, "mine.toml", builtin=True)]
    rs = RuleSet(rules)
    k = rs.ids["mine.empty-repeat"]
    lines = ["b", "ab", "zyd", "cd", "a"]
    assert rs.apply(lines).drop == [k, k, k, k, -1]
    _assert_same(rs.apply(lines), _unscanned(rs, lines))


def test_lines_known_to_be_stripped_pass_over_leading_white_space() -> None:
    pattern = r"^[\[(]?[^\S\n]*(?:Read more|Next)"
    assert _literal_prefixes(pattern) is None  # any line might start with white space
    keys = _literal_prefixes(pattern, lstripped=True)
    assert keys is not None and {"[", "(", "read more", "next"} <= keys
    assert _literal_prefixes(r"^\s*x", lstripped=True) == {"x"}
    assert _literal_prefixes(r"^\s+x", lstripped=True) is None  # must read white space
    assert _literal_prefixes(r"^[ a]*x", lstripped=True) == {" ", "a", "x"}  # not only white
    for line in ["Read more", "[ Next", "(Read more)", "Next page"]:
        assert re.match(pattern, line)
        assert any(_fold(line).startswith(k) for k in keys)


def test_too_many_prefixes_are_cut_shorter_not_given_up() -> None:
    pattern = "^" + "(?:a|b|c|d|e|f|g|h)" * 3  # 512 three-letter prefixes
    keys = _literal_prefixes(pattern)
    assert keys is not None and len(keys) <= 256 and max(map(len, keys)) == 2
    for line in ["abc", "hhh", "gab"]:
        assert any(_fold(line).startswith(k) for k in keys)


def test_folding_maps_every_case_insensitive_match_of_an_ascii_character_to_it() -> None:
    """The folded literal scan is a superset: any character ``re`` or ``regex`` matches
    case-insensitively to a printable ASCII character folds to that character."""
    every = "".join(map(chr, range(0x110000)))
    for lib in (re, regex):
        for x in set(lib.findall("(?i:[\\x20-\\x7e])", every)):
            for o in range(0x20, 0x7F):
                if lib.fullmatch("(?i:" + re.escape(chr(o)) + ")", x):
                    assert _folded(x) == _folded(chr(o)), (lib.__name__, x, chr(o))
    text = "ALL R\u0130GHTS RESERVED \u0131 \u017f \u212a \u0130\u0130"
    assert len(_folded(text)) == len(text)


def test_needed_literals() -> None:
    assert _needed_literals(r"^.{0,150}\b(?i:all rights reserved)\.?$", 0) == (
        frozenset({"all rights reserved"}), True)
    assert _needed_literals(r"^\S.{0,60}\s©\s?(?:\d{4}|\p{Lu})", 0) == (frozenset({"©"}), False)
    assert _needed_literals(r"^(?:Getty Images|AFP)\b", 0) == (
        frozenset({"Getty Images", "AFP"}), False)
    # a case-insensitive part folds the whole set; its non-ASCII letters are cut off
    assert _needed_literals(r"^.*(?:Mehr|(?i:zurück nach oben))", 0) == (
        frozenset({"mehr", "ck nach oben"}), True)
    assert _needed_literals(r"(?i)^.*newsletter", 0) == (frozenset({"newsletter"}), True)
    assert _needed_literals(r"^.*(?=.*inbox)x", 0) == (frozenset({"inbox"}), False)
    assert _needed_literals(r"^.*\d:\d\d$", 0) is None  # ":" alone: on too many lines
    assert _needed_literals(r"^.*(?i:by)\s", 0) is None  # too short once folded
    assert _needed_literals(r"^.*(?:foo|\w+)", 0) is None  # a branch without one
    assert _needed_literals(r"^(?:abc){e<=1}", 0) is None  # regex fuzzy syntax


@pytest.mark.parametrize("doc", [
    ["© 2024 Example Media. ALL RIGHTS RESERVED.", "All rights reſerved.", "All rıghts reserved"],
    ["Sign up for our NEWSLETTER and get it in your inbox", "Subſcribe to our newsletter"],
    ["Jane Doe · 5 min READ", "Max Mustermann · 3 Min. Lesezeit", "Photo: AFP via Getty Images"],
    ["ALL R\u0130GHTS RESERVED", "x \u0130 y", "Reading time: 4 minutes"],
])
def test_literal_scans_agree_with_the_per_line_path(doc: list[str]) -> None:
    rs = load_ruleset()
    _assert_same(rs.apply(doc), _unscanned(rs, doc))


def test_required_end() -> None:
    duration = r"^(?=.{12,160}$).*[\p{L}\"”’)?!]\s(?:\d{1,2}:)?[0-5]?\d:[0-5]\d$"
    assert _required_end(duration, 0) == r":[0-5][\d]$"
    assert _required_end(r"^.*[^a]b:$", 0) == "b:$"  # a negated class ends it
    assert _required_end(r"^.*\d\d$", 0) is None  # no literal
    assert _required_end(r"(?i:^.*ab$)", 0) is None  # case-insensitive
    assert _required_end(r"^.*ab", 0) is None  # not at the end of the line
    for line in ["Watch the full video 12:34", "Episode one 1:02:03", "Short clip 0:59"]:
        assert regex.match(duration, line)
        assert re.search(r":[0-5][\d]$", line, re.M)


def test_a_line_ending_like_a_duration_is_still_found() -> None:
    rs = load_ruleset()
    doc = ["Some video title here 12:34", "A line: 12:34 and more", "Other title 3:05"]
    _assert_same(rs.apply(doc), _unscanned(rs, doc))


def test_rule_verdicts_are_the_same_before_and_after_the_scans_are_built(monkeypatch) -> None:
    """Until a rule set has seen SCAN_AFTER_LINES lines, every line goes to the per-line
    matchers; the document scans only pick which lines need them, so the hits agree."""
    from pathlib import Path

    import scrubber.rules as R

    seeds = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "input"
    docs = [p.read_text(encoding="utf-8").splitlines() for p in sorted(seeds.glob("*.txt"))]
    docs.append(["Share this:", "LIVE", "855 watching -", "1:00:14", "Leave a Reply",
                 "Posted by Jane Doe on March 3, 2024", "© 2024 Example. All rights reserved.",
                 "A paragraph of prose that is long enough to count as body text, surely."])
    monkeypatch.setattr(R, "SCAN_AFTER_LINES", 10**9)
    lazy = R.RuleSet(R.builtin_rules(), 1.0)
    eager = R.RuleSet(R.builtin_rules(), 1.0)
    eager.prepare()
    for lines in docs:
        a, b = lazy.apply(lines), eager.apply(lines)
        assert (a.drop, a.trim, a.hint) == (b.drop, b.trim, b.hint)
    assert lazy._scans is None and eager._scans is not None


def test_scans_are_built_once_enough_lines_were_seen(monkeypatch) -> None:
    import scrubber.rules as R

    monkeypatch.setattr(R, "SCAN_AFTER_LINES", 10)
    rs = R.RuleSet(R.builtin_rules(), 1.0)
    rs.apply(["Share this:", "A paragraph of prose, long enough to count as body."])
    assert rs._scans is None  # one short page: the per-line matchers are cheaper
    rs.apply([f"line {i}" for i in range(20)])
    assert rs._scans is not None
