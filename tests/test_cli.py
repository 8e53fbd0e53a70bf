"""The command-line filter: stdin/stdout, files, --explain, --stats, bytes, exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BODY = "A paragraph of body text that is clearly long enough to be kept, as prose is.\n"


def run(args: list[str], data: bytes = b"", **kw) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "scrubber", *args], input=data,
                          capture_output=True, **kw)


def test_filters_stdin_to_stdout():
    r = run([], b"Leave a Comment\n" + BODY.encode())
    assert r.returncode == 0
    assert r.stdout.decode() == BODY


def test_reads_files_in_order(tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("First " + BODY)
    b.write_text("Second " + BODY)
    r = run([str(a), str(b)])
    assert r.stdout.decode() == "First " + BODY + "Second " + BODY


def test_missing_file_is_an_error_with_exit_1(tmp_path: Path):
    r = run([str(tmp_path / "nope.txt")])
    assert r.returncode == 1 and b"nope.txt" in r.stderr


def test_unknown_option_is_a_usage_error():
    assert run(["--no-such-flag"]).returncode == 2


def test_help_shows_examples():
    r = run(["--help"])
    assert r.returncode == 0 and b"examples:" in r.stdout


def test_invalid_utf8_passes_through_kept_lines_unchanged():
    data = b"Caf\xe9 au lait \xff\xfe is what the body text says, at some length.\r\n"
    r = run([], data)
    assert r.stdout == data


def test_bom_and_crlf_survive():
    data = "\ufeff".encode() + b"Body line one is long enough to be kept as prose.\r\n"
    assert run([], data).stdout == data


def test_explain_prints_every_line_with_a_reason():
    r = run(["--explain"], b"Leave a Comment\n\n" + BODY.encode())
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 3
    assert "DROP" in lines[0] and "comments." in lines[0]


def test_explain_of_an_empty_input_prints_nothing(tmp_path: Path):
    assert run(["--explain"], b"").stdout == b""  # was one "\n"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    two = run(["--explain", str(empty), str(empty)])
    assert two.returncode == 0 and two.stdout == f"# {empty}\n# {empty}\n".encode()


def test_stats_go_to_stderr():
    r = run(["--stats"], b"Leave a Comment\n" + BODY.encode())
    assert r.stdout.decode() == BODY
    assert b"comments." in r.stderr and b"lines in: 2" in r.stderr


def test_stats_drop_rows_add_up_to_lines_in_minus_out(tmp_path: Path) -> None:
    # the per-reason rows left out the blank lines dropped ("lines in: 12  lines out: 3"
    # over two rows of 1): they are a drop:layout row now, and the drop rows add up
    body = BODY.strip()
    text = ("\n\nLeave a Comment\n\n" + body + "\n\n\n\n" + body.replace("body", "main")
            + "\n\nPublished on: February 14, 2025 A later paragraph, which says something "
            "else at some length.\n \t\nShare on Facebook\n\n")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text, encoding="utf-8")
    b.write_bytes(text.replace("\n", "\r\n").encode())
    r = run(["--stats", "--no-model", str(a), str(b)])
    assert r.returncode == 0, r.stderr
    head, *rows = r.stderr.decode().splitlines()
    got = re.fullmatch(r"lines in: (\d+)  lines out: (\d+)", head)
    assert got, head
    n_in, n_out = map(int, got.groups())
    counts = {}
    for row in rows:
        n, key = row.split(None, 1)
        counts[key] = int(n)
    drops = {k: n for k, n in counts.items() if k.startswith("drop:")}
    assert drops["drop:layout (blank and markdown layout lines)"] == 2 * 7
    assert sum(drops.values()) == n_in - n_out > 0
    assert counts["trim:rule:metadata.stamp"] == 2  # (trimmed lines are kept: not drops)


def test_bad_rule_file_stops_with_file_and_problem(tmp_path: Path):
    f = tmp_path / "bad.toml"
    f.write_text('family = "bad"\n[[rule]]\nid = "bad.x"\ndescription = "d"\n'
                 'scope = "line"\npatterns = ["("]\n')
    r = run(["--rules", str(f)], BODY.encode())
    assert r.returncode == 1
    assert b"bad.toml" in r.stderr and b"bad.x" in r.stderr and b"bad regex" in r.stderr


def test_disable_unknown_rule_is_a_usage_error():
    assert run(["--disable", "no.such-rule"], BODY.encode()).returncode == 2


def test_closed_pipe_ends_quietly():
    big = (BODY * 20000).encode()
    p = subprocess.Popen(f"{sys.executable} -m scrubber | head -c 10", shell=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(big)
    assert len(out) == 10
    assert b"Traceback" not in err and b"BrokenPipe" not in err


class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone away (``scrubber rules | head -1``)."""

    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("argv", [["rules"], ["bench", "--help"]])
