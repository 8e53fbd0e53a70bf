"""Tests for scrubber.html: decoding, block rendering and per-block DOM facts.

Every snippet here is hand-written for the test; no third-party page is copied.
"""

from __future__ import annotations

import codecs
import gzip
import math
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubber.html import (
    CELL_SEPARATOR,
    DOM_FEATURES,
    MAX_PATH,
    Block,
    decode_html,
    dom_feature_matrix,
    html_to_blocks,
    html_to_text,
    parse_html,
    utf16_without_bom,
)


def texts(html: str | bytes) -> list[str]:
    return [b.text for b in html_to_blocks(html)]


def one(html: str) -> Block:
    blocks = html_to_blocks(html)
    assert len(blocks) == 1, [b.text for b in blocks]
    return blocks[0]


# ------------------------------------------------------------------ inline joining


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hel<b>lo</b> world</p>", ["Hello world"]),
        ("<p><span>a</span><span>b</span></p>", ["ab"]),
        ("<p><span>a</span> <span>b</span></p>", ["a b"]),
        ("<p>one <em>two</em> <strong>three</strong>.</p>", ["one two three."]),
        ("<p>  lots   of\n\tspace\r\n here  </p>", ["lots of space here"]),
        ("<p>no&nbsp;break&nbsp;&nbsp;spaces</p>", ["no break spaces"]),
        ("<p>word<span> </span>word</p>", ["word word"]),
        ("<p>a<!-- comment -->b</p>", ["ab"]),
        ("<p>x<wbr>y<img src=i.png alt=picture>z</p>", ["xy z"]),
        ("<p>a<script>x()</script>b<!-- c -->c<input type=hidden>d</p>", ["abcd"]),
        (
            "<p>Press<button>OK</button>now <input value=v>or<select><option>o</select>not</p>",
            ["Press OK now or not"],
        ),
        (
            "<p>custom <my-widget>element</my-widget> stays inline</p>",
            ["custom element stays inline"],
        ),
        ("<p>see <a href=/a>this</a>, and <a href=/b>that</a></p>", ["see this, and that"]),
    ],
)
def test_inline_joining(html: str, expected: list[str]) -> None:
    assert texts(html) == expected


def test_divs_are_blocks_but_spans_are_not() -> None:
    assert texts("<div><span>a</span><span>b</span></div>") == ["ab"]
    assert texts("<div><div>a</div><div>b</div></div>") == ["a", "b"]


def test_inline_style_display_overrides() -> None:
    html = "<div><span style='display: block'>a</span><span style='DISPLAY:block'>b</span></div>"
    assert texts(html) == ["a", "b"]
    assert texts(
        "<p><div style='display:inline'>x</div><div style='display:inline'>y</div></p>"
    ) == ["xy"]


def test_adjacent_links_get_a_space() -> None:
    html = "<nav><a href=/>Home</a><a href=/n>News</a><a href=/s>Sport</a></nav>"
    assert texts(html) == ["Home News Sport"]
    # a link followed by text is still joined as rendered
    assert texts("<p><a href=/x>link</a>ed</p>") == ["linked"]


def test_text_around_nested_blocks() -> None:
    blocks = html_to_blocks("<div>before<p>inside</p>after</div>")
    assert [(b.tag, b.text) for b in blocks] == [
        ("div", "before"),
        ("p", "inside"),
        ("div", "after"),
    ]


def test_text_directly_in_body() -> None:
    assert [(b.tag, b.text) for b in html_to_blocks("plain text only")] == [
        ("body", "plain text only")
    ]


# ----------------------------------------------------------------------- br, lists


def test_br_splits_lines() -> None:
    blocks = html_to_blocks("<p class=addr>Line one<br>Line two<br/><br>  <br>Line three</p>")
    assert [b.text for b in blocks] == ["Line one", "Line two", "Line three"]
    assert {b.tag for b in blocks} == {"p"}
    assert all("addr" in b.tokens for b in blocks)


def test_lists_one_item_a_block() -> None:
    html = "<ul><li>one<li>two <b>bold</b><li>three<ol><li>nested a</li><li>nested b</li></ol></ul>"
    blocks = html_to_blocks(html)
    assert [b.text for b in blocks] == ["one", "two bold", "three", "nested a", "nested b"]
    assert all(b.is_list_item for b in blocks)
    assert [b.list_depth for b in blocks] == [1, 1, 1, 2, 2]
    assert [b.tag for b in blocks] == ["li"] * 5


def test_definition_lists_and_figures() -> None:
    html = (
        "<dl><dt>Term</dt><dd>Meaning</dd></dl>"
        "<figure><img src=x><figcaption>Cap</figcaption></figure>"
    )
    assert [(b.tag, b.text) for b in html_to_blocks(html)] == [
        ("dt", "Term"),
        ("dd", "Meaning"),
        ("figcaption", "Cap"),
    ]


# -------------------------------------------------------------------------- tables


def test_table_rows_are_blocks_with_cell_separator() -> None:
    html = """
    <table>
      <caption>Prices</caption>
      <tr><th>Item</th><th>Cost</th></tr>
      <tr><td> Apple </td><td></td><td>1 <b>EUR</b></td></tr>
      <tr><td>Pear</td><td>2</td></tr>
    </table>"""
    blocks = html_to_blocks(html)
    assert CELL_SEPARATOR == " | "
    assert [b.text for b in blocks] == ["Prices", "Item | Cost", "Apple | 1 EUR", "Pear | 2"]
    assert [b.tag for b in blocks] == ["caption", "tr", "tr", "tr"]
    assert all(b.in_table for b in blocks)


def test_layout_table_cells_with_blocks() -> None:
    html = "<table><tr><td><p>First para</p><p>Second para</p></td><td>side</td></tr></table>"
    assert texts(html) == ["First para", "Second para", "side"]


# ----------------------------------------------------------------------------- pre


