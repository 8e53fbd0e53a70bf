"""Argument checks shared by ``scrubber train``, ``build_dataset`` and the benchmarks
(names, limits, lists, and :func:`unwritable` for an output checked before a long run).

Every command that takes data set names, renderer names, a page ``--limit`` or a list of
numbers checks them here, so a typo is a usage error (``parser.error``: one line, exit 2)
before any long work starts, and all the commands agree on what a value means.

``--limit N`` is the number of pages per set (the first N by id) and must be at least 1;
leave it out for every page. (0 used to mean "no pages" in some commands and "every page"
in others.)

    >>> import argparse
    >>> p = argparse.ArgumentParser(prog="demo")
    >>> names(p, ["wcxb-dev,cleaneval", "dragnet"], ALL_SETS, "set")
    ['wcxb-dev', 'cleaneval', 'dragnet']
    >>> page_limit("5"), at_least(0)("0"), int_list(1)("1,2"), int_list(1)("")
    (5, 0, [1, 2], [])
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .data import ALL_SETS
from .render import RENDERERS

__all__ = [
    "ALL_RENDERERS",
    "ALL_SETS",
    "LIMIT_HELP",
    "at_least",
    "float_list",
    "int_list",
    "names",
    "page_limit",
    "renderer_names",
    "set_names",
]

ALL_RENDERERS: tuple[str, ...] = tuple(RENDERERS)
"""Every renderer :mod:`scrubber.train.render` knows (whether or not it can run here)."""

LIMIT_HELP = "pages per set: the first N by id (N >= 1; default: every page)"
"""The ``--limit`` help every command shows (see the module docstring)."""


def names(parser: argparse.ArgumentParser, values: Iterable[str] | str | None,
          known: Sequence[str], what: str, default: Sequence[str] | None = None) -> list[str]:
    """The names in ``values`` (``nargs="+"`` items and/or comma-separated), checked
    against ``known``; ``default`` (else ``known``) when none are given. An unknown name
    is a usage error naming the known ones."""
    if isinstance(values, str):
        values = [values]
    given = [n.strip() for v in values or () for n in v.split(",") if n.strip()]
    if not given:
        return list(known if default is None else default)
    unknown = [n for n in given if n not in known]
    if unknown:
        parser.error(f"unknown {what}{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
                     f"(known: {', '.join(known)})")
    return list(dict.fromkeys(given))  # a name given twice runs once


def set_names(parser: argparse.ArgumentParser, values: Iterable[str] | str | None,
              default: Sequence[str] | None = None) -> list[str]:
    """Data set names checked against :data:`scrubber.train.data.ALL_SETS`."""
    return names(parser, values, ALL_SETS, "set", default)


def renderer_names(parser: argparse.ArgumentParser, values: Iterable[str] | str | None,
                   default: Sequence[str] | None = None) -> list[str]:
    """Renderer names checked against :data:`ALL_RENDERERS`."""
    return names(parser, values, ALL_RENDERERS, "renderer", default)


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


page_limit = at_least(1)
"""The argparse ``type`` of ``--limit`` (see the module docstring)."""


def int_list(minimum: int) -> Callable[[str], list[int]]:
    """An argparse ``type``: comma-separated integers, each at least ``minimum``; ``''``
    is the empty list (a documented way to skip rows)."""
    one = at_least(minimum)

    def parse(text: str) -> list[int]:
        return [one(x.strip()) for x in text.split(",") if x.strip()]

    parse.__name__ = "comma-separated list"
    return parse


def float_list(text: str) -> list[float]:
    """An argparse ``type``: comma-separated positive numbers; ``''`` is the empty list."""
    out = []
    for x in (x.strip() for x in text.split(",")):
        if not x:
            continue
        try:
            value = float(x)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {x!r}") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be above 0, got {x}")
        out.append(value)
    return out


def unwritable(path: Path) -> str | None:
    """Why a result file cannot be written at ``path`` (its folder made if need be), or
    ``None``: the benchmarks check their outputs before their run, not after it (an
    ``--out`` under ``/proc`` lost a whole run to a traceback at the end)."""
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{path}: cannot make its folder: {exc.strerror or exc}"
    if path.is_dir():
        return f"{path}: is a directory"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path}: not writable"
    import tempfile

    try:  # (a probe file: os.access says yes to root where nothing can be made, /proc)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".probe-"):
            pass
    except OSError as exc:
        return f"{path}: its folder is not writable: {exc.strerror or exc}"
    return None
