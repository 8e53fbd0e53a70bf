"""JSONL corpus mode: field replacement, byte-exact other fields, bad records, workers,
bounded memory, atomic output, stats, and the CLI wiring."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def test_stats_text_kept_whole_is_100_percent_not_more() -> None:
    # the output ends with a line ending: a text without one, kept whole, came out a byte
    # (CRLF: two) longer, and --stats said "kept 100.9% of text bytes"
    more = "A second paragraph of the same article, which says a little more about it."
    texts = [BODY, f"{BODY}\r\n{more}", f"{BODY}\n"]
    out, stats = run([json.dumps({"text": t}) for t in texts],
                     options=JsonlOptions(stats=True))
    got = [json.loads(x)["text"] for x in out.decode().splitlines()]
    assert got == [f"{BODY}\n", f"{BODY}\r\n{more}\r\n", f"{BODY}\n"]
    assert stats.bytes_out == sum(len(g.encode()) for g in got)
    assert stats.bytes_in == stats.bytes_out
    assert "kept 100.0% of text bytes" in stats.format_table()


def test_stats_dropped_lines_per_stage_add_up_to_lines_in_minus_out() -> None:
    # the per-stage (per-reason) counts left out the blank lines dropped, so the table did
    # not add up: 12 lines in, 3 out, 2 dropped per stage; blank ones are "layout" now
    text = ("\n\nLeave a Comment\n\n" + BODY + "\n\n\n\n" + BODY + " Again.\n\n"
            "Published on: February 14, 2025 A later paragraph, which says something else "
            "at some length.\n \t\nShare on Facebook\n\n")
    recs = [json.dumps({"text": t}) for t in (text, PAGE, "\n\n", text.replace("\n", "\r\n"))]
    _, stats = run(recs, options=JsonlOptions(stats=True))
    explained = [scrubber.clean_and_explain(json.loads(r)["text"], CFG) for r in recs]
    blank = sum(1 for e in explained for d in e.decisions
                if not d.kept and not d.text.strip())
    assert blank == 2 * 7 + 2
    stages = stats.dropped_by_stage()
    assert stages["layout"] == blank
    assert sum(stages.values()) == stats.lines_in - stats.lines_out > 0
    assert stats.per_rule("trim") == {"metadata.stamp": 2}  # (kept lines: not drops)
    table = stats.format_table()
    assert f"{blank:>12,}  layout (blank and markdown layout lines)" in table


def test_keep_original_and_decisions_are_appended() -> None:
    rec = {"id": 1, "text": PAGE}
    opts = JsonlOptions(keep_original="raw", decisions="why", stats=True)
    out, stats = run([json.dumps(rec)], options=opts)
    got = json.loads(out)
    assert list(got) == ["id", "text", "raw", "why"]
    assert got["raw"] == PAGE
    assert [d["action"] for d in got["why"]] == ["drop", "keep"]
    assert got["why"][0]["rule_id"] == "comments.leave-a-comment"
    assert set(got["why"][0]) == {"line", "action", "stage", "rule_id", "score", "reason"}
    assert stats.reasons["drop:rule:comments.leave-a-comment"] == 1
    assert stats.per_rule()["comments.leave-a-comment"] == 1


@pytest.mark.parametrize("option", ["keep_original", "decisions"])
def test_a_field_the_record_already_has_is_never_written_over(option: str) -> None:
    # (a second run over the first one's output with the same --keep-original replaced
    # the original text kept by the first run with the once-cleaned text, without a word;
    # the datatrove step refuses the same clash)
    first = json.dumps({"id": 1, "text": PAGE, "raw": "THE ORIGINAL"})
    second = json.dumps({"id": 2, "text": PAGE, "why": [1, 2]})
    line = first if option == "keep_original" else second
    key = "raw" if option == "keep_original" else "why"
    flag = "--" + option.replace("_", "-")
    with pytest.raises(RecordError) as exc:
        run([json.dumps({"text": PAGE}), line], options=JsonlOptions(**{option: key}))
    assert exc.value.lineno == 2 and exc.value.kind == "field exists"
    assert repr(key) in exc.value.message and flag in exc.value.message
    out, stats = run([line], options=JsonlOptions(on_error="keep", **{option: key}))
    assert out == line.encode() + b"\n"  # written unchanged: the field is still there
    assert stats.bad == {"field exists": 1}
    out, stats = run([line], options=JsonlOptions(on_error="skip", **{option: key}))
    assert out == b"" and "field exists 1" in stats.format_table()


def test_a_dotted_field_name_says_nested_fields_are_not_read() -> None:
    # (--field meta.body on {"meta": {"body": ...}} said only "no field 'meta.body'")
    line = json.dumps({"meta": {"body": PAGE}})
    status, _, (kind, message) = process_line(line.encode(), CFG, JsonlOptions(field="meta.body"))
    assert status == "bad" and kind == "missing field"
    assert "nested" in message and "'meta'" in message
    _, _, (_, message) = process_line(b'{"a": 1}', CFG, JsonlOptions(field="meta.body"))
    assert message == "no field 'meta.body'"


def test_a_record_kept_unchanged_loses_its_byte_order_mark() -> None:
    # (under --on-error keep a record without the field, in a file saved with a BOM, was
    # written with it: mid-output, json.loads fails on that line; cleaned records drop it)
    bom = "\ufeff".encode()
    for line in (bom + b'{"id": 1}', bom + b'{"text": null}'):
        out, stats = run([json.dumps({"text": PAGE}), line],
                         options=JsonlOptions(on_error="keep"))
        assert out.splitlines()[1] == line[len(bom):] and stats.bad_total == 1
        assert [json.loads(x) for x in out.splitlines()]


def test_options_must_name_distinct_fields() -> None:
    with pytest.raises(ValueError):
        JsonlOptions(field="text", keep_original="text")
    with pytest.raises(ValueError):
        JsonlOptions(on_error="ignore")


@pytest.mark.parametrize("name", ["field", "keep_original", "decisions"])
def test_options_refuse_an_empty_field_name(name: str) -> None:
    # (--keep-original "$RAW" with RAW unset wrote a field named "" into every record)
    with pytest.raises(ValueError, match=name.replace("_", "-")):
        JsonlOptions(**{name: ""})


def test_cli_empty_field_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": PAGE}) + "\n")
    out = tmp_path / "out.jsonl"
    for flag in ("--keep-original", "--decisions", "--field"):
        assert main(["--jsonl", "--no-model", flag, "", "-o", str(out), str(src)]) == 2
        assert "an empty name" in capsys.readouterr().err
        assert not out.exists()


def test_clean_jsonl_takes_a_single_input_as_one(tmp_path: Path) -> None:
    # (clean_jsonl("in.jsonl", ...) read each character as an input: "i: No such file")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": PAGE}) + "\n")
    want = (json.dumps({"text": f"{BODY}\n"}) + "\n").encode()
    for single in (str(src), src, io.BytesIO(src.read_bytes())):
        out = io.BytesIO()
        stats = clean_jsonl(single, out, CFG)  # type: ignore[arg-type]
        assert out.getvalue() == want and stats.docs_in == 1


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


def test_bz2_and_xz_outputs_are_compressed_zst_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (-o out.jsonl.xz wrote plain JSON Lines under an .xz name: `xz -d` refused it)
    import bz2
    import lzma

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": PAGE}) + "\n")
    want = (json.dumps({"text": f"{BODY}\n"}) + "\n").encode()
    for name, unpack in (("o.jsonl.bz2", bz2.decompress), ("o.jsonl.xz", lzma.decompress)):
        out = tmp_path / name
        assert main(["--jsonl", "--no-model", "-o", str(out), str(src)]) == 0
        assert unpack(out.read_bytes()) == want
    out = tmp_path / "o.jsonl.zst"
    rc, err = cli(["--jsonl", "--no-model", "-o", str(out), str(tmp_path / "missing")], capsys)
    assert rc == 1 and "zstd" in err and "missing" not in err and not out.exists()


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


def test_a_record_after_a_byte_order_mark_is_written_without_it() -> None:
    # a BOM marks a file, not a record: copied, the second of two concatenated files put
    # it in the middle of the output, where json.loads and pandas fail on that line
    rec = json.dumps({"id": 2, "text": PAGE})
    out, stats = run([json.dumps({"id": 1, "text": PAGE}), "\ufeff" + rec])
    assert stats.bad_total == 0 and stats.docs_out == 2
    lines = out.decode("utf-8").splitlines()
    assert "\ufeff" not in out.decode("utf-8")
    assert [json.loads(x)["id"] for x in lines] == [1, 2]
    assert lines[1] == rec.replace(json.dumps(PAGE), json.dumps(f"{BODY}\n"))


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_are_written_escaped(sep: str) -> None:
    text = f"A body paragraph{sep}with a separator inside it, long enough to be kept as prose."
    rec = {"text": text}
    out, _ = run([json.dumps(rec)], options=JsonlOptions(decisions="why"))
    assert len(out.decode().splitlines()) == 1
    got = json.loads(out)
    assert got["text"] == scrubber.clean(text, CFG) and sep in got["text"]


# --------------------------------------------------------------------------- -o targets


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(args)
    return rc, capsys.readouterr().err


def small_corpus(tmp_path: Path, n: int = 3) -> Path:
    src = tmp_path / "in.jsonl"
    write_corpus(src, [json.dumps({"id": i, "text": page(i)}) for i in range(n)])
    return src


def test_output_to_a_symlink_writes_its_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = small_corpus(tmp_path)
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real.name)
    assert cli(["--jsonl", "--no-model", "-o", str(link), str(src)], capsys)[0] == 0
    assert link.is_symlink() and real.read_text().count("\n") == 3
    prof = tmp_path / "prof.npz"
    plink = tmp_path / "plink.npz"
    plink.symlink_to(prof.name)  # dangling until written
    assert cli(["profile", "build", str(src), "-o", str(plink)], capsys)[0] == 0
    assert plink.is_symlink() and prof.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["in.jsonl", "link.jsonl", "plink.npz", "prof.npz", "real.jsonl"]


def test_output_keeps_the_mode_of_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = small_corpus(tmp_path)
    for name, argv in (("o.jsonl", ["--jsonl", "--no-model"]), ("p.npz", ["profile", "build"])):
        target = tmp_path / name
        target.write_text("old\n")
        target.chmod(0o600)
        assert cli([*argv, "-o", str(target), str(src)], capsys)[0] == 0
        assert target.stat().st_mode & 0o777 == 0o600 and target.read_bytes() != b"old\n"


def test_output_to_a_fifo_is_written_directly(tmp_path: Path) -> None:
    import os
    import threading

    src = small_corpus(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = subprocess.run([sys.executable, "-m", "scrubber", "--jsonl", "--no-model", "-o",
                           str(fifo), str(src)], capture_output=True, timeout=120, check=False)
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert got and got[0].count(b"\n") == 3
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "in.jsonl"]


def test_output_to_a_character_device_is_written_directly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    from scrubber.corpus import jsonl

    dev = tmp_path / "dev"
    dev.write_bytes(b"")
    real_stat = os.stat

    def fake_stat(p, *a, **kw):  # type: ignore[no-untyped-def]
        st = real_stat(p, *a, **kw)
        if Path(p) == dev:
            return os.stat_result((stat.S_IFCHR | 0o666, *tuple(st)[1:]))
        return st

    monkeypatch.setattr(jsonl.os, "stat", fake_stat)
    assert jsonl.check_output(dev) == (dev, True)
    with atomic_output(dev) as fh:
        fh.write(b"direct\n")
    assert dev.read_bytes() == b"direct\n"
    assert list(tmp_path.iterdir()) == [dev]  # no temporary file


@pytest.mark.parametrize("where", ["dir", "missing"])
def test_bad_output_path_fails_before_reading_any_input(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path if where == "dir" else tmp_path / "nope" / "x.jsonl"
    missing = str(tmp_path / "missing-input.jsonl")  # would be the error if read first
    for argv in (["--jsonl"], [], ["profile", "build"]):
        rc, err = cli([*argv, "-o", str(target), missing], capsys)
        assert rc == 1 and f"{target}: " in err and "missing-input" not in err, (argv, err)
        assert ".tmp" not in err


# --------------------------------------------------------------------------- input errors


def gz_inputs(tmp_path: Path) -> dict[str, Path]:
    data = gzip.compress(b"".join((json.dumps({"url": f"http://a.example/{i}",
                                               "text": page(i)}) + "\n").encode()
                                  for i in range(200)), mtime=0)
    paths = {"truncated": tmp_path / "t.jsonl.gz", "corrupt": tmp_path / "c.jsonl.gz",
             "not gzip": tmp_path / "n.jsonl.gz"}
    paths["truncated"].write_bytes(data[: len(data) // 2])
    paths["corrupt"].write_bytes(data[:40] + bytes(200) + data[240:])
    paths["not gzip"].write_bytes(b'{"text": "plain"}\n')
    return paths


@pytest.mark.parametrize("argv", [["--jsonl"], ["--jsonl", "-j", "2"], ["profile", "build"]])
def test_broken_gzip_input_is_a_one_line_error(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, path in gz_inputs(tmp_path).items():
        extra = ["-o", str(tmp_path / "p.npz")] if argv[0] == "profile" else ["--no-model"]
        rc, err = cli([*argv, *extra, str(path)], capsys)
        assert rc == 1, (kind, err)
        assert f"scrubber{' profile' if argv[0] == 'profile' else ''}: {path}: " in err, err
        assert ("gzip" in err.lower()) and "Traceback" not in err


def test_bz2_xz_and_unsuffixed_gzip_inputs_are_decompressed_zstd_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a .jsonl.xz shard was read as text: under --on-error skip every "line" of it was a
    # malformed record, skipped, and the run wrote nothing and exited 0)
    import bz2
    import lzma

    lines = [json.dumps({"i": i, "text": page(i)}) for i in range(5)]
    data = ("\n".join(lines) + "\n").encode()
    want, _ = run(lines)
    for name, packed in (("a.jsonl.bz2", bz2.compress(data)), ("a.jsonl.xz", lzma.compress(data)),
                         ("a.jsonl.gzip", gzip.compress(data))):
        src = tmp_path / name
        src.write_bytes(packed)
        out = tmp_path / "out.jsonl"
        rc, err = cli(["--jsonl", "--no-model", "--on-error", "skip", "-o", str(out), str(src)],
                      capsys)
        assert rc == 0 and err == "" and out.read_bytes() == want, name
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(packed))))
        got = io.BytesIO()
        clean_jsonl(["-"], got, CFG)
        assert got.getvalue() == want, name
    for name, packed, what in (("b.jsonl.xz", lzma.compress(data)[:-20] + b"x" * 20, "corrupt"),
                               ("c.jsonl.xz", lzma.compress(data)[:-20], "truncated"),
                               ("d.jsonl.bz2", bz2.compress(data)[:-20], "truncated")):
        broken = tmp_path / name
        broken.write_bytes(packed)
        rc, err = cli(["--jsonl", "--no-model", "--on-error", "skip", str(broken)], capsys)
        assert rc == 1 and f"{broken}: {what} " in err and "Traceback" not in err, err
    zst = tmp_path / "a.jsonl.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 40 + b"\n" + b"\x01" * 10)
    rc, err = cli(["--jsonl", "--no-model", "--on-error", "skip", str(zst)], capsys)
    assert rc == 1 and f"{zst}: zstd-compressed input" in err and "bad record" not in err


def test_progress_bar_counts_records_of_a_compressed_file_not_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (an .xz file's size was the bar's total while the decompressed bytes read went past it)
    import lzma

    pytest.importorskip("tqdm")
    from scrubber.corpus.jsonl import _progress_bar

    plain = tmp_path / "a.jsonl"
    plain.write_text(json.dumps({"text": PAGE}) + "\n")
    packed = tmp_path / "a.jsonl.xz"
    packed.write_bytes(lzma.compress(plain.read_bytes()))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    for inputs, by_bytes in (([plain], True), ([plain, packed], False)):
        bar, got = _progress_bar(inputs)
        bar.close()
        assert got is by_bytes


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_input_error_writes_every_record_read_before_it(jobs: str, tmp_path: Path) -> None:
    src = small_corpus(tmp_path, 200)
    missing = tmp_path / "missing.jsonl"
    cmd = [sys.executable, "-m", "scrubber", "--jsonl", "--no-model", "-j", jobs]
    proc = subprocess.run([*cmd, str(src), str(missing)], capture_output=True, timeout=300,
                          check=False)
    assert proc.returncode == 1
    assert proc.stdout.count(b"\n") == 200
    assert f"{missing}: No such file or directory".encode() in proc.stderr
    out = tmp_path / "out.jsonl"  # -o: as for a bad record under fail, nothing is written
    proc = subprocess.run([*cmd, "-o", str(out), str(src), str(missing)], capture_output=True,
                          timeout=300, check=False)
    assert proc.returncode == 1 and b"not written" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_output_write_error_names_stdout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    class Full(io.BytesIO):
        def write(self, b: bytes) -> int:  # type: ignore[override]
            raise OSError(errno.ENOSPC, "No space left on device")

    class Stdout(io.StringIO):
        buffer = Full()

    src = small_corpus(tmp_path)
    monkeypatch.setattr(sys, "stdout", Stdout())
    monkeypatch.setattr("scrubber.cli._quiet_stdout", lambda: None)
    for argv in (["--jsonl", str(src)], [str(tmp_path / "in.jsonl")]):
        rc, err = cli(["--no-model", *argv], capsys)
        assert rc == 1 and "scrubber: stdout: No space left on device" in err, err


def test_deeply_nested_json_is_a_bad_record_in_profile_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"url": "http://a.example/1", "text": PAGE}) + "\n"
                      + '{"x": ' + "[" * 100_000 + "\n", encoding="utf-8")
    out = tmp_path / "p.npz"
    rc, err = cli(["profile", "build", "--on-error", "skip", str(corpus), "-o", str(out)], capsys)
    assert rc == 0 and f"{corpus}:2: malformed JSON" in err and out.exists()
    rc, err = cli(["--jsonl", "--no-model", "--on-error", "skip", str(corpus)], capsys)
    assert rc == 0 and f"{corpus}:2: malformed JSON" in err


def test_broken_profile_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = small_corpus(tmp_path)
    good = tmp_path / "p.npz"
    assert cli(["profile", "build", str(src), "-o", str(good)], capsys)[0] == 0
    truncated = tmp_path / "t.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    for bad in (truncated, src):  # a truncated profile, a file that is not one
        rc, err = cli(["--jsonl", "--profile", str(bad), str(src)], capsys)
        assert rc == 1 and f"--profile {bad}: not a scrubber site profile" in err, err
        for argv in (["profile", "show", str(bad)],
                     ["profile", "merge", str(bad), "-o", str(tmp_path / "m.npz")]):
            rc, err = cli(argv, capsys)
            assert rc == 1 and f"{bad}: not a scrubber site profile" in err, err
            assert "pickled" not in err


def test_a_profile_that_is_a_bare_array_or_lacks_its_arrays_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np

    src = small_corpus(tmp_path)
    bare = tmp_path / "bare.npz"  # np.save output under the profile's name
    with bare.open("wb") as fh:
        np.save(fh, np.arange(3))
    other = tmp_path / "other.npz"
    np.savez(other, a=np.arange(3))
    for bad, why in ((bare, "(a numpy array, not an .npz archive)"), (other, "(no 'meta' array)")):
        for argv in (["--jsonl", "--profile", str(bad), str(src)], ["profile", "show", str(bad)]):
            rc, err = cli(argv, capsys)
            assert rc == 1 and f"{bad}: not a scrubber site profile {why}\n" in err, err
            assert len(err.splitlines()) == 1, err


def test_a_missing_profile_file_is_named_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = small_corpus(tmp_path)
    missing = tmp_path / "nope.npz"
    rc, err = cli(["--jsonl", "--profile", str(missing), str(src)], capsys)
    assert rc == 1 and err == f"scrubber: --profile {missing}: No such file or directory\n"


# --------------------------------------------------------------------------- HTML records

HTML_PAGE = ("<!doctype html><html><head><title>T</title></head><body><nav><a href=/>Home</a>"
             "</nav><p>A paragraph of body text that is clearly long enough to be kept, "
             "as prose is.</p></body></html>")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_html_cleans_the_field_as_html(
    jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "h.jsonl"
    write_corpus(src, [json.dumps({"id": i, "text": HTML_PAGE}) for i in range(3)])
    out = tmp_path / "o.jsonl"
    rc, err = cli(["--jsonl", "--html", "-j", jobs, "--decisions", "why", "--stats", "-o",
                   str(out), str(src)], capsys)
    assert rc == 0, err
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["text"] for r in recs] == [scrubber.clean_html(HTML_PAGE)] * 3
    assert recs[0]["text"].startswith("A paragraph")
    assert [d["action"] for d in recs[0]["why"]] == \
        [d.action.value for d in scrubber.clean_html_and_explain(HTML_PAGE).decisions]


# --------------------------------------------------------------------------- signals, workers


def long_corpus(tmp_path: Path, n: int = 6000) -> Path:
    seeds = sorted((Path(__file__).parent.parent / "fixtures" / "seeds" / "input").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in seeds]
    src = tmp_path / "big.jsonl"
    write_corpus(src, [json.dumps({"id": i, "text": texts[i % len(texts)]}) for i in range(n)])
    return src


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True, check=False).stdout
    return [int(x) for x in out.split()]


def gone(pid: int) -> bool:
    """Ended (a zombie waiting for init to reap it has ended too)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" in status