def test_pre_keeps_spacing_one_block_per_line() -> None:
    html = "<p>intro</p><pre>def f(x):\n    return  x\t# tab\n\n\n  end  \n</pre><p>outro</p>"
    blocks = html_to_blocks(html)
    assert [b.text for b in blocks] == [
        "intro",
        "def f(x):",
        "    return  x\t# tab",
        "  end",
        "outro",
    ]
    assert [b.in_pre for b in blocks] == [False, True, True, True, False]


def test_pre_with_inline_markup_and_br() -> None:
    assert texts("<pre><b>a</b>  <i>b</i><br>c</pre>") == ["a  b", "c"]


def test_white_space_pre_style() -> None:
    assert texts("<div style='white-space: pre'>x   y\nz</div>") == ["x   y", "z"]


def test_white_space_pre_line_keeps_newlines_and_collapses_spaces() -> None:
    assert texts("<div style='white-space:pre-line'>a   b\n  c</div>") == ["a b", "c"]
    assert texts("<p style='white-space-collapse: preserve-breaks'>a  b\nc</p>") == ["a b", "c"]
    # the newline between two inline elements breaks the line too; <br> as ever
    html = "<div style='white-space: pre-line'><span>a</span>\n  <b>b</b> c<br>d</div>"
    assert [(b.text, b.in_pre) for b in html_to_blocks(html)] == [
        ("a", False), ("b c", False), ("d", False)
    ]


def test_white_space_pre_wrap_on_an_inline_element_breaks_its_lines() -> None:
    html = "<p><span style='white-space: pre-wrap'>a  b\nc</span> tail</p>"
    assert texts(html) == ["a  b", "c tail"]


def test_white_space_normal_undoes_pre_and_the_cascade_decides() -> None:
    assert texts("<pre style='white-space: normal'>a  b\nc</pre>") == ["a b c"]
    # the last declaration wins, an !important one first
    assert texts("<div style='white-space:pre;white-space:normal'>a  b</div>") == ["a b"]
    html = "<p style='white-space: normal !important; white-space: pre-wrap'>a  b\nc</p>"
    assert texts(html) == ["a b c"]


def test_the_space_before_a_preserved_run_shows_unless_the_run_starts_a_line() -> None:
    # the space is collapsible, not removed (CSS Text 3): a browser shows "x a"
    for ws in ("pre", "pre-wrap", "break-spaces"):
        assert texts(f"<p>x <span style='white-space:{ws}'>a</span></p>") == ["x a"]
    # the space owed is spent there, not carried past the run
    assert texts("<p>x <code style='white-space:pre'>a  b</code>. y</p>") == ["x a  b. y"]
    assert texts("<p>x <span style='white-space:pre'>a</span>b</p>") == ["x ab"]
    assert texts("<p>Posted by&nbsp;</span><span style='white-space:pre-wrap'>Ann</span>") == [
        "Posted by Ann"
    ]
    # at a line start it goes, as it does before ordinary text
    html = "<p><span style='white-space:pre'>a\n</span> <span style='white-space:pre'>b</span>"
    assert texts(html) == ["a", "b"]


def test_preformatted_links_are_spaced_as_written() -> None:
    # the gap drawn between touching links, an image or a button, is not added in
    # preformatted text, whose spacing is the author's (a browser shows 'ab')
    assert texts("<pre><a href=1>a</a><a href=2>b</a></pre>") == ["ab"]
    html = "<pre>name : x email : <a href=1>m</a>\nname : y email : <a href=2>n</a></pre>"
    assert texts(html) == ["name : x email : m", "name : y email : n"]
    assert texts("<pre>x <img src=1>y <button>z</button>w</pre>") == ["x y zw"]


# ---------------------------------------------------------------- dropped elements


def test_script_style_and_friends_dropped() -> None:
    html = """<html><head><title>T</title><style>p { color: red }</style>
    <script>var hidden = "nope";</script><meta name=x content=y></head>
    <body><p>keep</p><script>document.write("no")</script><noscript>enable js</noscript>
    <template><p>tpl</p></template><svg><text>svg text</text></svg>
    <iframe src=x>frame</iframe><select><option>opt</option></select>
    <textarea>typed</textarea><video>no video</video><canvas>c</canvas>
    <object>obj</object><p>also kept</p></body></html>"""
    assert texts(html) == ["keep", "also kept"]


@pytest.mark.parametrize(
    "hidden",
    [
        "<span hidden>HIDDEN</span>",
        "<div aria-hidden='true'>HIDDEN</div>",
        "<div aria-hidden=' TRUE '>HIDDEN</div>",
        "<span style='display:none'>HIDDEN</span>",
        "<span style='color: red; display : none !important'>HIDDEN</span>",
        "<span style='visibility: hidden'>HIDDEN</span>",
        "<span class='sr-only'>HIDDEN</span>",
        "<span class='label visually-hidden'>HIDDEN</span>",
        "<span class='screen-reader-text'>HIDDEN</span>",
        "<input type=hidden value=HIDDEN>",
        "<dialog>HIDDEN</dialog>",
        "<dialog class=x>HIDDEN</dialog>",
    ],
)
def test_hidden_elements_dropped(hidden: str) -> None:
    assert texts(f"<div>vis{hidden}ible</div>") == ["visible"]


def test_hidden_disclosure_widgets_kept_as_collapsed() -> None:
    html = """
    <div class="faq"><h3>Question?</h3>
      <div class="faq__answer" style="display: none"><p>Answer.</p></div></div>
    <div role="tabpanel" hidden><p>Second tab.</p></div>
    <div class="accordion-body" aria-hidden="true"><p>Folded.</p></div>
    <div hidden="until-found"><p>Findable.</p></div>
    <div class="menu-panel" style="display:none"><p>Menu panel stays hidden.</p></div>
    <div class="modal" hidden><p>Modal stays hidden.</p></div>"""
    got = [(b.text, b.collapsed) for b in html_to_blocks(html)]
    assert got == [
        ("Question?", False),
        ("Answer.", True),
        ("Second tab.", True),
        ("Folded.", True),
        ("Findable.", True),
    ]


