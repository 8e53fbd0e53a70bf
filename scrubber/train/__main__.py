"""``python -m scrubber.train`` (also ``scrubber train``): rebuild the shipped weights.

Builds whatever renders/labels are missing from ``../shared/data`` (cached), trains on the
trainable sets' train split, scores candidates on held-out sites, and writes
``scrubber/weights/<kind>.npz`` + ``<kind>.json``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .data import EVAL_ONLY, TRAINABLE, data_root
from .options import ALL_RENDERERS, at_least, renderer_names, set_names, unwritable

# The text model's training renderers: the three the shipped weights were trained on (the
# blocks renderer trains the HTML model; `--renderers` adds it to the text model too).
TEXT_RENDERERS = ("trafilatura", "inscriptis", "html_text")
# the markdown model's renderer (scrapers' markdown: scrubber.lines.MarkupView.markdown)
MARKDOWN_RENDERER = "markdown"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scrubber.train``; returns the exit status."""
    from .cache import CacheError

    try:
        return _main(argv)
    except CacheError as exc:  # (a damaged cache file: one line naming it)
        print(f"scrubber train: {exc}", file=sys.stderr)
        return 1


def _main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="scrubber train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--sets", nargs="+",
                   help=f"sets to train on (default: {' '.join(sorted(TRAINABLE))}; "
                   f"{', '.join(sorted(EVAL_ONLY))} are evaluation only)")
    p.add_argument("--renderers", nargs="+",
                   help=f"the text model's renderers (default: {' '.join(TEXT_RENDERERS)}; "
                   f"known: {', '.join(ALL_RENDERERS)})")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "weights",
                   help="where the weights and cards go (default: the package's weights, "
                        "scrubber/weights; SCRUBBER_WEIGHTS=DIR reads another folder)")
    p.add_argument(
        "--compare",
        action="store_true",
        help="also fit gradient-boosted trees (reported in the card, not shipped)",
    )
    p.add_argument("--no-build", action="store_true", help="use the cache as it is")
    p.add_argument(
        "--seed", type=at_least(0), default=None,
        help="the random seed of the fits and samples (default 1234, the shipped weights'); "
        "another seed measures how much the results owe to it",
    )
    p.add_argument(
        "--kind",
        choices=("text", "html", "markdown", "both", "all"),
        default="all",
        help="text: the model for scraped text (plain-text renderers); html: the model for "
        "clean_html (the blocks renderer plus DOM features); markdown: the text model of "
        "scrapers' markdown (the markdown renderer); both: text and html; all (default): "
        "the three shipped models",
    )
    p.add_argument(
        "--members", type=int, default=None,
        help="nets in the text model's teacher ensemble, from successive seeds (default 5); "
        "the shipped net is distilled from it; 1: one net fitted on the labels alone",
    )
    p.add_argument(
        "--no-distil", action="store_true",
        help="ship the text model's teacher ensemble itself (its nets' probabilities "
        "averaged, slower) instead of the one net distilled from it",
    )
    p.add_argument(
        "--no-pin", action="store_true",
        help="train on this machine's own BLAS kernels and threads instead of the pinned "
        "ones (OpenBLAS Haswell, one thread; README, 'The model'): the weights then differ "
        "from the shipped ones where the kernels differ",
    )
    p.add_argument(
        "--rules", choices=("card", "all"), default="card",
        help="the rules whose verdicts the features read in training: card (default) the "
        "ones each shipped model's card lists, so that the command rebuilds the shipped "
        "weights; all: every built-in rule, the ones added since included (README, 'Rules "
        "the model was not trained with')",
    )
    args = p.parse_args(argv)
    if args.members is not None and args.members < 1:
        p.error(f"--members must be at least 1, got {args.members}")
    # Unknown names are usage errors here: --no-build would otherwise reach the cache
    # lookup and fail there with a traceback (a missing nosuch@unknown file).
    # (in one order whatever order they are given in: the rows are stacked so, and the
    # card's data hash sorts them, so two orders wrote other weights under one hash)
    args.sets = sorted(set(set_names(p, args.sets, sorted(TRAINABLE))))
    order = [*TEXT_RENDERERS, *(r for r in ALL_RENDERERS if r not in TEXT_RENDERERS)]
    args.renderers = sorted(set(renderer_names(p, args.renderers, TEXT_RENDERERS)),
                            key=order.index)
    from .fit import TEACHERS

    members = args.members if args.members is not None else TEACHERS
    if args.seed is not None and args.seed + members > 2**32 - 1:
        # (the fits' seeds are seed, seed + 1, ...: numpy's limit, found minutes in)
        p.error(f"--seed must be at most {2**32 - 1 - members} with {members} members, "
                f"got {args.seed}")
    bad = sorted(set(args.sets) - set(TRAINABLE))
    if bad:
        print(
            f"scrubber train: {', '.join(bad)} may not train the shipped model "
            "(evaluation only, see ../shared/data/README.md)",
            file=sys.stderr,
        )
        return 2
    try:
        data_root(required=True)
    except FileNotFoundError as exc:  # exit 2, as the benchmarks do without data
        print(f"scrubber train: no data: {exc}", file=sys.stderr)
        return 2
    # (written after the training: an unwritable folder lost the run to a traceback)
    why = unwritable(args.out / "text.npz")
    if why is not None:
        p.error(f"--out {args.out}: not a writable folder ({why})")
    if not args.no_pin:
        # OpenBLAS reads its kernel choice when it loads, long before this line: a child
        # process takes the pinned environment (scrubber.train.numerics says why)
        from .numerics import rerun_pinned, unpinnable

        code = rerun_pinned(list(sys.argv[1:] if argv is None else argv))
        if code is not None:
            return code
        why = unpinnable()
        if why is not None:
            print(f"scrubber train: not pinning the BLAS kernels ({why}): the weights may "
                  "differ from the shipped ones", file=sys.stderr)
    # (--kind html built the text renderers too, which it does not read)
    renderers = list(args.renderers) if args.kind in ("text", "both", "all") else []
    if args.kind in ("html", "both", "all") and "blocks" not in renderers:
        renderers.append("blocks")
    if args.kind in ("markdown", "all"):
        renderers.append(MARKDOWN_RENDERER)
    if not args.no_build:
        from .cache import build

        build(sets=args.sets, renderers=renderers)
    else:
        # (--kind all trained and wrote two models before the markdown cache's absence
        # stopped it with a traceback)
        from .cache import dataset_path

        missing = [f"{s} x {r}" for s in args.sets for r in renderers
                   if not dataset_path(s, r).is_file()]
        if missing:
            print(f"scrubber train: --no-build, but the cache lacks {', '.join(missing)}: "
                  f"build them with python -m scrubber.train.build_dataset (or train "
                  "without --no-build)", file=sys.stderr)
            return 1
    from .fit import recipe, train, training_rules

    def log(s: str) -> None:
        print(s, file=sys.stderr, flush=True)

    kinds = {"text": ("text",), "html": ("html",), "markdown": ("markdown",),
             "both": ("text", "html"), "all": ("text", "html", "markdown")}[args.kind]
    for line in [*renderer_drift(kinds, args.renderers), *version_drift(kinds)]:
        log(line)
    rules = shipped_rules() if args.rules == "card" else {}
    given = list(sys.argv[1:] if argv is None else argv)
    command = shlex.join(["python", "-m", "scrubber.train", *given])
    with recipe(seed=args.seed, teachers=args.members, distil=False if args.no_distil
                else None), training_rules(rules):
        if args.kind in ("text", "both", "all"):
            train(args.sets, args.renderers, args.out, compare=args.compare, kind="text",
                  log=log, command=command)
        if args.kind in ("html", "both", "all"):
            train(args.sets, ["blocks"], args.out, compare=args.compare, kind="html", log=log,
                  command=command)
        if args.kind in ("markdown", "all"):
            train(args.sets, [MARKDOWN_RENDERER], args.out, compare=args.compare,
                  kind="markdown", log=log, command=command)
    return 0


