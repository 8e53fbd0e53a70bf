"""The context step: short lines judged by what follows them."""

from typing import ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from scrubber.context import Why, _short_flags, is_short, is_title_like, revise, word_count

BODY = "A long paragraph of real body text that reads like prose, with commas, and ends."


def run(lines, bad=None, scores=None, threshold=0.5, headline=-1):
    n = len(lines)
    return revise(lines, bad or [False] * n, [False] * n, scores, threshold, headline)


def test_heading_between_body_paragraphs_stays():
    keep, _ = run([BODY, "A Section Heading", BODY])
    assert keep == [True, True, True]


def test_short_line_with_no_body_after_it_goes():
    keep, why = run([BODY, "Military Proposals", "Popular Categories"],
                    bad=[False, False, True])
    assert keep == [True, False, False] and why[1] is Why.NO_BODY


def test_model_doubted_heading_is_rescued_when_body_follows_closely():
    keep, why = run([BODY, "Still Imminent", BODY], scores=[0.9, 0.3, 0.9])
    assert keep == [True, True, True] and why[1] is Why.HEADING


def test_menu_far_above_body_is_not_rescued_as_headings():
    menu = ["Home", "News", "Sport", "Weather", "Video"]
    keep, _ = run([*menu, BODY], scores=[0.3] * 5 + [0.9])
    assert keep[:2] == [False, False]


def test_short_line_the_model_rejects_strongly_is_not_rescued():
    keep, _ = run([BODY, "Menu", BODY], scores=[0.9, 0.05, 0.9])
    assert keep == [True, False, True]


def test_page_is_never_emptied_by_the_model_alone():
    keep, why = run([BODY, BODY + " More.", "Share"], scores=[0.3, 0.35, 0.1])
    assert keep[:2] == [True, True] and why[1] is Why.RESCUED


def test_known_headline_is_judged_like_a_heading():
    long_title = "A Very Long Headline That Runs On For Many Words Without Any Full Stop At All"
    keep, _ = run(["Nav", long_title, BODY], scores=[0.1, 0.2, 0.9], headline=1)
    assert keep[1]


def test_title_like_and_short_definitions():
    assert is_title_like("NATO’s Deployment of Foreign Troops in Ukraine Sparks Concerns")
    assert not is_title_like("This is a sentence.")
    assert is_short("“Still Imminent”")
    assert not is_short(BODY)


def test_cjk_words_are_counted_without_spaces():
    assert word_count("这是一个没有空格的很长的中文句子用来测试") >= 8


def test_headline_confirmed_by_its_copy_stays_even_when_the_model_doubts_it():
    title = "NATO’s Plan Sparks Concerns Over Regional Stability And Community Risks Today"
    copy = "NATO's plan sparks concerns over regional stability and community risks today"
    text = f"{title}\n\n{copy}\n\n{BODY}\n"
    out = __import__("scrubber").clean(text)
    assert out.splitlines()[0] == title and out.lower().count("regional stability") == 1


_PIECES = st.sampled_from(["word", "a", "x.", "end.", "”", ")", "]", "'", '"', "»", "’", "!",
                           "?", "…", "。", "这是中文", "ไทย", " ", "  ", "\t", "\u3000", "\n",
                           "—", "12", "."])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=30).map("".join), max_size=20))
def test_short_flags_are_is_short_of_each_stripped_line(lines: list[str]) -> None:
    stripped = [t.strip() for t in lines]
    assert _short_flags(stripped) == [bool(s) and is_short(s) for s in stripped]


_ARTICLE = "\n".join(
    f"Paragraph {i} of the article tells its story at some length, with commas, as "
    "articles do, and ends with a full stop." for i in range(4))
_THREAD = ("12 Comments\n"
           "Jane says: I really liked this post, it made me think about the topic in a new "
           "way, thanks for writing it.\n"
           "Bob says: Totally agree with the points made here, although I think the second "
           "one is debatable, somewhat.\n"
           "Leave a Reply\n")


def test_comments_false_drops_a_text_page_thread_below_its_opener_and_says_why():
    import scrubber
    from scrubber import Stage

    text = f"A Long Story\n\n{_ARTICLE}\n\n{_THREAD}"
    assert "Jane says" in scrubber.clean(text)  # by default the model keeps prose replies
    out = scrubber.clean(text, comments=False)
    assert "Paragraph 0" in out and "Paragraph 3" in out
    assert "Jane" not in out and "Bob" not in out
    assert scrubber.clean(out, comments=False) == out  # still a fixed point
    ex = scrubber.clean_and_explain(text, comments=False)
    assert ex.text == out
    replies = [d for d in ex.decisions if d.text.startswith(("Jane says", "Bob says"))]
    assert len(replies) == 2 and not any(d.kept for d in replies)
    # the replies the model kept went with the thread (a reply it dropped itself says so)
    by_thread = [d for d in replies if d.stage is Stage.CONTEXT]
    assert by_thread and by_thread[0].text.startswith("Jane says")
    for d in by_thread:
        assert d.score is not None
        assert "'12 Comments' (comments.count)" in d.reason and "comments=False" in d.reason