def test_react_streaming_segments_rendered_at_placeholder() -> None:
    html = """<body><div><p>Shell top</p><template id="B:0"></template><p>Shell end</p></div>
    <div hidden id="S:0"><p>Streamed body</p><template id="P:1"></template></div>
    <div hidden id="S:1"><p>Nested segment</p></div>
    <div hidden id="S:7"><p>Orphan segment</p></div></body>"""
    assert texts(html) == ["Shell top", "Streamed body", "Nested segment", "Shell end"]


def test_declarative_shadow_dom_is_rendered_as_the_host_content() -> None:
    html = """<div><template shadowrootmode="open"><p>shadow</p></template></div>
    <div><template shadowroot="open"><p>older <template shadowrootmode="closed"><b>nested</b>
    </template></p></template><span>light</span></div>
    <div><template><p>inert template</p></template><p>after</p></div>"""
    assert texts(html) == ["shadow", "older nested", "light", "after"]


def test_noscript_only_pages_fall_back_to_noscript_content() -> None:
    body = " ".join(["This forum post is only in noscript for crawlers."] * 10)
    app = f"<div id=app></div><noscript><h1>Topic</h1><p>{body}</p></noscript>"
    assert texts(app) == ["Topic", body]
    normal = "<p>" + body + "</p><noscript><p>Please enable JavaScript.</p></noscript>"
    assert texts(normal) == [body]


def test_a_page_hidden_whole_by_a_wrapper_is_shown() -> None:
    """Anti-flicker wrappers (a ``visibility:hidden`` root until the script runs) and
    modal-open pages (``aria-hidden`` on ``<main>`` while a consent dialog shows) hide
    the whole page from a reader that runs no script: the wrapper is shown."""
    body = " ".join(["The whole article sits in a wrapper its script reveals."] * 8)
    article = f"<h1>Title</h1><p>{body}</p><p>{body}</p>"
    flicker = f"<body><div id=__next><div style='visibility:hidden'>{article}</div></div>"
    assert texts(flicker) == ["Title", body, body]
    modal = (f"<body><div role=dialog><p>We use cookies.</p><button>Accept</button></div>"
             f"<main aria-hidden=true>{article}</main></body>")
    assert texts(modal) == ["We use cookies.", "Accept", "Title", body, body]
    offscreen = f"<body><div style='display: none'>{article}</div><p>Visible line</p></body>"
    assert texts(offscreen) == ["Title", body, body, "Visible line"]


def test_a_wrapper_shown_on_a_noscript_page_keeps_the_noscript_content() -> None:
    lead = " ".join(["Served only inside noscript for crawlers."] * 8)
    body = " ".join(["The rest of the page, hidden by its wrapper until scripts run."] * 50)
    html = (f"<body><noscript><p>{lead}</p></noscript>"
            f"<div style='display:none'><p>{body}</p></div></body>")
    assert texts(html) == [lead, body]


def test_a_large_page_hidden_whole_renders_every_paragraph() -> None:
    paras = "".join(f"<p>Paragraph {k} of a long page hidden by its wrapper.</p>"
                    for k in range(5000))
    page = parse_html(f"<body><div aria-hidden=true><main>{paras}</main></div></body>")
    assert len(page.blocks) == 5000 and page.blocks[-1].text.startswith("Paragraph 4999")


def test_hidden_menus_and_small_hidden_wrappers_stay_hidden() -> None:
    body = " ".join(["A visible article paragraph of ordinary length and words."] * 6)
    menu = "".join(f"<li><a href=/{k}>Category {k}</a></li>" for k in range(60))
    page = f"<nav><ul aria-hidden=true>{menu}</ul></nav><article><p>{body}</p></article>"
    assert texts(page) == [body]  # the hidden menu is not 9 times the visible text
    small = "<p>Hi</p><div hidden><p>Short hidden note, not a page.</p></div>"
    assert texts(small) == ["Hi"]
    note = " ".join(["One of many hidden product notes, each a little paragraph."] * 5)
    many = "<p>Hi</p>" + "".join(f"<div aria-hidden=true><p>{note}</p></div>" for _ in range(9))
    assert texts(many) == ["Hi"]  # none of them holds half of the page


def test_visible_lookalikes_kept() -> None:
    html = (
        "<p aria-hidden=false>a</p><p style='display:block'>b</p>"
        "<p class='hidden-xs'>c</p><dialog open>d</dialog><details><summary>e</summary>f</details>"
    )
    assert texts(html) == ["a", "b", "c", "d", "e", "f"]


# ------------------------------------------------------------------------ entities


def test_entities_decoded() -> None:
    html = "<p>&amp; &lt;tag&gt; &quot;q&quot; caf&eacute; &#8217; &#x2014; &euro;5 &copy;</p>"
    assert texts(html) == ['& <tag> "q" café \u2019 \u2014 €5 ©']


def test_control_characters_removed() -> None:
    assert texts("<p>a\x01b\x7fc</p>") == ["abc"]
    assert texts("\ufeff<p>zero\u200bwidth</p><p>\u200b</p>") == ["zerowidth"]
    assert texts("<p>lone\ud800surrogate</p>") == ["lonesurrogate"]
    assert texts("<p>soft\u00adhyphen &#8203;zero</p>") == ["soft\u00adhyphen zero"]


def test_every_character_the_walk_removes_is_unprintable() -> None:
    # (the walk only runs the removal on blocks that str.isprintable says hold one)
    import sys

    from scrubber.html import _CTRL_RE

    removed = [c for c in range(sys.maxunicode + 1) if _CTRL_RE.match(chr(c))]
    assert removed and not any(chr(c).isprintable() for c in removed)


# ------------------------------------------------------------------------ decoding


def test_decode_bom() -> None:
    assert decode_html(codecs.BOM_UTF8 + "<p>é</p>".encode()) == "<p>é</p>"
    assert decode_html(codecs.BOM_UTF16_LE + "<p>é</p>".encode("utf-16-le")) == "<p>é</p>"
    assert decode_html(codecs.BOM_UTF16_BE + "<p>é</p>".encode("utf-16-be")) == "<p>é</p>"
    # BOM beats a contradicting declaration
    data = codecs.BOM_UTF8 + '<meta charset="iso-8859-2"><p>ž</p>'.encode()
    assert decode_html(data).endswith("<p>ž</p>")


