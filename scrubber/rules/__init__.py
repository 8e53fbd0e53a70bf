"""Step 2 of the pipeline: the declarative rule engine.

Rules are data: one TOML file per platform family in ``scrubber/rules/packs/`` (see
``docs`` in the README for the schema). Each rule has an id, a description, a scope, its
patterns (the ``regex`` module) and examples that must and must not match; loading a
pack checks every example, so a rule that contradicts its own examples never runs::

    >>> from scrubber.rules import load_ruleset
    >>> rs = load_ruleset()
    >>> hits = rs.apply(["Leave a Comment", "A long body paragraph, as it happens."])
    >>> [rs.rules[i].id if i >= 0 else None for i in hits.drop]
    ['comments.leave-a-comment', None]

Scopes:

``line``      the (stripped) line is dropped when a pattern matches it.
``prefix``    a pattern matched at the start of the line is trimmed off; the rest stays.
``suffix``    a pattern matched at the end of the line is trimmed off; the rest stays.
``run``       pattern lines are anchors of a card run (video sidebars); a run with at least
              ``min_anchors`` anchors, gaps of at most ``max_gap`` short lines, is dropped.
``widget``    a widget heading ("Popular Categories"); it and the short lines after it go.
``document``  a check implemented in Python and named by ``check``.

A rule is ``sure`` (it decides) or a ``hint`` (a feature for the classifier only, of
``line`` scope).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import json
import operator
import os
import re
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from .checks import CHECKS

SCOPES = ("line", "prefix", "suffix", "run", "widget", "document")
STRENGTHS = ("sure", "hint")

_RULE_KEYS = {
    "id", "description", "source", "scope", "patterns", "ignore_case", "max_chars",
    "strength", "lang", "match", "no_match", "trims", "min_anchors", "max_gap",
    "gap_max_chars", "follow_max_chars", "follow_max_lines", "check", "params", "cases",
}
_PACK_KEYS = {"family", "description", "rule"}
# The keys (and ``params`` names) each scope reads; any other is an error, not ignored (a
# line rule's ``trims`` examples were never checked, a widget's ``min_anchors`` did nothing)
_PATTERN_KEYS = {"patterns", "ignore_case", "match", "no_match"}
_SCOPE_KEYS = {
    "line": _PATTERN_KEYS | {"max_chars"},
    "prefix": _PATTERN_KEYS | {"trims"},
    "suffix": _PATTERN_KEYS | {"trims"},
    "run": _PATTERN_KEYS | {"max_chars", "min_anchors", "max_gap", "gap_max_chars", "params"},
    "widget": _PATTERN_KEYS | {"max_chars", "follow_max_chars", "follow_max_lines", "params"},
    "document": {"check", "params", "cases"},
}
_SCOPE_PARAMS = {
    "run": {"min_anchors", "max_gap", "gap_max_chars"},
    "widget": {"follow_max_chars", "follow_max_lines"},
    "document": {"window", "min_words", "max_chars"},  # repeated_headline's
}
_REQUIRED = ("id", "description", "scope")
_RULE_KEYS_ANY = {"id", "description", "source", "scope", "strength", "lang"}  # every scope

# Static guard for the built-in packs' linear-time promise: a quantified group that itself
# contains a quantifier is the classic catastrophic-backtracking shape. User rules are
# not held to it; they run under the per-line timeout instead.
_NESTED_QUANTIFIER = regex.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


class RuleError(ValueError):
    """A rule file is invalid. The message names the file, the rule id and the problem."""

    def __init__(self, file: str, rule_id: str | None, problem: str) -> None:
        self.file, self.rule_id, self.problem = file, rule_id, problem
        where = f"{file}: rule {rule_id!r}" if rule_id else file
        super().__init__(f"{where}: {problem}")


class RuleTimeout(RuntimeError):
    """A rule's pattern ran longer than ``Config.regex_timeout`` on one line."""

    def __init__(self, rule_id: str, line_index: int) -> None:
        self.rule_id, self.line_index = rule_id, line_index
        super().__init__(
            f"rule {rule_id!r} timed out on line {line_index + 1} "
            "(catastrophic backtracking?); disable it with --disable or fix its pattern"
        )


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule. ``family`` is the pack it came from; ``origin`` its file."""

    id: str
    family: str
    description: str
    scope: str
    # (a built-in rule's are LazyPattern: compiled on first use)
    patterns: tuple[regex.Pattern[str] | LazyPattern, ...]
    strength: str = "sure"
    max_chars: int = 200
    source: str = ""
    origin: str = ""
    builtin: bool = True
    params: dict[str, Any] = field(default_factory=dict)
    check: str | None = None
    # the same patterns compiled by ``re`` where it compiles them (faster), else ``regex``;
    # used when no timeout is asked for (built-in rules)
    fast: tuple[Any, ...] = ()
    # how many of its own examples (match, no_match, trims; a check's cases) held
    examples: int = 0

    @property
    def sure(self) -> bool:
        return self.strength == "sure"

    def search(self, line: str, timeout: float | None = None) -> Any:
        """The first pattern's match anywhere in ``line``. ``timeout``: seconds for all
        the patterns together (``TimeoutError`` past it)."""
        if timeout is None and self.fast:
            for p in self.fast:
                m = p.search(line)
                if m:
                    return m
            return None
        deadline = None if timeout is None else time.monotonic() + timeout
        for p in self.patterns:
            m = p.search(line, timeout=_left(deadline))
            if m:
                return m
        return None

    def search_to_end(self, line: str, timeout: float | None = None) -> Any:
        """The first match (leftmost, pattern by pattern) that ends at the end of
        ``line``: a suffix rule's stamp. A match that ends before it (the stamp's words
        earlier in the line) is passed over and the search goes on after its start; all
        the searches share ``timeout``."""
        n = len(line)
        deadline = None if timeout is None else time.monotonic() + timeout
        for p in (self.fast if timeout is None and self.fast else self.patterns):
            pos = 0
            while pos <= n:
                if deadline is None:
                    m = p.search(line, pos)
                else:
                    m = p.search(line, pos, timeout=_left(deadline))
                if m is None:
                    break
                if m.end() == n:
                    return m
                pos = m.start() + 1
        return None

    def match_start(self, line: str, timeout: float | None = None) -> Any:
        if timeout is None and self.fast:
            for p in self.fast:
                m = p.match(line)
                if m:
                    return m
            return None
        deadline = None if timeout is None else time.monotonic() + timeout
        for p in self.patterns:
            m = p.match(line, timeout=_left(deadline))
            if m:
                return m
        return None


# a global inline flag group, ``(?x)``: it shows in a compiled pattern's ``flags``
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


class LazyPattern:
    """A built-in rule's pattern, compiled on first use: what a process that cleans one
    short document needs of the rule set costs a fraction of compiling all of it (the
    built-in packs took about 0.33 s to compile of a CLI call's 0.9 s, most of them
    never used by a short page). ``pattern`` and ``flags`` read as on the compiled
    pattern without compiling it; any other attribute (``search``, ``match``, ...)
    compiles it once and is from then on the compiled pattern's own, at no extra cost a
    call. The built-in packs are compiled whole by the test suite (a bad pattern there is
    a test failure, not a user's load error); user rules are compiled when they load.

        >>> p = LazyPattern(r"^Share this", True)
        >>> p.pattern, bool(p.flags & regex.IGNORECASE)
        ('^Share this', True)
        >>> p.match("SHARE THIS story") is not None
        True

    ``fast=True``: the pattern as :func:`_fast` compiles it (by ``re`` where it can);
    then ``pattern`` and ``flags`` are the compiled one's too (compiled on first read).
    """

    def __init__(self, pattern: str, ignore_case: bool, fast: bool = False) -> None:
        self._args = (pattern, ignore_case, fast)
        if not fast:
            self.pattern = pattern
            self.flags = _declared_flags(pattern, ignore_case)

    def compiled(self) -> Any:
        """The compiled pattern (``regex``'s, or for ``fast`` possibly ``re``'s)."""
        c = self.__dict__.get("_compiled")
        if c is None:
            pattern, ic, fast = self._args
            # (fast: ``re`` first; ``regex``, the slower to compile, only if it refuses)
            c = (_standard(pattern, bool(_declared_flags(pattern, ic) & regex.IGNORECASE))
                 if fast else None)
            if c is None:
                c = regex.compile(pattern, regex.IGNORECASE if ic else 0)
            # the compiled pattern's own methods and fields from now on (the instance's
            # attributes: no __getattr__ call again)
            self.__dict__.update(
                _compiled=c, pattern=c.pattern, flags=c.flags, search=c.search,
                match=c.match, fullmatch=c.fullmatch, finditer=c.finditer,
                findall=c.findall, sub=c.sub, subn=c.subn, split=c.split)
        return c

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_args", "_compiled"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, self._args)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r}, {self._args[1]!r}, fast={self._args[2]!r})"


def _declared_flags(pattern: str, ignore_case: bool) -> int:
    """``flags`` of ``pattern`` compiled by ``regex`` (``ignore_case`` and its global
    inline flag groups), without compiling it."""
    return _base_flags("".join(_INLINE_FLAGS.findall(pattern)),
                       regex.IGNORECASE if ignore_case else 0)


@functools.cache
def _base_flags(inline: str, base: int) -> int:
    """``flags`` of a ``regex`` pattern compiled with ``base`` whose global inline flag
    groups are ``inline``."""
    return regex.compile(inline, base).flags


def compiled(p: Any) -> Any:
    """``p`` itself, or the compiled pattern of a :class:`LazyPattern` (for the code that
    asks which library compiled it)."""
    return p.compiled() if isinstance(p, LazyPattern) else p


def _left(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (``None``: no limit); ``TimeoutError`` when none.
    A rule's patterns share its time on a line: each one had it all before, so a rule of
    five slow patterns could take five times ``Config.regex_timeout`` on every line."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("regex timed out")
    return left


@dataclass(slots=True)
class RuleHits:
    """What the rules found in one document, per line (indices into ``RuleSet.rules``).

    ``drop[i]``  the sure rule that drops line i, or -1.
    ``trim[i]``  ``(start, end, rule)`` of the piece of line i that stays, or ``None``.
    ``hint[i]``  the first hint rule that matched line i, or -1 (classifier feature).
    """

    drop: list[int]
    trim: list[tuple[int, int, int] | None]
    hint: list[int]


_PREFIX_CAP = 256  # prefixes per pattern before giving up on filtering it
_DIGITS_TO_0 = str.maketrans("123456789", "000000000")


def _fold(text: str) -> str:
    """The prefix filter's view of text: lower case, ASCII digits all '0'."""
    return text.lower().translate(_DIGITS_TO_0)

_PREFIX_LEN = 10  # characters a prefix needs at most


_UNI_PROPERTY = re.compile(r"\\[pP]\{[A-Za-z_]{1,40}\}")
# _literal_prefixes: the end of one pass through a repeated group, and the character
# that marks a prefix read up to it
_PASS_END = object()
_PASS_MARK = "\U0010ffff"
_PASS_END_SEQ = ((_PASS_END, None), None)  # (the linked sequence of _PASS_END alone)


# What _computed_prefixes gives every pattern text a built-in rule hands it, written
# ahead into the package: re's parser and the walk over the built-in patterns were about
# 50 ms of each process's start-up, reading the answers takes about 2. An answer is
# looked up by the exact pattern text (a pattern not in the table, or changed, is
# computed), and the table is read only under the Python (major.minor: re's parser is
# version-specific) and the _PREFIX_LEN and _PREFIX_CAP it was written with.
# tests/test_literal_prefixes.py checks that it holds exactly the built-in patterns'
# texts, each with what the code computes now; after a change to the packs or to the
# walk, write it again with ``python -c "import scrubber.rules as r;
# r._write_prefix_table()"``.
_PREFIX_TABLE = "prefixes.json"
_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
_PrefixAnswers = dict[str, Any]  # pattern text -> sorted prefixes, or None


@functools.cache
def _prefix_table() -> tuple[_PrefixAnswers, _PrefixAnswers]:
    """The package's table (:func:`_read_prefix_table`), read once."""
    try:
        text = (resources.files("scrubber.rules") / _PREFIX_TABLE).read_text("utf-8")
    except OSError:
        return {}, {}
    return _read_prefix_table(text)


def _read_prefix_table(text: str) -> tuple[_PrefixAnswers, _PrefixAnswers]:
    """A table's answers for patterns as written and for ``lstripped`` lines, or two
    empty ones when it is no table or was written for another Python or other limits."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}, {}
    if not isinstance(data, dict) or (
            data.get("python"), data.get("prefix_len"), data.get("prefix_cap")) != (
            _PYTHON, _PREFIX_LEN, _PREFIX_CAP):
        return {}, {}
    return data["plain"], data["lstripped"]


def _prefix_table_texts() -> list[str]:
    """Every pattern text a built-in rule hands :func:`_literal_prefixes`: ``_Combined``
    its patterns, ``_Scan.units`` also their fast forms and DEFINE-inlined texts."""
    texts: set[str] = set()
    for r in builtin_rules():
        for p in (*r.patterns, *map(compiled, r.fast)):
            texts.add(p.pattern)
            if "(?(DEFINE)" in p.pattern:
                texts.add(_inline_defines(p.pattern) or p.pattern)
    return sorted(texts)


def _write_prefix_table(path: str | None = None) -> None:
    """Write the table (by default into the package) from the code's answers now."""
    if path is None:
        path = str(Path(__file__).with_name(_PREFIX_TABLE))
    texts = _prefix_table_texts()
    lines = ["{",
             f'"about": {json.dumps("see _PREFIX_TABLE in scrubber/rules/__init__.py")},',
             f'"python": {json.dumps(_PYTHON)},',
             f'"prefix_len": {_PREFIX_LEN},',
             f'"prefix_cap": {_PREFIX_CAP},']
    for name, lstripped in (("plain", False), ("lstripped", True)):
        lines.append(f'"{name}": {{')
        for i, text in enumerate(texts):
            got = _computed_prefixes(text, lstripped)
            answer = None if got is None else sorted(got)
            comma = "," if i < len(texts) - 1 else ""
            lines.append(f"{json.dumps(text)}: {json.dumps(answer)}{comma}")
        lines.append("}," if name == "plain" else "}")
    lines.append("}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _literal_prefixes(pattern: str, lstripped: bool = False) -> frozenset[str] | None:
    """Lower-cased literal strings one of which every match of ``pattern`` (at the start
    of a line) begins with, or ``None`` when there is no such finite set. A line whose
    lower-cased text starts with none of them cannot match, so the rule is not tried.

    ``lstripped``: the lines are known to start with no white space (``str.strip``), so
    an optional run of white space before any character is read matches nothing and is
    passed over (``^[\\[(]?\\s*Read more`` gets ``[``, ``(`` and ``read more``).

    A built-in pattern's answer is read from the package's table (``_PREFIX_TABLE``),
    any other is computed (:func:`_computed_prefixes`)."""
    table = _prefix_table()[1 if lstripped else 0]
    if pattern in table:
        got = table[pattern]
        return None if got is None else frozenset(got)
    return _computed_prefixes(pattern, lstripped)


def _computed_prefixes(pattern: str, lstripped: bool = False) -> frozenset[str] | None:
    """:func:`_literal_prefixes` worked out from ``pattern`` itself."""
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

    # ``pre`` reads a sequence of parsed items as a linked list, (item, rest) down to
    # ``None``: a group's branches and a repeat's pass go on into the very same ``rest``
    # object instead of copies of it (``items[1:]`` and ``list(branch) + rest`` copied the
    # rest of the pattern at every item read), which lets ``pre`` remember its answer
    # for a (sequence, depth) by the sequence's identity: an answer depends on nothing
    # else, so a remembered one is the one a new walk gives. A run of literals is read
    # at once, each folded as before (one character at a time: ``str.lower`` of a run
    # may differ, a final sigma), its prefixes built once instead of a character at a
    # time. (Measured over the built-in patterns, as at start-up: the walks took 45 ms,
    # now 25; twelve chained optional groups, ``(?:a|bb|c|dd)?`` each, 78 s, now 11 ms.)
    memo: dict[tuple[int, int], tuple[Any, set[str]]] = {}
    links: dict[tuple[int, int], Any] = {}
    folds: dict[int, str] = {}

    def link(items: Any, rest: Any) -> Any:
        """``items`` followed by the linked sequence ``rest``: the same object each time
        for the same two, so that answers for it are remembered across paths."""
        key = (id(items), id(rest))
        got = links.get(key)
        if got is None:
            seq = rest
            # (a SubPattern's list: iterating the SubPattern is a Python call an item)
            for item in reversed(getattr(items, "data", items)):
                seq = (item, seq)
            # (the entry keeps ``items`` and ``rest`` alive: their ids stay theirs)
            got = links[key] = (seq, items, rest)
        return got[0]

    def fold(c: int) -> str:
        got = folds.get(c)
        if got is None:
            got = folds[c] = _fold(chr(c))
        return got

    def pre(seq: Any, depth: int = 0) -> set[str]:
        """The prefixes of the linked sequence ``seq`` when ``depth`` characters have
        been read. (The answer may be remembered and shared: never changed in place.)"""
        key = (id(seq), depth)
        got = memo.get(key)
        if got is not None:
            return got[1]
        out: Any
        if seq is None or depth >= _PREFIX_LEN:
            out = {""}
        else:
            (op, av), rest = seq
            if op is C.AT or op in (C.ASSERT, C.ASSERT_NOT):
                out = pre(rest, depth)
            elif op is C.LITERAL:
                head = fold(av)
                n = depth + 1
                while rest is not None and n < _PREFIX_LEN and rest[0][0] is C.LITERAL:
                    head += fold(rest[0][1])
                    rest = rest[1]
                    n += 1
                out = {head + t for t in pre(rest, n)}
            elif op is C.IN:
                chars = set()
                open_class = False
                for iop, iav in av:
                    if iop is C.LITERAL:
                        chars.add(fold(iav))
                    elif iop is C.RANGE and iav[1] - iav[0] < 16:
                        chars |= {fold(c) for c in range(iav[0], iav[1] + 1)}
                    elif iop is C.CATEGORY and iav in (C.CATEGORY_DIGIT,
                                                        C.CATEGORY_UNI_DIGIT):
                        chars.add("0")
                    else:
                        open_class = True
                        break
                if open_class:
                    out = {""}  # an open class: the prefix ends here
                else:
                    tails = pre(rest, depth + 1)
                    out = {c + t for c in chars for t in tails}
            elif op is C.BRANCH:
                out = set()
                for branch in av[1]:
                    out |= pre(link(branch, rest), depth)
            elif op is C.SUBPATTERN:
                out = pre(link(av[3], rest), depth)
            elif op is _PASS_END:
                out = {_PASS_MARK}
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
                lo, hi, sub = av
                if lstripped and depth == 0 and lo == 0 and _white_only(list(sub)):
                    out = pre(rest, depth)  # nothing read yet: no white space to match
                else:
                    if hi == 1:  # optional: with it, or straight on
                        out = set(pre(link(sub, rest), depth))
                    else:
                        # one pass through the repeat, then stop extending; a pass that
                        # matched nothing (it reached the marked end having read no
                        # character) is followed by another pass or by what comes
                        # after the repeat
                        out = set()
                        for t in pre(link(sub, _PASS_END_SEQ), depth):
                            if t == _PASS_MARK:
                                out |= pre(rest, depth)
                            else:
                                out.add(t.removesuffix(_PASS_MARK))
                    if lo == 0:
                        out |= pre(rest, depth)
            else:
                out = {""}  # anything else: the prefix ends here
            # (no answer has more than _PREFIX_CAP prefixes, so this cuts only what a
            # class, a group or a repeat put together, as it did)
            if len(out) > _PREFIX_CAP:
                out = _shorter(out)
        memo[key] = (seq, out)  # (keeps ``seq`` alive: its id stays its own)
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
        out = pre(link(tree.data if hasattr(tree, "data") else tree, None))
    except RecursionError:
        return None
    finally:
        # (``pre`` is in a reference cycle with itself, which only the garbage collector
        # frees: emptied here, what it remembered goes now, not at the next collection,
        # whose every pass meanwhile walked it: measured 30% slower parses after)
        memo.clear()
        links.clear()
    if not out or "" in out:
        return None
    return frozenset(out)


class _Combined:
    """Several rules' patterns as one alternation, so a line costs one C-level search
    instead of one Python call per rule. Each rule becomes a named group. Patterns the
    standard library's ``re`` compiles identically run there (its alternation is several
    times faster than ``regex``'s); the rest (``\\p{..}`` classes, ...) are combined under
    ``regex``. A rule whose pattern cannot be combined (its own named groups or
    back-references, global inline flags) runs on its own, as do user rules (they need the
    per-line timeout). The tests check that this fast path agrees with every rule's
    examples."""

    # named groups, back-references and global inline flags do not survive being joined
    _UNSAFE = regex.compile(r"\(\?P?<(?![=!])|\(\?P[=>]|\\[1-9]|\\g<|\(\?[aiLmsux]+\)")

    def __init__(self, rules: Sequence[Rule], idxs: Sequence[int], anchored: bool) -> None:
        self.rules = rules
        self.anchored = anchored
        self.order = {k: i for i, k in enumerate(idxs)}
        self.solo: list[int] = []
        self.group_rule: dict[str, int] = {}
        # (rule, alternation part, library, literal prefixes or None)
        self.parts: list[tuple[int, str, Any, frozenset[str] | None]] = []
        for k in idxs:
            r = rules[k]
            pats = [p.pattern for p in r.patterns]
            if not r.builtin or any(self._UNSAFE.search(p) for p in pats):
                self.solo.append(k)
                continue
            ic = bool(r.patterns[0].flags & regex.IGNORECASE)
            body = "|".join(f"(?:{p})" for p in pats)
            name = f"r{k}"
            part = f"(?P<{name}>(?i:{body}))" if ic else f"(?P<{name}>{body})"
            self.group_rule[name] = k
            keys: frozenset[str] | None = None
            if anchored:
                firsts = [_literal_prefixes(p) for p in pats]
                if all(f is not None for f in firsts):
                    keys = frozenset().union(*firsts)  # type: ignore[arg-type]
            # (a part with prefixes is compiled alone, when a line first starts with one)
            lib = None if keys is not None else _library(part)
            self.parts.append((k, part, lib, keys))
        # (every part, for the unanchored: an anchored line tries _always and its bucket)
        self._all = [] if anchored else self._compile(self.parts)
        # parts without prefixes are always tried, as one alternation; a part with
        # prefixes is compiled alone and tried only on lines starting with one of them
        self._always = self._compile([p for p in self.parts if p[3] is None])
        self._alone: list[Any] = [None] * len(self.parts)
        self._by_prefix: dict[str, tuple[int, ...]] = {}
        for i, p in enumerate(self.parts):
            if p[3] is None:
                continue
            for pre in p[3]:
                self._by_prefix[pre] = (*self._by_prefix.get(pre, ()), i)
        self._lengths = sorted({len(x) for x in self._by_prefix})
        self._longest = max(self._lengths, default=0)

    def _compile(self, parts: Sequence[tuple[int, str, Any, Any]]) -> list[Any]:
        """``re``-compatible parts as one alternation; ``regex``-only parts one by one
        (``regex`` alternations are slow: measured several times slower than trying the
        few candidates a line has separately)."""
        out: list[Any] = []
        std = [p for _, p, lib, _ in parts if lib is re]
        if std:
            out.append(re.compile("|".join(std)))
        out.extend(regex.compile(p) for _, p, lib, _ in parts if lib is regex)
        return out

    def _bucket(self, s: str) -> list[Any]:
        """The patterns worth trying on line ``s``: the alternation of the parts without
        prefixes, plus each anchored part whose literal prefixes the line starts with."""
        if not self.anchored:
            return self._all
        if not self._longest:
            return self._always
        head = _fold(s[: self._longest])
        by = self._by_prefix
        found: set[int] = set()
        for n in self._lengths:
            if n > len(head):
                break
            hit = by.get(head[:n])
            if hit:
                found.update(hit)
        if not found:
            return self._always
        return self._always + [self._alone[i] or self._compile_alone(i) for i in sorted(found)]

    def _compile_alone(self, i: int) -> Any:
        part = self.parts[i][1]
        pat = self._alone[i] = _library(part).compile(part)
        return pat

    def first(self, s: str, n: int, timeout_for: Any, line_index: int,
              found: list[Any] | None = None) -> int:
        """The first rule (in pack order) that fires on the stripped line ``s``.
        ``found``: a list that gets the match object when that rule ran on its own (a
        user rule, matched under its timeout), so the caller need not match it again."""
        best = -1
        for pat in self._bucket(s):
            m = pat.match(s) if self.anchored else pat.search(s)
            if m is None:
                continue
            k = self.group_rule.get(m.lastgroup or "", -1)
            if k < 0 or n > self.rules[k].max_chars or not self.anchored:
                # unanchored: the leftmost match is not necessarily the first rule;
                # and a length cap may exclude the rule that matched: resolve rule by rule
                k = self._slow(s, n)
            if k >= 0 and (best < 0 or self.order[k] < self.order[best]):
                best = k
        for k in self.solo:
            if best >= 0 and self.order[k] > self.order[best]:
                break
            r = self.rules[k]
            if n > r.max_chars:
                continue
            try:
                hit = (r.match_start(s, timeout_for(r)) if self.anchored
                       else r.search(s, timeout_for(r)))
            except TimeoutError:
                raise RuleTimeout(r.id, line_index) from None
            if hit:
                if found is not None:
                    found.append(hit)
                return k
        return best

    def _slow(self, s: str, n: int) -> int:
        for k in sorted(self.group_rule.values(), key=self.order.__getitem__):
            r = self.rules[k]
            if n <= r.max_chars and (r.match_start(s) if self.anchored else r.search(s)):
                return k
        return -1


def _library(part: str) -> Any:
    """``re`` when it compiles ``part`` (its alternations are several times faster than
    ``regex``'s), else ``regex``."""
    try:
        re.compile(part)
    except re.error:
        return regex
    return re


# a verbose-mode pattern may put white space before its ``^``
_VERBOSE_ANCHOR = re.compile(r"\(\?([aiLmsux]+)\)\s*\^")


# (remembered: _Matcher asks about each pattern twice, for its two halves, and the
# scans ask again; reading the text each time was 14 ms of start-up, once 7, and
# passing over plain runs (_BAR_PLAIN) 3.5)
@functools.lru_cache(maxsize=4096)
def _starts_anchored(pattern: str) -> bool:
    """Does every match of ``pattern`` start at the start of the line? True when it begins
    with ``^``, or with an inline ``(?x)`` flag group and white space then ``^`` (such
    patterns were searched at every position of every line before), and every ``|``
    outside its groups starts a branch with ``^`` too: ``^Buy now$|Sponsored`` is
    anchored in its first branch only, and tried at the start of the line alone its
    second never fired."""
    if pattern.startswith("^"):
        verbose = False
    else:
        m = _VERBOSE_ANCHOR.match(pattern)
        if m is None or "x" not in m.group(1):
            return False
        verbose = True
    return not _top_level_bar(pattern, verbose)


def _top_level_bar(pattern: str, verbose: bool) -> bool:
    """Is there a ``|`` outside every group of ``pattern`` not followed by ``^`` (or
    cannot it be told)?"""
    depth = 0
    try:
        for i, c in _bare_chars(pattern, 0, verbose, _BAR_PLAIN):
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


class _Matcher:
    """Rules whose every pattern starts with ``^`` are tried at the start of the line
    only (``match``: one attempt per alternative); the rest are searched."""

    def __init__(self, rules: Sequence[Rule], idxs: Sequence[int]) -> None:
        def anchored(k: int) -> bool:
            return all(_starts_anchored(p.pattern) for p in rules[k].patterns)

        self.rules = rules
        self.order = {k: i for i, k in enumerate(idxs)}
        self.at_start = _Combined(rules, [k for k in idxs if anchored(k)], anchored=True)
        self.anywhere = _Combined(rules, [k for k in idxs if not anchored(k)], anchored=False)

    def first(self, s: str, n: int, timeout_for: Any, line_index: int) -> int:
        a = self.at_start.first(s, n, timeout_for, line_index)
        b = self.anywhere.first(s, n, timeout_for, line_index)
        if a < 0 or b < 0:
            return max(a, b)
        return a if self.order[a] < self.order[b] else b


def _family_of(rule_id: str) -> str:
    return rule_id.split(".", 1)[0]


# --------------------------------------------------------------------------- doc scan
#
# A document's lines are matched in one C-level scan per rule group instead of one Python
# call per line: the candidate lines are joined with "\n" and each group's patterns run as
# one alternation over the whole text (``MULTILINE``). A pattern is first made *line-safe*:
# every piece of it that could match "\n" (``\s``, ``[^...]``, ``\W``, ...) is rewritten
# so it cannot, after which "\n" behaves for every assertion (``^ $ \b`` and lookarounds)
# exactly like the start or end of a lone line, so no match crosses a line and a line
# matches in the text exactly when it matches alone. The scan is only a filter: negative
# lookarounds are left out (the pattern then matches a superset, cheaper), and a line it
# flags is decided by the per-line path as before; a line it does not flag cannot fire.
# A pattern the rewrite does not understand keeps its group on the per-line path.

_ZERO_WIDTH_ESCAPES = frozenset("bBmM")
_UNSAFE_ESCAPES = frozenset("AZzGKXRgk123456789")
_QUANT_BRACE = re.compile(r"\{\d*(?:,\d*)?\}")
_FLAGS_GROUP = re.compile(r"\(\?([aiLmsuxVwbefrpE0-9]*)(?:-([imsx]+))?([:)])")
_NAMED_OPEN = re.compile(r"\(\?P?<([A-Za-z_]\w*)>")
_NL_SAFE: dict[tuple[Any, str, int], bool] = {}


class _Unsafe(Exception):
    """The pattern uses a construct the line-safe rewrite does not handle."""


def _escape_end(p: str, i: int) -> int:
    """End of the escape starting at ``p[i] == '\\'``."""
    if i + 1 >= len(p):
        raise _Unsafe
    c = p[i + 1]
    if c in "pPN" and i + 2 < len(p) and p[i + 2] == "{":
        j = p.find("}", i + 3)
        if j < 0:
            raise _Unsafe
        return j + 1
    if c in "pP":  # \pL
        return i + 3
    if c == "x":
        if i + 2 < len(p) and p[i + 2] == "{":
            j = p.find("}", i + 3)
            if j < 0:
                raise _Unsafe
            return j + 1
        return i + 4
    if c == "u":
        return i + 6
    if c == "U":
        return i + 10
    if c == "0":
        j = i + 2
        while j < len(p) and j < i + 4 and p[j] in "01234567":
            j += 1
        return j
    return i + 2


def _class_end(p: str, i: int) -> int:
    """End of the character class starting at ``p[i] == '['``."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while j < len(p):
        c = p[j]
        if c == "\\":
            j = _escape_end(p, j)
            continue
        if c == "[":
            if p.startswith("[:", j):
                k = p.find(":]", j + 2)
                if k < 0:
                    raise _Unsafe
                j = k + 2
                continue
            raise _Unsafe  # nested set
        if c == "]":
            return j + 1
        j += 1
    raise _Unsafe


def _matches_newline(lib: Any, atom: str, flags: int) -> bool:
    key = (lib, atom, flags)
    hit = _NL_SAFE.get(key)
    if hit is None:
        try:
            hit = _NL_SAFE[key] = lib.compile(atom, flags).match("\n") is not None
        except (re.error, regex.error):
            raise _Unsafe from None
    return hit


def _newline_free(lib: Any, atom: str, flags: int) -> str:
    """``atom`` (one character) rewritten, if need be, so that it cannot match "\\n"."""
    if not _matches_newline(lib, atom, flags):
        return atom
    if atom in ("\\s", "\\W", "\\D"):
        out = "[^" + atom.swapcase() + "\\n]"
    elif atom[:3] in ("\\P{",) or (atom[:2] == "\\P" and len(atom) == 3):
        out = "[^\\p" + atom[2:] + "\\n]"
    elif atom.startswith("[^") and not atom.startswith("[^]"):
        out = "[^\\n" + atom[2:]
    else:
        out = "(?:(?!\\n)" + atom + ")"
    if _matches_newline(lib, out, flags):
        raise _Unsafe
    return out


def _line_safe(pattern: str, lib: Any, flags: int) -> str:
    """``pattern`` rewritten so that no part of it can match "\\n", with its negative
    lookarounds left out and its groups made non-capturing (see above). A leading global
    flag group becomes a scoped one, so the result can sit inside an alternation.
    Raises :class:`_Unsafe` for what it does not handle (back-references, conditionals,
    global flags elsewhere, ``\\A``/``\\Z``, nested sets, ...)."""
    p = pattern
    out: list[str] = []
    i = 0
    verbose = [bool(flags & re.VERBOSE)]
    dotall = [bool(flags & re.DOTALL)]
    lead = ""
    m = _FLAGS_GROUP.match(p)
    if m and m.group(3) == ")":
        on, off = m.group(1), m.group(2) or ""
        if off or set(on) - set("imsx"):
            raise _Unsafe
        lead = on
        verbose[0] |= "x" in on
        dotall[0] |= "s" in on
        i = m.end()
    atom_flags = flags & ~re.VERBOSE
    n = len(p)
    while i < n:
        c = p[i]
        vb = verbose[-1]
        if vb and c.isspace():
            i += 1
            continue
        if vb and c == "#":
            j = p.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "\\":
            j = _escape_end(p, i)
            e = p[i + 1]
            if e in _UNSAFE_ESCAPES:
                raise _Unsafe
            tok = p[i:j]
            out.append(tok if e in _ZERO_WIDTH_ESCAPES else _newline_free(lib, tok, atom_flags))
            i = j
        elif c == "[":
            j = _class_end(p, i)
            out.append(_newline_free(lib, p[i:j], atom_flags))
            i = j
        elif c == ".":
            out.append("[^\\n]" if dotall[-1] else ".")
            i += 1
        elif c == "(":
            if p.startswith("(?#", i):
                j = p.find(")", i)
                if j < 0:
                    raise _Unsafe
                i = j + 1
                continue
            if p.startswith("(?!", i) or p.startswith("(?<!", i):
                j = _paren_end(p, i, vb)
                out.append("(?:)")
                i = j
                continue
            for opener in ("(?:", "(?=", "(?<=", "(?>"):
                if p.startswith(opener, i):
                    out.append(opener)
                    i += len(opener)
                    break
            else:
                nm = _NAMED_OPEN.match(p, i)
                fm = _FLAGS_GROUP.match(p, i)
                if nm:
                    out.append("(?:")
                    i = nm.end()
                elif fm and fm.group(3) == ":":
                    on, off = fm.group(1), fm.group(2) or ""
                    if set(on) - set("imsx"):
                        raise _Unsafe
                    out.append(fm.group(0))
                    verbose.append(("x" in on or vb) and "x" not in off)
                    dotall.append(("s" in on or dotall[-1]) and "s" not in off)
                    i = fm.end()
                    continue
                elif p.startswith("(?", i):
                    raise _Unsafe  # conditionals, calls, global flags mid-pattern, ...
                else:
                    out.append("(?:")
                    i += 1
            verbose.append(vb)
            dotall.append(dotall[-1])
        elif c == ")":
            if len(verbose) == 1:
                raise _Unsafe
            verbose.pop()
            dotall.pop()
            out.append(")")
            i += 1
        elif c == "{":
            q = _QUANT_BRACE.match(p, i)
            tok = q.group(0) if q else "\\{"
            out.append(tok)
            i += len(q.group(0)) if q else 1
        elif c == "\n":
            raise _Unsafe
        else:
            out.append(c)
            i += 1
    if len(verbose) != 1:
        raise _Unsafe
    body = "".join(out)
    return f"(?{lead}:{body})" if lead else f"(?:{body})"


def _paren_end(p: str, i: int, verbose: bool) -> int:
    """Index just after the group opened at ``p[i]``."""
    depth = 0
    for j, c in _bare_chars(p, i, verbose):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    raise _Unsafe


# a run of characters none of which is a group's parenthesis, a bar or what starts an
# escape, a class or a comment: _top_level_bar looks at none of them
_BAR_PLAIN = re.compile(r"[^()|\\\[#]+")


def _bare_chars(p: str, i: int, verbose: bool,
                plain: re.Pattern[str] | None = None) -> Iterator[tuple[int, str]]:
    """The characters of ``p`` from ``i`` on, with their indices, that stand for
    themselves in its syntax: not inside an escape, a character class or (``verbose``) a
    ``#`` comment. Raises :class:`_Unsafe` where an escape or a class cannot be told.
    ``plain``: runs of characters the caller ignores, passed over unseen (a run holds no
    escape, class or comment, so what follows it reads as it did; a generator step a
    character was half of what _starts_anchored cost at start-up)."""
    n = len(p)
    while i < n:
        if plain is not None:
            m = plain.match(p, i)
            if m is not None:
                i = m.end()
                continue
        c = p[i]
        if c == "\\":
            i = _escape_end(p, i)
            continue
        if c == "[":
            i = _class_end(p, i)
            continue
        if verbose and c == "#":
            j = p.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        yield i, c
        i += 1


def _required_literals(pattern: str, flags: int) -> frozenset[str] | None:
    """Literal strings one of which (case as written) every match of ``pattern`` (a
    standard-library pattern) contains, or ``None`` if none are found; case-insensitive
    parts give none. A text containing none of them cannot match."""
    if flags & re.I:
        return None
    try:
        from re import _parser as P
        tree = P.parse(pattern, flags)
    except Exception:
        return None
    found = _literal_sets(tree.data, False, keep_ci=False)
    got = frozenset(x for x, _ in found) if found else None
    if not got or "" in got or any("\n" in x for x in got) or len(got) > _PREFIX_CAP:
        return None
    return got


def _literal_sets(items: Any, ci: bool, keep_ci: bool) -> frozenset[tuple[str, bool]] | None:
    """Literal strings one of which every match of the parsed pattern ``items`` (read
    case-insensitively if ``ci``; inline flag groups change it) contains, each with whether
    it is read case-insensitively; ``None`` if none are found or the tree is too deep.
    Without ``keep_ci`` case-insensitive literals are passed over (they give none)."""
    from re import _constants as C

    Lits = frozenset[tuple[str, bool]]  # (literal, read case-insensitively)

    def best(sets: list[Lits]) -> Lits | None:
        if not sets:
            return None
        return max(sets, key=lambda s: (min(len(x) for x, _ in s), -len(s)))

    def seq(items: Any, ci: bool) -> Lits | None:
        sets: list[Lits] = []
        run = ""
        for op, av in items:
            if op is C.LITERAL and (keep_ci or not ci):
                run += chr(av)
                continue
            if run:
                sets.append(frozenset({(run, ci)}))
                run = ""
            got = one(op, av, ci)
            if got:
                sets.append(got)
        if run:
            sets.append(frozenset({(run, ci)}))
        return best(sets)

    def one(op: Any, av: Any, ci: bool) -> Lits | None:
        if op is C.SUBPATTERN:
            add, dele = av[1], av[2]
            return seq(av[3], (ci or bool(add & re.I)) and not dele & re.I)
        if op is C.ATOMIC_GROUP:
            return seq(av, ci)
        if op is C.BRANCH:
            out: set[tuple[str, bool]] = set()
            for b in av[1]:
                got = seq(b, ci)
                if not got:
                    return None
                out |= got
            return frozenset(out)
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            return seq(av[2], ci) if av[0] >= 1 else None
        if op is C.ASSERT and av[0] == 1:  # a look-ahead: matched inside the line too
            return seq(av[1], ci)
        return None

    try:
        return seq(items, ci)
    except RecursionError:
        return None


# Case-insensitive literals are looked for in a folded copy of the text: lower case,
# after the three characters that ``re`` and ``regex`` match to an ASCII letter without
# lowering to it (U+0130 and U+0131 to i, U+017F to s) are replaced by that letter (the
# tests check every ASCII character against every code point). Folding keeps every
# offset: U+0130 is the one character ``str.lower`` turns into two.
_FOLD_ODD = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))
_NON_ASCII = re.compile(r"[^\x20-\x7e]+")
# regex-module syntax that the standard parser would read as literal text
_REGEX_ONLY = re.compile(r"\{[^}]*[a-z]|\[\[:")
FOLD = object()  # a _Scan unit's "library": re, over the folded text


def _folded(text: str) -> str:
    """``text`` folded for the case-insensitive literal scan (same length, same offsets)."""
    for odd, letter in _FOLD_ODD:
        if odd in text:
            text = text.replace(odd, letter)
    return text.lower()


def _needed_literals(pattern: str, flags: int) -> tuple[frozenset[str], bool] | None:
    """Literal strings one of which every match of ``pattern`` (``re`` syntax, or
    ``regex`` syntax whose Unicode properties are read as ``\\w``) contains, and whether
    they are to be looked for in the folded text (:func:`_folded`; then they are folded
    too, and a case-insensitive one is cut to its longest ASCII piece, which every match
    contains as well). ``None`` when none are found, or one is a short ASCII string
    (found on too many lines to be worth it: under 2 characters, under 4 folded)."""
    pattern = _UNI_PROPERTY.sub(r"\\w", pattern)
    if _REGEX_ONLY.search(pattern):
        return None
    try:
        from re import _parser as P
        tree = P.parse(pattern, flags)
    except Exception:
        return None
    got = _literal_sets(tree.data, bool(tree.state.flags & re.I), keep_ci=True)
    if not got:
        return None
    fold = any(ci for _, ci in got)
    out = set()
    for lit, ci in got:
        if ci:
            lit = max(_NON_ASCII.split(lit), key=len)
        out.add(_folded(lit) if fold else lit)
    short = 4 if fold else 2  # ASCII literals shorter than this are on too many lines
    if any(len(x) < short and x.isascii() for x in out) or any("\n" in x for x in out) \
            or len(out) > _PREFIX_CAP:
        return None
    return frozenset(out), fold


def _required_end(pattern: str, flags: int) -> str | None:
    """For a pattern every match of which ends at the end of the line (``...$``, no
    case-insensitive or multi-line flag): a pattern for the characters every match ends
    with, from the last literal character before them (``:[0-5]\\d$`` for ``...
    [0-5]?\\d:[0-5]\\d$``), to be searched in the joined lines in multi-line mode;
    ``None`` when there are not two such characters or no literal among them."""
    pattern = _UNI_PROPERTY.sub(r"\\w", pattern)
    if _REGEX_ONLY.search(pattern):
        return None
    try:
        from re import _constants as C
        from re import _parser as P
        tree = P.parse(pattern, flags)
    except Exception:
        return None
    if tree.state.flags & (re.I | re.M):
        return None
    items = list(tree.data)
    while len(items) == 1 and items[0][0] is C.SUBPATTERN and not (items[0][1][1]
                                                                   or items[0][1][2]):
        items = list(items[0][1][3])
    if not items or items[-1] != (C.AT, C.AT_END):
        return None
    out: list[tuple[str, bool]] = []  # (pattern of one character, a literal), last first
    for op, av in reversed(items[:-1]):
        if op is C.LITERAL:
            out.append((re.escape(chr(av)), True))
            continue
        if op is not C.IN or not av:
            break
        parts = []
        for iop, iav in av:
            if iop is C.LITERAL:
                parts.append(re.escape(chr(iav)))
            elif iop is C.RANGE:
                parts.append(f"{re.escape(chr(iav[0]))}-{re.escape(chr(iav[1]))}")
            elif iop is C.CATEGORY and iav is C.CATEGORY_DIGIT:
                parts.append("\\d")
            else:
                break
        else:
            out.append(("[" + "".join(parts) + "]", False))
            continue
        break
    while out and not out[-1][1]:
        out.pop()
    if len(out) < 2:
        return None
    return "".join(p for p, _ in reversed(out)) + "$"


def _trie(words: frozenset[str]) -> str:
    """A pattern matching the start of a text whose folded start (:func:`_fold`) is one of
    ``words``: the words as a trie, one branch per first character; ``0`` is any digit."""
    if "" in words:
        return ""
    by: dict[str, set[str]] = {}
    for w in words:
        by.setdefault(w[0], set()).add(w[1:])
    alts = []
    for c in sorted(by):
        rest = _trie(frozenset(by[c]))
        head = "\\d" if c == "0" else re.escape(c)
        alts.append(head + (f"(?:{rest})" if "|" in rest else rest))
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


_GATE_SPLIT = 8  # patterns behind one look-ahead before _gated splits them further
_GATE_DEPTH = 4  # prefix characters _gated splits by at most


def _gated(units: Sequence[tuple[str, frozenset[str]]], depth: int = 1) -> str:
    """The alternation of the line-start patterns ``units`` (each with its literal
    prefixes, as :func:`_trie` reads them) in groups, each behind a look-ahead for the
    prefixes of its patterns: a line is tried against the patterns of the groups its
    start enters, not against all of them. The patterns are grouped by the smallest
    first ``depth`` characters of their prefixes, and a group of more than
    :data:`_GATE_SPLIT` is split again by one more character. Every pattern sits in
    one group, and every look-ahead on the way to it admits its prefixes, so a line that
    matches a pattern (it starts with one of its prefixes) still reaches it: which lines
    match is unchanged.

    >>> _gated([("a1", frozenset({"ab"})), ("b1", frozenset({"b", "cd"}))])
    '(?:(?=(?i:ab))(?:a1)|(?=(?i:(?:b|cd)))(?:b1))'
    """
    groups: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for pat, keys in units:
        groups.setdefault(min(k[:depth] for k in keys), []).append((pat, keys))
    parts = []
    for head in sorted(groups):
        members = groups[head]
        keys = frozenset().union(*(k for _, k in members))
        body = [pat for pat, _ in members]
        if len(members) > _GATE_SPLIT and depth < _GATE_DEPTH:
            deeper = [(pat, ks) for pat, ks in members if min(map(len, ks)) > depth]
            if deeper:
                body = [pat for pat, ks in members if min(map(len, ks)) <= depth]
                body.append(_gated(deeper, depth + 1))
        parts.append(f"(?=(?i:{_trie(keys)}))(?:{'|'.join(body)})")
    return "(?:" + "|".join(parts) + ")"


# A rule never fires on a line longer than its ``max_chars`` (prefix and suffix stamps
# aside): a scan reads the patterns of the rules capped at 200 characters (most of them)
# over the lines within that length only. On the HTML speed sample 56% of the characters
# are in longer lines; every extra bucket is one more pass of its patterns, and measured
# over the sample's pages the rule step took: no buckets 0.205 s, (200,) 0.185 s,
# (60, 200, 400) 0.193 s, (30, 60, 120, 200, 400) 0.204 s.
_CAP_BUCKETS = (200,)


def _cap_bucket(cap: int | None) -> int | None:
    """The smallest of :data:`_CAP_BUCKETS` at least ``cap`` (``None``: no cap)."""
    if cap is None:
        return None
    return next((b for b in _CAP_BUCKETS if cap <= b), None)


class _Docs:
    """The lines a document scan reads (stripped, no ``"\\n"`` inside), joined as
    :func:`_joined` does, once per length cap and once more folded when a pattern needs
    it. :meth:`get` gives the text, the lines' offsets in it and the indices of the
    lines it holds (``None``: all of them)."""

    __slots__ = ("_cache", "_lengths", "lines")

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self._lengths: list[int] | None = None
        self._cache: dict[tuple[int | None, bool], tuple[str, list[int], list[int] | None]] = {}

    def get(self, cap: int | None, fold: bool) -> tuple[str, list[int], list[int] | None]:
        key = (cap, fold)
        hit = self._cache.get(key)
        if hit is None:
            if fold:
                doc, starts, idx = self.get(cap, False)
                hit = (_folded(doc), starts, idx)
            else:
                idx: list[int] | None = None
                lines = self.lines
                if cap is not None:
                    if self._lengths is None:
                        self._lengths = list(map(len, lines))
                    within = list(map(cap.__ge__, self._lengths))
                    if not all(within):
                        idx = list(itertools.compress(range(len(lines)), within))
                        lines = list(itertools.compress(lines, within))
                doc, starts = _joined(lines)
                hit = (doc, starts, idx)
            self._cache[key] = hit
        return hit


class _Scan:
    """The filter for a group of rules (see above): which lines of a document any of
    them could fire on. ``None`` from :meth:`lines` means "cannot tell: all of them"."""

    def __init__(self, units: Sequence[tuple[str, Any, bool, Any, int | None]],
                 usable: bool) -> None:
        # units: (line-safe pattern, library, anchored, literal prefixes or None, length
        # cap or None); the library FOLD: literals looked for in the folded text
        self.pats: list[tuple[Any, bool, bool, int | None]] = []
        self.usable = usable
        if not usable:
            return
        caps = sorted({_cap_bucket(u[4]) for u in units}, key=lambda c: c or 1 << 62)
        for lib, anchored, cap in itertools.product((re, regex), (True, False), caps):
            mine = [u for u in units if u[1] is lib and u[2] is anchored
                    and _cap_bucket(u[4]) == cap]
            if not mine:
                continue
            # the patterns with literal prefixes behind one look-ahead for any of the
            # prefixes: a line starting with none of them skips them all at once
            gated = [(u[0], u[3]) for u in mine if u[3] is not None]
            alts = [u[0] for u in mine if u[3] is None]
            if gated:
                keys = frozenset().union(*(k for _, k in gated))
                # (grouped when there are many: the groups' look-aheads cost time
                # to compile, paid back only by many patterns skipped)
                body = (_gated(gated) if len(gated) > 4 * _GATE_SPLIT
                        else f"(?:{'|'.join(pat for pat, _ in gated)})")
                alts.insert(0, f"(?=(?i:{_trie(keys)})){body}")
            body = "|".join(alts)
            try:
                pat = lib.compile("\\n(?:" + body + ")" if anchored else body, lib.M)
            except (re.error, regex.error):
                self.usable = False
                return
            self.pats.append((pat, anchored, False, cap))
        for cap in caps:
            folded = [u[0] for u in units if u[1] is FOLD and _cap_bucket(u[4]) == cap]
            if folded:
                self.pats.append((re.compile("|".join(folded)), False, True, cap))

    @staticmethod
    def units(rules: Sequence[Rule], idxs: Sequence[int], anchored: bool,
              engine: str) -> list[tuple[str, Any, bool, Any, int | None]] | None:
        """The line-safe patterns of rules ``idxs``, or ``None`` if one cannot be made.
        ``engine``: ``"combined"`` for rules run as :class:`_Combined` parts (their patterns
        as one alternation, under ``re`` when it compiles them all), ``"fast"`` for rules
        run through :meth:`Rule.search` / :meth:`Rule.match_start` (their ``fast``)."""
        units: list[tuple[str, Any, bool, Any, int | None]] = []
        for k in idxs:
            r = rules[k]
            if not r.builtin:
                return None
            # (stamps are trimmed off lines of any length)
            cap = None if r.scope in ("prefix", "suffix") else r.max_chars
            if engine == "combined" and not any(_Combined._UNSAFE.search(p.pattern)
                                                for p in r.patterns):
                ic = bool(r.patterns[0].flags & regex.IGNORECASE)
                body = "|".join(f"(?:{p.pattern})" for p in r.patterns)
                try:
                    re.compile(f"(?i:{body})" if ic else body)
                    lib: Any = re
                except re.error:
                    lib = regex
                pats = [(p.pattern, lib, re.I if ic else 0) for p in r.patterns]
            else:
                pats = []
                for fp in map(compiled, r.fast or r.patterns):
                    lb = re if isinstance(fp, re.Pattern) else regex
                    # (a leading inline flag group shows in ``flags`` too: the text
                    # keeps it, and _line_safe scopes it)
                    pats.append((fp.pattern, lb, fp.flags & re.I))
            for text, lib, fl in pats:
                if "(?(DEFINE)" in text:
                    text = _inline_defines(text) or text
                try:
                    safe = _line_safe(text, lib, fl)
                except _Unsafe:
                    return None
                # a line whose folded start has none of the pattern's literal prefixes
                # cannot match it (the prefix filter of _Combined)
                keys = _literal_prefixes(text, lstripped=True) if anchored else None
                if keys is not None and any("\u0307" in x for x in keys):
                    keys = None
                if anchored and keys is None:
                    # tried at every line otherwise: a line containing none of the
                    # literals every match contains cannot match (searched anywhere)
                    found = _needed_literals(text, fl)
                    if found is not None:
                        lits, fold = found
                        alt = "|".join(map(re.escape, sorted(lits, key=lambda x: (-len(x), x))))
                        units.append((alt, FOLD if fold else re, False, None, cap))
                        continue
                    # or by the characters every match ends the line with
                    end = _required_end(text, fl)
                    if end is not None:
                        units.append((end, lib, False, None, cap))
                        continue
                if not anchored and lib is re:
                    # searched anywhere: a line containing none of the literals every
                    # match contains cannot match; the literals alone are the filter
                    lits = _required_literals(text, fl)
                    if lits is not None:
                        safe = "|".join(map(re.escape, sorted(lits)))
                        fl = 0
                units.append((f"(?i:{safe})" if fl & re.I else safe, lib, anchored, keys, cap))
        return units

    @classmethod
    def of(cls, *groups: tuple[Sequence[Rule], Sequence[int], bool, str]) -> _Scan:
        units: list[tuple[str, Any, bool, Any, int | None]] = []
        for g in groups:
            u = cls.units(*g)
            if u is None:
                return cls([], False)
            units.extend(u)
        return cls(units, True)

    def lines(self, docs: _Docs) -> set[int] | None:
        """Indices (in ``docs.lines``) of the lines that some pattern matches."""
        if not self.usable:
            return None
        out: set[int] = set()
        for pat, anchored, fold, cap in self.pats:
            doc, starts, idx = docs.get(cap, fold)
            found = {bisect.bisect_right(starts, m.start() + anchored) - 1
                     for m in pat.finditer(doc)}
            found.discard(-1)  # an empty match before the first line
            out.update(found if idx is None else map(idx.__getitem__, found))
        return out


# A huge document's lines are scanned a range at a time, so the joined text, its folded
# copy and the lines' offsets are never whole in memory (45 MB of page lines, joined once
# per length cap and folded, held about 0.7 GB at once). A scan cannot tell a range from
# the whole: every pattern it runs is line-safe (no piece of it matches "\n"), so each
# match lies within one line, and what a line's match sees around it ("\n" or the text's
# end, which every assertion reads alike) is the same at a range's end as inside; each
# range's text is ``_joined`` of its own lines, a "\n" before every line as in the whole.
SCAN_RANGE_CHARS = 1 << 20  # characters (of lines, plus one a line) in one scan range


def _scan_ranges(sizes: Sequence[int], limit: int | None = None) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges covering lines of ``sizes`` characters in order, each
    holding at most ``limit`` characters (default :data:`SCAN_RANGE_CHARS`; a line
    counts one more, its "\n") unless it is one line longer than that.

    >>> _scan_ranges([3, 3, 3, 9, 1], 8)
    [(0, 2), (2, 3), (3, 4), (4, 5)]
    """
    limit = SCAN_RANGE_CHARS if limit is None else limit
    n = len(sizes)
    ends = list(itertools.accumulate(map(operator.add, sizes, itertools.repeat(1))))
    if not n or ends[-1] <= limit:
        return [(0, n)] if n else []
    out = []
    a = 0
    while a < n:
        before = ends[a - 1] if a else 0
        b = max(bisect.bisect_right(ends, before + limit, a), a + 1)
        out.append((a, b))
        a = b
    return out


def _scan_lines(scan: _Scan, lines: Sequence[str]) -> set[int] | None:
    """The indices of ``lines`` (stripped, no ``"\n"`` inside) that some pattern of
    ``scan`` matches (``None``: cannot tell, all of them), read a range of lines at a time
    (see :data:`SCAN_RANGE_CHARS`)."""
    if not scan.usable:
        return None
    out: set[int] = set()
    for a, b in _scan_ranges(list(map(len, lines))):
        found = scan.lines(_Docs(lines[a:b]))
        if found is None:
            return None
        out.update(a + j for j in found)
    return out


def _joined(lines: Sequence[str]) -> tuple[str, list[int]]:
    """``"\n"`` + the lines joined by ``"\n"``, and each line's offset in it."""
    starts = list(itertools.accumulate(map(operator.add, map(len, lines), itertools.repeat(1)),
                                       initial=1))
    starts.pop()
    return "\n" + "\n".join(lines), starts


class _Scans:
    """A rule set's filters (:class:`_Scan`), one per rule group, and for the groups with
    user rules a matcher of just those (they run on every line, under the timeout)."""

    def __init__(self, rs: RuleSet) -> None:
        rules = rs.rules

        def matcher_scan(idxs: Sequence[int]) -> tuple[_Scan, _Matcher | None]:
            mine = [k for k in idxs if rules[k].builtin]
            user = [k for k in idxs if not rules[k].builtin]
            at = [k for k in mine if all(_starts_anchored(p.pattern) for p in rules[k].patterns)]
            anywhere = [k for k in mine if k not in at]
            scan = _Scan.of((rules, at, True, "combined"), (rules, anywhere, False, "combined"))
            return scan, (_Matcher(rules, user) if user else None)

        self.line, self.line_extra = matcher_scan(rs._line)
        self.hint, self.hint_extra = matcher_scan(rs._hint)
        self.widget, self.widget_extra = matcher_scan(rs._widget)
        # trims: the prefix rules (matched at the line start) and the suffix rules
        self.trim = _Scan.of((rules, rs._prefix, True, "combined"),
                             (rules, rs._suffix, False, "fast"))
        self.runs = {
            k: _Scan.of((rules, [k], all(_starts_anchored(p.pattern)
                                          for p in rules[k].patterns), "fast"))
            for k in rs._run
        }


class _NoScans:
    """What :meth:`RuleSet._scan` gives before the scans are built: every filter says
    "cannot tell", so every line gets the per-line matchers (the same verdicts)."""

    line = hint = widget = trim = _Scan([], False)
    line_extra = hint_extra = widget_extra = None

    def __init__(self, runs: Sequence[int]) -> None:
        self.runs = {k: self.line for k in runs}


_NO_VERDICT = (-1, -1, None, ())  # a line's verdicts when no rule fires on it
_MEMO_CAP = 100_000  # lines whose verdicts a RuleSet remembers (emptied when full)
# line -> drop, hint, trim and the built-in run rules its text matches
_Memo = dict[str, tuple[int, int, tuple[int, int, int] | None, tuple[int, ...]]]
# The scans are built once a rule set has seen this many lines (or by RuleSet.prepare).
# Compiling them takes about 0.5 s; without them a line costs about 25 us more (the
# per-line matchers try every line: measured over 800 whole-page documents, 58 vs 102
# documents per CPU-second). A process that cleans one page never pays for them; a
# corpus build pays about 0.05 s of slower lines before they pay back.
SCAN_AFTER_LINES = 2_000


# the longest per-line timeout given to the regex module: longer ones are this one
MAX_TIMEOUT = 365 * 24 * 3600.0


class RuleSet:
    """All active rules, compiled, and the code that applies them to a document."""

    def __init__(self, rules: Sequence[Rule], timeout: float | None = None) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.ids = {r.id: i for i, r in enumerate(self.rules)}
        # (the regex module wraps a timeout past about 9.2e12 s, so a huge one timed out
        # every user rule at once; a year is no limit either)
        self.timeout = None if timeout is None else min(timeout, MAX_TIMEOUT)
        by = {s: [i for i, r in enumerate(self.rules) if r.scope == s] for s in SCOPES}
        self._line = [i for i in by["line"] if self.rules[i].sure]
        self._hint = [i for i in range(len(self.rules)) if not self.rules[i].sure
                      and self.rules[i].scope != "document"]
        self._prefix = [i for i in by["prefix"] if self.rules[i].sure]
        self._suffix = [i for i in by["suffix"] if self.rules[i].sure]
        self._run = [i for i in by["run"] if self.rules[i].sure]
        self._widget = [i for i in by["widget"] if self.rules[i].sure]
        self._document = [i for i in by["document"] if self.rules[i].sure]
        self.max_chars = max((r.max_chars for r in self.rules), default=0)
        # no widget opens on a line longer than this
        self._widget_cap = max((self.rules[k].max_chars for k in self._widget), default=0)
        self._prefix_m = _Combined(self.rules, self._prefix, anchored=True)
        self._line_m = _Matcher(self.rules, self._line)
        self._hint_m = _Matcher(self.rules, self._hint)
        self._widget_m = _Matcher(self.rules, self._widget)
        # the max_line_chars of the memo's trims, and the memo (_Memo): one attribute, so
        # a thread never pairs one call's memo with another call's value
        self._memo: tuple[int, _Memo] = (-1, {})
        self._widget_memo: dict[str, int] = {}  # line -> the widget rule it opens (-1)
        self._scans: _Scans | None = None  # built after SCAN_AFTER_LINES lines (_scan)
        self._lines_seen = 0

    def __len__(self) -> int:
        return len(self.rules)

    # -- matching helpers -------------------------------------------------------------
    def _timeout_for(self, rule: Rule) -> float | None:
        return None if rule.builtin else self.timeout

    # -- the step ---------------------------------------------------------------------
    def apply(self, texts: Sequence[str], max_line_chars: int = 20_000) -> RuleHits:
        """Run every active rule over the lines of one document."""
        n_lines = len(texts)
        self._lines_seen += n_lines
        drop = [-1] * n_lines
        trim: list[tuple[int, int, int] | None] = [None] * n_lines
        hint = [-1] * n_lines
        stripped = [t.strip() for t in texts]
        chars, memo = self._memo
        trims = bool(self._prefix or self._suffix)
        # a line's own verdicts depend on its text only (trims: and on max_line_chars; the
        # memo holds one value's, so the lines themselves are its keys, not a tuple a
        # line): the settle passes and the boilerplate a site repeats on every page are
        # looked up, not matched again.
        # A full memo is replaced, never cleared in place: a call in another thread may be
        # between filling the memo it took and reading its lines back (a clear() there
        # was a KeyError), and one with another max_line_chars would have put its trims
        # in it. Each call reads only the dict it took.
        if len(memo) > _MEMO_CAP or (trims and max_line_chars != chars):
            memo = {}
        self._memo = (max_line_chars, memo)
        keys: Sequence[str] = texts if trims else stripped
        missing: dict[str, int] = {}  # key -> first line with it, for the lines not known
        for i, s in enumerate(stripped):
            if s and keys[i] not in memo and keys[i] not in missing:
                missing[keys[i]] = i
        if missing:
            self._line_verdicts(list(missing.values()), texts, stripped, keys,
                                max_line_chars, memo)
        matched: list[tuple[int, tuple[int, ...]]] = []  # (line, run rules matching it)
        for i, s in enumerate(stripped):
            if s:
                drop[i], hint[i], trim[i], runs = memo[keys[i]]
                if runs:
                    matched.append((i, runs))
        if len(memo) > _MEMO_CAP and self._memo[1] is memo:
            # (the next call would: a huge page's is not kept meanwhile)
            self._memo = (max_line_chars, {})
        del memo
        if self._run:
            self._apply_runs(stripped, drop, matched)
        if self._widget:
            self._apply_widgets(stripped, drop)
        for k in self._document:
            rule = self.rules[k]
            for i in CHECKS[rule.check or ""](texts, drop, rule.params):
                if drop[i] < 0:
                    drop[i] = k
        return RuleHits(drop, trim, hint)

    def _line_verdicts(self, todo: Sequence[int], texts: Sequence[str],
                       stripped: Sequence[str], keys: Sequence[str],
                       max_line_chars: int, memo: _Memo) -> None:
        """Each line ``todo``'s own verdicts (drop, hint, trim, and the built-in run rules
        whose patterns match it) into the memo, in line order (so a user rule that times
        out names the same line as rule by rule would). One scan of the joined lines per
        rule group picks the lines worth a closer look; the others cannot fire, so they get
        -1 (or only the user rules are tried). ``memo``: the one :meth:`apply` took."""
        sc = self._scan()
        short_cap = self.max_chars
        trims = bool(self._prefix or self._suffix)
        tf = self._timeout_for
        # (a range at a time: see SCAN_RANGE_CHARS; the ranges keep the line order)
        for a, b in _scan_ranges([len(stripped[i]) for i in todo]):
            self._range_verdicts(todo[a:b], texts, stripped, keys, max_line_chars, sc,
                                 short_cap, trims, tf, memo)

    def _range_verdicts(self, todo: Sequence[int], texts: Sequence[str],
                        stripped: Sequence[str], keys: Sequence[str], max_line_chars: int,
                        sc: _Scans | _NoScans, short_cap: int, trims: bool, tf: Any,
                        memo: _Memo) -> None:
        """:meth:`_line_verdicts` of the lines ``todo``, one scan of them per group."""
        # the lines a scan can see: no "\n" inside, not cut by max_line_chars
        seen = [i for i in todo if "\n" not in stripped[i]
                and len(stripped[i]) <= max_line_chars]
        at = {i: j for j, i in enumerate(seen)}
        docs = _Docs([stripped[i] for i in seen])
        f_line = sc.line.lines(docs)
        f_hint = sc.hint.lines(docs) if self._hint else None
        f_trim = sc.trim.lines(docs) if trims else None
        # a run's anchors are the lines its patterns match: a line's own verdict too, so
        # the settle passes look it up (a user rule's run under its timeout, in
        # _apply_runs, on the lines it always did)
        f_runs = [(k, self.rules[k], sc.runs[k].lines(docs)) for k in self._run
                  if self.rules[k].builtin]
        for i in todo:
            s = stripped[i]
            n = len(s)
            j = at.get(i, -1)
            d = h = -1
            t = None
            if n <= short_cap:
                if j < 0 or f_line is None or j in f_line:
                    d = self._line_m.first(s, n, tf, i)
                elif sc.line_extra is not None:
                    d = sc.line_extra.first(s, n, tf, i)
                if d < 0 and self._hint:
                    if j < 0 or f_hint is None or j in f_hint:
                        h = self._hint_m.first(s, n, tf, i)
                    elif sc.hint_extra is not None:
                        h = sc.hint_extra.first(s, n, tf, i)
            if d < 0 and trims and (j < 0 or f_trim is None or j in f_trim):
                t = self._trim(texts[i], i, max_line_chars)
            runs: tuple[int, ...] = ()
            for k, rule, f_run in f_runs:
                if (j < 0 or f_run is None or j in f_run) and n <= rule.max_chars \
                        and rule.search(s) is not None:
                    runs += (k,)
            # (most lines: one shared tuple, not one each)
            memo[keys[i]] = (_NO_VERDICT if d < 0 and h < 0 and t is None and not runs
                             else (d, h, t, runs))

    def _scan(self) -> _Scans | _NoScans:
        if self._scans is None:
            if self._lines_seen < SCAN_AFTER_LINES:
                return _NoScans(self._run)
            self._scans = _Scans(self)
        return self._scans

    def prepare(self) -> None:
        """Build the document scans now (they are otherwise built once
        :data:`SCAN_AFTER_LINES` lines have been seen): for a long-running process that
        wants steady-state speed from its first document."""
        if self._scans is None:
            self._scans = _Scans(self)

    def _trim(self, line: str, i: int, max_line_chars: int) -> tuple[int, int, int] | None:
        """Trim prefix then suffix stamps; return the kept span of the original line."""
        lead = len(line) - len(line.lstrip())
        start, end = lead, len(line.rstrip())
        view = line[start : min(end, start + max_line_chars)]
        fired = -1
        # (a rule that ran on its own, as every user rule does, gives its match here: it
        # was matched twice, paying its regex timeout twice on a line it trims)
        got: list[Any] = []
        k = self._prefix_m.first(view, 0, self._timeout_for, i, got)
        if k >= 0:
            rule = self.rules[k]
            if got:
                m = got[0]
            else:  # a built-in rule found through its pack's alternation: its own match
                try:
                    m = rule.match_start(view, self._timeout_for(rule))
                except TimeoutError:
                    raise RuleTimeout(rule.id, i) from None
            if m and m.end() > 0:
                start += m.end()
                fired = k
        for k in self._suffix:
            rule = self.rules[k]
            piece = line[start:end]
            try:
                m = rule.search_to_end(piece[-max_line_chars:], self._timeout_for(rule))
            except TimeoutError:
                raise RuleTimeout(rule.id, i) from None
            if m and m.start() < m.end():
                end -= m.end() - m.start()
                fired = k
                break
        if fired < 0:
            return None
        # the kept piece is the stripped remainder
        piece = line[start:end]
        start += len(piece) - len(piece.lstrip())
        end = start + len(line[start:end].rstrip())
        return (start, end, fired)

    def _apply_runs(self, stripped: Sequence[str], drop: list[int],
                    matched: Sequence[tuple[int, tuple[int, ...]]]) -> None:
        """Card runs: anchors (the rule's patterns, or lines a sure rule of the same family
        already dropped) separated by at most ``max_gap`` short lines; a run with at least
        ``min_anchors`` anchors goes whole, gap lines (channel names) included.
        ``matched``: the lines the patterns of some built-in run rule match, with those
        rules (the memo's, see :meth:`_range_verdicts`)."""
        for k in self._run:
            rule = self.rules[k]
            min_anchors = int(rule.params.get("min_anchors", 3))
            max_gap = int(rule.params.get("max_gap", 2))
            gap_chars = int(rule.params.get("gap_max_chars", 60))
            # anchors: lines a sure rule of the family dropped, then the lines the rule's
            # patterns match
            family = rule.family
            rules = self.rules
            found_at = {i for i, d in enumerate(drop) if d >= 0 and rules[d].family == family}
            if rule.builtin:
                found_at.update(i for i, runs in matched if k in runs)
            else:
                timeout = self._timeout_for(rule)
                for i, s in enumerate(stripped):
                    if not s or i in found_at:
                        continue
                    try:  # a user rule runs under the timeout here too
                        if len(s) <= rule.max_chars and rule.search(s, timeout) is not None:
                            found_at.add(i)
                    except TimeoutError:
                        raise RuleTimeout(rule.id, i) from None
            anchors = sorted(i for i in found_at if stripped[i])
            run: list[int] = []
            for a in [*anchors, -1]:
                if run and a >= 0:
                    gap = [j for j in range(run[-1] + 1, a) if stripped[j]]
                    if len(gap) <= max_gap and all(len(stripped[j]) <= gap_chars for j in gap):
                        run.append(a)
                        continue
                if len(run) >= min_anchors:
                    for j in range(run[0], run[-1] + 1):
                        if stripped[j] and drop[j] < 0:
                            drop[j] = k
                run = [a]

    def _apply_widgets(self, stripped: Sequence[str], drop: list[int]) -> None:
        n = len(stripped)
        memo = self._widget_memo
        if len(memo) > _MEMO_CAP:
            # (replaced, not cleared: another thread's call may be reading its lines back)
            memo = self._widget_memo = {}
        cap = self._widget_cap
        todo: dict[str, int] = {}
        for i, s in enumerate(stripped):
            if s and len(s) <= cap and s not in memo and s not in todo:
                todo[s] = i
        if todo:
            sc = self._scan()
            seen = [s for s in todo if "\n" not in s]
            found = _scan_lines(sc.widget, seen)
            maybe = None if found is None else {seen[j] for j in found}
            for s, i in todo.items():
                m = self._widget_m if maybe is None or s in maybe or "\n" in s \
                    else sc.widget_extra
                memo[s] = -1 if m is None else m.first(s, len(s), self._timeout_for, i)
        for i in [i for i, s in enumerate(stripped) if s and len(s) <= cap and memo[s] >= 0]:
            k = memo[stripped[i]]
            rule = self.rules[k]
            if drop[i] < 0:
                drop[i] = k
            follow_chars = int(rule.params.get("follow_max_chars", 100))
            follow_lines = int(rule.params.get("follow_max_lines", 30))
            taken = 0
            j = i + 1
            while j < n and taken < follow_lines:
                t = stripped[j]
                if t:
                    if len(t) > follow_chars or _sentence_like(t):
                        break
                    if drop[j] < 0:
                        drop[j] = k
                    taken += 1
                j += 1
        if len(memo) > _MEMO_CAP and self._widget_memo is memo:
            self._widget_memo = {}  # (as apply's memo)


_SENTENCE_END = regex.compile(r"[.!?…。！？][\"'”’»)\]]*$")


def _sentence_like(s: str) -> bool:
    """Reads like prose: ends like a sentence and has several words."""
    return bool(_SENTENCE_END.search(s)) and s.count(" ") >= 5


# --------------------------------------------------------------------------- loading

def _compile(pattern: str, ignore_case: bool, file: str, rid: str) -> regex.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(file, rid, "patterns must be non-empty strings")
    try:
        return regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
    except regex.error as e:
        raise RuleError(file, rid, f"bad regex {pattern!r}: {e}") from None


def _str_list(value: Any, key: str, file: str, rid: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(file, rid, f"{key} must be a list of strings")
    return value


#: The integer parameters of the scopes and checks (as keys or in ``params``), and their
#: least values: a run needs an anchor (``min_anchors = 0`` made every clean() fail).
_INT_PARAMS = {
    "min_anchors": 1, "max_gap": 0, "gap_max_chars": 0,  # run
    "follow_max_chars": 0, "follow_max_lines": 0,  # widget
    "window": 0, "min_words": 0,  # document checks (in params, with a max_chars of their own)
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_param(value: Any, key: str, least: int, file: str, rid: str) -> int:
    """``value`` checked as an integer parameter of at least ``least``: checked when the
    file loads, because a bad one would fail every clean() where the rule runs."""
    if not _is_int(value):
        raise RuleError(file, rid, f"{key} must be an integer, not {value!r}")
    if value < least:
        raise RuleError(file, rid, f"{key} must be at least {least}, not {value!r}")
    return value


# a family: lower-case words joined by hyphens; a rule id: its family, a dot and a name
# (more dots allowed). A family "-", or an id without a name ("my-site" in the family
# "my-site"), passed before: the one named no rule, the other was its family's name
_NAME = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_ID = rf"{_NAME}(?:\.{_NAME})+"


def _parse_rule(raw: Any, family: str, file: str, builtin: bool) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(file, None, "each [[rule]] must be a table")
    rid = raw.get("id")
    if rid is None:  # (said as "id must look like '<family>.<name>'")
        raise RuleError(file, None, "a [[rule]] is missing required key 'id'")
    if not isinstance(rid, str) or not regex.fullmatch(_ID, rid):
        raise RuleError(file, rid if isinstance(rid, str) else None,
                        "id must look like '<family>.<name>' (ASCII a-z and 0-9, words "
                        "joined by single hyphens)")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise RuleError(file, rid, f"unknown key(s): {', '.join(unknown)}")
    for key in _REQUIRED:
        if key not in raw:
            raise RuleError(file, rid, f"missing required key {key!r}")
    if _family_of(rid) != family:
        raise RuleError(file, rid, f"id must start with the family name {family!r}")
    scope = raw["scope"]
    if scope not in SCOPES:
        raise RuleError(file, rid, f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    for key in sorted(set(raw) & (_RULE_KEYS - _RULE_KEYS_ANY - _SCOPE_KEYS[scope])):
        used = ", ".join(s for s in SCOPES if key in _SCOPE_KEYS[s])
        raise RuleError(file, rid, f"{key} is not used by scope {scope!r} (only {used})")
    for key in ("description", "source"):
        if not isinstance(raw.get(key, ""), str):
            raise RuleError(file, rid, f"{key} must be a string, not {raw[key]!r}")
    # the description is the reason clean_and_explain gives for each line the rule
    # decides, and --explain and ``scrubber rules`` print one line per rule or line: a
    # multi-line TOML string is read as one line (its white space runs as one space)
    description = " ".join(raw["description"].split())
    if not description:
        raise RuleError(file, rid, "description is blank: it is the reason --explain gives")
    lang = raw.get("lang", [])
    if not isinstance(lang, list) or not all(
            isinstance(x, str) and regex.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", x)
            for x in lang):
        raise RuleError(file, rid, f"lang must be a list of language codes such as "
                        f"[\"en\", \"de\"], not {lang!r}")
    strength = raw.get("strength", "sure")
    if strength not in STRENGTHS:
        raise RuleError(file, rid, f"strength must be 'sure' or 'hint', not {strength!r}")
    if strength == "hint" and scope == "document":  # (a hint is a per-line feature)
        raise RuleError(file, rid, "a document check cannot be a hint: it is always 'sure'")
    if strength == "hint" and scope != "line":
        # a hint marks the lines a pattern matches anywhere in them: a prefix or suffix
        # hint's examples were checked at the line's start or end only, though it
        # fired on a match anywhere, and a run's or widget's parameters did nothing
        raise RuleError(file, rid, f"a hint marks the lines its patterns match, with no "
                        f"{scope} behaviour: give it scope = 'line'")
    max_chars = _int_param(raw.get("max_chars", 200), "max_chars", 1, file, rid)
    raw_params = raw.get("params", {})
    if not isinstance(raw_params, dict):
        raise RuleError(file, rid, f"params must be a table, not {raw_params!r}")
    unused = sorted(set(raw_params) - _SCOPE_PARAMS.get(scope, set()))
    if unused:
        raise RuleError(file, rid, f"params {', '.join(unused)} not used by scope {scope!r}")
    twice = sorted(set(raw_params) & set(raw))  # (the key's value silently won)
    if twice:
        raise RuleError(file, rid, f"{', '.join(twice)} given both as a key and in params")
    params: dict[str, Any] = dict(raw_params)
    params.update({k: raw[k] for k in _INT_PARAMS if k in raw})
    if "max_chars" in params:  # (a document check's own)
        params["max_chars"] = _int_param(params["max_chars"], "max_chars", 1, file, rid)
    for key, least in _INT_PARAMS.items():
        if key in params:
            params[key] = _int_param(params[key], key, least, file, rid)
    check = raw.get("check")
    patterns: tuple[regex.Pattern[str] | LazyPattern, ...] = ()
    pats: list[str] = []
    ic = False
    if scope == "document":
        if check not in CHECKS:
            raise RuleError(file, rid, f"check must be one of {', '.join(sorted(CHECKS))}")
    else:
        if check is not None:
            raise RuleError(file, rid, "'check' is only for scope = 'document'")
        pats = _str_list(raw.get("patterns"), "patterns", file, rid)
        if not pats:
            raise RuleError(file, rid, "needs at least one pattern")
        ic = raw.get("ignore_case", False)
        if not isinstance(ic, bool):
            raise RuleError(file, rid, f"ignore_case must be true or false, not {ic!r}")
        if builtin:  # (compiled on first use, see LazyPattern)
            patterns = tuple(LazyPattern(p, ic) for p in pats)
            for p in pats:
                if _NESTED_QUANTIFIER.search(p):
                    raise RuleError(file, rid, f"nested quantifier in {p!r} (backtracking risk)")
        else:
            patterns = tuple(_compile(p, ic, file, rid) for p in pats)
    return Rule(
        id=rid, family=family, description=description, scope=scope,
        patterns=patterns, strength=strength, max_chars=max_chars,
        source=str(raw.get("source", "")), origin=file, builtin=builtin, params=params,
        check=check, fast=tuple(LazyPattern(p, ic, fast=True) for p in pats) if builtin else (),
    )


def _fast(p: regex.Pattern[str]) -> Any:
    """``p`` compiled by the standard library when it accepts the pattern (after inlining
    its ``(?(DEFINE)...)`` subpatterns, see :func:`_inline_defines`), else ``p``."""
    std = _standard(p.pattern, bool(p.flags & regex.IGNORECASE))
    return p if std is None else std


def _standard(pattern: str, ignore_case: bool) -> re.Pattern[str] | None:
    """:func:`_fast`'s ``re`` compilation of ``pattern``, or ``None`` when ``re`` refuses
    it (also after inlining its subpatterns)."""
    flags = re.IGNORECASE if ignore_case else 0
    for text in (pattern, _inline_defines(pattern)):
        if text is None:
            continue
        try:
            return re.compile(text, flags)
        except re.error:
            continue
    return None


def _group_end(s: str, i: int) -> int:
    """Index of the ``)`` closing the group opened at ``s[i]`` (escapes and character
    classes skipped), or -1."""
    depth = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i += 1
            if i < n and s[i] == "^":
                i += 1
            if i < n and s[i] == "]":
                i += 1
            while i < n and s[i] != "]":
                i += 2 if s[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_DEFINE_NAME = re.compile(r"\(\?P?<([A-Za-z_]\w*)>")


def _inline_defines(pattern: str) -> str | None:
    """``pattern`` with a trailing ``(?(DEFINE)(?<name>...)...)`` block removed and every
    ``(?&name)`` call replaced by ``(?:...)`` of its definition (definitions may call each
    other, not recursively), so that the standard library's faster engine can run it. The
    result matches the same strings (the tests run every rule's examples through both, and
    the rule engine's equivalence check over real pages). ``None`` when the pattern has no
    such block or it cannot be inlined."""
    start = pattern.find("(?(DEFINE)")
    if start < 0:
        return None
    end = _group_end(pattern, start)
    if end < 0 or pattern[end + 1 :].strip():
        return None
    defs: dict[str, str] = {}
    i = start + len("(?(DEFINE)")
    while i < end:
        if pattern[i].isspace():
            i += 1
            continue
        m = _DEFINE_NAME.match(pattern, i)
        if m is None:
            return None
        j = _group_end(pattern, i)
        if j < 0 or j > end:
            return None
        defs[m.group(1)] = pattern[m.end() : j]
        i = j + 1
    out = pattern[:start]
    for _ in range(len(defs) + 1):
        if "(?&" not in out:
            return out
        for name, body in defs.items():
            out = out.replace(f"(?&{name})", f"(?:{body})")
    return None if "(?&" in out else out


EXAMPLE_TIMEOUT = 2.0  # seconds one example of a user rule may take at load time
# lines no rule is about: a pattern that matches an empty piece of one would fire on any
_EMPTY_PROBES = ("x", "A line of text, 12 words or so.")


def _one_line(example: str, file: str, rid: str) -> str:
    """``example``, which must be one line as :func:`scrubber.lines.split_lines` splits
    text (no ``\\n`` or ``\\r`` inside): rules never see any other, so an example of
    two lines held or failed for a line no document has."""
    if "\n" in example.strip() or "\r" in example.strip():
        raise RuleError(file, rid, f"example {example!r} is more than one line: rules see "
                        "one line at a time")
    return example


def _check_examples(rule: Rule, raw: dict[str, Any], file: str) -> int:
    """Every rule's own examples must hold, or the file is rejected. Returns how many
    there are."""
    rid = rule.id
    if rule.scope == "document":
        cases = raw.get("cases", [])
        if not isinstance(cases, list):
            raise RuleError(file, rid, "cases must be a list of {lines, drop} tables")
        for case in cases:
            lines = case.get("lines") if isinstance(case, dict) else None
            want = case.get("drop") if isinstance(case, dict) else None
            if isinstance(case, dict) and set(case) - {"lines", "drop"}:
                raise RuleError(file, rid, f"unknown key(s) in a case: "
                                f"{', '.join(sorted(set(case) - {'lines', 'drop'}))}")
            if not (isinstance(lines, list) and all(isinstance(x, str) for x in lines)
                    and isinstance(want, list) and all(map(_is_int, want))):
                raise RuleError(file, rid, "each case needs 'lines' (strings) and 'drop' "
                                "(line numbers) lists")
            for line in lines:
                _one_line(line, file, rid)
            got = sorted(CHECKS[rule.check or ""](lines, [-1] * len(lines), rule.params))
            if got != sorted(want):
                raise RuleError(file, rid, f"case {lines!r}: drops {got}, expected {want}")
        return len(cases)
    # a user's rule file is checked under the same per-call limit its rules run under,
    # so an example that backtracks catastrophically is an error, not a hung loader
    limit = None if rule.builtin else EXAMPLE_TIMEOUT
    # a pattern that matches an empty piece of an arbitrary line (an empty alternative,
    # ``'^Buy now$|'``, or all of it optional) fires on every line: a line, run or widget
    # rule or a hint on any match; a trim rule (which trims nothing then) stops the later
    # prefix rules from trimming
    for p in rule.patterns:
        for probe in _EMPTY_PROBES:
            try:
                m = p.search(probe, timeout=limit)
            except TimeoutError:
                m = None
            if m is not None and m.start() == m.end():
                raise RuleError(file, rid, f"pattern {p.pattern!r} matches an empty piece "
                                f"of {probe!r} (an empty alternative, or all of it "
                                "optional?): the rule would fire on lines it does not "
                                "describe")
    # a sure prefix or suffix rule trims what its pattern matched: an empty match trims
    # nothing, and is no match (as RuleSet._trim reads it)
    trims = rule.sure and rule.scope in ("prefix", "suffix")

    def find(s: str) -> Any:
        try:
            hit = (rule.match_start(s, limit) if rule.scope == "prefix"
                   else rule.search_to_end(s, limit) if rule.scope == "suffix"
                   else rule.search(s, limit))
        except TimeoutError:
            raise RuleError(file, rid, f"example {s[:60]!r} took over {limit} s: the "
                            "pattern backtracks catastrophically") from None
        if hit is not None and trims and hit.start() == hit.end():
            return None
        return hit

    matches = _str_list(raw.get("match"), "match", file, rid)
    no_matches = _str_list(raw.get("no_match"), "no_match", file, rid)
    for ex in matches:
        s = _one_line(ex, file, rid).strip()
        if not s:  # the layout step decides blank lines; no rule is asked about them
            raise RuleError(file, rid, f"example {ex!r} is blank: rules never see blank lines")
        hit = find(s)
        if not hit:
            raise RuleError(file, rid, f"example {ex!r} should match but does not")
        if len(s) > rule.max_chars and rule.scope in ("line", "run", "widget"):
            raise RuleError(file, rid, f"example {ex!r} should match but is longer than "
                            f"max_chars ({len(s)} > {rule.max_chars}): the rule skips it")
    for ex in no_matches:
        s = _one_line(ex, file, rid).strip()
        hit = find(s)
        if hit and (len(s) <= rule.max_chars or rule.scope in ("prefix", "suffix")):
            raise RuleError(file, rid, f"example {ex!r} should not match but does")
    trims = raw.get("trims", [])
    if rule.scope in ("prefix", "suffix"):
        if not isinstance(trims, list) or not all(
            isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t)
            for t in trims
        ):
            raise RuleError(file, rid, "trims must be a list of [input, kept] pairs")
        solo = RuleSet([rule], timeout=limit)
        for src, want in trims:
            _one_line(src, file, rid)
            try:
                span = solo._trim(src, 0, 1_000_000)
            except RuleTimeout:
                raise RuleError(file, rid, f"trim example {src[:60]!r} took over {limit} s: "
                                "the pattern backtracks catastrophically") from None
            got = src.strip() if span is None else src[span[0] : span[1]]
            if got.strip() != want.strip():
                raise RuleError(file, rid, f"trim of {src!r} gives {got!r}, expected {want!r}")
    return len(matches) + len(no_matches) + len(trims)


def parse_pack(text: str, file: str, builtin: bool = False,
               check: bool = True) -> list[Rule]:
    """Parse and validate one rule file's text. Raises :class:`RuleError`.

    ``check=False``: the rules' examples are counted, not run (the built-in packs, whose
    examples the test suite runs: run at every load they cost a process that cleans one
    document about a third of its time, and they compile every pattern)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RuleError(file, None, f"TOML syntax error: {e}") from None
    unknown = sorted(set(data) - _PACK_KEYS)
    if unknown:
        raise RuleError(file, None, f"unknown top-level key(s): {', '.join(unknown)}")
    if not isinstance(data.get("description", ""), str):
        raise RuleError(file, None, f"description must be a string, not "
                        f"{data['description']!r}")
    family = data.get("family")
    if family is None:  # (an empty file too)
        raise RuleError(file, None, "no 'family' (the pack's name, e.g. family = \"mysite\")")
    if not isinstance(family, str) or not regex.fullmatch(_NAME, family):
        # ("lower-case name" alone: 'мойсайт' is lower-case)
        raise RuleError(file, None, f"'family' must be a name of ASCII a-z and 0-9, words "
                        f"joined by single hyphens, not {family!r}")
    raws = data.get("rule", [])
    if not isinstance(raws, list):
        raise RuleError(file, None, "rules must be given as [[rule]] tables")
    if not raws:  # a file given to add rules that adds none is a mistake, not a no-op
        raise RuleError(file, None, "no rules (each one is a [[rule]] table)")
    rules = []
    seen: set[str] = set()
    for raw in raws:
        rule = _parse_rule(raw, family, file, builtin)
        if rule.id in seen:
            raise RuleError(file, rule.id, "duplicate rule id")
        seen.add(rule.id)
        count = _check_examples(rule, raw, file) if check else _count_examples(rule, raw)
        rules.append(dataclasses.replace(rule, examples=count))
    return rules


def _count_examples(rule: Rule, raw: dict[str, Any]) -> int:
    """How many examples :func:`_check_examples` would run for ``rule`` (whose file's
    examples hold)."""
    if rule.scope == "document":
        return len(raw.get("cases", []))
    trims = raw.get("trims", []) if rule.scope in ("prefix", "suffix") else []
    return len(raw.get("match", [])) + len(raw.get("no_match", [])) + len(trims)


def load_rule_file(
    path: str | Path, builtin: bool = False, name: str | None = None
) -> list[Rule]:
    """Load and validate a user rule file; errors and rule origins name it ``name``
    (default: ``path``)."""
    p = Path(path)
    where = str(p) if name is None else name
    try:
        text = p.read_text(encoding="utf-8-sig")  # (a BOM, as Windows editors write)
    except OSError as e:
        raise RuleError(where, None, f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise RuleError(where, None, f"not UTF-8: {e}") from None
    return parse_pack(text, where, builtin)


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    """The rules of every pack shipped in ``scrubber/rules/packs``, in file order."""
    rules: list[Rule] = []
    packs = resources.files("scrubber.rules") / "packs"
    for entry in sorted(packs.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            rules.extend(parse_pack(entry.read_text("utf-8"), f"packs/{entry.name}", True,
                                    check=False))
    return tuple(rules)


def load_ruleset(
    rule_files: tuple[str, ...] = (),
    disabled: frozenset[str] = frozenset(),
    timeout: float | None = 1.0,
) -> RuleSet:
    """The built-in rules plus ``rule_files``, less the ``disabled`` ids or families.

    Unknown ids in ``disabled`` are an error (a typo would silently keep a rule on).
    Rule sets are cached (``clean()`` asks for one per document); a rule file is known
    by its resolved absolute path, modification time and size, so an edited file is read
    again and a relative path means the file it names from the current directory."""
    return _load_ruleset(tuple(_file_key(f) for f in rule_files), disabled, timeout)


def _file_key(path: str) -> tuple[str, str, int, int]:
    """``path`` as the cache knows it: as given (error messages name it so), resolved,
    and its ``st_mtime_ns`` and ``st_size`` (-1, -1 when it cannot be read: loading it
    raises the error, and errors are not cached)."""
    given = os.fspath(path)  # (not str(Path(path)): "./a.toml" is named so, not "a.toml")
    p = Path(path)
    try:
        st = p.stat()
    except (OSError, ValueError):
        return (given, str(p.absolute()), -1, -1)
    return (given, str(p.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=32)
def _load_ruleset(
    files: tuple[tuple[str, str, int, int], ...],
    disabled: frozenset[str],
    timeout: float | None,
) -> RuleSet:
    rules = list(builtin_rules())
    first = {r.id: r for r in rules}
    loaded: dict[str, str] = {}  # resolved path -> the name it was first given as
    for given, resolved, *_ in files:
        if resolved in loaded:  # (its first rule's id was said to be defined "again")
            also = "" if loaded[resolved] == given else f" (as {loaded[resolved]})"
            raise RuleError(given, None, f"rule file given twice{also}")
        loaded[resolved] = given
        for rule in load_rule_file(resolved, name=given):
            # the error names the file that defines the id again and the first definition
            if rule.id in first:
                was = first[rule.id]
                where = f"the built-in pack {was.origin}" if was.builtin else was.origin
                raise RuleError(given, rule.id, f"id already defined in {where}")
            first[rule.id] = rule
            rules.append(rule)
    ids = set(first)
    families = {r.family for r in rules}
    unknown = sorted(d for d in disabled if d not in ids and d not in families)
    if unknown:
        # (quoted: an empty or space-padded id was invisible, or read as a real one)
        raise ValueError(f"cannot disable unknown rule(s): {', '.join(map(repr, unknown))}")
    active = [r for r in rules if r.id not in disabled and r.family not in disabled]
    return RuleSet(active, timeout)


def families() -> dict[str, int]:
    """Rule counts per family of the built-in packs."""
    out: dict[str, int] = {}
    for r in builtin_rules():
        out[r.family] = out.get(r.family, 0) + 1
    return out


__all__ = [
    "Rule", "RuleError", "RuleHits", "RuleSet", "RuleTimeout", "builtin_rules", "families",
    "load_rule_file", "load_ruleset", "parse_pack",
]
