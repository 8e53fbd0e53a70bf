"""Engines: datatrove (formatter + the two profile steps, run by LocalPipelineExecutor with
4 tasks on 2 workers over JSONL shards) and Hugging Face ``datasets.Dataset.map``."""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
from pathlib import Path

import pytest

import scrubber

CFG = scrubber.Config(use_model=False)
NAV = ["The Riverside Gazette", "Serving the valley since the flood", "Gazette crossword corner"]


def page(n: int) -> str:
    body = (f"Story {n}: the council voted on item {chr(97 + n % 26)}{n} after a long debate "
            f"that went on into the night, said the clerk.")
    return "\n".join([*NAV, "Leave a Comment", body]) + "\n"


def records(n: int = 16) -> list[dict[str, object]]:
    return [{"id": f"d{i}", "text": page(i), "url": f"https://www.gazette.example/{i}",
             "lang": "en"} for i in range(n)]


def write_shards(folder: Path, recs: list[dict[str, object]], shards: int = 4) -> None:
    folder.mkdir(parents=True)
    for k in range(shards):
        with (folder / f"shard{k}.jsonl").open("w", encoding="utf-8") as fh:
            for r in recs[k::shards]:
                fh.write(json.dumps(r) + "\n")


def read_output(folder: Path) -> list[dict[str, object]]:
    out = []
    for f in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh]
    return out


# --------------------------------------------------------------------------- datatrove


def test_datatrove_formatter_on_documents() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.integrations.datatrove import ScrubberFormatter

    step = ScrubberFormatter(use_model=False, keep_original_key="raw")
    docs = [Document(text=page(i), id=str(i), metadata={}) for i in range(3)]
    out = list(step.run(iter(docs)))
    assert [d.text for d in out] == [scrubber.clean(page(i), CFG) for i in range(3)]
    meta = out[0].metadata["scrubber"]
    assert meta["counts"] == {"drop:rule:comments.leave-a-comment": 1}
    assert meta["lines_in"] == 5 and len(meta["decisions"]) == 5
    assert out[0].metadata["raw"] == page(0)
    assert step.stats["drop:rule:comments.leave-a-comment"].total == 3
    assert step.format(page(1)) == scrubber.clean(page(1), CFG)
    empty = ScrubberFormatter(use_model=False, drop_empty=True)
    assert list(empty.run(iter([Document(text="Leave a Comment\n", id="e")]))) == []
    assert empty.stats["dropped_empty"].total == 1


def test_datatrove_formatter_drop_counts_add_up_to_lines_in_minus_out() -> None:
    # (the blank lines dropped were left out of the step's drop: stats and of
    # metadata["scrubber"]["counts"], as --jsonl --stats left them out before 2026-12-07)
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.integrations.datatrove import ScrubberFormatter

    body = page(0).splitlines()[-1]
    text = f"\n\nLeave a Comment\n\n\n{body}\n\n\n{body} Again.\n\n"
    step = ScrubberFormatter(use_model=False)
    (doc,) = step.run(iter([Document(text=text, id="b", metadata={})]))
    meta = doc.metadata["scrubber"]
    assert meta["counts"]["drop:layout"] > 0
    drops = sum(n for k, n in meta["counts"].items() if k.startswith("drop:"))
    assert drops == meta["lines_in"] - meta["lines_out"] > 0
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert sum(n for k, n in stats.items() if k.startswith("drop:")) == \
        stats["lines_in"] - stats["lines_out"]


SLOW_RULE = """family = "mine"

[[rule]]
id = "mine.slow"
description = "Catastrophic"
scope = "line"
max_chars = 100000
patterns = ['^(a|aa)+$']
"""


def test_engines_name_the_document_a_cleaning_error_came_from(tmp_path: Path) -> None:
    # (a user rule's timeout stopped a datatrove task with "rule 'mine.slow' timed out on
    # line 1": line 1 of which of the task's documents, it did not say; --jsonl names the
    # file and line of the record)
    slow = tmp_path / "slow.toml"
    slow.write_text(SLOW_RULE, encoding="utf-8")
    kw = {"rule_files": (str(slow),), "regex_timeout": 0.05, "use_model": False}
    bad = "a" * 40 + "b\n"
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.integrations.datatrove import ScrubberFormatter
    from scrubber.integrations.hf import BatchCleaner

    docs = [Document(text=page(0), id="fine"), Document(text=bad, id="doc-42")]
    with pytest.raises(scrubber.RuleTimeout) as info:
        list(ScrubberFormatter(**kw).run(iter(docs)))  # type: ignore[arg-type]
    assert any("'doc-42'" in n for n in getattr(info.value, "__notes__", []))
    with pytest.raises(scrubber.RuleTimeout) as info:
        BatchCleaner(**kw)({"text": [page(0), bad]})  # type: ignore[arg-type]
    assert any("row 1 of the batch" in n for n in getattr(info.value, "__notes__", []))


