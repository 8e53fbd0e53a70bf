"""``python -m scrubber.bench pathological`` (and its idempotence mode): argument checks,
help, and where the pages came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import usage_error

from scrubber.bench import pathological as patho
from scrubber.bench.__main__ import main as bench_main


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad argument must be refused before any case or page runs."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the arguments were checked")

    for name in ("run_case", "make_jsonl", "jsonl_stream", "idempotence"):
        monkeypatch.setattr(patho, name, refuse)


@pytest.mark.parametrize("argv, message", [
    (["--cases", "jsonl", "--jsonl-mb", "x"], "--jsonl-mb: not a number: 'x'"),
    (["--cases", "jsonl", "--jsonl-mb", "0"], "--jsonl-mb: must be above 0, got 0"),
    (["--jsonl-mb", "1,-3"], "--jsonl-mb: must be above 0, got -3"),
    (["idempotence", "--sets", "nosuch"], "unknown set: nosuch (known: wcxb-dev,"),
    (["idempotence", "--renderers", "nosuch"], "unknown renderer: nosuch (known: trafilatura,"),
    (["idempotence", "--limit", "0"], "--limit: must be at least 1, got 0"),
    (["idempotence", "--limit", "-1"], "--limit: must be at least 1, got -1"),
    (["idempotence", "--show", "-1"], "--show: must be at least 0, got -1"),
    # (written after the run: a traceback lost it)
    (["idempotence", "--json", "/proc/nowhere/x.json"], "--json /proc/nowhere/x.json: cannot"),
])
def test_pathological_refuses_bad_arguments_before_any_work(
    argv: list[str], message: str, no_work: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in usage_error(bench_main, ["pathological", *argv], capsys)


def test_a_row_of_an_empty_input_prints_without_dividing_by_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    patho._print_row("jsonl-stream", "bytes", 0, 0.01, None)
    assert capsys.readouterr().out.startswith("jsonl-stream")


def test_pathological_help_documents_the_idempotence_mode(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        patho.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "pathological idempotence" in out
    for option in ("--sets", "--renderers", "--limit", "--show", "--json"):
        assert option in out.split("idempotence mode:")[1]


def test_idempotence_runs_from_the_render_cache_alone_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scrubber.train import cache

    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "no-data"))
    monkeypatch.setenv("SCRUBBER_CACHE", str(tmp_path / "cache"))
    body = "A paragraph of prose that is long enough to count as body text, with commas."
    cache.write_jsonl_gz(cache.render_path("readability", "html_text"), {
        pid: {"id": pid, "text": f"Home | News\n{body}\n", "seconds": 0.0, "status": "ok"}
        for pid in ("a-1", "b-1", "c-1")})
    out_json = tmp_path / "idem.json"
    argv = ["idempotence", "--sets", "readability", "--renderers", "html_text,blocks",
            "--limit", "2", "--json", str(out_json)]
    assert patho.main(argv) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert f"html_text from the render cache {tmp_path / 'cache' / 'renders'}" in first
    assert "blocks: no data root" in first
    assert "total 2/2 = 100.00% idempotent" in out
