"""Fuzz target: ``scrubber.clean`` / ``clean_and_explain`` and the CLI's byte path.

The input bytes are decoded as the CLI does (UTF-8 with ``surrogateescape``), cleaned, and
checked: no exception; every output line is a piece of an input line, in order; one
decision per input line; the explaining and the fast path agree; encoding the output back
gives bytes whose lines are pieces of the input's lines (byte fidelity).

    nice -n 19 python fuzz/fuzz_clean.py /tmp/scrubber-fuzz/corpus/clean -timeout=60
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import scrubber
    import scrubber.context
    import scrubber.features
    import scrubber.lines
    import scrubber.model
    import scrubber.pipeline
    import scrubber.rules
    import scrubber.rules.checks

from _harness import check_pieces, wrap

from scrubber.cli import decode, encode

_CFG_NO_MODEL = scrubber.Config(use_model=False)


def body(data: bytes) -> None:
    text, bom = decode(data)
    out = scrubber.clean(text)
    check_pieces(text, out)
    ex = scrubber.clean_and_explain(text)
    assert ex.text == out, "clean and clean_and_explain disagree"
    assert len(ex.decisions) == len(scrubber.lines.split_lines(text)[0]), "decision count"
    raw = encode(out, bom)
    back = raw.decode(bom or "utf-8", "surrogateescape")  # (UTF-16/32 after their BOM)
    assert back.lstrip("\ufeff") in (out, out.lstrip("\ufeff"))
    check_pieces(text, scrubber.clean(text, _CFG_NO_MODEL, context=False))


if __name__ == "__main__":
    atheris.Setup(sys.argv, wrap("clean", body))
    atheris.Fuzz()
