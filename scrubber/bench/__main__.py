"""``python -m scrubber.bench <subcommand>``: the project's benchmarks.

Subcommands:

* ``accuracy``: word / shingle F1 of scrubber and baselines per set × renderer, with the
  issue's targets (:mod:`scrubber.bench.accuracy`); ``accuracy --pin-floors`` re-pins the
  test gate's floors.
* ``throughput``: speed benchmark (:mod:`scrubber.bench.throughput`, when present).
* ``pathological``: time and memory against size on pathological inputs, and the
  idempotence rate on the shared data (:mod:`scrubber.bench.pathological`).
* ``html``: HTML track: scrubber.clean_html and peer extractors on the same pages, word /
  shingle F1, speed and memory (:mod:`scrubber.bench.html_track`).
* ``identity``: digests of scrubber's outputs on every page, saved and checked: the
  output-identity check for speed work (:mod:`scrubber.bench.identity`).
* ``reasons``: per reason for dropping a line (rule id, model, context step), the body
  and clutter words it dropped on the labelled pages (:mod:`scrubber.bench.reasons`).

Everything after the subcommand goes to it: ``python -m scrubber.bench accuracy --help``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib import import_module

SUBCOMMANDS: dict[str, str] = {
    "accuracy": "scrubber.bench.accuracy",
    "throughput": "scrubber.bench.throughput",
    "pathological": "scrubber.bench.pathological",
    "html": "scrubber.bench.html_track",
    "identity": "scrubber.bench.identity",
    "reasons": "scrubber.bench.reasons",
}
"""Subcommand -> module with a ``main(argv) -> int``."""

_USAGE = """usage: python -m scrubber.bench {accuracy,throughput,pathological,html,identity,reasons}
       [opts]

  accuracy     word and shingle F1 of scrubber and baselines per data set x renderer
  throughput   documents/s and MB/s of scrubber
  pathological time and memory vs size on pathological inputs; idempotence rate
  html         HTML track: clean_html vs trafilatura, resiliparse, readability, ... on HTML
  identity     save / check digests of scrubber's outputs on every page (speed work)
  reasons      per reason for dropping a line: body and clutter words dropped (labelled)

Run a subcommand with --help for its options."""


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand's ``main(argv)``; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_USAGE)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    target = SUBCOMMANDS.get(name)
    if target is None:
        print(f"unknown subcommand {name!r}\n\n{_USAGE}", file=sys.stderr)
        return 2
    try:
        module = import_module(target)
    except ImportError as exc:
        if exc.name != target:
            raise  # the module exists but one of its own imports failed: show it
        print(f"subcommand {name!r} is not available ({target} is missing)", file=sys.stderr)
        return 2
    entry: Callable[[Sequence[str]], int | None] | None = getattr(module, "main", None)
    if entry is None:
        print(f"{target} has no main(argv)", file=sys.stderr)
        return 2
    status = entry(rest)
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