def reap(kids: list[int]) -> None:
    """Kill workers a failing test left behind (without the fix they outlive the parent)."""
    import contextlib
    import os
    import signal

    for k in kids:
        with contextlib.suppress(OSError):
            os.kill(k, signal.SIGKILL)


def wait_for(cond, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


@contextlib.contextmanager
def jobs_running(tmp_path: Path, stderr: Any) -> Iterator[tuple[subprocess.Popen, list[int]]]:
    """``scrubber --jsonl -j 2`` over a long corpus, once its two workers run: the process
    and the workers' pids. Whatever the test does, neither outlives it."""
    src = long_corpus(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "scrubber", "--jsonl", "-j", "2", "-o",
                             str(tmp_path / "out.jsonl"), str(src)], stderr=stderr)
    kids: list[int] = []
    try:
        assert wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
                        and len(children(proc.pid)) >= 2)
        kids.extend(children(proc.pid))
        yield proc, kids
    finally:
        if proc.poll() is None:
            proc.kill()
        reap(kids)


@needs_proc
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_termination_signal_removes_the_temp_file_and_ends_the_workers(
    sig: str, tmp_path: Path
) -> None:
    import signal

    with jobs_running(tmp_path, subprocess.PIPE) as (proc, kids):
        proc.send_signal(getattr(signal, sig))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 128 + getattr(signal, sig)
        assert f"stopped by {sig}".encode() in err and b"Traceback" not in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]
        assert wait_for(lambda: all(gone(k) for k in kids), 10)


