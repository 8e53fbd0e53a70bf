"""Markdown as scrapers write it (html2text, markdownify, Jina Reader, Firecrawl): the
decision path reads links, headings and emphasis as their text
(:func:`scrubber.lines.markup_view`); the output keeps the lines as written."""

from __future__ import annotations

import subprocess
import sys

import scrubber
from scrubber import Action
from scrubber.lines import markup_view, split_lines

PAGE = """\
* [Home](/)
* [News](/news)
* [Sport](/sport)

# The council approves the new budget

**By [Jane Doe](/authors/jane)** | March 3, 2024

The city council approved a new budget on Tuesday, raising spending on schools and \
roads by ten percent after a long debate.

Critics said the plan relies on [optimistic revenue forecasts](https://example.com/f) \
that may not hold if the economy slows.

## Related stories

* [Budget talks stall](/a)
* [Schools get new funding](/b)
"""


def test_links_headings_and_strong_text_are_read_as_their_text() -> None:
    view = markup_view(["* [Home](/) | [News](/news \"News\")", "## Related stories",
                        "**By [Jane Doe](/a/jane)** | March 3", "Wiki [Foo](/w/Foo_(bar)) x"])
    assert view is not None
    assert view.texts == ["* Home | News", "Related stories", "By Jane Doe | March 3",
                          "Wiki Foo x"]


def test_plain_text_asterisks_underscores_and_images_read_as_written() -> None:
    lines = ["***** Spoiler alert *****", "Name ____________", "![photo](/p.png)",
             "2 ** 10 is 1024", "snake_case and __ alone", "A [bracket] (aside)"]
    assert markup_view(lines) is None


def test_a_piece_of_a_view_is_written_as_that_piece_of_the_line_with_its_markup() -> None:
    view = markup_view(["Share: [Home](/) | [News](/news)", "## Heading **bold** tail"])
    assert view is not None
    assert view.original(0, "Home | News") == "[Home](/) | [News](/news)"
    assert view.original(0, view.texts[0]) == "Share: [Home](/) | [News](/news)"
    assert view.original(1, "Heading") == "## Heading"
    assert view.original(1, "bold") == "**bold**"


def test_menu_byline_and_related_links_go_and_the_article_stays() -> None:
    out = scrubber.clean(PAGE)
    inputs = split_lines(PAGE)[0]
    assert all(line in inputs for line in split_lines(out)[0])  # lines as written
    assert "The city council approved" in out and "[optimistic revenue forecasts]" in out
    for clutter in ("[Home](/)", "Jane Doe", "Related stories",
                    "[Budget talks stall](/a)"):
        assert clutter not in out, clutter
    # read as written, the URLs hide the byline and the related-links widget
    plain = scrubber.clean(PAGE, markdown=False)
    assert "Jane Doe" in plain and "Related stories" in plain


def test_explanations_show_the_lines_as_written_and_cleaning_again_changes_nothing() -> None:
    explained = scrubber.clean_and_explain(PAGE)
    inputs = split_lines(PAGE)[0]
    assert [d.text for d in explained.decisions] == inputs
    for d in explained.decisions:
        if d.action is Action.KEEP:
            assert d.output == d.text
        elif d.action is Action.TRIM:
            assert d.output is not None and d.output in d.text
    out = scrubber.clean(PAGE)
    assert scrubber.clean(out) == out


def test_the_cli_reads_markdown_as_written_with_no_markdown() -> None:
    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "scrubber", "--text", *args],
                              input=PAGE, capture_output=True, text=True, check=True).stdout

    assert run() == scrubber.clean(PAGE)
    assert run("--no-markdown") == scrubber.clean(PAGE, markdown=False) != run()


def test_a_scrapers_markdown_is_scored_by_the_markdown_model(monkeypatch) -> None:
    """Each pass picks its model by the lines it reads: the markdown model while they
    hold three lines with a link, the text model once they do not (as cleaning the
    output again would read it, so the output stays a fixed point)."""
    from scrubber import pipeline
    from scrubber.lines import MARKDOWN_LINK_LINES

    used: list[str] = []
    real = pipeline._one_pass

    def record(texts, cfg, rs, model, *args, **kw):
        used.append(model.card["kind"] if model is not None else "none")
        return real(texts, cfg, rs, model, *args, **kw)

    monkeypatch.setattr(pipeline, "_one_pass", record)
    out = scrubber.clean(PAGE)  # (seven lines with a link; two of them kept)
    assert used[0] == "markdown" and set(used) == {"markdown", "text"}, used
    used.clear()
    assert scrubber.clean(out) == out and set(used) == {"text"}
    for text, kw in ((PAGE, {"markdown": False}),
                     ("A paragraph of prose, long enough to be body text, with commas.\n"
                      "# posted by Chris\n**Note** the end.\n", {}),
                     ("\n".join(["* [a](/a) b"] * (MARKDOWN_LINK_LINES - 1)
                                + ["Plain prose line, long enough to be read as body text."]),
                      {})):
        used.clear()
        scrubber.clean(text, **kw)
        assert set(used) == {"text"}, (text[:40], used)


