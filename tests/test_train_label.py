"""Line labelling by alignment to a gold text (scrubber.train.label), on hand-written pages."""

from __future__ import annotations

import time

import pytest

from scrubber.train.label import (
    GoldIndex,
    index_gold,
    label_lines,
    label_text,
    split_lines,
    tokenize,
)

P1 = (
    "Owls have large eyes that gather what little light the night sky offers, "
    "and their hearing is sharp enough to find a mouse under snow."
)
P2 = (
    "Soft fringes on the edge of each flight feather break up the air, "
    "so the bird makes almost no sound when it glides down."
)
GOLD = f"""Why Owls Hunt at Night
{P1}
How they stay silent
{P2}
A tawny owl may return home to the same hollow tree for many years."""

PAGE = f"""Home | About | Contact
Subscribe

Why Owls Hunt at Night
{P1}

How they stay silent
{P2}
A tawny owl may return home to the same hollow tree for many years.
Share this article
Related: Ten facts about garden birds you never knew
Home"""


def _labels(text: str, gold: str = GOLD) -> dict[str, int]:
    lines, result = label_text(text, gold)
    return {line: lab for line, lab in zip(lines, result.labels, strict=True)}


def test_tokenize_lowercases_words_and_splits_cjk_characters() -> None:
    assert tokenize("Hello, World_2! it's") == ["hello", "world_2", "it", "s"]
    assert tokenize("東京タワーに行く") == ["東", "京", "タ", "ワ", "ー", "に", "行", "く"]
    assert tokenize("ﬁne Ｆｕｌｌ") == ["fine", "full"]  # NFKC
    assert tokenize("") == []


def test_split_lines() -> None:
    assert split_lines("a\r\nb\n\nc\n") == ["a", "b", "", "c"]


def test_body_headings_and_clutter() -> None:
    got = _labels(PAGE)
    assert got["Why Owls Hunt at Night"] == 1
    assert got["How they stay silent"] == 1  # short heading between body paragraphs
    assert got["A tawny owl may return home to the same hollow tree for many years."] == 1
    assert got["Home | About | Contact"] == 0  # nav, even though "home" is in the gold
    assert got["Subscribe"] == 0
    assert got["Share this article"] == 0
    assert got["Related: Ten facts about garden birds you never knew"] == 0
    assert got["Home"] == 0  # the word occurs in the gold, but not here


def test_blank_lines_are_ignored_and_symbol_lines_are_clutter() -> None:
    lines = ["", "   ", "* * *", "»", GOLD.splitlines()[1]]
    result = label_lines(lines, GOLD)
    assert result.labels == [-1, -1, 0, 0, 1]
    assert len(result.scores) == len(lines)
    assert all(0.0 <= s <= 1.0 for s in result.scores)


def test_long_line_score_is_shingle_share() -> None:
    gold = "one two three four five six"
    # shingles of the line: (one two three four), (two three four five), (three four five x)
    result = label_lines(["one two three four five x"], gold)
    assert result.scores[0] == pytest.approx(2 / 3)
    assert result.labels == [1]
    result = label_lines(["one two three four nine ten eleven"], gold)
    assert result.scores[0] == pytest.approx(1 / 4)
    assert result.labels == [0]


def test_short_line_needs_contiguous_gold_run() -> None:
    gold = "The meeting starts at noon.\nBring the blue folder and your notes for the review."
    lines = [
        "The meeting starts at noon.",
        "noon starts",  # both words are in the gold, but not in this order
        "Bring the blue folder and your notes for the review.",
    ]
    result = label_lines(lines, gold)
    assert result.labels == [1, 0, 1]
    assert result.scores[1] == 0.0


RAIN = "Heavy rain washed out the coastal road on Tuesday night, officials said."


def test_repeated_headline_only_first_copy_is_body() -> None:
    gold = f"Storm closes the coastal road\n{RAIN}"
    lines = [
        "Storm closes the coastal road",
        RAIN,
        "More stories",
        "Storm closes the coastal road",
    ]
    result = label_lines(lines, gold)
    assert result.labels == [1, 1, 0, 0]
    assert result.scores[3] == 1.0  # it does overlap: the label says it is a duplicate


