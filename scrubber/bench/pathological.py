"""Pathological inputs: time (and memory) against input size, to show linear growth.

    python -m scrubber.bench pathological                  # every case, three sizes each
    python -m scrubber.bench pathological --quick          # the two smaller sizes only
    python -m scrubber.bench pathological --cases one-line,blank-lines
    python -m scrubber.bench pathological --jsonl-mb 1,10,100   # the streaming case's sizes
    python -m scrubber.bench pathological idempotence      # clean(clean(x)) == clean(x) rate

Each case builds an input of size ``n`` (characters, lines, nesting depth or bytes, as the
table says), cleans it (repeated until 0.3 s of CPU have passed, for small sizes) and
reports CPU seconds per run (``time.process_time``: less disturbed by
other processes on the machine than wall time) and CPU seconds per million units. Growth
is linear when that last column stays roughly constant as ``n`` grows by 10x; the ``x``
column is the ratio of time to the previous size's time (about 10 for linear growth,
about 100 for quadratic).

The JSONL case writes a stream of records (``--jsonl-mb`` sizes, default 1, 10 and 100 MB)
to a temporary file and runs ``python -m scrubber --jsonl`` on it in a child process; it
reports the child's CPU time (``os.wait4``) and peak resident memory (its ``VmHWM``),
which stays flat as the stream grows. It runs with ``--no-model`` by default (the
classifier costs time, not memory; ``--jsonl-model`` to include it).

``idempotence`` runs every cached rendered page of ``../shared/data`` (see
:func:`scrubber.train.cache.load_renders`; the ``blocks`` renderer is rendered on the fly
with :func:`scrubber.html.html_to_text`) through ``clean`` twice and reports the rate of
pages where the second pass changes nothing, per set x renderer, plus the first lines
that differ (``--show N`` per cell). Known sets or renderers without data are skipped (an
unknown name is a usage error); the first line says where the pages came from: only
``blocks`` needs the data root, the other renderers are read from the render cache.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CASES", "Case", "idempotence", "jsonl_stream", "main", "make_jsonl", "run_case"]

BODY = ("A paragraph of prose that is long enough to count as body text, with commas, "
        "and it goes on for a while.")
CLUTTER = ["Share this:", "Leave a Comment", "Home | News | Sport", "Advertisement",
           "Related Posts", "1:00:14", "855 watching -", "Popular Categories", "Read more"]
# control characters, every line break the splitter must not take for one, and friends
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1c", "\x1d", "\x1e",
           "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\r", "\r\n", "\ufeff", "\ufffd"]
UNICODE = [
    "مقالة طويلة بما يكفي لتعتبر نصًا أساسيًا، مع فواصل.",    # Arabic (RTL)
    "מאמר ארוך מספיק כדי להיחשב טקסט גוף, עם פסיקים.",         # Hebrew (RTL)
    "\u202eevil override\u202c text \u2067isolate\u2069",       # bidi controls
    "Z\u0351\u0336a\u0337\u0353l\u0334\u0354g\u0338o" * 8,       # stacked combining marks
    "e\u0301" * 50,                                             # decomposed accents
    "👩‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 👍🏽 " * 10,                                       # ZWJ sequences, flags
    "zero\u200bwidth\u200cjoin\u200dand\u2060word\ufeffjoiners",
    "全角テキストの段落、十分に長い本文の文章です。",              # CJK
    "\U0001d54f\U0001d560\U0001d565 mathematical alphanumerics",
]


@dataclass(frozen=True)
class Case:
    """One pathological input family: ``make(n)`` builds the input, ``run`` cleans it."""

    name: str
    unit: str
    sizes: tuple[int, ...]
    make: Callable[[int], Any]
    run: Callable[[Any], Any]
    what: str


def _clean(text: str) -> str:
    from scrubber import clean

    return clean(text)


def _clean_html(html: str) -> str:
    from scrubber import clean_html

    return clean_html(html)


def one_line(n: int) -> str:
    """A single line of ``n`` characters (prose, no line break)."""
    reps = n // (len(BODY) + 1) + 1
    return (" ".join([BODY] * reps))[:n]


def short_lines(n: int) -> str:
    """``n`` short lines: clutter and single words."""
    base = [*CLUTTER, "word", "x", "42"]
    return "".join(base[i % len(base)] + "\n" for i in range(n))


def mixed_lines(n: int) -> str:
    """``n`` lines of a page-like mix: clutter, headings, body, blanks."""
    base = [*CLUTTER[:3], "A heading", BODY, BODY + " More.", "", CLUTTER[3], BODY]
    return "".join(base[i % len(base)] + "\n" for i in range(n))


def blank_lines(n: int) -> str:
    """``n`` blank lines (with spaces, tabs and bare breaks), one body line in the middle."""
    blanks = ["", " ", "\t", "   \t "]
    half = n // 2
    return ("".join(blanks[i % 4] + "\n" for i in range(half)) + BODY + "\n"
            + "".join(blanks[i % 4] + "\n" for i in range(n - half)))


def control_chars(n: int) -> str:
    """``n`` lines salted with NUL and other controls, CR, CRLF, U+2028/2029, form feeds."""
    rng = random.Random(n)
    out = []
    for i in range(n):
        line = BODY if i % 3 else CLUTTER[i % len(CLUTTER)]
        cut = rng.randrange(len(line))
        out.append(line[:cut] + rng.choice(CONTROL) + line[cut:] + rng.choice(["\n", "\r\n",
                                                                             "\r", "\n"]))
    return "".join(out)


def unicode_lines(n: int) -> str:
    """``n`` lines of RTL text, bidi controls, combining marks, emoji, zero-width chars."""
    return "".join(UNICODE[i % len(UNICODE)] + "\n" for i in range(n))


def nested_html(n: int) -> str:
    """HTML nested ``n`` elements deep (closed), with a paragraph at the bottom."""
    return ("<html><body>" + "<div><span>" * (n // 2) + f"<p>{BODY}</p>"
            + "</span></div>" * (n // 2) + "</body></html>")


def unclosed_html(n: int) -> str:
    """``n`` unclosed elements (each opens inside the previous), text all the way down."""
    return "<body>" + "".join(f"<div><b>{i} " for i in range(n // 2)) + BODY


def big_attribute(n: int) -> str:
    """A page whose attribute values (class, style, data-*) total about ``n`` bytes."""
    k = n // 4
    return (f'<html><body><div class="{"c " * (k // 2)}" style="{"x:y;" * (k // 4)}" '
            f'data-blob="{"A" * k}" title="{"&amp;" * (k // 5)}"><h1>Title</h1>'
            f"<p>{BODY}</p></div></body></html>")


def stray_end_tags(n: int) -> str:
    """``n`` unclosed elements, each followed by an end tag of an element not open
    (``<b id=..>x</div>``: parsers ignore it, a depth count that lowered on it saw a flat
    page), then a paragraph."""
    return ("<html><body>" + "".join(f"<b id=b{i}>x</div>" for i in range(n))
            + f"<p>{BODY}</p></body></html>")


def attribute_flood(n: int) -> str:
    """One tag with ``n`` attributes, among ``n / 19`` ``<br>`` (a check that wanted 20
    ``=`` a tag left the tag alone)."""
    attrs = " ".join(f"a{i}=v" for i in range(n))
    return f"<html><body><p {attrs}>{BODY}</p>" + "<br>" * (n // 19) + "</body></html>"


CASES: tuple[Case, ...] = (
    Case("one-line", "chars", (10**5, 10**6, 10**7), one_line, _clean,
         "one line of prose, no break (1 MB = 10^6)"),
    Case("short-lines", "lines", (10**4, 10**5, 10**6), short_lines, _clean,
         "short clutter lines"),
    Case("mixed-lines", "lines", (10**4, 10**5, 10**6), mixed_lines, _clean,
         "page-like mix of clutter, headings, body, blanks"),
    Case("blank-lines", "lines", (10**4, 10**5, 10**6), blank_lines, _clean,
         "blank lines around one body line"),
    Case("control-chars", "lines", (10**3, 10**4, 10**5), control_chars, _clean,
         "NUL/control chars, CR, CRLF, U+2028/2029, form feeds"),
    Case("unicode", "lines", (10**3, 10**4, 10**5), unicode_lines, _clean,
         "RTL, bidi controls, combining marks, emoji, zero-width"),
    Case("html-nested", "depth", (10**3, 10**4, 10**5), nested_html, _clean_html,
         "elements nested n deep"),
    Case("html-unclosed", "depth", (10**3, 10**4, 10**5), unclosed_html, _clean_html,
         "n unclosed elements with text"),
    Case("html-attribute", "bytes", (10**5, 10**6, 10**7), big_attribute, _clean_html,
         "attribute values of n bytes in total"),
    Case("html-stray-ends", "tags", (10**3, 10**4, 10**5), stray_end_tags, _clean_html,
         "n unclosed <b>s, each followed by a stray end tag"),
    Case("html-attribute-flood", "attributes", (10**3, 10**4, 10**5), attribute_flood,
         _clean_html, "one tag of n attributes among n/19 <br>s"),
)


def run_case(case: Case, n: int, min_seconds: float = 0.3) -> tuple[float, int]:
    """Build the size-``n`` input of ``case`` and clean it, repeatedly until
    ``min_seconds`` of CPU have passed (small sizes are otherwise all noise); (CPU seconds
    per run, output chars)."""
    data = case.make(n)
    runs = 0
    t0 = time.process_time()
    while True:
        out = case.run(data)
        runs += 1
        spent = time.process_time() - t0
        if spent >= min_seconds:
            return spent / runs, len(out)


# --------------------------------------------------------------------------- JSONL stream

def make_jsonl(path: Path, target_bytes: int, seed: int = 0) -> int:
    """Write about ``target_bytes`` of JSONL records (page-like texts of 1-8 kB with
    clutter, body, unicode and escapes; a few other fields) to ``path``; the record count."""
    rng = random.Random(seed)
    pool = [*CLUTTER, BODY, BODY + " Another sentence.", "", "A heading", *UNICODE[:3],
            'Quote "marks" and \\ backslashes\ttabs']
    n = 0
    written = 0
    with open(path, "wb") as f:
        while written < target_bytes:
            k = rng.randrange(10, 80)
            text = "\n".join(rng.choice(pool) for _ in range(k)) + "\n"
            rec = {"id": n, "url": f"https://site{n % 50}.example.com/a/{n}",
                   "text": text, "meta": {"lang": "en", "score": rng.random()}}
            line = json.dumps(rec, ensure_ascii=n % 2 == 0).encode() + b"\n"
            f.write(line)
            written += len(line)
            n += 1
    return n


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (``VmHWM``; Linux), 0.0 if unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def jsonl_stream(path: Path, model: bool = False, jobs: int = 1) -> dict[str, float]:
    """Run ``python -m scrubber --jsonl`` on ``path`` in a child; its CPU, wall, peak RSS.

    The peak is the child's ``VmHWM`` polled while it runs (``ru_maxrss`` of a forked child
    also counts the parent's pages mapped before ``exec``, i.e. this benchmark's own
    memory)."""
    out = path.with_suffix(".out.jsonl")
    cmd = [sys.executable, "-m", "scrubber", "--jsonl", "--on-error", "skip", "-j", str(jobs),
           str(path), "-o", str(out)]
    if not model:
        cmd.insert(3, "--no-model")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _peak_rss_mb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err[-2000:]}")
    out_bytes = out.stat().st_size
    out.unlink()
    return {"cpu": ru.ru_utime + ru.ru_stime, "wall": wall, "maxrss_mb": peak,
            "out_bytes": out_bytes}


# --------------------------------------------------------------------------- idempotence

def _texts(set_name: str, renderer: str, limit: int | None = None) -> dict[str, str] | None:
    """id -> rendered text for one set x renderer, or None when unavailable; ``blocks``
    renders only the first ``limit`` pages by id (the ones :func:`idempotence` reads)."""
    if renderer == "blocks":
        from scrubber.html import html_to_text
        from scrubber.train.data import iter_pages

        try:
            return {p.id: html_to_text(p.html) for p in iter_pages(set_name, limit=limit)}
        except FileNotFoundError:
            return None
    from scrubber.train.cache import load_renders

    try:
        recs = load_renders(set_name, renderer)
    except (FileNotFoundError, OSError):
        return None
    if not recs:
        return None
    return {k: v.get("text") or "" for k, v in recs.items()}


def first_difference(a: str, b: str) -> tuple[int, str, str]:
    """(line index, line of a, line of b) of the first line where ``a`` and ``b`` differ."""
    la, lb = a.split("\n"), b.split("\n")
    for i, (x, y) in enumerate(zip(la, lb, strict=False)):
        if x != y:
            return i, x, y
    i = min(len(la), len(lb))
    return i, la[i] if i < len(la) else "<end>", lb[i] if i < len(lb) else "<end>"


def _causes(once: str) -> list[str]:
    """Why the second pass changes ``once``: one key per line it drops or trims, as
    ``stage:rule`` (``rule:<id>``, ``model``, ``context:<why>``, ``layout``...)."""
    from scrubber import Action, Stage, clean_and_explain

    keys = []
    for d in clean_and_explain(once).decisions:
        if d.action is Action.KEEP:
            continue
        if d.stage is Stage.RULE:
            keys.append(f"rule:{d.rule_id}")
        elif d.stage is Stage.CONTEXT:
            keys.append("context:" + ("no body after" if "no body" in d.reason else d.reason))
        else:
            keys.append(str(d.stage.value))
    return keys


def idempotence(
    sets: Sequence[str], renderers: Sequence[str], limit: int | None = None, show: int = 3,
    log: Any = sys.stdout,
) -> dict[str, dict[str, Any]]:
    """``clean(clean(x)) == clean(x)`` per set x renderer: {"set/renderer": {"pages",
    "same", "rate", "causes": {key: lines}, "failures": [(id, line, first, second)]}}.
    ``causes`` counts, over the failing pages, the second pass's decision on every line it
    does not keep as is (see :func:`_causes`)."""
    from collections import Counter

    from scrubber import clean

    results: dict[str, dict[str, Any]] = {}
    for s in sets:
        for r in renderers:
            texts = _texts(s, r, limit or None)
            if texts is None:
                print(f"{s:12s} {r:12s} (no data)", file=log, flush=True)
                continue
            ids = sorted(texts)[:limit] if limit else sorted(texts)
            same = 0
            fails: list[tuple[str, int, str, str]] = []
            causes: Counter[str] = Counter()
            t0 = time.process_time()
            for pid in ids:
                once = clean(texts[pid])
                twice = clean(once)
                if once == twice:
                    same += 1
                else:
                    fails.append((pid, *first_difference(once, twice)))
                    causes.update(_causes(once))
            rate = same / len(ids) if ids else 1.0
            results[f"{s}/{r}"] = {"pages": len(ids), "same": same, "rate": rate,
                                   "causes": dict(causes.most_common()), "failures": fails}
            top = ", ".join(f"{k} {v}" for k, v in causes.most_common(5))
            print(f"{s:12s} {r:12s} {same:5d}/{len(ids):<5d} {100 * rate:6.2f}%  "
                  f"({time.process_time() - t0:.0f} s)  causes: {top}", file=log, flush=True)
            for pid, i, x, y in fails[:show]:
                print(f"    {pid} line {i}: {x[:90]!r} -> {y[:90]!r}", file=log, flush=True)
    return results


def _source(renderers: Sequence[str]) -> str:
    """Where :func:`idempotence` reads the pages of ``renderers`` from (it needs no data
    root unless ``blocks`` is asked for)."""
    from scrubber.train.cache import cache_root
    from scrubber.train.data import data_root

    parts = []
    cached = [r for r in renderers if r != "blocks"]
    if cached:
        parts.append(f"{', '.join(cached)} from the render cache {cache_root() / 'renders'}")
    if "blocks" in renderers:
        root = data_root()
        parts.append(f"blocks rendered now from {root}" if root is not None
                     else "blocks: no data root, so no pages")
    return "pages: " + "; ".join(parts)


# --------------------------------------------------------------------------- CLI

def _print_row(name: str, unit: str, n: int, secs: float, prev: float | None, extra: str = ""
               ) -> None:
    ratio = f"{secs / prev:6.1f}" if prev and prev > 0.005 else "     -"
    per_m = f"{1e6 * secs / n:12.3f}" if n > 0 else f"{'-':>12s}"  # an empty input
    print(f"{name:15s} {n:>10,d} {unit:6s} {secs:9.3f} {per_m} {ratio} {extra}", flush=True)


_EPILOG = """\
idempotence mode:
  python -m scrubber.bench pathological idempotence [--sets S,..] [--renderers R,..]
         [--limit N] [--show N] [--json FILE]
  the rate of pages where clean(clean(x)) == clean(x), per set x renderer, on the cached
  renders of the shared data (blocks: rendered from the data root); --show N failures
  shown per cell, --json FILE writes the results. See `... pathological idempotence --help`.
