"""The rule engine: schema validation, every pack's own examples, scopes, user rules."""

from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path

import pytest

import scrubber
from scrubber.rules import (
    Rule,
    RuleError,
    RuleSet,
    builtin_rules,
    families,
    load_rule_file,
    load_ruleset,
    parse_pack,
)
from scrubber.rules.checks import (
    _REMOVABLE,
    headline_length_bound,
    normalise_headline,
    repeated_headline,
)

REQUIRED_FAMILIES = {
    "video", "paywall", "comments", "social", "newsletter", "cookies", "navigation",
    "related", "ads", "media", "metadata", "headline",
}


def pack(body: str, family: str = "mine") -> str:
    return f'family = "{family}"\n' + textwrap.dedent(body)


def test_builtin_packs_load_and_their_examples_hold():
    # builtin_rules() counts the packs' examples without running them (startup time);
    # parse_pack as a user's file is read runs every match / no_match / trims / cases one
    from importlib import resources

    rules = builtin_rules()
    assert len(rules) >= 60
    assert len({r.id for r in rules}) == len(rules)
    checked = []
    for entry in sorted((resources.files("scrubber.rules") / "packs").iterdir(),
                        key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            checked += parse_pack(entry.read_text("utf-8"), entry.name, True, check=True)
    assert [(r.id, r.examples) for r in checked] == [(r.id, r.examples) for r in rules]
    assert sum(r.examples for r in rules) >= 700


def test_builtin_patterns_compile_on_first_use_and_read_as_compiled():
    """Loading the built-in packs compiles none of their patterns (a CLI call on a short
    page used none of most); each one's ``pattern`` and ``flags`` are what compiling it
    gives (its ``(?x)`` included), and it compiles, and pickles, as the rule wrote it."""
    import pickle

    import regex

    from scrubber.rules import LazyPattern, _fast, compiled

    for rule in builtin_rules.__wrapped__():  # (a fresh load: none used yet)
        for p in (*rule.patterns, *rule.fast):
            assert isinstance(p, LazyPattern) and "_compiled" not in p.__dict__, rule.id
        for p, f in zip(rule.patterns, rule.fast, strict=True):
            pattern, flags = p.pattern, p.flags
            want = regex.compile(pattern, p.flags & regex.IGNORECASE)
            assert (flags, pattern) == (want.flags, want.pattern), rule.id
            got, fast, want_fast = compiled(p), compiled(f), _fast(want)
            assert (got.pattern, got.flags) == (want.pattern, want.flags), rule.id
            assert type(fast) is type(want_fast), rule.id
            assert (fast.pattern, fast.flags) == (want_fast.pattern, want_fast.flags), rule.id
            # from now on the compiled pattern's own methods, not a proxy's
            assert p.search.__self__ is got and f.match.__self__ is fast
            assert (p.pattern, p.flags) == (pattern, flags)
            back = pickle.loads(pickle.dumps(p))
            assert (back.pattern, back.flags) == (pattern, flags)


def test_every_required_family_has_rules():
    assert set(families()) >= REQUIRED_FAMILIES


@pytest.mark.parametrize("rule", builtin_rules(), ids=lambda r: r.id)
def test_every_rule_is_documented(rule):
    assert rule.description.strip()
    assert rule.scope == "document" or rule.patterns


def test_builtin_examples_cover_positive_and_negative():
    import tomllib
    from importlib import resources

    packs = resources.files("scrubber.rules") / "packs"
    for entry in packs.iterdir():
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text("utf-8"))
        for raw in data["rule"]:
            if raw["scope"] == "document":
                assert len(raw.get("cases", [])) >= 2, raw["id"]
                continue
            assert len(raw.get("match", [])) + len(raw.get("trims", [])) >= 2, raw["id"]
            assert len(raw.get("no_match", [])) >= 2, raw["id"]


LINE_RULE = """
[[rule]]
id = "mine.buy-now"
description = "Buy-now button"
scope = "line"
patterns = ['^Buy now!?$']
ignore_case = true
match = ["Buy now", "BUY NOW!"]
no_match = ["You can buy now or later, the shop said."]
"""


def test_line_rule_drops_matching_lines(tmp_path: Path):
    rules = parse_pack(pack(LINE_RULE), "mine.toml")
    hits = RuleSet(rules).apply(["Buy now", "Text", ""])
    assert hits.drop == [0, -1, -1]


def test_example_that_its_own_pattern_fails_is_rejected():
    bad = LINE_RULE.replace('"BUY NOW!"', '"Purchase now"')
    with pytest.raises(RuleError) as e:
        parse_pack(pack(bad), "mine.toml")
    assert e.value.rule_id == "mine.buy-now" and "Purchase now" in str(e.value)
    assert "mine.toml" in str(e.value)


def test_negative_example_that_matches_is_rejected():
    bad = LINE_RULE.replace('"You can buy now or later, the shop said."', '"buy now"')
    with pytest.raises(RuleError, match="should not match"):
        parse_pack(pack(bad), "mine.toml")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[[rule]]\nid = 'mine.x'\ndescription = 'd'\nscope = 'line'\npatterns = ['(']\n",
         "bad regex"),
        ("[[rule]]\nid = 'mine.x'\ndescription = 'd'\nscope = 'line'\npatterns = ['a']\n"
         "colour = 'red'\n", "unknown key"),
        ("[[rule]]\nid = 'mine.x'\ndescription = 'd'\nscope = 'sideways'\npatterns = ['a']\n",
         "scope must be"),
        ("[[rule]]\nid = 'other.x'\ndescription = 'd'\nscope = 'line'\npatterns = ['a']\n",
         "family"),
        ("[[rule]]\nid = 'mine.x'\nscope = 'line'\npatterns = ['a']\n", "description"),
        ("[[rule\n", "TOML syntax"),
    ],
)
def test_bad_rule_files_name_the_problem(body: str, problem: str):
    with pytest.raises(RuleError, match=problem):
        parse_pack(pack(body), "mine.toml")


