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