def shipped_cards() -> dict[str, dict[str, Any]]:
    """kind -> the card of the shipped model of that kind (``scrubber/weights``)."""
    import json
    from importlib import resources

    out: dict[str, dict[str, Any]] = {}
    for kind in ("text", "html", "markdown"):
        card = resources.files("scrubber") / "weights" / f"{kind}.json"
        if card.is_file():
            out[kind] = json.loads(card.read_text("utf-8"))
    return out


def renderer_drift(kinds: Sequence[str], renderers: Sequence[str]) -> list[str]:
    """Warnings for the renderers whose code here is not what rendered a shipped model's
    training pages (its card's ``renderer_versions``): the command then trains on other
    renders and writes other weights (a newer markdownify, 1.2.4 against the card's 1.2.3,
    changed two of 469,569 lines and the markdown model's thresholds)."""
    from .render import renderer_version

    cards = shipped_cards()
    out = []
    for kind in kinds:
        if kind not in cards:
            continue
        versions = cards[kind].get("renderer_versions") or {}
        names = {"html": ["blocks"], "markdown": ["markdown"]}.get(kind, list(renderers))
        for name in names:
            want, have = versions.get(name), renderer_version(name)
            if want is not None and want != have:
                how = ("that version is a digest of scrubber/html.py and selectolax's version: "
                       "they rebuild only with that html.py" if name == "blocks" else
                       "install that version to rebuild them")
                out.append(f"scrubber train: warning: the shipped {kind} model was trained on "
                           f"{name} renders of version {want}; this is {have}: the weights "
                           f"will differ from the shipped ones ({how})")
    return out


def version_drift(kinds: Sequence[str]) -> list[str]:
    """Warnings for the numerical packages (and Python) whose version here is not the one
    that trained a shipped model (its card's ``numerics.versions``): equal weights need
    them too (README, "The model"), and nothing said so."""
    from .numerics import versions

    here = versions()
    out = []
    for kind, card in shipped_cards().items():
        if kind not in kinds:
            continue
        trained = (card.get("numerics") or {}).get("versions") or {}
        drift = [f"{name} {want} (here {here.get(name, 'unknown')})" for name, want in
                 sorted(trained.items()) if here.get(name) != want]
        if drift:
            out.append(f"scrubber train: warning: the shipped {kind} model was trained with "
                       f"{', '.join(drift)}: the weights may differ from the shipped ones")
    return out


def shipped_rules() -> dict[str, list[str]]:
    """kind -> the rule ids the shipped model of that kind was trained with (its card's
    ``rules``; a card without them: every rule, not in the mapping)."""
    return {kind: [str(r) for r in card["rules"]] for kind, card in shipped_cards().items()
            if isinstance(card.get("rules"), list)}


if __name__ == "__main__":
    sys.exit(main())
