"""The HTML track of the accuracy benchmark (:mod:`scrubber.bench.html_track`).

The adapters run on a tiny hand-written page (below; nothing here comes from the shared
data). The formatter, targets and front-end comparison run on synthetic page results. The end-
to-end test builds a fake data root of two hand-written pages in a temporary folder, so it
needs neither ``../shared/data`` nor a cache; the no-data test points ``$SCRUBBER_DATA`` at a
missing folder.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import usage_error

import scrubber
from scrubber.bench import html_track as ht
from scrubber.bench.__main__ import main as bench_main
from scrubber.bench.accuracy import PageResult
from scrubber.bench.metrics import shingle_counts, word_prf

PROSE = [
    "The town council met on Tuesday evening to discuss the budget for the coming year, and "
    "after a long debate the members agreed that the new library would be built before the "
    "end of the decade, with most of the money coming from the regional government.",
    "Residents who attended the meeting said they were pleased with the decision, although "
    "several of them asked the council to publish the full plans for the building so that "
    "everyone in the town could read them and send their comments before the spring.",
    "The mayor thanked the volunteers who had collected signatures for the project over the "
    "past two years and promised that the library would stay open late on weekdays, which "
    "many students and working parents in the town had asked for in the survey.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Council approves new library - Town News</title>
<script>var tracking = 1;</script><style>body {{ color: black; }}</style></head>
<body>
<header><nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article>
<h1>Council approves new library</h1>
<p>{PROSE[0]}</p>
<p>{PROSE[1]}</p>
<p>{PROSE[2]}</p>
</article></main>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Storm closes bridge</a></li>
<li><a href="/b">Bakery wins prize</a></li></ul></aside>
<footer><p>Copyright 2024 Town News. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p></footer>
</body></html>"""

GOLD = "Council approves new library\n" + "\n".join(PROSE) + "\n"

_MODULES = {
    "scrubber": "selectolax",
    "scrubber-blocks": "selectolax",
    "scrubber-nocomments": "selectolax",
    "scrubber-traf": "trafilatura",
    "trafilatura": "trafilatura",
    "resiliparse": "resiliparse",
    "readability": "readability",
    "justext": "justext",
    "boilerpy3": "boilerpy3",
}


# --- adapters -------------------------------------------------------------------------------


@pytest.mark.parametrize("system", ht.SYSTEMS)
def test_adapter_keeps_the_article_and_drops_the_footer(system: str) -> None:
    pytest.importorskip(_MODULES[system])
    out, err = ht.guarded(lambda: ht.ADAPTERS[system](PAGE, None))
    assert err is None
    for paragraph in PROSE:
        assert paragraph in out, system
    assert "var tracking" not in out
    assert "Privacy policy" not in out
    assert "Storm closes bridge" not in out
    assert "\r" not in out


def test_adapters_on_an_empty_page_give_empty_text_or_a_counted_error() -> None:
    for system in ht.SYSTEMS:
        pytest.importorskip(_MODULES[system])
        out, err = ht.guarded(lambda s=system: ht.ADAPTERS[s]("", None))
        assert out.strip() == "" or err is None, system
        if err is not None:
            assert out == ""


def test_guarded_turns_exceptions_and_timeouts_into_empty_output() -> None:
    def boom() -> str:
        try:
            raise KeyError("inner")
        except KeyError as exc:
            raise ValueError("outer") from exc

    out, err = ht.guarded(boom)
    assert out == ""
    assert err is not None and err.startswith("ValueError: outer") and "KeyError" in err

    def slow() -> str:
        time.sleep(5)
        return "late"

    start = time.perf_counter()
    out, err = ht.guarded(slow, timeout=0.2)
    assert (out, err) == ("", "timeout after 0.2s")
    assert time.perf_counter() - start < 3
    assert ht.guarded(lambda: "a\r\nb\rc") == ("a\nb\nc", None)
    assert ht.guarded(lambda: None) == ("", None)  # type: ignore[arg-type,return-value]


def test_html_fragment_text_is_block_aware() -> None:
    pytest.importorskip("lxml")
    html = (
        "<html><body><div><h2>Title</h2><p>One <b>two</b>&nbsp; three</p><p>four</p>"
        "five<br>six<ul><li>a</li><li>b</li></ul><!-- a comment -->"
        "<script>var x;</script><table><tr><td>c1</td><td>c2</td></tr></table></div></body></html>"
    )
    assert ht.html_fragment_text(html) == "Title\nOne two three\nfour\nfive\nsix\na\nb\nc1\nc2"
    assert ht.html_fragment_text("") == ""
    assert ht.html_fragment_text("<p>x</p>tail") == "x\ntail"


