"""HTML track of the accuracy benchmark: HTML page in, main content out, scrubber vs peers.

    python -m scrubber.bench html                              # everything, ~15-30 min
    python -m scrubber.bench html --sets wcxb-dev --limit 40   # a quick pass
    python -m scrubber.bench html --systems scrubber trafilatura --no-speed

Writes ``<cache>/bench/html.md`` and ``html.json`` (``--out PATH`` to change; the cache root is
:func:`scrubber.train.cache.cache_root`, default ``.cache/scrubber``) and prints the markdown.

**Pages** are those of the text track (:func:`scrubber.bench.accuracy.eval_pages`): the held-out
*sites* of the trainable sets (wcxb-dev, cleaneval, readability; readability's synthetic pages
are never held out), dragnet's official test split and all of l3s-gn1. ``--limit N`` keeps the
first N of each set by id. Every system sees exactly the same pages of a set.

**Systems** (each one ``html -> text``; :data:`ADAPTERS`):

* ``scrubber``: :func:`scrubber.clean_html` (selectolax block front end, then the same rules /
  model / context path as text; the HTML model with DOM features when ``weights/html.npz`` is
  shipped, else the text model; the report says which).
* ``scrubber-nocomments``: :func:`scrubber.clean_html` with ``comments=False`` (reader-comment
  sections dropped: for article-only corpora; Dragnet's gold has no comments).
* ``scrubber-traf``: :func:`scrubber.clean` on trafilatura's high-recall text, i.e. the text
  track's ``trafilatura`` renderer (:mod:`scrubber.train.render`: ``trafilatura.extract(html,
  favor_recall=True, include_comments=False)``, plain text). The rendered texts are read from
  the render cache when present (:func:`scrubber.train.cache.load_renders`), else rendered now.
* ``trafilatura``: ``trafilatura.extract(html)`` with default settings (the text track's
  ``trafilatura-html`` reference), read from its cache
  (:func:`scrubber.bench.accuracy.reference_path`) when present, else run now. The caches are
  only read, never written.
* ``resiliparse``: ``extract_plain_text(HTMLTree.parse(html), main_content=True)`` (resiliparse
  2.x ``resiliparse.extract.html2text``; other options at their defaults: formatting preserved,
  list bullets and alt texts on, links / form fields / noscript / comments off).
* ``readability``: readability-lxml ``Document(html).summary()`` converted to text by
  :func:`html_fragment_text`: an lxml walk that starts a new line at every block-level element
  and ``<br>``, joins inline text as is, collapses runs of whitespace and drops blank lines
  (lxml's ``text_content()`` would glue ``<p>a</p><p>b</p>`` into ``ab``).
* ``justext``: jusText 3 (default parameters) on the HTML; stoplist of the page language, from
  the meta ``lang`` else the ``<html lang>`` attribute, mapped by
  :data:`scrubber.bench.accuracy.JUSTEXT_LANGUAGES`, English when unknown; non-boilerplate
  paragraphs joined with newlines.
* ``boilerpy3``: ``ArticleExtractor().get_content(html)``.

Every call is guarded: an exception or a time-out (:data:`PEER_TIMEOUT` seconds, SIGALRM)
gives an empty output, scored as such and counted per set × system in the report.

**Metrics** (:mod:`scrubber.bench.metrics`), against the set's gold text: WCXB word F1 (mean
over pages of per-page bag-of-words P/R/F1) and the article-extraction-benchmark's shingle F1
(4-word shingles, macro P/R, F1 of the two). Rows per set × system and per WCXB page type ×
system; "empty" counts pages where the system returned nothing.

**Speed and memory.** *In-run* documents/s: wall time (and CPU time) of the calls of a system
that ran live, over every page of the run, one process, pages interleaved across systems so all
see the same machine load; outputs read from a cache are not timed (for ``scrubber-traf`` on
cached renders, the ``clean()`` calls alone are timed and shown as ``scrubber-traf (clean
only)``). *Sample*: a fixed sample of :data:`SPEED_SAMPLE` pages (an equal share of each set,
evenly spaced by id, :func:`speed_sample`) is run by each system in its own fresh subprocess,
the full system every time (no cache), in :data:`SPEED_ROUNDS` rounds (every system once per
round, in turn, so a slow spell of the machine hits all of them; each system's median round
is reported, and every round's documents/s); the child loads the pages, warms the system up
on a tiny page (scrubber's systems also call :func:`scrubber.prepare`, which builds the rule
scans a process otherwise builds only after a few thousand lines), then times the loop (wall
and CPU) and reports ``ru_maxrss``: the peak memory of
that process. (Linux carries ``ru_maxrss`` over fork + exec, so the child is started by a shell that
forks it, not straight from the benchmark process, whose own RSS it would otherwise report;
``VmHWM`` from ``/proc/self/status`` is recorded in the JSON as a cross-check.) A baseline
child (``none``) loads the same pages and runs nothing; "over baseline" is the difference.
The machine's load average is recorded at the start and the end.

**Targets** (PASS / FAIL, SKIP when a needed row was not run):

1. WCXB held-out word F1: scrubber >= trafilatura + 0.05;
2. no WCXB page type where scrubber's word F1 is below trafilatura's;
3. scrubber documents/s >= 3 × trafilatura's on the same pages: the speed sample, wall time
   (the detail also gives the CPU-time ratio, steadier on a loaded machine).

**Front ends**: scrubber (selectolax) against scrubber-traf (trafilatura as front end), per set
and per WCXB page type: word and shingle F1, their differences, pages won by each (word F1
differing by more than :data:`TIE`), and the winner (a difference within :data:`TIE` is a tie).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scrubber.bench.accuracy import (
    DEFAULT_SETS,
    PageResult,
    Row,
    Target,
    _command,
    _target_lines,
    _time_limit,
    _Timeout,
    _write_report,
    aggregate,
    eval_pages,
    format_table,
    justext_language,
    model_name,
    reference_path,
)
from scrubber.bench.metrics import shingle_counts, word_prf

__all__ = [
    "ADAPTERS",
    "CACHED_SYSTEMS",
    "DEFAULT_SETS",
    "PEER_TIMEOUT",
    "SPEED_SAMPLE",
    "SYSTEMS",
    "TIE",
    "HtmlReport",
    "PeerError",
    "boilerpy3_text",
    "check_targets",
    "format_markdown",
    "front_end_rows",
    "guarded",
    "html_fragment_text",
    "html_lang",
    "justext_html",
    "main",
    "measure_child",
    "measure_system",
    "readability_text",
    "resiliparse_text",
    "run_benchmark",
    "scrubber_html",
    "scrubber_nocomments",
    "scrubber_traf",
    "speed_sample",
    "summarise",
    "trafilatura_default",
    "trafilatura_recall",
]

SYSTEMS: tuple[str, ...] = (
    "scrubber",
    "scrubber-blocks",
    "scrubber-nocomments",
    "scrubber-traf",
    "trafilatura",
    "resiliparse",
    "readability",
    "justext",
    "boilerpy3",
)
"""Every system, in report order."""

CACHED_SYSTEMS: frozenset[str] = frozenset({"scrubber-traf", "trafilatura"})
"""Systems whose outputs (or front-end texts) are read from the text track's caches."""