def test_unreadable_rule_file_is_a_rule_error(tmp_path: Path):
    with pytest.raises(RuleError, match="cannot read"):
        load_rule_file(tmp_path / "missing.toml")


def test_user_rule_file_and_disable_through_config(tmp_path: Path):
    f = tmp_path / "mine.toml"
    f.write_text(pack(LINE_RULE), encoding="utf-8")
    text = "Buy now\nA paragraph of body text that is long enough to stay in.\n"
    assert scrubber.clean(text, rule_files=(str(f),), use_model=False).startswith("A paragraph")
    kept = scrubber.clean(text, rule_files=(str(f),), disabled_rules=frozenset({"mine"}),
                          use_model=False)
    assert kept.startswith("Buy now")


def test_prefix_rule_trims_and_keeps_the_rest():
    body = """
    [[rule]]
    id = "mine.stamp"
    description = "Stamp"
    scope = "prefix"
    patterns = ['^STAMP \\d+ ']
    trims = [["STAMP 12 Body text", "Body text"], ["STAMP 1 x", "x"]]
    no_match = ["A STAMP 12 inside", "STAMP alone"]
    """
    rs = RuleSet(parse_pack(pack(body), "mine.toml"))
    hits = rs.apply(["  STAMP 7 The paragraph.", "STAMP 8 "])
    start, end, _ = hits.trim[0]
    assert "  STAMP 7 The paragraph."[start:end] == "The paragraph."


def test_user_prefix_rule_is_matched_once_per_line(tmp_path: Path) -> None:
    """A user prefix rule was matched twice on every line it trims: once to find the rule
    (``_Combined.first``), once more for the match's end in ``RuleSet._trim``; each paid
    the regex timeout. Once now, with the same trims."""
    import dataclasses

    f = tmp_path / "mine.toml"
    f.write_text(pack("""
    [[rule]]
    id = "mine.dateline"
    description = "Dateline"
    scope = "prefix"
    patterns = ['^DATELINE \\d+ -- ', '^WIRE \\d+ -- ']
    trims = [["DATELINE 12 -- Body text", "Body text"], ["WIRE 3 -- Body", "Body"]]
    no_match = ["A DATELINE 12 -- inside"]
    """), encoding="utf-8")
    plain = load_ruleset((str(f),), timeout=1.0)
    calls: list[tuple[str, bool]] = []

    class Counted:  # a pattern that counts its calls (and whether a timeout was given)
        def __init__(self, p: object) -> None:
            self.p = p

        def __getattr__(self, name: str) -> object:
            return getattr(self.p, name)

        def match(self, line: str, *a: object, **kw: object) -> object:
            calls.append((line, "timeout" in kw))
            return self.p.match(line, *a, **kw)  # type: ignore[attr-defined]

        def search(self, line: str, *a: object, **kw: object) -> object:
            calls.append((line, "timeout" in kw))
            return self.p.search(line, *a, **kw)  # type: ignore[attr-defined]

    rules = [r if r.builtin else dataclasses.replace(
        r, patterns=tuple(Counted(p) for p in r.patterns)) for r in plain.rules]
    counted = RuleSet(rules, plain.timeout)
    lines = ["  DATELINE 12 -- The body of the story goes on here.",
             "WIRE 3 -- Another story, from the wire.",
             "A line without a dateline, long enough to be a paragraph."]
    hits = counted.apply(lines)
    assert hits.trim == plain.apply(lines).trim
    assert [lines[i][t[0]:t[1]] if t else None for i, t in enumerate(hits.trim)] == [
        "The body of the story goes on here.", "Another story, from the wire.", None]
    # per line: each pattern tried once, up to the one that matched (under the timeout)
    stripped = [s.strip() for s in lines]
    assert calls == [(stripped[0], True), (stripped[1], True), (stripped[1], True),
                     (stripped[2], True), (stripped[2], True)]


def test_run_rule_drops_gap_lines_between_anchors():
    body = """
    [[rule]]
    id = "mine.card"
    description = "Card"
    scope = "run"
    patterns = ['^\\d+ views$']
    min_anchors = 2
    match = ["5 views", "10 views"]
    no_match = ["views", "He had 5 views on it."]
    """
    rs = RuleSet(parse_pack(pack(body), "mine.toml"))
    lines = ["Body paragraph here.", "Channel A", "5 views", "Channel B", "7 views", "End."]
    hits = rs.apply(lines)
    assert [d >= 0 for d in hits.drop] == [False, False, True, True, True, False]


def test_widget_rule_takes_the_short_lines_after_its_heading():
    body = """
    [[rule]]
    id = "mine.related"
    description = "Related"
    scope = "widget"
    patterns = ['^Related$']
    match = ["Related", "related"]
    ignore_case = true
    no_match = ["Related reading is good.", "Unrelated"]
    """
    rs = RuleSet(parse_pack(pack(body), "mine.toml"))
    lines = ["Body.", "Related", "Link one", "Link two",
             "A long paragraph of prose that ends the widget, as it should."]
    hits = rs.apply(lines)
    assert [d >= 0 for d in hits.drop] == [False, True, True, True, False]