def test_datatrove_formatter_counts_reasons_in_stats_without_metadata() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.integrations.datatrove import ScrubberFormatter

    docs = [Document(text=page(i), id=str(i), metadata={}) for i in range(3)]
    bare = ScrubberFormatter(use_model=False, metadata_key=None)
    out = list(bare.run(iter(docs)))
    assert [d.text for d in out] == [scrubber.clean(page(i), CFG) for i in range(3)]
    assert out[0].metadata == {}
    assert bare.stats["drop:rule:comments.leave-a-comment"].total == 3
    assert bare.stats["lines_in"].total == 15
    fast = ScrubberFormatter(use_model=False, metadata_key=None, stats=False)
    out = list(fast.run(iter([Document(text=page(i), id=str(i)) for i in range(3)])))
    assert [d.text for d in out] == [scrubber.clean(page(i), CFG) for i in range(3)]
    assert "drop:rule:comments.leave-a-comment" not in fast.stats.stats
    assert fast.stats["lines_out"].total == bare.stats["lines_out"].total
    # (with metadata_key, which takes the explaining path, stats=False still wrote them)
    meta = ScrubberFormatter(use_model=False, stats=False)
    out = list(meta.run(iter([Document(text=page(i), id=str(i)) for i in range(3)])))
    assert out[0].metadata["scrubber"]["counts"]["drop:rule:comments.leave-a-comment"] == 1
    assert not [k for k in meta.stats.stats if k.startswith("drop:")]
    assert meta.stats["lines_out"].total == bare.stats["lines_out"].total


def test_datatrove_formatter_passes_a_text_that_is_not_a_string_through() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.integrations.datatrove import ScrubberFormatter

    step = ScrubberFormatter(use_model=False, keep_original_key="raw", drop_empty=True)
    docs = [Document(text=None, id="none", metadata={}),  # type: ignore[arg-type]
            Document(text=7, id="int", metadata={"a": 1}),  # type: ignore[arg-type]
            Document(text=page(1), id="ok", metadata={})]
    out = list(step.run(iter(docs)))
    assert [(d.id, d.text, d.metadata) for d in out[:2]] == [("none", None, {}),
                                                              ("int", 7, {"a": 1})]
    assert out[2].text == scrubber.clean(page(1), CFG)
    assert step.stats["not_text"].total == 2 and step.stats["total"].total == 3


def test_datatrove_local_executor_profile_and_clean(tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    pytest.importorskip("orjson")  # JsonlReader needs it
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from scrubber.integrations.datatrove import ProfileCounter, ProfileMerger, ScrubberFormatter

    recs = records(16)
    write_shards(tmp_path / "raw", recs)
    counts, merged, clean = tmp_path / "counts", tmp_path / "profile", tmp_path / "clean"
    count = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "raw")), ProfileCounter(str(counts))],
        tasks=4, workers=2, logging_dir=str(tmp_path / "logs-count"),
    )
    merge = LocalPipelineExecutor(
        pipeline=[ProfileMerger(str(counts), str(merged), min_pages=3)],
        tasks=1, logging_dir=str(tmp_path / "logs-merge"), depends=count,
    )
    cleaner = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "raw")),
            ScrubberFormatter(profile=str(merged / "profile.npz"), use_model=False),
            JsonlWriter(str(clean)),
        ],
        tasks=4, workers=2, logging_dir=str(tmp_path / "logs-clean"), depends=merge,
    )
    cleaner.run()
    assert len(list(counts.glob("*.npz"))) == 4
    out = read_output(clean)
    assert sorted(str(d["id"]) for d in out) == sorted(str(r["id"]) for r in recs)
    for d in out:
        text = str(d["text"])
        assert "Story" in text and "Gazette" not in text and "Leave a Comment" not in text
        meta = d["metadata"]
        assert meta["url"].startswith("https://www.gazette.example/")  # type: ignore[index]
        stages = {x["stage"] for x in meta["scrubber"]["decisions"]}  # type: ignore[index]
        assert {"profile", "rule"} <= stages
    stats = json.loads((tmp_path / "logs-clean" / "stats.json").read_text())
    formatter = next(s for s in stats if "scrubber" in s["name"])["stats"]

    def total(key: str) -> int:  # datatrove stores a bare int when every update was 1
        v = formatter[key]
        return v if isinstance(v, int) else int(v["total"])

    assert total("drop:profile") == 16 * 3
    assert total("drop:rule:comments.leave-a-comment") == 16
    # the clean step can also merge the partial counts itself (no merge stage)
    from datatrove.data import Document

    direct = ScrubberFormatter(profile=str(counts), min_pages=3, use_model=False)
    doc = Document(text=page(2), id="d2", metadata={"url": "http://gazette.example/2"})
    by_id = {str(d["id"]): d["text"] for d in out}
    assert next(iter(direct.run(iter([doc])))).text == by_id["d2"]


# --------------------------------------------------------------------------- Hugging Face


