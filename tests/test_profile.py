"""Site profiles of repeated lines: counting, the file format, the pipeline hook, the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import scrubber
from scrubber.cli import main
from scrubber.corpus.profile import (
    ProfileCounter,
    SiteProfile,
    line_key,
    load_profile,
    merge_partials,
    normalise_line,
    normalise_site,
    site_from_url,
)
from scrubber.decisions import Stage

CFG = scrubber.Config(use_model=False)
NAV = ["The Riverside Gazette", "Serving the valley since the flood", "Gazette crossword corner"]
LONG = ("This sentence is a long quotation of body text that the site repeats on several of "
        "its pages, and it reads like an ordinary paragraph of an article.")


def site_page(n: int, extra: str = "") -> str:
    body = (f"Article {chr(65 + n)}: the council voted on topic {chr(97 + n)} after a long "
            f"debate that went on into the night, said {chr(75 + n)}.")
    head = f"Council story {chr(65 + n)} {chr(97 + n)}"
    return "\n".join([*NAV, head, body, extra, *NAV[:1]]) + "\n"


def build(pages: list[str], site: str = "news.example", **kw: object) -> SiteProfile:
    c = ProfileCounter()
    for p in pages:
        c.add(site, p)
    return c.finish(**kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- keys, sites


def test_normalisation_and_stable_keys() -> None:
    assert normalise_line("  Comments (12)\t") == normalise_line("comments (3)") == "comments (0)"
    assert normalise_line(" \t ") == ""
    assert line_key("a.com", "   ") == 0
    assert line_key("a.com", "Share") == line_key("a.com", "SHARE ")
    assert line_key("a.com", "Share") != line_key("b.com", "Share")
    # the key is part of the file format: it must not change between runs or versions
    assert line_key("example.com", "Share this story") == 0x443D604BA0DF3C57


@pytest.mark.parametrize(("given", "site"), [
    ("https://www.example.co.uk/a?b=1", "example.co.uk"),
    ("http://news.bbc.co.uk:80/x", "bbc.co.uk"),
    ("sub.deep.example.com/path", "example.com"),
    ("https://someone.blogspot.com/2012/10/post.html", "someone.blogspot.com"),
    # Blogger's country domains and application hosting: each sub-domain its own site
    ("https://someone.blogspot.de/2012/10/post.html", "someone.blogspot.de"),
    ("http://www.someone.blogspot.co.uk/", "someone.blogspot.co.uk"),
    ("http://someone.blogspot.com.br/p", "someone.blogspot.com.br"),
    ("https://my-app.appspot.com/x", "my-app.appspot.com"),
    ("https://v2.my-app.herokuapp.com/", "my-app.herokuapp.com"),
    ("https://shop.azurewebsites.net/", "shop.azurewebsites.net"),
    ("https://blog.blogspot.example.com/", "example.com"),
    # IDNA 2008, as browsers read hosts: ß and final sigma are kept, not mapped away
    ("https://faß.de/", "xn--fa-hia.de"),
    ("https://fass.de/", "fass.de"),
    ("https://σοφίας.gr/", "xn--kxae4bobt.gr"),
    ("https://bücher.de/", "xn--bcher-kva.de"),
    ("not a url", ""),
    ("", ""),
])
def test_site_from_url(given: str, site: str) -> None:
    assert site_from_url(given) == site


def test_normalise_site_accepts_hosts_and_urls() -> None:
    assert normalise_site("WWW.Example.COM") == "example.com"
    assert normalise_site("https://a.example.com/x") == "example.com"
    assert normalise_site("10.0.0.1:8080") == "10.0.0.1"
    # a protocol-relative URL (src="//cdn.example.com/..."), as site_from_url reads it
    for given in ("//www.Example.com/a", "//a.example.com:8080/x?y"):
        assert normalise_site(given) == site_from_url(given) == "example.com"


# --------------------------------------------------------------------------- counting


def test_each_page_counts_a_line_once_and_sites_are_separate() -> None:
    c = ProfileCounter()
    c.add("a.com", "Menu\nMenu\nOne\n")
    c.add("a.com", "Menu\nTwo\n")
    c.add("b.com", "Menu\n")
    prof = c.finish(min_pages=2)
    assert prof.seen("a.com", ["Menu", "One", "", "Unknown"]) == [2, 0, 0, 0]
    assert prof.seen("b.com", ["Menu"]) == [0]  # one page: below store_min, not stored
    assert prof.site_pages == {"a.com": 2, "b.com": 1} and prof.pages == 3


def test_a_page_counted_again_is_a_duplicate_not_a_repeat_of_its_lines() -> None:
    c = ProfileCounter()
    # (lines are compared normalised: the two last differ in their digits only)
    pages = [site_page(0)] * 3 + [site_page(1, "Updated 12:30"), site_page(1, "Updated 9:45")]
    assert [c.add("news.example", p) for p in pages] == [True, False, False, True, False]
    assert c.add("other.example", site_page(0))  # (another site's page is its own)
    assert c.duplicates == 3 and c.site_pages == {"news.example": 2, "other.example": 1}
    prof = c.finish(min_pages=2)
    assert prof.meta["duplicates"] == 3
    body = site_page(0).splitlines()[4]
    assert prof.seen("news.example", [NAV[1], body]) == [2, 0]
    # counted every time, the page's own body looked repeated on the site
    c = ProfileCounter(dedupe=False)
    for p in pages:
        c.add("news.example", p)
    assert c.duplicates == 0 and c.finish(min_pages=2).seen("news.example", [body]) == [3]


def test_a_page_fetched_three_times_still_loses_its_boilerplate_to_the_profile() -> None:
    # counted three times, its body was "seen on 3 pages" like the menus, the duplicate-page
    # guard left the page alone, and the profile removed nothing from it
    page = site_page(0)
    counter = ProfileCounter()
    for p in [page, page, page, site_page(1), site_page(2)]:
        counter.add("news.example", p)
    prof = counter.finish(min_pages=3)
    got = scrubber.clean_and_explain(page, CFG, profile=prof, site="news.example")
    assert "Serving the valley since the flood" not in got.text
    assert "council voted on topic a" in got.text
    assert any(d.stage is Stage.PROFILE for d in got.decisions)


def test_profile_evaluation_refuses_fewer_than_one_copy() -> None:
    from scrubber.corpus.evaluate import main as evaluate_main

    with pytest.raises(SystemExit) as e:
        evaluate_main(["--copies", "0"])
    assert e.value.code == 2


@pytest.mark.parametrize(("argv", "message"), [
    # (--limit-sites 0 ran every site, -1 all but one; a wrong name said "no multi-page
    # sites", exit 0; a bad K or keep score was a traceback from the profile)
    (["--limit-sites", "0"], "--limit-sites: must be at least 1, got 0"),
    (["--sets", "nope"], "unknown set: nope"),
    (["--renderers", "nope"], "unknown renderer: nope"),
    (["--min-pages", "abc"], "--min-pages: comma-separated integers, not 'abc'"),
    (["--min-pages", "2,1"], "--min-pages: each K must be at least 2"),
    (["--keep-score", "nan"], "--keep-score must be from 0 to 1, not nan"),
])
def test_profile_evaluation_refuses_bad_arguments_before_any_work(
    argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from scrubber.corpus import evaluate

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluated before the arguments were checked")

    monkeypatch.setattr(evaluate, "evaluate", refuse)
    with pytest.raises(SystemExit) as e:
        evaluate.main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_spilling_to_disk_gives_the_same_counts(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    pages = [(f"s{i % 7}.com", "\n".join(f"line {chr(97 + int(x))}{int(x)} x"
                                              for x in rng.integers(0, 40, 30)))
             for i in range(300)]
    small = ProfileCounter(buffer_keys=50, spill_keys=200, spill_dir=tmp_path)
    big = ProfileCounter()
    for site, text in pages:
        small.add(site, text)
        big.add(site, text)
    assert small._spill is not None  # it did spill
    k1, c1 = small.counts(store_min=2)
    k2, c2 = big.counts(store_min=2)
    assert np.array_equal(k1, k2) and np.array_equal(c1, c2) and len(k1) > 0
    assert list(tmp_path.iterdir()) == []  # spill files removed


def test_partials_merge_to_the_whole(tmp_path: Path) -> None:
    pages = [site_page(i) for i in range(6)]
    whole = build(pages, min_pages=2)
    paths = []
    for shard in range(3):
        c = ProfileCounter()
        for p in pages[shard::3]:
            c.add("news.example", p)
        path = tmp_path / f"{shard:05d}.npz"
        c.save_partial(path)
        paths.append(path)
    merged = merge_partials(paths, min_pages=2)
    assert np.array_equal(merged.keys, whole.keys) and np.array_equal(merged.counts, whole.counts)
    folder = load_profile(tmp_path, min_pages=2)
    assert np.array_equal(folder.keys, whole.keys)


def test_merging_a_finished_profile_is_refused_not_undercounted(tmp_path: Path) -> None:
    # a finished profile stores only the lines seen on enough pages: merged with the
    # partials of other shards, the lines it left out would count too few pages
    pages = [site_page(i) for i in range(6)]
    c = ProfileCounter()
    for p in pages[:3]:
        c.add("news.example", p)
    c.save_partial(tmp_path / "a.npz")
    build(pages[3:], min_pages=2).save(tmp_path / "b.npz")
    with pytest.raises(ValueError, match="a finished profile"):
        merge_partials([tmp_path / "a.npz", tmp_path / "b.npz"], min_pages=2)
    out = tmp_path / "m.npz"
    r = main(["profile", "merge", str(tmp_path / "a.npz"), str(tmp_path / "b.npz"),
              "-o", str(out)])
    assert r == 1 and not out.exists()

def test_file_is_plain_data_and_round_trips(tmp_path: Path) -> None:
    prof = build([site_page(i) for i in range(4)], min_pages=3, keep_score=0.95)
    path = tmp_path / "p.npz"
    prof.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["counts.npy", "keys.npy", "meta.npy", "site_names.npy",
                                        "site_pages.npy"]
    with np.load(path, allow_pickle=False) as data:  # no pickled objects inside
        assert data["keys"].dtype == np.uint64 and data["counts"].dtype == np.uint32
        meta = json.loads(str(data["meta"]))
    assert meta["format"] == "scrubber-site-profile-1" and meta["min_pages"] == 3
    back = SiteProfile.load(path)
    assert np.array_equal(back.keys, prof.keys) and back.keep_score == 0.95
    assert back.site_pages == {"news.example": 4}
    assert SiteProfile.load(path, min_pages=4).min_pages == 4
    with pytest.raises(ValueError):
        SiteProfile.load(path, min_pages=2)  # below what was stored
    buf = io.BytesIO()
    prof.save(buf)
    buf.seek(0)
    assert len(SiteProfile.load(buf)) == len(prof)


# --------------------------------------------------------------------------- the decision


def test_repeated_hook_rules() -> None:
    prof = build([site_page(i, LONG) for i in range(4)], min_pages=3)
    texts = site_page(0, LONG).splitlines()
    n = len(texts)
    seen = prof.seen("news.example", texts)
    assert seen[: len(NAV)] == [4, 4, 4] and seen[texts.index(LONG)] == 4
    # no model: short repeated lines go, the long sentence-like one stays
    out = prof.repeated(texts, "news.example", None, [False] * n)
    assert out[:3] == [4, 4, 4] and out[texts.index(LONG)] == 0
    assert out[3] == 0 and out[4] == 0  # headline and body are unique to the page
    # a rule's drop keeps its credit
    assert prof.repeated(texts, "news.example", None, [True] + [False] * (n - 1))[0] == 0
    # with a model: a repeated line scored as clear body is kept, others go
    scores = [0.1] * n
    scores[1] = 0.95
    scores[4] = 0.95  # the page's own body (else its body-leaning words are all repeated)
    out = prof.repeated(texts, "news.example", scores, [False] * n)
    assert out[1] == 0 and out[0] == 4 and out[texts.index(LONG)] == 4
    # another site, or too few pages: nothing
    assert prof.repeated(texts, "other.example", None, [False] * n) == [0] * n
    assert prof.replace(min_pages=5).repeated(texts, "news.example", None, [False] * n) == [0] * n


def test_duplicate_page_guard() -> None:
    # three near-copies of a page (here exact ones, counted as three: dedupe=False)
    dup = "\n".join([*NAV, "Same headline", "Same body paragraph on both pages."]) + "\n"
    c = ProfileCounter(dedupe=False)
    for _ in range(3):
        c.add("news.example", dup)
    prof = c.finish(min_pages=2)
    texts = dup.splitlines()
    assert prof.repeated(texts, "news.example", None, [False] * len(texts)) == [0] * len(texts)
    assert prof.replace(max_share=1.0).repeated(texts, "news.example", None,
                                                [False] * len(texts))[0] == 3


def test_site_share_threshold() -> None:
    prof = build([site_page(i) for i in range(10)], min_pages=2, site_share=0.5, share_cap=4)
    assert prof.threshold("news.example") == 4  # ceil(0.5 * 10) = 5, capped at 4
    assert prof.replace(site_share=0.0).threshold("news.example") == 2


def test_pipeline_drops_with_profile_stage_and_reason() -> None:
    prof = build([site_page(i) for i in range(5)], min_pages=3)
    text = site_page(1)
    plain = scrubber.clean_and_explain(text, CFG)
    got = scrubber.clean_and_explain(text, CFG, profile=prof, site="news.example")
    prof_drops = [d for d in got.decisions if d.stage is Stage.PROFILE]
    assert prof_drops and all(not d.kept for d in prof_drops)
    assert prof_drops[0].reason == "seen on 5 of 5 pages of news.example"
    assert got.counts()["drop:profile"] == len(prof_drops)
    assert "Serving the valley since the flood" not in got.text
    assert "council voted on topic b" in got.text
    assert len(got.text) < len(plain.text)
    # no site, or an unknown site: same as without a profile (no site warns: the
    # profile can do nothing then, which a caller is told rather than left to find out)
    with pytest.warns(UserWarning, match="without a site, so it is not used"):
        assert scrubber.clean(text, CFG, profile=prof) == plain.text
    with pytest.warns(UserWarning, match="without a site"):
        scrubber.clean_html(f"<p>{text}</p>", CFG, profile=prof)
    assert scrubber.clean(text, CFG, profile=prof, site="elsewhere.example") == plain.text
    assert scrubber.clean(text, CFG, profile=prof, site="news.example") == got.text


def test_config_site_is_normalised_as_the_profile_keys_sites() -> None:
    prof = build([site_page(i) for i in range(5)], min_pages=3)
    text = site_page(1)
    want = scrubber.clean(text, CFG, profile=prof, site="news.example")
    assert want != scrubber.clean(text, CFG)
    for given in ("www.news.example", "News.Example", "https://www.news.example/a/1",
                  "sub.news.example:8080"):
        assert scrubber.Config(site=given).site == "news.example"
        assert scrubber.clean(text, CFG, profile=prof, site=given) == want
    # what site_of gives (the profile builders' keys) stays as it is
    for site in ("news.example", "bbc.co.uk", "someone.blogspot.com", "10.0.0.1"):
        assert scrubber.Config(site=site).site == site == normalise_site(site)
    assert scrubber.Config(site="").site is None


def test_profile_evaluation_keys_id_based_sites_as_hosts_that_stay_themselves() -> None:
    from scrubber.corpus.evaluate import _profile_site

    for site in ("readability:nytimes", "readability:001", "cleaneval:x.y.z"):
        key = _profile_site(site)
        assert scrubber.Config(site=key).site == key
    assert _profile_site("readability:a") != _profile_site("readability:b")
    assert _profile_site("news.example") == "news.example"


# --------------------------------------------------------------------------- CLI


def test_cli_profile_build_show_merge_and_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.jsonl"
    recs = [{"url": f"https://www.news.example/{i}", "text": site_page(i)} for i in range(5)]
    recs.append({"url": "https://other.example/x", "text": site_page(9)})
    recs.append({"text": "no url here"})
    corpus.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    prof = tmp_path / "p.npz"
    assert main(["profile", "build", str(corpus), "-o", str(prof), "--min-pages", "3"]) == 0
    assert "1 records without a site" in capsys.readouterr().err
    assert main(["profile", "show", str(prof)]) == 0
    assert "news.example" in capsys.readouterr().out
    out = tmp_path / "o.jsonl"
    assert main(["--jsonl", "--no-model", "--profile", str(prof), "--stats", "--decisions", "d",
                 "-o", str(out), str(corpus)]) == 0
    err = capsys.readouterr().err
    assert "profile" in err and "documents without a site (profile not used): 1" in err
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert "Serving the valley since the flood" not in got[0]["text"]
    assert got[5]["text"] == scrubber.clean(recs[5]["text"], CFG)  # other site: untouched
    assert any(d["stage"] == "profile" for d in got[0]["d"])
    # sharded: partial counts, then merge
    parts = []
    for k, chunk in enumerate((recs[:3], recs[3:])):
        shard = tmp_path / f"s{k}.jsonl"
        shard.write_text("".join(json.dumps(r) + "\n" for r in chunk), encoding="utf-8")
        part = tmp_path / f"part{k}.npz"
        assert main(["profile", "build", "--partial", str(shard), "-o", str(part)]) == 0
        parts.append(str(part))
    merged = tmp_path / "m.npz"
    assert main(["profile", "merge", *parts, "-o", str(merged), "--min-pages", "3"]) == 0
    assert np.array_equal(SiteProfile.load(merged).keys, SiteProfile.load(prof).keys)
    capsys.readouterr()


def test_cli_jsonl_profile_says_how_many_records_had_no_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (--url-field naming a field the records lack: the profile was used on no record,
    # exit 0 and not a word unless --stats was given)
    corpus = tmp_path / "c.jsonl"
    recs = [{"link": f"https://www.news.example/{i}", "text": site_page(i)} for i in range(5)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    prof = tmp_path / "p.npz"
    assert main(["profile", "build", "--url-field", "link", str(corpus), "-o", str(prof)]) == 0
    capsys.readouterr()
    out = tmp_path / "o.jsonl"
    assert main(["--jsonl", "--no-model", "--profile", str(prof), "-o", str(out),
                 str(corpus)]) == 0
    err = capsys.readouterr().err
    assert "5 of 5 records had no site" in err and "'url'" in err and "without the profile" in err
    assert main(["--jsonl", "--no-model", "--profile", str(prof), "--url-field", "link",
                 "-o", str(out), str(corpus)]) == 0
    assert capsys.readouterr().err == ""


def test_cli_profile_build_bad_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"url": "http://a.example", "text": "x"}\n{broken\n', encoding="utf-8")
    assert main(["profile", "build", str(corpus), "-o", str(tmp_path / "p.npz")]) == 1
    assert f"{corpus}:2: malformed JSON" in capsys.readouterr().err
    assert not (tmp_path / "p.npz").exists()
    assert main(["profile", "build", "--on-error", "skip", str(corpus), "-o",
                 str(tmp_path / "p.npz")]) == 0
    capsys.readouterr()


def test_cli_profile_build_empty_field_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # (--field "$F" with F unset: every record a "missing field", exit 1 at the first)
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"url": "http://a.example", "text": "x"}\n', encoding="utf-8")
    assert main(["profile", "build", "--field", "", str(corpus), "-o",
                 str(tmp_path / "p.npz")]) == 2
    assert "--field: an empty name" in capsys.readouterr().err
    assert not (tmp_path / "p.npz").exists()


class _ClosedPipe(io.StringIO):
    """A stream whose reader has gone away (``... | head -c 10``)."""

    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_profile_show_into_a_closed_pipe_ends_quietly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    build([site_page(i) for i in range(4)], min_pages=2).save(tmp_path / "p.npz")
    with monkeypatch.context() as m:
        m.setattr("sys.stdout", _ClosedPipe())
        assert main(["profile", "show", str(tmp_path / "p.npz")]) == 0
    assert capsys.readouterr().err == ""  # was "scrubber profile: [Errno 32] Broken pipe", 1


def test_profile_build_and_merge_keep_their_exit_status_when_stderr_is_gone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text("".join(json.dumps({"url": f"http://news.example/{i}", "text": site_page(i)})
                            + "\n" for i in range(4)), encoding="utf-8")
    bad.write_text('{"url": "http://a.example", "text": "x"}\n{broken\n', encoding="utf-8")
    build([site_page(i) for i in range(4)], min_pages=2).save(tmp_path / "done.npz")
    monkeypatch.setattr("sys.stderr", _ClosedPipe())
    # the summary line is lost, the work is done
    assert main(["profile", "build", str(good), "-o", str(tmp_path / "p.npz")]) == 0
    assert SiteProfile.load(tmp_path / "p.npz").pages == 4
    assert main(["profile", "build", "--partial", str(good), "-o", str(tmp_path / "a.npz")]) == 0
    assert main(["profile", "merge", str(tmp_path / "a.npz"), "-o", str(tmp_path / "m.npz")]) == 0
    # a failure stays a failure (a report that could not be written ended it with 0)
    assert main(["profile", "build", str(bad), "-o", str(tmp_path / "b.npz")]) == 1
    assert not (tmp_path / "b.npz").exists()
    assert main(["profile", "merge", str(tmp_path / "a.npz"), str(tmp_path / "done.npz"),
                 "-o", str(tmp_path / "m2.npz")]) == 1
    assert main(["profile", "build", str(good), "-o", str(tmp_path / "c.npz"),
                 "--store-min", "9"]) == 2


# --------------------------------------------------------------------------- real data


def test_multi_page_corpus_from_shared_data() -> None:
    from scrubber.corpus.evaluate import load_corpus
    from scrubber.train.data import data_root

    if data_root() is None:
        pytest.skip("../shared/data is absent")
    pages = load_corpus("dragnet", "html_text")
    if not pages:
        pytest.skip("no cached dragnet renders (python -m scrubber.train.build_dataset)")
    sites: dict[str, int] = {}
    for p in pages:
        sites[p.site] = sites.get(p.site, 0) + 1
    assert len(sites) >= 20 and min(sites.values()) >= 2  # canonical URLs give real sites


# --------------------------------------------------------------------------- folders of partials


def _site_corpus(tmp_path: Path, n: int) -> Path:
    """``c.jsonl``: pages 0..n-1 of news.example (:func:`site_page`) with their URLs."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"url": f"https://news.example/{i}",
                                          "text": site_page(i)}) + "\n" for i in range(n)),
                      encoding="utf-8")
    return corpus