def test_repeated_headline_ignores_quotes_case_and_site_suffix():
    lines = ["NATO’s Plan Is Set", "", "nato's plan is set | CNN", "Body text."]
    assert repeated_headline(lines, [-1] * 4, {}) == [2]
    assert normalise_headline("“A”  B") == normalise_headline('"a" b')


def test_repeated_headline_leaves_distinct_lines():
    lines = ["The plan is set", "The plan is not set", "Body."]
    assert repeated_headline(lines, [-1] * 3, {}) == []


def test_ruleset_cache_returns_same_object_for_same_config():
    assert load_ruleset() is load_ruleset()


def test_user_rule_timeout_names_the_rule(tmp_path: Path):
    body = """
    [[rule]]
    id = "mine.slow"
    description = "Catastrophic"
    scope = "line"
    max_chars = 100000
    patterns = ['^(a|aa)+$']
    """
    f = tmp_path / "slow.toml"
    f.write_text(pack(body), encoding="utf-8")
    text = "a" * 40 + "b"
    with pytest.raises(scrubber.RuleTimeout, match=r"mine\.slow"):
        scrubber.clean(text, rule_files=(str(f),), regex_timeout=0.05, use_model=False)


class _SlowPattern:
    """A pattern that takes 0.1 s to find nothing."""

    pattern = "slow"

    def search(self, line, pos=0, timeout=None):
        time.sleep(0.1)

    match = search


@pytest.mark.parametrize("how", ["search", "match_start", "search_to_end"])
def test_a_rules_patterns_share_its_timeout_on_a_line(how: str):
    # each pattern had the whole timeout: five patterns took five times it on every line
    rule = Rule(id="mine.slow", family="mine", description="d", scope="line",
                patterns=(_SlowPattern(),) * 5, builtin=False)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        getattr(rule, how)("a line", 0.25)
    assert time.monotonic() - start < 0.45


def _pack_examples():
    import tomllib
    from importlib import resources

    packs = resources.files("scrubber.rules") / "packs"
    for entry in sorted(packs.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            yield from tomllib.loads(entry.read_text("utf-8"))["rule"]


def test_fast_combined_path_agrees_with_each_rules_examples():
    """The engine combines rules into one alternation (and uses ``re`` where it can);
    every line rule's examples must come out the same through that fast path."""
    rs = load_ruleset()
    for raw in _pack_examples():
        if raw["scope"] != "line" or raw.get("strength", "sure") != "sure":
            continue
        k = rs.ids[raw["id"]]
        for ex in raw.get("match", []):
            hits = rs.apply([ex])
            assert hits.drop[0] >= 0, (raw["id"], ex)
        for ex in raw.get("no_match", []):
            hits = rs.apply([ex])
            assert hits.drop[0] != k, (raw["id"], ex)


def test_literal_prefixes_see_through_unicode_property_lookaheads() -> None:
    """A ``\\p{..}`` class (``regex``-only) no longer hides a pattern's literal prefixes:
    behind a lookahead it is skipped, elsewhere it ends the prefix like any open class."""
    from scrubber.rules import _literal_prefixes

    assert _literal_prefixes(r"^(?=\p{Lu})(?i:Accept|Agree)\b") == frozenset({"accept", "agree"})
    assert _literal_prefixes(r"^[\p{L}x]ab") is None
    assert _literal_prefixes(r"^ab\p{Lu}cd") == frozenset({"ab"})


def test_inlined_define_patterns_run_on_the_standard_engine_and_agree() -> None:
    """Patterns with a ``(?(DEFINE)...)`` block are inlined for the standard library's
    engine; on every built-in rule's own examples (and their neighbours: prefixed, cut,
    upper-cased) the fast pattern and the ``regex`` original agree."""
    import re
    import tomllib
    from importlib import resources

    from scrubber.rules import _inline_defines, builtin_rules, compiled

    assert _inline_defines(r"^(?&d)-(?&d)$(?(DEFINE)(?<d>\d{2}(?&x)?)(?<x>[a)]))") == (
        r"^(?:\d{2}(?:[a)])?)-(?:\d{2}(?:[a)])?)$")
    assert _inline_defines(r"^abc$") is None

    examples: dict[str, list[str]] = {}
    for f in resources.files("scrubber.rules.packs").iterdir():
        if f.name.endswith(".toml"):
            for raw in tomllib.loads(f.read_text("utf-8")).get("rule", []):
                examples[raw["id"]] = [*raw.get("match", []), *raw.get("no_match", [])]
    inlined = 0
    for rule in builtin_rules():
        for pat, fast in zip(rule.patterns, map(compiled, rule.fast), strict=True):
            if "(?(DEFINE)" not in pat.pattern:
                continue
            if isinstance(fast, re.Pattern):
                inlined += 1
            for ex in examples.get(rule.id, []):
                for s in (ex, "x " + ex, ex[:-1], ex.upper(), ex + " 2024"):
                    assert bool(fast.search(s)) == bool(pat.search(s)), (rule.id, s)
                    assert bool(fast.match(s)) == bool(pat.match(s)), (rule.id, s)
    assert inlined >= 1  # metadata.date-line


def test_headline_length_bound_knows_every_character_normalising_can_remove() -> None:
    """The bound deletes exactly the white space that ``str.strip`` or the ``\\s`` of
    normalise_headline sees (no such character lies above U+3000), plus "." and ":"."""
    import sys

    import regex

    space = regex.compile(r"\s")
    wanted = {cp for cp in range(sys.maxunicode + 1)
              if chr(cp).isspace() or space.match(chr(cp))} | {ord("."), ord(":")}
    assert set(_REMOVABLE) == wanted


@pytest.mark.parametrize("line", [
    "Plain headline", "  Spaced   out\t headline ... ", "Stra\u00dfe \u2013 \u201cquoted\u201d",
    "\ufb01nance \u2460", "e\u0301t\u00e9", "\u3131\u314f", "\u0130stanbul: ", "...", "",
    "Title \u00a0\u2009\u202f:::", "\u0390\u1e9e\u2126",
])
def test_headline_length_bound_never_exceeds_the_normalised_length(line: str) -> None:
    assert headline_length_bound(line) <= len(normalise_headline(line))


def test_headline_length_bound_is_tight_on_ascii_prose() -> None:
    line = "A paragraph of body text, long enough to be no headline at all."
    assert headline_length_bound(line) == len(line) - line.count(" ") - 1


def test_headline_length_bound_holds_on_any_text() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.text(max_size=40))
    def check(line: str) -> None:
        assert headline_length_bound(line) <= len(normalise_headline(line))

    check()