@needs_proc
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    with jobs_running(tmp_path, subprocess.DEVNULL) as (proc, kids):
        proc.kill()
        proc.wait(timeout=30)
        assert wait_for(lambda: all(gone(k) for k in kids), 10)


@needs_proc
def test_a_killed_worker_is_a_one_line_error(tmp_path: Path) -> None:
    import os
    import signal

    with jobs_running(tmp_path, subprocess.PIPE) as (proc, kids):
        os.kill(kids[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert b"worker process died" in err and b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]


def test_clean_jsonl_writes_a_path_atomically_as_the_cli_does(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": page(i)}) + "\n" for i in range(3)),
                   encoding="utf-8")
    want = b"".join(json.dumps({"id": i, "text": scrubber.clean(page(i), CFG)}).encode() + b"\n"
                    for i in range(3))
    for out in (tmp_path / "out.jsonl", str(tmp_path / "out.jsonl.gz")):
        stats = clean_jsonl([str(src)], out, CFG)  # a path: was "'str' ... no attribute 'write'"
        assert stats.docs_in == 3
        got = Path(out).read_bytes()
        assert (gzip.decompress(got) if str(out).endswith(".gz") else got) == want
    # stopped by a bad record: the file is left as it was, no temporary file beside it
    src.write_text(src.read_text() + "{broken\n", encoding="utf-8")
    with pytest.raises(RecordError):
        clean_jsonl([src], tmp_path / "out.jsonl", CFG)
    assert (tmp_path / "out.jsonl").read_bytes() == want
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl",
                                                          "out.jsonl.gz"]