def _partials_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "parts"
    folder.mkdir()
    for shard in range(2):
        c = ProfileCounter()
        for i in range(shard, 6, 2):
            c.add("news.example", site_page(i))
        c.save_partial(folder / f"p{shard}.npz")
    return folder


def test_profile_folder_of_partials_without_min_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _partials_folder(tmp_path)
    assert load_profile(folder, min_pages=None).min_pages == 3  # the default K
    assert merge_partials(sorted(folder.glob("*.npz")), min_pages=None).min_pages == 3
    corpus = _site_corpus(tmp_path, 6)
    out = tmp_path / "o.jsonl"
    assert main(["--jsonl", "--no-model", "--profile", str(folder), "-o", str(out),
                 str(corpus)]) == 0
    got = [json.loads(x)["text"] for x in out.read_text().splitlines()]
    assert all("Serving the valley since the flood" not in t for t in got)
    capsys.readouterr()


def test_library_profile_folder_without_min_pages(tmp_path: Path) -> None:
    folder = _partials_folder(tmp_path)
    from scrubber.integrations.hf import BatchCleaner

    got = BatchCleaner(profile=str(folder), use_model=False)(
        {"text": [site_page(0)], "url": ["https://news.example/0"]})
    assert "Serving the valley since the flood" not in got["text"][0]
    pytest.importorskip("datatrove")
    from scrubber.integrations.datatrove import ScrubberFormatter

    fmt = ScrubberFormatter(profile=str(folder), use_model=False)
    assert fmt._resolved().profile.min_pages == 3  # type: ignore[union-attr]


