"""``python -m scrubber.bench throughput``: argument checks and where the corpus came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import usage_error

from scrubber.bench import throughput
from scrubber.bench.__main__ import main as bench_main


@pytest.fixture
def no_corpus_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad argument must be refused before the corpus is read (let alone timed)."""

    def refuse(*args: object, **kwargs: object) -> list[dict[str, str]]:
        raise AssertionError("the corpus was loaded before the arguments were checked")

    monkeypatch.setattr(throughput, "load_documents", refuse)


@pytest.mark.parametrize("argv, message", [
    (["--docs", "0"], "--docs: must be at least 1, got 0"),
    (["--jobs", "-2"], "--jobs: must be at least 1, got -2"),
    (["--jobs", "1,0"], "--jobs: must be at least 1, got 0"),
    (["--rss-sizes", "x"], "--rss-sizes: not a whole number: 'x'"),
    (["--rss-sizes", "-5"], "--rss-sizes: must be at least 1, got -5"),
    (["--starts", "-1"], "--starts: must be at least 0, got -1"),
    (["--sets", "nosuch"], "unknown set: nosuch (known: wcxb-dev,"),
    (["--renderers", "html_text,nosuch"], "unknown renderer: nosuch (known: trafilatura,"),
    # (these stopped the run after its in-process rows, with a traceback)
    (["--rss-args=-j0"], "--rss-args '-j0': -j must be >= 1"),
    (["--cli-args=--bogus"], "--cli-args '--bogus': scrubber: error: unrecognized arguments"),
    (["--cli-args", '"unbalanced'], "No closing quotation"),
    (["--workdir", "/nonexistent/nowhere"], "--workdir /nonexistent/nowhere: not a directory"),
])
def test_throughput_refuses_bad_arguments_before_any_work(
    argv: list[str], message: str, no_corpus_load: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in usage_error(bench_main, ["throughput", *argv], capsys)


def test_throughput_skips_a_known_set_that_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRUBBER_CACHE", str(tmp_path / "empty-cache"))
    assert throughput.main(["--sets", "readability", "--renderers", "html_text"]) == 0
    assert "no cached whole-page renders" in capsys.readouterr().err


def test_throughput_says_the_documents_came_from_the_render_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "no-data"))
    monkeypatch.setenv("SCRUBBER_CACHE", str(tmp_path / "cache"))
    text = "A paragraph of prose that is long enough to count as body text, with commas.\n"
    monkeypatch.setattr(throughput, "load_documents", lambda renderers, sets: [
        {"id": "s/html_text/1", "url": "", "text": text}])
    argv = ["--docs", "2", "--no-c4", "--jobs", "", "--rss-sizes", "", "--starts", "1"]
    assert throughput.main(argv) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0]
    assert f"from the render cache {tmp_path / 'cache' / 'renders'}" in header
    assert "no data root" in header
    assert "| scrubber clean() text mode | 2 |" in out
    # one process for the page, start-up included
    assert "| scrubber < page, a process per page | 1 |" in out
    assert f"the median document ({len(text)} chars)" in out
