"""Hard-wrapped text (lynx / w3m dumps, html2text's 78 columns, mail archives): the
decision path reads a paragraph at a time (:func:`scrubber.lines.unwrap_view`) and writes
its lines as they were."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import scrubber
from scrubber import Action, Config
from scrubber.lines import fragment_view, split_lines, unwrap_view, wrap_width

PARAS = [
    "The city council approved a new budget on Tuesday, raising spending on schools and "
    "roads by ten percent after a long debate that ran late into the night.",
    "Critics said the plan relies on optimistic revenue forecasts that may not hold if the "
    "economy slows, and asked for a review in six months.",
    "The mayor said the budget keeps taxes flat for the third year in a row, and that the "
    "city's reserves remain among the strongest in the state.",
]


def wrapped_page(width: int = 60) -> str:
    body: list[str] = []
    for p in PARAS:
        body += [*textwrap.wrap(p, width), ""]
    return "\n".join(["Home | News | Sport | Weather", "", "Council approves budget", "",
                      *body, "Share this article", "Facebook", "Twitter", "",
                      "Related stories", "Budget talks stall", "Schools get new funding"]) + "\n"


def test_wrapped_text_is_told_from_text_left_to_its_natural_line_lengths() -> None:
    texts, _ = split_lines(wrapped_page(60))
    assert wrap_width(texts) is not None and 50 <= wrap_width(texts) <= 60
    # one paragraph a line, as most scrapers write: not wrapped
    assert wrap_width(["Home", "News", *PARAS, "Share this article"]) is None
    # lines of one width each followed by one short line (teasers cut at N characters,
    # ads of a line of text and a line with an address): no paragraph of three lines
    teasers = []
    for k in range(6):
        teasers += [("Lancaster company seeks energetic workers for its new plant " * 2)[:70],
                    f"View this ad {k}", ""]
    assert wrap_width(teasers) == 69 and unwrap_view(teasers) is None
    # a line of several words far longer than the width, but for a URL in it, is not
    # wrapped text (a forum post: one line per post, a title of 41 characters)
    assert wrap_width([*texts, "See https://example.com/a/very/long/path/to/a/page/x.html "
                       + "and more words " * 20]) is None


def test_a_paragraphs_lines_are_read_together_and_lists_and_headings_start_their_own() -> None:
    lines = [*textwrap.wrap(PARAS[0], 50), "* a list item that is not a continuation",
             "", *textwrap.wrap(PARAS[1], 50), "# A heading", *textwrap.wrap(PARAS[2], 50)]
    view = unwrap_view(lines)
    assert view is not None
    n0 = len(textwrap.wrap(PARAS[0], 50))
    assert view.groups[0] == list(range(n0))
    assert view.texts[0] == PARAS[0]
    assert [lines.index("* a list item that is not a continuation")] in view.groups
    assert [lines.index("# A heading")] in view.groups


def test_a_trimmed_paragraph_is_written_as_the_pieces_of_its_lines() -> None:
    lines = ["The first line of a paragraph that", "goes on over the next line of this",
             "and ends here."] * 2
    view = unwrap_view(lines, width=36)
    assert view is not None and view.groups[0] == [0, 1, 2]
    assert view.pieces(0, view.texts[0]) == [(0, lines[0]), (1, lines[1]), (2, lines[2])]
    assert view.pieces(0, "that goes on over the next line of this and") == [
        (0, "that"), (1, lines[1]), (2, "and")]
    # a line read as itself gives its piece as it is (a date stamp trimmed off it)
    view = unwrap_view([*lines[:3], "", "Posted on March 3, 2021 A short note.", "",
                        *lines[:3]], width=36)
    assert view is not None and view.groups[2] == [4]
    assert view.pieces(2, "A short note.") == [(4, "A short note.")]


def test_a_wrapped_page_keeps_whole_paragraphs_as_written_and_drops_the_clutter() -> None:
    page = wrapped_page(60)
    ex = scrubber.clean_and_explain(page)
    out = ex.text
    kept = out.splitlines()
    inputs = page.splitlines()
    assert all(line in inputs for line in kept)  # (every output line is an input line)
    for p in PARAS:  # every line of each paragraph, written as it was
        for line in textwrap.wrap(p, 60):
            assert line in kept
    for clutter in ("Home | News | Sport | Weather", "Share this article", "Facebook",
                    "Related stories"):
        assert clutter not in kept
    # each line of a paragraph says it was read with the others, with one score
    first = [d for d in ex.decisions if d.text in textwrap.wrap(PARAS[2], 60)]
    assert len(first) == len(textwrap.wrap(PARAS[2], 60)) and len({d.score for d in first}) == 1
    assert all("read as one paragraph with lines" in d.reason for d in first)
    assert all(d.action is Action.KEEP for d in first)
    assert scrubber.clean(out) == out


def test_without_unwrap_a_paragraphs_last_short_line_is_read_alone() -> None:
    """What unwrapping is for: "strongest in the state." read by itself is a fragment."""
    page = wrapped_page(60)
    last = textwrap.wrap(PARAS[2], 60)[-1]
    assert last in scrubber.clean(page).splitlines()
    assert last not in scrubber.clean(page, unwrap=False).splitlines()
    assert scrubber.clean(page, unwrap=False) == scrubber.clean(page, config=Config(unwrap=False))


def test_text_that_is_not_wrapped_reads_the_same_either_way() -> None:
    page = "\n".join(["Home", "News", "", "Council approves budget", "", *PARAS,
                      "Share this article"]) + "\n"
    assert scrubber.clean(page) == scrubber.clean(page, unwrap=False)


def test_unwrap_must_be_a_flag() -> None:
    with pytest.raises((TypeError, ValueError), match="unwrap"):
        Config(unwrap="no")  # type: ignore[arg-type]


def test_the_cli_reads_each_line_alone_with_no_unwrap() -> None:
    page = wrapped_page(60).encode()
    run = [sys.executable, "-m", "scrubber"]
    on = subprocess.run(run, input=page, capture_output=True, check=True).stdout.decode()
    off = subprocess.run([*run, "--no-unwrap"], input=page, capture_output=True,
                         check=True).stdout.decode()
    assert on == scrubber.clean(page.decode()) and off == scrubber.clean(page.decode(),
                                                                         unwrap=False)
    assert on != off


def test_html2texts_wrapped_markdown_is_read_a_paragraph_at_a_time() -> None:
    """html2text wraps paragraphs at 78 columns but leaves list items whole and never
    breaks a link's ``text](url)``: neither says the text is not wrapped."""
    link = "[forecasts](https://example.com/news/2024/03/council-budget-forecasts-explained)"
    paras = [f"{PARAS[0]} {PARAS[2]}", PARAS[1].replace("forecasts", f"revenue {link}"),
             f"{PARAS[2]} {PARAS[0]}"]
    body: list[str] = []
    for p in paras:
        body += [*textwrap.wrap(p, 78, break_long_words=False, break_on_hyphens=False), ""]
    items = ["  * " + "A list item html2text leaves on one line however long it is, " * 2]
    texts = ["# Council approves budget", "", *body, *items]
    assert wrap_width(texts) is not None
    view = unwrap_view(texts)
    assert view is not None
    assert paras[0] in view.texts and paras[2] in view.texts
    assert [texts.index(items[0])] in view.groups