def test_closed_pipe_ends_subcommands_quietly(argv, monkeypatch):
    from scrubber import cli

    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    try:
        status = cli.main(argv)
    except SystemExit as e:  # argparse's --help exits after printing
        status = e.code
    assert status == 0


def test_rules_subcommand_lists_families():
    r = run(["rules"])
    assert r.returncode == 0 and b"[video]" in r.stdout


def test_rules_marks_the_rules_the_shipped_model_was_not_trained_with():
    from scrubber.model import get_model

    model = get_model("text")
    if model is None or model.known_rules is None:
        pytest.skip("no shipped model card with its rules")
    out = run(["rules"]).stdout.decode()
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("  ")}
    # (hints are read whatever rule gave them: never marked)
    new = [rid for rid, ln in lines.items()
           if rid not in model.known_rules and ln.split()[2] != "hint"]
    for rid, ln in lines.items():
        assert (ln.split()[3] == "*") is (rid in new), ln  # id, scope, strength, mark
    if new:
        assert f"* {len(new)} rule(s) the shipped model was not trained with" in out
    else:
        assert "not trained with" not in out


PAGE = (b"<!doctype html><html><head><title>T</title></head><body><nav><a href=/>Home</a>"
        b"</nav><p>A paragraph of body text that is clearly long enough to be kept, "
        b"as prose is.</p></body></html>")


def test_html_on_stdin_is_detected_and_cleaned_as_html():
    r = run([], PAGE)
    assert r.returncode == 0
    assert b"<p>" not in r.stdout and b"A paragraph of body text" in r.stdout


def test_text_only_options_on_html_warn_once_per_run(tmp_path: Path) -> None:
    # --extracted, --no-retry-sparse and --settle do nothing on HTML (its blocks); they
    # were taken without a word. One warning line on stderr a run, the output unchanged
    page, txt = tmp_path / "page.html", tmp_path / "page.txt"
    page.write_bytes(PAGE)
    txt.write_text(BODY, encoding="utf-8")
    files = [str(page), str(txt), str(page)]
    plain = run(files)
    assert plain.returncode == 0 and plain.stderr == b""
    r = run(["--settle", "2", *files])
    assert r.returncode == 0 and r.stdout == plain.stdout
    assert r.stderr.decode().splitlines() == [
        f"scrubber: warning: --settle applies to text input only: {page} is HTML, whose "
        "blocks are decided without it"]
    r = run(["--extracted", "--no-retry-sparse"], PAGE)
    assert r.stdout == run([], PAGE).stdout
    assert r.stderr.decode().splitlines() == [
        "scrubber: warning: --extracted, --no-retry-sparse apply to text input only: "
        "<stdin> is HTML, whose blocks are decided without them"]
    # text input: they apply, no warning (nor with --text on HTML bytes)
    assert run(["--extracted", "--settle", "1", str(txt)]).stderr == b""
    assert run(["--text", "--no-model", "--settle", "1"], PAGE).stderr == b""
    # --jsonl --html: once a run, not once a record (-j 2: not once a worker)
    recs = tmp_path / "pages.jsonl"
    recs.write_text("".join(json.dumps({"text": PAGE.decode()}) + "\n" for _ in range(5)),
                    encoding="utf-8")
    base = run(["--jsonl", "--html", str(recs)])
    r = run(["--jsonl", "--html", "-j", "2", "--settle", "1", "--stats", str(recs)])
    assert r.returncode == 0 and r.stdout == base.stdout and len(r.stdout.splitlines()) == 5
    warnings = [x for x in r.stderr.decode().splitlines() if "warning" in x]
    assert warnings == ["scrubber: warning: --settle applies to text input only: the 'text' "
                        "field (--html) is HTML, whose blocks are decided without it"]
    # --jsonl without --html: the field is text, they apply
    assert b"warning" not in run(["--jsonl", "--settle", "1", str(recs)]).stderr