def test_a_bad_record_still_exits_1_when_stderrs_reader_is_gone(tmp_path):
    # (2> >(head -c0)): the report and the "stopped" line cannot be written, the exit
    # status still says the run failed; it was 0 when the stats table hit the dead pipe
    import os
    import subprocess
    import sys

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello world"}\nnot json\n')
    r, w = os.pipe()
    os.close(r)
    try:
        for extra in ([], ["--stats"]):
            p = subprocess.run([sys.executable, "-m", "scrubber", "--jsonl", *extra, str(bad)],
                               stdout=subprocess.PIPE, stderr=w, check=False)
            assert p.returncode == 1, extra
    finally:
        os.close(w)


@pytest.mark.parametrize("front_end", ["auto", "blocks", "trafilatura"])
def test_html_documents_count_the_same_lines_without_the_explaining_path(
    front_end: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrubber import pipeline
    from scrubber.config import Config
    from scrubber.corpus.records import clean_document

    # (trafilatura's text, stubbed: two lines and a blank, as its output can be)
    monkeypatch.setattr(pipeline, "_trafilatura_text", lambda html, required: (
        f"{BODY}\n\nShare this article\n"))
    article = (f"<html><head><title>T</title></head><body><nav><a href=/>Home</a></nav>"
               f"<h1>A headline</h1><p>{BODY}</p><p>{BODY}</p><footer>© 2024</footer>"
               "</body></html>")
    app = "<html><body><div id=app>Loading</div><script>render()</script></body></html>"
    cfg = Config(front_end=front_end)
    for page_html in (article, app):
        fast = clean_document(page_html, cfg, html=True)
        slow = clean_document(page_html, cfg, html=True, explain=True)
        explained = scrubber.clean_html_and_explain(page_html, cfg)
        assert fast.text == slow.text == explained.text
        assert (fast.lines_in, fast.lines_out) == (slow.lines_in, slow.lines_out)
        assert fast.lines_in == len(explained.decisions)


def test_clean_document_checks_its_text_and_config_as_clean_does() -> None:
    from scrubber.corpus import clean_document

    # (None and a dict config ended in AttributeError, bytes of text in a TypeError about
    # a bytes-like object, bytes of HTML in an AttributeError after the page was cleaned)
    for bad in (None, b"Leave a Comment\n", 3):
        with pytest.raises(TypeError, match=r"clean_document\(\) takes str"):
            clean_document(bad, CFG)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"config must be a scrubber\.Config"):
        clean_document("A line.\n", {"use_model": False})  # type: ignore[arg-type]
    html = f"<p>{BODY}</p><p>Leave a Comment</p>".encode()
    doc = clean_document(html, CFG, html=True, decisions=True)  # type: ignore[arg-type]
    assert doc.text == scrubber.clean_html(html, CFG) and doc.bytes_in == len(html)
    with pytest.raises(TypeError, match=r"clean_document\(\) takes str or bytes"):
        clean_document(None, CFG, html=True)  # type: ignore[arg-type]


