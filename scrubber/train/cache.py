"""Build, cache and read the labelled line dataset (every page × every renderer).

    >>> from scrubber.train.cache import build, iter_records, dataset_hash
    >>> build(sets=["cleaneval"], renderers=["html_text"], limit=5)     # doctest: +SKIP
    >>> for rec in iter_records("cleaneval", "html_text", split="train"):   # doctest: +SKIP
    ...     rec["lines"], rec["labels"]
    >>> dataset_hash(renderers=["html_text"])                            # doctest: +SKIP

Cache root: ``$SCRUBBER_CACHE`` or ``<repo>/.cache/scrubber`` (gitignored). Layout::

    renders/<set>/<renderer>@<lib version>.jsonl.gz
        {"id", "text", "seconds", "status"}          rendered text, one record a page;
                                                     status: ok | empty | error | timeout
    dataset/<set>/<renderer>@<lib version>+<LABEL_VERSION>.jsonl.gz
        {"set", "id", "site", "split", "renderer", "page_type", "lang",
         "lines": [str], "labels": [1|0|-1], "scores": [float], "gold_words": int}

Both are gzip JSON Lines sorted by page id. A file's name is its version key: the renderer's
library version and the labeller version (:data:`scrubber.train.label.LABEL_VERSION`), so a
library upgrade or a labelling change starts a new file while old ones stay valid for their
versions. Rendering is cached separately from labelling, so changing the labeller re-labels in
seconds without re-rendering. Pages are looked up by id: re-runs only compute what is missing
(the shared data is treated as immutable; use ``force=True`` after changing it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrubber.bench.metrics import word_tokens
from scrubber.train.data import (
    ALL_SETS,
    TRAINABLE,
    available_sets,
    iter_pages,
    load_html,
    repo_root,
)
from scrubber.train.label import LABEL_VERSION, label_lines, split_lines
from scrubber.train.render import (
    STATS,
    RenderStats,
    available_renderers,
    render,
    renderer_version,
)

__all__ = [
    "CACHE_ENV",
    "DATASET_FORMAT",
    "BuildStats",
    "build",
    "cache_root",
    "dataset_hash",
    "dataset_path",
    "iter_records",
    "load_renders",
    "render_path",
]

CACHE_ENV = "SCRUBBER_CACHE"
"""Environment variable overriding the cache root."""

DATASET_FORMAT = "ds1"
"""Version of the record layout; part of every dataset file name."""

_SAVE_SECONDS = 120.0  # seconds between checkpoint writes during a build


def cache_root(cache_dir: Path | str | None = None) -> Path:
    """The cache root: ``cache_dir``, else ``$SCRUBBER_CACHE``, else ``<repo>/.cache/scrubber``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else repo_root() / ".cache" / "scrubber"


def render_path(set_name: str, renderer: str, cache_dir: Path | str | None = None) -> Path:
    """Where the rendered texts of one set × renderer are cached."""
    tag = f"{renderer}@{renderer_version(renderer)}"
    return cache_root(cache_dir) / "renders" / set_name / f"{tag}.jsonl.gz"


def dataset_path(set_name: str, renderer: str, cache_dir: Path | str | None = None) -> Path:
    """Where the labelled records of one set × renderer are cached."""
    tag = f"{renderer}@{renderer_version(renderer)}+{LABEL_VERSION}+{DATASET_FORMAT}"
    return cache_root(cache_dir) / "dataset" / set_name / f"{tag}.jsonl.gz"


def read_jsonl_gz(path: Path) -> dict[str, dict[str, Any]]:
    """A gzip JSON Lines cache file as id -> record (empty when the file is missing)."""
    if not path.is_file():
        return {}
    out: dict[str, dict[str, Any]] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    out[str(rec["id"])] = rec
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        # (a truncated or damaged file was an EOFError or BadGzipFile traceback naming
        # no file)
        raise CacheError(f"cache file {path} is damaged ({type(exc).__name__}: {exc}); "
                         "delete it to build it again") from exc
    return out