PEER_TIMEOUT = 60.0
"""Seconds one system may spend on one page (then its output is empty and counted)."""

SPEED_SAMPLE = 100
"""Pages in the speed / memory sample (split equally between the sets of the run)."""

SPEED_ROUNDS = 3
"""Rounds of the speed sample: every system once per round, in a fresh process each time;
each system's reported run is its median one by documents/s."""

TIE = 0.005
"""Front-end comparison: word F1 differences within this are a tie."""

TARGET_MARGIN = 0.05
"""Target 1: scrubber's WCXB word F1 must beat trafilatura's by this much."""

SPEED_FACTOR = 3.0
"""Target 3: scrubber must be this many times faster than trafilatura."""

_RENDERER = "html"  # the renderer column of the shared PageResult / Row types

_TINY_PAGE = (
    "<html lang='en'><head><title>Warm-up</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><h1>Warm-up page</h1><p>This short paragraph only loads the libraries and their "
    "models before anything is timed, so that one-off start-up costs are not counted.</p>"
    "</article></body></html>"
)


# --------------------------------------------------------------------------------------------
# Adapters (each: HTML str -> text; they may raise, :func:`guarded` catches)
# --------------------------------------------------------------------------------------------


class PeerError(RuntimeError):
    """A system failed on a page without raising (e.g. a renderer that swallows its errors)."""


def guarded(fn: Callable[[], str], timeout: float | None = PEER_TIMEOUT) -> tuple[str, str | None]:
    """Run ``fn()``; returns ``(text, None)``, or ``("", "<error>")`` on an exception or a
    time-out. Newlines are normalised to ``\\n``."""
    try:
        with _time_limit(timeout):
            out = fn()
    except _Timeout:
        return "", f"timeout after {timeout:g}s"
    except Exception as exc:  # one page's crash must not stop the benchmark
        cause = exc.__cause__ or exc.__context__
        why = f" (from {type(cause).__name__}: {cause})" if cause is not None else ""
        return "", f"{type(exc).__name__}: {exc}{why}"[:300]
    return (out or "").replace("\r\n", "\n").replace("\r", "\n"), None


def scrubber_html(html: str) -> str:
    """``scrubber``: :func:`scrubber.clean_html` as shipped (``front_end="auto"``: the
    selectolax blocks, and trafilatura's text only where the blocks render next to
    nothing)."""
    import scrubber

    return scrubber.clean_html(html)


def scrubber_blocks(html: str) -> str:
    """``scrubber-blocks``: :func:`scrubber.clean_html` with the selectolax block front end
    only (``scrubber-traf`` measures trafilatura as the front end)."""
    import scrubber

    return scrubber.clean_html(html, front_end="blocks")


def scrubber_nocomments(html: str) -> str:
    """``scrubber-nocomments``: :func:`scrubber.clean_html` with ``comments=False``."""
    import scrubber

    return scrubber.clean_html(html, comments=False)


def trafilatura_recall(html: str) -> str:
    """The text track's ``trafilatura`` renderer (favor_recall, no comments, plain text).

    Raises:
        PeerError: trafilatura raised (the renderer itself swallows it and returns ``""``).
    """
    from scrubber.train.render import STATS, render

    before = STATS.get("trafilatura")
    failures = before.failures if before is not None else 0
    text = render("trafilatura", html, timeout=None)  # the caller's guard times it out
    after = STATS["trafilatura"]
    if after.failures > failures:
        raise PeerError(f"trafilatura favor_recall: {after.last_error}")
    return text


def _clean_text(text: str) -> str:
    import scrubber

    return scrubber.clean(text)


def scrubber_traf(html: str) -> str:
    """``scrubber-traf``: :func:`scrubber.clean` on :func:`trafilatura_recall`'s text."""
    import scrubber

    return scrubber.clean(trafilatura_recall(html))


def trafilatura_default(html: str) -> str:
    """``trafilatura``: ``trafilatura.extract(html)``, default settings."""
    if not html.strip():
        return ""
    import trafilatura

    return trafilatura.extract(html) or ""


def resiliparse_text(html: str) -> str:
    """``resiliparse``: ``extract_plain_text(HTMLTree.parse(html), main_content=True)``."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(html), main_content=True)


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
        "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
        "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
"""Elements that start a new line in :func:`html_fragment_text` (cells too: one a line)."""

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment: one line per block-level element (and ``<br>``),
    inline text joined as rendered, whitespace runs collapsed, blank lines dropped.

        >>> html_fragment_text("<div><p>One <b>two</b></p><p>three</p>four<br>five</div>")
        'One two\\nthree\\nfour\\nfive'
    """
    if not fragment.strip():
        return ""
    import lxml.html
    from lxml import etree

    root = lxml.html.fromstring(fragment)
    parts: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else None  # comments, PIs: tag is a function
        name = tag.lower() if tag else ""
        if event == "start":
            if name in _SKIP_TAGS:
                skipping += 1
            if skipping:
                continue
            if name in _BLOCK_TAGS:
                parts.append("\n")
            if tag is not None and el.text:
                parts.append(el.text)
        else:
            if name in _SKIP_TAGS:
                skipping -= 1
            if skipping:
                continue
            if name in _BLOCK_TAGS:
                parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def readability_text(html: str) -> str:
    """``readability``: readability-lxml ``Document(html).summary()`` via
    :func:`html_fragment_text`."""
    from readability import Document

    return html_fragment_text(Document(html).summary())


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})(?:[-_][\w-]*)?", re.I)