def test_normalising_ascii_headlines_never_lengthens_them() -> None:
    """The headline search skips ASCII lines shorter than every headline it looks for
    (scrubber.pipeline._headline_index): sound only if this holds."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
    def check(line: str) -> None:
        assert len(normalise_headline(line)) <= len(line)

    check()


def test_headline_index_finds_the_headline_among_short_lines() -> None:
    from scrubber.pipeline import _headline_index

    lines = ["Home", "News", "Big  News Today.", "Big news today, and more"]
    assert _headline_index(lines, "Big news today | Site", "") == 2
    assert _headline_index(lines, "", "BIG NEWS TODAY") == 2
    assert _headline_index(["Big", "News"], "Big news", "") == -1
    assert _headline_index(["x", "\u201cBig\u201d"], "", "\"big\"") == 1


STAMP_ONLY = "Published on: February 14, 2025"


@pytest.mark.parametrize("use_model", [False, True])
def test_a_line_trimmed_to_nothing_is_explained_as_the_trim_rules_drop(use_model: bool):
    # the stamp is the whole line: the trim rule leaves nothing, and the explanation
    # names it (it crashed without a model, and blamed the model with one)
    for text in (STAMP_ONLY, STAMP_ONLY + "\nA paragraph of body text, long enough to be "
                 "kept by the model as the article's own prose.\n"):
        ex = scrubber.clean_and_explain(text, use_model=use_model)
        assert ex.text == scrubber.clean(text, use_model=use_model)
        d = ex.decisions[0]
        assert (d.action, d.stage, d.rule_id) == (
            scrubber.Action.DROP, scrubber.Stage.RULE, "metadata.stamp")
        assert d.output is None and "trimmed to nothing" in d.reason
        assert ex.counts()["drop:rule:metadata.stamp"] == 1
        assert "drop:model" not in ex.counts()
    assert scrubber.clean(STAMP_ONLY, use_model=use_model) == ""


def _buy_rule(word: str) -> str:
    return pack(LINE_RULE.replace("Buy now", word).replace("BUY NOW!", word.upper())
                .replace("buy now", word.lower()))


def test_an_edited_rule_file_is_read_again(tmp_path: Path):
    import os

    f = tmp_path / "mine.toml"
    f.write_text(_buy_rule("Buy now"), encoding="utf-8")
    text = "Buy now\nSell now\nA paragraph of body text that is long enough to stay in.\n"
    first = scrubber.clean(text, rule_files=[str(f)], use_model=False)
    assert first.startswith("Sell now")
    f.write_text(_buy_rule("Sell now"), encoding="utf-8")
    st = f.stat()  # (a later mtime even where the clock is coarse)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert scrubber.clean(text, rule_files=[str(f)], use_model=False).startswith("Buy now")
    # unchanged files keep their cached rule set
    assert load_ruleset((str(f),)) is load_ruleset((str(f),))


def test_a_relative_rule_file_means_what_it_names_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
):
    for word, sub in (("Buy now", "a"), ("Sell now", "b")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "mine.toml").write_text(_buy_rule(word), encoding="utf-8")
    text = "Buy now\nSell now\nA paragraph of body text that is long enough to stay in.\n"
    monkeypatch.chdir(tmp_path / "a")
    assert scrubber.clean(text, rule_files=["mine.toml"], use_model=False).startswith("Sell")
    monkeypatch.chdir(tmp_path / "b")
    assert scrubber.clean(text, rule_files=["mine.toml"], use_model=False).startswith("Buy")
    # errors still name the file as it was given
    (tmp_path / "b" / "mine.toml").write_text(pack("[[rule]]\n"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"^mine\.toml: "):
        load_ruleset(("mine.toml",))


RUN_RULE = """
[[rule]]
id = "mine.card"
description = "Card"
scope = "run"
patterns = ['^\\d+ views$']
{extra}
match = ["5 views"]
"""
WIDGET_RULE = """
[[rule]]
id = "mine.related"
description = "Related"
scope = "widget"
patterns = ['^Related$']
{extra}
match = ["Related"]
"""
CHECK_RULE = """
[[rule]]
id = "mine.copy"
description = "Headline copy"
scope = "document"
check = "repeated_headline"
{extra}
"""


@pytest.mark.parametrize(
    ("body", "extra", "problem"),
    [
        (RUN_RULE, "min_anchors = 0", "min_anchors must be at least 1, not 0"),
        (RUN_RULE, "params = {min_anchors = 0}", "min_anchors must be at least 1"),
        (RUN_RULE, "min_anchors = true", "min_anchors must be an integer"),
        (RUN_RULE, "max_gap = -1", "max_gap must be at least 0"),
        (RUN_RULE, "params = {gap_max_chars = 'x'}", "gap_max_chars must be an integer"),
        (RUN_RULE, "params = 3", "params must be a table"),
        (RUN_RULE, "max_chars = 0", "max_chars must be at least 1"),
        (RUN_RULE, "ignore_case = 'no'", "ignore_case must be true or false"),
        (WIDGET_RULE, "follow_max_lines = -2", "follow_max_lines must be at least 0"),
        (WIDGET_RULE, "params = {follow_max_chars = 1.5}", "follow_max_chars must be an int"),
        (CHECK_RULE, "params = {window = 'x'}", "window must be an integer"),
        (CHECK_RULE, "params = {max_chars = -1}", "max_chars must be at least 1"),
        (CHECK_RULE, "cases = [{lines = [1], drop = []}]", "each case needs"),
        (CHECK_RULE, "cases = ['x']", "each case needs"),
        (CHECK_RULE, "cases = [{lines = ['a', 'b'], drop = [], keep = [0]}]",
         "unknown key.s. in a case: keep"),
        (RUN_RULE, "min_anchors = 3\nparams = {min_anchors = 2}",
         "min_anchors given both as a key and in params"),
        (WIDGET_RULE, "follow_max_lines = 3\nparams = {follow_max_lines = 3}",
         "follow_max_lines given both as a key and in params"),
    ],
)
def test_bad_rule_parameters_are_an_error_when_the_file_loads(
    body: str, extra: str, problem: str
):
    with pytest.raises(RuleError, match=problem):
        parse_pack(pack(body.format(extra=extra)), "mine.toml")


def test_a_run_rule_of_one_anchor_loads_and_cleans(tmp_path: Path):
    f = tmp_path / "mine.toml"
    f.write_text(pack(RUN_RULE.format(extra="min_anchors = 1")), encoding="utf-8")
    text = "5 views\nA paragraph of body text that is long enough to stay in.\n"
    out = scrubber.clean(text, rule_files=[str(f)], use_model=False)
    assert out == "A paragraph of body text that is long enough to stay in.\n"


@pytest.mark.parametrize(
    ("body", "extra", "problem"),
    [
        (LINE_RULE, "trims = [['Buy now', 'wrong']]", "trims is not used by scope 'line'"),
        (LINE_RULE, "min_anchors = 2", "min_anchors is not used by scope 'line' (only run)"),
        (LINE_RULE, "cases = []", "cases is not used by scope 'line'"),
        (LINE_RULE, "params = {window = 3}", "params is not used by scope 'line'"),
        (WIDGET_RULE, "min_anchors = 2", "min_anchors is not used by scope 'widget'"),
        (WIDGET_RULE, "params = {max_gap = 2}", "params max_gap not used by scope 'widget'"),
        (RUN_RULE, "params = {follow_max_lines = 2}", "params follow_max_lines not used"),
        (CHECK_RULE, "patterns = ['x']", "patterns is not used by scope 'document'"),
        (CHECK_RULE, "match = ['x']", "match is not used by scope 'document'"),
        (CHECK_RULE, "params = {windw = 3}", "params windw not used by scope 'document'"),
    ],
)
def test_a_key_the_rules_scope_does_not_use_is_an_error_not_ignored(
    body: str, extra: str, problem: str
):
    if body is LINE_RULE:
        body = LINE_RULE.rstrip("\n") + "\n{extra}\n"
    with pytest.raises(RuleError, match=re.escape(problem)):
        parse_pack(pack(body.format(extra=extra)), "mine.toml")


def test_a_rule_id_defined_again_names_the_file_and_the_first_definition(tmp_path: Path):
    builtin = builtin_rules()[0]
    mine = tmp_path / "mine.toml"
    mine.write_text(pack(LINE_RULE), encoding="utf-8")
    theirs = tmp_path / "theirs.toml"
    theirs.write_text(pack(LINE_RULE), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_ruleset((str(mine), str(theirs)))
    assert (e.value.file, e.value.rule_id) == (str(theirs), "mine.buy-now")
    assert e.value.problem == f"id already defined in {mine}"
    clash = tmp_path / "clash.toml"
    clash.write_text(pack(LINE_RULE.replace("mine.buy-now", builtin.id), builtin.family),
                     encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_ruleset((str(clash),))
    assert e.value.file == str(clash)
    assert e.value.problem == f"id already defined in the built-in pack {builtin.origin}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "mine.toml: no 'family' (the pack's name, e.g. family = \"mysite\")"),
        ("# my rules, to do\n", "mine.toml: no 'family'"),
        ('family = "mine"\n', "mine.toml: no rules (each one is a [[rule]] table)"),
        ('family = "mine"\n[[rule]]\ndescription = "d"\n',
         "mine.toml: a [[rule]] is missing required key 'id'"),
        ('family = "My Site"\n', "mine.toml: 'family' must be a name of ASCII a-z and 0-9, "
                                  "words joined by single hyphens, not 'My Site'"),
    ],
)
def test_a_rule_file_without_a_family_or_rules_says_so(tmp_path: Path, text: str,
                                                        problem: str):
    with pytest.raises(RuleError) as e:
        parse_pack(text, "mine.toml")
    assert str(e.value).startswith(problem)


def test_a_rule_file_saved_with_a_utf8_bom_loads(tmp_path: Path):
    f = tmp_path / "mine.toml"
    f.write_bytes(b"\xef\xbb\xbf" + pack(LINE_RULE).encode())
    assert [r.id for r in load_rule_file(f)] == ["mine.buy-now"]


@pytest.mark.parametrize(
    ("example", "extra", "problem"),
    [
        ('""', "", "example '' is blank: rules never see blank lines"),
        ('"  "', "", "example '  ' is blank"),
        ('"Buy now"', "max_chars = 5",
         "example 'Buy now' should match but is longer than max_chars (7 > 5)"),
    ],
)
def test_a_match_example_the_rule_can_never_see_says_why(example: str, extra: str,
                                                          problem: str):
    body = LINE_RULE.replace('match = ["Buy now", "BUY NOW!"]', f"match = [{example}]\n{extra}")
    with pytest.raises(RuleError, match=re.escape(problem)):
        parse_pack(pack(body), "mine.toml")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (LINE_RULE.replace('description = "Buy-now button"', "description = 5"),
         "description must be a string, not 5"),
        (LINE_RULE.replace('scope = "line"', 'scope = "line"\nsource = ["a"]'),
         "source must be a string"),
        (CHECK_RULE.format(extra='strength = "hint"'), "a document check cannot be a hint"),
        # a prefix hint fired anywhere in a line: on its own no_match example
        ("[[rule]]\nid = 'mine.by'\ndescription = 'd'\nscope = 'prefix'\nstrength = 'hint'\n"
         "patterns = ['By \\\\w+ \\\\| ']\nno_match = ['Story By Bob | x']\n",
         "a hint marks the lines its patterns match, with no prefix behaviour: give it "
         "scope = 'line'"),
        (RUN_RULE.format(extra='strength = "hint"\nmin_anchors = 5'),
         "with no run behaviour"),
        (WIDGET_RULE.format(extra='strength = "hint"'), "with no widget behaviour"),
        (LINE_RULE.replace('description = "Buy-now button"', 'description = " "'),
         "description is blank: it is the reason --explain gives"),
        (LINE_RULE.replace('scope = "line"', 'scope = "line"\nlang = "en"'),
         "lang must be a list of language codes such as [\"en\", \"de\"], not 'en'"),
        (LINE_RULE.replace('scope = "line"', 'scope = "line"\nlang = [1]'),
         "lang must be a list of language codes"),
        (LINE_RULE.replace('scope = "line"', 'scope = "line"\nlang = ["English"]'),
         "lang must be a list of language codes"),
        ('description = 3\n' + LINE_RULE, "mine.toml: description must be a string, not 3"),
    ],
)
def test_a_rule_value_that_would_be_coerced_or_ignored_is_an_error(body: str, problem: str):
    with pytest.raises(RuleError, match=re.escape(problem)):
        parse_pack(pack(body), "mine.toml")


@pytest.mark.parametrize(
    ("scope", "pattern", "extra"),
    [
        ("line", "^Buy now!?$|", ""),  # an empty alternative: a typo, not a rule
        ("line", "(?:^Buy now!?$)?", ""),  # everything optional
        ("line", "(?!Promo)", ""),  # a look-ahead alone matches nothing
        ("widget", "^Popular|", ""),
        ("run", "^\\d+ views$|", ""),
        ("line", "^Promo$|", 'strength = "hint"'),
        ("prefix", "^(?:By \\w+ \\| )?", ""),
        ("suffix", "(?: Read more)?$", ""),
    ],
)
def test_a_pattern_that_matches_an_empty_piece_of_any_line_is_an_error(
    scope: str, pattern: str, extra: str
):
    # a line, run or widget rule (or any hint) fired on every line: clean() returned ""
    # for every document; a trim rule trimmed nothing and, being first, kept the later
    # prefix rules from trimming
    body = (f"[[rule]]\nid = 'mine.x'\ndescription = 'd'\nscope = '{scope}'\n"
            f"patterns = ['{pattern}']\n{extra}\n")
    with pytest.raises(RuleError) as e:
        parse_pack(pack(body), "mine.toml")
    assert e.value.rule_id == "mine.x"
    assert "matches an empty piece" in e.value.problem
    assert repr(pattern.replace("\\\\", "\\")) in e.value.problem


@pytest.mark.parametrize(
    ("scope", "pattern"),
    [("prefix", "^(?:By \\w+ \\| )?(?=Bob)"), ("suffix", "(?: Read more)?(?<=Bob)$")],
)
def test_a_trim_example_matched_only_by_an_empty_piece_does_not_hold(scope: str,
                                                                     pattern: str):
    # a trim of nothing trims nothing: such an example was said to hold
    body = (f"[[rule]]\nid = 'mine.x'\ndescription = 'd'\nscope = '{scope}'\n"
            f"patterns = ['{pattern}']\nmatch = ['Bob']\n")
    with pytest.raises(RuleError, match="example 'Bob' should match but does not"):
        parse_pack(pack(body), "mine.toml")
    body = body.replace("match = ", "no_match = ")  # and it is no match for no_match
    assert [r.id for r in parse_pack(pack(body), "mine.toml")] == ["mine.x"]


@pytest.mark.parametrize(
    ("family", "rule_id", "problem"),
    [
        # an id that is only its family's name: --disable my-site named both
        ("my-site", "my-site", "rule 'my-site': id must look like '<family>.<name>'"),
        ("mine", "mine-x", "rule 'mine-x': id must look like '<family>.<name>'"),
        # families no id can start with
        ("-", "x.y", "words joined by single hyphens, not '-'"),
        ("my-", "x.y", "words joined by single hyphens, not 'my-'"),
        ("my--site", "x.y", "words joined by single hyphens, not 'my--site'"),
        ("мойсайт", "x.y", "'family' must be a name of ASCII a-z and 0-9"),
        ("mine", "mine.промо", "(ASCII a-z and 0-9, words joined by single hyphens)"),
    ],
)
def test_a_rule_id_needs_a_name_after_its_family(family: str, rule_id: str, problem: str):
    body = (f'family = "{family}"\n[[rule]]\nid = "{rule_id}"\ndescription = "d"\n'
            "scope = 'line'\npatterns = ['^x$']\n")
    with pytest.raises(RuleError, match=re.escape(problem)):
        parse_pack(body, "mine.toml")


def test_hyphenated_families_and_ids_load():
    body = ('family = "my-site"\n[[rule]]\nid = "my-site.buy-now.v2"\ndescription = "d"\n'
            "scope = 'line'\npatterns = ['^Buy now$']\nmatch = ['Buy now']\n")
    assert [r.family for r in parse_pack(body, "mine.toml")] == ["my-site"]


def test_a_multi_line_description_is_one_line_of_explanation(tmp_path: Path):
    # a TOML multi-line string broke --explain's one line per input line (and the
    # listing of scrubber rules) in two
    f = tmp_path / "mine.toml"
    multi = 'description = """Buy-now button,\n  on the shop\'s pages"""'
    f.write_text(pack(LINE_RULE.replace('description = "Buy-now button"', multi)),
                 encoding="utf-8")
    rule, = load_rule_file(f)
    assert rule.description == "Buy-now button, on the shop's pages"
    text = "Buy now\nA paragraph of body text that is long enough to stay in.\n"
    out = scrubber.clean_and_explain(text, rule_files=[str(f)], use_model=False)
    assert out.decisions[0].reason == "Buy-now button, on the shop's pages"
    assert len(out.format().split("\n")) == 2


