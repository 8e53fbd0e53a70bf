"""Data layer: data root, pages, sites and splits, renderers and the dataset cache.

Most tests build a tiny fake data root of hand-written pages in a temporary folder; the tests
that read the real shared data skip when it is absent.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import usage_error

from scrubber.train import cache, render
from scrubber.train.data import (
    ALL_SETS,
    DATA_ENV,
    EVAL_ONLY,
    TRAINABLE,
    available_sets,
    data_root,
    decode_html,
    iter_pages,
    normalise_site,
    page_site,
    page_split,
    site_split,
)

ARTICLE = """<html><head><title>Hedgehogs in winter</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a> | <a href="/contact">Contact</a></nav>
<article><h1>Hedgehogs in winter</h1>
<p>Hedgehogs build nests of dry leaves under hedges and sleep through the coldest months.</p>
<p>During hibernation their heart rate drops from about one hundred and ninety to twenty.</p>
</article><footer>Copyright 2024 Garden Notes</footer></body></html>"""

ARTICLE_GOLD = """Hedgehogs in winter
Hedgehogs build nests of dry leaves under hedges and sleep through the coldest months.
During hibernation their heart rate drops from about one hundred and ninety to twenty.
"""


def _write_set(root: Path, name: str, pages: list[tuple[dict[str, object], str, str]]) -> None:
    base = root / name
    (base / "html").mkdir(parents=True)
    (base / "gold").mkdir()
    with (base / "meta.jsonl").open("w", encoding="utf-8") as fh:
        for meta, html, gold in pages:
            fh.write(json.dumps(meta) + "\n")
            with gzip.open(base / "html" / f"{meta['id']}.html.gz", "wb") as gz:
                gz.write(html.encode("utf-8"))
            (base / "gold" / f"{meta['id']}.txt").write_text(gold, encoding="utf-8")


@pytest.fixture
def fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    wcxb = [
        (
            {"id": f"{i:04d}", "domain": f"www.site{i % 7}.com", "page_type": "article"},
            ARTICLE.replace("Hedgehogs in winter", f"Hedgehogs in winter {i}"),
            ARTICLE_GOLD.replace("Hedgehogs in winter", f"Hedgehogs in winter {i}"),
        )
        for i in range(1, 13)
    ]
    _write_set(root, "wcxb-dev", wcxb)
    readability = [
        ({"id": "garden-1", "synthetic": False, "lang": "en"}, ARTICLE, ARTICLE_GOLD),
        ({"id": "garden-2", "synthetic": False, "lang": "en"}, ARTICLE, ARTICLE_GOLD),
        (
            {"id": "tiny-snippet", "synthetic": True, "lang": "la"},
            "<p>Lorem ipsum</p>",
            "Lorem ipsum",
        ),
    ]
    _write_set(root, "readability", readability)
    dragnet = [
        ({"id": "R1", "split": "test", "encoding": "cp1252"}, ARTICLE.replace("about", "é"), ""),
        ({"id": "R2", "split": "train"}, ARTICLE, ARTICLE_GOLD),
    ]
    _write_set(root, "dragnet", dragnet)
    monkeypatch.setenv(DATA_ENV, str(root))
    return root


# -- locating data -----------------------------------------------------------------------------


def test_data_root_from_env(fake_root: Path) -> None:
    assert data_root() == fake_root.resolve()
    assert available_sets() == ["wcxb-dev", "readability", "dragnet"]


def test_missing_data_root_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere"))
    assert data_root() is None
    assert available_sets() == []
    with pytest.raises(FileNotFoundError):
        data_root(required=True)
    with pytest.raises(FileNotFoundError):
        next(iter_pages("cleaneval"))


def test_set_constants() -> None:
    assert {"wcxb-dev", "cleaneval", "readability"} == TRAINABLE
    assert {"dragnet", "l3s-gn1"} == EVAL_ONLY
    assert set(ALL_SETS) == TRAINABLE | EVAL_ONLY


# -- sites and splits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.Example.com", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.abc.net.au:8080", "abc.net.au"),
        ("blog.example.org.", "example.org"),
        ("localhost", "localhost"),
        ("192.168.0.1", "192.168.0.1"),
        ("", ""),
    ],
)
def test_normalise_site(host: str, site: str) -> None:
    assert normalise_site(host) == site


def test_page_site_sources() -> None:
    assert page_site("wcxb-dev", {"id": "1", "domain": "shop.example.com"}) == (
        "example.com",
        "domain",
    )
    assert page_site("cleaneval", {"id": "dev-1", "url": "http://www.example.org/a"}) == (
        "example.org",
        "url",
    )
    assert page_site("wcxb-dev", {"id": "0551", "domain": "", "url": None}) == (
        "wcxb-dev:0551",
        "id",
    )
    # readability ids name the site; a numeric suffix is the page number
    assert page_site("readability", {"id": "nytimes-3"}) == ("readability:nytimes", "id")
    # dragnet ids are opaque: every page is its own site
    assert page_site("dragnet", {"id": "R121"}) == ("dragnet:R121", "id")


def test_site_split_is_deterministic_and_about_one_fifth() -> None:
    sites = [f"site{i}.example" for i in range(4000)]
    first = [site_split(s) for s in sites]
    site_split.cache_clear()
    assert [site_split(s) for s in sites] == first
    share = first.count("heldout") / len(first)
    assert 0.17 < share < 0.23
    assert set(first) == {"train", "heldout"}


def test_page_split_rules() -> None:
    assert page_split("dragnet", {"id": "1", "split": "test"}, "dragnet:1") == "eval"
    assert page_split("dragnet", {"id": "1", "split": "train"}, "dragnet:1") == "unused"
    assert page_split("l3s-gn1", {"id": "x"}, "example.com") == "eval"
    assert page_split("readability", {"id": "t", "synthetic": True}, "readability:t") == "train"
    site = "example.com"
    assert page_split("cleaneval", {"id": "a"}, site) == site_split(site)


def test_iter_pages_split_is_site_disjoint(fake_root: Path) -> None:
    pages = list(iter_pages("wcxb-dev"))
    assert [p.id for p in pages] == sorted(p.id for p in pages)
    by_site: dict[str, set[str]] = {}
    for p in pages:
        by_site.setdefault(p.site, set()).add(p.split)
        assert p.split == site_split(p.site)
    assert all(len(splits) == 1 for splits in by_site.values())
    assert len(by_site) == 7


def test_iter_pages_fields_and_filters(fake_root: Path) -> None:
    page = next(iter_pages("wcxb-dev"))
    assert page.set == "wcxb-dev" and page.id == "0001"
    assert "<article>" in page.html
    assert page.gold.startswith("Hedgehogs in winter 1")
    assert page.site == "site1.com" and page.site_source == "domain"
    assert page.page_type == "article" and page.lang is None
    assert page.trainable
    assert len(list(iter_pages("wcxb-dev", limit=3))) == 3
    assert [p.id for p in iter_pages("wcxb-dev", ids=["0005", "0002"])] == ["0002", "0005"]
    assert next(iter_pages("wcxb-dev", load_html=False)).html == ""
    splits = {p.split for p in iter_pages("wcxb-dev", split="train")}
    assert splits <= {"train"}


def test_synthetic_and_dragnet_pages(fake_root: Path) -> None:
    pages = {p.id: p for p in iter_pages("readability")}
    assert pages["tiny-snippet"].synthetic and pages["tiny-snippet"].split == "train"
    assert not pages["tiny-snippet"].evaluable
    assert pages["garden-1"].site == pages["garden-2"].site == "readability:garden"
    drag = {p.id: p for p in iter_pages("dragnet")}
    assert drag["R1"].split == "eval" and drag["R1"].evaluable and not drag["R1"].trainable
    assert drag["R2"].split == "unused"
    # stored as UTF-8: the original-charset field must not garble it
    assert "é" in drag["R1"].html


def test_decode_html() -> None:
    assert decode_html("é".encode()) == "é"
    assert decode_html(b"\xef\xbb\xbfhi") == "hi"
    assert decode_html("é".encode("cp1252"), "cp1252") == "é"
    assert decode_html(b"a\xffb") == "a\ufffdb"
    assert decode_html(b"a\xffb", "no-such-codec") == "a\ufffdb"


# -- renderers ---------------------------------------------------------------------------------


def test_registry_names() -> None:
    assert set(render.RENDERERS) == {"trafilatura", "inscriptis", "html_text", "blocks",
                                     "markdown", "wrapped", "soup", "soup_lines", "soup_space"}
    # the markdown, wrapped and soup renderers are built and scored only when named
    for name in ("markdown", "wrapped", "soup", "soup_lines", "soup_space"):
        assert name not in render.available_renderers()
        assert name in render.available_renderers(optional=True)


def test_every_renderer_names_the_module_it_imports() -> None:
    assert {n: render.renderer_module(n) for n in render.RENDERERS} == {
        "trafilatura": "trafilatura", "inscriptis": "inscriptis", "html_text": "html_text",
        "blocks": "scrubber.html", "markdown": "markdownify", "wrapped": "html_text",
        "soup": "bs4", "soup_lines": "bs4", "soup_space": "bs4"}


def test_wrapped_renderer_fills_lines_to_its_width_and_leaves_long_words_whole() -> None:
    pytest.importorskip("html_text")
    url = "https://example.com/" + "a" * 90
    words = "The long sentence of a paragraph goes on and on " * 6
    text = render.RENDERERS["wrapped"](f"<p>{words}</p><p>See {url} for more.</p>")
    lines = text.split("\n")
    assert max(len(x) for x in lines if url not in x) <= render.WRAP_COLUMNS
    assert len(lines) > 4 and any(url in x for x in lines)  # (the URL on a line, whole)
    assert " ".join(text.split()) == " ".join(render.RENDERERS["html_text"](
        f"<p>{words}</p><p>See {url} for more.</p>").split())
    assert render.renderer_version("wrapped").endswith(f"+wrap{render.WRAP_COLUMNS}")


def test_soup_renderer_breaks_lines_only_where_the_html_source_did() -> None:
    pytest.importorskip("bs4")
    html = ("<html><head><script>var x = 1;</script><style>p {}</style></head><body>\n"
            "<ul><li>Home</li><li>News</li></ul>\n  <p>Hello <b>world</b>,\nagain.</p>\n"
            "</body></html>")
    # blocks on one source line are glued, a paragraph's source break stays, script and
    # style text is left out
    assert render.RENDERERS["soup"](html) == "\nHomeNews\nHello world,\nagain.\n"
    assert render.renderer_version("soup").split("+")[-1].startswith("py3.")
    # every text node stripped on a line of its own: a paragraph's link is a fragment
    assert render.RENDERERS["soup_lines"](html) == "Home\nNews\nHello\nworld\n,\nagain."
    # every text node stripped, joined by spaces: a line breaks only inside a text node
    assert render.RENDERERS["soup_space"](html) == "Home News Hello world ,\nagain."


def test_markdown_renderer_writes_links_and_headings_as_markdown() -> None:
    pytest.importorskip("markdownify")
    text = render.RENDERERS["markdown"]('<h1>News</h1><ul><li><a href="/a">Home</a></li></ul>')
    assert "# News" in text and "* [Home](/a)" in text


@pytest.mark.parametrize("name", ["trafilatura", "inscriptis", "html_text"])
def test_renderers_produce_text(name: str) -> None:
    pytest.importorskip(name)
    text = render.RENDERERS[name](ARTICLE)
    assert "hibernation" in text
    assert "\r" not in text


def test_guard_turns_errors_into_empty_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(html: str) -> str:
        raise ValueError("bad page")

    monkeypatch.setitem(render._RAW, "html_text", boom)
    before = render.STATS.get("html_text", render.RenderStats()).failures
    assert render.render("html_text", "<p>x</p>") == ""
    assert render.STATS["html_text"].failures == before + 1
    assert "bad page" in render.STATS["html_text"].last_error


def test_guard_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(html: str) -> str:
        while True:
            pass

    monkeypatch.setitem(render._RAW, "html_text", slow)
    before = render.STATS.get("html_text", render.RenderStats()).timeouts
    assert render.render("html_text", "<p>x</p>", timeout=0.2) == ""
    assert render.STATS["html_text"].timeouts == before + 1


def test_a_render_timeout_is_not_swallowed_by_the_renderers_own_except_exception(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # (trafilatura catches Exception around its steps: the timeout went unseen, the render
    # ran on without a limit and came back as another path's text, cached as ok)
    def careful(html: str) -> str:
        try:
            while True:
                pass
        except Exception:
            return "fallback text"

    monkeypatch.setitem(render._RAW, "html_text", careful)
    before = render.STATS.get("html_text", render.RenderStats()).timeouts
    assert render.render("html_text", "<p>x</p>", timeout=0.2) == ""
    assert render.STATS["html_text"].timeouts == before + 1


def test_blocks_renderer_is_clear_when_missing() -> None:
    if "blocks" in render.available_renderers():
        assert isinstance(render.RENDERERS["blocks"]("<p>Hello there</p>"), str)
    else:
        with pytest.raises(render.RendererUnavailable, match=r"scrubber\.html"):
            render.RENDERERS["blocks"]("<p>Hello there</p>")


# -- dataset cache -----------------------------------------------------------------------------


def _fake_renderer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace html_text with a counting, dependency-free renderer; return the call log."""
    calls: list[str] = []

    def fake(html: str) -> str:
        calls.append(html)
        import re

        text = re.sub(r"<(p|h1|nav|footer|article)[^>]*>", "\n", html)
        return re.sub(r"<[^>]+>", "", text)

    monkeypatch.setitem(render._RAW, "html_text", fake)
    return calls