def test_text_flag_overrides_html_detection():
    r = run(["--text", "--no-model", "--no-context"], PAGE)
    assert b"<!doctype html>" in r.stdout


def test_html_flag_forces_html():
    r = run(["--html"], b"<p>A paragraph of body text that is clearly long enough, really.</p>")
    assert r.stdout.strip() == b"A paragraph of body text that is clearly long enough, really."


def test_binary_input_in_html_mode_is_an_error_naming_the_problem():
    r = run(["--html"], b"\x1f\x8b\x08\x00" + bytes(200))
    assert r.returncode == 1 and b"gzip" in r.stderr.lower()


@pytest.mark.parametrize("data, what", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(300), b"pdf"),
    (b"\x89PNG\r\n\x1a\n" + bytes(300), b"png"),
    (b"\x7fELF\x02\x01\x01" + bytes(300), b"elf"),
    (bytes(range(32)) * 20, b"binary data"),
])
def test_binary_input_in_auto_mode_is_an_error_naming_the_problem(data: bytes, what: bytes,
                                                                    tmp_path: Path):
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(data)
    r = run([str(bad), str(good)])
    # the binary file is named and nothing of it is written; the next file is cleaned
    assert r.returncode == 1
    assert b"bad.bin: input is not text" in r.stderr and what in r.stderr.lower()
    assert r.stdout == run([str(good)]).stdout and r.stdout.strip()
    forced = run(["--text", "--no-model", "--no-context"], data)
    assert forced.returncode == 0


def test_text_with_a_few_control_bytes_is_still_text():
    r = run(["--no-model", "--no-context"], ("\x07" + BODY).encode())
    assert r.returncode == 0 and BODY.split()[-1].encode() in r.stdout


def test_looks_like_html():
    from scrubber.cli import looks_like_html

    assert looks_like_html(b"\xef\xbb\xbf  <!DOCTYPE html><html>")
    assert not looks_like_html(b"Plain text with a < sign and <b> once.")


README_MD = b"""<div align="center">
  <img src="logo.png" width="200">
  <p>A tiny library for weather data.</p>
  <a href="https://ci.example.org"><img src="ci.svg"></a><br>
  <a href="https://pypi.org/x"><img src="pypi.svg"></a><br>
</div>

# Weather notes

""" + BODY.encode() + b"""
## Rainfall

""" + BODY.replace("A paragraph", "Another paragraph").encode()


@pytest.mark.parametrize("data", [
    README_MD,
    b"<!-- generated from docs/index.md: edit that -->\n# Weather notes\n\n" + BODY.encode(),
    b"<!-- x -->\n<div>\n\n```sh\npip install weather\n```\n\n" + BODY.encode(),
], ids=["div-and-badges", "comment", "comment-div-fence"])
def test_markdown_that_opens_with_html_is_cleaned_as_text(data: bytes):
    # a README opening with a comment or a centred <div> of badges was taken for HTML:
    # its lines were rendered into one paragraph ("# Weather notes A paragraph ...")
    from scrubber.cli import looks_like_html

    assert not looks_like_html(data)
    r = run(["--no-model", "--no-context"], data)
    assert r.returncode == 0
    assert r.stdout == run(["--text", "--no-model", "--no-context"], data).stdout
    assert b"# Weather notes\n" in r.stdout or b"```" in r.stdout