def test_decode_utf16_without_bom() -> None:
    assert decode_html("<html><p>héllo wörld</p></html>".encode("utf-16-le")).endswith(
        "wörld</p></html>"
    )


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "body",
    [
        "Привет мир, это текст на русском языке, довольно длинный абзац.",
        "日本語のテキストです。これは長い文章です。日本語のテキストです。",
        "Καλημέρα κόσμε, ένα κείμενο στα ελληνικά που είναι αρκετά μακρύ.",
    ],
)
def test_utf16_without_a_bom_holding_text_in_other_scripts_is_decoded(
    codec: str, body: str
) -> None:
    # its NULs are the markup's (and the spaces'): far fewer than in English, one side only
    data = f"<html><body><p>{body}</p></body></html>".encode(codec)
    assert utf16_without_bom(data) == codec
    assert texts(data) == [body]


def test_bytes_with_a_nul_every_other_byte_not_read_as_utf16_are_refused_naming_a_bom() -> None:
    rng = random.Random(1)
    noise = bytes(b for _ in range(2048) for b in (rng.randrange(256), 0))
    assert utf16_without_bom(noise) is None
    with pytest.raises(ValueError, match="if it is UTF-16 text, give it a byte-order mark"):
        html_to_blocks(noise)
    # binary data with NULs on both sides is refused as before
    with pytest.raises(ValueError, match="many control bytes"):
        html_to_blocks(bytes(rng.randrange(256) if i % 3 else 0 for i in range(4096)))


@pytest.mark.parametrize(
    ("head", "encoding", "body"),
    [
        ('<meta charset="windows-1251">', "cp1251", "Привет мир"),
        ("<meta charset=koi8-r>", "koi8-r", "Привет мир"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-7">',
            "iso-8859-7",
            "Καλημέρα κόσμε",
        ),
        (
            "<META HTTP-EQUIV='content-type' CONTENT='text/html;charset=Shift_JIS'>",
            "cp932",
            "日本語",
        ),
        ('<meta charset="gb2312">', "gb18030", "中文文本内容"),
        ('<?xml version="1.0" encoding="iso-8859-15"?><html>', "iso-8859-15", "œuvre €"),
    ],
)
def test_decode_declared_charset(head: str, encoding: str, body: str) -> None:
    data = (head + "<p>" + body + "</p>").encode(encoding)
    assert decode_html(data).endswith(body + "</p>")
    assert texts(data) == [body]


@pytest.mark.parametrize(
    ("label", "encoding", "body"),
    [
        ("iso-8859-8-i", "iso-8859-8", "שלום עולם"),  # what Hebrew sites declare
        ("logical", "iso-8859-8", "שלום עולם"),
        ("x-cp1251", "cp1251", "Привет мир"),
        ("koi8", "koi8-r", "Привет мир"),
        ("iso88597", "iso-8859-7", "Καλημέρα κόσμε"),
        ("iso_8859-9", "cp1254", "İstanbul \u201cçok\u201d güzel"),  # windows-1254, as browsers
        ("ks_c_5601-1989", "cp949", "안녕하세요"),
        ("x-euc-jp", "euc-jp", "日本語のテキスト"),
        ("mac", "mac-roman", "café"),
    ],
)
def test_decode_every_whatwg_label_of_a_charset(label: str, encoding: str, body: str) -> None:
    data = (f'<meta charset="{label}"><p>' + body + "</p>").encode(encoding)
    assert decode_html(data).endswith(body + "</p>")


def test_decode_a_meta_charset_inside_a_comment_declares_nothing() -> None:
    body = '<meta charset="windows-1251"><p>Привет мир</p>'
    old = ('<!-- <meta charset="utf-8"> -->', "<!--[if IE]><meta charset=iso-8859-1><![endif]-->")
    for comment in old:
        assert decode_html((comment + body).encode("cp1251")).endswith("<p>Привет мир</p>")


def test_decode_utf8_with_a_broken_byte_declaring_a_legacy_charset_stays_utf8() -> None:
    body = "<p>Café résumé naïve déjà vu — “quotes” über</p>"
    for label in ("windows-1252", "iso-8859-1", "windows-1251", "shift_jis"):
        data = f'<meta charset="{label}">{body}'.encode() + b"\xff broken"
        assert decode_html(data).endswith(body + "\ufffd broken")


def test_decode_latin1_declaration_means_cp1252() -> None:
    data = b'<meta charset="iso-8859-1"><p>\x93quoted\x94 caf\xe9</p>'
    assert decode_html(data).endswith("<p>\u201cquoted\u201d café</p>")


@pytest.mark.parametrize("label", ["no-such-charset", "base64", "utf-7", "rot13", "x" * 60, ""])
def test_decode_bogus_charset_falls_through(label: str) -> None:
    utf8 = f'<meta charset="{label}"><p>naïve</p>'.encode()
    assert decode_html(utf8).endswith("<p>naïve</p>")
    legacy = f'<meta charset="{label}"><p>na\xefve</p>'.encode("latin-1")
    assert decode_html(legacy).endswith("<p>naïve</p>")


def test_decode_fallbacks() -> None:
    # undeclared and valid UTF-8
    assert decode_html("<p>ünïcödé</p>".encode()) == "<p>ünïcödé</p>"
    # undeclared, not UTF-8: windows-1252; its undefined bytes never raise
    assert (
        decode_html(b"<p>\x80 caf\xe9 \x81\x8d\x8f\x90\x9d</p>")
        == "<p>€ café \x81\x8d\x8f\x90\x9d</p>"
    )
    # declared legacy but the bytes are UTF-8 (re-encoded page kept its old meta)
    assert decode_html('<meta charset="iso-8859-1"><p>café</p>'.encode()).endswith("<p>café</p>")
    # UTF-8 with one broken byte stays UTF-8 (replacement char), not mojibake
    data = ("<p>" + "ünïcödé " * 20 + "</p>").encode() + b"\xff"
    assert decode_html(data).startswith("<p>ünïcödé") and decode_html(data).endswith("\ufffd")
    assert decode_html(b"") == ""


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_decode_never_raises(data: bytes) -> None:
    assert isinstance(decode_html(data), str)
    assert isinstance(decode_html(b'<meta charset="utf-8">' + data), str)
    assert isinstance(decode_html(b'<meta charset="shift_jis">' + data), str)