def test_store_min_above_min_pages_is_a_usage_error(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"url": "https://news.example/1", "text": site_page(1)}) + "\n")
    out = tmp_path / "p.npz"
    for store in ("5", "0"):
        r = main(["profile", "build", str(corpus), "-o", str(out), "--min-pages", "3",
                  "--store-min", store])
        assert r == 2 and not out.exists()
    assert main(["profile", "build", str(corpus), "-o", str(out), "--min-pages", "3",
                 "--store-min", "2"]) == 0
    assert SiteProfile.load(out).store_min == 2


def test_min_pages_below_two_is_a_usage_error_before_any_input_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a K no profile can take was an error (exit 1) only after the whole corpus was counted
    # or merged; and `scrubber --min-pages K` without --jsonl was silently ignored
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"url": "https://news.example/1", "text": site_page(1)}) + "\n")
    out = tmp_path / "p.npz"
    missing = str(tmp_path / "missing.jsonl")  # never read: the usage error comes first
    for k in ("1", "0", "-3"):
        for argv in (["profile", "build", missing, "-o", str(out), "--min-pages", k],
                     ["profile", "merge", missing, "-o", str(out), "--min-pages", k],
                     ["--jsonl", "--profile", missing, "--min-pages", k, missing]):
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert f"--min-pages must be at least 2, got {k}" in err and len(err.splitlines()) == 1
        assert not out.exists()
    assert main(["--min-pages", "3", str(corpus)]) == 2
    assert "--min-pages: only with --jsonl" in capsys.readouterr().err