@pytest.mark.parametrize("data", [
    b"<!-- saved from url=(0014)about:internet -->\n" + PAGE,
    b"<!--section:sports--->\n<script>var a = 1;</script><div><p>" + BODY.encode(),
    b"<!-- CMS 6.0\n## not a heading: inside the comment -->\n\n" + BODY.encode(),
    b"<div><p>x</p><p>y</p><span>z</span><br><p># not a heading: in a paragraph</p></div>",
    # a page saved without its <html> and <head>, with a shell comment in a <pre>: the
    # "# create" line read as a Markdown heading, and the page was cleaned as text
    b"<meta charset='utf-8'>\n<title>Virtual environments</title>\n<h1>Virtual "
    b"environments</h1>\n<p>" + BODY.encode() + b"</p>\n<pre><code>\n# create the "
    b"environment\npython -m venv .venv\n</code></pre>\n<p>" + BODY.encode() + b"</p>\n",
])
def test_html_opening_with_a_comment_or_tags_is_still_html(data: bytes):
    from scrubber.cli import looks_like_html

    assert looks_like_html(data)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_html_with_a_bom_is_detected_as_html(codec: str, tmp_path: Path):
    from scrubber.cli import looks_like_html

    data = ("\ufeff" + PAGE.decode()).encode(codec)
    assert looks_like_html(data)
    assert not looks_like_html(("\ufeff" + BODY).encode(codec))
    forced = run(["--html"], data).stdout
    assert b"A paragraph of body text" in forced and b"Home" not in forced
    f = tmp_path / "page.html"
    f.write_bytes(data)
    for r in (run([], data), run([str(f)])):  # stdin and a file, auto mode
        assert r.returncode == 0 and r.stdout == forced


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_html_without_a_bom_is_detected_as_html(codec: str):
    from scrubber.cli import looks_like_html

    page = PAGE.decode().replace("A paragraph", "Абзац. A paragraph")
    data = page.encode(codec)
    assert looks_like_html(data)
    forced = run(["--html"], data).stdout
    assert "Абзац. A paragraph of body text" in forced.decode() and b"Home" not in forced
    assert run([], data).stdout == forced


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_text_with_a_bom_is_cleaned_and_written_back_in_its_encoding(
        codec: str):
    text = "Leave a Comment\r\n" + BODY
    r = run([], ("\ufeff" + text).encode(codec))
    assert r.returncode == 0 and r.stdout == ("\ufeff" + BODY).encode(codec)
    explained = run(["--explain"], ("\ufeff" + text).encode(codec)).stdout.decode()
    assert "comments.leave-a-comment" in explained and "A paragraph of body" in explained


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_a_bom_is_cleaned_and_written_back_in_its_encoding(codec: str):
    # it was read as UTF-8: every line held NULs, no rule matched, the comment-form
    # heading stayed (auto mode let it through as text, as HTML in it is read decoded)
    text = "Leave a Comment\r\n" + BODY.replace("\n", "\r\n")
    r = run(["--no-model", "--no-context"], text.encode(codec))
    assert r.returncode == 0 and r.stdout == BODY.replace("\n", "\r\n").encode(codec)
    explained = run(["--explain", "--no-model"], text.encode(codec)).stdout.decode()
    assert "comments.leave-a-comment" in explained and "A paragraph of body" in explained
    # UTF-8 with a few NULs is not UTF-16: it passes through as bytes
    data = b"A\x00B " + BODY.encode()
    assert run(["--no-model", "--no-context"], data).stdout == data


def test_utf16_bytes_not_well_formed_after_a_bom_pass_through_as_bytes():
    data = b"\xff\xfe" + "Leave a Comment\n".encode("utf-16-le") + b"A"  # an odd byte
    from scrubber.cli import decode

    assert decode(data) == (data.decode("utf-8", "surrogateescape"), None)


def test_context_flags_force_the_step_either_way():
    assert run(["--context"], PAGE).returncode == 0
    assert run(["--no-context"], PAGE).returncode == 0
    r = run(["--context", "--no-context"], PAGE)
    assert r.returncode == 2 and b"not allowed with" in r.stderr


def test_settle_caps_the_passes_and_refuses_zero():
    import scrubber
    from scrubber.cli import build_parser, config_from_args

    assert config_from_args(build_parser().parse_args(["--settle", "1"])).settle == 1
    assert config_from_args(build_parser().parse_args([])).settle == scrubber.Config().settle
    page = (Path(__file__).parent.parent / "fixtures" / "seeds" / "input").glob("*.txt")
    data = sorted(page)[0].read_bytes()
    r = run(["--settle", "1"], data)
    assert r.returncode == 0
    assert r.stdout.decode() == scrubber.clean(data.decode(), settle=1)
    r = run(["--settle", "0"], data)
    assert r.returncode == 2 and b"settle must be an int >= 1" in r.stderr