"""


def main(argv: Sequence[str] | None = None) -> int:
    from ..train.options import float_list

    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["idempotence"]:
        return _main_idempotence(args_in[1:])
    p = argparse.ArgumentParser(prog="python -m scrubber.bench pathological",
                                usage="%(prog)s [options]\n       %(prog)s idempotence "
                                      "[options]",
                                description=__doc__.split("\n\n")[0], epilog=_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", default=None,
                   help="comma-separated case names (default: all, and jsonl); "
                        f"known: {', '.join(c.name for c in CASES)}, jsonl")
    p.add_argument("--quick", action="store_true", help="skip each case's largest size")
    p.add_argument("--jsonl-mb", type=float_list, default="1,10,100",
                   help="JSONL stream sizes in MB, comma-separated, each above 0")
    p.add_argument("--jsonl-model", action="store_true", help="JSONL case with the model")
    args = p.parse_args(args_in)
    wanted = set(args.cases.split(",")) if args.cases else None
    known = {c.name for c in CASES} | {"jsonl"}
    if wanted and not wanted <= known:
        p.error(f"unknown case(s): {', '.join(sorted(wanted - known))}")
    from scrubber import clean, clean_html

    clean("warm up: load rules and model")
    clean_html("<p>warm up: the HTML front ends</p>")
    print(f"{'case':15s} {'n':>10s} {'unit':6s} {'cpu s':>9s} {'cpu s / 1M':>12s} {'x':>6s}")
    for case in CASES:
        if wanted and case.name not in wanted:
            continue
        sizes = case.sizes[:-1] if args.quick else case.sizes
        prev = None
        for n in sizes:
            secs, out = run_case(case, n)
            _print_row(case.name, case.unit, n, secs, prev, f"out {out:,d} chars")
            prev = secs
    if wanted is None or "jsonl" in wanted:
        sizes_mb = args.jsonl_mb
        if args.quick:
            sizes_mb = sizes_mb[:-1] or sizes_mb
        prev = None
        with tempfile.TemporaryDirectory(prefix="scrubber-patho-") as tmp:
            for mb in sizes_mb:
                path = Path(tmp) / f"stream-{mb:g}MB.jsonl"
                records = make_jsonl(path, int(mb * 1e6))
                got = jsonl_stream(path, model=args.jsonl_model)
                size = path.stat().st_size
                path.unlink()
                _print_row("jsonl-stream", "bytes", size, got["cpu"], prev,
                           f"{records:,d} records, peak RSS {got['maxrss_mb']:.0f} MB, "
                           f"wall {got['wall']:.1f} s")
                prev = got["cpu"]
    return 0


def _main_idempotence(argv: Sequence[str]) -> int:
    from scrubber.train.options import (
        ALL_RENDERERS,
        ALL_SETS,
        LIMIT_HELP,
        at_least,
        page_limit,
        renderer_names,
        set_names,
    )

    p = argparse.ArgumentParser(
        prog="python -m scrubber.bench pathological idempotence",
        description="The rate of pages where clean(clean(x)) == clean(x), per set x "
        "renderer, on the cached renders of the shared data (blocks is rendered from the "
        "data root). A known set or renderer without data is skipped with a note.")
    p.add_argument("--sets", default=",".join(ALL_SETS),
                   help=f"comma-separated sets (default: all: {','.join(ALL_SETS)})")
    p.add_argument("--renderers", default=",".join(ALL_RENDERERS),
                   help=f"comma-separated renderers (default: all: {','.join(ALL_RENDERERS)})")
    p.add_argument("--limit", type=page_limit, default=None,
                   help=LIMIT_HELP.replace("per set", "per set x renderer"))
    p.add_argument("--show", type=at_least(0), default=3,
                   help="failures shown per cell (default 3; 0: none)")
    p.add_argument("--json", default=None, metavar="FILE", help="write the results as JSON")
    args = p.parse_args(list(argv))
    sets = set_names(p, args.sets)
    renderers = renderer_names(p, args.renderers)
    if args.json:  # (checked before the run: an unwritable path was a traceback after it)
        from scrubber.train.options import unwritable

        why = unwritable(Path(args.json))
        if why is not None:
            p.error(f"--json {why}")
    print(_source(renderers), flush=True)
    res = idempotence(sets, renderers, args.limit, args.show)
    pages = sum(v["pages"] for v in res.values())
    same = sum(v["same"] for v in res.values())
    print(f"total {same}/{pages} = {100 * same / max(pages, 1):.2f}% idempotent")
    from collections import Counter

    causes: Counter[str] = Counter()
    for v in res.values():
        causes.update(v["causes"])
    print("second-pass changes by cause (lines):", ", ".join(
        f"{k} {n}" for k, n in causes.most_common(12)))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

