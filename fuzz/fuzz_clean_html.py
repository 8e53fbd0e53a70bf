"""Fuzz target: ``scrubber.clean_html`` / ``clean_html_and_explain`` on bytes and on str.

Bytes that are recognisably not HTML may raise ``ValueError`` (documented); anything else
is a finding. Checks: the fast and explaining paths agree; the output is made of the
decided lines, in order; with ``front_end="blocks"``, one decision per block.

    nice -n 19 python fuzz/fuzz_clean_html.py /tmp/scrubber-fuzz/corpus/html -timeout=60
"""

from __future__ import annotations

import sys

import atheris
import lxml  # noqa: F401  (pre-import heavy dependencies outside the instrumentation)
import numpy  # noqa: F401
import selectolax.lexbor  # noqa: F401

with atheris.instrument_imports():
    import scrubber
    import scrubber.html
    import scrubber.pipeline

from _harness import check_pieces, wrap


def body(data: bytes) -> None:
    as_str = bool(data[:1]) and data[0] & 1
    html: str | bytes = data[1:].decode("utf-8", "surrogateescape") if as_str else data[1:]
    try:
        out = scrubber.clean_html(html)
    except ValueError as e:
        if as_str or ("not HTML" not in str(e) and "binary" not in str(e).lower()):
            raise
        return
    ex = scrubber.clean_html_and_explain(html)
    assert ex.text == out, "clean_html and clean_html_and_explain disagree"
    check_pieces("\n".join(d.text for d in ex.decisions), out)
    # the blocks front end (the default falls back to it): one decision per block
    exb = scrubber.clean_html_and_explain(html, front_end="blocks")
    blocks = scrubber.html.parse_html(html).blocks
    assert len(exb.decisions) == len(blocks), "one decision per block"
    check_pieces("\n".join(b.text for b in blocks), exb.text)

if __name__ == "__main__":
    atheris.Setup(sys.argv, wrap("clean_html", body))
    atheris.Fuzz()
