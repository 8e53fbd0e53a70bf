"""JSONL corpus mode: field replacement, byte-exact other fields, bad records, workers,
bounded memory, atomic output, stats, and the CLI wiring."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import scrubber
from scrubber.cli import main
from scrubber.corpus.jsonl import (
    JsonlOptions,
    RecordError,
    atomic_output,
    clean_jsonl,
    parse_object,
    process_line,
)
from scrubber.corpus.stats import CorpusStats

CFG = scrubber.Config(use_model=False)  # rules + context only: stable while the model changes
BODY = "The body paragraph of the article goes on for a while, as body text does."
PAGE = f"Leave a Comment\n{BODY}\n"


def page(n: int) -> str:
    return f"Leave a Comment\nHeadline number {n}\n{BODY} Page {n}.\n"


def run(
    lines: list[bytes | str], cfg: scrubber.Config = CFG, **kw: object
) -> tuple[bytes, CorpusStats]:
    src = io.BytesIO(b"".join((x.encode() if isinstance(x, str) else x) + b"\n" for x in lines))
    out = io.BytesIO()
    opts = kw.pop("options", JsonlOptions())
    stats = clean_jsonl([src], out, cfg, opts, **kw)  # type: ignore[arg-type]
    return out.getvalue(), stats


# --------------------------------------------------------------------------- parsing


def test_parse_object_spans_and_last_duplicate_wins() -> None:
    s = '{"a": 1.50, "b" : {"x": [1, "}"]}, "a": "\\u00e9"}'
    fields, close = parse_object(s)
    value, a, b = fields["b"]
    assert value == {"x": [1, "}"]} and s[a:b] == '{"x": [1, "}"]}'
    assert fields["a"][0] == "é" and s[fields["a"][1]:fields["a"][2]] == '"\\u00e9"'
    assert s[close] == "}" and close == len(s) - 1


@pytest.mark.parametrize("bad", ['{"a": 1', '{"a" 1}', '{"a": 1,}', '{"a": 1} x', "{'a': 1}", ""])
def test_parse_object_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_object(bad)


# --------------------------------------------------------------------------- records


def test_only_the_field_changes_other_bytes_untouched() -> None:
    line = ('{ "id":7,"meta": {"n": 1.50, "e": "\\u00e9\\n"},  "text" : '
            + json.dumps(PAGE) + ' , "z":[1,2 ,3] }')
    out, stats = run([line])
    expected = line.replace(json.dumps(PAGE), json.dumps(scrubber.clean(PAGE, CFG),
                                                         ensure_ascii=False))
    assert out == (expected + "\n").encode()
    assert json.loads(out)["text"] == f"{BODY}\n"
    assert stats.docs_in == stats.docs_out == stats.cleaned == 1
    assert stats.lines_in == 2 and stats.lines_out == 1


def test_keep_original_and_decisions_append_or_replace() -> None:
    rec = {"id": 1, "text": PAGE, "why": "old"}
    opts = JsonlOptions(keep_original="raw", decisions="why", stats=True)
    out, stats = run([json.dumps(rec)], options=opts)
    got = json.loads(out)
    assert list(got) == ["id", "text", "why", "raw"]  # existing field replaced in place
    assert got["raw"] == PAGE
    assert [d["action"] for d in got["why"]] == ["drop", "keep"]
    assert got["why"][0]["rule_id"] == "comments.leave-a-comment"
    assert set(got["why"][0]) == {"line", "action", "stage", "rule_id", "score", "reason"}
    assert stats.reasons["drop:rule:comments.leave-a-comment"] == 1
    assert stats.per_rule()["comments.leave-a-comment"] == 1


def test_options_must_name_distinct_fields() -> None:
    with pytest.raises(ValueError):
        JsonlOptions(field="text", keep_original="text")
    with pytest.raises(ValueError):
        JsonlOptions(on_error="ignore")


def test_lone_surrogate_escapes_survive() -> None:
    line = '{"text": "Leave a Comment\\nA body paragraph with a lone \\ud800 surrogate in it."}'
    out, _ = run([line])
    assert b"\\ud800" in out
    assert json.loads(out)["text"] == "A body paragraph with a lone \ud800 surrogate in it.\n"


BAD_LINES = [
    (b"not json", "malformed JSON"),
    (b'{"text": "caf\xe9"}', "malformed JSON"),  # not UTF-8
    (b"[1, 2]", "not an object"),
    (b'{"id": 3}', "missing field"),
    (b'{"text": null}', "not a string"),
    (b'{"text": ["a"]}', "not a string"),
]


@pytest.mark.parametrize(("raw", "kind"), BAD_LINES)
def test_bad_record_kinds(raw: bytes, kind: str) -> None:
    status, line, info = process_line(raw, CFG, JsonlOptions(on_error="skip"))
    assert status == "bad" and line is None and info[0] == kind
    status, line, info = process_line(raw, CFG, JsonlOptions(on_error="keep"))
    assert line == raw + b"\n"


def test_on_error_fail_reports_line_number_after_writing_what_came_before() -> None:
    good = json.dumps({"text": PAGE})
    with pytest.raises(RecordError) as exc:
        run([good, "", '{"text": 5}', good])
    assert exc.value.lineno == 3 and exc.value.kind == "not a string"
    assert "3: not a string" in str(exc.value)
    assert exc.value.stats.bad_action["fail"] == 1  # type: ignore[attr-defined]


def test_on_error_skip_and_keep_count_everything() -> None:
    good = json.dumps({"text": PAGE})
    lines = [good, "{oops", "", '{"id": 1}', good]
    reports: list[tuple[str, int, str, str, str]] = []
    out, stats = run(lines, options=JsonlOptions(on_error="skip"),
                     report=lambda *a: reports.append(a))
    assert out.count(b"\n") == 2
    assert [(r[1], r[2], r[4]) for r in reports] == [(2, "malformed JSON", "skip"),
                                                     (4, "missing field", "skip")]
    assert stats.docs_in == 4 and stats.docs_out == 2 and stats.blank_lines == 1
    assert stats.bad == {"malformed JSON": 1, "missing field": 1}
    out, stats = run(lines, options=JsonlOptions(on_error="keep"))
    assert out.split(b"\n")[1:3] == [b"{oops", b'{"id": 1}']
    assert stats.docs_out == 4 and stats.bad_action["keep"] == 2
    assert "kept unchanged 2" in stats.format_table()


# --------------------------------------------------------------------------- workers


def test_workers_preserve_order_and_match_in_process() -> None:
    lines = [json.dumps({"i": i, "text": page(i)}) for i in range(60)]
    lines.insert(17, "{bad")
    opts = JsonlOptions(on_error="keep", stats=True)
    one, s1 = run(lines, options=opts, chunk_docs=4)
    two, s2 = run(lines, options=opts, jobs=2, chunk_docs=4)
    assert one == two
    assert [json.loads(x).get("i") for x in two.splitlines() if x != b"{bad"] == list(range(60))
    assert (s1.lines_in, s1.lines_out, s1.reasons, s1.bad) == \
        (s2.lines_in, s2.lines_out, s2.reasons, s2.bad)


class CountingReader(io.RawIOBase):
    """A line source that counts how many lines the consumer has pulled."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.read_lines = 0

    def readable(self) -> bool:
        return True

    def __iter__(self):  # type: ignore[override]
        for i in range(self.n):
            self.read_lines += 1
            yield (json.dumps({"i": i, "text": page(i)}) + "\n").encode()


