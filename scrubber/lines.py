"""Step 1 of the pipeline: text -> lines, and kept lines -> text.

Lines are split on ``\\n``, ``\\r\\n`` and ``\\r`` only (not on U+2028, form feeds or
the other separators :meth:`str.splitlines` knows), and each line keeps its own
ending so that the output can reproduce the input byte for byte::

    >>> texts, endings = split_lines("a\\r\\nb\\rc")
    >>> texts, endings
    (['a', 'b', 'c'], ['\\r\\n', '\\r', ''])
    >>> join_lines(texts, endings, ["a", None, "c"])
    'a\\r\\nc\\r\\n'

Joining: kept lines in input order; a blank line between two kept lines stays (a run of
blank lines collapses to its first line); no blank line at the start or the end; the last
kept line ends with its own ending, or with the document's most common ending when it
had none.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import regex

_BREAK = regex.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split ``text`` into line contents and their endings (``""`` for an unterminated
    last line). An empty text has no lines."""
    if not text:
        return [], []
    if "\r" not in text:
        texts = text.split("\n")
        endings = ["\n"] * len(texts)
        if texts[-1] == "":
            texts.pop()
            endings.pop()
        else:
            endings[-1] = ""
        return texts, endings
    texts: list[str] = []
    endings: list[str] = []
    pos = 0
    for m in _BREAK.finditer(text):
        texts.append(text[pos : m.start()])
        endings.append(m.group())
        pos = m.end()
    if pos < len(text):
        texts.append(text[pos:])
        endings.append("")
    return texts, endings


# Markdown that scrapers write (html2text, markdownify, Jina Reader, Firecrawl, crawl4ai):
# an inline link "[text](url)" or '[text](url "title")' (not an image: "![alt](url)" is
# left to the media rules, which name it), a heading's "#"s, "**strong**" and
# "__strong__" (a pair around text: plain text's "*****" or a form's "_____" is not
# emphasis). The link's URL may hold one level of parentheses (Wikipedia's "Foo_(bar)").
# A reference link "[text][label]" or "[text][]" (html2text's inline_links=False) reads
# as its text: CommonMark makes it a link only where "[label]: url" is defined, but
# written in full, with a letter in its text and after a space or a mark, it is seldom
# anything else, and read alone the line reads the same in the output (the definition
# gone or not). Plain text's citations "[5][6]" and code's "x['a']['b']" read as
# written. An autolink "<https://example.com>" or "<jane@example.com>" (markdownify's
# link whose text is its URL) reads as the URL a reader sees, as link text. Bounded
# pieces: linear on any line.
_LINK = (r"(?<!!)\[(?P<text>[^\[\]\n]{1,500})\]"
         r"\((?:[^()\s]{0,2000}(?:\([^()\s]{0,500}\)[^()\s]{0,2000})?)"
         r"(?:[ \t]+\"[^\"\n]{0,500}\")?\)"
         r"|(?<![!\w\]])\[(?=[^\[\]\n]{0,500}?[^\W\d_])(?P<text>[^\[\]\n]{1,500})\]"
         r"\[[^\[\]\n]{0,999}\]"
         r"|<(?P<text>[A-Za-z][A-Za-z\d+.\-]{1,31}:[^<>\x00-\x20]{1,2000})>"
         r"|<(?P<text>[A-Za-z\d.!#$%&'*+/=?^_`{|}~\-]{1,200}@[A-Za-z\d]"
         r"(?:[A-Za-z\d\-]{0,61}[A-Za-z\d])?(?:\.[A-Za-z\d](?:[A-Za-z\d\-]{0,61}[A-Za-z\d])?)"
         r"{0,20})>")
# links first, then headings and emphasis in what is left ("**By [Jane](/j)**")
_MARKUP = (
    regex.compile(_LINK),
    regex.compile(
        r"^[ ]{0,3}\#{1,6}[ \t]+"
        r"|(?<![*\w])\*\*(?P<text>[^*\s](?:[^*\n]{0,500}[^*\s])?)\*\*(?![*\w])"
        r"|(?<![_\w])__(?P<text>[^_\s](?:[^_\n]{0,500}[^_\s])?)__(?![_\w])"
    ),
)


_HEADING = regex.compile(r"[ ]{0,3}\#{1,6}[ \t]+\S")
# an autolink's opening (the texts that may hold one)
_AUTOLINK = regex.compile(r"<[A-Za-z][A-Za-z\d+.\-]{1,31}:[^<>\s]|<[^<>\s@]{1,200}@")

# A setext heading (markdownify's and Jina Reader's h1 and h2): a line of text over a
# line of "=" or "-" (CommonMark's underline, here at least 3 of them or as long as the
# text: a lone "-" under a line is an empty list item as scrapers write it). The text is
# read as a heading, the underline as layout (blank: nothing a reader reads), written
# exactly when its heading is (MarkupView.write; markup_view(ties=True), for a caller
# that writes the output through it: otherwise the underline is read as written, and
# its text as a line of text). (The underline read as written and written with its
# heading: 309 held-out WCXB pages in markdownify's UNDERLINED style scored word F1
# 0.764 and 49 changed when cleaned again; read as layout 0.767 and 1.) Only a heading
# of one line after a blank line (or the start, or Jina Reader's "Markdown Content:",
# which the rules drop) is read so: scrapers write them so, and a run of lines over a
# "-----" in plain text (a menu, a table's header) is not read as one long heading.
_JINA_CONTENT = "Markdown Content:"
_UNDERLINE_SHAPE = r"[ ]{0,3}(?P<u>=+|-+)[ \t]*"
_UNDERLINE = regex.compile(_UNDERLINE_SHAPE)
# what a setext heading's text is not (CommonMark: a paragraph's line, not a list item,
# block quote, ATX heading, fence, thematic break, table row or indented code)
_NOT_PARAGRAPH = regex.compile(
    r"[ ]{0,3}(?:[*+\-][ \t]|\d{1,9}[.)][ \t]|>|\#{1,6}(?:[ \t]|$)|```|~~~|\|"
    r"|[*\-_][ \t]*[*\-_][ \t]*[*\-_])|[ ]{4}|\t")
_FENCE = regex.compile(r"[ ]{0,3}(?P<f>`{3,}|~{3,})")
# A link reference definition '[label]: url "title"' (on one line, as html2text writes
# them, outside fenced code): not text a reader sees, so read as layout (blank) and never
# written. The output's reference links then keep their text without their URLs: writing
# the definitions of the links kept (valid markdown) put their URLs' words into the
# output (309 held-out WCXB pages in html2text's reference style: word F1 0.710, against
# 0.757 leaving them out and 0.737 reading them as written), and a run of them read as
# blank lines reads another way once some are gone (15 of those pages changed when
# cleaned again; 1 leaving them out).
_DEFINITION = regex.compile(
    r"[ ]{0,3}\[(?=[^\[\]\n]{0,998}[^\[\]\s])(?P<label>[^\[\]\n]{1,999})\]:[ \t]*"
    r"(?:<[^<>\n]{0,2000}>|[^\s<][^\s]{0,2000})"
    r"(?:[ \t]+(?:\"[^\"\n]{0,500}\"|'[^'\n]{0,500}'|\([^()\n]{0,500}\)))?[ \t]*")
