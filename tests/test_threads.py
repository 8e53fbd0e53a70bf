"""The public API from several threads at once: the rule set's memos are shared by every
call with the same rules, so one call's bookkeeping must not pull lines from under
another's. The interleavings are provoked deterministically: a call made from inside
another's, at the point where a thread switch would let it run."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import read_seed, seed_names

import scrubber
from scrubber import rules as rules_mod
from scrubber.rules import RuleSet, builtin_rules


def _fresh() -> RuleSet:
    return RuleSet(builtin_rules(), 1.0)


def _interrupt_after_fill(rs: RuleSet, monkeypatch: pytest.MonkeyPatch, other: Any) -> None:
    """Run ``other()`` once, right after ``rs`` has put the lines of the call in progress
    into its memo and before it reads them back (where another thread can run)."""
    original = rs._line_verdicts
    done: list[bool] = []

    def fill_then_other(*args: Any, **kw: Any) -> None:
        original(*args, **kw)
        if not done:
            done.append(True)
            other()

    monkeypatch.setattr(rs, "_line_verdicts", fill_then_other)


def test_a_memo_emptied_by_another_call_does_not_lose_this_calls_lines(monkeypatch):
    # another thread's call filled the memo past its cap and emptied it between this
    # call's fill and its read: KeyError on the first line
    monkeypatch.setattr(rules_mod, "_MEMO_CAP", 3)
    rs = _fresh()
    page = ["Premium Only Content", "A headline", "The body paragraph goes on and on."]
    want = _fresh().apply(page)
    other = [f"Another page's line number {i}." for i in range(10)]
    _interrupt_after_fill(rs, monkeypatch, lambda: rs.apply(other))
    got = rs.apply(page)
    assert (got.drop, got.trim, got.hint) == (want.drop, want.trim, want.hint)


def test_a_call_with_another_max_line_chars_does_not_give_this_call_its_trims(monkeypatch):
    # the memo holds the trims of one max_line_chars; a call with another value in
    # between emptied it and put its own trims in for the same line
    rs = _fresh()
    line = "date 2024-03-23 As tensions simmer on the Eastern European border."
    want = _fresh().apply([line], 20_000)
    assert want.trim[0] is not None  # (the stamp is cut at the default cap...)
    assert _fresh().apply([line], 4).trim[0] is None  # (...and not seen at 4 characters)
    _interrupt_after_fill(rs, monkeypatch, lambda: rs.apply([line], 4))
    assert rs.apply([line], 20_000).trim == want.trim


def test_a_widget_memo_emptied_by_another_call_does_not_lose_this_calls_lines(monkeypatch):
    # the same for the widget openers' memo: another call emptied it while this one was
    # filling it, and the lines filled before were a KeyError
    monkeypatch.setattr(rules_mod, "_MEMO_CAP", 2)
    rs = _fresh()
    page = ["The body paragraph of the article goes on for a while here.", "Share this:",
            "Facebook", "Twitter"]
    want = _fresh().apply(page).drop
    other = [f"Related {i}" for i in range(6)]
    matcher = rs._widget_m
    calls: list[str] = []

    class OtherCallOnSecondLine:
        def first(self, s: str, *args: Any) -> int:
            calls.append(s)
            if len(calls) == 2:
                rs.apply(other)
            return matcher.first(s, *args)

    monkeypatch.setattr(rs, "_widget_m", OtherCallOnSecondLine())
    assert rs.apply(page).drop == want
    assert len(calls) > 2


def test_threads_give_the_single_threaded_outputs(monkeypatch):
    # eight threads over varied pages and configs, the memo emptied every few pages (a
    # small cap): every call's output is the one it has alone
    monkeypatch.setattr(rules_mod, "_MEMO_CAP", 40)
    rng = random.Random(5)
    seeds = [read_seed(name) for name in seed_names()]
    pages = []
    for k in range(120):
        lines = seeds[k % len(seeds)].splitlines()
        pages.append("\n".join(f"{t} {rng.randrange(10**6)}" if t.strip() and rng.random() < 0.3
                               else t for t in lines) + "\n")
    configs: list[dict[str, Any]] = [{}, {"max_line_chars": 40}, {"use_model": False},
                                     {"comments": False}, {"settle": 1}]
    jobs = [(page, configs[k % len(configs)], k % 2 == 1) for k, page in enumerate(pages)]

    def one(job: tuple[str, dict[str, Any], bool]) -> str:
        page, cfg, explain = job
        if explain:
            return scrubber.clean_and_explain(page, **cfg).text
        return scrubber.clean(page, **cfg)

    want = [one(job) for job in jobs]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(one, jobs))
    assert got == want