def test_a_text_is_markdown_from_its_third_line_with_a_link() -> None:
    from scrubber.lines import MARKDOWN_LINK_LINES

    lines = ["* [a](/a)", "**b**", "# c", "[d](/d) and [e](/e)"]
    view = markup_view(lines)
    assert view is not None and view.link_lines == {0, 3} and not view.markdown
    view = markup_view([*lines, "x [f](/f)"])
    assert view is not None and len(view.link_lines) == MARKDOWN_LINK_LINES == 3 and view.markdown
    assert view.markdown_among([0, 3, 4]) and not view.markdown_among([0, 1, 2, 3])


def test_the_view_counts_link_text_and_links_of_a_line_and_of_a_piece_of_it() -> None:
    view = markup_view(["* [Home](/) | [News](/news)", "## **[Big](/x) news** today",
                        "Plain prose with a [link](/l) in it.", "No markup here"])
    assert view is not None
    assert view.texts[:3] == ["* Home | News", "Big news today", "Plain prose with a link in it."]
    assert view.links(0, view.texts[0]) == (8, 2)
    assert view.links(0, "Home") == (4, 1) and view.links(0, "me | Ne") == (4, 2)
    assert view.links(1, view.texts[1]) == (3, 1)  # (the link, where **...** left it)
    assert view.links(2, view.texts[2]) == (4, 1)
    assert view.links(3, "No markup here") == (0, 0)
    assert view.headings == {1}


def test_the_markdown_model_reads_link_shares_a_line_and_its_neighbours() -> None:
    import numpy as np

    from scrubber import features
    from scrubber.pipeline import ruleset_for

    names = features.names("markdown")
    assert names[-len(features.MARKDOWN):] == features.MARKDOWN
    assert names[: len(features.names("text"))] == features.names("text")
    texts, _ = split_lines(PAGE)
    view = markup_view(texts)
    assert view is not None
    rs = ruleset_for(scrubber.Config())
    hits = rs.apply(view.texts)
    extra = features.markdown_rows(view, range(len(texts)), view.texts)
    x = features.extract(view.texts, hits, rs, extra, kind="markdown")
    col = {c: x[:, names.index(c)] for c in features.MARKDOWN}
    home, title = texts.index("* [Home](/)"), texts.index("# The council approves the new budget")
    prose = next(i for i, t in enumerate(texts) if t.startswith("The city council"))
    critics = next(i for i, t in enumerate(texts) if t.startswith("Critics"))
    assert col["md_link_frac"][home] > 0.6 and col["md_link_frac"][prose] == 0.0
    assert 0.0 < col["md_link_frac"][critics] < 0.3
    assert col["md_heading"][title] == 1.0 and col["md_heading"][prose] == 0.0
    news = texts.index("* [News](/news)")
    assert col["md_link_prev"][news] == col["md_link_frac"][home]
    assert col["md_link_win3"][news] > col["md_link_win3"][prose]
    filled = [i for i, t in enumerate(texts) if t.strip()]  # (blank lines' rows: zeros)
    assert len(set(col["md_doc_link_frac"][filled].tolist())) == 1
    # without markup (extra None) the columns are zeros, the text columns unchanged
    plain = features.extract(view.texts, hits, rs, None, kind="markdown")
    assert not plain[:, -len(features.MARKDOWN):].any()
    np.testing.assert_array_equal(plain[:, : -len(features.MARKDOWN)],
                                  features.extract(view.texts, hits, rs, None, kind="text"))


def test_a_definition_left_in_a_fence_whose_fence_line_went_is_read_again_as_one() -> None:
    # the "```" line was dropped; the definition after it had been read inside fenced code
    # (text) and was written, and cleaning the output again read it as a definition and
    # left it out: the output was no fixed point (review)
    from scrubber import clean, clean_and_explain
    from scrubber.lines import layout_roles

    first = ("The city council approved the budget on Tuesday after a long debate about "
             "schools and roads.")
    last = ("The mayor said the plan would fund new schools and repair roads across the "
            "district, which many residents welcomed.")
    text = f"{first}\n```\n[1]: https://example.com/x\n{last}\n"
    ex = clean_and_explain(text)
    assert ex.text == clean(text) == f"{first}\n{last}\n"
    assert clean(ex.text) == ex.text
    d = ex.decisions[2]
    assert not d.kept and d.reason.startswith("once the lines dropped before were gone: a link "
                                              "reference definition")
    assert layout_roles(text.splitlines()) == {}
    assert layout_roles([first, "[1]: https://example.com/x", last]) == {1: -1}
