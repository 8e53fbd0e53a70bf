"""Throughput and memory of corpus builds, side by side with datatrove's C4QualityFilter.

    python -m scrubber.bench.throughput                       # the full table
    python -m scrubber.bench.throughput --docs 500 --rss-sizes 2000,10000   # quicker

The corpus is *whole-page* text: the cached ``html_text`` and ``inscriptis`` renders of every
page in ``../shared/data`` (``.cache/scrubber/renders/<set>/<renderer>@<version>.jsonl.gz``,
built by ``python -m scrubber.train.build_dataset``), in a fixed order, replicated as needed
to reach the document counts asked for. Only the cache is needed (the data root gives the
pages' URLs when present); the table's header says where the documents came from. Skips
cleanly (exit 0) when the renders are absent; an unknown set or renderer name, or a count
below 1, is a usage error (exit 2).

Rows:

* ``scrubber clean() text mode``: :func:`scrubber.clean` in this process over ``--docs``
  documents; docs/s per core is documents / CPU seconds of this process (robust to other
  load on the machine), wall docs/s is also shown. ``settle=1``: the same with one pass
  of the decision path (``--settle 1``), the speed knob for corpus builds.
* ``datatrove C4QualityFilter``: ``C4QualityFilter().filter(doc)`` on the same documents, in
  this process, with its default settings (English sentences are counted with datatrove's
  default tokenizer, spaCy's ``sentencizer``); when spaCy is missing, the row is run with an
  untrained NLTK Punkt sentence splitter instead (said so in the row), and a second row without
  sentence counting (``min_num_sentences=-1``) gives C4's floor.
* ``scrubber --jsonl -j N``: the CLI as a subprocess on a JSONL file of the documents; wall
  docs/s (the speed-up of ``-j 2`` over ``-j 1`` is the scaling) and CPU seconds of the process
  tree.
* ``peak RSS``: ``scrubber --jsonl`` over corpora of ``--rss-sizes`` documents; the peak of the
  summed resident memory of the process tree, sampled every 50 ms from ``/proc``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Row", "load_documents", "main", "measure_cli", "measure_inprocess", "measure_starts",
           "write_corpus"]

WHOLE_PAGE = ("html_text", "inscriptis")
"""Renderers whose output is the whole page as text (not an extractor's article guess)."""


@dataclass(slots=True)
class Row:
    """One line of the table."""

    name: str
    docs: int
    wall: float
    cpu: float
    mbytes: float
    rss_mb: float | None = None
    note: str = ""

    @property
    def per_core(self) -> float:
        return self.docs / self.cpu if self.cpu > 0 else 0.0

    @property
    def per_wall(self) -> float:
        return self.docs / self.wall if self.wall > 0 else 0.0


def load_documents(renderers: Sequence[str] = WHOLE_PAGE,
                   sets: Sequence[str] | None = None) -> list[dict[str, str]]:
    """``{"id", "url", "text"}`` for every non-empty cached render (sorted, deterministic);
    ``[]`` when the cache or the data is absent."""
    try:
        from ..train.cache import load_renders
        from ..train.data import ALL_SETS, data_root, load_meta
    except ImportError:  # pragma: no cover - the train package is part of scrubber
        return []
    root = data_root()
    docs: list[dict[str, str]] = []
    for s in sets or ALL_SETS:
        urls: dict[str, str] = {}
        if root is not None and (root / s / "meta.jsonl").is_file():
            for m in load_meta(s, root):
                url = m.get("url") or (f"https://{m['domain']}/" if m.get("domain") else "")
                urls[str(m["id"])] = str(url or "")
        for r in renderers:
            try:
                recs = load_renders(s, r)
            except Exception:
                continue
            for pid in sorted(recs):
                text = recs[pid].get("text") or ""
                if text.strip():
                    docs.append({"id": f"{s}/{r}/{pid}", "url": urls.get(pid, ""), "text": text})
    return docs


def _source() -> str:
    """Where :func:`load_documents` read from: the render cache always; the data root only
    for the pages' URLs, so the benchmark runs without it (the URLs are then empty)."""
    from ..train.cache import cache_root
    from ..train.data import data_root

    root = data_root()
    urls = f"URLs from {root}" if root is not None else "no data root, so no URLs"
    return f"the render cache {cache_root() / 'renders'} ({urls})"


def cycle(docs: Sequence[dict[str, str]], n: int) -> Iterator[tuple[int, dict[str, str]]]:
    for i in range(n):
        yield i, docs[i % len(docs)]


def write_corpus(path: Path, docs: Sequence[dict[str, str]], n: int) -> int:
    """Write ``n`` JSONL records (the documents replicated in order); returns bytes written."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, d in cycle(docs, n):
            fh.write(json.dumps({"id": f"{i}:{d['id']}", "url": d["url"], "text": d["text"]},
                                ensure_ascii=False) + "\n")
    return path.stat().st_size


def measure_inprocess(name: str, fn: Any, texts: Sequence[str], note: str = "") -> Row:
    """Time ``fn(text)`` over ``texts`` in this process (CPU and wall)."""
    if texts:
        fn(texts[0])  # warm up: rule packs, model, tokenizers
    c0, w0 = time.process_time(), time.perf_counter()
    for t in texts:
        fn(t)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    mb = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    return Row(name, len(texts), wall, cpu, mb, note=note)


def _tree_rss_kb(pid: int) -> int:
    """Summed VmRSS (kB) of ``pid`` and its descendants, from /proc (0 when gone)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo += [int(x) for x in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def measure_cli(name: str, corpus: Path, docs: int, args: Sequence[str], note: str = "") -> Row:
    """Run ``python -m scrubber --jsonl ARGS -o OUT CORPUS``; wall, CPU of the process tree,
    peak summed RSS."""
    out = corpus.with_suffix(".out.jsonl")
    cmd = [sys.executable, "-m", "scrubber", "--jsonl", *args, "-o", str(out), str(corpus)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    out.unlink(missing_ok=True)
    return Row(name, docs, wall, cpu, corpus.stat().st_size / 1e6, peak[0] / 1024, note)


def measure_starts(text: str, n: int, workdir: str | None = None) -> Row:
    """``python -m scrubber < page`` ``n`` times, one process each (the way a shell loop
    over files runs it): the start-up cost (imports, rules, model) is in every document."""
    data = text.encode("utf-8")
    cmd = [sys.executable, "-m", "scrubber"]
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        page = Path(tmp) / "page.txt"
        page.write_bytes(data)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        for _ in range(n):
            with page.open("rb") as f:
                proc = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"{shlex.join(cmd)} < page failed ({proc.returncode}): "
                                   f"{proc.stderr.decode()[-2000:]}")
        wall = time.perf_counter() - w0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Row("scrubber < page, a process per page", n, wall, cpu, len(data) * n / 1e6,
               note=f"start-up included; the median document ({len(text):,} chars)")


def _c4_rows(texts: Sequence[str]) -> list[Row]:
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters.c4_filters import C4QualityFilter
    except ImportError:
        return [Row("datatrove C4QualityFilter", 0, 0, 0, 0, note="datatrove not installed")]
    note = "default: spaCy sentencizer"
    lang: Any = None
    try:
        import spacy  # noqa: F401
    except ImportError:
        try:
            from datatrove.utils.word_tokenizers import WordTokenizer
            from nltk.tokenize.punkt import PunktSentenceTokenizer
        except ImportError:
            return [Row("datatrove C4QualityFilter", 0, 0, 0, 0,
                        note="needs spaCy (datatrove's English sentence splitter) or nltk")]
        punkt = PunktSentenceTokenizer()

        class _Punkt(WordTokenizer):
            def word_tokenize(self, text: str) -> list[str]:
                return text.split()

            def sent_tokenize(self, text: str) -> list[str]:
                return punkt.tokenize(text)

            def span_tokenize(self, text: str) -> list[tuple[int, int]]:
                return list(punkt.span_tokenize(text))

        lang = _Punkt("en")
        note = "spaCy missing: untrained NLTK Punkt sentences"
    rows = []
    full = C4QualityFilter() if lang is None else C4QualityFilter(language=lang)
    rows.append(measure_inprocess(
        "datatrove C4QualityFilter", lambda t: full.filter(Document(text=t, id="x")), texts, note))
    floor = C4QualityFilter(min_num_sentences=-1)
    rows.append(measure_inprocess(
        "datatrove C4QualityFilter, no sentence count",
        lambda t: floor.filter(Document(text=t, id="x")), texts, "min_num_sentences=-1"))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    out = ["| run | docs | MB | CPU s | wall s | docs/s per core (CPU) | docs/s (wall) | "
           "peak RSS MB | note |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        rss = f"{r.rss_mb:.0f}" if r.rss_mb is not None else ""
        out.append(f"| {r.name} | {r.docs:,} | {r.mbytes:.1f} | {r.cpu:.1f} | {r.wall:.1f} | "
                   f"{r.per_core:,.0f} | {r.per_wall:,.0f} | {rss} | {r.note} |")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    from ..train.options import at_least, int_list, renderer_names, set_names

    p = argparse.ArgumentParser(prog="python -m scrubber.bench.throughput",
                                description="Corpus throughput and memory (see module doc).")
    p.add_argument("--docs", type=at_least(1), default=1000,
                   help="documents per speed row (at least 1)")
    p.add_argument("--renderers", default=",".join(WHOLE_PAGE),
                   help="comma-separated renderers whose cached renders are the corpus")
    p.add_argument("--sets", default=None, help="comma-separated sets (default: all)")
    p.add_argument("--jobs", type=int_list(1), default="1,2",
                   help="-j values for the CLI rows, each at least 1 ('' to skip)")
    p.add_argument("--rss-sizes", type=int_list(1), default="10000,100000",
                   help="corpus sizes for the peak-RSS rows, each at least 1 ('' to skip)")
    p.add_argument("--rss-args", default="-j 1",
                   help="scrubber arguments for the RSS rows (e.g. '-j 2 --no-model')")
    p.add_argument("--rss-light", action="store_true",
                   help="RSS rows with --no-model and every rule family disabled: the streaming "
                        "layer alone, fast enough for 100k documents")
    p.add_argument("--cli-args", default="", help="extra scrubber arguments for every CLI row")
    p.add_argument("--starts", type=at_least(0), default=5,
                   help="processes for the a-process-per-page row (0 to skip)")
    p.add_argument("--no-c4", action="store_true", help="skip the datatrove rows")
    p.add_argument("--workdir", default=None, help="where the JSONL corpora go (default: tmp)")
    args = p.parse_args(argv)
    renderers = renderer_names(p, args.renderers, WHOLE_PAGE)
    sets = set_names(p, args.sets) if args.sets else None
    # (checked before the rows: a bad one stopped the run after the in-process rows, with a
    # traceback, and their table was lost)
    if args.workdir is not None and not Path(args.workdir).is_dir():
        p.error(f"--workdir {args.workdir}: not a directory")
    for name in ("cli_args", "rss_args"):
        value = getattr(args, name)
        try:
            words = shlex.split(value)
        except ValueError as exc:
            p.error(f"--{name.replace('_', '-')} {value!r}: {exc}")
        if words:
            from scrubber.cli import build_parser

            try:  # (the CLI's own parser: an unknown option or a bad -j is a usage error)
                with contextlib.redirect_stderr(io.StringIO()) as said:
                    parsed = build_parser().parse_args(["--jsonl", *words])
            except SystemExit:
                last = said.getvalue().strip().splitlines()[-1:] or ["bad arguments"]
                p.error(f"--{name.replace('_', '-')} {value!r}: {last[0]}")
            if parsed.jobs < 1:
                p.error(f"--{name.replace('_', '-')} {value!r}: -j must be >= 1")

    docs = load_documents(renderers, sets)
    if not docs:
        print("no cached whole-page renders (run python -m scrubber.train.build_dataset); "
              "skipping", file=sys.stderr)
        return 0
    import scrubber

    texts = [d["text"] for _, d in cycle(docs, args.docs)]
    avg = sum(len(t) for t in texts) / len(texts)
    print(f"corpus: {len(docs)} distinct whole-page documents ({','.join(renderers)}), "
          f"mean {avg:,.0f} chars; speed rows use {len(texts)}", file=sys.stderr)
    scrubber.prepare()  # the rules' document scans too, not only what one page builds
    rows: list[Row] = [measure_inprocess("scrubber clean() text mode", scrubber.clean, texts)]
    print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    one_pass = scrubber.Config(settle=1)  # (--settle 1: one pass, no settling)
    rows.append(measure_inprocess("scrubber clean() text mode, settle=1",
                                  lambda t: scrubber.clean(t, one_pass), texts))
    print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    if not args.no_c4:
        rows += _c4_rows(texts)
        print("\n".join(format_table(rows).splitlines()[-2:]), file=sys.stderr)
    if args.starts:
        median = sorted(texts, key=len)[len(texts) // 2]
        rows.append(measure_starts(median, args.starts, args.workdir))
        print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    extra = shlex.split(args.cli_args)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        corpus = Path(tmp) / f"corpus-{args.docs}.jsonl"
        write_corpus(corpus, docs, args.docs)
        for j in args.jobs:
            rows.append(measure_cli(f"scrubber --jsonl -j {j}", corpus, args.docs,
                                    ["-j", str(j), *extra]))
            print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
        corpus.unlink()
        for n in args.rss_sizes:
            path = Path(tmp) / f"corpus-{n}.jsonl"
            write_corpus(path, docs, n)
            rss_args = shlex.split(args.rss_args) + extra
            if args.rss_light:
                from ..rules import builtin_rules

                rss_args.append("--no-model")
                for fam in sorted({r.family for r in builtin_rules()}):
                    rss_args += ["--disable", fam]
            rows.append(measure_cli(f"peak RSS, {n:,} docs", path, n, rss_args,
                                    note=f"scrubber --jsonl {shlex.join(rss_args)}"))
            print(format_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
            path.unlink()
    print(f"scrubber {scrubber.__version__}, {scrubber.build()}; {len(texts)} documents "
          f"from {_source()}\n")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