def test_closed_stdout_or_stdin_is_a_one_line_error(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text(BODY)
    for redirect, args in ((">&-", str(page)), (">&-", f"--jsonl {page}"), ("<&-", ""),
                           ("<&-", "--jsonl")):
        r = subprocess.run(f"{sys.executable} -m scrubber {args} {redirect}", shell=True,
                           capture_output=True, check=False)
        assert r.returncode == 1, (redirect, args, r.stderr)
        assert b"Traceback" not in r.stderr and b"is closed" in r.stderr


def test_rules_help_prints_help():
    r = run(["rules", "--help"])
    assert r.returncode == 0 and r.stdout.startswith(b"usage: scrubber rules")
    assert run(["rules", "extra"]).returncode == 2


@pytest.mark.parametrize("flag", [["--decisions", "why"], ["--keep-original", "raw"],
                                  ["--field", "body"], ["-j", "2"], ["--site-field", "d"],
                                  ["--url-field", "u"],
                                  # (given with their default values they passed silently)
                                  ["--field", "text"], ["-j", "1"], ["--url-field", "url"]])
def test_corpus_options_without_jsonl_are_usage_errors(flag):
    r = run(flag, BODY.encode())
    assert r.returncode == 2 and b"only with --jsonl" in r.stderr


def test_on_error_applies_in_text_mode_too():
    assert run(["--on-error", "skip"], BODY.encode()).returncode == 0


def test_gzip_text_input_is_decompressed(tmp_path: Path):
    import gzip

    gz = tmp_path / "page.txt.gz"
    gz.write_bytes(gzip.compress(b"Leave a Comment\n" + BODY.encode()))
    r = run([str(gz)])
    assert r.returncode == 0 and r.stdout.decode() == BODY
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(gz.read_bytes()[:20])
    r = run([str(bad)])
    assert r.returncode == 1 and str(bad).encode() in r.stderr and b"Traceback" not in r.stderr


def test_gzipped_stdin_is_decompressed_in_text_html_and_jsonl_mode():
    import gzip
    import json

    r = run([], gzip.compress(b"Leave a Comment\n" + BODY.encode()))
    assert r.returncode == 0 and r.stdout.decode() == BODY, r.stderr
    page = f"<html><body><p>{BODY.strip()}</p><footer>Leave a Comment</footer></body></html>"
    r = run([], gzip.compress(page.encode()))
    assert r.returncode == 0 and r.stdout.decode() == BODY, r.stderr
    r = run(["--jsonl"], gzip.compress(json.dumps({"text": BODY}).encode() + b"\n"))
    assert r.returncode == 0 and json.loads(r.stdout)["text"] == BODY, r.stderr
    # truncated or corrupt: the same one-line errors as a .gz file's
    for bad, why in ((gzip.compress(BODY.encode() * 5)[:30], b"truncated gzip input"),
                     (b"\x1f\x8b" + bytes(range(40)), b"")):
        for args in ([], ["--jsonl"]):
            r = run(args, bad)
            assert r.returncode == 1 and why in r.stderr and b"Traceback" not in r.stderr
            assert r.stderr.startswith(b"scrubber: ")


def test_explain_and_stats_without_a_model_name_a_trim_rule_that_leaves_nothing() -> None:
    stamp = b"Published on: February 14, 2025\n"
    r = run(["--explain", "--no-model"], stamp)
    assert r.returncode == 0 and b"DROP metadata.stamp" in r.stdout, r.stderr
    r = run(["--stats", "--no-model"], stamp)
    assert r.returncode == 0 and r.stdout == b"" and b"drop:rule:metadata.stamp" in r.stderr


MY_RULES = ('family = "mysite"\n[[rule]]\nid = "mysite.promo"\ndescription = "Promo line"\n'
            'scope = "line"\npatterns = ["^Shop our store$"]\nmatch = ["Shop our store"]\n'
            'no_match = ["You can shop our store later, she said."]\n')


def test_rules_check_runs_a_user_rule_files_examples_and_lists_its_rules(tmp_path):
    good = tmp_path / "mysite.toml"
    good.write_text(MY_RULES)
    r = run(["rules", "--check", str(good)])
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "[mysite]" in out and "mysite.promo" in out and "[video]" not in out
    assert f"{good}: 1 rule(s) loaded, 2 example(s) hold\n" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(MY_RULES.replace('match = ["Shop our store"]', 'match = ["Shop now"]'))
    r = run(["rules", "--check", str(good), "--check", str(bad)])
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.decode() == (f"scrubber: {bad}: rule 'mysite.promo': example 'Shop now' "
                                 "should match but does not\n")


def test_rules_check_counts_and_names_a_file_as_it_was_given(tmp_path):
    # the loader named it as pathlib spelled it ("a/./b" as "a/b"), so --check counted
    # none of its rules ("0 rule(s) loaded") and errors named another spelling
    good = f"{tmp_path}/./mysite.toml"
    Path(good).write_text(MY_RULES)
    r = run(["rules", "--check", good])
    assert r.returncode == 0, r.stderr
    assert f"{good}: 1 rule(s) loaded" in r.stdout.decode()
    Path(good).write_text(MY_RULES.replace('match = ["Shop our store"]', 'match = ["Shop"]'))
    r = run(["--rules", good], BODY.encode())
    assert r.returncode == 1 and r.stderr.decode().startswith(f"scrubber: {good}: rule ")


def test_rules_check_says_which_rules_have_no_examples_to_run(tmp_path):
    # it said "their examples hold" of rules that had none
    f = tmp_path / "mysite.toml"
    f.write_text(MY_RULES + '[[rule]]\nid = "mysite.bare"\ndescription = "No examples"\n'
                 'scope = "line"\npatterns = ["^Bare$"]\n')
    r = run(["rules", "--check", str(f)])
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().endswith(
        f"{f}: 2 rule(s) loaded, 2 example(s) hold; no examples: mysite.bare\n")


@pytest.mark.parametrize("args", ["rules", "rules --check {f}"])
def test_rules_with_stdout_closed_or_full_is_a_one_line_error(tmp_path: Path, args: str):
    # a traceback each: 'NoneType' object has no attribute 'flush', and OSError ENOSPC
    f = tmp_path / "mysite.toml"
    f.write_text(MY_RULES)
    cmd = f"{sys.executable} -m scrubber {args.format(f=f)}"
    r = subprocess.run(f"{cmd} >&-", shell=True, capture_output=True, check=False)
    assert r.returncode == 1 and r.stderr == b"scrubber: stdout is closed\n", r.stderr
    if Path("/dev/full").exists():
        r = subprocess.run(f"{cmd} > /dev/full", shell=True, capture_output=True, check=False)
        assert r.returncode == 1, r.stderr
        assert r.stderr == b"scrubber: stdout: No space left on device\n", r.stderr


def test_output_file_is_not_replaced_when_an_input_fails(tmp_path: Path):
    # `scrubber page.txt -o body.txt` with a mistyped page emptied body.txt (exit 1);
    # --jsonl keeps the file when it stops, and now text mode does too
    good = tmp_path / "good.txt"
    good.write_text("Leave a Comment\n" + BODY, encoding="utf-8")
    out = tmp_path / "body.txt"
    out.write_bytes(b"the last good run\n")
    for inputs in (["nope.txt"], [str(good), "nope.txt"], [str(good), str(tmp_path)]):
        r = run(["--no-model", "-o", str(out), *inputs], cwd=tmp_path)
        assert r.returncode == 1 and b"body.txt not written" in r.stderr, inputs
        assert out.read_bytes() == b"the last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.txt", "good.txt"]
    r = run(["--no-model", "-o", str(out), str(good)])
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == BODY
    # a device is written as it goes: nothing to keep, nothing said
    r = run(["--no-model", "-o", os.devnull, str(good), "nope.txt"], cwd=tmp_path)
    assert r.returncode == 1 and b"not written" not in r.stderr