# what a text with markup holds, one of them at least (the lines joined after a "\n")
_CANDIDATES = ("](", "**", "__", "][", "]:")
_HEADINGS = ("\n#", "\n #", "\n  #", "\n   #")
# ... with ties, a line that could be a setext underline (a whole line of _UNDERLINE's
# shape: a text whose lines only start with "-" or "=" passes the filter of one scan)
_TIED = re.compile(r"\n" + _UNDERLINE_SHAPE + r"(?=\n|\Z)")

#: Lines with an inline or reference link that make a text markdown
#: (:attr:`MarkupView.markdown`): the markdown model reads it (when one is shipped). A
#: scraper's markdown has one a menu item; of the plain-text renders of the 4,368 pages of
#: ../shared/data, one or two a renderer have three (pages that show markdown source).
MARKDOWN_LINK_LINES = 3


def _unwrap(pattern: regex.Pattern[str], s: str, spans: list[tuple[int, int]] | None = None,
            opened: set[str] | None = None) -> tuple[str, list[int]] | None:
    """``s`` with each match of ``pattern`` replaced by its ``text`` group (or nothing),
    and the index in ``s`` of each character of the result; ``None``: no match.
    ``spans``: appended with each ``text`` group's ``(start, end)`` in the result;
    ``opened``: gets the first character of each match."""
    pieces: list[str] = []
    omap: list[int] = []
    pos = 0
    for m in pattern.finditer(s):
        if opened is not None:
            opened.add(s[m.start()])
        pieces.append(s[pos : m.start()])
        omap.extend(range(pos, m.start()))
        if m.group("text") is not None:
            a, b = m.span("text")
            pieces.append(s[a:b])
            if spans is not None:
                spans.append((len(omap), len(omap) + b - a))
            omap.extend(range(a, b))
        pos = m.end()
    if not pos:
        return None
    pieces.append(s[pos:])
    omap.extend(range(pos, len(s)))
    return "".join(pieces), omap


class MarkupView:
    """What the decision path reads of lines that carry markdown markup: the link texts
    without their URLs, headings without their ``#``, text without ``**``/``__``. The
    rules, features and model decide on these views (a menu of ``[Home](/)`` links reads
    as the plain-text renderers' "Home"); what is written is always the input line, or
    a piece of it (:meth:`original`): markup is never rewritten.

        >>> v = markup_view(["* [Home](/) | [News](/news)", "Plain prose."])
        >>> v.texts
        ['* Home | News', 'Plain prose.']
        >>> v.original(0, "Home | News")   # a trimmed piece of the view
        '[Home](/) | [News](/news)'
        >>> v.original(0, v.texts[0]), v.original(1, "Plain prose.")
        ('* [Home](/) | [News](/news)', 'Plain prose.')

    A link reference definition is read as a blank line (never written); with ``ties``
    (:func:`markup_view`) a setext heading's text is read as a heading and its underline
    as layout, written with it (:meth:`write`).

        >>> v = markup_view(["Title", "=====", "", "See [the report][1].", "",
        ...                  "[1]: https://example.com/r"], ties=True)
        >>> v.texts, sorted(v.headings)
        (['Title', '', '', 'See the report.', '', ''], [0])
        >>> v.write(["Title", None, None, "See [the report][1].", None, None])
        ['Title', '=====', None, 'See [the report][1].', None, None]
    """

    __slots__ = ("_definitions", "_links", "_maps", "_underlines", "headings", "link_lines",
                 "originals", "texts")

    def __init__(self, originals: Sequence[str], texts: list[str],
                 maps: dict[int, list[int]], link_lines: frozenset[int] = frozenset(),
                 links: dict[int, list[tuple[int, int]]] | None = None,
                 headings: frozenset[int] = frozenset(),
                 underlines: dict[int, int] | None = None,
                 definitions: frozenset[int] | None = None) -> None:
        self.originals, self.texts, self._maps = originals, texts, maps
        #: the lines that hold an inline or reference link (:data:`MARKDOWN_LINK_LINES`;
        #: not autolinks alone: plain text quotes ``<jane@example.com>`` and
        #: ``<http://...>``, in mail headers and code)
        self.link_lines = link_lines
        #: the lines written as a heading (``# ...``, or text over a setext underline)
        self.headings = headings
        # a link line's link texts: (start, end) in its view, in order
        self._links = links or {}
        # a setext underline -> its heading's line; the link reference definitions
        self._underlines = underlines or {}
        self._definitions = definitions or frozenset()

    def layout_roles(self) -> dict[int, int]:
        """:func:`layout_roles` of the lines this view (made with ``ties=True``) read, from
        what it found: the same, without reading the lines again."""
        return _roles(self._underlines, self._definitions)

    def links(self, i: int, piece: str) -> tuple[int, int]:
        """How many characters of ``piece`` (line ``i``'s view, or a piece of it at its
        leftmost place, as in :meth:`original`) are the text of a link, and how many
        links it holds (a link counts when its text is in the piece, whole or cut).

            >>> v = markup_view(["* [Home](/) | [News](/news)", "Plain prose."])
            >>> v.links(0, v.texts[0]), v.links(0, "News"), v.links(1, "Plain prose.")
            ((8, 2), (4, 1), (0, 0))
        """
        spans = self._links.get(i)
        if not spans or not piece:
            return 0, 0
        a = self.texts[i].find(piece)
        if a < 0:
            return 0, 0
        b = a + len(piece)
        chars = count = 0
        for s, e in spans:
            lo, hi = max(s, a), min(e, b)
            if lo < hi:
                chars += hi - lo
                count += 1
        return chars, count

    @property
    def markdown(self) -> bool:
        """Whether the lines are a scraper's markdown (at least
        :data:`MARKDOWN_LINK_LINES` of them hold a link), not plain text with a
        ``**`` or a ``# comment``."""
        return len(self.link_lines) >= MARKDOWN_LINK_LINES

    def markdown_among(self, lines: Iterable[int]) -> bool:
        """:attr:`markdown` of the text those of the lines would make."""
        return sum(i in self.link_lines for i in lines) >= MARKDOWN_LINK_LINES

    def original(self, i: int, piece: str) -> str:
        """The part of input line ``i`` that ``piece`` (the view of it, or a piece of
        that view, at its leftmost place) stands for: the input from its first character
        to its last, with the markup the view left out around them (a link's ``[`` and
        ``](url)``, ``**``), so the whole view is the whole line."""
        view = self.texts[i]
        if i not in self._maps:
            return piece
        a = view.find(piece)
        if a < 0 or not piece:  # (not a piece of the view: nothing to map)
            return piece
        omap, b = self._maps[i], a + len(piece)
        start = omap[a - 1] + 1 if a else 0
        end = omap[b] if b < len(view) else len(self.originals[i])
        return self.originals[i][start:end]

    def write(self, outputs: Sequence[str | None]) -> list[str | None]:
        """``outputs`` (what each input line contributes, as written: :meth:`original`;
        ``None``: dropped) with each setext heading's underline written as it is when
        its heading is written, and dropped when it is not. The output is then markdown
        that reads as the input did (a heading kept is still a heading; no text is made
        one by an underline left under it), and cleaning it again reads each line as
        this view did."""
        out = list(outputs)
        for u, h in self._underlines.items():
            o = out[h]
            out[u] = self.originals[u] if o is not None and o.strip() else None
        return out

    def tied(self, i: int) -> str | None:
        """Why line ``i`` is read as layout and written (or not) by what it belongs to,
        for an explanation; ``None``: it is read by itself.

            >>> v = markup_view(["Title", "-----", "[1]: /a"], ties=True)
            >>> v.tied(1)
            'the underline of the heading on line 1: written with it'
            >>> v.tied(2), v.tied(0)
            ('a link reference definition: not text a reader sees, left out', None)
        """
        h = self._underlines.get(i)
        if h is not None:
            return f"the underline of the heading on line {h + 1}: written with it"
        if i in self._definitions:
            return "a link reference definition: not text a reader sees, left out"
        return None


