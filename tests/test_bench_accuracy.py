"""The accuracy benchmark: system adapters, aggregation, targets, floors, and the GATE.

The adapter tests run on tiny hand-written texts. The gate (:func:`test_accuracy_gate`) scores
scrubber on a small fixed subset of real pages (``scrubber.bench.accuracy.GATE_PAGES``) and
fails when a score drops below its pinned floor in ``tests/accuracy_floors.json`` minus the
tolerance; it renders the pages itself, so it needs ``../shared/data`` but no cache, and skips
when the data is absent. Re-pin with ``python -m scrubber.bench accuracy --pin-floors``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import usage_error

from scrubber.bench import accuracy as acc
from scrubber.bench.__main__ import main as bench_main
from scrubber.bench.metrics import shingle_counts, word_prf
from scrubber.train.data import data_root

PROSE = (
    "The committee met on Tuesday to discuss the budget for the coming year, and after a "
    "long debate the members agreed that the new library would be built before the end of "
    "the decade, with most of the money coming from the regional government and the rest "
    "from private donors who have supported the town for many years."
)


# --- system adapters ------------------------------------------------------------------------


def test_keep_all_is_identity() -> None:
    text = "Home\n\nA line.\n"
    assert acc.keep_all(text) == text


def test_c4_lines_drops_short_and_unpunctuated_lines() -> None:
    pytest.importorskip("datatrove")
    text = "Home\nSign in to comment\nThe cat sat on the mat all afternoon.\nOk."
    assert acc.c4_lines(text) == "The cat sat on the mat all afternoon."


def test_c4_lines_has_no_document_rejections() -> None:
    pytest.importorskip("datatrove")
    # lorem ipsum and a curly bracket reject the whole document in C4's defaults: off here
    text = "Lorem ipsum dolor sit amet, consectetur.\nA config uses {braces} in it.\nMenu"
    assert acc.c4_lines(text).splitlines() == [
        "Lorem ipsum dolor sit amet, consectetur.",
        "A config uses {braces} in it.",
    ]
    # line rules stay on: javascript and cookie-policy lines go, citations are removed
    text = "Please enable JavaScript to view this page.\nThis site uses cookies to work.\n"
    assert acc.c4_lines(text) == ""
    assert acc.c4_lines("Water boils at 100 degrees.[1]") == "Water boils at 100 degrees."
    assert acc.c4_lines("") == ""


def test_justext_text_keeps_prose_and_drops_navigation() -> None:
    pytest.importorskip("justext")
    text = f"Home\nNews\nSport\n\n{PROSE}\nShare this\n"
    out = acc.justext_text(text, "en")
    assert out == PROSE
    assert acc.justext_text("   \n\n") == ""


def test_justext_text_escapes_markup_in_lines() -> None:
    pytest.importorskip("justext")
    line = PROSE.replace("library", "<b>library</b> & <script>x</script>")
    assert acc.justext_text(line) == line


def test_justext_language() -> None:
    pytest.importorskip("justext")
    assert acc.justext_language("pt") == "Portuguese"
    assert acc.justext_language("pt-BR") == "Portuguese"
    assert acc.justext_language("ja") == "English"  # no Japanese stoplist
    assert acc.justext_language(None) == "English"
    assert acc.justext_language("xx") == "English"


def test_oracle_picks_labelled_lines() -> None:
    lines = ["Menu", "", "A headline", "Body text here.", "Share"]
    labels = [0, -1, 1, 1, 0]
    assert acc.oracle(lines, labels) == "A headline\nBody text here."
    assert acc.oracle([], []) == ""


def test_scrubber_clean_adapter_runs() -> None:
    out = acc.scrubber_clean(f"{PROSE}\n")
    assert PROSE in out


def _sample(text: str, labels: list[int], gold: str, sid: str = "p1") -> acc.Sample:
    return acc.Sample(
        "wcxb-dev", sid, "html_text", text, text.splitlines(), labels, gold, "article", None
    )


def test_score_samples_scores_every_system() -> None:
    text = "Menu\nThe body of the page is here and it is long enough.\nFooter"
    gold = "The body of the page is here and it is long enough."
    chunk = acc.score_samples([_sample(text, [0, 1, 0], gold)], ["keep-all", "oracle"])
    by = {r.system: r for r in chunk.results}
    assert by["oracle"].word.f1 == 1.0
    assert by["keep-all"].word.recall == 1.0
    assert by["keep-all"].word.precision < 1.0
    assert chunk.clean_docs == 0 and not chunk.errors


def test_score_samples_counts_errors_as_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(sample: acc.Sample) -> str:
        raise RuntimeError("boom")

    monkeypatch.setitem(acc.TEXT_SYSTEMS, "keep-all", boom)
    chunk = acc.score_samples([_sample("a b c", [1], "a b c")], ["keep-all"])
    assert chunk.errors == {"keep-all": 1}
    assert chunk.results[0].empty and chunk.results[0].word.f1 == 0.0


# --- aggregation, targets, formatting -------------------------------------------------------


def _result(
    set_name: str,
    renderer: str,
    system: str,
    pred: str,
    gold: str,
    pid: str = "1",
    page_type: str | None = None,
) -> acc.PageResult:
    return acc.PageResult(
        set_name,
        pid,
        renderer,
        system,
        word_prf(pred, gold),
        shingle_counts(pred, gold),
        page_type,
        "en",
    )


def test_aggregate_groups_and_orders() -> None:
    results = [
        _result("dragnet", "html_text", "keep-all", "a b c d", "a b", "1"),
        _result("dragnet", "html_text", "scrubber", "a b", "a b", "1"),
        _result("dragnet", "html_text", "scrubber", "", "a b", "2"),
        _result("wcxb-dev", "html_text", "scrubber", "a b", "a b", "3", "forum"),
    ]
    rows = acc.aggregate(results, "set")
    assert [(r.key, r.system) for r in rows] == [
        ("wcxb-dev", "scrubber"),
        ("dragnet", "scrubber"),
        ("dragnet", "keep-all"),
    ]
    dragnet = rows[1]
    assert dragnet.docs == 2 and dragnet.word.f1 == pytest.approx(0.5)
    by_type = acc.aggregate(results, "page_type")
    assert [(r.key, r.docs) for r in by_type] == [("forum", 1)]
    by_lang = acc.aggregate(results, "lang")
    assert {r.key for r in by_lang} == {"en"}


def _row(key: str, renderer: str, system: str, f1: float, recall: float = 0.9) -> acc.Row:
    prf = acc.PRF(0.9, recall, f1, 10)
    return acc.Row("set", key, renderer, system, 10, prf, prf)


def test_check_targets_pass_fail_skip() -> None:
    rows = [
        _row("wcxb-dev", "html_text", "scrubber", 0.91),
        _row("wcxb-dev", "html_text", acc.REFERENCE, 0.92),
        _row("wcxb-dev", "trafilatura", "scrubber", 0.93, recall=0.90),
        _row("wcxb-dev", "trafilatura", "keep-all", 0.90, recall=0.905),
        _row("dragnet", "inscriptis", "scrubber", 0.80),
        _row("dragnet", "inscriptis", "c4-lines", 0.70),
        _row("dragnet", "inscriptis", "justext-text", 0.85),
    ]
    status = {t.name: t.status for t in acc.check_targets(rows, ["wcxb-dev", "dragnet"])}
    assert status["wcxb-dev × html_text: scrubber word F1 >= 0.90"] == "PASS"
    assert status["wcxb-dev × html_text: scrubber word F1 > trafilatura-html"] == "FAIL"
    assert status["wcxb-dev × blocks: scrubber word F1 >= 0.90"] == "SKIP"
    assert status["wcxb-dev × trafilatura: scrubber word F1 >= keep-all + 0.02"] == "PASS"
    assert (
        status["wcxb-dev × trafilatura: scrubber word recall >= keep-all recall - 0.01"] == "PASS"
    )
    assert status["dragnet × trafilatura: scrubber word F1 >= keep-all + 0.02"] == "SKIP"
    assert status["dragnet × inscriptis: scrubber word F1 > c4-lines"] == "PASS"
    assert status["dragnet × inscriptis: scrubber word F1 > justext-text"] == "FAIL"
    assert status["l3s-gn1 × html_text: scrubber word F1 > c4-lines"] == "SKIP"
    # the extracted setting's own after-trafilatura lines, only when it ran
    assert not any("scrubber-extracted" in name for name in status)
    rows.append(_row("wcxb-dev", "trafilatura", "scrubber-extracted", 0.91, recall=0.90))
    status = {t.name: t.status for t in acc.check_targets(rows, ["wcxb-dev", "dragnet"])}
    assert status["wcxb-dev × trafilatura: scrubber-extracted word F1 >= keep-all + 0.02"] == "FAIL"
    recall = "wcxb-dev × trafilatura: scrubber-extracted word recall >= keep-all recall - 0.01"
    assert status[recall] == "PASS"
    assert not any("dragnet × trafilatura: scrubber-extracted" in name for name in status)


def test_format_table() -> None:
    table = acc.format_table(["name", "docs", "F1"], [["a", 3, 0.5], ["long name", 12, 0.12345]])
    assert table.splitlines() == [
        "| name      | docs |    F1 |",
        "|-----------|-----:|------:|",
        "| a         |    3 | 0.500 |",
        "| long name |   12 | 0.123 |",
    ]
    assert acc.format_table(["x"], []).splitlines() == ["| x |", "|---|"]


def test_format_markdown_round_trip() -> None:
    report = acc.Report(["dragnet"], ["html_text"], ["scrubber", "oracle"], None)
    report.results = [
        _result("dragnet", "html_text", "scrubber", "a b", "a b c", "1"),
        _result("dragnet", "html_text", "oracle", "a b c", "a b c", "1"),
    ]
    report.pages = {"dragnet": 1}
    report.scope = {"dragnet": "official test split"}
    report.speed = {("dragnet", "html_text"): {"documents": 1, "seconds": 0.5, "chars": 10}}
    report.done = [("dragnet", "html_text")]
    summary = acc.summarise(report, "python -m scrubber.bench accuracy")
    json.dumps(summary)  # JSON-ready
    md = acc.format_markdown(summary)
    assert "### dragnet (1 pages: official test split)" in md
    assert "| html_text | scrubber |    1 |   0.800 |" in md
    assert "## Targets" in md and "## scrubber vs oracle" in md
    assert summary["pages"]["dragnet/html_text"]["word_f1"]["oracle"] == [1.0]
    assert summary["gaps"][0]["worst"][0]["id"] == "1"


# --- floors ---------------------------------------------------------------------------------


def test_gate_failures_uses_tolerance() -> None:
    floors = {"s/r": {"word_f1": 0.8, "shingle_f1": 0.7}}
    assert acc.gate_failures({"s/r": {"word_f1": 0.796, "shingle_f1": 0.7}}, floors) == []
    failures = acc.gate_failures({"s/r": {"word_f1": 0.79, "shingle_f1": 0.7}}, floors)
    assert len(failures) == 1 and "word_f1" in failures[0]
    assert acc.gate_failures({}, floors)[0].startswith("s/r word_f1: not scored")


def test_pin_floors_refuses_to_lower(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    ok, _ = acc.pin_floors({"s/r": {"word_f1": 0.81234, "shingle_f1": 0.7, "documents": 5}}, path)
    assert ok
    assert json.loads(path.read_text()) == {
        "s/r": {"word_f1": 0.8123, "shingle_f1": 0.7, "documents": 5}
    }
    before = path.read_text()
    ok, messages = acc.pin_floors({"s/r": {"word_f1": 0.80, "shingle_f1": 0.75}}, path)
    assert not ok and "refusing" in messages[0]
    assert path.read_text() == before  # nothing written
    ok, _ = acc.pin_floors({"s/r": {"word_f1": 0.80, "shingle_f1": 0.75}}, path, allow_lower=True)
    assert ok and acc.load_floors(path)["s/r"]["word_f1"] == 0.8
    ok, _ = acc.pin_floors({"t/r": {"word_f1": 0.9, "shingle_f1": 0.9}}, path)
    assert ok and set(acc.load_floors(path)) == {"s/r", "t/r"}  # other keys kept


def test_pin_floors_sets_a_floor_anew_when_the_subset_changed(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    acc.pin_floors({"s/r": {"word_f1": 0.9, "shingle_f1": 0.9, "documents": 40}}, path)
    # the same key scored on more pages: another subset, not a lowered floor
    ok, messages = acc.pin_floors({"s/r": {"word_f1": 0.8, "shingle_f1": 0.85,
                                           "documents": 150}}, path)
    assert ok and "set anew on 150 documents" in messages[0] and "was 0.9 on 40" in messages[0]
    assert acc.load_floors(path)["s/r"] == {"word_f1": 0.8, "shingle_f1": 0.85,
                                           "documents": 150}
    # on the same pages, lowering is still refused
    ok, messages = acc.pin_floors({"s/r": {"word_f1": 0.79, "shingle_f1": 0.85,
                                           "documents": 150}}, path)
    assert not ok and "refusing" in messages[0]


def test_gate_failures_reports_floors_pinned_on_other_pages() -> None:
    floors = {"s/r": {"word_f1": 0.8, "shingle_f1": 0.7, "documents": 40}}
    same = {"s/r": {"word_f1": 0.9, "shingle_f1": 0.9, "documents": 40}}
    assert acc.gate_failures(same, floors) == []
    other = {"s/r": {"word_f1": 0.9, "shingle_f1": 0.9, "documents": 150}}
    failures = acc.gate_failures(other, floors)
    assert failures == ["s/r: scored on 150 documents, its floors were pinned on 40 "
                        "(ids digest None; re-pin: --pin-floors)"]


def test_the_gate_knows_its_pages_by_their_ids_not_only_their_number(tmp_path: Path) -> None:
    # (a split change that swapped gate pages, keeping their number, compared the floors
    # with other pages' scores)
    floors = {"s/r": {"word_f1": 0.8, "shingle_f1": 0.7, "documents": 40, "pages": "aa"}}
    same = {"s/r": {"word_f1": 0.9, "shingle_f1": 0.9, "documents": 40, "pages": "aa"}}
    assert acc.gate_failures(same, floors) == []
    swapped = {"s/r": {"word_f1": 0.9, "shingle_f1": 0.9, "documents": 40, "pages": "bb"}}
    [failure] = acc.gate_failures(swapped, floors)
    assert "other pages" in failure and "bb" in failure and "aa" in failure
    path = tmp_path / "floors.json"
    path.write_text(json.dumps(floors), encoding="utf-8")
    lower = {"s/r": {"word_f1": 0.7, "shingle_f1": 0.6, "documents": 40, "pages": "bb"}}
    ok, messages = acc.pin_floors(lower, path)  # other pages: set anew, not "lowered"
    assert ok and "set anew" in messages[0]
    assert acc.load_floors(path)["s/r"]["pages"] == "bb"
    pages = [SimpleNamespace(set="s", id=str(i)) for i in range(3)]
    assert acc.page_digest(pages) == acc.page_digest(list(pages))
    assert acc.page_digest(pages) != acc.page_digest(pages[::-1])


def test_floors_file_covers_the_gate() -> None:
    floors = acc.load_floors()
    expected = {f"{s}/{r}" for s in acc.GATE_PAGES
                for r in (*acc.GATE_RENDERERS, acc.GATE_HTML, f"{acc.GATE_NOCOMMENTS}:nocomments")}
    assert expected <= set(floors), "run python -m scrubber.bench accuracy --pin-floors"
    for key in expected:
        for metric in acc.GATE_METRICS:
            assert 0.0 < floors[key][metric] <= 1.0
        assert floors[key]["documents"] == acc.GATE_PAGES[key.split("/")[0]]
        assert isinstance(floors[key]["pages"], str) and len(floors[key]["pages"]) == 16


# --- command line ---------------------------------------------------------------------------


def test_bench_dispatch(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    assert bench_main(["nope"]) == 2
    monkeypatch.setitem(
        __import__("scrubber.bench.__main__", fromlist=["SUBCOMMANDS"]).SUBCOMMANDS,
        "throughput",
        "scrubber.bench.does_not_exist",
    )
    assert bench_main(["throughput"]) == 2
    assert "not available" in capsys.readouterr().err
    assert bench_main([]) == 2
    assert bench_main(["--help"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["--limit", "0"], "--limit: must be at least 1, got 0"),
    (["--limit", "-3"], "--limit: must be at least 1, got -3"),
    (["--jobs", "-2"], "--jobs: must be at least 1, got -2"),
    (["--jobs", "0"], "--jobs: must be at least 1, got 0"),
    (["--sets", "nosuch"], "unknown set: nosuch (known: wcxb-dev,"),
    (["--renderers", "nosuch"], "unknown renderer: nosuch (known: trafilatura,"),
    (["--systems", "keep-all,nosuch"], "unknown system: nosuch (known: scrubber,"),
])
def test_accuracy_refuses_bad_arguments_as_usage_errors_before_any_work(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the benchmark ran before the arguments were checked")

    monkeypatch.setattr(acc, "run_benchmark", refuse)
    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "missing"))  # names come first
    err = usage_error(bench_main, ["accuracy", *argv, "--out", str(tmp_path / "acc")], capsys)
    assert message in err
    assert not list(tmp_path.iterdir())  # no empty report


def test_accuracy_progress_goes_to_a_log_file_as_plain_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    log = io.StringIO()  # not a terminal
    monkeypatch.setattr(sys, "stderr", log)
    step = acc._progress(450, "wcxb-dev × html_text")
    assert step is not None
    for _ in range(450 // 8):
        step(8)
    step(450 % 8)
    lines = log.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "  wcxb-dev × html_text: 200/450 pages", "  wcxb-dev × html_text: 400/450 pages",
        "  wcxb-dev × html_text: 450/450 pages"]
    assert acc._progress(0, "nothing") is None


@pytest.mark.skipif(data_root() is None, reason="../shared/data is absent")
def test_accuracy_cli_small_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("html_text")
    out = tmp_path / "acc"
    status = acc.main(
        [
            "--sets",
            "readability",
            "--renderers",
            "html_text",
            "--limit",
            "2",
            "--systems",
            "keep-all,oracle",
            "--render-missing",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    summary = json.loads((tmp_path / "acc.json").read_text())
    rows = summary["rows"]["set"]
    assert {(r["system"], r["documents"]) for r in rows} == {("keep-all", 2), ("oracle", 2)}
    assert (tmp_path / "acc.md").read_text().startswith("# scrubber accuracy benchmark")
    assert "## Targets" in capsys.readouterr().out


# --- the gate -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gate() -> dict[str, dict[str, float]]:
    if data_root() is None:
        pytest.skip("../shared/data is absent")
    for module in ("trafilatura", "html_text"):
        pytest.importorskip(module)
    try:
        return acc.gate_scores()
    except acc.GateUnavailable as exc:
        pytest.skip(f"gate pages unavailable: {exc}")


def test_accuracy_gate(gate: dict[str, dict[str, float]]) -> None:
    """scrubber on the fixed gate subset stays above the pinned floors (minus tolerance)."""
    floors = acc.load_floors()
    assert floors, "tests/accuracy_floors.json missing: run --pin-floors"
    failures = acc.gate_failures(gate, floors, acc.GATE_TOLERANCE)
    assert not failures, "accuracy regressed on the gate subset:\n" + "\n".join(failures)


@pytest.mark.parametrize("command", ["accuracy", "html"])
def test_an_unwritable_out_is_a_usage_error_before_the_run(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    # (an --out under a file or /proc failed when the report was written, after the whole
    # run, with a traceback)
    from scrubber.bench import html_track as ht

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the benchmark ran before --out was checked")

    monkeypatch.setattr(acc, "run_benchmark", refuse)
    monkeypatch.setattr(ht, "run_benchmark", refuse)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    err = usage_error(bench_main, [command, "--limit", "1", "--out", str(blocker / "r")],
                      capsys)
    assert f"--out {blocker / 'r'}.md: cannot make its folder" in err
    (tmp_path / "r.md").mkdir()
    err = usage_error(bench_main, [command, "--limit", "1", "--out", str(tmp_path / "r")],
                      capsys)
    assert "r.md: is a directory" in err