@pytest.mark.parametrize("mode", [[], ["--jsonl"]])
def test_output_dash_is_stdout_not_a_file_named_dash(mode: list[str], tmp_path: Path):
    # as an input "-" is stdin; -o - wrote a file named "-" in the working folder
    data = ("Leave a Comment\n" + BODY).encode()
    if mode:
        data = b'{"text": "Leave a Comment\\n' + BODY.strip().encode() + b'"}\n'
    r = run([*mode, "--no-model", "-o", "-"], data, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == run([*mode, "--no-model"], data).stdout
    assert BODY.split()[-1].encode() in r.stdout and b"Leave a Comment" not in r.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["--url", "http://a.example/x"], ["--jsonl", "--url", "u"],
                                  ["--thr", "0.5"], ["--no-comm"]])
def test_option_prefixes_are_not_taken_for_options(argv: list[str]):
    # `--url http://a.example/x` was read as --url-field (in --jsonl mode: quietly a field
    # named "http://a.example/x"); a prefix is now an unknown option, exit 2
    from scrubber.cli import build_parser

    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(argv)
    assert e.value.code == 2
    flag = next(a for a in argv if a.startswith("--") and a != "--jsonl")
    r = run(argv, b"")
    assert r.returncode == 2 and f"unrecognized arguments: {flag}".encode() in r.stderr