_LAYOUT_STARTS = "=-`~["


def _layout_lines(texts: Sequence[str], setext: bool) -> tuple[dict[int, int], set[int]]:
    """The setext underlines of ``texts`` (each -> its heading's line; with ``setext``)
    and the link reference definitions, outside fenced code."""
    underlines: dict[int, int] = {}
    definitions: set[int] = set()
    fence = ""  # (the open fence's character, while in fenced code)
    starts = _LAYOUT_STARTS if setext else _LAYOUT_STARTS[2:]
    # (the lines that may open a fence, a definition or an underline: a C-level filter)
    for i in [i for i, s in enumerate(texts)
              if s[:1] in starts or (s[:1] == " " and s.lstrip()[:1] in starts)]:
        s = texts[i]
        head = s[:4].lstrip()[:1]
        if not head:
            continue
        if head in ("`", "~"):
            m = _FENCE.match(s)
            if m is not None:
                f = m.group("f")
                if not fence:
                    fence = f[0]
                    continue
                if f[0] == fence and not s[m.end():].strip():
                    fence = ""
                continue
        if fence:
            continue
        if setext and head in ("=", "-") and i >= 1:
            m = _UNDERLINE.fullmatch(s)
            h = i - 1
            if m is not None and h not in underlines and h not in definitions:
                title = texts[h]
                n = len(m.group("u"))
                if (title.strip() and (h == 0 or not texts[h - 1].strip()
                                       or texts[h - 1].strip() == _JINA_CONTENT)
                        and (n >= 3 or n >= len(title.strip()))
                        and not _NOT_PARAGRAPH.match(title)
                        and not _UNDERLINE.fullmatch(title)):
                    underlines[i] = h
                    continue
        if head == "[":
            m = _DEFINITION.fullmatch(s)
            if m is not None:
                definitions.add(i)
    return underlines, definitions


def layout_roles(texts: Sequence[str]) -> dict[int, int]:
    """The lines of ``texts`` that :func:`markup_view` (``ties=True``) reads as layout, by
    what depends on the lines around them: a setext underline -> its heading's line, a
    link reference definition -> -1 (neither inside fenced code). Dropping other lines
    can change them (a fence gone, a line between a heading and its underline gone), so
    the path compares them before and after (``pipeline._settle_markup``).

        >>> layout_roles(["Title", "=====", "", "[1]: https://example.com/a"])
        {1: 0, 3: -1}
        >>> layout_roles(["```", "[1]: https://example.com/a", "```"])
        {}
    """
    joined = "\n" + "\n".join(texts)
    if ("]:" not in joined and "``" not in joined and "~~" not in joined
            and _TIED.search(joined) is None):
        return {}
    return _roles(*_layout_lines(texts, True))


def _roles(underlines: Mapping[int, int], definitions: Iterable[int]) -> dict[int, int]:
    """:func:`layout_roles` from the underlines and definitions :func:`_layout_lines`
    found."""
    return {**underlines, **dict.fromkeys(definitions, -1)}


def markup_view(texts: Sequence[str], ties: bool = False) -> MarkupView | None:
    """The :class:`MarkupView` of ``texts``, or ``None`` when no line carries markup (the
    lines are then read as they are). Each line's view depends on that line alone, so
    the output's lines read as they did in the input (``clean`` stays a fixed point).
    ``ties``: the caller writes the output through :meth:`MarkupView.write`, so setext
    headings are read too (the text as a heading, the underline as layout, written with
    it); a setext heading's view depends on the line after it."""
    joined = "\n" + "\n".join(texts)  # (most texts hold none: a few C-level scans)
    inline = (any(m in joined for m in _CANDIDATES)
              or ("#" in joined and any(m in joined for m in _HEADINGS))
              or ("<" in joined and _AUTOLINK.search(joined) is not None))
    if not inline and (not ties or _TIED.search(joined) is None):
        return None
    underlines: dict[int, int] = {}
    definitions: set[int] = set()
    if ties or "]:" in joined:
        underlines, definitions = _layout_lines(texts, ties)
    if not inline and not underlines:
        # (only a "\n-" or "\n=" let the text in, a list item's as a rule, and no line
        # is an underline: no line's view differs from the line)
        return None
    out: list[str] | None = None
    maps: dict[int, list[int]] = {}
    links: list[int] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    headings: list[int] = []
    for i, s in enumerate(texts):
        if i in underlines or i in definitions:  # (layout: read as a blank line)
            if out is None:
                out = list(texts)
            out[i] = ""
            maps[i] = []
            continue
        if ("](" not in s and "**" not in s and "__" not in s and "#" not in s[:4]
                and "][" not in s and "<" not in s):
            continue  # (no markup on this line)
        view, omap = s, None
        inside: list[tuple[int, int]] = []  # the link texts, in the current view
        opened: set[str] = set()
        for k, pattern in enumerate(_MARKUP):
            done = _unwrap(pattern, view, inside if k == 0 else None,
                           opened if k == 0 else None)
            if done is not None:
                view, inner = done
                if k == 0:
                    if "[" in opened:  # (not autolinks alone: see link_lines)
                        links.append(i)
                elif inside:  # (the link texts, where the second step left them)
                    at = {j: v for v, j in enumerate(inner)}
                    inside = [(at[x], at[y - 1] + 1) for x, y in inside
                              if x in at and y - 1 in at]
                omap = inner if omap is None else [omap[j] for j in inner]
        if omap is None or view == s:
            continue
        if not view.strip():  # (markup alone, "**": read as written, not as blank)
            continue
        if out is None:
            out = list(texts)
        out[i] = view
        maps[i] = omap
        if inside:
            spans[i] = inside
        if _HEADING.match(s):
            headings.append(i)
    if out is None:
        return None
    headings.extend(underlines.values())
    return MarkupView(texts, out, maps, frozenset(links), spans, frozenset(headings),
                      underlines, frozenset(definitions))