def test_rule_languages_as_the_packs_write_them_load():
    body = LINE_RULE.replace('scope = "line"', 'scope = "line"\nlang = ["en", "pt-BR", "gsw"]')
    assert len(parse_pack(pack(body), "mine.toml")) == 1


SHOP_SUFFIX = """
[[rule]]
id = "mine.shop-now"
description = "Shop link after a paragraph"
scope = "suffix"
patterns = ['\\s*\\(Shop now\\)']
trims = [["The body ends here. (Shop now)", "The body ends here."],
         ["The (Shop now) button is the one we used, so we did. (Shop now)",
          "The (Shop now) button is the one we used, so we did."]]
"""


def test_a_suffix_pattern_trims_its_match_at_the_end_when_it_also_matches_earlier(
        tmp_path: Path):
    # the leftmost match was the only one tried: it did not end the line, so nothing
    # was trimmed (and the trims example above failed to load)
    f = tmp_path / "mine.toml"
    f.write_text(pack(SHOP_SUFFIX), encoding="utf-8")
    text = "The (Shop now) button is the one we used, so we did. (Shop now)\n"
    out = scrubber.clean(text, rule_files=[str(f)], use_model=False, context=False)
    assert out == "The (Shop now) button is the one we used, so we did.\n"


@pytest.mark.parametrize("pattern", [
    "^Buy now$|Sponsored by MyShop",
    "(?x) ^Buy\\ now$  # the button\n | Sponsored\\ by\\ MyShop",
    "^(?:Buy now)$|(?<=, )Sponsored by MyShop",
])
def test_a_pattern_starting_with_a_caret_but_not_anchored_in_every_branch_is_searched(
        tmp_path: Path, pattern: str):
    # it was tried at the start of the line only, so its second branch never fired,
    # although the match examples (searched) held
    f = tmp_path / "mine.toml"
    f.write_text(pack(f"""
        [[rule]]
        id = "mine.promo"
        description = "Promo"
        scope = "line"
        patterns = [{json.dumps(pattern)}]
        match = ["Buy now", "A deal, Sponsored by MyShop"]
        """), encoding="utf-8")
    text = ("Buy now\nA deal, Sponsored by MyShop\n"
            "A body paragraph long enough to be kept by anyone at all.\n")
    out = scrubber.clean(text, rule_files=[str(f)], use_model=False)
    assert out == "A body paragraph long enough to be kept by anyone at all.\n"


