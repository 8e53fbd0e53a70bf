"""``scrubber.rules._literal_prefixes`` against its implementation before it remembered
its walks (``_reference`` below, kept verbatim but for its name): the same prefix sets
for every pattern a built-in rule gives it (its patterns, their fast forms and their
inlined DEFINEs, with and without ``lstripped``) and for generated patterns with nested
alternations, optional groups and repeats. A faster walk that gave another set would
change which rules a line is tried with: outputs would differ. And the table of the
built-in patterns' answers shipped in the package (``_PREFIX_TABLE``): exactly those
patterns, each with what the code computes."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scrubber.rules import (
    _PREFIX_CAP,
    _PREFIX_LEN,
    _PYTHON,
    _computed_prefixes,
    _fold,
    _literal_prefixes,
    _prefix_table,
    _prefix_table_texts,
    _read_prefix_table,
)

_UNI_PROPERTY = re.compile(r"\\[pP]\{[A-Za-z_]{1,40}\}")
_PASS_END = object()
_PASS_MARK = "\U0010ffff"


def _reference(pattern: str, lstripped: bool = False) -> frozenset[str] | None:
    """Lower-cased literal strings one of which every match of ``pattern`` (at the start
    of a line) begins with, or ``None`` when there is no such finite set. A line whose
    lower-cased text starts with none of them cannot match, so the rule is not tried.

    ``lstripped``: the lines are known to start with no white space (``str.strip``), so
    an optional run of white space before any character is read matches nothing and is
    passed over (``^[\\[(]?\\s*Read more`` gets ``[``, ``(`` and ``read more``)."""
    # ``regex``-only Unicode properties, for this analysis only, become ``\w``: an open
    # class, which ends a prefix where it stands (and is skipped inside a lookahead), so
    # the prefixes found can only be fewer letters long, never wrong
    pattern = _UNI_PROPERTY.sub(r"\\w", pattern)
    if _PASS_MARK in pattern or "10ffff" in pattern.lower():
        return None  # could be confused with the end-of-pass marker below
    try:
        from re import _constants as C
        from re import _parser as P
        tree = P.parse(pattern)
    except Exception:
        return None

    def _white_only(items: list[Any]) -> bool:
        """Does ``items`` match one white-space character (``str.isspace``) at most?"""
        if len(items) != 1 or items[0][0] is not C.IN:
            return False
        klass = items[0][1]
        spaces = (C.CATEGORY_SPACE, C.CATEGORY_UNI_SPACE)
        if klass and klass[0][0] is C.NEGATE:  # [^\S...]: a subset of \s
            return any(iop is C.CATEGORY and iav in (C.CATEGORY_NOT_SPACE,
                                                      C.CATEGORY_UNI_NOT_SPACE)
                       for iop, iav in klass[1:])
        return all((iop is C.CATEGORY and iav in spaces)
                   or (iop is C.LITERAL and chr(iav).isspace()) for iop, iav in klass)

    def pre(items: list[Any], depth: int = 0) -> set[str]:
        if not items or depth >= _PREFIX_LEN:
            return {""}
        op, av = items[0]
        rest = items[1:]
        if op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):
            return pre(rest, depth)
        if op is C.LITERAL:
            return {_fold(chr(av)) + t for t in pre(rest, depth + 1)}
        if op is C.IN:
            chars = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    chars.add(_fold(chr(iav)))
                elif iop is C.RANGE and iav[1] - iav[0] < 16:
                    chars |= {_fold(chr(c)) for c in range(iav[0], iav[1] + 1)}
                elif iop is C.CATEGORY and iav in (C.CATEGORY_DIGIT, C.CATEGORY_UNI_DIGIT):
                    chars.add("0")
                else:
                    return {""}  # an open class: the prefix ends here
            tails = pre(rest, depth + 1)
            out = {c + t for c in chars for t in tails}
        elif op is C.BRANCH:
            out = set()
            for branch in av[1]:
                out |= pre(list(branch) + rest, depth)
        elif op is C.SUBPATTERN:
            out = pre(list(av[3]) + rest, depth)
        elif op is _PASS_END:
            return {_PASS_MARK}
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            if lstripped and depth == 0 and lo == 0 and _white_only(list(sub)):
                return pre(rest, depth)  # nothing read yet: no white space to match
            if hi == 1:  # optional: with it, or straight on
                out = pre(list(sub) + rest, depth)
            else:
                # one pass through the repeat, then stop extending; a pass that matched
                # nothing (it reached the marked end having read no character) is
                # followed by another pass or by what comes after the repeat
                out = set()
                for t in pre([*sub, (_PASS_END, None)], depth):
                    if t == _PASS_MARK:
                        out |= pre(rest, depth)
                    else:
                        out.add(t.removesuffix(_PASS_MARK))
            if lo == 0:
                out |= pre(rest, depth)
        else:
            return {""}  # anything else: the prefix ends here
        if len(out) > _PREFIX_CAP:
            return _shorter(out)
        return out

    def _shorter(out: set[str]) -> set[str]:
        """Too many prefixes: the longest cut of them all to one length that leaves at
        most ``_PREFIX_CAP`` (a prefix of a prefix is one too)."""
        for k in range(max(map(len, out)) - 1, 0, -1):
            cut = {w[:k] for w in out}
            if len(cut) <= _PREFIX_CAP:
                return cut
        return {""}

    try:
        out = pre(list(tree.data if hasattr(tree, "data") else tree))
    except RecursionError:
        return None
    if not out or "" in out:
        return None
    return frozenset(out)


def test_the_same_prefixes_as_the_reference_for_every_built_in_pattern() -> None:
    texts = _prefix_table_texts()
    assert len(texts) > 200
    found = 0
    for text in texts:
        for lstripped in (False, True):
            want = _reference(text, lstripped)
            assert _computed_prefixes(text, lstripped) == want, (text, lstripped)
            assert _literal_prefixes(text, lstripped) == want, (text, lstripped)
            found += want is not None
    assert found > 200  # (most patterns have prefixes: the comparison is not all None)


_REWRITE = ('the table is stale: python -c "import scrubber.rules as r; '
            'r._write_prefix_table()" writes it again')


def test_the_shipped_table_holds_what_the_code_computes_for_every_built_in_pattern() -> None:
    raw = json.loads((resources.files("scrubber.rules") / "prefixes.json").read_text("utf-8"))
    if raw["python"] != _PYTHON:
        pytest.skip(f"the table was written under Python {raw['python']}: not read here")
    assert (raw["prefix_len"], raw["prefix_cap"]) == (_PREFIX_LEN, _PREFIX_CAP), _REWRITE
    plain, lstripped = _prefix_table()
    texts = _prefix_table_texts()
    # exactly the built-in texts: none missing (computed at start-up), none left over
    assert sorted(plain) == texts, _REWRITE
    assert sorted(lstripped) == texts, _REWRITE
    for text in texts:
        for table, ls in ((plain, False), (lstripped, True)):
            got = _computed_prefixes(text, ls)
            assert table[text] == (None if got is None else sorted(got)), (_REWRITE, text)


def test_the_table_answers_only_the_exact_text_and_only_its_own_python(tmp_path: Any) -> None:
    text = next(t for t in _prefix_table_texts() if _computed_prefixes(t) is not None)
    changed = text + "|zz"  # (a pattern edited in a pack: not in the table, computed)
    assert changed not in _prefix_table()[0]
    assert _literal_prefixes(changed) == _reference(changed) != _literal_prefixes(text)
    table = {"python": _PYTHON, "prefix_len": _PREFIX_LEN, "prefix_cap": _PREFIX_CAP,
             "plain": {text: ["x"]}, "lstripped": {}}
    assert _read_prefix_table(json.dumps(table))[0] == {text: ["x"]}
    for key, other in (("python", "2.7"), ("prefix_len", _PREFIX_LEN + 1),
                       ("prefix_cap", _PREFIX_CAP - 1)):
        assert _read_prefix_table(json.dumps({**table, key: other})) == ({}, {})
    assert _read_prefix_table("not json") == ({}, {})


# small patterns with the shapes the walk remembers answers across: alternations whose
# branches end at different depths, nested groups, optional and repeated groups, classes
_ATOMS = st.sampled_from(["a", "b", "ab", "Σ", "İ", "1", "[ab]", "[0-3]", "\\d", "\\s",
                          "[^\\S]", "\\w", ".", "\\b", "(?=a)", "(?!b)", "x", " "])


_QUANT = st.sampled_from(["?", "*", "+", "{2}", "{0,2}", "??", "{1,}"])


def _grow(children: Any) -> Any:
    seq = st.lists(children, min_size=1, max_size=3).map("".join)
    alt = st.lists(children, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")")
    rep = st.tuples(st.one_of(alt, children.map(lambda x: f"(?:{x})")), _QUANT).map("".join)
    return st.one_of(seq, alt, rep, alt.map(lambda x: x.replace("(?:", "(?i:", 1)))


_PATTERNS = st.recursive(st.one_of(_ATOMS, st.tuples(_ATOMS, _QUANT).map("".join)), _grow,
                         max_leaves=10)


@settings(max_examples=400, deadline=None)
@given(_PATTERNS, st.booleans())
@example("a\\s*b", True)  # white space passed over before the first character only
@example("(?:a|bb)?[^\\S]*(?:c|d)+", True)
@example("(?:ΑΣ|İ1)x", False)  # folded a character at a time
def test_the_same_prefixes_as_the_reference_for_generated_patterns(
    body: str, lstripped: bool
) -> None:
    for pattern in (body, "^" + body, "^(?:" + body + "|z)" + body):
        assert _literal_prefixes(pattern, lstripped) == _reference(pattern, lstripped)


def test_chained_optional_groups_are_walked_once_per_depth() -> None:
    """Twelve optional groups of two lengths each: the reference walked the rest of the
    pattern again along every path of branches (about 80 s); remembered, milliseconds."""
    keys = _literal_prefixes("^" + "(?:a|bb|c|dd)?" * 12 + "x")
    assert keys is not None and len(keys) <= _PREFIX_CAP
    assert all(len(k) <= _PREFIX_LEN for k in keys)
    assert {"x", "ax", "bbx", "abbx"} <= keys