# Hard-wrapped text: lynx / w3m dumps, html2text's default (78 columns), mail archives,
# `fmt` / `fold`. A wrapper fills each line of a paragraph up to a width W and starts a
# new line with the word that would not fit, so the lines of one paragraph are each read
# as a short line by themselves (and its last line as a fragment). The text is wrapped
# when no line of several words is longer than some W (40 to 200 columns; words of over
# 30 characters, URLs, are not counted, and table rows and list items are left out:
# wrappers do not break the first, html2text does not wrap the others) and the lines
# near W (within 15 columns) are at least 4 and a quarter of the lines longer than W / 2
# (body text, left to its natural lengths, seldom crowds at its maximum). Line i then
# continues into line i + 1 when the first word of i + 1 would not have fitted after it:
# len(i) + 1 + len(word) > W (and i + 1 does not open a list item or a heading); at
# least two paragraphs must then run over three lines or more, and at most half of the
# lines continued may end a sentence.
WRAP_MIN, WRAP_MAX = 40, 200
_WRAP_NEAR = 15  # columns under W that count as a full line
_WRAP_MIN_FULL = 4  # full lines a wrapped text holds at least
_WRAP_FULL_SHARE = 0.25  # ... and this share of its lines longer than W / 2
_WRAP_LONG_WORD = 30  # a word longer than this is not broken by wrappers
_WRAP_MIN_LONG = 2  # paragraphs of three lines or more a wrapped text holds at least
_WRAP_MAX_ENDS = 0.5  # the largest share of continued lines that end a sentence
_WRAP_OPENER = regex.compile(r"(?:[-*+•·–—►▸▶✓✔#>|]|\d{1,3}[.)]|\(?[a-zA-Z\d]{1,2}\))$")


def _wrap_length(line: str) -> tuple[int, bool] | None:
    """How long ``line`` is as a wrapper filled it, and whether words too long to break
    (URLs, a markdown link's ``text](url)``) were left out of that length; ``None`` for a
    line that says nothing of a width: one word, a table row, a list item (html2text
    leaves list items as they are)."""
    s = line.rstrip()
    words = s.split()
    if len(words) < 2 or s.count("|") >= 2 or _WRAP_OPENER.match(words[0]):
        return None
    cut = _unbreakable(words)
    return len(s) - cut, cut > 0


def _unbreakable(words: Sequence[str]) -> int:
    """The columns that words too long to break take on a line, each with its space."""
    return sum(len(w) + 1 for w in words if len(w) > _WRAP_LONG_WORD)