def test_html_lang_and_justext_stoplist_choice() -> None:
    assert ht.html_lang('<html lang="pt-BR">') == "pt"
    assert ht.html_lang("<HTML class=a LANG=de_DE>") == "de"
    assert ht.html_lang("<html><body lang='fr'>") is None
    assert ht.html_lang("<p>no html tag</p>") is None
    pytest.importorskip("justext")
    german = (
        "<html lang='de'><body><p>Der Gemeinderat hat am Dienstag beschlossen, dass die neue "
        "Bibliothek noch vor dem Ende des Jahrzehnts gebaut wird, und die meisten Mitglieder "
        "waren mit dieser Entscheidung sehr zufrieden, weil sie schon lange darauf gewartet "
        "haben und die Stadt eine solche Einrichtung dringend braucht.</p></body></html>"
    )
    assert "Bibliothek" in ht.justext_html(german)  # German stoplist from <html lang>
    assert ht.justext_html(german, "en") == ""  # English stoplist: no stop words, boilerplate


# --- sample, aggregation, targets, formatting ------------------------------------------------


class _P:
    def __init__(self, set_name: str, pid: str) -> None:
        self.set, self.id = set_name, pid


def test_speed_sample_is_an_even_fixed_share_of_each_set() -> None:
    pages = {
        "a": [_P("a", f"{i:03d}") for i in range(100)],
        "b": [_P("b", f"{i:03d}") for i in range(3)],
        "c": [],
    }
    sample = ht.speed_sample(pages, 10)
    assert [(p.set, p.id) for p in sample] == [
        ("a", "000"),
        ("a", "020"),
        ("a", "040"),
        ("a", "060"),
        ("a", "080"),
        ("b", "000"),
        ("b", "001"),
        ("b", "002"),
    ]
    assert [p.id for p in ht.speed_sample(pages, 10)] == [p.id for p in sample]
    assert ht.speed_sample({}, 10) == [] and ht.speed_sample(pages, 0) == []


def _result(set_name: str, pid: str, system: str, predicted: str, gold: str, ptype: str | None):
    return PageResult(
        set_name,
        pid,
        "html",
        system,
        word_prf(predicted, gold),
        shingle_counts(predicted, gold),
        page_type=ptype,
        empty=not predicted.strip(),
    )


def _report() -> ht.HtmlReport:
    gold = "alpha beta gamma delta epsilon zeta eta theta"
    good, half = gold, "alpha beta gamma delta menu login"
    outputs = {  # system -> (article page, forum page)
        "scrubber": (good, good),
        "scrubber-blocks": (good, good),
        "scrubber-traf": (half, good),
        "trafilatura": (half, half),
    }
    rep = ht.HtmlReport(["wcxb-dev", "dragnet"], list(outputs), None)
    for system, (a, f) in outputs.items():
        rep.results.append(_result("wcxb-dev", "1", system, a, gold, "article"))
        rep.results.append(_result("wcxb-dev", "2", system, f, gold, "forum"))
        rep.results.append(
            _result("dragnet", "9", system,
                    "" if system in ("scrubber", "scrubber-blocks") else a, gold, None)
        )
    rep.pages = {"wcxb-dev": 2, "dragnet": 1}
    rep.scope = {"wcxb-dev": "held-out sites", "dragnet": "official test split"}
    rep.errors = {"wcxb-dev": {}, "dragnet": {"scrubber": 1}}
    rep.live = {"scrubber": ht._Clock(3, 0.3, 0.2)}
    rep.sample = [{"set": "wcxb-dev", "id": "1"}]
    rep.measurements = {
        "none": {"peak_mb": 30.0},
        "scrubber": {"documents": 10, "seconds": 0.5, "cpu_seconds": 0.4, "peak_mb": 60.0,
                     "documents_per_second": 20.0, "cpu_documents_per_second": 25.0},
        "trafilatura": {"documents": 10, "seconds": 2.0, "cpu_seconds": 1.6, "peak_mb": 80.0,
                        "documents_per_second": 5.0, "cpu_documents_per_second": 6.25},
        "scrubber-traf": {"error": "exit 1: boom"},
    }  # fmt: skip
    rep.load = {"start": [1.0, 1.0, 1.0], "end": [2.0, 1.0, 1.0]}
    return rep