def test_a_stamp_trimmed_off_a_line_of_wrapped_text_stays_trimmed() -> None:
    page = wrapped_page(60).replace("Council approves budget",
                                    "date 2024-03-23 Council approves budget on Tuesday")
    assert unwrap_view(split_lines(page)[0]) is not None
    out = scrubber.clean(page).splitlines()
    assert "Council approves budget on Tuesday" in out
    assert not any(line.startswith("date 2024") for line in out)


# -- a paragraph's fragments (BeautifulSoup's get_text("\n", strip=True)) -------------------

FRAGMENTED_HTML = (
    "<html><body><nav><a>Home</a><a>News</a><a>Sport</a><a>Weather</a></nav>"
    "<h1>Council approves budget</h1>"
    "<p>The city council approved a <a href='/b'>new budget</a> on Tuesday, raising "
    "spending on <b>schools and roads</b> by ten percent after a long debate.</p>"
    "<p>Critics said the plan relies on <a href='/f'>optimistic forecasts</a>, and asked "
    "for a review in <em>six months</em>.</p>"
    "<p>The mayor, <a href='/m'>Jane Doe</a>, said the budget keeps taxes flat for the "
    "<a href='/t'>third year</a> in a row, and that the reserves remain strong.</p>"
    "<p>The <a href='/s'>school board</a> welcomed the vote. Its chair, <b>Sam Lee</b>, "
    "said new classrooms would open in <a href='/y'>two years</a>, and that hiring "
    "would start this spring.</p>"
    "<p>Road repairs begin in <em>March</em>, the city said, starting with the "
    "<a href='/r'>north bridge</a>, which has been closed since the floods.</p>"
    "<footer><a>About Us</a><a>Privacy Policy</a><a>Terms of Use</a></footer></body></html>"
)


def fragmented_page() -> str:
    bs4 = pytest.importorskip("bs4")
    return bs4.BeautifulSoup(FRAGMENTED_HTML, "html.parser").get_text("\n", strip=True)


def test_a_paragraphs_fragments_are_read_together_and_written_as_they_were() -> None:
    page = fragmented_page()
    texts, _ = split_lines(page)
    view = fragment_view(texts)
    assert view is not None and view.width == 0
    # the first paragraph, its links and bold words included, is one group
    first = texts.index("The city council approved a")
    assert [first + k for k in range(5)] in view.groups
    assert view.texts[view.groups.index([first + k for k in range(5)])].endswith(
        "schools and roads by ten percent after a long debate.")
    out = scrubber.clean(page)
    for fragment in ("new budget", "schools and roads", ", and asked for a review in",
                     "Jane Doe", "third year", "school board"):
        assert fragment in out.splitlines(), fragment
    # a paragraph is kept or dropped whole (read one fragment at a time, "Critics said
    # the plan relies on" and "six months" went and the fragments between them stayed)
    kept = set(out.splitlines())
    for group in view.groups:
        assert len({texts[i] in kept for i in group}) == 1, [texts[i] for i in group]
    assert "Privacy Policy" not in out
    assert set(out.splitlines()) <= set(texts)  # (the lines as written)
    assert scrubber.clean(out) == out
    ex = scrubber.clean_and_explain(page)
    assert any("a paragraph's fragments" in d.reason for d in ex.decisions)


def test_text_without_fragments_is_not_read_as_fragmented() -> None:
    # one paragraph a line, and lowercase menus: no line opens with a closing mark
    texts = ["home", "news", *PARAS, "Share this article", "privacy policy"]
    assert fragment_view(texts) is None
    # two such lines are not enough
    assert fragment_view([*PARAS, ", she said.", "Home", ". And so on", *PARAS]) is None