@pytest.mark.parametrize("argv", [["--stats"], ["--stats", "nope.txt", "-"], ["--jsonl"]])
def test_closed_stderr_keeps_messages_out_of_the_output(argv: list[str], tmp_path: Path):
    # with stderr closed (2>&-) print(file=None) wrote --stats and error lines into the
    # cleaned output on stdout, and --jsonl failed with exit 1 and wrote nothing
    data = ("Leave a Comment\n" + BODY).encode()
    if "--jsonl" in argv:
        data = b'{"text": "' + BODY.strip().encode() + b'"}\n'
    r = run(["--no-model", *argv], data, cwd=tmp_path)
    closed = subprocess.run([sys.executable, "-m", "scrubber", "--no-model", *argv],
                            input=data, stdout=subprocess.PIPE, cwd=tmp_path,
                            preexec_fn=lambda: os.close(2))
    assert closed.returncode == r.returncode and closed.stdout == r.stdout
    assert b"lines in" not in closed.stdout and b"nope.txt" not in closed.stdout
    assert BODY.split()[-1].encode() in closed.stdout


def test_broken_gzip_on_stdin_is_named_stdin_as_in_every_other_message():
    import gzip

    # text mode said "scrubber: -: truncated gzip input", --jsonl "<stdin>"
    for args in ([], ["--html"], ["--jsonl"]):
        r = run(args, gzip.compress(BODY.encode() * 5)[:30])
        assert r.returncode == 1
        assert r.stderr.startswith(b"scrubber: <stdin>: truncated gzip input"), r.stderr


@pytest.mark.parametrize("first", [
    b'\n<script LANGUAGE="JavaScript">\n\tvar bandwidth = "broad";\n</script>\n',
    b"\n<title>TRYING TO EAT WHILE A DOG GROAKS YOU</title>\r\n",
    b'<meta charset="utf-8">\n', b'<link rel="stylesheet" href="a.css">\n',
    b"<style>p { margin: 0 }</style>\n",
])
def test_html_saved_without_html_and_head_is_detected_by_its_first_head_element(first: bytes):
    # pages of the evaluation sets that open with their <script> or <title> (no <html>,
    # no <head>, under five common tags) were cleaned as text: the markup came out
    data = first + b"<center><h1>A Headline</h1></center>\n<p>" + BODY.encode()
    r = run(["--no-model"], data)
    assert r.returncode == 0 and r.stdout == run(["--html", "--no-model"], data).stdout
    assert b"<" not in r.stdout and BODY.split()[-1].encode() in r.stdout
    # (Markdown that opens with one is still Markdown)
    md = first + b"\n# A Heading\n\n" + BODY.encode()
    assert run(["--no-model"], md).stdout == run(["--text", "--no-model"], md).stdout


@pytest.mark.parametrize("mode", [[], ["--jsonl"]])
def test_output_path_ending_with_a_slash_is_a_folder_not_a_file(mode: list[str],
                                                                 tmp_path: Path):
    # the slash was dropped: "-o new/" wrote a file "new", "-o body.txt/" replaced body.txt
    body = tmp_path / "body.txt"
    body.write_bytes(b"the last good run\n")
    data = b'{"text": "x"}\n' if mode else BODY.encode()
    for given, why in (("new/", b"Is a directory"), ("body.txt/", b"Not a directory")):
        r = run([*mode, "--no-model", "-o", given], data, cwd=tmp_path)
        assert r.returncode == 1 and f"scrubber: {given}: ".encode() + why in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.txt"]
    assert body.read_bytes() == b"the last good run\n"


def test_empty_output_name_is_a_usage_error_not_stdout():
    # -o "$OUT" with OUT unset wrote the output to stdout, exit 0
    r = run(["--no-model", "-o", ""], BODY.encode())
    assert r.returncode == 2 and r.stdout == b"" and b"empty file name" in r.stderr