def test_a_comment_count_above_the_body_opens_nothing():
    import scrubber

    # a byline's count comes before the article: too little kept text above it
    text = f"A Long Story\n37 comments\n\n{_ARTICLE}\n"
    assert scrubber.clean(text, comments=False) == scrubber.clean(text)
    assert "Paragraph 3" in scrubber.clean(text, comments=False)


def test_comment_section_is_the_first_opener_below_enough_kept_words():
    from scrubber.context import comment_section

    texts = ["7 comments", "word " * 30, "Reply", "word " * 30, "Reply", "tail"]
    opener = [True, False, True, False, True, False]
    keep = [False, True, False, True, False, True]
    assert comment_section(texts, opener, keep) == 4  # 60 words above only at line 4
    assert comment_section(texts, opener, keep, body_words=30) == 2
    assert comment_section(texts, [False] * 6, keep) == -1


def test_no_comments_flag_reaches_text_input_on_the_cli(tmp_path):
    import subprocess
    import sys

    page = tmp_path / "page.txt"
    page.write_text(f"A Long Story\n\n{_ARTICLE}\n\n{_THREAD}", encoding="utf-8")
    run = [sys.executable, "-m", "scrubber", str(page)]
    assert "Jane says" in subprocess.run(run, capture_output=True, text=True, check=True).stdout
    out = subprocess.run([*run[:3], "--no-comments", str(page)], capture_output=True,
                         text=True, check=True).stdout
    assert "Paragraph 3" in out and "Jane says" not in out


def _title_menus_copy_body() -> str:
    menus = ["Home", "World", "Politics", "Business", "Tech", "Science", "Health", "Sport",
             "Travel"]
    body = ["The council voted on Tuesday to rebuild the old bridge, a project that has "
            "been argued over for more than ten years.",
            "Work starts in the spring and should take two years, the mayor said, adding "
            "that the ferry would run in the meantime."]
    return "\n".join(["Council Votes To Rebuild The Old Bridge", *menus,
                      "Council Votes To Rebuild The Old Bridge", *body]) + "\n"


def test_headline_copy_above_the_body_stays_when_the_page_title_goes():
    import scrubber

    text = _title_menus_copy_body()
    out = scrubber.clean(text, use_model=False)  # (no model: the menu lines stay)
    assert not out.startswith("Council")  # the page title, menus and no body below it
    assert "\nCouncil Votes To Rebuild The Old Bridge\nThe council voted" in out
    explained = scrubber.clean_and_explain(text, use_model=False)
    first, copy = explained.decisions[0], explained.decisions[10]
    assert not first.kept and first.stage.value == "context"
    assert copy.kept and copy.stage.value == "context" and "copy of the headline" in copy.reason
    assert copy.rule_id == "headline.repeated"


def test_a_headline_copy_kept_trimmed_of_a_stamp_says_trim_and_names_the_trim_rule():
    # (it said KEEP under headline.repeated with an output other than its text, and
    # counts() had no trim for it)
    import scrubber

    body = ("The river rose three metres overnight, flooding dozens of homes in the low-lying "
            "districts of the town, officials said on Tuesday.")
    head = "Published: 23.03.2024 Storm"
    text = "\n".join([head, "Home", "News", "Sports", head, body,
                      body.replace("river", "lake")]) + "\n"
    explained = scrubber.clean_and_explain(text)
    copy = explained.decisions[4]
    assert copy.output == "Storm" and "\nStorm\n" in f"\n{explained.text}"
    assert copy.action.value == "trim" and copy.rule_id == "metadata.stamp"
    assert "copy of the headline" in copy.reason
    assert explained.counts()["trim:rule:metadata.stamp"] == 1
    assert explained.text == scrubber.clean(text)


def test_headline_copy_is_not_kept_when_the_first_copy_stays():
    import scrubber

    text = "\n".join(["Council Votes To Rebuild The Old Bridge", "By Ann Lee",
                      "Council Votes To Rebuild The Old Bridge",
                      _title_menus_copy_body().splitlines()[-1]]) + "\n"
    explained = scrubber.clean_and_explain(text, use_model=False)
    assert explained.decisions[0].kept
    assert not explained.decisions[2].kept