def test_a_run_whose_records_are_all_bad_exits_1_under_skip_and_keep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a wrong --field (or an input that is not JSONL) under --on-error skip|keep reported
    # every record and exited 0 with an empty (skip) or unchanged (keep) output
    src = small_corpus(tmp_path)
    out = tmp_path / "o.jsonl"
    out.write_text("old\n")
    for action, done in (("skip", "skipped 3"), ("keep", "kept unchanged 3")):
        rc, err = cli(["--jsonl", "--no-model", "--field", "body", "--on-error", action,
                       "-o", str(out), str(src)], capsys)
        assert rc == 1
        assert err.splitlines()[-1] == ("scrubber: no record was cleaned: 3 bad record(s) "
                                        f"(missing field 3): {done}; {out} not written")
        assert out.read_text() == "old\n"  # exit 1: -o left as it was
    # on stdout the kept records are there, and the status still says so
    rc, err = cli(["--jsonl", "--no-model", "--field", "body", "--on-error", "keep", str(src)],
                  capsys)
    assert rc == 1 and "no record was cleaned" in err
    # one good record is enough; an input without records is no failure
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(src.read_text() + '{"id": 9}\n', encoding="utf-8")
    rc, err = cli(["--jsonl", "--no-model", "--on-error", "skip", "-o", str(out), str(mixed)],
                  capsys)
    assert rc == 0 and "1 bad record(s) (missing field 1): skipped 1" in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert cli(["--jsonl", "--on-error", "skip", "-o", str(out), str(empty)], capsys)[0] == 0
    # profile build: every record bad is the same failure; records without a site are not
    # bad records, but an empty profile gets a warning
    prof = tmp_path / "p.npz"
    rc, err = cli(["profile", "build", "--field", "body", "--on-error", "skip", "-o", str(prof),
                   str(src)], capsys)
    assert rc == 1 and not prof.exists()
    assert err.splitlines()[-1] == (f"scrubber profile: no page counted: all 3 records were "
                                    f"bad; {prof} not written")
    rc, err = cli(["profile", "build", "-o", str(prof), str(src)], capsys)
    assert rc == 0 and ("warning: no page counted: 3 records without a site (no 'url' field, "
                        "or one that is empty, not a string or names no host); the profile "
                        "is empty") in err


