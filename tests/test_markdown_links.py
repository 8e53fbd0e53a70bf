"""Markdown the scrapers write besides inline links and ATX headings
(:func:`scrubber.lines.markup_view`): reference links and their definitions (html2text's
``inline_links=False``), autolinks (markdownify's link whose text is its URL) and setext
headings (markdownify's and Jina Reader's h1 and h2)."""

from __future__ import annotations

import scrubber
from scrubber.lines import markup_view, split_lines


def test_reference_links_read_as_their_text_and_count_as_links() -> None:
    view = markup_view(["* [Home][1] | [News][news]", "See [the report][] today."])
    assert view is not None
    assert view.texts == ["* Home | News", "See the report today."]
    assert view.links(0, view.texts[0]) == (8, 2) and view.links(1, view.texts[1]) == (10, 1)
    assert view.link_lines == {0, 1}
    assert view.original(0, "Home | News") == "[Home][1] | [News][news]"
    assert view.original(1, "the report") == "[the report][]"


def test_autolinks_read_as_the_url_a_reader_sees_counted_as_link_text() -> None:
    view = markup_view(["Source: <https://example.com/a?b=1>", "Mail <jane@example.com>.",
                        "a <b> c <br> 2 < 3 > 1"])
    assert view is not None
    assert view.texts[:2] == ["Source: https://example.com/a?b=1", "Mail jane@example.com."]
    assert view.texts[2] == "a <b> c <br> 2 < 3 > 1"  # (no scheme, no address: as written)
    assert view.links(0, view.texts[0]) == (len("https://example.com/a?b=1"), 1)
    assert view.links(1, view.texts[1]) == (len("jane@example.com"), 1)
    assert view.original(0, "https://example.com/a?b=1") == "<https://example.com/a?b=1>"


def test_autolinks_alone_do_not_make_a_text_markdown() -> None:
    """Plain text quotes addresses and URLs in angle brackets (mail headers, code): the
    markdown model reads a text with three lines of inline or reference links."""
    lines = ["From: Jane <jane@example.com>", "To: Joe <joe@example.com>",
             "@prefix dc: <http://purl.org/dc/terms/> .", "Body [a](/a) and [b][1]."]
    view = markup_view(lines)
    assert view is not None and view.link_lines == {3} and not view.markdown
    assert view.links(0, view.texts[0]) == (len("jane@example.com"), 1)


def test_link_reference_definitions_read_as_blank_lines() -> None:
    lines = ["Text [a][1].", "", "   [1]: https://example.com/a", '[Big Label]: /b "Title"',
             "[1]: not a url alone", "```", "[2]: /in-code", "```"]
    view = markup_view(lines)
    assert view is not None
    assert view.texts[2:4] == ["", ""]
    assert view.texts[4] == "[1]: not a url alone"  # (words after the URL: text)
    assert view.texts[6] == "[2]: /in-code"  # (fenced code: as written)
    assert view.tied(2) is not None and view.tied(4) is None


def test_a_definition_alone_makes_a_view() -> None:
    view = markup_view(["Plain text.", "[1]: https://example.com/x"])
    assert view is not None and view.texts == ["Plain text.", ""]


# html2text's reference style, the definitions after each paragraph
# (links_each_paragraph=True)
HTML2TEXT_PAGE = """\
  * [Home][1]
  * [News][2]
  * [Sport][3]

# The council approves the new budget

The city council approved a new budget on Tuesday, raising spending on schools and \
roads by ten percent after a long debate that ran late into the night.

   [1]: https://example.com/
   [2]: https://example.com/news
   [3]: https://example.com/sport

Critics said the plan relies on [optimistic revenue forecasts][4] that may not hold if \
the economy slows, and asked for a review in the spring.

   [4]: https://example.com/forecasts

The mayor said the council would publish the figures each quarter so that residents \
can follow the spending as it happens.
"""


def test_definitions_are_left_out_and_the_kept_links_keep_their_text() -> None:
    out = scrubber.clean(HTML2TEXT_PAGE)
    assert "[optimistic revenue forecasts][4]" in out and "The city council" in out
    assert "The mayor said" in out
    # read as written, the menu and the definitions between the paragraphs stayed
    assert "https://" not in out and "[Home][1]" not in out and "[News][2]" not in out
    inputs = split_lines(HTML2TEXT_PAGE)[0]
    assert all(line in inputs for line in split_lines(out)[0])
    assert scrubber.clean(out) == out
    explained = scrubber.clean_and_explain(HTML2TEXT_PAGE)
    assert [d.text for d in explained.decisions] == inputs
    assert all(d.output is None for d in explained.decisions if "]: https" in d.text)


def test_the_markdown_model_reads_an_autolinks_share_of_its_line() -> None:
    from scrubber import features

    lines = ["* [Home](/)", "* [News](/news)", "* [Sport](/sport)",
             "Source: <https://example.com/report>", "Plain prose line."]
    view = markup_view(lines)
    assert view is not None and view.markdown and 3 not in view.link_lines
    rows = features.markdown_rows(view, range(len(lines)), view.texts)
    assert rows is not None
    assert rows[3, 0] == len("https://example.com/report") and rows[3, 1] == 1
    assert rows[4, :2].tolist() == [0.0, 0.0]