class FirstWrite(io.BytesIO):
    def __init__(self, src: CountingReader) -> None:
        super().__init__()
        self.src = src
        self.read_at_first_write: int | None = None

    def write(self, b: bytes) -> int:  # type: ignore[override]
        if self.read_at_first_write is None:
            self.read_at_first_write = self.src.read_lines
        return super().write(b)


@pytest.mark.parametrize("jobs", [1, 2])
def test_bounded_read_ahead(jobs: int) -> None:
    src = CountingReader(400)
    out = FirstWrite(src)
    stats = clean_jsonl([src], out, CFG, JsonlOptions(), jobs=jobs, chunk_docs=5,
                        inflight_per_job=2)
    assert stats.docs_out == 400
    # at most (in-flight chunks + the chunk being built) * chunk size, never the whole input
    assert out.read_at_first_write is not None
    assert out.read_at_first_write <= (2 * jobs + 1) * 5 + 1


# --------------------------------------------------------------------------- output files


def test_atomic_output_leaves_target_untouched_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_output(target) as fh:
        fh.write(b"partial")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old\n"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_output(target) as fh:
        fh.write(b"new\n")
    assert target.read_bytes() == b"new\n"
    with atomic_output(tmp_path / "o.jsonl.gz") as fh:
        fh.write(b"zipped\n")
    with gzip.open(tmp_path / "o.jsonl.gz") as fh:
        assert fh.read() == b"zipped\n"


def write_corpus(path: Path, lines: list[str]) -> None:
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")