def test_build_caches_and_reruns_instantly(
    fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fake_renderer(monkeypatch)
    out = tmp_path / "cache"
    cache.build(["wcxb-dev", "readability"], ["html_text"], limit=4, cache_dir=out, progress=False)
    assert len(calls) == 4 + 3
    path = cache.dataset_path("wcxb-dev", "html_text", out)
    assert path.is_file() and path.name.endswith(".jsonl.gz")
    records = list(cache.iter_records("wcxb-dev", "html_text", cache_dir=out))
    assert [r["id"] for r in records] == ["0001", "0002", "0003", "0004"]
    rec = records[0]
    assert set(rec) >= {"set", "id", "site", "split", "renderer", "lines", "labels", "gold_words"}
    assert rec["renderer"] == "html_text" and rec["set"] == "wcxb-dev"
    assert len(rec["lines"]) == len(rec["labels"]) == len(rec["scores"])
    assert rec["gold_words"] == len(ARTICLE_GOLD.replace("winter", "winter 1").split())
    labelled = dict(zip((x.strip() for x in rec["lines"]), rec["labels"], strict=True))
    assert labelled["Hedgehogs in winter 1"] == 1
    assert labelled["Home | About | Contact"] == 0
    assert labelled["Copyright 2024 Garden Notes"] == 0
    renders = cache.load_renders("wcxb-dev", "html_text", out)
    assert sorted(renders) == ["0001", "0002", "0003", "0004"]
    assert {r["status"] for r in renders.values()} == {"ok"}
    assert "Hedgehogs" in renders["0001"]["text"]
    # a re-run renders nothing; a larger limit renders only the new pages
    cache.build(["wcxb-dev", "readability"], ["html_text"], limit=4, cache_dir=out, progress=False)
    assert len(calls) == 7
    cache.build(["wcxb-dev"], ["html_text"], limit=6, cache_dir=out, progress=False)
    assert len(calls) == 9
    assert len(list(cache.iter_records("wcxb-dev", "html_text", cache_dir=out))) == 6


def test_build_force_with_a_limit_keeps_the_caches_other_pages(
    fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (--force --limit 3 wrote those 3 pages over the whole file)
    calls = _fake_renderer(monkeypatch)
    out = tmp_path / "cache"
    cache.build(["wcxb-dev"], ["html_text"], limit=6, cache_dir=out, progress=False)
    cache.build(["wcxb-dev"], ["html_text"], limit=2, force=True, cache_dir=out,
                progress=False)
    assert len(calls) == 6 + 2
    assert len(list(cache.iter_records("wcxb-dev", "html_text", cache_dir=out))) == 6
    assert len(cache.load_renders("wcxb-dev", "html_text", out)) == 6


def test_build_renders_a_page_that_timed_out_again_and_keeps_work_done_before_an_error(
    fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fake_renderer(monkeypatch)
    fake = render._RAW["html_text"]

    def slow(html: str) -> str:
        while True:
            pass

    out = tmp_path / "cache"
    monkeypatch.setitem(render._RAW, "html_text", slow)
    cache.build(["wcxb-dev"], ["html_text"], limit=2, timeout=0.1, cache_dir=out,
                progress=False)
    assert {r["status"] for r in cache.load_renders("wcxb-dev", "html_text", out).values()} \
        == {"timeout"}
    monkeypatch.setitem(render._RAW, "html_text", fake)
    cache.build(["wcxb-dev"], ["html_text"], limit=2, cache_dir=out, progress=False)
    assert len(calls) == 2  # (a timeout was cached for good)
    assert {r["status"] for r in cache.load_renders("wcxb-dev", "html_text", out).values()} \
        == {"ok"}

    # an error half-way through a set: the pages done are written, not lost
    real_label = cache.label_lines
    seen: list[int] = []

    def label_then_fail(lines, gold):
        seen.append(1)
        if len(seen) == 3:
            raise KeyboardInterrupt
        return real_label(lines, gold)

    monkeypatch.setattr(cache, "label_lines", label_then_fail)
    with pytest.raises(KeyboardInterrupt):
        cache.build(["wcxb-dev"], ["html_text"], limit=6, cache_dir=out, progress=False)
    assert len(list(cache.iter_records("wcxb-dev", "html_text", cache_dir=out))) == 4


def test_build_is_reproducible_and_hash_stable(
    fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_renderer(monkeypatch)
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        cache.build(
            ["wcxb-dev", "readability", "dragnet"], ["html_text"], cache_dir=out, progress=False
        )
    for set_name in ("wcxb-dev", "readability", "dragnet"):
        pa = cache.dataset_path(set_name, "html_text", a)
        pb = cache.dataset_path(set_name, "html_text", b)
        assert pa.read_bytes() == pb.read_bytes()
    ha = cache.dataset_hash(renderers=["html_text"], cache_dir=a)
    assert ha == cache.dataset_hash(renderers=["html_text"], cache_dir=b)
    assert len(ha) == 64
    # dragnet is not a trainable set: the default hash does not cover it
    assert ha == cache.dataset_hash(["readability", "wcxb-dev"], ["html_text"], cache_dir=a)
    assert ha != cache.dataset_hash(renderers=["html_text"], split="train", cache_dir=a)
    with pytest.raises(FileNotFoundError):
        cache.dataset_hash(renderers=["inscriptis"], cache_dir=a)


def test_cache_root_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    assert cache.cache_root() == tmp_path / "c"
    monkeypatch.delenv(cache.CACHE_ENV)
    assert cache.cache_root().parts[-2:] == (".cache", "scrubber")


# -- the real shared data (skipped when absent) ------------------------------------------------


@pytest.fixture
def real_root() -> Path:
    root = data_root()
    if root is None:
        pytest.skip("shared data not found (../shared/data or $SCRUBBER_DATA)")
    return root


@pytest.mark.parametrize("set_name", ALL_SETS)
def test_real_sets_load(real_root: Path, set_name: str) -> None:
    if set_name not in available_sets(real_root):
        pytest.skip(f"{set_name} not present")
    pages = list(iter_pages(set_name, limit=3, root=real_root))
    assert len(pages) == 3
    for p in pages:
        assert p.html.strip()
        assert p.site
        assert p.split in {"train", "heldout", "eval", "unused"}
        assert (p.set in TRAINABLE) == p.trainable


@pytest.mark.parametrize("set_name", sorted(TRAINABLE))
def test_real_trainable_split_is_site_disjoint(real_root: Path, set_name: str) -> None:
    if set_name not in available_sets(real_root):
        pytest.skip(f"{set_name} not present")
    by_site: dict[str, set[str]] = {}
    n = 0
    for p in iter_pages(set_name, load_html=False, root=real_root):
        by_site.setdefault(p.site, set()).add(p.split)
        n += 1
    assert n > 0
    mixed = [site for site, splits in by_site.items() if len(splits) > 1]
    assert not mixed
    heldout_pages = sum(
        1 for p in iter_pages(set_name, load_html=False, root=real_root) if p.split == "heldout"
    )
    assert 0 < heldout_pages < n


def test_real_eval_only_sets_never_train(real_root: Path) -> None:
    for set_name in sorted(EVAL_ONLY):
        if set_name not in available_sets(real_root):
            continue
        splits = {p.split for p in iter_pages(set_name, load_html=False, root=real_root)}
        assert splits <= {"eval", "unused"}


@pytest.mark.parametrize("members", ["0", "-2"])
def test_train_refuses_a_teacher_ensemble_of_no_nets(members: str, capsys) -> None:
    from scrubber.train.__main__ import main

    assert "--members must be at least 1" in usage_error(
        main, ["--members", members, "--no-build"], capsys)


def test_a_training_recipe_applies_within_its_block_and_is_restored_after_errors() -> None:
    from scrubber.train import fit

    def now() -> tuple[int, int, bool]:
        return fit.SEED, fit.TEACHERS, fit.DISTIL

    before = now()
    with fit.recipe(seed=7, teachers=2, distil=False):
        assert now() == (7, 2, False)
    assert now() == before
    with pytest.raises(RuntimeError), fit.recipe(seed=9):
        assert now() == (9, *before[1:])
        raise RuntimeError("a fit failed")
    assert now() == before
    with pytest.raises(ValueError, match="at least 1"), fit.recipe(teachers=0):
        pass


def test_train_refuses_an_unknown_renderer_before_any_work(capsys) -> None:
    from scrubber.train.__main__ import main

    err = usage_error(
        main, ["--renderers", "nosuch", "--no-build", "--out", "/nonexistent/weights"], capsys)
    assert "unknown renderer: nosuch" in err and "html_text" in err


def test_train_calls_an_unknown_set_unknown_not_evaluation_only(capsys) -> None:
    from scrubber.train.__main__ import main

    err = usage_error(main, ["--sets", "nosuch", "--no-build"], capsys)
    assert "unknown set: nosuch" in err and "wcxb-dev" in err
    assert "evaluation only" not in err


def test_train_still_refuses_an_evaluation_only_set(capsys) -> None:
    from scrubber.train.__main__ import main

    assert main(["--sets", "dragnet", "--no-build"]) == 2
    assert "dragnet may not train the shipped model (evaluation only" in capsys.readouterr().err


def test_train_without_data_is_a_one_line_usage_error(tmp_path: Path, monkeypatch,
                                                      capsys) -> None:
    from scrubber.train.__main__ import main

    monkeypatch.setenv("SCRUBBER_DATA", str(tmp_path / "missing"))
    assert main(["--no-build", "--out", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "missing") in err
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("argv, message", [
    (["--renderers", "nosuch"], "unknown renderer: nosuch"),
    (["--limit", "0"], "--limit: must be at least 1, got 0"),
    (["--limit", "-1"], "--limit: must be at least 1, got -1"),
])
def test_build_dataset_refuses_an_unknown_renderer_or_a_limit_below_one(
    argv: list[str], message: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    from scrubber.train.build_dataset import main

    monkeypatch.setenv("SCRUBBER_CACHE", str(tmp_path / "cache"))
    assert message in usage_error(main, ["--sets", "readability", "--no-report", *argv], capsys)
    assert not (tmp_path / "cache").exists()


def test_training_reads_the_rules_of_the_shipped_card_unless_told_all() -> None:
    # the command trained with every built-in rule, the ones added since the weights were
    # trained included, so it no longer rebuilt the shipped weights
    from scrubber.rules import load_ruleset
    from scrubber.train.__main__ import shipped_rules
    from scrubber.train.fit import training_rules, training_ruleset

    every = {r.id for r in load_ruleset().rules}
    cards = shipped_rules()
    assert set(cards) == {"text", "html", "markdown"}
    assert set(cards["text"]) <= every
    assert {r.id for r in training_ruleset("text").rules} == every
    few = sorted(every)[:3]
    with training_rules({**cards, "text": few}):
        assert sorted(r.id for r in training_ruleset("text").rules) == few
        assert {r.id for r in training_ruleset("html").rules} == set(cards["html"])
        assert {r.id for r in training_ruleset("markdown").rules} == set(cards["markdown"])
    assert {r.id for r in training_ruleset("text").rules} == every  # (restored)


def test_training_warns_when_a_renderer_is_not_the_one_a_shipped_model_was_trained_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (a newer markdownify rendered the markdown pages otherwise: the command wrote other
    # weights without a word)
    import json
    from importlib import resources

    from scrubber.train import __main__ as cmd
    from scrubber.train import render

    cards = {k: json.loads((resources.files("scrubber") / "weights" / f"{k}.json")
                           .read_text("utf-8")) for k in ("text", "html", "markdown")}
    monkeypatch.setattr(render, "renderer_version", lambda name: cards["text"][
        "renderer_versions"].get(name) or cards["html"]["renderer_versions"].get(name)
        or cards["markdown"]["renderer_versions"].get(name))
    assert cmd.renderer_drift(["text", "html", "markdown"], ["trafilatura", "inscriptis",
                                                              "html_text"]) == []
    monkeypatch.setattr(render, "renderer_version", lambda name: "9.9")
    got = cmd.renderer_drift(["markdown"], [])
    assert len(got) == 1 and "shipped markdown model was trained on markdown renders" in got[0]
    assert len(cmd.renderer_drift(["text"], ["trafilatura", "inscriptis", "html_text"])) == 3


def test_train_checks_its_out_folder_before_training(tmp_path: Path, capsys) -> None:
    # (the weights were written after the training: an unwritable --out lost the run)
    from scrubber.train.__main__ import main

    if data_root() is None:
        pytest.skip("no ../shared/data")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    err = usage_error(main, ["--no-build", "--kind", "text", "--out", str(blocker)], capsys)
    assert f"--out {blocker}: not a writable folder" in err


def test_train_refuses_a_seed_numpy_cannot_take_before_any_work(capsys) -> None:
    # (-1 and 2**32 failed minutes in, once the feature matrix was built)
    from scrubber.train.__main__ import main

    assert "at least 0" in usage_error(main, ["--seed", "-1", "--no-build"], capsys)
    assert "--seed must be at most" in usage_error(main, ["--seed", str(2**32), "--no-build"],
                                                   capsys)


def test_train_reads_its_sets_and_renderers_in_one_order_whatever_order_they_are_given(
        fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (the rows were stacked in the order given, the data hash sorted them: two orders
    # wrote other weights under one hash)
    from scrubber.train import __main__ as train_main
    from scrubber.train import fit

    calls: list[tuple[list[str], list[str]]] = []
    monkeypatch.setattr(cache, "dataset_path", lambda s, r: Path(__file__))  # "built"
    monkeypatch.setattr(fit, "train", lambda sets, renderers, *a, **k: calls.append(
        (list(sets), list(renderers))))
    for order in (["html_text", "inscriptis"], ["inscriptis,html_text"]):
        assert train_main.main(["--kind", "text", "--no-build", "--no-pin", "--out",
                                str(tmp_path), "--sets", "wcxb-dev", "readability",
                                "--renderers", *order]) == 0
    assert calls == [(["readability", "wcxb-dev"], ["inscriptis", "html_text"])] * 2


def test_build_dataset_takes_comma_lists_of_sets(fake_root: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from scrubber.train import build_dataset

    seen: list[list[str]] = []
    monkeypatch.setattr(build_dataset, "report", lambda sets, *a, **k: seen.append(sets) or [])
    monkeypatch.setattr(build_dataset, "_print_rows", lambda rows: None)
    assert build_dataset.main(["--sets", "wcxb-dev,readability", "--report-only"]) == 0
    assert seen == [["wcxb-dev", "readability"]]


def test_training_says_when_the_cache_lacks_pages_and_skips_pages_the_root_lacks(
        fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrubber.train import fit

    _fake_renderer(monkeypatch)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cache.build(["wcxb-dev"], ["html_text"], limit=2, progress=False)
    with pytest.warns(UserWarning, match=r"wcxb-dev x html_text: the cache holds \d+ of"):
        docs = fit.load_docs(["wcxb-dev"], ["html_text"], None)
    assert len(docs) == 2
    cache.build(["wcxb-dev"], ["html_text"], progress=False)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        every = fit.load_docs(["wcxb-dev"], ["html_text"], None)
    assert len(every) > 2


def test_train_without_build_stops_before_any_work_when_a_cache_file_is_missing(
        fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from scrubber.train import __main__ as train_main
    from scrubber.train import fit

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "empty"))
    monkeypatch.setattr(fit, "train", lambda *a, **k: pytest.fail("trained"))
    assert train_main.main(["--kind", "text", "--no-build", "--no-pin", "--out",
                            str(tmp_path)]) == 1
    assert "the cache lacks" in capsys.readouterr().err


def test_a_damaged_cache_file_is_a_one_line_error_naming_it(
        fake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from scrubber.train import build_dataset

    _fake_renderer(monkeypatch)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cache.build(["wcxb-dev"], ["html_text"], limit=2, progress=False)
    path = cache.dataset_path("wcxb-dev", "html_text")
    path.write_bytes(path.read_bytes()[:30])  # truncated
    with pytest.raises(cache.CacheError, match="damaged"):
        list(cache.iter_records("wcxb-dev", "html_text"))
    assert build_dataset.main(["--sets", "wcxb-dev", "--renderers", "html_text",
                               "--limit", "2", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err


def test_the_card_records_the_command_as_given(fake_root: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # (it said "python -m scrubber.train" whatever the flags were)
    from scrubber.train import __main__ as train_main
    from scrubber.train import fit

    commands: list[str] = []
    monkeypatch.setattr(cache, "dataset_path", lambda s, r: Path(__file__))
    monkeypatch.setattr(fit, "train", lambda *a, **k: commands.append(k["command"]))
    argv = ["--kind", "text", "--no-build", "--no-pin", "--rules", "all", "--out", str(tmp_path)]
    assert train_main.main(argv) == 0
    assert commands == ["python -m scrubber.train " + " ".join(argv)]


def test_training_warns_when_numpy_scipy_or_sklearn_is_not_the_cards(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from scrubber.train import __main__ as train_main

    card = {"numerics": {"versions": {"numpy": "0.0.1", "python": "2.7.18"}}}
    monkeypatch.setattr(train_main, "shipped_cards", lambda: {"text": card})
    [line] = train_main.version_drift(["text"])
    assert "numpy 0.0.1 (here " in line and "python 2.7.18" in line
    assert train_main.version_drift(["html"]) == []
