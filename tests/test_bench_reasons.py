"""``python -m scrubber.bench reasons``: body and clutter words dropped, per reason."""

from __future__ import annotations

import pytest
from conftest import usage_error

from scrubber.bench import reasons
from scrubber.bench.reasons import Tally, format_table, reason_key, tally
from scrubber.decisions import Action, Decision, Stage

RECORDS = [
    {
        "lines": ["Leave a Comment", "", "A body paragraph that is long enough to count, with "
                  "words and commas, as real prose does.", "Share this:", "Unlabelled line."],
        "labels": [0, -1, 1, 1, -1],
    },
]


def test_a_dropped_clutter_line_counts_as_removed_a_dropped_body_line_as_lost():
    t, body, n = tally(RECORDS)
    assert n == 1
    assert body == 17 + 2  # the paragraph and "Share this:" are labelled body
    assert t["rule:comments.leave-a-comment"].removed == 3
    share = [k for k in t if k.startswith("rule:social")]
    assert share and t[share[0]].lost == 2  # a body-labelled line a rule dropped
    assert all(v.lines for v in t.values())


def test_unlabelled_and_kept_lines_are_not_counted():
    t, _, _ = tally([{"lines": ["A body paragraph that is long enough to count, with words "
                                "and commas, as real prose does."], "labels": [-1]}])
    assert t == {}


def test_reason_keys_name_the_rule_the_context_kind_and_settle_passes():
    rule = Decision(0, "x", Action.DROP, Stage.RULE, "why", "ads.label")
    assert reason_key(rule) == "rule:ads.label"
    ctx = Decision(0, "x", Action.DROP, Stage.CONTEXT,
                   "pass 2, once the lines dropped before were gone: short line with no "
                   "body text after it (tail, card or link list)")
    assert reason_key(ctx) == "context:no-body (settle)"
    com = Decision(0, "x", Action.DROP, Stage.CONTEXT, "in the reader comments, below 'x'")
    assert reason_key(com) == "context:comments"
    assert reason_key(Decision(0, "x", Action.DROP, Stage.MODEL, "body probability")) == "model"


def test_table_sorts_by_body_words_lost_and_totals():
    table = format_table({"a": Tally(1, 0, 10), "b": Tally(2, 5, 5)}, body=100, top=5)
    rows = table.splitlines()
    assert rows[2].startswith("| b | 2 | 5 | 5.00% | 5 | 0.500 |")
    assert rows[3].startswith("| a | 1 | 0 |")
    assert rows[-1] == "| **all reasons** | 3 | 5 | 5.00% | 15 | 0.750 |"


def test_without_data_the_command_says_so(monkeypatch, capsys):
    monkeypatch.setenv("SCRUBBER_DATA", "/nonexistent/scrubber-data")
    from scrubber.train import data

    if data.data_root() is not None:
        pytest.skip("a data root is found despite the setting")
    assert reasons.main([]) == 2
    assert "no data" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--sets", "nosuch"], "unknown set: nosuch (known: wcxb-dev,"),
    (["--renderers", "nosuch"], "unknown renderer: nosuch (known: trafilatura,"),
    (["--top", "-1"], "--top: must be at least 0, got -1"),
])
def test_reasons_refuses_unknown_names_and_a_negative_top_as_usage_errors(
    argv, message, capsys
):
    err = usage_error(reasons.main, argv, capsys)
    assert message in err and "build_dataset" not in err


def test_reasons_top_zero_shows_every_reason(tmp_path, monkeypatch, capsys):
    from scrubber.train import cache

    (tmp_path / "data").mkdir()
    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("SCRUBBER_CACHE", str(tmp_path / "cache"))
    lines = ["Leave a Comment", "Share this:",
             "A body line of words that is long enough to be prose, with commas.",
             "Related Posts"]
    cache.write_jsonl_gz(cache.dataset_path("readability", "html_text"), {
        "a-1": {"id": "a-1", "split": "heldout", "lines": lines, "labels": [0, 0, 1, 0]}})
    assert reasons.main(["--sets", "readability", "--renderers", "html_text",
                         "--top", "0"]) == 0
    table = capsys.readouterr().out
    for key in ("rule:comments.leave-a-comment", "rule:social.share-label",
                "rule:related.related"):
        assert f"| {key} |" in table