def test_the_command_line_loads_no_corpus_module_or_numpy_before_it_needs_them() -> None:
    # build_parser imported scrubber.corpus for the --jsonl options, whose package imported
    # every corpus module and numpy with the profiles (about 0.2 s of `scrubber --help` or
    # a usage error); the text filter read its input through scrubber.corpus.jsonl, which
    # brought them too, and multiprocessing. Cleaning needs numpy (scrubber.features), but
    # only once the pipeline is loaded
    code = """if True:
        import sys
        import scrubber.cli
        scrubber.cli.build_parser()
        assert "numpy" not in sys.modules, "build_parser"
        assert not [m for m in sys.modules if m.startswith("scrubber.corpus.")
                    and m != "scrubber.corpus.cli"], "build_parser"
        from scrubber.corpus.jsonl import open_input
        heavy = {"numpy", "multiprocessing", "concurrent.futures", "scrubber.corpus.profile"}
        assert not heavy & set(sys.modules), sorted(heavy & set(sys.modules))
        import scrubber.corpus
        from scrubber.corpus import clean_jsonl, load_profile, site_of  # (as ever)
        assert site_of({"url": "https://www.example.com/a"}) == "example.com"
        assert set(scrubber.corpus.__all__) <= set(dir(scrubber.corpus))
        assert scrubber.corpus.CorpusStats is not None
        try:
            scrubber.corpus.nothing
        except AttributeError:
            pass
        else:
            raise AssertionError("nothing")
    """
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert r.returncode == 0, r.stderr.decode()


def test_text_mode_that_cleaned_no_input_exits_1_under_skip_and_keep(tmp_path: Path) -> None:
    # as --jsonl's run whose records are all bad: every input stopped by a user rule's
    # timeout under --on-error skip|keep exited 0, with nothing (skip) or the input itself
    # (keep) written
    rules = tmp_path / "slow.toml"
    rules.write_text('family = "mine"\n[[rule]]\nid = "mine.slow"\ndescription = "slow"\n'
                     'scope = "line"\nmax_chars = 100000\npatterns = [\'^(a|aa)+$\']\n')
    slow = tmp_path / "slow.txt"
    slow.write_bytes(b"a" * 40 + b"b\n" + BODY.encode())
    base = ["--text", "--no-model", "--rules", str(rules), "--regex-timeout", "0.05"]
    for action, how in (("skip", b"skipped"), ("keep", b"kept unchanged")):
        r = run([*base, "--on-error", action, str(slow)])
        assert r.returncode == 1
        last = r.stderr.splitlines()[-1]
        assert last == b"scrubber: no input was cleaned: 1 rule timeout(s), " + how
        assert r.stdout == (slow.read_bytes() if action == "keep" else b"")
    good = tmp_path / "good.txt"
    good.write_bytes(BODY.encode())
    r = run([*base, "--on-error", "skip", str(slow), str(good)])  # one cleaned: exit 0
    assert r.returncode == 0 and r.stdout == BODY.encode()


def test_prose_that_quotes_tags_is_text_and_a_file_named_html_is_html(tmp_path: Path):
    # a tutorial quoting five tags in its sentences was parsed as HTML: its lines run
    # together and the quoted tags lost; a three-paragraph fragment saved as page.html
    # was text, its tags written out
    from scrubber.cli import html_name, looks_like_html

    tutorial = (b"How to centre a div\nHome | Tutorials | CSS | Contact\n"
                b"Start with a container, such as <div class=\"box\">, and put the element "
                b"inside it.\nWrite your paragraph as <p>Hello</p> and maybe a <span>label"
                b"</span> next to it.\nIf you use a <table> for layout, the old trick with "
                b"<br> tags will not work.\n")
    assert not looks_like_html(tutorial)
    r = run(["--no-model", "--no-context"], tutorial)
    assert r.returncode == 0 and b'<div class="box">' in r.stdout
    fragment = ("<h1>A headline</h1>" + f"<p>{BODY}</p>" * 3).encode()
    assert not looks_like_html(fragment)
    page = tmp_path / "fragment.html"
    page.write_bytes(fragment)
    got = run([str(page)])
    assert got.returncode == 0 and got.stdout == run(["--html"], fragment).stdout
    assert b"<p>" not in got.stdout and BODY.encode() in got.stdout
    assert html_name("a/page.HTM") and html_name("page.html.gz") and html_name("x.xhtml")
    assert not html_name("page.txt") and not html_name("-") and not html_name("html")


def test_version_goes_to_stdout() -> None:
    # (it went to stderr: `scrubber --version 2>/dev/null` printed nothing)
    r = run(["--version"])
    assert r.returncode == 0 and r.stdout.decode().startswith("scrubber ") and not r.stderr