@pytest.mark.parametrize(("pattern", "anchored"), [
    ("^a|b", False), ("^a|^b", True), ("^(?:a|b)c", True), ("^[|]a", True), ("^a\\|b", True),
    ("(?x) ^a  # x|y\n | ^b", True), ("(?x) ^a\n | b", False), ("a|^b", False),
])
def test_a_pattern_is_tried_at_the_line_start_only_when_every_branch_starts_there(
        pattern: str, anchored: bool):
    from scrubber.rules import _starts_anchored

    assert _starts_anchored(pattern) is anchored


def test_top_level_bar_passing_over_plain_runs_answers_as_reading_every_character() -> None:
    """_top_level_bar skips runs of characters it ignores (_BAR_PLAIN); the answers are
    those of the loop over every character (the reference below), for every built-in
    pattern and for the patterns of up to four of the characters the skipping stops at."""
    import itertools

    from scrubber.rules import _bare_chars, _top_level_bar, _Unsafe, builtin_rules

    def reference(pattern: str, verbose: bool) -> bool:
        depth = 0
        try:
            for i, c in _bare_chars(pattern, 0, verbose):
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                elif c == "|" and depth == 0:
                    rest = pattern[i + 1 :]
                    if not (rest.lstrip() if verbose else rest).startswith("^"):
                        return True
        except _Unsafe:
            return True
        return False

    texts = {p.pattern for r in builtin_rules() for p in r.patterns}
    texts |= {"".join(t) for n in range(1, 5)
              for t in itertools.product(["a", "(", ")", "|", "^", "\\", "[", "]", "#",
                                          "\n", " "], repeat=n)}
    for text in texts:
        for verbose in (False, True):
            assert _top_level_bar(text, verbose) is reference(text, verbose), (text, verbose)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        # (the pattern's \\s matched the line break: the example held)
        (LINE_RULE.replace("'^Buy now!?$'", "'^Buy\\snow!?$'").replace('"BUY NOW!"',
                                                                     '"Buy\\nnow"'),
         "example 'Buy\\nnow' is more than one line: rules see one line at a time"),
        (LINE_RULE.replace('"BUY NOW!"', '"Buy now\\r!"'), "is more than one line"),
        (LINE_RULE.replace('"You can buy', '"Buy now\\nYou can buy'),
         "is more than one line"),
        (CHECK_RULE.format(extra='cases = [{lines = ["A\\nB", "x"], drop = []}]'),
         "example 'A\\nB' is more than one line"),
        ("[[rule]]\nid = 'mine.by'\ndescription = 'd'\nscope = 'prefix'\n"
         "patterns = ['^By \\\\w+\\\\s']\ntrims = [[\"By Bob\\nThe body\", 'The body']]\n",
         "example 'By Bob\\nThe body' is more than one line"),
    ],
)
def test_an_example_of_more_than_one_line_is_an_error(body: str, problem: str):
    with pytest.raises(RuleError, match=re.escape(problem)):
        parse_pack(pack(body), "mine.toml")