def test_bytes_input_decoded() -> None:
    data = '<html><head><meta charset="cp1252"></head><body><p>caf\xe9 \x80</p></body></html>'
    assert texts(data.encode("latin-1")) == ["café €"]
    assert texts("<p>€ résumé</p>".encode()) == ["€ résumé"]


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (gzip.compress(b"<p>x</p>"), "gzip"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
        (bytes(range(32)) * 40, "control bytes"),
    ],
)
def test_binary_bytes_raise_value_error(data: bytes, what: str) -> None:
    with pytest.raises(ValueError, match=what):
        html_to_blocks(data)


def test_wrong_type_raises_type_error() -> None:
    with pytest.raises(TypeError):
        html_to_blocks(123)  # type: ignore[arg-type]


# ------------------------------------------------------------------- block metadata


def test_link_density() -> None:
    b = one("<p>Some <a href=/x>link</a> text</p>")
    assert (b.text, b.link_chars, b.text_chars, b.n_links) == ("Some link text", 4, 14, 1)
    assert b.link_density == pytest.approx(4 / 14)
    nav = one("<ul><li><a href=/a>Home</a> <a href='/b'>About <b>us</b></a></li></ul>")
    assert (nav.text, nav.n_links, nav.link_density) == ("Home About us", 2, 1.0)
    plain = one("<p>No links here</p>")
    assert (plain.link_chars, plain.n_links, plain.link_density) == (0, 0, 0.0)


def test_class_id_tokens_and_hints() -> None:
    html = """
    <div id="Page-Wrap" class="outer">
      <div class="a1"><div class="a2"><div class="a3"><div class="a4">
        <section id="commentList" class="Comment_Section js-x">
          <p class="reply">Nice <span class="user-name">post</span></p>
        </section>
      </div></div></div></div>
    </div>"""
    b = one(html)
    # the block's own tokens, its inline span's, and the nearest ancestors with attributes
    assert {"reply", "user", "name", "comment", "section", "js", "x", "commentlist"} <= b.tokens
    assert "a4" in b.tokens and "a3" in b.tokens
    assert "outer" not in b.tokens  # too far up: NEAR_ANCESTORS
    # hints are matched by substring over all ancestors
    assert "comment" in b.hints
    assert all(t == t.lower() for t in b.tokens)


@pytest.mark.parametrize(
    ("cls", "is_ad"),
    [
        ("ad", True),
        ("ad-slot top", True),
        ("adsbygoogle", True),
        ("sidebar-advert", True),
        ("google_ads", True),
        ("header", False),
        ("shadow", False),
        ("download-link", False),
        ("lead", False),
    ],
)
def test_ad_hint_uses_tokens(cls: str, is_ad: bool) -> None:
    assert ("ad" in one(f"<div class='{cls}'>x</div>").hints) is is_ad


def test_html_and_body_classes_are_page_level() -> None:
    page = parse_html(
        '<html class="no-js"><body class="single-post comments-open" id="top">'
        '<div class="entry-content"><p>Text</p></div></body></html>'
    )
    assert {"single", "post", "comments", "open", "no", "js", "top"} <= page.page_tokens
    (b,) = page.blocks
    assert b.tokens == frozenset({"entry", "content"})
    assert "comment" not in b.hints and "entry" in b.hints


def test_boilerplate_hints() -> None:
    b = one("<div class='site-footer'><div id='newsletterSignup'><p>Join</p></div></div>")
    assert {"footer", "newsletter", "subscribe"} <= b.hints
    assert "footer" not in one("<p class=intro>x</p>").hints


def test_landmarks() -> None:
    html = """<header><p>Masthead</p></header><nav><p>Menu</p></nav>
    <main><article><h1>Title</h1><p>Body</p></article></main>
    <div role="main"><p>Role main</p></div><div itemprop="articleBody"><p>Item body</p></div>
    <div role="navigation"><p>Role nav</p></div><aside><p>Side</p></aside>
    <footer><p>Foot</p></footer><form><p>Form</p></form>"""
    got = {b.text: (b.in_main, b.in_boilerplate_tag) for b in html_to_blocks(html)}
    assert got == {
        "Masthead": (False, True),
        "Menu": (False, True),
        "Title": (True, False),
        "Body": (True, False),
        "Role main": (True, False),
        "Item body": (True, False),
        "Role nav": (False, True),
        "Side": (False, True),
        "Foot": (False, True),
        "Form": (False, True),
    }
    assert html_to_blocks(html)[2].landmarks == frozenset({"main", "article"})


def test_headings_title_h1_lang() -> None:
    page = parse_html(
        "<html lang='en-GB'><head><title>  The  Story | Site </title></head>"
        "<body><h2>Kicker</h2><h1>The <i>Story</i></h1>"
        "<h3><span>Sub</span></h3><p>Text</p></body></html>"
    )
    assert page.title == "The Story | Site"
    assert page.h1 == "The Story"
    assert page.lang == "en-gb"
    assert [b.heading for b in page.blocks] == [2, 1, 3, 0]
    assert page.blocks[1].title_overlap == 1.0
    assert page.blocks[3].title_overlap == 0.0
    assert page.text == "Kicker\nThe Story\nSub\nText"


def test_dom_matrix_title_overlap_equals_the_block_property_on_ascii_and_other_text() -> None:
    """The matrix's title-overlap column (bytes fast path for ASCII blocks) gives the
    property's value on every block: ASCII, accented, CJK, digits, underscores, case."""
    from scrubber.html import DOM_FEATURES, dom_feature_matrix

    page = parse_html(
        "<title>Caf\u00e9 NEWS_2024: \u6771\u4eac report</title>"
        "<p>cafe news_2024 Report, report!</p><p>Caf\u00e9 \u2019news_2024\u2019</p>"
        "<p>\u6771\u4eac report</p><p>NEWS 2024 news_2024x</p><p>--- ...</p>"
        "<p>K\u212aNEWS_2024</p>"
    )
    col = DOM_FEATURES.index("dom_title_overlap")
    got = [float(v) for v in dom_feature_matrix(page.blocks)[:, col]]
    assert got == [b.title_overlap for b in page.blocks]
    assert got[0] == 0.75 and got[4] == 0.0