def test_summary_targets_front_ends_and_markdown() -> None:
    summary = ht.summarise(_report(), "python -m scrubber.bench html --limit 2")
    json.dumps(summary)  # JSON-ready
    by = {(r["key"], r["system"]): r for r in summary["rows"]["set"]}
    assert by[("wcxb-dev", "scrubber")]["word_f1"] == pytest.approx(1.0)
    assert by[("dragnet", "scrubber")]["empty"] == 1
    assert by[("dragnet", "scrubber")]["errors"] == 1
    types = {r["key"] for r in summary["rows"]["page_type"]}
    assert types == {"article", "forum"}

    status = {t["name"].split(":")[0]: t["status"] for t in summary["targets"]}
    assert list(status.values()) == ["PASS", "PASS", "PASS"]
    speed = summary["targets"][2]["detail"]
    assert "20.0 vs 5.0 docs/s = 4.00×" in speed and "CPU time" in speed
    assert speed.endswith(f"(scrubber {scrubber.build()})")  # speed depends on the build

    fe = {r["scope"]: r for r in summary["front_ends"]}
    assert list(fe) == ["wcxb-dev", "wcxb-dev:article", "wcxb-dev:forum", "dragnet"]
    assert fe["wcxb-dev:article"]["winner"] == "selectolax"
    assert fe["wcxb-dev:forum"]["winner"] == "tie"
    assert fe["dragnet"]["winner"] == "trafilatura"
    assert (fe["wcxb-dev"]["selectolax_pages"], fe["wcxb-dev"]["trafilatura_pages"]) == (1, 0)

    rows = {r["system"]: r for r in summary["speed"]}
    assert rows["scrubber"]["over_baseline_mb"] == pytest.approx(30.0)
    assert rows["scrubber-traf"]["sample"] is None
    assert rows["scrubber-traf"]["sample_error"] == "exit 1: boom"

    md = ht.format_markdown(summary)
    for heading in (
        "### wcxb-dev (2 pages: held-out sites)",
        "## WCXB held-out by page type",
        "## Speed and memory",
        "## Targets",
        "## Front ends",
    ):
        assert heading in md
    assert "| scrubber        |    2 |   1.000 |" in md
    assert "Targets: 3 PASS, 0 FAIL, 0 SKIP" in md
    assert "- sample measurement failed: scrubber-traf: exit 1: boom" in md
    assert "- selectolax wins: wcxb-dev, wcxb-dev:article" in md
    assert "- trafilatura front end wins: dragnet" in md


def test_report_header_names_the_html_models_stages_from_its_card() -> None:
    """The shipped HTML model's top-level ``model`` is its first stage (logreg); the header
    read it alone, so a model whose second stage is gradient-boosted trees read "logreg"."""
    from importlib import resources

    card = json.loads((resources.files("scrubber") / "weights" / "html.json").read_text("utf-8"))
    stages = [st.get("model", "logreg") for st in card.get("stages", ())]
    summary = ht.summarise(_report(), "python -m scrubber.bench html --limit 2")
    shipped = next(line for line in ht.format_markdown(summary).splitlines()
                   if line.startswith("Models shipped:"))
    expected = " + ".join([card["model"], *(f"{m} stage" for m in stages)])
    assert f"html ({expected}, threshold {card['threshold']}," in shipped
    if "gbt" in stages:
        assert "gbt stage" in shipped


def test_html_refuses_counts_below_one_and_unknown_names_as_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv, message in (
        (["--limit", "0"], "--limit: must be at least 1, got 0"),
        (["--limit", "-2"], "--limit: must be at least 1, got -2"),
        (["--sets", "nosuch"], "unknown set: nosuch"),
        (["--systems", "nosuch"], "unknown system: nosuch"),
        (["--rounds", "0"], "--rounds: must be at least 1, got 0"),
        (["--sample", "-1"], "--sample: must be at least 1, got -1"),
    ):
        assert message in usage_error(ht.main, argv, capsys)


def test_targets_fail_and_skip() -> None:
    rep = _report()
    rep.results = [
        r if r.system != "scrubber" else _result(r.set, r.id, r.system, "menu", "x y", r.page_type)
        for r in rep.results
    ]
    rep.measurements["scrubber"]["documents_per_second"] = 10.0
    summary = ht.summarise(rep)
    assert [t["status"] for t in summary["targets"]] == ["FAIL", "FAIL", "FAIL"]
    assert "below on article, forum" in summary["targets"][1]["detail"]

    rep.systems = ["scrubber"]
    rep.results = [r for r in rep.results if r.system == "scrubber"]
    rep.measurements = {}
    summary = ht.summarise(rep)
    assert [t["status"] for t in summary["targets"]] == ["SKIP", "SKIP", "SKIP"]
    assert summary["front_ends"] == []
    assert "## Front ends" not in ht.format_markdown(summary)


# --- the command ------------------------------------------------------------------------------