def test_jobs_above_four_per_cpu_are_lowered_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # -j had no upper bound: -j 10000 forked 10,000 workers, each loading the rules and
    # the model, for CPU-bound work on a few cores
    import scrubber.corpus.jsonl as jsonl_mod

    monkeypatch.setattr(jsonl_mod, "usable_cpus", lambda: 1)
    assert jsonl_mod.max_jobs() == 4
    started: list[int] = []
    real_pool = jsonl_mod._run_pool

    def spy(chunks, consume, cfg, opts, jobs, max_inflight):  # type: ignore[no-untyped-def]
        started.append(jobs)
        return real_pool(chunks, consume, cfg, opts, jobs, max_inflight)

    monkeypatch.setattr(jsonl_mod, "_run_pool", spy)
    src = small_corpus(tmp_path)
    want = tmp_path / "want.jsonl"
    assert cli(["--jsonl", "--no-model", "-o", str(want), str(src)], capsys)[0] == 0
    out = tmp_path / "o.jsonl"
    rc, err = cli(["--jsonl", "--no-model", "-j", "10000", "-o", str(out), str(src)], capsys)
    assert rc == 0 and started == [4]
    assert err == ("scrubber: warning: -j 10000 is more than 4 workers per CPU (1 CPU here): "
                   "running 4\n")
    assert out.read_bytes() == want.read_bytes()
    assert cli(["--jsonl", "--no-model", "-j", "4", "-o", str(out), str(src)], capsys) == (0, "")
    with pytest.warns(RuntimeWarning, match="jobs=9 is more than 4 per CPU: running 4"):
        clean_jsonl([src], io.BytesIO(), CFG, jobs=9)
    assert started == [4, 4, 4]