def test_page_title_copy_loses_to_the_heading_next_to_the_body() -> None:
    gold = f"Storm closes the coastal road\n{RAIN}"
    lines = [
        "Storm closes the coastal road",  # <title>
        "News | Weather | Sport",
        "Local news",
        "Storm closes the coastal road",  # <h1>
        RAIN,
    ]
    assert label_lines(lines, gold).labels == [0, 0, 0, 1, 1]
    short_gold = (
        "Road closed\nHeavy rain washed out the coastal road on Tuesday night, officials said."
    )
    lines = ["Road closed", "News | Weather", "Road closed", lines[-1]]
    assert label_lines(lines, short_gold).labels == [0, 0, 1, 1]


def test_reordered_paragraphs_are_still_body() -> None:
    p1 = "The first paragraph talks about the harbour and its old stone walls."
    p2 = "The second paragraph describes the fish market that opens before dawn."
    result = label_lines([p2, p1], f"{p1}\n{p2}")
    assert result.labels == [1, 1]


def test_gold_repeating_a_line_keeps_both_copies() -> None:
    item = "Add two cups of flour to the bowl and stir"
    gold = f"Step one\n{item}\nStep two\n{item}"
    result = label_lines(["Step one", item, "Step two", item], gold)
    assert result.labels == [1, 1, 1, 1]


def test_cjk_lines_align_by_characters() -> None:
    gold = "今天的天气很好，我们去公园散步。\n公园里有很多人在跑步和打太极拳。"
    lines = [
        "首页 | 新闻 | 联系我们",
        "今天的天气很好，我们去公园散步。",
        "公园里有很多人在跑步和打太极拳。",
        "分享到微博",
    ]
    result = label_lines(lines, gold)
    assert result.labels == [0, 1, 1, 0]
    short = label_lines(["公园", "广告"], gold)  # 2 characters: contiguous-run rule
    assert short.labels == [1, 0]


def test_glued_gold_words_are_repaired() -> None:
    gold = (
        "The committee approved the new budget forthe coming year after a long debatein the hall."
    )
    line = (
        "The committee approved the new budget for the coming year after a long debate in the hall."
    )
    assert label_lines([line], gold).scores[0] == pytest.approx(1.0)
    assert label_lines([line], gold, repair=False).scores[0] < 1.0


def test_reworded_table_row_between_body_lines_is_body() -> None:
    gold = (
        "Prices for the winter season are listed below for each room type.\n"
        "Single room: 80 euros per night, breakfast included\n"
        "All rooms must be vacated by eleven in the morning on the last day."
    )
    lines = [
        "Prices for the winter season are listed below for each room type.",
        "| Single room | 80 euros | breakfast included |",
        "All rooms must be vacated by eleven in the morning on the last day.",
    ]
    assert label_lines(lines, gold).labels == [1, 1, 1]
    assert label_lines(lines, gold, bag_share=1.01).labels == [1, 0, 1]


def test_empty_gold_makes_everything_clutter() -> None:
    result = label_lines(["Some text on a line", "", "Home"], "")
    assert result.labels == [0, -1, 0]


def test_prebuilt_index_gives_same_labels() -> None:
    lines = split_lines(PAGE)
    idx = index_gold(GOLD)
    assert isinstance(idx, GoldIndex)
    assert label_lines(lines, idx).labels == label_lines(lines, GOLD).labels


def test_body_text_joins_body_lines() -> None:
    lines, result = label_text(PAGE, GOLD)
    kept = result.body_text(lines)
    assert kept.splitlines()[0] == "Why Owls Hunt at Night"
    assert "Subscribe" not in kept


def test_big_repetitive_page_is_fast() -> None:
    para = "the cat sat on the mat and the dog sat on the log near the cat"
    gold = "\n".join(f"{para} number {i}" for i in range(400))
    lines = [f"{para} number {i}" for i in range(400)] * 3 + ["Home", "the", "cat"] * 300
    start = time.perf_counter()
    result = label_lines(lines, gold)
    elapsed = time.perf_counter() - start
    assert sum(x == 1 for x in result.labels[:400]) == 400
    assert sum(result.labels[400:1200]) == 0  # the second and third copies are duplicates
    assert elapsed < 5.0