def test_an_idn_host_is_one_site_in_unicode_and_punycode() -> None:
    # a corpus with both spellings of a host counted its pages as two sites; the ASCII
    # (punycode) form is the key, as in Common Crawl's URLs, so their profiles stay valid
    from scrubber.corpus.profile import normalise_site, site_from_url

    assert site_from_url("https://bücher.de/a") == site_from_url("https://xn--bcher-kva.de/b") \
        == normalise_site("www.BÜCHER.de") == "xn--bcher-kva.de"
    assert site_from_url("https://news.例え.jp/") == normalise_site("xn--r8jz45g.jp")
    assert scrubber.Config(site="https://www.bücher.de/x").site == "xn--bcher-kva.de"
    assert normalise_site("a\u2603\u2603.com") == normalise_site("A\u2603\u2603.com")


def test_a_near_copy_page_keeps_its_body_with_the_profile_and_its_settle_passes() -> None:
    # five pages of a site carry the same article (a syndicated story, a print view):
    # nearly all of its body is repeated, so the page is left alone (a job for dedup).
    # Counting only the lines it would drop, the guard let the less sure paragraphs go,
    # and each settle pass a few more, down to one line
    from conftest import read_seed

    body = read_seed("001_dacb63fc354a5f68.txt")
    foot = "© 2025 Example Ltd. All rights reserved.\nThe Example Gazette, serving the valley"
    pages = [f"Home | News | Sport\n{body}\n{foot}\n"] * 5
    pages += [f"Home | News | Sport\nOther article {c} " + "word " * 60 + f"\n{foot}\n"
              for c in "abcdefghijklmnopqrs"]
    counter = ProfileCounter(dedupe=False)  # (exact copies here; dedupe counts them once)
    for p in pages:
        counter.add("example.com", p)
    prof = counter.finish(min_pages=3)
    plain = scrubber.clean(pages[0])
    assert scrubber.clean(pages[0], profile=prof, site="example.com") == plain
    # the site's own boilerplate on another page still goes
    other = scrubber.clean_and_explain(pages[5], profile=prof, site="example.com",
                                       use_model=False)
    assert any(d.stage is Stage.PROFILE for d in other.decisions)