def wrap_width(texts: Sequence[str]) -> int | None:
    """The width ``texts`` were hard-wrapped at (as far as they show it: their longest
    line of several words), or ``None`` when they were not (see above).

        >>> import textwrap
        >>> para = "word " * 60
        >>> wrap_width(textwrap.wrap(para, 50) + ["Home", "About us"] + textwrap.wrap(para, 50))
        49
        >>> wrap_width([para, "Home", "Short line here.", para]) is None
        True
    """
    # (first the lines longer than any width: text left to its natural lengths has one
    # of several words, a paragraph, which settles it at once, for about 10 us a page)
    for t in [t for t in texts if len(t) > WRAP_MAX]:
        m = _wrap_length(t)
        if m is not None and m[0] > WRAP_MAX:
            return None
    lens: list[int] = []
    rest = 0  # the longest a line with a long word is without them
    for t in texts:
        m = _wrap_length(t)
        if m is None:
            continue
        if m[1]:
            rest = max(rest, m[0])
        else:
            lens.append(m[0])
    if len(lens) < _WRAP_MIN_FULL:
        return None
    w = max(lens)
    if not WRAP_MIN <= w <= WRAP_MAX or rest > w:
        return None
    full = sum(x >= w - _WRAP_NEAR for x in lens)
    half = sum(x > w // 2 for x in lens)
    if full < _WRAP_MIN_FULL or full < _WRAP_FULL_SHARE * half:
        return None
    return w


class WrapView:
    """Hard-wrapped lines read as their paragraphs: :attr:`texts` holds one line per
    paragraph (its lines joined by a space) and one per blank line; :attr:`groups` the
    input lines each stands for. :meth:`pieces` maps what is kept of a paragraph back to
    its lines, as written. ``width`` is the wrapping width; 0 for a paragraph's fragments
    (:func:`fragment_view`).

        >>> para = ["The first line of a paragraph that", "goes on over the next line of this",
        ...         "and ends here."]
        >>> v = unwrap_view([*para, "", "Home", *para], width=36)
        >>> v.groups[:3]
        [[0, 1, 2], [3], [4]]
        >>> v.texts[0][:50]
        'The first line of a paragraph that goes on over th'
        >>> v.pieces(0, "paragraph that goes on")
        [(0, 'paragraph that'), (1, 'goes on')]
    """

    __slots__ = ("_spans", "groups", "originals", "texts", "width")

    def __init__(self, originals: Sequence[str], groups: list[list[int]], width: int) -> None:
        self.originals, self.groups, self.width = originals, groups, width
        self.texts: list[str] = []
        # per group: each line's (start, end) in the joined text and its offset in the line
        self._spans: list[list[tuple[int, int, int]]] = []
        for g in groups:
            if len(g) == 1:
                self.texts.append(originals[g[0]])
                self._spans.append([(0, len(originals[g[0]]), 0)])
                continue
            parts: list[str] = []
            spans: list[tuple[int, int, int]] = []
            pos = 0
            for k, i in enumerate(g):
                line = originals[i]
                a = 0 if k == 0 else len(line) - len(line.lstrip())
                b = len(line.rstrip())
                if k:
                    parts.append(" ")
                    pos += 1
                parts.append(line[a:b])
                spans.append((pos, pos + b - a, a))
                pos += b - a
            self.texts.append("".join(parts))
            self._spans.append(spans)

    def pieces(self, g: int, piece: str) -> list[tuple[int, str]]:
        """The input lines of paragraph ``g`` that ``piece`` (its text, or a piece of it
        at its leftmost place) covers, each with what of it is covered: the whole line as
        written when all of its text is."""
        text = self.texts[g]
        if len(self.groups[g]) == 1:  # (a line read as itself: the piece is of it)
            return [(self.groups[g][0], piece)] if piece else []
        if piece == text:
            return [(i, self.originals[i]) for i in self.groups[g]]
        a = text.find(piece)
        if a < 0 or not piece:
            return []
        b = a + len(piece)
        out = []
        for i, (s, e, off) in zip(self.groups[g], self._spans[g], strict=True):
            lo, hi = max(a, s), min(b, e)
            if lo >= hi:
                continue
            line = self.originals[i]
            whole = lo == s and hi == e
            out.append((i, line if whole else line[off + lo - s : off + hi - s]))
        return out


def _fits(line: str, width: int) -> bool:
    """Could ``line`` be a line of text wrapped at ``width``: no longer than that, but
    for words too long to break (URLs)?"""
    s = line.rstrip()
    if len(s) <= width:
        return True
    cut = _unbreakable(s.split())
    return cut > 0 and len(s) - cut <= width


def unwrap_view(texts: Sequence[str], width: int | None = None) -> WrapView | None:
    """The :class:`WrapView` of hard-wrapped ``texts`` (at ``width``, default
    :func:`wrap_width`), or ``None``: not wrapped, or no line continues another."""
    w = wrap_width(texts) if width is None else width
    if w is None:
        return None
    groups: list[list[int]] = []
    prev = -1  # the last non-blank line, when the next one may continue it
    joined = False
    for i, t in enumerate(texts):
        words = t.split(maxsplit=1)
        if not words:
            groups.append([i])
            prev = -1
            continue
        if (prev >= 0 and len(texts[prev].rstrip()) + 1 + len(words[0]) > w
                and not _WRAP_OPENER.match(words[0]) and _fits(texts[prev], w)
                and _fits(t, w)):
            groups[-1].append(i)
            joined = True
        else:
            groups.append([i])
        prev = i
    # a paragraph wraps over three lines or more now and then; lines of one width
    # followed by one short line each are something else: teasers cut at N characters
    # ("... a com- petitive starting salary, and good workin" / "View this ad"), ads of
    # a line of text and a line with the advertiser's address
    if sum(len(g) >= 3 for g in groups) < _WRAP_MIN_LONG:
        return None
    # a wrapper breaks a line at whichever word reaches the width, so a line it
    # continues seldom ends a sentence; lines of one length that each end one are a list
    # (teasers, entries of a menu), not a paragraph
    inner = [texts[i] for g in groups for i in g[:-1]]
    if sum(t.rstrip().endswith((".", "!", "?")) for t in inner) > _WRAP_MAX_ENDS * len(inner):
        return None
    return WrapView(texts, groups, w) if joined else None


# Fragmented text: BeautifulSoup's get_text("\n", strip=True), the form tutorials and
# many scrapers use, writes every text node on a line of its own, so a paragraph with a
# link or a bold word in it comes out in pieces: "Expect protein (see our favorite" /
# "high-protein snacks" / "!) to continue...". Lines that open with a closing
# punctuation mark and a space (", she said", ". But", "% of") are its fingerprint: the
# plain-text renderers write almost none (at most 1% of a page's lines for 99% of
# WCXB's, Dragnet's and CleanEval's html-text, inscriptis, trafilatura and block
# renders; half of get_text's pages hold more). On such a page a line that opens with one,
# or with a lowercase letter, continues the line before it (no blank line between).
# Chosen on the training sites' get_text renders (README, "Fragmented text").
_FRAGMENT_OPENER = re.compile(r"^[ \t]*[,.;:!?)\]’”%](?:\s|$)", re.M)
_FRAGMENT_NEXT = regex.compile(r"[\p{Ll},.;:!?)\]’”%]")
FRAGMENT_MIN_LINES = 3  # lines opening with a closing mark a fragmented page holds at least
FRAGMENT_MIN_SHARE = 0.01  # ... and this share of its non-blank lines


def fragment_view(texts: Sequence[str]) -> WrapView | None:
    """The :class:`WrapView` (``width`` 0) of fragmented ``texts``, each paragraph's
    fragments read as one line, or ``None``: not fragmented, or no line continues another.

        >>> v = fragment_view(["Menu", "Expect protein (see our", "high-protein snacks",
        ...                    "!) to go on.", "Meet the experts", ": Scott, the co-author of",
        ...                    "The Diet", ". He says so", "News", ", she said."])
        >>> v.groups
        [[0], [1, 2, 3], [4, 5], [6, 7], [8, 9]]
        >>> v.texts[1]
        'Expect protein (see our high-protein snacks !) to go on.'
    """
    found = len(_FRAGMENT_OPENER.findall("\n".join(texts)))
    if found < FRAGMENT_MIN_LINES:
        return None
    stripped = [t.strip() for t in texts]
    if found < FRAGMENT_MIN_SHARE * sum(map(bool, stripped)):
        return None
    groups: list[list[int]] = []
    before = False  # (the line before is not blank)
    joined = False
    for i, s in enumerate(stripped):
        if s and before and _FRAGMENT_NEXT.match(s):
            groups[-1].append(i)
            joined = True
        else:
            groups.append([i])
        before = bool(s)
    return WrapView(texts, groups, 0) if joined else None


# Glued text: a page's text nodes joined with nothing between them, as BeautifulSoup's
# get_text() returns it (LangChain's WebBaseLoader and LlamaIndex's BeautifulSoupWebReader
# hand that to RAG pipelines by default; Scrapy's "".join(//text()) is the same). A line
# then ends only where the HTML source had a line break, and a minified page is one line:
# "7 Major Diet Trends for 2025SearchSubscribeMy BookmarksShoppingHealth...The 7 Biggest
# Diet and Nutrition Trends in 2025Protein continues to be huge. By Korin Miller...". Where
# two text nodes meet, one's end touches the next one's capital: a word ending in a
# lowercase letter glued to a capitalised word ("BookmarksShopping"), or a sentence's end,
# a number or a closing bracket glued to one ("fueling them.What", "2025We've", "(Getty)
# Protein"). Made from the soup renders of WCXB's and CleanEval's training pages (see the
# README, "Glued text").
#
# A glue point after a capitalised word: inside a run of capitalised words of three
# letters or more written together, after anything but a capital ("HomeNewsSports",
# "Sign inSearchNewsletters", "iPhoneCases"), which leaves two-letter parts ("McCain",
# "LinkedIn", "WiFi", "getElementById"). Brand names of two capitalised parts
# ("YouTube", "WordPress") are cut too: in gold text such a run comes about once in 470
# words.
_GLUE_RUN = regex.compile(r"(?<!\p{Lu})\p{Lu}\p{Ll}{2,}(?:\p{Lu}\p{Ll}{2,})+")
_GLUE_IN_RUN = regex.compile(r"(?<=\p{Ll})(?=\p{Lu})")
# A glue point after a lowercase word, punctuation or a digit, before a capitalised word:
# - a lowercase word of three letters or more, or of two after a space ("Protein
#   everythingExpect", "drinksResearch": a heading glued to its paragraph; "Sign
#   inSearch"); camelCase code is cut after its first word ("get|ElementById"), not
#   "iPhone" or "eBay";
# - a sentence's end, a colon or a semicolon after two word characters ("them.What",
#   "Updated:Dec"; not initials, "V.P.Ramakrishna", "U.S.Army");
# - a closing bracket or closing quote after a non-space ("(Getty)Protein", 'said."The');
# - a digit ("2025We've").
# Not an opening quote ('say "The'), an ellipsis opening a line ("...And") or a name's
# apostrophe ("O'Connell": a single capital before it).
_GLUE_AFTER = regex.compile(
    r"(?:(?<=(?<!\p{L})\p{Ll}{3,})|(?<=(?<!\S)\p{Ll}{2})|(?<=\w\w[.!?:;])|(?<=\S[)\]»”])|(?<=[.!?,]['\"’])"
    r"|(?<=\d))(?=\p{Lu}\p{Ll})"
)
# Lines and points the view is tried on: a line whose candidate points are fewer than
# GLUE_MIN_POINTS is read as it is (a paragraph with a brand name or a run-in heading in
# it is not glued text). Chosen on the training sites' soup and html_text renders.
GLUE_MIN_POINTS = 6
# ... and a document is read so when such lines hold at least GLUE_MIN_SHARE of its
# characters: a page BeautifulSoup glued, not a page with one glued facet list or tag
# cloud among its lines (which inscriptis and html-text glue now and then; cut up, their
# pieces made the model read a listing as clutter).
GLUE_MIN_SHARE = 0.2
# a quick filter, one scan of the document: a capital after a non-space and before a
# lowercase letter (every point of both patterns is one; about 6 ns a character)
_GLUE_ANY = regex.compile(r"(?<=\S)\p{Lu}(?=\p{Ll})")


# Program text and markup a broken page dumps into its text (an unclosed comment, a
# script read as text) holds camelCase names and "...)}" glued to capitals everywhere;
# cut up, its pieces read like a menu. A line with more than GLUE_CODE_SHARE of its
# characters among {}<>=; is read as written.
_CODE_CHARS = "{}<>=;"
GLUE_CODE_SHARE = 0.01


def _code_like(line: str) -> bool:
    """Program text or markup (see :data:`GLUE_CODE_SHARE`), or a table row as markdown
    writes one ("| [Home](/) | ... |": markdownify writes an old page's layout table as
    one such line, its cells, not glued text nodes, what cuts it)."""
    return (line.lstrip().startswith("|")
            or sum(map(line.count, _CODE_CHARS)) > GLUE_CODE_SHARE * len(line))


def glue_points(line: str) -> list[int]:
    """Where ``line`` holds text nodes glued together, in order (see :func:`glue_view`).

        >>> line = "HomeNewsSportsThe minister said.Protein prices rose in 2025We know"
        >>> cuts = [0, *glue_points(line), len(line)]
        >>> [line[a:b] for a, b in zip(cuts, cuts[1:])]
        ['Home', 'News', 'Sports', 'The minister said.', 'Protein prices rose in 2025', 'We know']
        >>> glue_points("See [Events](/events?Category=Agenda) or Summit%20Daily")
        []
        >>> line = "A YouTube-free iPhone and getElementById, said O’Connell"
        >>> [line[:p] for p in glue_points(line)]  # (a brand name of two parts is cut)
        ['A You', 'A YouTube-free iPhone and get']
    """
    points = {m.start() for m in _GLUE_AFTER.finditer(line)}
    for m in _GLUE_RUN.finditer(line):
        points.update(x.start() for x in _GLUE_IN_RUN.finditer(line, m.start() + 1, m.end()))
    out = sorted(points)
    # not inside a URL, a path or a query ("?Category=", "Summit%20Daily", a markdown
    # link's target): a run of non-spaces holding one of /=%&@\ is left whole
    if out:
        spans = [(m.start(), m.end()) for m in _URLISH.finditer(line)]
        if spans:
            ends = [b for _, b in spans]
            out = [p for p in out if not (
                (k := bisect.bisect_right(ends, p)) < len(spans) and spans[k][0] < p)]
    return out


# (a run of non-spaces is tried from its start only: linear on long runs without one)
_URLISH = re.compile(r"(?<!\S)[^\s/=%&@\\]*[/=%&@\\]\S*")


class GlueView:
    """Glued lines read as their pieces: :attr:`texts` holds each piece of a glued line
    (cut at its :func:`glue_points`) and every other line as it is; :attr:`owners` the
    input line each stands for and :attr:`spans` where in it. :meth:`write` writes what is
    kept of them, a piece a line.

        >>> v = glue_view(["Title", "HomeNewsSportsWorldAboutHelpMore news.The minister"])
        >>> v.texts
        ['Title', 'Home', 'News', 'Sports', 'World', 'About', 'Help', 'More news.', 'The minister']
        >>> v.write([*[None] * 7, "More news.", "The minister"], ["\\n", "\\n"])
        [None, 'More news.\\nThe minister']
    """

    __slots__ = ("originals", "owners", "run_on", "spans", "texts")

    def __init__(self, originals: Sequence[str], cuts: dict[int, list[int]],
                 run_on: Iterable[int] = ()) -> None:
        self.originals = originals
        #: the lines cut as run-on lines (:func:`run_on_cuts`; a page of text nodes
        #: joined by spaces)
        self.run_on = frozenset(run_on)
        self.texts: list[str] = []
        self.owners: list[int] = []
        self.spans: list[tuple[int, int]] = []
        for i, line in enumerate(originals):
            bounds = [0, *cuts.get(i, ()), len(line)]
            for a, b in itertools.pairwise(bounds):
                self.texts.append(line[a:b])
                self.owners.append(i)
                self.spans.append((a, b))

    def split(self, i: int) -> bool:
        """Whether input line ``i`` was read as pieces."""
        return len(self.members(i)) > 1

    def members(self, i: int) -> range:
        """The indices in :attr:`texts` of input line ``i``'s pieces."""
        lo = bisect.bisect_left(self.owners, i)
        return range(lo, bisect.bisect_right(self.owners, i, lo))

    def write(self, outputs: Sequence[str | None], endings: Sequence[str]) -> list[str | None]:
        """What each input line contributes, given what each of :attr:`texts` does
        (``None``: dropped): a line read as itself, its output; a glued line, each piece
        kept (or the part of it a trim keeps) on a line of its own, in order, separated
        by the line's own ending (an unterminated last line: the document's most
        common one, :func:`default_ending`), without the
        spaces a cut left at its end. Each is text of the input line; no piece has a glue
        point left in it, so cleaning the output again reads each as the line it was
        decided as."""
        out: list[str | None] = [None] * len(self.originals)
        for i in range(len(self.originals)):
            ks = self.members(i)
            kept = [outputs[k] for k in ks]
            if len(ks) == 1:
                out[i] = kept[0]
            else:
                # (a space a cut left at a piece's end is not written)
                pieces = [o.rstrip(" ") for o in kept if o is not None and o.strip()]
                # (an unterminated one, the last line, with the page's usual ending: a CRLF
                # page's was cut with bare LFs)
                sep = endings[i] or default_ending(endings)
                out[i] = sep.join(pieces) if pieces else None
        return out


# A layout table written as one line: markdownify and html2text write an old page's
# layout table as a markdown row, "| [Home](/) | [News](/news) | <the article> | ... |",
# often most of the page on one line (CleanEval, L3S-GN1), which the path could only keep
# or drop whole. A row of LAYOUT_ROW_MIN characters or more is read a cell at a time,
# with the glued lines (see glue_view). A data table's rows are far shorter. Chosen on the
# training sites' markdown and trafilatura renders (mean word F1 of CleanEval's markdown
# +0.062 at 1000 characters, +0.063 at 300; the other three within 0.0005).
LAYOUT_ROW_MIN = 1000
_CELL_SEP = re.compile(r" \|(?= )")
_WORDY = re.compile(r"\w")


def layout_cells(line: str) -> list[int]:
    """Where the cells of a markdown table row written as one long line start
    (:data:`LAYOUT_ROW_MIN`): at each `` | `` that opens a cell with a word in it. Empty
    cells and ``---`` rules stay with the cell before them. ``[]`` for any other line.

        >>> row = f"| [Home](/) |  | --- | {'The minister said that prices rose. ' * 30}| © 2008 |"
        >>> cuts = layout_cells(row)
        >>> [row[a:b][:24] for a, b in zip([0, *cuts], [*cuts, None])]
        ['| [Home](/) |  | --- ', '| The minister said that', '| © 2008 |']
    """
    if len(line) < LAYOUT_ROW_MIN or not line.lstrip().startswith("|"):
        return []
    seps = [m.start() + 1 for m in _CELL_SEP.finditer(line)]
    ends = [*seps[1:], len(line)] if seps else []
    return [a for a, b in zip(seps, ends, strict=True) if _WORDY.search(line, a, b)]


# Text nodes joined by spaces: BeautifulSoup's get_text(" ", strip=True), or a pipeline
# that collapsed a page's white space, leaves most of a page on a few very long lines,
# "Home News Sport Business Council approves budget The city council approved ... About
# Us Contact Us Privacy Policy", with no glue point to cut at. A page whose lines of
# RUN_ON_MIN characters or more hold RUN_ON_SHARE of its characters has such lines read
# as pieces (run_on_cuts): cut after each sentence's end, and around each run of
# TITLE_RUN_MIN or more capitalised words, numbers or separators in a row (a menu's items,
# a footer's links: "Home News Sport Business"). Chosen on the training sites' soup_space
# renders (mean word F1, WCXB / CleanEval: sentence ends alone +0.016 / +0.005; with runs
# of 3, 4, 5, 6, 8: +0.058 / +0.010, +0.055 / +0.010, +0.052 / +0.011, +0.050 / +0.012,
# +0.046 / +0.010); the page share keeps it off pages with a long paragraph or link list
# among short lines (html-text and inscriptis, CleanEval: -0.001 and -0.0011 without it,
# within 0.0004 with it).
RUN_ON_MIN = 1000
RUN_ON_SHARE = 0.8
TITLE_RUN_MIN = 4
# ... and only a long line holding RUN_ON_RUNS such runs or more (a page's menus and
# footer) counts: an article's long paragraphs, as clean() writes them, hold none, so
# its output is not read as run-on when cleaned again (training sites' soup_space with
# 1, 2, 3: within 0.0006 of no such condition)
RUN_ON_RUNS = 2
# a sentence's end (not an initial's, "U.S.", or a title's, "Mr."), then a capital
_SENTENCE_END = regex.compile(
    r"(?<!\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Inc|Ltd|Co|vs|No|Prof|Gen|Sen|Rep|Gov)\.)"
    r"(?<!(?<!\w)\p{L}\.)(?<=[.!?…][\"”’)\]]?) +(?=[\"“‘(]?\p{Lu})"
)
# the separators a run of capitalised words may hold ("Home | News | Sport"), and what
# may start a token of such a run: a capital, a digit or one of them
_TITLE_SEPS = "&|»›·•/–—-"
_TITLE_FIRST = rf"[\p{{Lu}}\d{regex.escape(_TITLE_SEPS)}]"


def run_on_cuts(line: str, runs: Sequence[tuple[int, int]] | None = None) -> list[int]:
    """Where a run-on line of text nodes joined by spaces is cut (see :data:`RUN_ON_MIN`):
    after each sentence's end, and at the start and the end of each run of
    :data:`TITLE_RUN_MIN` or more capitalised words, numbers or separators in a row
    (``runs``: its :func:`title_runs`, when already known).

        >>> line = ("Home News Sport Business Council approves budget The council approved "
        ...         "it. Critics said Mr. Smith was wrong. About Us Contact Us Privacy")
        >>> cuts = run_on_cuts(line)
        >>> [line[a:b] for a, b in zip([0, *cuts], [*cuts, None])]  # doctest: +NORMALIZE_WHITESPACE
        ['Home News Sport Business Council ', 'approves budget The council approved it. ',
         'Critics said Mr. Smith was wrong. ', 'About Us Contact Us Privacy']
    """
    cuts = {m.end() for m in _SENTENCE_END.finditer(line)}
    for a, b in title_runs(line) if runs is None else runs:
        cuts.update((a, b))
    cuts.discard(0)
    cuts.discard(len(line))
    return sorted(cuts)


def title_runs(line: str) -> list[tuple[int, int]]:
    """Where ``line`` holds runs of :data:`TITLE_RUN_MIN` or more capitalised words,
    numbers or separators in a row: each run's start and the start of the token after it
    (the line's length for a run that ends it).

        >>> line = "Home | News | Sport council met. Privacy Policy Terms Of Use"
        >>> [line[a:b] for a, b in title_runs(line)]
        ['Home | News | Sport ', 'Privacy Policy Terms Of Use']
    """
    if not _may_title_run(line):
        return []
    return [(m.start(), m.end()) for m in _TITLE_RUN.finditer(line)]


# a run of TITLE_RUN_MIN tokens (\S+) that start with _TITLE_FIRST, and the white space
# after the last (possessive: a token or a gap is never given back)
_TITLE_RUN = regex.compile(rf"(?<!\S){_TITLE_FIRST}\S*+(?:\s++{_TITLE_FIRST}\S*+)"
                           rf"{{{TITLE_RUN_MIN - 1},}}+(?:\s++|\Z)")
# str.split() also splits at these, regex's \s does not: a line holding one is not
# prefiltered
_SPLIT_ONLY = ("\x1c", "\x1d", "\x1e", "\x1f")


def _may_title_run(line: str) -> bool:
    """``False`` only when :func:`title_runs` finds none: str.split() and str methods,
    about 4x faster than the pattern. Every \\p{Lu} is ``isupper()`` and every \\d
    ``isdigit()``, so a run the pattern finds passes here too."""
    if any(c in line for c in _SPLIT_ONLY):
        return True
    run = 0
    for tok in line.split():
        c = tok[0]
        if c.isupper() or c.isdigit() or c in _TITLE_SEPS:
            run += 1
            if run >= TITLE_RUN_MIN:
                return True
        else:
            run = 0
    return False


def glued_lines(texts: Sequence[str], min_points: int = GLUE_MIN_POINTS) -> dict[int, list[int]]:
    """The lines of ``texts`` read as pieces, each with where its pieces start: those that
    hold text nodes glued together at ``min_points`` places or more (:func:`glue_points`;
    not program text, see :data:`GLUE_CODE_SHARE`), markdown table rows written as one long
    line (:func:`layout_cells`) and, on a page of text nodes joined by spaces, its run-on
    lines (:func:`run_on_cuts`).

        >>> glued_lines(["Menu", "HomeNewsSportsWorldAboutHelpMore news.The minister"])
        {1: [4, 8, 14, 19, 24, 28, 38]}
    """
    return _glued(texts, min_points)[0]


def _glued(texts: Sequence[str], min_points: int) -> tuple[dict[int, list[int]], set[int]]:
    """:func:`glued_lines`, and which of its lines are run-on lines (:func:`run_on_cuts`)
    with no glue point in them: text nodes joined by spaces, read a sentence at a time."""
    cuts: dict[int, list[int]] = {}
    lens = list(map(len, texts))
    longest = max(lens, default=0)
    if longest >= LAYOUT_ROW_MIN:
        for i, text in enumerate(texts):
            if lens[i] >= LAYOUT_ROW_MIN and (cut := layout_cells(text)):
                cuts[i] = cut
    run_on: set[int] = set()
    if longest >= RUN_ON_MIN:
        long = [i for i, n in enumerate(lens) if n >= RUN_ON_MIN]
        share = RUN_ON_SHARE * sum(lens)
        # (the long lines' share first: on most pages it is under RUN_ON_SHARE, and then
        # no subset of them can reach it, so their title runs are not looked for)
        runs = ({i: r for i in long if len(r := title_runs(texts[i])) >= RUN_ON_RUNS}
                if sum(lens[i] for i in long) >= share else {})
        if runs and sum(lens[i] for i in runs) >= share:
            for i, r in runs.items():
                if i not in cuts and not _code_like(texts[i]):
                    cut = run_on_cuts(texts[i], r)
                    if len(cut) >= 3:
                        cuts[i] = cut
                        run_on.add(i)
    doc = "\n".join(texts)
    found = [m.start() for m in _GLUE_ANY.finditer(doc)]
    if len(found) < min_points:
        return cuts, run_on
    per_line: Counter[int] = Counter()
    i = prev = 0
    for a in found:  # (the line each is on: the line breaks before it, counted onwards)
        i += doc.count("\n", prev, a)
        prev = a
        per_line[i] += 1
    for i, count in per_line.items():
        if count >= min_points and not _code_like(texts[i]):
            points = glue_points(texts[i])
            if len(points) >= min_points:
                # a run-on line's brand names ("YouTube", "BigQuery") are glue points too:
                # it is cut at both
                if i in run_on:
                    cuts[i] = sorted({*points, *cuts[i]})
                    run_on.discard(i)  # (cut at its glue points too: not read a sentence at a time)
                else:
                    cuts[i] = points
    return cuts, run_on


def glue_view(texts: Sequence[str], min_points: int = GLUE_MIN_POINTS) -> GlueView | None:
    """The :class:`GlueView` of ``texts`` when its :func:`glued_lines` hold
    :data:`GLUE_MIN_SHARE` of its characters, else ``None``.

        >>> glue_view(["An ordinary line.", "Read the YouTube video.Then comment."]) is None
        True
    """
    cuts, run_on = _glued(texts, min_points)
    total = sum(map(len, texts)) + len(texts) - 1
    if not cuts or sum(len(texts[i]) for i in cuts) < GLUE_MIN_SHARE * total:
        return None
    return GlueView(texts, cuts, run_on)


def is_blank(line: str) -> bool:
    """A line with nothing but white space (``str.isspace``: control spacing such as a
    form feed included; zero-width characters and a BOM are not white space)."""
    return not line.strip()


def default_ending(endings: Sequence[str]) -> str:
    """The most common line ending of the document (``\\n`` when it has none)."""
    if not endings:
        return "\n"
    counts: dict[str, int] = {}
    for e in endings:
        if e:
            counts[e] = counts.get(e, 0) + 1
    if not counts:
        return "\n"
    return max(counts, key=lambda e: (counts[e], e == "\n"))


def join_lines(
    texts: Sequence[str],
    endings: Sequence[str],
    outputs: Sequence[str | None],
    written: list[int] | None = None,
) -> str:
    """Join the kept lines. ``outputs[i]`` is what line ``i`` contributes (the line, or a
    trimmed piece of it) or ``None`` when it is dropped. Blank input lines are layout: they
    are written (as themselves) only between two kept non-blank lines. When ``written`` is
    given, the indices of the blank lines written are appended to it."""
    parts: list[str] = []
    pending_blank = -1  # index of the first blank line seen since the last kept line
    last_kept = -1
    for i, out in enumerate(outputs):
        text = texts[i]
        if not text.strip():
            if last_kept >= 0 and pending_blank < 0:
                pending_blank = i
            continue
        if out is None or not out.strip():
            continue
        if pending_blank >= 0:
            if written is not None:
                written.append(pending_blank)
            blank, end = texts[pending_blank], endings[pending_blank] or default_ending(endings)
            if not blank and end == "\n" and parts[-1] == "\r":
                # (after a line ended by a lone CR, an empty line ended by LF was one CRLF
                # break with it, and the paragraph break was gone: it takes the CR)
                end = "\r"
            parts.append(blank)
            parts.append(end)
        pending_blank = -1
        parts.append(out)
        parts.append(endings[i])
        last_kept = i
    if last_kept >= 0 and not endings[last_kept]:
        parts.append(default_ending(endings))
    return "".join(parts)
