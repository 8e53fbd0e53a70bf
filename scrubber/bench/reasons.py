"""``python -m scrubber.bench reasons``: what each reason for dropping a line costs, on
labelled lines.

Every line scrubber drops has a reason (a rule id, the model's score, the context step);
this benchmark runs the decision path over the cached labelled renders (the same records
the model trains on, see :mod:`scrubber.train.cache`) and, per reason, adds up the words
of the body lines it dropped (lost) and of the clutter lines it dropped (removed). A rule
whose precision (removed / (removed + lost)) is low drops body text on real pages and is
too broad for the platform it describes; the table shows which.

    python -m scrubber.bench reasons                       # held-out pages, 3 renderers
    python -m scrubber.bench reasons --renderers trafilatura --split train --top 20

A reason dropped in a settle pass (after earlier passes removed lines around it) is
counted apart, as ``<reason> (settle)``. ``--split heldout`` (the default) reads the
held-out sites of the trainable sets and every page of the evaluation-only ones.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..decisions import Action, Decision, Stage
from ..train.__main__ import TEXT_RENDERERS as DEFAULT_RENDERERS  # the text model's renders


@dataclass
class Tally:
    """One reason's count: lines dropped, and the words of the body lines it dropped
    (``lost``) and of the clutter lines it dropped (``removed``)."""

    lines: int = 0
    lost: int = 0
    removed: int = 0

    def add(self, other: Tally) -> None:
        """Count ``other``'s lines and words in this tally too."""
        self.lines += other.lines
        self.lost += other.lost
        self.removed += other.removed

    @property
    def precision(self) -> float:
        """Share of the words dropped for this reason that were clutter."""
        total = self.lost + self.removed
        return self.removed / total if total else 1.0


def reason_key(d: Decision) -> str:
    """The key a dropped line is counted under: ``rule:<id>``, ``model``,
    ``context:no-body``, ``context:comments``, ``profile``, ``dom``; `` (settle)`` added
    when a settle pass dropped it."""
    reason = d.reason
    settle = reason.startswith("pass ") and ": " in reason
    if settle:
        reason = reason.split(": ", 1)[1]
    if d.rule_id:
        key = f"rule:{d.rule_id}"
    elif d.stage is Stage.CONTEXT:
        key = "context:comments" if reason.startswith("in the reader comments") \
            else "context:no-body"
    else:
        key = d.stage.value
    return key + " (settle)" if settle else key


def tally(records: Iterable[Mapping[str, Any]], cfg: Config | None = None
          ) -> tuple[dict[str, Tally], int, int]:
    """Per reason key, the :class:`Tally` of the lines dropped in ``records`` (each with
    ``lines`` and ``labels``: 1 body, 0 clutter, -1 unknown, not counted); also the
    records' body words and the number of records.

        >>> t, body, n = tally([{"lines": ["Leave a Comment", "A body line of words."],
        ...                      "labels": [0, 1]}])
        >>> t["rule:comments.leave-a-comment"].removed, body, n
        (3, 5, 1)
    """
    from ..pipeline import run_lines

    cfg = cfg or Config()
    out: dict[str, Tally] = {}
    body = docs = 0
    for rec in records:
        docs += 1
        lines, labels = rec["lines"], rec["labels"]
        _, explained = run_lines(lines, ["\n"] * len(lines), cfg, explain=True)
        assert explained is not None
        for d, y in zip(explained.decisions, labels, strict=True):
            words = len(d.text.split())
            if y == 1:
                body += words
            if d.action is not Action.DROP or not words or y not in (0, 1):
                continue
            t = out.setdefault(reason_key(d), Tally())
            t.lines += 1
            if y == 1:
                t.lost += words
            else:
                t.removed += words
    return out, body, docs


def format_table(tallies: Mapping[str, Tally], body: int, top: int = 40) -> str:
    """A markdown table of the ``top`` reasons by body words lost, with a total row."""
    rows = sorted(tallies.items(), key=lambda kv: (-kv[1].lost, -kv[1].removed, kv[0]))
    lines = ["| reason | lines dropped | body words lost | share of body | clutter words "
             "removed | precision |", "|---|---|---|---|---|---|"]
    for key, t in rows[:top]:
        lines.append(f"| {key} | {t.lines} | {t.lost} | {t.lost / max(body, 1):.2%} | "
                     f"{t.removed} | {t.precision:.3f} |")
    total = Tally()
    for t in tallies.values():
        total.add(t)
    lines.append(f"| **all reasons** | {total.lines} | {total.lost} | "
                 f"{total.lost / max(body, 1):.2%} | {total.removed} | {total.precision:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from ..train.cache import iter_records
    from ..train.data import TRAINABLE, available_sets, data_root
    from ..train.options import at_least, renderer_names, set_names

    p = argparse.ArgumentParser(prog="python -m scrubber.bench reasons", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sets", nargs="+", help="data sets (default: every available one)")
    p.add_argument("--renderers", nargs="+",
                   help=f"renderers (default: {' '.join(DEFAULT_RENDERERS)})")
    p.add_argument("--split", choices=("heldout", "train", "all"), default="heldout",
                   help="heldout (default): held-out sites of the trainable sets and "
                   "every page of the evaluation-only ones; train: the trainable sets' "
                   "training sites; all: every page")
    p.add_argument("--top", type=at_least(0), default=40,
                   help="reasons shown, most body words lost first (default 40; 0: all)")
    p.add_argument("--out", help="also write the table (markdown) to this file")
    args = p.parse_args(argv)
    # unknown names are usage errors (the missing-cache message below would otherwise
    # suggest a build_dataset command that refuses them too)
    requested = set_names(p, args.sets) if args.sets else None
    args.renderers = renderer_names(p, args.renderers, DEFAULT_RENDERERS)
    if data_root() is None:
        print("reasons: no data (../shared/data or $SCRUBBER_DATA is missing)", file=sys.stderr)
        return 2
    sets = requested or sorted(available_sets())
    if args.split == "train":
        sets = [s for s in sets if s in TRAINABLE]
    tallies: dict[str, Tally] = {}
    body = docs = 0
    t0 = time.time()
    for s in sets:
        split = None if args.split == "all" or s not in TRAINABLE else args.split
        for ren in args.renderers:
            try:
                part, b, n = tally(iter_records(s, ren, split=split))
            except FileNotFoundError as exc:
                print(f"reasons: {exc}", file=sys.stderr)
                return 2
            for k, t in part.items():
                tallies.setdefault(k, Tally()).add(t)
            body += b
            docs += n
            print(f"  {s} / {ren}: {n} pages ({time.time() - t0:.0f}s)", file=sys.stderr,
                  flush=True)
    head = (f"Dropped lines per reason, {docs} pages ({', '.join(sets)}; renderers "
            f"{', '.join(args.renderers)}; split {args.split}), {body} body words in all.")
    table = format_table(tallies, body, args.top or len(tallies))
    print(head + "\n\n" + table)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(head + "\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