def test_text_documents_count_the_same_lines_out_without_the_explaining_path() -> None:
    from scrubber.config import Config
    from scrubber.corpus.records import clean_document

    # a glued line (text nodes joined without a space) is decided a piece at a time and
    # its output can be several lines: lines_out counted those without the decisions and
    # input lines with them, so the datatrove step's stats hung on its metadata flags
    glued = ("HomeNewsSportBusinessWorldPoliticsContact UsThe city council approved the "
             "budget on Tuesday after a long debate about schools. The mayor said the plan "
             "would fund new schools and repair roads across the district.Share on "
             "FacebookShare on TwitterPrivacy PolicyTerms of Use\n")
    wrapped = "".join(f"{BODY[k:k + 60]}\n" for k in range(0, len(BODY), 60))
    plain = f"Home\nNews\n{BODY}\nShare this:\n\n{BODY}\nLeave a Comment\n"
    for cfg in (Config(), Config(use_model=False)):
        for text in (glued, glued * 3, wrapped + "\n" + wrapped, plain):
            fast = clean_document(text, cfg)
            slow = clean_document(text, cfg, explain=True)
            assert fast.text == slow.text
            assert (fast.lines_in, fast.lines_out) == (slow.lines_in, slow.lines_out)
            assert sum(n for k, n in slow.reasons.items() if k.startswith("drop:")) + \
                slow.blank_dropped == slow.lines_in - slow.lines_out


