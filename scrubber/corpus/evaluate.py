"""Measure what a site profile buys on multi-page sites (word F1 with vs without).

    python -m scrubber.corpus.evaluate                      # every set, html_text + inscriptis
    python -m scrubber.corpus.evaluate --sets wcxb-dev --renderers html_text --min-pages 2,3
    python -m scrubber.corpus.evaluate --copies 2 [--no-dedupe]  # every page crawled twice

The corpus: every page of the shared sets (``../shared/data``) whose site has at least two
pages in its set, as *whole-page* text (the cached ``html_text`` / ``inscriptis`` renders of
``python -m scrubber.train.build_dataset``), with its gold text. Sites come from the set's
meta (WCXB ``domain``, the URL of cleaneval / l3s-gn1, readability's id stem); dragnet's meta
has no URL, so its site is the host of the page's own ``<link rel="canonical">`` or
``og:url`` (the page as fetched says which site it is on). The profile is built over all
those pages (of one set and renderer: the unit a user would profile), then each page is
cleaned with and without it and scored with WCXB's word F1 against the gold. Reported per
set and renderer, over all pages of multi-page sites and over the evaluation splits only
(held-out sites of the trainable sets; dragnet's test split and all of l3s-gn1), since the
shipped model was trained on the other pages. Skips (exit 0) when the data is absent.

``--copies N`` counts every page N times into the profile, as a corpus of N crawls of the
same sites holds it (each page is still cleaned and scored once); ``--no-dedupe`` counts
each copy as a page of its own (``ProfileCounter(dedupe=False)``), as profiles were
counted before duplicates were.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EvalPage", "load_corpus", "main"]

_CANONICAL = re.compile(
    r"<link\b[^>]*\brel=[\"']?canonical[\"']?[^>]*>|<meta\b[^>]*\bog:url\b[^>]*>", re.I
)
_HREF = re.compile(r"\b(?:href|content)=[\"']?(https?://[^\"'\s>]+)", re.I)


@dataclass(slots=True)
class EvalPage:
    set: str
    id: str
    site: str
    split: str
    text: str
    gold: str


def _dragnet_site(root: Path, page_id: str) -> str | None:
    from .profile import site_from_url

    path = root / "dragnet" / "html" / f"{page_id}.html.gz"
    try:
        with gzip.open(path, "rb") as fh:
            html = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    for m in _CANONICAL.finditer(html):
        href = _HREF.search(m.group())
        if href:
            site = site_from_url(href.group(1))
            if site:
                return site
    return None


def load_corpus(set_name: str, renderer: str, min_site_pages: int = 2) -> list[EvalPage]:
    """Pages of ``set_name`` on sites with at least ``min_site_pages`` pages, with their
    cached whole-page render. Empty when the data or the render cache is missing."""
    from ..train.cache import load_renders
    from ..train.data import data_root, iter_pages
    from .profile import normalise_site, site_from_url

    root = data_root()
    if root is None or not (root / set_name).is_dir():
        return []
    renders = load_renders(set_name, renderer)
    if not renders:
        return []
    pages: list[EvalPage] = []
    for page in iter_pages(set_name, load_html=False):
        if page.synthetic:
            continue
        url, domain = page.meta.get("url"), page.meta.get("domain")
        if isinstance(url, str) and url.strip():
            site = site_from_url(url)
        elif isinstance(domain, str) and domain.strip():
            site = normalise_site(domain)
        elif set_name == "dragnet":
            site = _dragnet_site(root, page.id) or ""
        else:
            site = page.site
        rec = renders.get(page.id)
        if not site or rec is None or not rec.get("text"):
            continue
        pages.append(EvalPage(set_name, page.id, site, page.split, rec["text"], page.gold))
    per_site: dict[str, int] = defaultdict(int)
    for p in pages:
        per_site[p.site] += 1
    return [p for p in pages if per_site[p.site] >= min_site_pages]


def _profile_site(site: str) -> str:
    """The key a page is counted and cleaned under. ``Config`` normalises its ``site`` as
    a host name (:func:`scrubber.corpus.profile.normalise_site`), which would fold an
    id-based site such as ``readability:nytimes`` into ``readability``; such a site goes
    in as a host name of its own that normalises to itself."""
    from .profile import normalise_site

    if normalise_site(site) == site:
        return site
    return f"site-{hashlib.sha256(site.encode('utf-8')).hexdigest()[:16]}.invalid"


def _score(pages: Sequence[EvalPage], outs: Sequence[str]) -> tuple[float, float, float]:
    from ..bench.metrics import aggregate_words, word_prf

    agg = aggregate_words(word_prf(o, p.gold) for p, o in zip(pages, outs, strict=True))
    return agg.precision, agg.recall, agg.f1


def evaluate(
    set_name: str, renderer: str, min_pages: Sequence[int], keep_score: float | None = None,
    limit_sites: int | None = None, copies: int = 1, dedupe: bool = True,
) -> list[dict[str, object]]:
    """Rows of the report for one set × renderer (one per ``min_pages`` value);
    ``copies`` and ``dedupe``: see the module docstring."""
    from .. import pipeline
    from ..config import Config
    from ..lines import split_lines
    from ..train.data import EVAL_SPLITS
    from .profile import ProfileCounter

    pages = load_corpus(set_name, renderer)
    if limit_sites:
        keep = sorted({p.site for p in pages})[:limit_sites]
        pages = [p for p in pages if p.site in set(keep)]
    if not pages:
        return []
    counter = ProfileCounter(dedupe=dedupe)
    for _ in range(copies):
        for p in pages:
            counter.add(_profile_site(p.site), p.text)
    base_cfg = Config()
    t0 = time.process_time()
    base = [pipeline.run_lines(*split_lines(p.text), base_cfg)[0] for p in pages]
    t_base = time.process_time() - t0
    evals = [i for i, p in enumerate(pages) if p.split in EVAL_SPLITS]
    rows: list[dict[str, object]] = []
    for k in min_pages:
        opts = {} if keep_score is None else {"keep_score": keep_score}
        prof = counter.finish(min_pages=k, store_min=min(min_pages), **opts)
        t0 = time.process_time()
        withp = [
            pipeline.run_lines(*split_lines(p.text),
                               base_cfg.replace(profile=prof, site=_profile_site(p.site)))[0]
            for p in pages
        ]
        t_prof = time.process_time() - t0
        row: dict[str, object] = {
            "set": set_name, "renderer": renderer, "K": k,
            "sites": len({p.site for p in pages}), "pages": len(pages),
            "changed": sum(1 for a, b in zip(base, withp, strict=True) if a != b),
            "overhead": t_prof / t_base - 1 if t_base else 0.0,
        }
        for label, idx in (("all", range(len(pages))), ("eval", evals)):
            sub = [pages[i] for i in idx]
            if not sub:
                continue
            p0, r0, f0 = _score(sub, [base[i] for i in idx])
            p1, r1, f1 = _score(sub, [withp[i] for i in idx])
            row[label] = (len(sub), p0, r0, f0, p1, r1, f1)
        rows.append(row)
    return rows


def _fmt(rows: list[dict[str, object]]) -> str:
    out = ["| set | renderer | K | sites | pages | changed | subset | n | P | R | F1 | "
           "P +prof | R +prof | F1 +prof | ΔF1 |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for label in ("all", "eval"):
            v = r.get(label)
            if not v:
                continue
            n, p0, r0, f0, p1, r1, f1 = v  # type: ignore[misc]
            out.append(
                f"| {r['set']} | {r['renderer']} | {r['K']} | {r['sites']} | {r['pages']} | "
                f"{r['changed']} | {label} | {n} | {p0:.3f} | {r0:.3f} | {f0:.3f} | {p1:.3f} | "
                f"{r1:.3f} | {f1:.3f} | {f1 - f0:+.3f} |"
            )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    from ..train.options import at_least, renderer_names, set_names
    from .cli import MIN_K

    p = argparse.ArgumentParser(prog="python -m scrubber.corpus.evaluate",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--sets", default="wcxb-dev,dragnet,cleaneval,l3s-gn1,readability")
    p.add_argument("--renderers", default="html_text,inscriptis")
    p.add_argument("--min-pages", default="2,3", help="K values (comma-separated)")
    p.add_argument("--keep-score", type=float, default=None,
                   help="a repeated line the model scores at least this is kept (0 to 1)")
    p.add_argument("--limit-sites", type=at_least(1), default=None,
                   help="first N sites per set (quick)")
    p.add_argument("--copies", type=int, default=1,
                   help="count every page N times into the profile (N crawls of the sites)")
    p.add_argument("--no-dedupe", action="store_true",
                   help="count a page's copies as pages of their own")
    args = p.parse_args(argv)
    if args.copies < 1:
        p.error(f"--copies must be at least 1, not {args.copies}")
    # (checked here, as every other command checks them: a wrong name said "no multi-page
    # sites", exit 0; a bad K or keep score was a traceback from the profile)
    sets = set_names(p, args.sets)
    renderers = renderer_names(p, args.renderers)
    try:
        ks = [int(x) for x in args.min_pages.split(",")]
    except ValueError:
        p.error(f"--min-pages: comma-separated integers, not {args.min_pages!r}")
    if any(k < MIN_K for k in ks):
        p.error(f"--min-pages: each K must be at least {MIN_K}, not {args.min_pages!r}")
    if args.keep_score is not None and not 0.0 <= args.keep_score <= 1.0:
        p.error(f"--keep-score must be from 0 to 1, not {args.keep_score}")
    from ..train.data import data_root

    if data_root() is None:
        print("no ../shared/data: nothing to evaluate", file=sys.stderr)
        return 0
    rows: list[dict[str, object]] = []
    for s in sets:
        for r in renderers:
            t0 = time.process_time()
            got = evaluate(s, r, ks, args.keep_score, args.limit_sites, args.copies,
                           not args.no_dedupe)
            if not got:
                print(f"{s} × {r}: no multi-page sites or no cached renders", file=sys.stderr)
            for row in got:
                print(f"{s} × {r} K={row['K']}: {row['pages']} pages / {row['sites']} sites, "
                      f"all {row.get('all')}, eval {row.get('eval')}, "
                      f"profile overhead {row['overhead']:+.0%} "
                      f"({time.process_time() - t0:.0f}s)", file=sys.stderr)
            rows += got
    print(_fmt(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
