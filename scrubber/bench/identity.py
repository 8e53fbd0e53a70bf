"""Output identity over every page of ``../shared/data``: the check behind speed work.

A change meant to make scrubber faster must not change what it outputs. ``save`` records,
for every page of the data sets, digests of what scrubber makes of it; ``check`` computes
them again with the code as it is now and names the pages that differ::

    python -m scrubber.bench identity save before.json     # on the commit before the change
    python -m scrubber.bench identity check before.json    # after it: exit 1 if any differs

Per page three digests (SHA-1 of UTF-8 text):

* ``html``: :func:`scrubber.clean_html` of the page;
* ``explain``: every :class:`scrubber.Decision` of :func:`scrubber.clean_html_and_explain`
  (index, text, action, stage, reason, rule id, score to 9 decimals, output);
* ``text``: :func:`scrubber.clean` of the page's block text (``Page.text``: the blocks
  renderer's lines), which runs the text path (text model, context step, settle passes).

The digests are JSON (``{"format": ..., "pages": {"set/id": [html, explain, text]}}``),
a few hundred kilobytes for the 4,368 pages; ``-j 2`` takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from multiprocessing import Pool
from pathlib import Path
from typing import Any

FORMAT = "scrubber-identity-1"
SETS: tuple[str, ...] = ("wcxb-dev", "cleaneval", "readability", "dragnet", "l3s-gn1")


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _decisions_digest(explained: Any) -> str:
    decisions = [
        [d.index, d.text, d.action.value, d.stage.value, d.reason, d.rule_id,
         None if d.score is None else round(d.score, 9), d.output]
        for d in explained.decisions
    ]
    return _sha(json.dumps(decisions, ensure_ascii=False))


def page_digests(html: str | bytes) -> list[str]:
    """The three digests of one page (see the module docs).

    >>> a = page_digests("<p>A paragraph of body text, long enough to be kept.</p>")
    >>> a == page_digests("<p>A paragraph of body text, long enough to be kept.</p>")
    True
    >>> len(a), all(len(x) == 40 for x in a)
    (3, True)
    """
    import scrubber
    from scrubber.html import parse_html

    return [
        _sha(scrubber.clean_html(html)),
        _decisions_digest(scrubber.clean_html_and_explain(html)),
        _sha(scrubber.clean(parse_html(html).text)),
    ]


def text_digests(text: str) -> list[str]:
    """Digests of ``clean(text)`` and of every decision of ``clean_and_explain(text)``.

    >>> len(text_digests("Share this\\nA paragraph of body text, long enough to be kept."))
    2
    """
    import scrubber

    return [_sha(scrubber.clean(text)), _decisions_digest(scrubber.clean_and_explain(text))]


def digests(texts: Sequence[str], pages: Sequence[str | bytes]) -> dict[str, list[list[str]]]:
    """:func:`text_digests` of each text and :func:`page_digests` of each page (what
    ``tests/test_compiled.py`` compares between two builds)."""
    return {"text": [text_digests(t) for t in texts], "html": [page_digests(p) for p in pages]}


def _one(job: tuple[str, str, Any]) -> tuple[str, list[str]]:
    set_name, page_id, html = job
    return f"{set_name}/{page_id}", page_digests(html)


def _jobs(sets: Sequence[str]) -> Iterable[tuple[str, str, Any]]:
    from scrubber.train.data import iter_pages

    for set_name in sets:
        for page in iter_pages(set_name):
            yield set_name, page.id, page.html


def compute(sets: Sequence[str] = SETS, jobs: int = 2) -> dict[str, list[str]]:
    """Digests of every page of ``sets``, ``jobs`` worker processes."""
    if jobs <= 1:
        return dict(map(_one, _jobs(sets)))
    with Pool(jobs) as pool:
        return dict(pool.imap(_one, _jobs(sets), chunksize=8))


def compare(before: dict[str, list[str]], now: dict[str, list[str]]) -> list[str]:
    """Lines naming each page whose digests differ (or that is on one side only).

    >>> compare({"a/1": ["x", "y", "z"]}, {"a/1": ["x", "Y", "z"], "a/2": ["x", "y", "z"]})
    ['a/1: explain differs', 'a/2: new page']
    """
    out: list[str] = []
    for key in sorted(set(before) | set(now)):
        if key not in now:
            out.append(f"{key}: missing now")
        elif key not in before:
            out.append(f"{key}: new page")
        else:
            what = [name for name, a, b in zip(("html", "explain", "text"), before[key],
                                               now[key], strict=True) if a != b]
            if what:
                out.append(f"{key}: {', '.join(what)} differs")
    return out


def build_parser() -> argparse.ArgumentParser:
    from scrubber.train.options import at_least

    p = argparse.ArgumentParser(
        prog="python -m scrubber.bench identity",
        description="Record (save) or compare (check) digests of scrubber's outputs on every "
        "page of ../shared/data: the output-identity check for speed work.",
    )
    p.add_argument("mode", choices=("save", "check"))
    p.add_argument("file", help="digest file (JSON) to write (save) or compare with (check)")
    p.add_argument("--sets", nargs="+", default=None,
                   help="data sets (default: save all; check those the file holds)")
    p.add_argument("-j", "--jobs", type=at_least(1), default=2,
                   help="worker processes (default 2)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    path = Path(args.file)
    before: dict[str, list[str]] | None = None
    if args.mode == "check":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"identity: cannot read {path}: {exc}", file=sys.stderr)
            return 2
        if (not isinstance(data, dict) or data.get("format") != FORMAT
                or not isinstance(data.get("pages"), dict)):
            # ("[]" or a file without its pages: an AttributeError or a KeyError)
            print(f"identity: {path} is not a {FORMAT} file", file=sys.stderr)
            return 2
        before = data["pages"]
        saved = data.get("sets")
        saved = ([str(x) for x in saved] if isinstance(saved, list)
                 else sorted({k.split("/", 1)[0] for k in before}))
        if args.sets is None:
            # (the sets the file holds: all five by default counted every page of a set
            # saved without as "new page", and identical outputs failed)
            args.sets = saved
        missing = [s for s in args.sets if s not in saved]
        if missing:
            print(f"identity: {path} holds no digests of {', '.join(missing)} (saved: "
                  f"{', '.join(saved)}): save them first", file=sys.stderr)
            return 2
    elif args.sets is None:
        args.sets = list(SETS)
    if before is None:
        from scrubber.train.options import unwritable

        why = unwritable(path)
        if why is not None:
            print(f"identity: {why}", file=sys.stderr)
            return 2
    from scrubber.train.data import data_root

    start = time.perf_counter()
    try:
        root = data_root(required=True)
        for set_name in args.sets:
            if not (root / set_name).is_dir():  # type: ignore[operator]
                raise FileNotFoundError(f"no set {set_name!r} under {root}")
        now = compute(args.sets, args.jobs)
    except FileNotFoundError as exc:
        print(f"identity: {exc}", file=sys.stderr)
        return 2
    print(f"{len(now)} pages in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if before is None:
        path.write_text(json.dumps({"format": FORMAT, "sets": args.sets, "pages": now}),
                        encoding="utf-8")
        print(f"wrote {path}")
        return 0
    checked = set(args.sets)  # a file saved over more sets is compared on these only
    before = {k: v for k, v in before.items() if k.split("/", 1)[0] in checked}
    diffs = compare(before, now)
    for line in diffs[:50]:
        print(line)
    if len(diffs) > 50:
        print(f"... and {len(diffs) - 50} more")
    print(f"{len(now)} pages: " + (f"{len(diffs)} differ" if diffs else "identical"))
    if diffs:  # (the list above stops at 50: how many of each output, over them all)
        print(summary(before, now))
    return 1 if diffs else 0


def summary(before: dict[str, list[str]], now: dict[str, list[str]]) -> str:
    """How many pages differ in each of the three outputs (pages on both sides only).

    >>> summary({"a/1": ["x", "y", "z"], "a/2": ["x", "y", "z"]},
    ...         {"a/1": ["x", "Y", "Z"], "a/2": ["x", "y", "Z"]})
    'pages differing per output: html 0, explain 1, text 2'
    """
    both = set(before) & set(now)
    counts = [sum(before[k][i] != now[k][i] for k in both) for i in range(3)]
    return "pages differing per output: " + ", ".join(
        f"{name} {c}" for name, c in zip(("html", "explain", "text"), counts, strict=True))


if __name__ == "__main__":
    sys.exit(main())