def test_profile_show_top_zero_lists_every_site_and_a_negative_top_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.jsonl"
    recs = [{"url": f"https://s{i % 3}.example/{i}", "text": site_page(i)} for i in range(9)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    prof = tmp_path / "p.npz"
    assert main(["profile", "build", str(corpus), "-o", str(prof)]) == 0
    capsys.readouterr()
    assert main(["profile", "show", str(prof), "--top", "0"]) == 0
    out = capsys.readouterr().out
    assert all(f"s{k}.example" in out for k in range(3))
    assert main(["profile", "show", str(prof), "--top", "1"]) == 0
    assert sum(f"s{k}.example" in capsys.readouterr().out for k in range(3)) == 1
    with pytest.raises(SystemExit) as exc:
        main(["profile", "show", str(prof), "--top", "-1"])
    assert exc.value.code == 2 and "must be at least 0" in capsys.readouterr().err


def test_profile_build_that_stops_says_where_and_that_nothing_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --on-error fail: the bad record's report was the last line, with no word that the
    # build had stopped there or that -o was not written (--jsonl says both)
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"url": "http://a.example", "text": "x"}\n{broken\n', encoding="utf-8")
    out = tmp_path / "p.npz"
    assert main(["profile", "build", str(corpus), "-o", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (f"scrubber profile: stopped at {corpus}:2; {out} not written (use "
                       "--on-error skip to go on past bad records)")
    assert not out.exists()
    # an input that cannot be read stops it the same way
    missing = tmp_path / "missing.jsonl"
    assert main(["profile", "build", str(corpus), str(missing), "-o", str(out),
                 "--on-error", "skip"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [f"scrubber profile: {missing}: No such file or directory",
                        f"scrubber profile: stopped; {out} not written"]
    assert not out.exists()


def test_profile_show_reads_a_folder_of_partials_as_profile_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a datatrove run writes a folder of per-task partial counts, which --profile reads
    # merged; `profile show` of it said "Is a directory"
    folder = _partials_folder(tmp_path)
    assert main(["profile", "show", str(folder)]) == 0
    out = capsys.readouterr().out
    merged = load_profile(folder)
    assert out.splitlines()[0] == (f"{folder}: a folder of 2 partial count files, merged as "
                                   "--profile reads it")
    assert f"{folder}: 1 sites, {merged.pages} pages, {len(merged)} stored lines" in out
    assert repr(merged) in out and "news.example" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["profile", "show", str(empty)]) == 1
    assert "no .npz profile files in" in capsys.readouterr().err


@pytest.mark.parametrize(("given", "site"), [
    # IPv6 hosts had no site (the host pattern refused the colons), and as a site value
    # "[::1]" was "[" and "::1" nothing: every spelling of the address is one site now
    ("http://[::1]:8080/x", "[::1]"),
    ("https://user@[2001:DB8:0::1]/a", "[2001:db8::1]"),
    ("[::1]:80", "[::1]"),
    ("::1", "[::1]"),
    ("2001:db8::1", "[2001:db8::1]"),
    ("http://[zz::1]/", ""),
    ("http://[::1", ""),
    # a backslash is a slash, and the slashes after the scheme any number, as browsers read
    # http(s) URLs: these were all the site "http" (or "https"), one site of many hosts
    ("http:\\\\example.com\\x", "example.com"),
    ("HTTPS:\\\\WWW.Example.COM\\a\\b", "example.com"),
    ("http:/example.com/x", "example.com"),
    ("https:example.com", "example.com"),
    ("http://example.com\\@evil.com/", "example.com"),
    ("example.com\\path", "example.com"),
    # what already worked stays so: case, a trailing dot, ports, users, IDNs
    ("HTTPS://WWW.Example.COM.", "example.com"),
    ("https://example.com.:443/", "example.com"),
    ("http://user:pw@www.example.com:8080/a", "example.com"),
    ("http://bücher.de", "xn--bcher-kva.de"),
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("http://Ex%41mple.com/", "example.com"),  # (a percent-encoded host was no site)
    ("ftp.example.com:21", "example.com"),
    ("localhost:8080", "localhost"),
    ("http://www/", "www"),  # (an intranet host "www" was no site)
])
def test_sites_of_ipv6_backslash_and_odd_urls(given: str, site: str) -> None:
    assert site_from_url(given) == site
    assert normalise_site(given) == site
    assert normalise_site(site) == site  # a site key is its own site


@pytest.mark.parametrize(("given", "site"), [
    # Config.site normalises a record's site again: each of these was one site when
    # counted and another when cleaned
    ("a.www.com", "www.com"),  # (then "com")
    ("www.com", "www.com"),
    ("news.www.co.uk", "www.co.uk"),  # (then "co.uk")
    ("www.co.uk", "www.co.uk"),
    ("x.www.blogspot.com", "blogspot.com"),  # (then "www.blogspot.com", then this)
    ("x.www.blogspot.de", "blogspot.de"),
    ("Ex%41mple.com", "example.com"),  # (decoded after lower-casing: "exAmple.com")
    ("a%2fb.com", ""),  # ("a/b.com", then "a": a browser refuses the host)
    ("fe80::1%25eth0", ""),  # (a zone is no part of a URL's host)
    ("x@ host.example ", "host.example"),
    ("44. ", "44"),
    ("le monde", "le monde"),  # (a --site-field value that is no host name stays itself)
])
def test_a_site_key_is_its_own_site(given: str, site: str) -> None:
    assert normalise_site(given) == site
    assert normalise_site(site) == site


def test_every_site_key_is_its_own_site_on_random_hosts_and_urls() -> None:
    import random

    rng = random.Random(7)
    pieces = ["http://", "https:", "//", "www.", "www", "a", "x", ".", "com", "de", "co.", ".co",
              "uk", "blogspot.", ":80", "/", "\\", "@", "[", "]", "::1", "%", "%2f", "%41",
              "%25", "2e", "ß", "σ", "é", "\u200c", "İ", " ", "\t"]
    for _ in range(20_000):
        given = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        for read in (normalise_site, site_from_url):
            key = read(given)
            assert normalise_site(key) == key, (given, key)


def test_partials_that_name_their_task_must_be_one_whole_run(tmp_path: Path) -> None:
    # (an engine's partial files carry rank and world_size; the CLI's --partial shards do
    # not, and merge as before, beside them too)
    def part(name: str, rank: int | None, size: int | None, i: int) -> Path:
        c = ProfileCounter()
        c.add("news.example", site_page(i))
        c.save_partial(tmp_path / name, rank=rank, world_size=size)
        return tmp_path / name

    a, b = part("00000.npz", 0, 2, 0), part("00001.npz", 1, 2, 1)
    cli_shard = part("shard.npz", None, None, 2)
    assert merge_partials([a, b, cli_shard], min_pages=2).pages == 3
    dup = part("copy-of-00001.npz", 1, 2, 1)
    with pytest.raises(ValueError, match=r"task 1's partial counts twice in .* \(00001.npz, "
                                         r"copy-of-00001.npz\)"):
        merge_partials([a, b, dup])
    odd = part("00007.npz", 7, 2, 3)
    with pytest.raises(ValueError, match=r"00007\.npz: a partial count file of task 7 of a run "
                                         "of 2 tasks"):
        merge_partials([a, b, odd])
    with pytest.raises(ValueError, match=r"1 of the 2 tasks of a run in .*: none of task 00001"):
        merge_partials([a, cli_shard])
    # the whole runs of two folders (two corpora counted apart) merge together
    other = tmp_path / "other"
    other.mkdir()
    c = ProfileCounter()
    c.add("news.example", site_page(5))
    c.save_partial(other / "00000.npz", rank=0, world_size=1)
    assert merge_partials([a, b, other / "00000.npz"], min_pages=2).pages == 3


def test_profile_merge_takes_a_folder_of_partials_as_profile_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `profile merge FOLDER` said "Is a directory" of the folder --profile and show accept
    folder = _partials_folder(tmp_path)
    want = load_profile(folder)
    out = tmp_path / "m.npz"
    assert main(["profile", "merge", str(folder), "-o", str(out)]) == 0
    assert np.array_equal(SiteProfile.load(out).keys, want.keys)
    # into the folder itself: a second merge does not read its first output back (a
    # finished profile, which merge_partials refuses)
    inside = folder / "profile.npz"
    for _ in range(2):
        assert main(["profile", "merge", str(folder), "-o", str(inside)]) == 0
        assert np.array_equal(SiteProfile.load(inside).counts, want.counts)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["profile", "merge", str(empty), "-o", str(out)]) == 1
    assert "no .npz profile files in" in capsys.readouterr().err


def test_a_min_pages_below_what_the_profile_stores_says_how_to_go_lower(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "--profile p.npz: min_pages must be >= 3 for this profile, got 2" said neither why
    # nor what to do about it
    corpus = _site_corpus(tmp_path, 4)
    prof = tmp_path / "p.npz"
    assert main(["profile", "build", str(corpus), "-o", str(prof)]) == 0
    capsys.readouterr()
    assert main(["--jsonl", "--no-model", "--profile", str(prof), "--min-pages", "2",
                 str(corpus)]) == 1
    err = capsys.readouterr().err
    assert err == (f"scrubber: --profile {prof}: min_pages must be >= 3 for this profile (it "
                   "stores only the lines seen on at least 3 pages; one built with --store-min "
                   "2, store_min= in Python, goes lower), got 2\n")
    assert main(["profile", "build", str(corpus), "-o", str(prof), "--store-min", "2"]) == 0
    assert main(["--jsonl", "--no-model", "--profile", str(prof), "--min-pages", "2",
                 str(corpus)]) == 0
    capsys.readouterr()


def test_profile_build_and_merge_write_stdout_for_dash_as_jsonl_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `-o -` wrote a file named "-" (scrubber --jsonl -o - is stdout)
    import subprocess
    import sys

    corpus = _site_corpus(tmp_path, 4)
    want = tmp_path / "want.npz"
    assert main(["profile", "build", str(corpus), "-o", str(want)]) == 0
    for argv in (["build", str(corpus)], ["merge", str(_partials_folder(tmp_path))]):
        r = subprocess.run([sys.executable, "-m", "scrubber", "profile", *argv, "-o", "-"],
                           capture_output=True, cwd=tmp_path, check=False)
        assert r.returncode == 0, r.stderr
        assert b"-> stdout" in r.stderr and not (tmp_path / "-").exists()
        got = SiteProfile.load(io.BytesIO(r.stdout))
        ref = SiteProfile.load(want) if argv[0] == "build" else load_profile(argv[1])
        assert np.array_equal(got.keys, ref.keys) and got.site_pages == ref.site_pages
    # not into a terminal: a usage problem before the corpus is counted

    class _Tty(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", _Tty(io.BytesIO()))
    capsys.readouterr()
    assert main(["profile", "build", str(corpus), "-o", "-"]) == 1
    assert capsys.readouterr().err == ("scrubber profile: stdout: a terminal, and a profile is "
                                       "binary (give -o FILE, or pipe it)\n")


def test_a_finished_profile_in_a_folder_of_partials_says_to_use_it_by_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `profile merge FOLDER -o FOLDER/profile.npz` (and datatrove's ProfileMerger) put the
    # merged profile among the partials; --profile FOLDER then said "merge the partial files
    # of the shards", which is what had been done
    folder = _partials_folder(tmp_path)
    assert main(["profile", "merge", str(folder), "-o", str(folder / "profile.npz")]) == 0
    capsys.readouterr()
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"url": "https://news.example/1", "text": site_page(1)}) + "\n")
    assert main(["--jsonl", "--no-model", "--profile", str(folder), str(corpus)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'profile.npz'}: a finished profile" in err
    assert "use it by itself (--profile FILE, profile=FILE) and keep it out of a folder" in err
    assert main(["--jsonl", "--no-model", "--profile", str(folder / "profile.npz"),
                 str(corpus)]) == 0
    capsys.readouterr()


class _Stdin(io.TextIOWrapper):
    """A piped stdin (not a terminal) holding ``data``."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))

    def isatty(self) -> bool:
        return False


def test_profile_dash_reads_a_piped_profile_when_the_corpus_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `profile build ... -o - | scrubber --jsonl --profile - FILE` said "--profile -: No
    # such file or directory" (the build writes stdout for -o -, the reader had no -)
    corpus = _site_corpus(tmp_path, 5)
    prof = tmp_path / "p.npz"
    assert main(["profile", "build", str(corpus), "-o", str(prof)]) == 0
    want, piped = tmp_path / "want.jsonl", tmp_path / "piped.jsonl"
    assert main(["--jsonl", "--no-model", "--profile", str(prof), str(corpus),
                 "-o", str(want)]) == 0
    monkeypatch.setattr("sys.stdin", _Stdin(prof.read_bytes()))
    assert main(["--jsonl", "--no-model", "--profile", "-", str(corpus), "-o", str(piped)]) == 0
    assert piped.read_bytes() == want.read_bytes()
    assert "Serving the valley since the flood" not in piped.read_text()
    capsys.readouterr()
    # the corpus cannot come from stdin too: a usage error before anything is read
    for files in ([], ["-"]):
        monkeypatch.setattr("sys.stdin", _Stdin(prof.read_bytes()))
        assert main(["--jsonl", "--no-model", "--profile", "-", *files]) == 2
        assert "--profile - reads the profile from stdin, so the corpus cannot come from " \
               "there too: give it as FILE" in capsys.readouterr().err
    # nothing piped: an input error naming stdin
    monkeypatch.setattr("sys.stdin", _Stdin(b""))
    assert main(["--jsonl", "--no-model", "--profile", "-", str(corpus)]) == 1
    assert "--profile -: <stdin>: not a scrubber site profile" in capsys.readouterr().err


def test_profile_show_reads_stdin_and_shows_the_profile_at_a_given_min_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _site_corpus(tmp_path, 5)
    prof = tmp_path / "p.npz"
    assert main(["profile", "build", str(corpus), "-o", str(prof), "--store-min", "2"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", _Stdin(prof.read_bytes()))
    assert main(["profile", "show", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("-: 1 sites, 5 pages") and "min_pages=3)" in out
    # --min-pages: the profile as --profile ... --min-pages K reads it (file and folder)
    assert main(["profile", "show", str(prof), "--min-pages", "2"]) == 0
    assert "min_pages=2)" in capsys.readouterr().out
    folder = _partials_folder(tmp_path)
    assert main(["profile", "show", str(folder), "--min-pages", "4"]) == 0
    out = capsys.readouterr().out
    assert "min_pages=4)" in out and "'min_pages': 4" in out
    # below what the profile stores: refused as --profile refuses it
    assert main(["profile", "show", str(prof), "--min-pages", "1"]) == 2
    assert main(["profile", "show", str(folder), "--min-pages", "5"]) == 0
    capsys.readouterr()
    prof3 = tmp_path / "p3.npz"
    assert main(["profile", "build", str(corpus), "-o", str(prof3)]) == 0
    capsys.readouterr()
    assert main(["profile", "show", str(prof3), "--min-pages", "2"]) == 1
    assert "min_pages must be >= 3 for this profile" in capsys.readouterr().err


def test_profile_build_task_names_the_shard_so_merge_refuses_a_run_with_a_task_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a Slurm array (or any scheduler) running `profile build --partial` per shard: a
    # failed task's file missing merged into counts too low without a word
    corpus = _site_corpus(tmp_path, 6)
    lines = corpus.read_text().splitlines(keepends=True)
    folder = tmp_path / "parts"
    folder.mkdir()
    for task in range(3):
        shard = tmp_path / f"s{task}.jsonl"
        shard.write_text("".join(lines[task::3]))
        if task != 1:
            assert main(["profile", "build", "--partial", "--task", f"{task}/3", str(shard),
                         "-o", str(folder / f"{task:05d}.npz")]) == 0
    assert "(task 2 of 3)" in capsys.readouterr().err
    merged = tmp_path / "m.npz"
    assert main(["profile", "merge", str(folder), "-o", str(merged)]) == 1
    assert "partial counts of 2 of the 3 tasks of a run" in capsys.readouterr().err
    assert main(["profile", "build", "--partial", "--task", "1/3", str(tmp_path / "s1.jsonl"),
                 "-o", str(folder / "00001.npz")]) == 0
    assert main(["profile", "merge", str(folder), "-o", str(merged)]) == 0
    whole = tmp_path / "whole.npz"
    assert main(["profile", "build", str(corpus), "-o", str(whole)]) == 0
    assert np.array_equal(SiteProfile.load(merged).keys, SiteProfile.load(whole).keys)
    capsys.readouterr()
    # --task is a shard's: without --partial, or not I/N with 0 <= I < N, a usage error
    assert main(["profile", "build", "--task", "0/3", str(corpus), "-o", str(whole)]) == 2
    assert "--task needs --partial" in capsys.readouterr().err
    for bad in ("3/3", "-1/3", "1", "a/b", "0/0"):
        with pytest.raises(SystemExit) as e:
            main(["profile", "build", "--partial", f"--task={bad}", str(corpus), "-o", "x.npz"])
        assert e.value.code == 2
        assert "expected I/N, task I (from 0) of a run of N tasks" in capsys.readouterr().err


def test_a_profile_counts_as_repeated_the_lines_seen_on_min_pages_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # every stored line was "repeated": a profile stored from one page, or shown at
    # another --min-pages, said the same number whatever K (review)
    c = ProfileCounter()
    for i in range(10):
        c.add("ex.org", "\n".join(["Menu A", *(["Menu B"] if i < 5 else []),
                                   f"Body text {chr(97 + i)} unique."]))
    prof = c.finish(min_pages=3, store_min=1)
    assert repr(prof) == ("SiteProfile(1 sites, 10 pages, 2 repeated lines of 12 stored, "
                          "min_pages=3)")
    assert "1 repeated lines of 12 stored, min_pages=8" in repr(prof.replace(min_pages=8))
    assert repr(c.finish(min_pages=3)) == "SiteProfile(1 sites, 10 pages, 2 repeated lines, " \
                                          "min_pages=3)"
    path = tmp_path / "p.npz"
    prof.save(path)
    assert main(["profile", "show", str(path), "--min-pages", "8"]) == 0
    assert "1 repeated lines of 12 stored, min_pages=8)" in capsys.readouterr().out


def test_profile_show_with_stdout_closed_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (`scrubber profile show p.npz >&-`: AttributeError: 'NoneType' object has no
    # attribute 'flush', with a traceback)
    path = tmp_path / "p.npz"
    build([site_page(i) for i in range(4)]).save(path)
    monkeypatch.setattr("sys.stdout", None)
    assert main(["profile", "show", str(path)]) == 1
    assert capsys.readouterr().err == ("scrubber profile: stdout: closed (show writes its "
                                       "summary there)\n")