class CacheError(RuntimeError):
    """A cache file that cannot be read (truncated, not gzip, not JSON Lines of records)."""


def write_jsonl_gz(path: Path, records: Mapping[str, Mapping[str, Any]]) -> None:
    """Write records sorted by id, reproducibly (gzip mtime 0), atomically (temp + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    # mtime=0 keeps the gzip bytes reproducible
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as gz,
    ):
        for key in sorted(records):
            line = json.dumps(records[key], ensure_ascii=False, sort_keys=True) + "\n"
            gz.write(line.encode("utf-8"))
    os.replace(tmp, path)


def load_renders(
    set_name: str, renderer: str, cache_dir: Path | str | None = None
) -> dict[str, dict[str, Any]]:
    """Cached rendered texts of one set × renderer: id -> {"id", "text", "seconds", "status"}."""
    return read_jsonl_gz(render_path(set_name, renderer, cache_dir))


def iter_records(
    set_name: str,
    renderer: str,
    *,
    split: str | Iterable[str] | None = None,
    cache_dir: Path | str | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the cached labelled records of one set × renderer, sorted by id.

    Raises:
        FileNotFoundError: that set × renderer has not been built (run ``build_dataset``).
    """
    path = dataset_path(set_name, renderer, cache_dir)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} missing: run python -m scrubber.train.build_dataset "
            f"--sets {set_name} --renderers {renderer}"
        )
    wanted = {split} if isinstance(split, str) else (set(split) if split else None)
    records = read_jsonl_gz(path)
    for key in sorted(records):
        rec = records[key]
        if wanted is None or rec["split"] in wanted:
            yield rec