def test_headline_copy_stands_above_the_body_past_one_byline_not_two():
    from scrubber.context import COPY_CROSS, headline_copy

    assert COPY_CROSS == 1
    body = "The council voted on Tuesday to rebuild the old bridge, argued over for years."
    title = "Council Votes To Rebuild The Old Bridge"
    byline, date = "By Ann Lee | Staff writer", "Published 3 March 2024, 10:42"
    for between, want in (([byline], 2), ([byline, date], -1)):
        texts = [title, "Home", title, *between, body]
        n = len(texts)
        rule_bad = [False, False, True, *[True] * len(between), False]
        keep = [False] * (n - 1) + [True]
        transparent = [False, False, True] + [False] * (n - 3)
        assert headline_copy(texts, [2], keep, rule_bad, transparent) == want, between


def test_three_short_lines_in_a_row_the_model_passed_stay_as_a_list():
    items = ["Senior Engineer", "Remote", "$50,000 - $74,999"]
    keep, why = run([BODY, *items, "", "Apply now"], scores=[0.9, 0.6, 0.5, 0.55, 0.0, 0.6])
    assert keep == [True, True, True, True, False, True]
    assert all(w is Why.LIST for w in why[1:4]) and why[5] is Why.LIST


def test_two_short_lines_with_no_body_after_them_still_go():
    keep, why = run([BODY, "Tags", "Share"], scores=[0.9, 0.6, 0.6])
    assert keep == [True, False, False] and why[1] is why[2] is Why.NO_BODY


def test_a_line_the_model_dropped_splits_a_list():
    keep, _ = run([BODY, "One", "Two", "Sign in to read more", "Three", "Four"],
                  scores=[0.9, 0.6, 0.6, 0.1, 0.6, 0.6])
    assert keep == [True, False, False, False, False, False]


def test_without_a_model_a_tail_of_short_lines_still_goes():
    keep, why = run([BODY, "Home", "News", "Sport", "Contact"])
    assert keep == [True, False, False, False, False] and why[1] is Why.NO_BODY


def test_a_kept_list_says_why_in_the_explanation():
    from scrubber.config import Config
    from scrubber.decisions import Stage
    from scrubber.pipeline import run_lines

    class Stub:
        card: ClassVar[dict] = {"kind": "text", "threshold": 0.5, "context": True}

        def score(self, pieces, hits, rs, extra=None):
            return [0.9 if len(p) > 40 else 0.6 for p in pieces]

    texts = [BODY, "Senior Engineer", "Remote", "Full-Time"]
    out, ex = run_lines(texts, ["\n"] * 4, Config(), explain=True, model=Stub())
    assert out.splitlines() == texts
    assert ex.decisions[2].stage is Stage.CONTEXT and "a list, kept" in ex.decisions[2].reason


def test_a_paragraph_printed_twice_is_not_judged_as_its_own_headline():
    # the page is one paragraph twice: headline.repeated drops the copy and names the
    # first as the headline; a 10-word line ending in a full stop is still judged as
    # the paragraph it is, so the page is not emptied
    para = ("The council approved the new budget on Tuesday after a long debate about "
            "school funding and road repairs in the city.")
    keep, why = run([para, para], bad=[False, True], scores=[0.7, 0.6], headline=0)
    assert keep == [True, False] and why[0] is Why.NONE
    # a title-like headline with nothing after it still goes
    keep, why = run(["Council Approves Budget", "Council Approves Budget"], bad=[False, True],
                    scores=[0.7, 0.6], headline=0)
    assert keep == [False, False] and why[0] is Why.NO_BODY


def test_a_page_that_is_one_paragraph_printed_twice_keeps_it():
    import scrubber

    para = ("The council approved the new budget on Tuesday after a long debate about "
            "school funding and road repairs in the city.")
    assert scrubber.clean(f"{para}\n{para}\n") == para + "\n"


def test_a_headline_copy_trimmed_to_nothing_is_not_kept_in_its_place():
    # (a byline stamp repeated as the "headline" was kept trimmed to nothing: the
    # explanation said TRIM and nothing was written)
    import scrubber

    b1 = ("Any deployment of troops could provoke a strong reaction from Russia and increase "
          "the burden on the UK defence budget.")
    b2 = ("Sources familiar with the discussions underline that any proposed airspace "
          "measures would be highly complex.")
    stamp = "By John Smith | March 3, 2024"
    text = f"{stamp}\n{b1}\n{stamp}\n{b2}\n"
    explained = scrubber.clean_and_explain(text)
    assert explained.decisions[2].action.value == "drop"
    assert explained.text == scrubber.clean(text) == f"{b1}\n{b2}\n"