def html_lang(html: str) -> str | None:
    """The ``<html lang>`` code of a page (``"pt"`` for ``lang="pt-BR"``), or None.

    >>> html_lang('<!doctype html><html class="x" lang="pt-BR"><body>')
    'pt'
    """
    m = _HTML_LANG.search(html, 0, 50_000)
    return m.group(1).lower() if m else None


def justext_html(html: str, lang: str | None = None) -> str:
    """``justext``: jusText (defaults) on the HTML; stoplist of ``lang``, else of the
    ``<html lang>`` attribute, else English."""
    import justext

    from scrubber.bench.accuracy import _stoplist

    name = justext_language(lang or html_lang(html))
    paragraphs = justext.justext(html, _stoplist(name))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


@cache
def _quiet_peers() -> None:
    """Silence peers' per-page log lines: their failures are counted in the report instead
    (boilerpy3 logs a warning per malformed page and a traceback per failed one)."""
    for name in ("readability", "readability.readability", "trafilatura"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("boilerpy3").setLevel(logging.CRITICAL)


def boilerpy3_text(html: str) -> str:
    """``boilerpy3``: ``ArticleExtractor().get_content(html)``."""
    from boilerpy3.extractors import ArticleExtractor

    _quiet_peers()
    return ArticleExtractor().get_content(html)


ADAPTERS: dict[str, Callable[[str, str | None], str]] = {
    "scrubber": lambda html, lang: scrubber_html(html),
    "scrubber-blocks": lambda html, lang: scrubber_blocks(html),
    "scrubber-nocomments": lambda html, lang: scrubber_nocomments(html),
    "scrubber-traf": lambda html, lang: scrubber_traf(html),
    "trafilatura": lambda html, lang: trafilatura_default(html),
    "resiliparse": lambda html, lang: resiliparse_text(html),
    "readability": lambda html, lang: readability_text(html),
    "justext": lambda html, lang: justext_html(html, lang),
    "boilerpy3": lambda html, lang: boilerpy3_text(html),
}
"""System name -> ``(html, lang) -> text`` (the full system, no cache)."""


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Clock:
    """Documents, wall seconds and CPU seconds of timed calls."""

    docs: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.docs,
            "seconds": round(self.wall, 3),
            "cpu_seconds": round(self.cpu, 3),
            "documents_per_second": round(self.docs / self.wall, 2) if self.wall > 0 else None,
            "cpu_documents_per_second": round(self.docs / self.cpu, 2) if self.cpu > 0 else None,
        }


@dataclass(slots=True)
class HtmlReport:
    """Everything one run produced (see :func:`run_benchmark`)."""

    sets: list[str]
    systems: list[str]
    limit: int | None
    results: list[PageResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    scope: dict[str, str] = field(default_factory=dict)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)
    last_error: dict[str, str] = field(default_factory=dict)
    cached: dict[str, dict[str, int]] = field(default_factory=dict)
    live: dict[str, _Clock] = field(default_factory=dict)
    sample: list[dict[str, Any]] = field(default_factory=list)
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)
    load: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0


def _scope(set_name: str) -> str:
    from scrubber.train.data import TRAINABLE

    if set_name in TRAINABLE:
        return "held-out sites"
    return "official test split" if set_name == "dragnet" else "all pages"


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _score(page: Any, system: str, predicted: str) -> PageResult:
    return PageResult(
        set=page.set,
        id=page.id,
        renderer=_RENDERER,
        system=system,
        word=word_prf(predicted, page.gold),
        shingle=shingle_counts(predicted, page.gold),
        page_type=page.page_type,
        lang=page.lang,
        empty=not predicted.strip(),
    )


