"""Step 5 of the pipeline: the context revision.

The rules and the classifier label each line on its own. Short lines (headings, captions,
menu items, "Related" titles) carry too little text to judge alone, so, like jusText, they
are revised from their neighbours:

* a short line followed closely by body text (within three lines, no clutter line in
  between) is a heading and stays, even when the model doubted it (``context:heading``);
* a short line after which no body follows (the tail of the page, a card or link list
  running into clutter) goes, even when nothing named it (``context:no-body-follows``),
  unless it is one of ``LIST_RUN`` or more such lines in a row that the model passed: a
  list the model accepts item by item is the content of a listing page (``context:list``);
* lines a document check dropped as copies (the repeated headline) are transparent;
* a page is never emptied by the model alone: if no long line passes the threshold,
  the long lines scoring near the page's best are kept (``context:rescued``);
* the first line of the document, when it reads like a title (at most 30 words, no
  sentence-final punctuation), is judged like a short line: a headline with body after
  it stays;
* with ``Config.comments=False`` on text input, everything after the line that opens the
  reader comments goes (``context:comments``, see :func:`comment_section`);
* the repeated headline: a document check drops the later copies of a page's first line,
  which is then judged as the headline; when it is not kept (a page title above the menus,
  with no body below it), the last copy with body right below it stays instead
  (``context:headline-copy``, see :func:`headline_copy`).

Long lines keep the classifier's (or, without a model, the default) label.

    >>> revise(["Title", "A body paragraph that goes on long enough to count.", "Tags"],
    ...        rule_bad=[False, False, True], transparent=[False]*3, scores=None,
    ...        threshold=0.5)[0]
    [True, True, False]
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

import regex

_SENTENCE_END = regex.compile(r"[.!?…。！？]['\"”’»)\]]*$")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}]")

WINDOW = 8  # non-blank lines looked at below a short line
HIGH = 0.8  # a short line the model is this sure of survives a clutter tail
LOW = 0.2  # a short line the model is this sure against is not rescued as a heading
HEADING_REACH = 3  # a rescued heading sits at most this many non-blank lines above body
# clutter lines (a byline, a date) between a headline's copy and the body below it: with
# none allowed, the copy went with its page title on pages that put a byline between the
# headline and the article (held-out and evaluation-only text: headline.repeated lost
# 1,020 body words; with one, 874)
COPY_CROSS = 1
RESCUE = 0.8  # share of the page's best score a long line needs when nothing passed
COMMENT_BODY = 60  # words of kept lines above a comment-section opener (comments=False)
# short lines the model passed with no body after them, in a row (blank lines between
# allowed), from which they are a list and stay: on listings and teaser grids such runs
# are the content. Chosen on training sites' text (2026-12-06, runs of 3, 4, 6, 8, 12, 20:
# mean word F1 +0.0040, +0.0028, +0.0019, +0.0015, +0.0012, +0.0008 over the nine set x
# renderer cells); held-out figures in the README ("How it decides")
LIST_RUN = 3


class Why(IntEnum):
    """Why the context step changed (or confirmed) a short line."""

    NONE = 0
    HEADING = 1  # body follows: keep
    NO_BODY = 2  # no body follows: drop
    RESCUED = 3  # the model would have emptied the page: its best long lines stay
    COMMENTS = 4  # below the opener of the reader comments (comments=False): drop
    HEADLINE_COPY = 5  # a copy of a headline that was not kept, with body below: keep
    LIST = 6  # no body follows, but one of LIST_RUN or more such lines in a row: keep


def word_count(s: str) -> int:
    """Words, counting CJK/Thai characters two to a word (they have no spaces)."""
    n = len(s.split())
    if n <= 2 and len(s) > 12:
        cjk = len(_CJK.findall(s))
        if cjk:
            n = max(n, cjk // 2)
    return n


def is_short(s: str) -> bool:
    """Too short to judge alone: under 10 words, or under 5 words even as a sentence."""
    w = word_count(s)
    if w >= 10:
        return False
    return w < 5 or not _SENTENCE_END.search(s)


_CLOSERS = "'\"”’»)]"
_ENDS = frozenset(".!?…。！？")


def _short_flags(stripped: Sequence[str]) -> list[bool]:
    """``[bool(s) and is_short(s) for s in stripped]`` for stripped lines, in one loop:
    a stripped line ends like a sentence (``_SENTENCE_END``) exactly when the character
    before its trailing closing quotes and brackets is a sentence end (the two sets are
    disjoint)."""
    out: list[bool] = []
    append = out.append
    for s in stripped:
        if not s:
            append(False)
            continue
        w = len(s.split(None, 10))  # the word count, or 11 when it is more than 10
        if w <= 2 and len(s) > 12:
            w = word_count(s)
        if w >= 10:
            append(False)
        elif w < 5:
            append(True)
        else:
            t = s.rstrip(_CLOSERS)
            append(not t or t[-1] not in _ENDS)
    return out


def _is_statement(s: str) -> bool:
    """A line of 10 words or more ending in a full stop: a paragraph, not a headline,
    even when a document check took it for one because the page repeats it (a lede or a
    description printed twice). Judged as a long line, so a page that is one paragraph
    printed twice keeps it (as a headline it went: nothing follows its dropped copy)."""
    return word_count(s) >= 10 and s.rstrip(_CLOSERS).endswith((".", "。", "…"))


def is_title_like(s: str) -> bool:
    """Reads like a headline: at most 30 words and no sentence-final punctuation."""
    return word_count(s) <= 30 and not _SENTENCE_END.search(s)


def revise(
    texts: Sequence[str],
    rule_bad: Sequence[bool],
    transparent: Sequence[bool],
    scores: Sequence[float] | None,
    threshold: float,
    headline: int = -1,
) -> tuple[list[bool], list[Why]]:
    """Final keep flags for non-blank lines (blank lines come back ``False``) and, per
    line, what the context step did. ``texts`` are the kept pieces (trimmed);
    ``headline`` the index of a line known to be the headline (the HTML title or h1, or
    a line whose copies a document check found): it is judged like a heading and kept
    when body follows, however low the model scored it."""
    n = len(texts)
    stripped = [t.strip() for t in texts]
    short = _short_flags(stripped)
    first = next((i for i in range(n) if stripped[i] and not rule_bad[i]), -1)
    if first >= 0 and is_title_like(stripped[first]):
        short[first] = True
    if (0 <= headline < n and stripped[headline] and not rule_bad[headline]
            and not _is_statement(stripped[headline])):
        short[headline] = True
    # The label before context: rule drops are final; the model decides the rest;
    # without a model every undecided line is body.
    good = [
        bool(stripped[i]) and not rule_bad[i]
        and (scores is None or scores[i] >= threshold)
        for i in range(n)
    ]
    why = [Why.NONE] * n
    if scores is not None:
        _rescue_empty(stripped, short, rule_bad, scores, good, why)
    keep = list(good)
    for i in range(n):
        if not short[i] or rule_bad[i] or not stripped[i]:
            continue
        p = None if scores is None else scores[i]
        if keep[i]:
            if not _below(i, stripped, short, good, rule_bad, transparent, WINDOW, 1) and (
                p is None or p < HIGH
            ):
                keep[i], why[i] = False, Why.NO_BODY
        elif (p is None or p >= LOW or i == headline) and _below(
            i, stripped, short, good, rule_bad, transparent, HEADING_REACH, 0
        ):
            keep[i], why[i] = True, Why.HEADING
    if scores is not None:  # (without a model nothing passed them)
        _keep_lists(stripped, keep, why)
    return keep, why


def _keep_lists(stripped: Sequence[str], keep: list[bool], why: list[Why]) -> None:
    """Put back the lines the "no body follows" revision dropped where ``LIST_RUN`` or
    more of them stand in a row (kept lines and blank lines between them allowed): the
    model passed each item of a list, which on a listing page is the content."""
    n = len(stripped)
    i = 0
    while i < n:
        if why[i] is not Why.NO_BODY:
            i += 1
            continue
        run: list[int] = []
        j = i
        while j < n and (not stripped[j] or keep[j] or why[j] is Why.NO_BODY):
            if why[j] is Why.NO_BODY:
                run.append(j)
            j += 1
        if len(run) >= LIST_RUN:
            for k in run:
                keep[k], why[k] = True, Why.LIST
        i = j


def _rescue_empty(
    stripped: Sequence[str],
    short: Sequence[bool],
    rule_bad: Sequence[bool],
    scores: Sequence[float],
    good: list[bool],
    why: list[Why],
) -> None:
    """A page is never emptied by the model alone: when no long line reaches the
    threshold, the long lines scoring within ``RESCUE`` of the best one are kept (the
    model's scale is off on this page, its ranking usually is not)."""
    longs = [i for i, s in enumerate(stripped) if s and not short[i] and not rule_bad[i]]
    if not longs or any(good[i] for i in longs):
        return
    best = max(scores[i] for i in longs)
    for i in longs:
        if scores[i] >= best * RESCUE:
            good[i] = True
            why[i] = Why.RESCUED


def _below(
    i: int,
    stripped: Sequence[str],
    short: Sequence[bool],
    good: Sequence[bool],
    rule_bad: Sequence[bool],
    transparent: Sequence[bool],
    reach: int,
    max_bad: int,
) -> bool:
    """Is there body text below line ``i``: a long good line within ``reach`` non-blank
    lines, crossing at most ``max_bad`` clutter lines (short lines are crossed freely)?"""
    seen = bad = 0
    for j in range(i + 1, len(stripped)):
        if not stripped[j] or transparent[j]:
            continue
        seen += 1
        if seen > reach:
            return False
        if short[j] and not rule_bad[j]:
            continue
        if good[j]:
            return True
        bad += 1
        if bad > max_bad:
            return False
    return False


def headline_copy(texts: Sequence[str], copies: Sequence[int], keep: Sequence[bool],
                  rule_bad: Sequence[bool], transparent: Sequence[bool]) -> int:
    """The copy of a headline to keep when the headline itself was not kept: of
    ``copies`` (the later copies a document check dropped), the last one with body text
    right below it (a kept long line within ``HEADING_REACH`` non-blank lines, with at
    most ``COPY_CROSS`` clutter lines between, such as a byline), else -1. A text page
    often opens with its title above the site's menus and repeats it above the article;
    the copy above the article is the headline.

    >>> headline_copy(["My Story", "Home", "News", "My Story", "Body " * 12],
    ...               copies=[3], keep=[False, False, False, False, True],
    ...               rule_bad=[False, False, False, True, False],
    ...               transparent=[False, False, False, True, False])
    3
    """
    stripped = [t.strip() for t in texts]
    short = _short_flags(stripped)
    for i in reversed(copies):
        # (a copy a stamp rule trimmed to nothing was kept, and nothing was written)
        if stripped[i] and _below(i, stripped, short, keep, rule_bad, transparent,
                                  HEADING_REACH, COPY_CROSS):
            return i
    return -1


def comment_section(texts: Sequence[str], opener: Sequence[bool], keep: Sequence[bool],
                    body_words: int = COMMENT_BODY) -> int:
    """The line that opens the reader comments of a text page, or -1: the first line
    ``opener`` flags (a rule of the ``comments`` family dropped it: a comment count, the
    comment form's heading or fields, a reply or moderation control, a "comments are
    closed" notice) with at least ``body_words`` words of kept lines above it. Comment
    threads follow the article in a page's text; a count in the byline ("12 comments")
    comes before the body and opens nothing.

    >>> comment_section(["12 comments", "Body " * 70, "3 Comments", "Nice post!"],
    ...                 opener=[True, False, True, False], keep=[False, True, False, True])
    2
    """
    words = 0
    for i, t in enumerate(texts):
        if opener[i] and words >= body_words:
            return i
        if keep[i]:
            words += word_count(t)
    return -1


def drop_comments(texts: Sequence[str], opener: Sequence[bool], keep: list[bool],
                  why: list[Why]) -> int:
    """Drop every kept line below the line :func:`comment_section` finds (``why`` says
    :attr:`Why.COMMENTS`); return that line, or -1 when the page has none."""
    start = comment_section(texts, opener, keep)
    if start >= 0:
        for i in range(start + 1, len(texts)):
            if keep[i]:
                keep[i], why[i] = False, Why.COMMENTS
    return start