def test_path_depth_position_index() -> None:
    blocks = html_to_blocks("<div><section><p>a</p></section></div><p>b</p><p>c</p>")
    assert blocks[0].path == ("html", "body", "div", "section", "p")
    assert blocks[0].depth == 5
    assert [b.index for b in blocks] == [0, 1, 2]
    assert [b.position for b in blocks] == [0.0, 0.5, 1.0]
    deep = one("<div>" * 40 + "deep" + "</div>" * 40)
    assert len(deep.path) == MAX_PATH and deep.path[-1] == "div" and deep.depth == 42
    assert one("<p>x</p>").position == 0.0


def test_dom_features() -> None:
    blocks = html_to_blocks("<main><h2>Head</h2></main><nav><a href=/>Home</a></nav>")
    f = blocks[0].dom_features()
    assert list(f) == list(DOM_FEATURES)
    assert all(name.startswith("dom_") for name in f)
    assert all(isinstance(v, float) and math.isfinite(v) for v in f.values())
    assert f["dom_heading"] == 2.0 and f["dom_in_main"] == 1.0 and f["dom_tag_heading"] == 1.0
    nav = blocks[1].dom_features()
    assert nav["dom_link_density"] == 1.0 and nav["dom_lm_nav"] == 1.0
    assert blocks[1].dom_vector() == list(nav.values())
    m = dom_feature_matrix(blocks)
    assert m.shape == (2, len(DOM_FEATURES))
    assert dom_feature_matrix([]).shape == (0, len(DOM_FEATURES))


def test_dom_feature_matrix_is_the_blocks_dom_vectors() -> None:
    page = parse_html(
        "<title>Town news: library</title><body class=single-post><nav><a href=/>Home</a></nav>"
        "<main><h1>Library opens</h1><p class=lead>The town library opened today.</p>"
        "<ul><li><a href=/a>One</a> two</li></ul><table><tr><td>1</td><td>2</td></tr></table>"
        "<pre>code  here</pre><details><summary>More</summary>Hidden text</details></main>"
        "<aside class='sidebar share'><p>Share this</p></aside><footer>Copyright</footer>"
    )
    m = dom_feature_matrix(page.blocks)
    assert m.tolist() == [b.dom_vector() for b in page.blocks]


# -------------------------------------------------------------- robustness & edges


@pytest.mark.parametrize(
    "empty", ["", "   \n\t ", b"", b"   ", "<html></html>", "<!-- only -->", "<!doctype html>"]
)
def test_empty_input(empty: str | bytes) -> None:
    assert html_to_blocks(empty) == []
    assert html_to_text(empty) == ""


@pytest.mark.parametrize("tag", ["div", "span", "b", "ul><li", "blockquote", "table><tr><td"])
def test_deep_nesting_does_not_crash(tag: str) -> None:
    n = 100_000
    close = "</" + tag.split("><")[0] + ">"
    html = f"<{tag}>" * n + "deep text" + close * n + "<p>after</p>"
    start = time.perf_counter()
    out = texts(html)
    assert time.perf_counter() - start < 30
    assert "deep text" in out
    assert out[-1] == "after"


def test_many_self_closed_svg_tags_are_not_nesting() -> None:
    # > 16384 tags triggers the nesting estimate; self-closed SVG paths must not count.
    html = "<svg>" + "<path d='M0 0'/>" * 17000 + "</svg><div><p>a</p><p>b</p></div>"
    html += "<script>" + "<div>" * 2000 + "</script><p>c</p>"
    blocks = html_to_blocks(html)
    assert [(b.tag, b.text) for b in blocks] == [("p", "a"), ("p", "b"), ("p", "c")]


@pytest.mark.parametrize(
    "junk",
    [
        "<a " * 100_000,
        "<div " * 100_000 + ">x",
        "<" * 200_000,
        "<p>" + "a<b" * 100_000,
        "<div>" * 20_000 + "<" + "x" * 1_000_000,
        "&" * 300_000 + "&#" * 100_000,
        "<!--" * 100_000,
        "<table>" + "<td>" * 50_000,
        "<p " + "".join(f"a{i}=1 " for i in range(100_000)) + ">x",
        "<select>" + "<option>x" * 100_000,
        "<b><i>" * 50_000 + "x",
        "<a href=x>" * 100_000 + "x",
    ],
)
def test_adversarial_markup_stays_fast(junk: str) -> None:
    start = time.perf_counter()
    html_to_text(junk)
    assert time.perf_counter() - start < 10


def test_deep_nesting_keeps_shallow_structure() -> None:
    html = "<p>first</p>" + "<div>" * 5000 + "<p>x</p><p>y</p>" + "</div>" * 5000 + "<p>last</p>"
    out = texts(html)
    assert out[0] == "first" and out[-1] == "last"
    assert "x" in out and "y" in out


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>unclosed<p>second", ["unclosed", "second"]),
        ("<div><p>a</div>b</p>", ["a", "b"]),
        ("</p></div>stray <b>bold", ["stray bold"]),
        ("<p>a<li>b</p>", ["a", "b"]),
        ("<<p>>x<</p>>", ["<", ">x<", ">"]),
        # an attribute value left open swallows the rest of the document, as in browsers
        ("<p title='unterminated>text</p><p>next</p>", []),
        ("<![CDATA[x]]><p>y</p>", ["y"]),
    ],
)
def test_broken_markup(html: str, expected: list[str]) -> None:
    assert texts(html) == expected


def test_unclosed_title_does_not_swallow_the_page() -> None:
    body = "".join(f"<p>Paragraph {i} of the story.</p>" for i in range(200))
    page = parse_html("<html><head><title>Headline\n</head><body>" + body)
    assert page.title == "Headline"
    assert len(page.blocks) == 200 and page.blocks[0].text == "Paragraph 0 of the story."