def dataset_hash(
    sets: Iterable[str] = TRAINABLE,
    renderers: Iterable[str] | None = None,
    *,
    split: str | Iterable[str] | None = None,
    cache_dir: Path | str | None = None,
) -> str:
    """SHA-256 "training data hash" over cached labelled records, for the model card.

    Covers, in sorted set / renderer / id order, each file's version tag and every record as
    canonical JSON (sorted keys). Defaults: the :data:`TRAINABLE` sets, every renderer that has
    a dataset file at the current versions, all splits (pass ``split="train"`` to hash only the
    training split). Sets that were never built are skipped.

    Raises:
        FileNotFoundError: an explicitly requested renderer has no dataset file for a set.
    """
    h = hashlib.sha256()
    h.update(f"scrubber-dataset|{DATASET_FORMAT}|{LABEL_VERSION}\n".encode())
    wanted_renderers = sorted(renderers) if renderers is not None else None
    for set_name in sorted(sets):
        if not (cache_root(cache_dir) / "dataset" / set_name).is_dir():
            continue  # set never built (e.g. absent from the data root)
        names = wanted_renderers
        if names is None:
            names = [
                r
                for r in sorted(available_renderers())
                if dataset_path(set_name, r, cache_dir).is_file()
            ]
        for renderer in names:
            path = dataset_path(set_name, renderer, cache_dir)
            h.update(f"#{set_name}/{path.name}\n".encode())
            for rec in iter_records(set_name, renderer, split=split, cache_dir=cache_dir):
                h.update(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8"))
                h.update(b"\n")
    return h.hexdigest()


@dataclass(slots=True)
class BuildStats:
    """What a :func:`build` did, per ``(set, renderer)``."""

    pages: dict[tuple[str, str], int] = field(default_factory=dict)
    rendered: dict[tuple[str, str], int] = field(default_factory=dict)
    labelled: dict[tuple[str, str], int] = field(default_factory=dict)
    failures: dict[tuple[str, str], int] = field(default_factory=dict)
    render_seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    wall_seconds: float = 0.0


def progress_step(total: int, desc: str, counter: bool = False) -> Callable[[int], None] | None:
    """A step callback for ``total`` pages on stderr, ``None`` for no pages: a tqdm bar on a
    terminal (without tqdm: a counter rewritten in place if ``counter``, else
    :func:`progress_lines`), else (a log file) :func:`progress_lines`."""
    if total <= 0:
        return None
    if not sys.stderr.isatty():
        return progress_lines(total, desc)
    try:
        from tqdm import tqdm
    except ImportError:
        if not counter:
            return progress_lines(total, desc)
        state = {"n": 0}

        def _plain(n: int) -> None:
            state["n"] += n
            end = "\n" if state["n"] >= total else ""
            print(f"\r  {desc}: {state['n']}/{total}", end=end, file=sys.stderr, flush=True)

        return _plain
    bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False)

    def _step(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return _step


def progress_lines(total: int, desc: str, every: int = 200, seconds: float = 30.0
                   ) -> Callable[[int], None]:
    """A step callback for a log file: a plain line on stderr (``  desc: done/total pages,
    12s``) each time another ``every`` pages are done or ``seconds`` have passed since the
    last line, and at the end."""
    t0 = time.perf_counter()
    state = {"done": 0, "shown": 0, "at": t0}

    def _log(n: int) -> None:
        state["done"] += n
        done, now = state["done"], time.perf_counter()
        if (done // every > state["shown"] // every or now - state["at"] >= seconds
                or done >= total):
            state["shown"], state["at"] = done, now
            print(f"  {desc}: {done}/{total} pages, {now - t0:.0f}s", file=sys.stderr,
                  flush=True)

    return _log


def build(
    sets: Iterable[str] | None = None,
    renderers: Iterable[str] | None = None,
    *,
    limit: int | None = None,
    force: bool = False,
    timeout: float | None = 60.0,
    cache_dir: Path | str | None = None,
    data_dir: Path | str | None = None,
    progress: bool = True,
) -> BuildStats:
    """Render and label every page of ``sets`` with every renderer, caching the results.

    Args:
        sets: set names (default: every set present under the data root).
        renderers: renderer names (default: :func:`available_renderers`).
        limit: only the first ``limit`` pages (sorted by id) of each set.
        force: re-render and re-label the pages asked for (the cache's other pages stay).
            A render that timed out is rendered again by every build.
        timeout: seconds per page per renderer (``None``: no limit).
        cache_dir: cache root (default :func:`cache_root`).
        data_dir: data root (default :func:`scrubber.train.data.data_root`).
        progress: report progress on stderr.

    Returns:
        :class:`BuildStats`. Pages, renderers and records are processed in sorted order and
        nothing is random, so two builds of the same data and versions give identical files.
    """
    t0 = time.perf_counter()
    set_names = list(sets) if sets is not None else available_sets(data_dir)
    for s in set_names:
        if s not in ALL_SETS:
            raise ValueError(f"unknown set {s!r}; known: {', '.join(ALL_SETS)}")
    names = list(renderers) if renderers is not None else available_renderers()
    stats = BuildStats()
    for set_name in set_names:
        pages = list(iter_pages(set_name, limit=limit, load_html=False, root=data_dir))
        renders = {r: read_jsonl_gz(render_path(set_name, r, cache_dir)) for r in names}
        datasets = {r: read_jsonl_gz(dataset_path(set_name, r, cache_dir)) for r in names}
        for r in names:
            # again: with force, the pages asked for (--force --limit 3 once wrote those 3
            # over the whole file); a render that timed out, always (it was cached for good,
            # and a busy machine's timeout then stood in the training data)
            again = ({p.id for p in pages} if force else
                     {i for i, rec in renders[r].items() if rec.get("status") == "timeout"})
            for i in again:
                renders[r].pop(i, None)
                datasets[r].pop(i, None)
        todo = [p for p in pages if any(p.id not in datasets[r] for r in names)]
        step = progress_step(len(todo), set_name) if progress else None
        dirty: set[tuple[str, str]] = set()  # ("render" | "dataset", renderer) to write
        try:
            _build_set(set_name, todo, names, renders, datasets, stats, dirty, timeout,
                       data_dir, step, cache_dir)
        finally:
            # (an error or Ctrl-C lost up to two minutes of renders: what is done is kept)
            if dirty:
                _save(set_name, dirty, renders, datasets, cache_dir)
        ids = {p.id for p in pages}
        for r in names:
            key = (set_name, r)
            stats.pages[key] = len(pages)
            recs = [renders[r][i] for i in ids if i in renders[r]]
            stats.failures[key] = sum(1 for x in recs if x.get("status") in ("error", "timeout"))
            stats.render_seconds[key] = sum(float(x.get("seconds", 0.0)) for x in recs)
    stats.wall_seconds = time.perf_counter() - t0
    return stats


def _build_set(
    set_name: str, todo: list[Any], names: list[str],
    renders: dict[str, dict[str, dict[str, Any]]],
    datasets: dict[str, dict[str, dict[str, Any]]], stats: BuildStats,
    dirty: set[tuple[str, str]], timeout: float | None, data_dir: Path | str | None,
    step: Any, cache_dir: Path | str | None,
) -> None:
    """Render and label ``todo`` (pages of one set) into ``renders`` / ``datasets``,
    marking what changed in ``dirty`` (in place), with a checkpoint every
    ``_SAVE_SECONDS``."""
    last_save = time.perf_counter()
    for page in todo:
        need_render = [r for r in names if page.id not in renders[r]]
        html = ""
        if need_render:
            html = load_html(set_name, page.id, page.meta.get("encoding"), data_dir)
        gold_words = len(word_tokens(page.gold))
        for r in names:
            key = (set_name, r)
            if r in need_render:
                before = STATS.get(r, RenderStats())
                failures, timeouts = before.failures, before.timeouts
                start = time.perf_counter()
                text = render(r, html, timeout=timeout)
                seconds = time.perf_counter() - start
                after = STATS[r]
                status = (
                    "timeout"
                    if after.timeouts > timeouts
                    else "error"
                    if after.failures > failures
                    else "ok"
                    if text.strip()
                    else "empty"
                )
                renders[r][page.id] = {
                    "id": page.id,
                    "text": text,
                    "seconds": round(seconds, 4),
                    "status": status,
                }
                stats.rendered[key] = stats.rendered.get(key, 0) + 1
                dirty.add(("render", r))
            if page.id in datasets[r]:
                continue
            text = renders[r][page.id]["text"]
            lines = split_lines(text)
            result = label_lines(lines, page.gold)
            datasets[r][page.id] = {
                "set": set_name,
                "id": page.id,
                "site": page.site,
                "split": page.split,
                "renderer": r,
                "page_type": page.page_type,
                "lang": page.lang,
                "lines": lines,
                "labels": result.labels,
                "scores": [round(x, 3) for x in result.scores],
                "gold_words": gold_words,
            }
            stats.labelled[key] = stats.labelled.get(key, 0) + 1
            dirty.add(("dataset", r))
        if step is not None:
            step(1)
        if dirty and time.perf_counter() - last_save > _SAVE_SECONDS:
            _save(set_name, dirty, renders, datasets, cache_dir)
            dirty.clear()
            last_save = time.perf_counter()


def _save(
    set_name: str,
    dirty: set[tuple[str, str]],
    renders: dict[str, dict[str, dict[str, Any]]],
    datasets: dict[str, dict[str, dict[str, Any]]],
    cache_dir: Path | str | None,
) -> None:
    """Write the cache files that changed (a checkpoint, or the end of a set)."""
    for kind, r in sorted(dirty):
        if kind == "render":
            write_jsonl_gz(render_path(set_name, r, cache_dir), renders[r])
        else:
            write_jsonl_gz(dataset_path(set_name, r, cache_dir), datasets[r])