def test_command_skips_cleanly_without_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "missing"))
    out = tmp_path / "report"
    assert ht.main(["--out", str(out)]) == 2
    assert bench_main(["html", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no data root" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())
    with pytest.raises(SystemExit):
        ht.main(["--systems", "nope"])


def _heldout_domains(n: int) -> list[str]:
    from scrubber.train.data import site_split

    found = [d for d in (f"site{i}.example" for i in range(500)) if site_split(d) == "heldout"]
    return found[:n]


def _fake_data(root: Path) -> None:
    """A one-set data root (wcxb-dev) of two hand-written pages on held-out sites."""
    base = root / "wcxb-dev"
    (base / "html").mkdir(parents=True)
    (base / "gold").mkdir()
    metas = []
    for i, (domain, ptype) in enumerate(
        zip(_heldout_domains(2), ("article", "forum"), strict=True)
    ):
        pid = f"{i:04d}"
        with gzip.open(base / "html" / f"{pid}.html.gz", "wb") as fh:
            fh.write(PAGE.encode("utf-8"))
        (base / "gold" / f"{pid}.txt").write_text(GOLD, encoding="utf-8")
        metas.append({"id": pid, "page_type": ptype, "domain": domain, "url": None})
    (base / "meta.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metas), "utf-8")


def test_command_end_to_end_on_a_fake_data_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("trafilatura")
    pytest.importorskip("resiliparse")
    _fake_data(tmp_path / "data")
    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("SCRUBBER_CACHE", str(tmp_path / "cache"))  # empty: all systems live
    out = tmp_path / "out" / "html"
    argv = ["--sets", "wcxb-dev", "--systems", "scrubber", "trafilatura", "resiliparse"]
    status = ht.main([*argv, "--sample", "2", "--out", str(out), "--quiet"])
    assert status == 0
    summary = json.loads((tmp_path / "out" / "html.json").read_text("utf-8"))
    assert (tmp_path / "out" / "html.md").is_file()
    assert summary["settings"]["pages"] == {"wcxb-dev": 2}
    assert {r["system"] for r in summary["rows"]["set"]} == {
        "scrubber",
        "trafilatura",
        "resiliparse",
    }
    for row in summary["rows"]["set"]:
        assert row["documents"] == 2 and row["errors"] == 0
        assert row["word_recall"] > 0.9
    speed = {r["system"]: r for r in summary["speed"]}
    for system in ("scrubber", "trafilatura", "resiliparse"):
        assert speed[system]["live"]["documents"] == 2
        assert speed[system]["sample"]["documents"] == 2, speed[system]
        assert 5 < speed[system]["peak_mb"] < 2000
        assert speed[system]["over_baseline_mb"] is not None
    assert [t["status"] for t in summary["targets"]][:2] != ["SKIP", "SKIP"]
    assert "## Front ends" not in capsys.readouterr().out  # scrubber-traf was not run


def test_speed_rounds_report_the_median_run_and_every_round() -> None:
    runs = [
        {"documents_per_second": 30.0, "peak_mb": 1.0},
        {"documents_per_second": 10.0, "peak_mb": 2.0},
        {"documents_per_second": 20.0, "peak_mb": 3.0},
    ]
    assert ht._median_run(runs) == {
        "documents_per_second": 20.0, "peak_mb": 3.0, "rounds": [30.0, 10.0, 20.0]}
    assert ht._median_run(runs[:2])["documents_per_second"] == 10.0  # lower median
    assert ht._median_run([*runs, {"error": "exit 1"}]) == {"error": "exit 1"}

    rep = _report()
    rep.measurements["scrubber"]["rounds"] = [21.0, 20.0, 19.0]
    rep.measurements["trafilatura"]["rounds"] = [7.0, 5.0, 4.0]
    summary = ht.summarise(rep)
    speed = summary["targets"][2]["detail"]
    assert speed.startswith("median of 3 rounds: 20.0 vs 5.0 docs/s = 4.00×")
    assert "per round: 3.00×, 4.00×, 4.75×" in speed
    assert "| 21.0 20.0 19.0 " in ht.format_markdown(summary)


def test_speed_rounds_run_every_system_once_per_round(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    calls: list[str] = []

    def fake(system: str, sample: Any, timeout: Any) -> dict[str, Any]:
        calls.append(system)
        return {"documents_per_second": float(len(calls)), "documents": len(sample)}

    page = SimpleNamespace(set="wcxb-dev", id="1", meta={}, lang="en")
    monkeypatch.setattr(ht, "measure_system", fake)
    monkeypatch.setattr(ht, "speed_sample", lambda pages, n: [page])
    rep = ht.run_benchmark([], ["scrubber"], rounds=2, progress=False)
    assert calls == ["none", "scrubber", "none", "scrubber"]  # the systems in turn
    assert rep.measurements["scrubber"]["rounds"] == [2.0, 4.0]
    assert rep.measurements["scrubber"]["documents_per_second"] == 2.0