@pytest.mark.parametrize("after_title", ["\n</head><body>", "</head><body>", ""])
def test_unclosed_title_does_not_swallow_a_short_page(after_title: str) -> None:
    body = "<p>The first paragraph of the story.</p><p>The second one.</p>"
    page = parse_html("<html><head><title>Headline" + after_title + body)
    assert page.title == "Headline"
    assert [b.text for b in page.blocks] == ["The first paragraph of the story.", "The second one."]
    # a title that is closed keeps whatever it holds
    page = parse_html("<title>a <b> c</title><p>x</p>")
    assert page.title == "a <b> c" and [b.text for b in page.blocks] == ["x"]


def test_huge_attribute_values() -> None:
    big = "x" * 5_000_000
    html = f"<div class='{big} nav' id='{big}' style='{big}'><p data-x='{big}'>ok</p></div>"
    start = time.perf_counter()
    assert texts(html) == ["ok"]
    assert time.perf_counter() - start < 5


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<div>",
                    "</div>",
                    "<br>",
                    "<li>",
                    "<table>",
                    "<td>",
                    "<tr>",
                    "<pre>",
                    "</pre>",
                    "<a href=x>",
                    "</a>",
                    "<script>",
                    "</script>",
                    "<!--",
                    "-->",
                    "<b>",
                    "</b>",
                    "&amp;",
                    "&#0;",
                    "<span hidden>",
                    "</span>",
                    "<",
                    ">",
                    " ",
                    "\n",
                ]
            ),
            st.text(max_size=20),
        ),
        max_size=60,
    ).map("".join)
)
def test_any_str_renders(html: str) -> None:
    blocks = html_to_blocks(html)
    for b in blocks:
        assert b.text and b.text == b.text.rstrip() and "\n" not in b.text
        assert 0.0 <= b.link_density <= 1.0
        assert b.text_chars == len(b.text)
    assert html_to_text(html) == "\n".join(b.text for b in blocks)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_render_or_value_error(data: bytes) -> None:
    try:
        out = html_to_text(data)
    except ValueError as exc:
        assert "not HTML" in str(exc)
    else:
        assert isinstance(out, str)


# ------------------------------------------------------------------------ front ends


def test_auto_asks_trafilatura_only_when_the_blocks_render_next_to_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scrubber
    from scrubber import pipeline

    asked: list[str] = []

    def fake_trafilatura(html: str, required: bool) -> str:
        asked.append(html)
        return "Text trafilatura found in the page's scripts."

    monkeypatch.setattr(pipeline, "_trafilatura_text", fake_trafilatura)
    app = "<html><body><div id=app></div><script>render({text: 'x'})</script></body></html>"
    assert scrubber.clean_html(app) == "Text trafilatura found in the page's scripts.\n"
    assert scrubber.clean_html(app, front_end="blocks") == ""
    assert len(asked) == 1
    # a page's worth of text the model reads and keeps none of: the model's answer stands
    links = "".join(f"<li><a href=/c{k}>Category number {k}</a></li>" for k in range(40))
    menu_only = f"<html><body><nav><ul>{links}</ul></nav></body></html>"
    assert scrubber.clean_html(menu_only, threshold=1.0, front_end="blocks") == ""
    assert scrubber.clean_html(menu_only, threshold=1.0) == ""
    assert len(asked) == 1


def test_explain_says_when_the_decisions_are_about_trafilatura_lines_not_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scrubber
    from scrubber import pipeline

    monkeypatch.setattr(pipeline, "_trafilatura_text", lambda html, required: (
        "A sentence of article text that trafilatura found in the page's scripts.\n"
    ))
    app = "<html><body><div id=app>Loading</div><script>render()</script></body></html>"
    fallback = scrubber.clean_html_and_explain(app)
    assert fallback.front_end == "trafilatura"
    assert [d.text for d in fallback.decisions] == [
        "A sentence of article text that trafilatura found in the page's scripts."
    ]
    assert all(d.reason.startswith("trafilatura's text (fallback: the blocks rendered 7 "
                                   "characters (under 200) and kept none): ")
               for d in fallback.decisions)
    first = scrubber.clean_html_and_explain(app, front_end="trafilatura")
    assert first.front_end == "trafilatura"
    assert first.decisions[0].reason.startswith("trafilatura's text (front_end='trafilatura')")
    blocks = scrubber.clean_html_and_explain(app, front_end="blocks")
    assert blocks.front_end == "blocks"
    assert [d.text for d in blocks.decisions] == ["Loading"]
    assert not blocks.decisions[0].reason.startswith("trafilatura")


def test_trafilatura_is_never_asked_for_reader_comments_whatever_config_comments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trafilatura = pytest.importorskip("trafilatura")
    import scrubber

    asked: list[bool] = []

    def fake_extract(html: str, **kwargs: object) -> str:
        asked.append(bool(kwargs.get("include_comments")))
        return "A sentence of article text that trafilatura found in the page."

    monkeypatch.setattr(trafilatura, "extract", fake_extract)
    app = "<html><body><div id=app></div><script>render()</script></body></html>"
    for front_end in ("trafilatura", "auto"):  # (auto: the blocks render nothing)
        scrubber.clean_html(app, front_end=front_end)
        scrubber.clean_html(app, front_end=front_end, comments=False)
    # (asking for them when comments=True measured worse: README "Reader comments")
    assert asked == [False, False, False, False]


def test_cleaning_pauses_the_garbage_collector_and_restores_its_state() -> None:
    import gc

    import scrubber
    from scrubber import pipeline

    assert gc.isenabled()
    seen: list[bool] = []
    real = pipeline._run_html

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    pipeline._run_html = spy  # type: ignore[assignment]
    try:
        scrubber.clean_html("<p>Some body text here.</p>")
    finally:
        pipeline._run_html = real  # type: ignore[assignment]
    assert seen == [False] and gc.isenabled()
    with pytest.raises(TypeError):
        scrubber.clean_html(12345)  # type: ignore[arg-type]
    assert gc.isenabled()  # back on after an error
    gc.disable()
    try:
        scrubber.clean("a line\n\nanother line")
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