def test_hf_dataset_map_batched_num_proc(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    from scrubber.integrations.hf import BatchCleaner, clean_batch

    rows = records(12)
    rows[5]["text"] = None
    ds = datasets.Dataset.from_list(rows)
    fn = BatchCleaner(use_model=False, decisions="why", keep_original="raw")
    out = ds.map(fn, batched=True, batch_size=4, num_proc=2,
                 cache_file_name=str(tmp_path / "cache.arrow"))
    assert out["id"] == [r["id"] for r in rows]
    for i, r in enumerate(out):
        if i == 5:
            assert r["text"] is None and r["why"] is None
            continue
        assert r["text"] == scrubber.clean(page(i), CFG)
        assert r["raw"] == page(i)
        assert r["why"][3]["rule_id"] == "comments.leave-a-comment"
    plain = datasets.Dataset.from_list(records(3)).map(
        clean_batch, batched=True, fn_kwargs={"use_model": False})
    assert plain["text"] == [scrubber.clean(page(i), CFG) for i in range(3)]


def test_hf_map_with_the_cleaners_features_takes_batches_of_none_texts_first(
        tmp_path: Path) -> None:
    # datasets types a new column from the first batch written: all None, it was null and
    # the first cleaned string failed ("Couldn't write column ...: its type ... is null")
    datasets = pytest.importorskip("datasets")
    from scrubber.integrations.hf import BatchCleaner

    texts = [None, None, page(2), None, page(4), page(5)]  # both num_proc=2 shards start None
    ds = datasets.Dataset.from_dict({"text": texts, "n": list(range(6))})
    fn = BatchCleaner(use_model=False, output_field="clean", keep_original="raw",
                      decisions="why")
    for num_proc in (None, 2):
        out = ds.map(fn, batched=True, batch_size=1, num_proc=num_proc,
                     features=fn.features(ds.features),
                     cache_file_name=str(tmp_path / f"c{num_proc}.arrow"))
        assert out["n"] == list(range(6)) and out["text"] == texts and out["raw"] == texts
        for t, clean, why in zip(texts, out["clean"], out["why"], strict=True):
            if t is None:
                assert clean is None and why is None
            else:
                assert clean == scrubber.clean(t, CFG)
                assert why[3]["rule_id"] == "comments.leave-a-comment"
                assert why[0]["score"] is None  # typed float64, not null
    in_place = ds.map(BatchCleaner(use_model=False), batched=True, batch_size=1)
    assert in_place["text"] == [t if t is None else scrubber.clean(t, CFG) for t in texts]


def test_hf_batch_cleaner_with_profile_is_picklable(tmp_path: Path) -> None:
    import pickle

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.hf import BatchCleaner

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    path = tmp_path / "p.npz"
    c.finish(min_pages=3).save(path)
    fn = BatchCleaner(profile=str(path), use_model=False)
    batch = {"text": [page(0), page(1)], "url": ["http://gazette.example/0", None]}
    got = fn(batch)
    assert "Gazette" not in got["text"][0]  # profile used
    assert got["text"][1] == scrubber.clean(page(1), CFG)  # no URL: no site, no profile
    clone = pickle.loads(pickle.dumps(fn))
    assert clone._cfg is None and clone(batch) == got


def test_hf_batch_cleaner_without_batched_says_to_map_with_batched_true() -> None:
    from scrubber.integrations.hf import BatchCleaner

    fn = BatchCleaner(use_model=False)
    for row in ({"text": page(0), "url": "http://gazette.example/0"}, {"text": None}):
        with pytest.raises(TypeError, match=r"batched=True"):
            fn(row)
    assert fn({"text": [page(0)]})["text"] == [scrubber.clean(page(0), CFG)]


def test_hf_dataset_map_without_batched_says_to_map_with_batched_true() -> None:
    datasets = pytest.importorskip("datasets")
    from scrubber.integrations.hf import BatchCleaner

    ds = datasets.Dataset.from_list(records(2))
    with pytest.raises(TypeError, match=r"batched=True"):
        ds.map(BatchCleaner(use_model=False))


def test_engines_explain_a_line_trimmed_to_nothing_without_a_model() -> None:
    # decisions without a model went through the explanation that crashed on such a line
    from scrubber.integrations.hf import BatchCleaner

    stamp = "Published on: February 14, 2025\n"
    got = BatchCleaner(use_model=False, decisions="why")({"text": [stamp + page(0)]})
    assert got["text"] == [scrubber.clean(stamp + page(0), CFG)]
    assert got["why"][0][0]["rule_id"] == "metadata.stamp"
    try:
        from datatrove.data import Document
    except ImportError:
        return
    from scrubber.integrations.datatrove import ScrubberFormatter

    step = ScrubberFormatter(use_model=False)
    out = list(step.run(iter([Document(text=stamp + page(1), id="s", metadata={})])))
    assert out[0].metadata["scrubber"]["counts"]["drop:rule:metadata.stamp"] == 1


def _partials(folder: Path, shards: int = 4, per: int = 6) -> None:
    from scrubber.corpus.profile import ProfileCounter as Counter

    folder.mkdir(parents=True, exist_ok=True)
    for k in range(shards):
        c = Counter()
        for i in range(k * per, (k + 1) * per):
            c.add("gazette.example", page(i))
        c.save_partial(folder / f"{k:05d}.npz")


def test_profile_merger_refuses_a_finished_profile_among_the_partials(tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from scrubber.corpus.profile import SiteProfile
    from scrubber.integrations.datatrove import ProfileMerger

    counts = tmp_path / "counts"
    _partials(counts)
    list(ProfileMerger(str(counts), str(tmp_path / "a")).run(None))
    assert SiteProfile.load(tmp_path / "a" / "profile.npz").pages == 24
    # a merged profile left among the partials was merged again: 48 pages
    (tmp_path / "a" / "profile.npz").rename(counts / "merged.npz")
    with pytest.raises(ValueError, match=r"merged\.npz: a finished profile"):
        list(ProfileMerger(str(counts), str(tmp_path / "b")).run(None))
    assert not (tmp_path / "b" / "profile.npz").exists()


def test_profile_merger_into_its_input_folder_does_not_merge_its_own_output(
        tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from scrubber.corpus.profile import SiteProfile
    from scrubber.integrations.datatrove import ProfileMerger

    counts = tmp_path / "counts"
    _partials(counts)
    for _ in range(2):  # the second run finds the first one's profile.npz among the partials
        step = ProfileMerger(str(counts), str(counts))
        list(step.run(None))
        prof = SiteProfile.load(counts / "profile.npz")
        assert prof.pages == 24 and step.stats["partials"].total == 4


def test_profile_merger_on_a_folder_without_partials_raises_as_the_formatter(
        tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from scrubber.integrations.datatrove import ProfileMerger, ScrubberFormatter

    (tmp_path / "none").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no \.npz profile counts"):
        ScrubberFormatter(profile=str(tmp_path / "none"))._resolved()
    with pytest.raises(FileNotFoundError, match=r"no \.npz profile counts"):
        list(ProfileMerger(str(tmp_path / "none"), str(tmp_path / "out")).run(None))
    assert not (tmp_path / "out" / "profile.npz").exists()


def test_hf_batch_cleaner_refuses_columns_that_would_overwrite_each_other() -> None:
    from scrubber.integrations.hf import BatchCleaner

    # keep_original="text" put the original back over the cleaned text: nothing was cleaned
    for kw in ({"keep_original": "text"}, {"decisions": "text"},
               {"output_field": "clean", "keep_original": "clean"},
               {"keep_original": "why", "decisions": "why"}):
        with pytest.raises(ValueError, match="different columns"):
            BatchCleaner(use_model=False, **kw)  # type: ignore[arg-type]
    fn = BatchCleaner(output_field="clean", keep_original="raw", use_model=False)
    got = fn({"text": [page(0)]})
    assert got == {"clean": [scrubber.clean(page(0), CFG)], "raw": [page(0)]}


def test_hf_batch_cleaner_never_writes_over_a_column_the_batch_has(tmp_path: Path) -> None:
    # (keep_original="raw" over a dataset with a "raw" column of its own, or over the output
    # of a first map with the same cleaner, replaced it without a word; the datatrove step
    # and --jsonl refuse the same clash)
    from scrubber.integrations.hf import BatchCleaner

    batch = {"text": [page(0)], "raw": ["THE ORIGINAL"], "why": [None], "clean": ["x"]}
    for kw, col in (({"keep_original": "raw"}, "raw"), ({"decisions": "why"}, "why"),
                    ({"output_field": "clean"}, "clean")):
        with pytest.raises(ValueError, match=rf"already has a column {col!r}.*{next(iter(kw))}"):
            BatchCleaner(use_model=False, **kw)(batch)  # type: ignore[arg-type]
    # the text column itself is cleaned in place, as before
    assert BatchCleaner(use_model=False)(batch) == {"text": [scrubber.clean(page(0), CFG)]}
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list(records(2))
    once = ds.map(BatchCleaner(use_model=False, keep_original="raw"), batched=True)
    with pytest.raises(ValueError, match="already has a column 'raw'"):
        once.map(BatchCleaner(use_model=False, keep_original="raw"), batched=True)


def test_hf_batch_cleaner_names_a_missing_column_and_the_batchs_columns() -> None:
    from scrubber.integrations.hf import BatchCleaner

    with pytest.raises(KeyError, match=r"no column 'body' in the batch \(columns: text, url\)"):
        BatchCleaner(field="body", use_model=False)({"text": [page(0)], "url": [None]})
    assert BatchCleaner(use_model=False)({"text": []}) == {"text": []}


def test_datatrove_formatter_refuses_the_original_under_its_own_metadata_key() -> None:
    pytest.importorskip("datatrove")
    from scrubber.integrations.datatrove import ScrubberFormatter

    # the summary was written over the original text kept under the same key
    with pytest.raises(ValueError, match="keep_original_key"):
        ScrubberFormatter(use_model=False, keep_original_key="scrubber")
    ScrubberFormatter(use_model=False, keep_original_key="scrubber", metadata_key=None)


def test_datatrove_formatter_never_writes_over_metadata_a_document_holds() -> None:
    """A document already holding ``metadata_key`` (a second scrubber step, the user's own
    field) had it replaced by the summary; ``keep_original_key`` likewise. Now the step
    stops with a ValueError naming the document and the key, the metadata untouched."""
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.integrations.datatrove import ScrubberFormatter

    mine = {"scrubber": {"reviewed": True}, "raw": "kept by me"}
    doc = Document(text=page(0), id="d0", metadata=dict(mine))
    with pytest.raises(ValueError, match=r"'d0' already has metadata\['scrubber'\].*"
                                         r"metadata_key"):
        list(ScrubberFormatter(use_model=False).run(iter([doc])))
    with pytest.raises(ValueError, match=r"'d0' already has metadata\['raw'\].*"
                                         r"keep_original_key"):
        list(ScrubberFormatter(use_model=False, metadata_key="s2",
                               keep_original_key="raw").run(iter([doc])))
    assert doc.metadata == mine and doc.text == page(0)
    # two steps in a row: the second needs its own key, and both summaries stay
    first = ScrubberFormatter(use_model=False)
    docs = [Document(text=page(i), id=str(i), metadata={}) for i in range(2)]
    with pytest.raises(ValueError, match="already has"):
        list(ScrubberFormatter(use_model=False).run(first.run(iter(docs))))
    docs = [Document(text=page(i), id=str(i), metadata={}) for i in range(2)]
    second = ScrubberFormatter(use_model=False, metadata_key="scrubber_2")
    out = list(second.run(ScrubberFormatter(use_model=False).run(iter(docs))))
    assert [sorted(d.metadata) for d in out] == [["scrubber", "scrubber_2"]] * 2
    assert out[0].metadata["scrubber"]["counts"] == {"drop:rule:comments.leave-a-comment": 1}
    assert out[0].metadata["scrubber_2"]["counts"] == {}
    # no metadata written: nothing to refuse
    plain = Document(text=page(0), id="p", metadata=dict(mine))
    assert list(ScrubberFormatter(use_model=False, metadata_key=None).run(iter([plain])))
    assert plain.metadata == mine


def test_datatrove_formatter_takes_a_profile_file_as_a_path(tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.datatrove import ScrubberFormatter

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    path = tmp_path / "p.npz"
    c.finish(min_pages=3).save(path)
    for src in (path, str(path)):
        step = ScrubberFormatter(profile=src, use_model=False)
        out = list(step.run(iter([Document(text=page(0), id="0",
                                           metadata={"url": "https://gazette.example/0"})])))
        assert "Gazette" not in out[0].text


def test_datatrove_profile_counter_does_not_count_a_document_without_text(
    tmp_path: Path,
) -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.corpus.profile import SiteProfile
    from scrubber.integrations.datatrove import ProfileCounter

    step = ProfileCounter(str(tmp_path / "counts"))
    docs = [Document(text=None, id="n", metadata={"url": "https://gazette.example/n"}),  # type: ignore[arg-type]
            Document(text=page(1), id="1", metadata={"url": "https://gazette.example/1"})]
    assert [d.id for d in step.run(iter(docs))] == ["n", "1"]
    assert step.stats["not_text"].total == 1 and step.stats["pages_counted"].total == 1
    assert SiteProfile.load(tmp_path / "counts" / "00000.npz").site_pages == {
        "gazette.example": 1}


def test_datatrove_profile_counter_counts_a_page_fetched_twice_once(tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.corpus.profile import SiteProfile
    from scrubber.integrations.datatrove import ProfileCounter

    step = ProfileCounter(str(tmp_path / "counts"))
    docs = [Document(text=page(1), id=str(k), metadata={"url": f"https://gazette.example/{u}"})
            for k, u in enumerate(("1", "1?utm=x", "2"))]
    docs[2].text = page(2)
    assert [d.id for d in step.run(iter(docs))] == ["0", "1", "2"]  # (every one passes on)
    assert step.stats["pages_counted"].total == 2 and step.stats["duplicate_pages"].total == 1
    prof = SiteProfile.load(tmp_path / "counts" / "00000.npz")
    assert prof.site_pages == {"gazette.example": 2} and prof.meta["duplicates"] == 1
    # dedupe=False counts every page, as the library's counter does (the docs said so of
    # the step, which had no such argument)
    every = ProfileCounter(str(tmp_path / "every"), dedupe=False)
    list(every.run(iter(docs)))
    assert every.stats["pages_counted"].total == 3 and "duplicate_pages" not in every.stats.stats
    assert SiteProfile.load(tmp_path / "every" / "00000.npz").site_pages == {
        "gazette.example": 3}
    with pytest.raises(TypeError, match="dedupe is a bool"):
        ProfileCounter(str(tmp_path / "x"), dedupe="no")  # type: ignore[arg-type]


def test_hf_batch_cleaner_refuses_a_column_name_that_is_not_a_string() -> None:
    from scrubber.integrations.hf import BatchCleaner

    # decisions=True (the datatrove step's flag) wrote a column named True, which datasets
    # refused with pyarrow's "expected bytes, bool found"
    for kw in ({"decisions": True}, {"keep_original": 1}, {"field": None},
               {"output_field": b"clean"}, {"url_field": 3}, {"site_field": ["site"]},
               {"field": ""}, {"decisions": ""}):
        key = next(iter(kw))
        with pytest.raises(TypeError, match=rf"BatchCleaner: {key} .*column"):
            BatchCleaner(use_model=False, **kw)  # type: ignore[arg-type]
    BatchCleaner(use_model=False, url_field=None, output_field=None)


def test_hf_batch_cleaner_takes_a_loaded_profile_as_the_datatrove_step_does(
        tmp_path: Path) -> None:
    import pickle

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.hf import BatchCleaner

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    prof = c.finish(min_pages=3)
    prof.save(tmp_path / "p.npz")
    batch = {"text": [page(0)], "url": ["http://gazette.example/0"]}
    by_path = BatchCleaner(profile=tmp_path / "p.npz", use_model=False)(batch)
    assert "Gazette" not in by_path["text"][0]
    # (a SiteProfile was read as the path 'SiteProfile(1 sites, ...)': FileNotFoundError)
    fn = BatchCleaner(profile=prof, use_model=False)
    assert fn(batch) == by_path
    assert pickle.loads(pickle.dumps(fn))(batch) == by_path
    assert BatchCleaner(profile=prof, min_pages=5, use_model=False)(batch) != by_path
    with pytest.raises(TypeError, match="profile"):
        BatchCleaner(profile=3, use_model=False)  # type: ignore[arg-type]


def test_hf_batch_cleaner_reads_a_rows_site_by_position_as_its_text() -> None:
    # (a pandas DataFrame indexed otherwise than 0..n-1, a Dask or Spark partition, gave
    # each row the site of the row whose label was its position, or a KeyError)
    pd = pytest.importorskip("pandas")
    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.hf import BatchCleaner

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    fn = BatchCleaner(profile=c.finish(min_pages=3), use_model=False)
    rows = {"text": [page(0), page(0)],
            "url": ["http://other.example/0", "http://gazette.example/0"]}
    want = fn(rows)["text"]
    assert "Gazette" in want[0] and "Gazette" not in want[1]
    for index in ([1, 0], [5, 6], ["a", "b"]):
        assert fn(pd.DataFrame(rows, index=index))["text"] == want


def test_hf_batch_cleaner_warns_once_when_rows_have_no_site_for_its_profile() -> None:
    # (a mistyped url_field turned the profile off without a word; --jsonl and the
    # datatrove step count such records)
    import pickle
    import warnings

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.hf import BatchCleaner

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    fn = BatchCleaner(profile=c.finish(min_pages=3), use_model=False)
    batch = {"text": [page(0), page(1)], "link": ["http://gazette.example/0"] * 2}
    with pytest.warns(UserWarning, match=r"2 of 2 rows .*no column 'url'"):
        assert all("Gazette" in t for t in fn(batch)["text"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn(batch)  # once per cleaner (per worker)
        fixed = BatchCleaner(profile=fn.profile, url_field="link", use_model=False)(batch)
        assert "Gazette" not in fixed["text"][0]
    with pytest.warns(UserWarning, match="no site"):
        pickle.loads(pickle.dumps(fn))(batch)  # a worker's copy says it again


def test_hf_batch_cleaner_min_pages_needs_a_profile_and_at_least_two() -> None:
    from scrubber.integrations.hf import BatchCleaner

    # (without a profile min_pages did nothing, as --min-pages without --profile would)
    with pytest.raises(ValueError, match="min_pages needs a profile"):
        BatchCleaner(min_pages=3, use_model=False)
    for bad, error in ((1, ValueError), (0, ValueError), ("3", TypeError), (True, TypeError)):
        with pytest.raises(error, match="min_pages"):
            BatchCleaner(profile="p.npz", min_pages=bad, use_model=False)  # type: ignore[arg-type]


def test_hf_batch_cleaner_refuses_a_batch_that_is_not_a_dict_of_columns() -> None:
    datasets = pytest.importorskip("datasets")
    from scrubber.integrations.hf import BatchCleaner

    fn = BatchCleaner(use_model=False)
    # map(input_columns="text") hands over the list of texts: the KeyError listed every
    # text as a column; the arrow format hands over a pyarrow Table, read the same way
    with pytest.raises(TypeError, match="dict of columns"):
        fn([page(0), page(1)])  # type: ignore[arg-type]
    ds = datasets.Dataset.from_list(records(2))
    with pytest.raises(TypeError, match="input_columns"):
        ds.map(fn, batched=True, input_columns="text")
    with pytest.raises(TypeError, match="dict of columns"):
        ds.with_format("arrow").map(fn, batched=True)
    out = ds.with_format("numpy").map(fn, batched=True).with_format(None)
    assert out["text"] == [scrubber.clean(page(i), CFG) for i in range(2)]


def test_datatrove_formatter_min_pages_needs_a_profile_and_applies_to_the_configs() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.datatrove import ScrubberFormatter

    # (without a profile min_pages did nothing, and a Config's profile ignored it)
    with pytest.raises(ValueError, match="min_pages needs a profile"):
        ScrubberFormatter(min_pages=3, use_model=False)
    for bad, error in ((1, ValueError), ("3", TypeError), (True, TypeError)):
        with pytest.raises(error, match="min_pages"):
            ScrubberFormatter(profile="p.npz", min_pages=bad, use_model=False)  # type: ignore[arg-type]
    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    prof = c.finish(min_pages=3)

    def cleaned(step: ScrubberFormatter) -> str:
        doc = Document(text=page(0), id="0", metadata={"url": "https://gazette.example/0"})
        return next(iter(step.run(iter([doc])))).text

    assert "Gazette" not in cleaned(ScrubberFormatter(profile=prof, use_model=False))
    cfg = scrubber.Config(use_model=False, profile=prof)
    assert "Gazette" not in cleaned(ScrubberFormatter(cfg))
    assert cleaned(ScrubberFormatter(cfg, min_pages=5)) == scrubber.clean(page(0), CFG)
    assert cleaned(ScrubberFormatter(profile=prof, min_pages=5, use_model=False)) == (
        scrubber.clean(page(0), CFG))


def test_hf_batch_cleaner_in_the_pandas_format_passes_a_null_text_as_null() -> None:
    datasets = pytest.importorskip("datasets")
    from scrubber.integrations.hf import BatchCleaner

    # pandas hands a null string over as NaN; passed back as a float, datasets could not
    # write it into the string column (ArrowTypeError: Expected bytes, got a 'float')
    texts = [page(0), None, page(2)]
    ds = datasets.Dataset.from_dict({"text": texts, "n": [0, 1, 2]}).with_format("pandas")
    fn = BatchCleaner(use_model=False, keep_original="raw", decisions="why")
    out = ds.map(fn, batched=True).with_format(None)
    assert out["text"] == [scrubber.clean(page(0), CFG), None, scrubber.clean(page(2), CFG)]
    assert out["raw"] == texts and out["why"][1] is None
    assert fn({"text": [float("nan"), 3.5]})["text"] == [None, 3.5]
    # numpy's float32 NaN is no float, pandas.NA and NaT no floats at all: each was passed
    # through, and datasets could not write it into the string column either
    import numpy as np

    pd = pytest.importorskip("pandas")
    got = fn({"text": [np.float32("nan"), np.float64("nan"), pd.NA, pd.NaT, np.float32(2)]})
    assert got["text"][:4] == [None] * 4 and got["text"][4] == np.float32(2)
    assert got["raw"][:4] == [None] * 4 and got["why"] == [None] * 5


def test_datatrove_formatter_refuses_a_key_that_is_not_a_string_and_a_flag_that_is_not_bool(
) -> None:
    pytest.importorskip("datatrove")
    from scrubber.integrations.datatrove import ScrubberFormatter

    # decisions="why" (BatchCleaner's column argument) was read as True and put the
    # decisions under metadata["scrubber"], not "why"; keep_original_key=True wrote a
    # metadata key True, which JsonlWriter refuses (orjson: "Dict key must be str")
    for kw in ({"decisions": "why"}, {"drop_empty": 1}, {"stats": None}):
        key = next(iter(kw))
        with pytest.raises(TypeError, match=rf"ScrubberFormatter: {key} .*True or False"):
            ScrubberFormatter(use_model=False, **kw)  # type: ignore[arg-type]
    for kw in ({"keep_original_key": True}, {"metadata_key": 3}, {"url_key": ["url"]},
               {"site_key": b"site"}, {"metadata_key": ""}):
        with pytest.raises(TypeError, match=rf"ScrubberFormatter: {next(iter(kw))} .*key"):
            ScrubberFormatter(use_model=False, **kw)  # type: ignore[arg-type]
    ScrubberFormatter(use_model=False, metadata_key=None, url_key=None, decisions=False)


def test_profile_merger_checks_min_pages_where_it_is_given(tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from scrubber.integrations.datatrove import ProfileMerger

    # (1 or "3" failed only once every partial had been read, after the counting stage;
    # 2.5 was read as 2)
    for bad, error in ((1, ValueError), ("3", TypeError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="ProfileMerger: min_pages"):
            ProfileMerger(str(tmp_path / "in"), str(tmp_path / "out"), min_pages=bad)  # type: ignore[arg-type]
    assert ProfileMerger(str(tmp_path / "in"), str(tmp_path / "out"), min_pages=2).min_pages == 2


def test_engines_clean_a_document_without_a_site_with_the_configs_site() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.datatrove import ScrubberFormatter
    from scrubber.integrations.hf import BatchCleaner

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    cfg = scrubber.Config(use_model=False, profile=c.finish(min_pages=3), site="gazette.example")
    want = scrubber.clean(page(0), cfg)
    assert "Gazette" not in want
    # (a row or document without a URL was cleaned with site None: Config.site was
    # dropped, so the profile did nothing, and datatrove counted the document no_site)
    assert BatchCleaner(config=cfg)({"text": [page(0)]})["text"] == [want]
    step = ScrubberFormatter(cfg)
    assert [d.text for d in step.run(iter([Document(text=page(0), id="0")]))] == [want]
    assert "no_site" not in step.stats.stats
    # the JSONL path (clean_jsonl from Python: the CLI has no Config.site) cleans it so, and
    # does not count it as a record without a site (it did, while using the config's)
    from scrubber.corpus.jsonl import clean_jsonl

    out = io.BytesIO()
    stats = clean_jsonl([io.BytesIO(json.dumps({"text": page(0)}).encode() + b"\n")], out, cfg)
    assert json.loads(out.getvalue())["text"] == want and stats.no_site == 0
    # a document's own site still wins
    other = {"url": "https://elsewhere.example/0"}
    assert BatchCleaner(config=cfg)({"text": [page(0)], **{k: [v] for k, v in other.items()}})[
        "text"] == [scrubber.clean(page(0), CFG)]
    out = step.run(iter([Document(text=page(0), id="1", metadata=dict(other))]))
    assert [d.text for d in out] == [scrubber.clean(page(0), CFG)]


def test_datatrove_profile_counter_refuses_a_key_that_is_not_a_string(tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    from scrubber.integrations.datatrove import ProfileCounter

    # (url_key=3 found no site in any document: every page went uncounted, as no_site)
    for kw in ({"url_key": 3}, {"site_key": ["site"]}, {"url_key": ""}):
        with pytest.raises(TypeError, match=rf"ProfileCounter: {next(iter(kw))} .*key"):
            ProfileCounter(str(tmp_path / "counts"), **kw)  # type: ignore[arg-type]
    ProfileCounter(str(tmp_path / "counts"), url_key=None, site_key="domain")


def test_datatrove_profile_counts_of_an_earlier_run_with_more_tasks_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ProfileCounter writes <rank>.npz: a second run with fewer tasks into the same folder
    # left the first run's higher ranks there, and loading the folder merged them too (their
    # pages counted twice). Each file now names its task and run size, and a folder that
    # is not one whole run is refused by every reader of it
    pytest.importorskip("datatrove")
    pytest.importorskip("orjson")
    import numpy as np
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader

    from scrubber.cli import main
    from scrubber.integrations.datatrove import (
        ProfileCounter,
        ProfileMerger,
        ScrubberFormatter,
        load_profile,
    )

    write_shards(tmp_path / "raw", records(16))
    counts = tmp_path / "counts"

    def count(tasks: int) -> None:
        LocalPipelineExecutor(
            pipeline=[JsonlReader(str(tmp_path / "raw")), ProfileCounter(str(counts))],
            tasks=tasks, workers=1, logging_dir=str(tmp_path / f"logs-{tasks}"),
        ).run()

    count(4)
    whole = load_profile(str(counts))
    assert whole.pages == 16
    count(2)
    assert sorted(f.name for f in counts.glob("*.npz")) == [f"0000{i}.npz" for i in range(4)]
    want = (f"partial counts of more than one run in {counts}: 2 of a run of 2 tasks "
            "(00000.npz, 00001.npz); 2 of a run of 4 tasks (00002.npz, 00003.npz)")
    with pytest.raises(ValueError) as e:
        load_profile(str(counts))
    assert str(e.value).startswith(want)
    with pytest.raises(ValueError, match="more than one run"):
        ScrubberFormatter(profile=str(counts), use_model=False)._resolved()
    with pytest.raises(ValueError, match="more than one run"):
        list(ProfileMerger(str(counts), str(tmp_path / "merged")).run(None))
    assert main(["profile", "show", str(counts)]) == 1
    assert want in capsys.readouterr().err
    # the stale files removed, the run's own files merge to its 16 pages
    for stale in ("00002.npz", "00003.npz"):
        (counts / stale).unlink()
    prof = load_profile(str(counts))
    assert prof.pages == 16
    assert np.array_equal(prof.keys, whole.keys) and np.array_equal(prof.counts, whole.counts)
    # a task's file missing (a task failed, or has not run yet) is refused too
    (counts / "00001.npz").unlink()
    with pytest.raises(ValueError, match=r"partial counts of 1 of the 2 tasks of a run in "
                                         r".*: none of task 00001"):
        load_profile(str(counts))


def test_engines_check_their_rules_where_they_are_made(tmp_path: Path) -> None:
    # (an unknown rule to disable or a missing rule file failed every worker at its first
    # document, after the pipeline had been launched)
    from scrubber.integrations.hf import BatchCleaner

    engines = [BatchCleaner]
    if importlib.util.find_spec("datatrove") is not None:
        from scrubber.integrations.datatrove import ScrubberFormatter

        engines.append(ScrubberFormatter)
    for make in engines:
        with pytest.raises(ValueError, match="nosuch"):
            make(disabled_rules={"nosuch"})
        with pytest.raises(scrubber.RuleError, match=r"missing\.toml"):
            make(rule_files=(str(tmp_path / "missing.toml"),))


def test_datatrove_formatter_pickles_without_the_profile_it_loaded(tmp_path: Path) -> None:
    # (after .format() in the parent, the loaded profile went into every worker's pickle)
    pytest.importorskip("datatrove")
    import pickle

    from scrubber.corpus.profile import ProfileCounter
    from scrubber.integrations.datatrove import ScrubberFormatter

    c = ProfileCounter()
    for i in range(4):
        c.add("gazette.example", page(i))
    c.finish(min_pages=3).save(tmp_path / "p.npz")
    step = ScrubberFormatter(profile=str(tmp_path / "p.npz"), use_model=False,
                             site="gazette.example")
    before = len(pickle.dumps(step))
    out = step.format(page(0))
    assert "Gazette" not in out and step._cfg is not None
    copy = pickle.loads(pickle.dumps(step))
    assert len(pickle.dumps(step)) == before and copy._cfg is None
    assert copy.format(page(0)) == out