def test_a_rule_file_given_twice_says_so(tmp_path: Path):
    # the error was that its first rule's id was already defined in the file itself
    f = tmp_path / "mine.toml"
    f.write_text(pack(LINE_RULE), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_ruleset((str(f), str(f)))
    assert str(e.value) == f"{f}: rule file given twice"
    other = f"{tmp_path}/./mine.toml"
    with pytest.raises(RuleError) as e:
        load_ruleset((str(f), other))
    assert str(e.value) == f"{other}: rule file given twice (as {f})"


@pytest.mark.parametrize("scanned", [False, True])
def test_every_builtin_example_holds_in_the_whole_rule_set(monkeypatch, scanned: bool):
    """Loading checks each rule's examples on the rule alone; here each example goes
    through the rule set as clean() runs it (every pack, the combined matchers, with and
    without the document scans): a match example is dropped (a run's, three in a row),
    a trims example trimmed as it says (or kept whole), a check's case
    dropped as it says, and no rule fires on its own no_match example."""
    import scrubber.rules as rules_module

    monkeypatch.setattr(rules_module, "SCAN_AFTER_LINES", 0 if scanned else 10**12)
    rs = RuleSet(builtin_rules())
    rid = {r.id: i for i, r in enumerate(rs.rules)}
    n = 0
    for raw in _pack_examples():
        k = rid[raw["id"]]
        for ex in raw.get("match", []):
            n += 1
            if raw["scope"] == "run":
                hits = rs.apply([ex] * raw.get("min_anchors", 3))
                assert all(d >= 0 for d in hits.drop), (raw["id"], ex)
                continue
            hits = rs.apply([ex])
            if raw.get("strength") == "hint":
                assert hits.hint[0] >= 0 or hits.drop[0] >= 0, (raw["id"], ex)
            elif raw["scope"] in ("line", "widget"):
                assert hits.drop[0] >= 0, (raw["id"], ex)
            else:
                assert hits.trim[0] is not None or hits.drop[0] >= 0, (raw["id"], ex)
        for src, want in raw.get("trims", []):
            n += 1
            hits = rs.apply([src])
            t = hits.trim[0]
            got = src.strip() if t is None else src[t[0] : t[1]]
            assert hits.drop[0] < 0 and got.strip() == want.strip(), (raw["id"], src)
        for ex in raw.get("no_match", []):
            n += 1
            hits = rs.apply([ex])
            assert k not in (hits.drop[0], hits.hint[0]), (raw["id"], ex)
            assert hits.trim[0] is None or hits.trim[0][2] != k, (raw["id"], ex)
        for case in raw.get("cases", []):
            n += 1
            drop = rs.apply(case["lines"]).drop
            for i in range(len(drop)):
                # (a line rule may have dropped a line of the case first)
                assert (drop[i] >= 0) if i in case["drop"] else drop[i] != k, (raw["id"], i)
    assert n >= 700