def speed_sample(pages_by_set: Mapping[str, Sequence[Any]], n: int = SPEED_SAMPLE) -> list[Any]:
    """A fixed sample of about ``n`` pages: an equal share of each set (the first sets get the
    remainder), evenly spaced over the set's pages in id order. Deterministic."""
    names = [s for s in pages_by_set if pages_by_set[s]]
    if not names or n <= 0:
        return []
    out: list[Any] = []
    for i, name in enumerate(names):
        share = n // len(names) + (1 if i < n % len(names) else 0)
        pages = list(pages_by_set[name])
        if share >= len(pages):
            out += pages
        else:
            out += [pages[(k * len(pages)) // share] for k in range(share)]
    return out


def _progress(message: str) -> None:
    print(f"[html-track {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_benchmark(
    sets: Sequence[str] = DEFAULT_SETS,
    systems: Sequence[str] = SYSTEMS,
    *,
    limit: int | None = None,
    sample_size: int = SPEED_SAMPLE,
    rounds: int = SPEED_ROUNDS,
    measure: bool = True,
    timeout: float | None = PEER_TIMEOUT,
    use_cache: bool = True,
    cache_dir: Path | str | None = None,
    progress: bool = True,
) -> HtmlReport:
    """Score ``systems`` on every set (module docstring), then measure speed and memory on the
    fixed sample in subprocesses (unless ``measure`` is False). Progress goes to stderr."""
    from scrubber.train.cache import load_renders, read_jsonl_gz
    from scrubber.train.data import available_sets

    t0 = time.perf_counter()
    report = HtmlReport(list(sets), list(systems), limit)
    report.load["start"] = _loadavg()
    present = set(available_sets())
    _quiet_peers()
    for system in systems:  # load libraries and models before anything is timed
        _, err = guarded(lambda s=system: ADAPTERS[s](_TINY_PAGE, "en"), timeout)
        if err:
            report.notes.append(f"{system}: the warm-up page failed ({err})")
    clocks = {s: _Clock() for s in systems}
    clean_only = _Clock()
    pages_by_set: dict[str, list[Any]] = {}
    pages: list[Any] = []
    for set_name in sets:
        if set_name not in present:
            report.notes.append(f"{set_name}: not in the data root, skipped")
            continue
        pages = eval_pages(set_name, limit, load_html=True)
        pages_by_set[set_name] = pages
        report.pages[set_name] = len(pages)
        report.scope[set_name] = _scope(set_name)
        traf_texts: dict[str, dict[str, Any]] = {}
        ref_texts: dict[str, dict[str, Any]] = {}
        if use_cache and "scrubber-traf" in systems:
            traf_texts = load_renders(set_name, "trafilatura", cache_dir)
        if use_cache and "trafilatura" in systems:
            ref_texts = read_jsonl_gz(reference_path(set_name, cache_dir))
        errors: dict[str, int] = defaultdict(int)
        cached: dict[str, int] = defaultdict(int)
        if progress:
            _progress(f"{set_name}: {len(pages)} pages × {len(systems)} systems")
        for done, page in enumerate(pages, 1):
            for system in systems:
                err: str | None = None
                if system == "trafilatura" and page.id in ref_texts:
                    predicted = str(ref_texts[page.id]["text"])
                    cached[system] += 1
                elif system == "scrubber-traf" and page.id in traf_texts:
                    rec = traf_texts[page.id]
                    if rec.get("status") in ("error", "timeout"):
                        err = f"cached favor_recall render: {rec.get('status')}"
                    text = str(rec["text"])
                    w, c = time.perf_counter(), time.process_time()
                    predicted, err2 = guarded(lambda t=text: _clean_text(t), timeout)
                    clean_only.wall += time.perf_counter() - w
                    clean_only.cpu += time.process_time() - c
                    clean_only.docs += 1
                    err = err or err2
                    cached[system] += 1
                else:
                    fn = ADAPTERS[system]
                    w, c = time.perf_counter(), time.process_time()
                    predicted, err = guarded(lambda f=fn, p=page: f(p.html, p.lang), timeout)
                    clock = clocks[system]
                    clock.wall += time.perf_counter() - w
                    clock.cpu += time.process_time() - c
                    clock.docs += 1
                if err:
                    errors[system] += 1
                    report.last_error[f"{set_name}/{system}"] = f"{page.id}: {err}"[:300]
                report.results.append(_score(page, system, predicted))
            if progress and (done % 100 == 0 or done == len(pages)):
                _progress(f"{set_name}: {done}/{len(pages)} pages, {time.perf_counter() - t0:.0f}s")
        report.errors[set_name] = dict(errors)
        report.cached[set_name] = dict(cached)
        for system, count in sorted(errors.items()):
            report.notes.append(
                f"{set_name}: {system} failed on {count} of {len(pages)} pages (scored as empty; "
                f"last: {report.last_error[f'{set_name}/{system}']})"
            )
        for system, count in sorted(cached.items()):
            if count < len(pages):
                report.notes.append(
                    f"{set_name}: {system} ran live on {len(pages) - count} of {len(pages)} pages "
                    "not in the cache"
                )
    report.live = {s: c for s, c in clocks.items() if c.docs}
    if clean_only.docs:
        report.live["scrubber-traf (clean only)"] = clean_only
    sample = speed_sample(pages_by_set, sample_size)
    report.sample = [
        {"set": p.set, "id": p.id, "encoding": p.meta.get("encoding"), "lang": p.lang}
        for p in sample
    ]
    del pages_by_set, sample, pages  # the page HTML is not needed any more
    if measure and report.sample:
        runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        rounds = max(rounds, 1)
        for r in range(rounds):
            for system in ["none", *systems]:
                if progress:
                    _progress(f"speed/memory sample, round {r + 1}/{rounds}: {system} "
                              f"({len(report.sample)} pages)")
                runs[system].append(measure_system(system, report.sample, timeout))
        report.measurements = {system: _median_run(ms) for system, ms in runs.items()}
    report.load["end"] = _loadavg()
    report.seconds = time.perf_counter() - t0
    return report


# --------------------------------------------------------------------------------------------
# Speed and memory in a subprocess
# --------------------------------------------------------------------------------------------


def _maxrss_mb() -> float:
    """This process's peak resident set size in MB (``ru_maxrss``: KB on Linux, B on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _vmhwm_mb() -> float | None:
    """Peak RSS of this process's own address space (Linux ``VmHWM``), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def measure_child(argv: Sequence[str]) -> int:
    """Entry point of a measuring subprocess: ``[system, pages.json, timeout]``.

    Loads the pages listed in ``pages.json`` (``[{"set", "id", "encoding", "lang"}]``), runs
    ``system`` once on a tiny page (imports, models), then on every page, and prints one JSON
    object: documents, wall and CPU seconds of the loop, errors, peak RSS (MB) after loading
    and at the end. ``system == "none"`` runs nothing (the baseline).
    """
    from scrubber.train.data import load_html

    system, pages_path, timeout_s = argv[0], argv[1], float(argv[2])
    timeout = timeout_s if timeout_s > 0 else None
    items = json.loads(Path(pages_path).read_text(encoding="utf-8"))
    pages = [(load_html(x["set"], x["id"], x.get("encoding")), x.get("lang")) for x in items]
    errors = 0
    wall = cpu = 0.0
    loaded_mb = _maxrss_mb()
    if system != "none":
        _quiet_peers()
        fn = ADAPTERS[system]
        guarded(lambda: fn(_TINY_PAGE, "en"), timeout)
        if system.startswith("scrubber"):
            # what the warm-up page does not reach: the rules' document scans, which a
            # process builds only once it has cleaned a few thousand lines
            import scrubber

            scrubber.prepare()
        loaded_mb = _maxrss_mb()
        w, c = time.perf_counter(), time.process_time()
        for html, lang in pages:
            _, err = guarded(lambda h=html, lg=lang: fn(h, lg), timeout)
            errors += err is not None
        wall, cpu = time.perf_counter() - w, time.process_time() - c
    hwm = _vmhwm_mb()
    out = {
        "system": system,
        "documents": len(pages) if system != "none" else 0,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "errors": errors,
        "loaded_mb": round(loaded_mb, 1),
        "ru_maxrss_mb": round(_maxrss_mb(), 1),
        "vmhwm_mb": round(hwm, 1) if hwm is not None else None,
    }
    print(json.dumps(out))
    return 0


_CHILD = (
    "import sys\n"
    "from scrubber.bench.html_track import measure_child\n"
    "sys.exit(measure_child(sys.argv[1:]))\n"
)


def _median_run(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A system's measurement over rounds: the run with the median documents/s (the lower
    median for an even count; a failed run is reported as is), with ``rounds``: every
    run's documents/s, in round order.

    >>> _median_run([{"documents_per_second": 3.0}, {"documents_per_second": 1.0},
    ...              {"documents_per_second": 2.0}])
    {'documents_per_second': 2.0, 'rounds': [3.0, 1.0, 2.0]}
    """
    failed = [m for m in runs if "error" in m]
    if failed:
        return dict(failed[0])
    rates = [m.get("documents_per_second") or 0.0 for m in runs]
    order = sorted(range(len(runs)), key=rates.__getitem__)
    out = dict(runs[order[(len(runs) - 1) // 2]])
    out["rounds"] = rates
    return out


def measure_system(
    system: str, sample: Sequence[Mapping[str, Any]], timeout: float | None = PEER_TIMEOUT
) -> dict[str, Any]:
    """Run :func:`measure_child` for ``system`` over ``sample`` in a fresh subprocess;
    returns its JSON result plus docs/s, or ``{"error": ...}``."""
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", prefix="scrubber-html-sample-", delete=False, encoding="utf-8"
    ) as fh:
        json.dump(list(sample), fh)
        path = fh.name
    limit = (timeout or PEER_TIMEOUT) * len(sample) + 300
    cmd = [sys.executable, "-c", _CHILD, system, path, str(timeout or 0)]
    # Linux keeps ru_maxrss across fork + exec: a child exec'd straight from this (large)
    # process would report this process's RSS as its own peak. A shell that forks the child
    # gives it a fresh count (`; exit $?` stops the shell from exec'ing it in place).
    trampoline = os.path.exists("/bin/sh") and sys.platform != "win32"
    if trampoline:
        cmd = ["/bin/sh", "-c", '"$@"; exit $?', "sh", *cmd]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"system": system, "error": f"subprocess timed out after {limit:.0f}s"}
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"system": system, "error": f"exit {proc.returncode}: {tail[0][:300]}"}
    out: dict[str, Any] = json.loads(lines[-1])
    peak = out["ru_maxrss_mb"]
    if not trampoline and out.get("vmhwm_mb") is not None:
        peak = out["vmhwm_mb"]  # ru_maxrss may carry this process's RSS over
    out["peak_mb"] = peak
    docs, wall, cpu = out["documents"], out["seconds"], out["cpu_seconds"]
    out["documents_per_second"] = round(docs / wall, 2) if docs and wall > 0 else None
    out["cpu_documents_per_second"] = round(docs / cpu, 2) if docs and cpu > 0 else None
    return out


# --------------------------------------------------------------------------------------------
# Summary, targets, front ends, formatting
# --------------------------------------------------------------------------------------------


def _row_dict(row: Row, empty: int, errors: int) -> dict[str, Any]:
    d = row.as_dict()
    d.pop("renderer", None)
    d["empty"] = empty
    d["errors"] = errors
    return d


def _rows(report: HtmlReport, group: str) -> list[dict[str, Any]]:
    rows = aggregate(report.results, group, system_order=SYSTEMS, renderer_order=(_RENDERER,))
    empty: dict[tuple[str, str], int] = defaultdict(int)
    for r in report.results:
        key = r.set if group == "set" else r.page_type
        if key and r.empty:
            empty[(key, r.system)] += 1
    out = []
    for row in rows:
        errs = report.errors.get(row.key, {}).get(row.system, 0) if group == "set" else 0
        out.append(_row_dict(row, empty[(row.key, row.system)], errs))
    return out


def front_end_rows(results: Sequence[PageResult], tie: float = TIE) -> list[dict[str, Any]]:
    """scrubber-blocks (selectolax) vs scrubber-traf per set and per WCXB page type
    (``wcxb:<type>``).

    Each row: scope, documents, both word and shingle F1, ``delta_word`` / ``delta_shingle``
    (selectolax minus trafilatura front end), pages won by each (word F1 differing by more
    than ``tie``), and ``winner``: ``"selectolax"``, ``"trafilatura"`` or ``"tie"``.
    """
    from scrubber.bench.metrics import aggregate_shingles, aggregate_words

    pairs: dict[str, dict[str, dict[str, PageResult]]] = defaultdict(lambda: defaultdict(dict))
    for r in results:
        if r.system not in ("scrubber-blocks", "scrubber-traf"):
            continue
        pairs[r.set][r.id][r.system] = r
        if r.page_type:
            pairs[f"{r.set}:{r.page_type}"][r.id][r.system] = r
    order = {s: i for i, s in enumerate(DEFAULT_SETS)}

    def sort_key(scope: str) -> tuple[int, int, str]:
        base, _, kind = scope.partition(":")
        return (order.get(base, len(order)), 1 if kind else 0, scope)

    out = []
    for scope in sorted(pairs, key=sort_key):
        both = [p for p in pairs[scope].values() if len(p) == 2]
        if not both:
            continue
        sel = [p["scrubber-blocks"] for p in both]
        trf = [p["scrubber-traf"] for p in both]
        sw, tw = aggregate_words(x.word for x in sel), aggregate_words(x.word for x in trf)
        ss = aggregate_shingles([x.shingle for x in sel])
        ts = aggregate_shingles([x.shingle for x in trf])
        delta = sw.f1 - tw.f1
        out.append(
            {
                "scope": scope,
                "documents": len(both),
                "selectolax_word_f1": round(sw.f1, 5),
                "trafilatura_word_f1": round(tw.f1, 5),
                "delta_word": round(delta, 5),
                "selectolax_shingle_f1": round(ss.f1, 5),
                "trafilatura_shingle_f1": round(ts.f1, 5),
                "delta_shingle": round(ss.f1 - ts.f1, 5),
                "selectolax_pages": sum(
                    1 for a, b in zip(sel, trf, strict=True) if a.word.f1 > b.word.f1 + tie
                ),
                "trafilatura_pages": sum(
                    1 for a, b in zip(sel, trf, strict=True) if b.word.f1 > a.word.f1 + tie
                ),
                "winner": "tie"
                if abs(delta) <= tie
                else ("selectolax" if delta > 0 else "trafilatura"),
            }
        )
    return out


def _speed_rows(report: HtmlReport) -> list[dict[str, Any]]:
    base = report.measurements.get("none", {})
    base_mb = base.get("peak_mb") if "error" not in base else None
    names = [*report.systems]
    if "scrubber-traf (clean only)" in report.live:
        names.insert(
            names.index("scrubber-traf") + 1 if "scrubber-traf" in names else 0,
            "scrubber-traf (clean only)",
        )
    out = []
    for name in names:
        live = report.live.get(name)
        m = report.measurements.get(name, {})
        peak = m.get("peak_mb")
        out.append(
            {
                "system": name,
                "live": live.as_dict() if live is not None else None,
                "sample": None
                if not m or "error" in m
                else {
                    k: m.get(k)
                    for k in (
                        "documents",
                        "seconds",
                        "cpu_seconds",
                        "documents_per_second",
                        "cpu_documents_per_second",
                        "errors",
                        "loaded_mb",
                        "ru_maxrss_mb",
                        "vmhwm_mb",
                        "peak_mb",
                        "rounds",
                    )
                },
                "sample_error": m.get("error"),
                "peak_mb": peak,
                "over_baseline_mb": round(peak - base_mb, 1)
                if peak is not None and base_mb is not None
                else None,
            }
        )
    return out


def check_targets(summary: Mapping[str, Any]) -> list[Target]:
    """The three targets (module docstring) against a :func:`summarise` document."""
    by_set = {(r["key"], r["system"]): r for r in summary["rows"]["set"]}
    by_type = {(r["key"], r["system"]): r for r in summary["rows"]["page_type"]}
    out: list[Target] = []

    name = f"WCXB held-out word F1: scrubber >= trafilatura + {TARGET_MARGIN:.2f}"
    sc, tr = by_set.get(("wcxb-dev", "scrubber")), by_set.get(("wcxb-dev", "trafilatura"))
    if sc is None or tr is None:
        out.append(Target(name, "SKIP", "not run"))
    else:
        a, b = sc["word_f1"], tr["word_f1"]
        ok = a >= b + TARGET_MARGIN
        out.append(Target(name, "PASS" if ok else "FAIL", f"{a:.4f} vs {b:.4f} ({a - b:+.4f})"))

    name = "WCXB held-out: no page type where scrubber's word F1 is below trafilatura's"
    types = sorted({k for k, _ in by_type})
    pairs = [
        (t, by_type[(t, "scrubber")]["word_f1"], by_type[(t, "trafilatura")]["word_f1"])
        for t in types
        if (t, "scrubber") in by_type and (t, "trafilatura") in by_type
    ]
    if not pairs:
        out.append(Target(name, "SKIP", "not run"))
    else:
        below = [t for t, a, b in pairs if a < b]
        detail = ", ".join(f"{t} {a - b:+.3f}" for t, a, b in pairs)
        status = "FAIL" if below else "PASS"
        if below:
            detail = f"below on {', '.join(below)}; all: {detail}"
        out.append(Target(name, status, detail))

    name = f"scrubber documents/s >= {SPEED_FACTOR:g} × trafilatura's (speed sample, wall time)"
    speed = {r["system"]: r for r in summary["speed"]}
    ss = (speed.get("scrubber") or {}).get("sample")
    ts = (speed.get("trafilatura") or {}).get("sample")
    if not ss or not ts or not ss.get("documents_per_second") or not ts.get("documents_per_second"):
        out.append(Target(name, "SKIP", "speed sample not measured"))
    else:
        a, b = ss["documents_per_second"], ts["documents_per_second"]
        ca, cb = ss.get("cpu_documents_per_second"), ts.get("cpu_documents_per_second")
        cpu = f"; CPU time: {ca:.1f} vs {cb:.1f} docs/s = {ca / cb:.2f}×" if ca and cb else ""
        ok = a >= SPEED_FACTOR * b
        detail = f"{a:.1f} vs {b:.1f} docs/s = {a / b:.2f}× on {ss['documents']} pages{cpu}"
        ra, rb = ss.get("rounds") or [], ts.get("rounds") or []
        if len(ra) > 1 and len(ra) == len(rb) and all(ra) and all(rb):
            detail = (f"median of {len(ra)} rounds: {detail}; per round: "
                      + ", ".join(f"{x / y:.2f}×" for x, y in zip(ra, rb, strict=True)))
        build = summary.get("versions", {}).get("scrubber_build")
        if build:
            detail += f" (scrubber {build})"
        out.append(Target(name, "PASS" if ok else "FAIL", detail))
    return out


def _versions() -> dict[str, Any]:
    from scrubber.bench.accuracy import run_versions

    out = run_versions((
        "scrubber", "selectolax", "trafilatura", "resiliparse", "readability-lxml", "jusText",
        "boilerpy3", "lxml",
    ))  # fmt: skip
    from importlib import resources

    models: dict[str, Any] = {}
    for kind in ("text", "html"):
        card = resources.files("scrubber") / "weights" / f"{kind}.json"
        npz = resources.files("scrubber") / "weights" / f"{kind}.npz"
        if card.is_file() and npz.is_file():
            try:
                data = json.loads(card.read_text(encoding="utf-8"))
            except ValueError:
                data = {}
            models[kind] = {
                k: data.get(k) for k in ("model", "layers", "threshold", "training_data_sha256")
            }
            # the later stages too: the HTML model's top-level "model" is its first stage's
            models[kind]["stages"] = [st.get("model", "logreg") for st in data.get("stages", ())]
    out["models"] = models
    return out


def summarise(report: HtmlReport, command: str = "") -> dict[str, Any]:
    """The JSON document of a run: settings, versions, rows (per set, per WCXB page type),
    speed, targets, front ends, notes, and per-page word / shingle F1 of every system."""
    rows = {g: _rows(report, g) for g in ("set", "page_type")}
    per_page: dict[str, dict[str, dict[str, tuple[float, float]]]] = defaultdict(dict)
    for r in report.results:
        per_page[r.set].setdefault(r.id, {})[r.system] = (
            round(r.word.f1, 4),
            round(r.shingle.f1, 4),
        )
    pages: dict[str, dict[str, Any]] = {}
    for set_name, by_id in per_page.items():
        ids = sorted(by_id)
        pages[set_name] = {
            "ids": ids,
            "word_f1": {s: [by_id[i].get(s, (None, None))[0] for i in ids] for s in report.systems},
            "shingle_f1": {
                s: [by_id[i].get(s, (None, None))[1] for i in ids] for s in report.systems
            },
        }
    versions = _versions()
    summary: dict[str, Any] = {
        "command": command,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(report.seconds, 1),
        "load_average": report.load,
        "cpus": os.cpu_count(),
        "settings": {
            "sets": report.sets,
            "systems": report.systems,
            "limit": report.limit,
            "pages": report.pages,
            "scope": report.scope,
            "cached": report.cached,
            "speed_sample": report.sample,
            "scrubber_model": "html" if "html" in versions["models"] else "text",
        },
        "versions": versions,
        "notes": report.notes,
        "rows": rows,
        "speed": _speed_rows(report),
        "front_ends": front_end_rows(report.results),
        "pages": pages,
    }
    summary["targets"] = [t.as_dict() for t in check_targets(summary)]
    return summary


_SYSTEM_NOTES: dict[str, str] = {
    "scrubber": "scrubber.clean_html(html) as shipped (front_end='auto'): selectolax blocks "
    "-> rules / model / context; trafilatura's text where the blocks render next to "
    "nothing",
    "scrubber-blocks": "scrubber.clean_html(html, front_end='blocks'): the blocks only",
    "scrubber-nocomments": "scrubber.clean_html(html, comments=False): reader-comment "
    "sections dropped",
    "scrubber-traf": "scrubber.clean(trafilatura favor_recall text); renders from the cache",
    "trafilatura": "trafilatura.extract(html), defaults; outputs from the cache",
    "resiliparse": "extract_plain_text(HTMLTree.parse(html), main_content=True)",
    "readability": "readability-lxml Document(html).summary() -> block-aware lxml text",
    "justext": "justext.justext(html, stoplist of meta lang / <html lang> / English)",
    "boilerpy3": "ArticleExtractor().get_content(html)",
}

_HEADERS = [
    "system", "docs", "word F1", "word P", "word R", "shingle F1", "shingle P", "shingle R",
    "empty", "errors",
]  # fmt: skip


def _cells(d: Mapping[str, Any]) -> list[Any]:
    return [
        d["system"], d["documents"], d["word_f1"], d["word_precision"], d["word_recall"],
        d["shingle_f1"], d["shingle_precision"], d["shingle_recall"], d["empty"], d["errors"],
    ]  # fmt: skip


def _num(x: Any, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def format_markdown(summary: Mapping[str, Any]) -> str:
    """The markdown report of a :func:`summarise` document."""
    settings = summary["settings"]
    out: list[str] = ["# scrubber HTML-track benchmark", ""]
    if summary.get("command"):
        out.append(f"Command: `{summary['command']}`  ")
    load = summary.get("load_average", {})
    out.append(
        f"Run time: {summary['seconds']:.0f} s, {summary['created']}; load average (1/5/15 min) "
        f"at start {load.get('start')}, at end {load.get('end')}, on {summary.get('cpus')} CPUs  "
    )
    v = summary["versions"]
    libs = ", ".join(f"{k} {v[k]}" for k in v if k != "models" and v[k])
    out.append(f"Versions: {libs}  ")
    models = v.get("models", {})
    used = settings.get("scrubber_model", "text")
    shipped = ", ".join(
        f"{k} ({model_name(m)}, threshold {m.get('threshold')}, training data sha256 "
        f"{str(m.get('training_data_sha256'))[:12]}…)"
        for k, m in models.items()
    )
    out.append(f"Models shipped: {shipped or 'none'}; clean_html used the {used} model")
    out += [
        "",
        "Word F1: WCXB (mean of per-page bag-of-words F1). Shingle F1: article-extraction-"
        "benchmark (4-word shingles, macro P/R). Every system is scored on the same pages of "
        "each set. empty = pages with no output; errors = exceptions / time-outs (scored empty).",
        "",
        "Systems:",
        "",
    ]
    out += [f"- `{s}`: {_SYSTEM_NOTES.get(s, '')}" for s in settings["systems"]]
    out.append("")
    for note in summary["notes"]:
        out.append(f"- note: {note}")
    if summary["notes"]:
        out.append("")

    out += ["## By data set", ""]
    for s in settings["sets"]:
        rows = [r for r in summary["rows"]["set"] if r["key"] == s]
        if not rows:
            continue
        out += [f"### {s} ({settings['pages'].get(s, 0)} pages: {settings['scope'].get(s)})", ""]
        out += [format_table(_HEADERS, [_cells(r) for r in rows]), ""]
    if summary["rows"]["page_type"]:
        out += ["## WCXB held-out by page type", ""]
        body = [[r["key"], *_cells(r)] for r in summary["rows"]["page_type"]]
        out += [format_table(["page type", *_HEADERS], body), ""]

    if summary["speed"]:
        n = len(settings.get("speed_sample", []))
        out += [
            "## Speed and memory",
            "",
            "in-run: calls that ran live over every page of the run (one process, systems "
            "interleaved page by page; cached outputs are not timed). sample: each system alone "
            f"in a fresh subprocess over the same fixed sample of {n} pages (full system, no "
            "cache, after a warm-up page), once per round, the systems in turn; its median "
            "round is shown (sample docs/s per round: every round); peak MB = that process's "
            "ru_maxrss, over baseline = minus a child that loads the same pages and runs "
            "nothing. Wall time on a shared, loaded machine is noisy; CPU time is steadier.",
            "",
        ]
        headers = [
            "system", "in-run docs", "in-run docs/s", "in-run CPU docs/s", "sample docs",
            "sample docs/s", "sample CPU docs/s", "sample docs/s per round", "peak MB",
            "over baseline MB",
        ]  # fmt: skip
        body = []
        for r in summary["speed"]:
            live, smp = r["live"] or {}, r["sample"] or {}
            body.append(
                [
                    r["system"],
                    str(live.get("documents", "cached" if r["system"] in CACHED_SYSTEMS else "-")),
                    _num(live.get("documents_per_second")),
                    _num(live.get("cpu_documents_per_second")),
                    str(smp.get("documents", "-")),
                    _num(smp.get("documents_per_second")),
                    _num(smp.get("cpu_documents_per_second")),
                    " ".join(_num(x) for x in smp.get("rounds") or []) or "-",
                    _num(r["peak_mb"], "{:.0f}"),
                    _num(r["over_baseline_mb"], "{:.0f}"),
                ]
            )
        out += [format_table(headers, body), ""]
        errs = [
            f"{r['system']}: {r['sample_error']}" for r in summary["speed"] if r["sample_error"]
        ]
        out += [f"- sample measurement failed: {e}" for e in errs]
        if errs:
            out.append("")

    out += _target_lines(summary["targets"])

    fe = summary["front_ends"]
    if fe:
        out += [
            "## Front ends: scrubber-blocks (selectolax) vs scrubber-traf "
            "(trafilatura favor_recall)",
            "",
            f"Δ = selectolax minus trafilatura front end. Pages won: word F1 better by > {TIE}. "
            f"Winner by word F1 (|Δ| <= {TIE}: tie).",
            "",
        ]
        headers = [
            "scope", "docs", "selectolax word F1", "traf word F1", "Δ word",
            "selectolax shingle F1", "traf shingle F1", "Δ shingle", "pages sel/traf", "winner",
        ]  # fmt: skip
        body = [
            [
                r["scope"], r["documents"], r["selectolax_word_f1"], r["trafilatura_word_f1"],
                f"{r['delta_word']:+.3f}", r["selectolax_shingle_f1"],
                r["trafilatura_shingle_f1"], f"{r['delta_shingle']:+.3f}",
                f"{r['selectolax_pages']}/{r['trafilatura_pages']}", r["winner"],
            ]
            for r in fe
        ]  # fmt: skip
        out += [format_table(headers, body), ""]
        wins: dict[str, list[str]] = defaultdict(list)
        for r in fe:
            wins[r["winner"]].append(r["scope"])
        for who in ("selectolax", "trafilatura", "tie"):
            if wins[who]:
                label = {
                    "selectolax": "selectolax wins",
                    "trafilatura": "trafilatura front end wins",
                    "tie": "tie",
                }[who]
                out.append(f"- {label}: {', '.join(wins[who])}")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``html`` subcommand's argument parser."""
    from scrubber.train.options import LIMIT_HELP, at_least, page_limit

    p = argparse.ArgumentParser(
        prog="python -m scrubber.bench html",
        description="HTML track: word and shingle F1, speed and memory of scrubber.clean_html "
        "and peer extractors on the same pages.",
    )
    p.add_argument("--sets", nargs="+", help=f"sets (default: {' '.join(DEFAULT_SETS)})")
    p.add_argument("--systems", nargs="+", help=f"systems (default: {' '.join(SYSTEMS)})")
    p.add_argument("--limit", type=page_limit,
                   help=LIMIT_HELP.replace("first N", "first N scored pages"))
    p.add_argument(
        "--out", help="output path without extension (default: <cache>/bench/html -> .md, .json)"
    )
    p.add_argument(
        "--sample", type=at_least(1), default=SPEED_SAMPLE,
        help="pages in the speed/memory sample (--no-speed for none)",
    )
    p.add_argument(
        "--rounds", type=at_least(1), default=SPEED_ROUNDS,
        help="rounds of the speed sample (each system once per round; the median run counts)",
    )
    p.add_argument("--no-speed", action="store_true", help="skip the speed/memory subprocesses")
    p.add_argument(
        "--no-cache", action="store_true", help="run trafilatura and its favor_recall render live"
    )
    p.add_argument(
        "--timeout", type=float, default=PEER_TIMEOUT, help="seconds per page per system"
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when a target FAILs")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``html`` subcommand; returns the exit status (2 when there is no data)."""
    from scrubber.train.data import data_root
    from scrubber.train.options import names, set_names

    parser = build_parser()
    args = parser.parse_args(argv)
    sets = set_names(parser, args.sets, DEFAULT_SETS)
    systems = names(parser, args.systems, SYSTEMS, "system")
    systems = [s for s in SYSTEMS if s in systems]  # report order
    from .accuracy import check_report_out

    why = check_report_out(args.out, "html")
    if why is not None:
        parser.error(f"--out {why}")
    if data_root() is None:
        print(
            "no data root (../shared/data or $SCRUBBER_DATA): nothing to benchmark, skipped",
            file=sys.stderr,
        )
        return 2
    report = run_benchmark(
        sets,
        systems,
        limit=args.limit,
        sample_size=args.sample,
        rounds=args.rounds,
        measure=not args.no_speed,
        timeout=args.timeout if args.timeout > 0 else None,
        use_cache=not args.no_cache,
        progress=not args.quiet,
    )
    summary = summarise(report, _command("html", argv))
    return _write_report(summary, format_markdown(summary), args.out, "html", args.strict)