def test_cli_jsonl_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    write_corpus(src, [json.dumps({"id": i, "body": page(i)}) for i in range(5)])
    out = tmp_path / "out.jsonl.gz"
    rc = main(["--jsonl", "--no-model", "--field", "body", "--decisions", "why", "--stats",
               "-o", str(out), str(src)])
    assert rc == 0
    with gzip.open(out, "rt") as fh:
        recs = [json.loads(x) for x in fh]
    assert [r["id"] for r in recs] == list(range(5))
    assert all("Leave a Comment" not in r["body"] and len(r["why"]) == 3 for r in recs)
    err = capsys.readouterr().err
    assert "documents" in err and "comments.leave-a-comment" in err and "bad records: 0" in err


def test_cli_fail_exits_1_with_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    write_corpus(src, [json.dumps({"text": PAGE}), '{"text": 1}'])
    out = tmp_path / "out.jsonl"
    assert main(["--jsonl", "--no-model", "-o", str(out), str(src)]) == 1
    err = capsys.readouterr().err
    assert f"{src}:2: not a string" in err and "not written" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [src]
    assert main(["--jsonl", "--no-model", "--on-error", "skip", "-o", str(out), str(src)]) == 0
    assert out.read_text().count("\n") == 1
    assert "1 bad record(s)" in capsys.readouterr().err


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--jsonl", "--explain", "x"]) == 2
    assert main(["--jsonl", "--field", "a", "--decisions", "a", "x"]) == 2
    assert main(["--jsonl", "-j", "0", "x"]) == 2
    assert main(["--profile", "p.npz"]) == 2  # needs --jsonl
    capsys.readouterr()


def test_cli_text_mode_output_file(tmp_path: Path) -> None:
    src = tmp_path / "page.txt"
    src.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "body.txt"
    assert main(["--no-model", "-o", str(out), str(src)]) == 0
    assert out.read_text(encoding="utf-8") == scrubber.clean(PAGE, CFG)


def test_cli_subprocess_stdin_stdout_no_progress_in_pipes() -> None:
    data = "".join(json.dumps({"text": page(i)}) + "\n" for i in range(3))
    proc = subprocess.run([sys.executable, "-m", "scrubber", "--jsonl", "--no-model", "-j", "2"],
                          input=data.encode(), capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""  # silent: no bar when stderr is not a terminal
    assert [json.loads(x)["text"] for x in proc.stdout.splitlines()] == \
        [scrubber.clean(page(i), CFG) for i in range(3)]


def test_limit_heap_growth_is_harmless() -> None:
    from scrubber.corpus.jsonl import limit_heap_growth

    assert isinstance(limit_heap_growth(), bool)
    out, _ = run([json.dumps({"text": PAGE})])
    assert json.loads(out)["text"] == f"{BODY}\n"


def test_throughput_bench_helpers(tmp_path: Path) -> None:
    import os

    from scrubber.bench.throughput import (
        _tree_rss_kb,
        format_table,
        measure_cli,
        measure_inprocess,
        write_corpus,
    )

    docs = [{"id": "a", "url": "http://x.example/a", "text": PAGE}]
    path = tmp_path / "c.jsonl"
    write_corpus(path, docs, 5)
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == \
        [f"{i}:a" for i in range(5)]
    row = measure_inprocess("clean", lambda t: scrubber.clean(t, CFG), [PAGE] * 3)
    assert row.docs == 3 and row.cpu >= 0
    cli = measure_cli("cli", path, 5, ["--no-model"])
    assert cli.docs == 5 and cli.rss_mb is not None and cli.rss_mb > 0
    table = format_table([row, cli])
    assert table.count("\n") == 3 and "| cli | 5 |" in table
    if Path("/proc/self/status").exists():
        assert _tree_rss_kb(os.getpid()) > 0


# --------------------------------------------------------------------------- odd values


def test_huge_integer_passes_with_other_fields_untouched() -> None:
    big = "9" * 5001  # over Python's 4,300-digit int conversion limit
    line = f'{{"id": {big}, "meta": {{"n": [-{big}, 1.50]}}, "text": {json.dumps(PAGE)}}}'
    out, stats = run([line])
    assert stats.bad_total == 0 and stats.docs_out == 1
    assert out == (line.replace(json.dumps(PAGE), json.dumps(f"{BODY}\n")) + "\n").encode()
    status, _, info = process_line(f'{{"text": {big}}}'.encode(), CFG, JsonlOptions())
    assert status == "bad" and info == ("not a string", "field 'text' is a number, not a string")


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_are_written_escaped(sep: str) -> None:
    text = f"A body paragraph{sep}with a separator inside it, long enough to be kept as prose."
    rec = {"text": text}
    out, _ = run([json.dumps(rec)], options=JsonlOptions(decisions="why"))
    assert len(out.decode().splitlines()) == 1
    got = json.loads(out)
    assert got["text"] == scrubber.clean(text, CFG) and sep in got["text"]