_COMMENTED_ARTICLE = (
    "<html><head><title>A long story</title></head><body><article><h1>A long story</h1>"
    + "".join(f"<p>Paragraph {i} of the article tells the story at some length, as articles "
              f"do, with enough words to read as body text.</p>" for i in range(6))
    + "</article><section id='comments' class='comment-list'><h3>3 Responses</h3>"
    + "".join(f"<div class='comment-body'><p>Reader {i} writes a thoughtful reply about the "
              f"story with several sentences of opinion in it.</p></div>" for i in range(3))
    + "</section></body></html>"
)


def test_comments_false_drops_comment_sections_and_says_why() -> None:
    import scrubber
    from scrubber import Stage

    # by default the comment section is the model's to judge: no block goes for its element
    default = scrubber.clean_html_and_explain(_COMMENTED_ARTICLE, front_end="blocks")
    assert "Paragraph 5" in default.text
    assert not [d for d in default.decisions if d.stage is Stage.DOM]
    assert any(d.text.startswith("Reader") for d in default.decisions)
    dropped = scrubber.clean_html(_COMMENTED_ARTICLE, front_end="blocks", comments=False)
    assert "Paragraph 0" in dropped and "Paragraph 5" in dropped
    assert "Reader" not in dropped and "Responses" not in dropped
    ex = scrubber.clean_html_and_explain(_COMMENTED_ARTICLE, front_end="blocks",
                                         comments=False)
    why = [d for d in ex.decisions if d.text.startswith("Reader 1")]
    assert why and why[0].stage is Stage.DOM and why[0].action.value == "drop"
    assert "comment" in why[0].reason
    # text input has no DOM: there the comments start below a line that opens them
    # after the body (tests/test_context.py); an opener with no body above cuts nothing
    text = "Leave a reply\n\nReader 1 writes a thoughtful reply about the story here.\n"
    assert scrubber.clean(text, comments=False) == scrubber.clean(text)


def test_comments_option_is_validated_and_on_the_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from scrubber import Config

    with pytest.raises(ValueError, match="comments"):
        Config(comments="no")  # type: ignore[arg-type]
    page = tmp_path / "page.html"
    page.write_text(_COMMENTED_ARTICLE, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "scrubber", "--no-comments", str(page)],
                         capture_output=True, text=True, check=True).stdout
    assert "Paragraph 3" in out and "Reader" not in out


def test_element_names_of_custom_and_standard_tags_in_the_block_path() -> None:
    # custom elements get a per-document tag id; standard ones a fixed id, whose name the
    # walker remembers (scrubber.html._TAG_NAMES)
    first = html_to_blocks("<my-card><section><p>one</p></section></my-card>")
    second = html_to_blocks("<other-el><section><p>two</p></section></other-el>")
    assert first[0].path[-3:] == ("my-card", "section", "p")
    assert second[0].path[-3:] == ("other-el", "section", "p")
    svg = html_to_blocks("<svg><clipPath/></svg><clippath><p>x</p></clippath>")
    assert svg[0].path[-2:] == ("clippath", "p")


@pytest.mark.parametrize(("wrapper", "dropped"), [
    # a paper's section as Pandoc, Quarto and Sphinx write it, and an opinion piece's
    # wrapper, were read as comment sections: comments=False emptied them (review)
    ("<section id='discussion' class='level2'><h2>Discussion</h2>{}</section>", False),
    ("<div class='section' id='discussion'><h2>Discussion</h2>{}</div>", False),
    ("<div id='commentary'>{}</div>", False),
    # what names a comment section still does
    ("<div id='comments'><h2>Comments</h2>{}</div>", True),
    ("<section id='comments' class='comments-area'><h2>Comments</h2>{}</section>", True),
    ("<section id='discussion'><h2>12 thoughts on this story</h2>{}</section>", True),
    ("<div id='disqus_thread'>{}</div>", True),
    ("<div itemprop='comment'>{}</div>", True),
])
def test_comments_false_drops_comment_sections_not_sections_named_like_them(
    wrapper: str, dropped: bool
) -> None:
    import scrubber

    inner = "".join(f"<p>Paragraph {i} of this part says something at some length, with "
                    "enough words in it to read as body text here.</p>" for i in range(3))
    page = ("<html><head><title>A study</title></head><body><h1>A study</h1>"
            + "".join(f"<p>Opening paragraph {i} of the piece tells its story at length, "
                      "as a piece does, with words.</p>" for i in range(3))
            + wrapper.format(inner) + "</body></html>")
    out = scrubber.clean_html(page, front_end="blocks", comments=False)
    assert "Opening paragraph 2" in out
    assert ("Paragraph 1 of this part" not in out) is dropped


@pytest.mark.parametrize(("style", "hidden"), [
    ("backface-visibility: hidden", False),  # (a carousel's style: it hid the article)
    ("-webkit-backface-visibility:hidden;backface-visibility:hidden", False),
    ("display: none; display: block", False),  # (the last declaration counts)
    ("--display: none", False),
    ("background: url(display:none.png)", False),
    ("display: none", True),
    ("DISPLAY : None", True),
    ("display: block; display: none", True),
    ("display: none !important; display: block", True),
    ("visibility: hidden", True),
    ("visibility: collapse", True),
])
def test_only_the_display_and_visibility_properties_hide_an_element(
    style: str, hidden: bool
) -> None:
    text = html_to_text(f"<p>shown</p><div style='{style}'><p>styled</p></div>")
    assert ("styled" not in text) is hidden


def test_a_declarative_shadow_root_in_foreign_content_renders() -> None:
    # (<template shadowrootmode> inside <math> has no template fragment: IndexError, and
    # clean_html, which never raises for a str, raised)
    import scrubber

    page = ("<html><body><p>The article text is here, a paragraph long enough to read as "
            "body text.</p><math><template shadowrootmode='open'>x</template></math></body>"
            "</html>")
    assert "article text" in html_to_text(page)
    assert "article text" in scrubber.clean_html(page)
