"""Fuzz target: the JSONL reader (``scrubber.corpus.jsonl.clean_jsonl``).

The input bytes are a JSONL stream (several records, blank lines, broken JSON, invalid
UTF-8, BOMs, CR). It is cleaned with ``on_error="keep"``: no exception may escape; every
non-blank input line gives exactly one output line; a record written as cleaned is valid
JSON whose other top-level fields equal the input's; a bad record comes back byte for byte.
``on_error="skip"`` and ``"fail"`` are run too (fail may raise ``RecordError`` only).

    nice -n 19 python fuzz/fuzz_jsonl.py /tmp/scrubber-fuzz/corpus/jsonl -timeout=60
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

import atheris
import numpy  # noqa: F401

with atheris.instrument_imports():
    import scrubber
    import scrubber.corpus.jsonl
    import scrubber.corpus.records
    import scrubber.corpus.stats
    import scrubber.pipeline  # noqa: F401

from _harness import wrap

from scrubber.corpus.jsonl import JsonlOptions, RecordError, clean_jsonl


def _others(record: dict) -> str:
    """The record less its text field, as canonical JSON (NaN-safe comparison)."""
    return json.dumps({k: v for k, v in record.items() if k != "text"}, sort_keys=True)


def body(data: bytes) -> None:
    records = [ln for ln in data.split(b"\n") if ln.strip()]
    out = io.BytesIO()
    clean_jsonl([io.BytesIO(data)], out, options=JsonlOptions(on_error="keep", stats=True))
    lines = out.getvalue().split(b"\n")
    assert lines[-1] == b"", "output ends with a newline"
    lines.pop()
    assert len(lines) == len(records), f"{len(records)} records in, {len(lines)} lines out"
    for src, got in zip(records, lines, strict=True):
        if got == src:
            continue
        a = json.loads(src.decode("utf-8").lstrip("\ufeff"))
        b = json.loads(got.decode("utf-8").lstrip("\ufeff"))
        assert isinstance(b, dict) and isinstance(b.get("text"), str)
        assert _others(a) == _others(b), "other fields changed"
    clean_jsonl([io.BytesIO(data)], io.BytesIO(), options=JsonlOptions(on_error="skip"))
    with contextlib.suppress(RecordError):
        clean_jsonl([io.BytesIO(data)], io.BytesIO(), options=JsonlOptions(on_error="fail"))


if __name__ == "__main__":
    atheris.Setup(sys.argv, wrap("jsonl", body))
    atheris.Fuzz()
