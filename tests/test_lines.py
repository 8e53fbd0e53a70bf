from scrubber.lines import default_ending, join_lines, split_lines


def test_split_keeps_each_lines_own_ending():
    assert split_lines("a\r\nb\rc\nd") == (["a", "b", "c", "d"], ["\r\n", "\r", "\n", ""])


def test_split_does_not_break_on_unicode_separators_or_form_feeds():
    texts, _ = split_lines("a\u2028b\x0cc\u2029d\x85e")
    assert texts == ["a\u2028b\x0cc\u2029d\x85e"]


def test_empty_text_has_no_lines():
    assert split_lines("") == ([], [])


def test_trailing_newline_does_not_make_an_extra_line():
    assert split_lines("a\n") == (["a"], ["\n"])


def test_join_collapses_blank_runs_and_trims_edges():
    texts, endings = split_lines("\n\nA\n\n\n\nB\n\n")
    assert join_lines(texts, endings, texts) == "A\n\nB\n"


def test_join_writes_no_blank_for_dropped_line_between_kept_lines():
    texts, endings = split_lines("A\nX\nB\n")
    assert join_lines(texts, endings, ["A", None, "B"]) == "A\nB\n"


def test_join_keeps_blank_when_dropped_lines_sit_between_blanks():
    texts, endings = split_lines("A\n\nX\n\nB")
    assert join_lines(texts, endings, ["A", "", None, "", "B"]) == "A\n\nB\n"


def test_unterminated_last_line_gets_the_documents_ending():
    texts, endings = split_lines("A\r\nB\r\nC")
    assert join_lines(texts, endings, texts) == "A\r\nB\r\nC\r\n"
    assert default_ending([]) == "\n"


def test_join_reports_blank_lines_written():
    texts, endings = split_lines("A\n\n\nB\n")
    written: list[int] = []
    join_lines(texts, endings, texts, written)
    assert written == [1]


def test_a_kept_blank_line_after_a_lone_cr_stays_a_line_of_its_own():
    # "A\r" + "\n" read back as one CRLF break: the blank line kept between A and B was
    # gone, and a heading's setext underline below it then read with A (review)
    texts, endings = split_lines("A\rX\n\nB\n")
    out = join_lines(texts, endings, ["A", None, "", "B"])
    assert out == "A\r\rB\n"
    assert split_lines(out)[0] == ["A", "", "B"]
    # nothing changes where the blank line's ending cannot join the CR, or it is no CR
    for text, want in (("A\rX\r\n\r\nB\n", "A\r\r\nB\n"), ("A\r\nX\n\nB\n", "A\r\n\nB\n"),
                       ("A\rX\n \nB\n", "A\r \nB\n")):
        texts, endings = split_lines(text)
        outputs = [t if t != "X" else None for t in texts]
        assert join_lines(texts, endings, outputs) == want


def test_mixed_line_endings_clean_to_a_fixed_point() -> None:
    import scrubber

    p1 = ("The city council approved the budget on Tuesday after a long debate about "
          "schools and roads, the clerk said.")
    p2 = ("The mayor said the plan would fund new schools and repair roads across the "
          "district, which many residents welcomed.")
    for text in (f"{p1}\rShare this:\n\n{p2}\n",
                 f"{p1}\rShare this:\n\nThe Headline Of The Story\n=====\n{p2}\n"):
        out = scrubber.clean(text)
        assert "" in split_lines(out)[0]  # (the blank line kept between the paragraphs)
        assert scrubber.clean(out) == out
