"""Build the cached, labelled line dataset and report on it.

Usage::

    python -m scrubber.train.build_dataset                       # every set, every renderer
    python -m scrubber.train.build_dataset --sets cleaneval --renderers html_text --limit 20
    python -m scrubber.train.build_dataset --report-only         # tables from the cache
    python -m scrubber.train.build_dataset --hash                # print dataset_hash()

Renders every page with every renderer, labels each line against the gold
(:mod:`scrubber.train.label`) and caches the result (:mod:`scrubber.train.cache`); re-runs only
compute what is missing. Then prints, per set × renderer: pages, lines, share of non-blank lines
labelled body, render time, and the *oracle* word F1 (keep exactly the lines labelled body,
score against the gold with WCXB word F1) next to the render's own word F1 and recall (the
ceiling any line filter can reach). Readability's synthetic pages are left out of the report.
Exit status 2 when the data root is missing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from scrubber.bench.metrics import (
    aggregate_shingles,
    aggregate_words,
    shingle_counts,
    word_prf,
)
from scrubber.train.cache import (
    CacheError,
    build,
    cache_root,
    dataset_hash,
    dataset_path,
    iter_records,
    load_renders,
)
from scrubber.train.data import ALL_SETS, available_sets, data_root, iter_pages
from scrubber.train.options import (
    ALL_RENDERERS,
    LIMIT_HELP,
    page_limit,
    renderer_names,
    set_names,
)
from scrubber.train.render import STATS, available_renderers

__all__ = ["main", "report"]


def report(
    sets: Sequence[str], renderers: Sequence[str], *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Per set × renderer statistics from the cache (see the module docstring).

    Returns one dict a row with keys: set, renderer, pages, lines, nonblank, body_frac,
    render_s, oracle_p, oracle_r, oracle_f1, oracle_aeb_f1, render_f1, render_r, empty.
    """
    rows: list[dict[str, Any]] = []
    for set_name in sets:
        pages = {
            p.id: p for p in iter_pages(set_name, load_html=False, limit=limit) if not p.synthetic
        }
        for renderer in renderers:
            if not dataset_path(set_name, renderer).is_file():
                continue
            n_lines = nonblank = body = empty = 0
            oracle, oracle_aeb, raw = [], [], []
            for rec in iter_records(set_name, renderer):
                page = pages.get(rec["id"])
                if page is None:
                    continue
                labels = rec["labels"]
                n_lines += len(labels)
                nonblank += sum(1 for x in labels if x >= 0)
                body += sum(1 for x in labels if x == 1)
                lines = rec["lines"]
                kept = "\n".join(t for t, lab in zip(lines, labels, strict=True) if lab == 1)
                full = "\n".join(lines)
                empty += not full.strip()
                oracle.append(word_prf(kept, page.gold))
                oracle_aeb.append(shingle_counts(kept, page.gold))
                raw.append(word_prf(full, page.gold))
            seconds = 0.0
            for rid, rrec in load_renders(set_name, renderer).items():
                if rid in pages:
                    seconds += float(rrec.get("seconds", 0.0))
            o = aggregate_words(oracle)
            r = aggregate_words(raw)
            rows.append(
                {
                    "set": set_name,
                    "renderer": renderer,
                    "pages": len(oracle),
                    "lines": n_lines,
                    "nonblank": nonblank,
                    "body_frac": body / nonblank if nonblank else 0.0,
                    "render_s": seconds,
                    "oracle_p": o.precision,
                    "oracle_r": o.recall,
                    "oracle_f1": o.f1,
                    "oracle_aeb_f1": aggregate_shingles(oracle_aeb).f1,
                    "render_f1": r.f1,
                    "render_r": r.recall,
                    "empty": empty,
                }
            )
    return rows


def _print_rows(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'set':<12} {'renderer':<12} {'pages':>5} {'lines':>8} {'body%':>6} {'time s':>7} "
        f"{'orcP':>6} {'orcR':>6} {'orcF1':>6} {'orcAEB':>6} {'rawF1':>6} {'rawR':>6} {'empty':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['set']:<12} {r['renderer']:<12} {r['pages']:>5} {r['lines']:>8} "
            f"{100 * r['body_frac']:>5.1f}% {r['render_s']:>7.1f} "
            f"{r['oracle_p']:>6.3f} {r['oracle_r']:>6.3f} {r['oracle_f1']:>6.3f} "
            f"{r['oracle_aeb_f1']:>6.3f} {r['render_f1']:>6.3f} {r['render_r']:>6.3f} "
            f"{r['empty']:>5}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    try:
        return _main(argv)
    except (CacheError, FileNotFoundError) as exc:
        # (a damaged cache file or a page missing from the data root: one line naming
        # the file, not a traceback)
        print(f"python -m scrubber.train.build_dataset: {exc}", file=sys.stderr)
        return 1


def _main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m scrubber.train.build_dataset",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--sets", nargs="+",
                    help=f"default: all present (known: {', '.join(ALL_SETS)})")
    ap.add_argument("--renderers", nargs="+",
                    help=f"default: all available (known: {', '.join(ALL_RENDERERS)})")
    ap.add_argument("--limit", type=page_limit, help=LIMIT_HELP)
    ap.add_argument("--force", action="store_true", help="ignore the cache, rebuild")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per page per renderer")
    ap.add_argument("--report-only", action="store_true", help="do not build, only report")
    ap.add_argument("--no-report", action="store_true", help="build only")
    ap.add_argument("--hash", action="store_true", help="print dataset_hash() of trainable sets")
    ap.add_argument("--quiet", action="store_true", help="no progress output")
    args = ap.parse_args(argv)
    if args.renderers:  # an unknown one would fail with a KeyError on the first page
        args.renderers = renderer_names(ap, args.renderers)
    if args.sets:  # (comma lists too, as every other command takes them)
        args.sets = set_names(ap, args.sets)

    if data_root() is None:
        print("data root not found (set SCRUBBER_DATA or provide ../shared/data)", file=sys.stderr)
        return 2
    sets = args.sets or available_sets()
    renderers = args.renderers or available_renderers()
    if not args.report_only:
        print(f"cache: {cache_root()}", file=sys.stderr)
        stats = build(
            sets,
            renderers,
            limit=args.limit,
            force=args.force,
            timeout=args.timeout,
            progress=not args.quiet,
        )
        print(f"built in {stats.wall_seconds:.1f}s", file=sys.stderr)
        for name, st in sorted(STATS.items()):
            print(
                f"  {name}: {st.calls} renders, {st.failures} errors, {st.timeouts} timeouts, "
                f"{st.seconds:.1f}s" + (f" (last error: {st.last_error})" if st.last_error else ""),
                file=sys.stderr,
            )
    if not args.no_report:
        _print_rows(report(sets, renderers, limit=args.limit))
    if args.hash:
        print(f"dataset_hash (trainable sets, all splits): {dataset_hash()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
