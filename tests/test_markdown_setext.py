"""Setext headings (``Title`` over ``=====`` or ``-----``: markdownify's
``heading_style="UNDERLINED"``, Jina Reader's h1 and h2) with
``markup_view(ties=True)``: the text reads as a heading, the underline as layout, and
:meth:`scrubber.lines.MarkupView.write` writes the underline exactly when its heading is
written, so a kept heading stays a heading and no kept text is made one."""

from __future__ import annotations

from scrubber.lines import markup_view


def test_text_over_an_underline_reads_as_a_heading_and_the_underline_as_layout() -> None:
    lines = ["Big Title", "=========", "", "Sub", "---", "", "Body text here."]
    view = markup_view(lines, ties=True)
    assert view is not None
    assert view.texts == ["Big Title", "", "", "Sub", "", "", "Body text here."]
    assert view.headings == {0, 3}
    assert view.tied(1) == "the underline of the heading on line 1: written with it"
    # without ties (a caller that does not write through MarkupView.write): as written
    assert markup_view(lines) is None


def test_jina_readers_first_heading_after_its_envelope_reads_as_a_heading() -> None:
    lines = ["Title: Example Domain", "", "URL Source: https://example.com/", "",
             "Markdown Content:", "Example Domain", "==============", "", "Body text."]
    view = markup_view(lines, ties=True)
    assert view is not None and view.headings == {5} and view.texts[6] == ""


def test_a_heading_with_markup_reads_as_its_text() -> None:
    view = markup_view(["", "[A story](/s) **now**", "---------"], ties=True)
    assert view is not None
    assert view.texts == ["", "A story now", ""] and view.headings == {1}
    assert view.links(1, "A story now") == (7, 1)


def test_the_underline_is_written_exactly_when_its_heading_is() -> None:
    lines = ["Menu", "====", "", "Title", "-----", "", "Body."]
    view = markup_view(lines, ties=True)
    assert view is not None
    assert view.write(["Menu", None, None, None, "-----", None, "Body."]) == [
        "Menu", "====", None, None, None, None, "Body."]
    assert view.write([None, None, None, "Tit", None, None, None]) == [
        None, None, None, "Tit", "-----", None, None]  # (a trimmed heading too)


def test_lines_that_are_not_a_setext_heading_read_as_written() -> None:
    lines = [
        "Menu item", "Archive", "---------",  # (a run of lines: not read as a heading)
        "", "* list item", "---",  # (a list item over a thematic break)
        "", "# Heading", "---",
        "", "Short", "-",  # (a lone "-" under a line: an empty list item)
        "", "    indented code", "---",
        "", "```", "", "x = 1", "-----", "```",  # (fenced code)
        "", "***", "---",
    ]
    view = markup_view(lines, ties=True)
    assert view is None or not view._underlines, view and view._underlines
    assert view is None or view.headings == {lines.index("# Heading")}


SETEXT_PAGE = """\
* [Home](/)
* [News](/news)
* [Sport](/sport)

The council approves the new budget
===================================

The city council approved a new budget on Tuesday, raising spending on schools and \
roads by ten percent after a long debate that ran late into the night.

Critics said the plan relies on [optimistic revenue forecasts](https://example.com/f) \
that may not hold if the economy slows, and asked for a review in the spring.

Related stories
---------------

* [Budget talks stall](/a)
* [Schools get new funding](/b)
"""


def test_clean_writes_a_kept_headings_underline_and_drops_a_dropped_ones() -> None:
    import scrubber
    from scrubber import Action
    from scrubber.lines import split_lines

    out = scrubber.clean(SETEXT_PAGE)
    assert "The council approves the new budget\n===================================\n" in out
    assert "Related stories" not in out and "---------------" not in out
    assert "[Home](/)" not in out and "The city council approved" in out
    inputs = split_lines(SETEXT_PAGE)[0]
    assert all(line in inputs for line in split_lines(out)[0])
    assert scrubber.clean(out) == out
    explained = scrubber.clean_and_explain(SETEXT_PAGE)
    assert explained.text == out and [d.text for d in explained.decisions] == inputs
    under = inputs.index("===================================")
    d = explained.decisions[under]
    assert d.action is Action.KEEP and d.output == inputs[under]
    assert d.reason == f"the underline of the heading on line {under}: written with it"
    d = explained.decisions[inputs.index("---------------")]
    assert d.action is Action.DROP and d.output is None