def test_progress_bar_reads_nothing_of_a_pipe_or_a_fifo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (it opened each input to see whether it was compressed: the bytes it read of a pipe,
    # <(cmd) or /dev/stdin, were lost to the run - 25 of 300 records, one reported - and
    # a FIFO opened and closed lost its writer, so the run waited for ever)
    import os
    import threading

    pytest.importorskip("tqdm")
    from scrubber.corpus.jsonl import _progress_bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    data = b"".join(json.dumps({"text": PAGE, "n": i}).encode() + b"\n" for i in range(50))
    r, w = os.pipe()
    try:
        os.write(w, data)
        os.close(w)
        bar, by_bytes = _progress_bar([f"/dev/fd/{r}"])
        bar.close()
        assert by_bytes is False
        with os.fdopen(os.dup(r), "rb") as fh:
            assert fh.read() == data
    finally:
        os.close(r)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def writer() -> None:
        with open(fifo, "wb") as fh:
            fh.write(data)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    bar, by_bytes = _progress_bar([fifo])  # (does not open it: the writer still waits)
    bar.close()
    with open(fifo, "rb") as fh:
        got.append(fh.read())
    t.join(10)
    assert by_bytes is False and got == [data]


def test_output_naming_an_open_descriptor_is_written_through_it(tmp_path: Path) -> None:
    # -o /dev/stdout resolved a pipe to a path that does not exist ("No such file or
    # directory"), and a file stdout appends to (>>) was replaced by the output alone
    import os

    from scrubber.corpus.jsonl import atomic_output, check_output

    log = tmp_path / "log.jsonl"
    log.write_bytes(b"earlier\n")
    with open(log, "ab") as fh, atomic_output(f"/dev/fd/{fh.fileno()}") as out:
        out.write(b"more\n")
    assert log.read_bytes() == b"earlier\nmore\n"
    r, w = os.pipe()
    try:
        assert check_output(f"/proc/self/fd/{w}")[1] is True
        with atomic_output(f"/dev/fd/{w}") as out:
            out.write(b"through the pipe\n")
        os.close(w)
        w = -1
        with os.fdopen(os.dup(r), "rb") as fh:
            assert fh.read() == b"through the pipe\n"
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": PAGE}) + "\n")
    proc = subprocess.run(
        f"{sys.executable} -m scrubber --jsonl --no-model {src} -o /dev/stdout >> {log}",
        shell=True, capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert log.read_bytes().startswith(b"earlier\nmore\n{") and log.read_bytes().count(b"\n") == 3
    proc = subprocess.run([sys.executable, "-m", "scrubber", "--jsonl", "--no-model", str(src),
                           "-o", "/dev/stdout"], capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0 and proc.stdout.count(b"\n") == 1, proc.stderr


def test_a_worker_that_dies_while_the_input_is_read_is_a_one_line_error() -> None:
    # (the pool said so at the next submit, which was not caught: a traceback)
    import multiprocessing
    import os
    import signal
    import time

    from scrubber.config import Config
    from scrubber.corpus.jsonl import JsonlOptions, WorkerError, _run_pool

    def chunks() -> Iterator[tuple[list[tuple[str, int, int]], list[bytes]]]:
        yield [("x", 1, 10)], [json.dumps({"text": PAGE}).encode()]
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)
        time.sleep(1.0)  # (the pool's manager thread sees the worker gone)
        for k in range(2, 50):
            yield [("x", k, 10)], [json.dumps({"text": PAGE}).encode()]
            time.sleep(0.05)

    with pytest.raises(WorkerError, match="a worker process died"):
        _run_pool(chunks(), lambda meta, outcomes: None, Config(use_model=False),
                  JsonlOptions(), jobs=2, max_inflight=1000)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_line_holding_only_a_byte_order_mark_is_blank_not_a_bad_record(
    jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (a file saved with a BOM that starts with an empty line: "malformed JSON: empty line
    # at column 2", and the run stopped)
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf\n" + json.dumps({"text": PAGE}).encode() + b"\n"
                    + b"\xef\xbb\xbf \r\n")
    out = tmp_path / "out.jsonl"
    rc, err = cli(["--jsonl", "--no-model", "-j", jobs, "--stats", "-o", str(out), str(src)],
                  capsys)
    assert rc == 0, err
    assert [json.loads(x)["text"] for x in out.read_text().splitlines()] == [
        scrubber.clean(PAGE, use_model=False)]
    prof = tmp_path / "p.npz"
    rc, err = cli(["profile", "build", "--site-field", "text", "-o", str(prof), str(src)],
                  capsys)
    assert rc == 0 and "0 bad records" in err


def test_malformed_json_says_where_once(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # ("Unterminated string starting at at column 10": json's message ends in "at")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"text": "abc\n')))
    rc, err = cli(["--jsonl", "--no-model"], capsys)
    assert rc == 1
    assert "<stdin>:1: malformed JSON: Unterminated string starting at column 10" in err


def test_records_whose_url_is_not_a_string_are_told_apart_from_a_missing_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (a "url" of 5, null, a list: "no 'url' field, or an empty one", which it was not)
    from scrubber.corpus.profile import ProfileCounter

    c = ProfileCounter()
    c.add("ex.org", PAGE)
    prof = tmp_path / "p.npz"
    c.finish(min_pages=2).save(prof)
    src = tmp_path / "in.jsonl"
    write_corpus(src, [json.dumps({"url": u, "text": PAGE}) for u in (5, None, ["x"])])
    rc, err = cli(["--jsonl", "--no-model", "--profile", str(prof), "-o",
                   str(tmp_path / "o.jsonl"), str(src)], capsys)
    assert rc == 0
    assert ("3 of 3 records had no site (no 'url' field, or one that is empty, not a string "
            "or names no host): cleaned without the profile") in err
