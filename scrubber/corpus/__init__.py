"""Corpus builds: clean a whole corpus, streaming, with workers and statistics.

* :mod:`scrubber.corpus.jsonl`: ``scrubber --jsonl``, one JSON object a line, one field
  cleaned, every other field copied byte for byte, ``-j N`` workers with bounded memory.
* :mod:`scrubber.corpus.profile`: site profiles of repeated lines (``scrubber profile build``,
  then ``scrubber --jsonl --profile FILE``).
* :mod:`scrubber.corpus.stats`: the counters and the ``--stats`` table.
* :mod:`scrubber.corpus.records`: one document's cleaning and decisions as plain data (shared
  with :mod:`scrubber.integrations`).

See ``docs/corpus.md`` for datatrove (local, Slurm, Ray), Hugging Face ``datasets``, Spark and
Dask recipes.

The names below are imported from their modules when first used (``from scrubber.corpus
import clean_jsonl`` works as ever): the command line imports :mod:`scrubber.corpus.cli` for
its options on every run, and importing this package must not load the corpus modules, and
numpy with the profiles, for a run that cleans one page.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (for type checkers and editors: at run time __getattr__ below)
    from .jsonl import JsonlOptions, RecordError, atomic_output, clean_jsonl  # noqa: F401
    from .profile import ProfileCounter, SiteProfile, load_profile  # noqa: F401
    from .records import clean_document, decision_records, site_of  # noqa: F401
    from .stats import CorpusStats  # noqa: F401

_EXPORTS = {
    "CorpusStats": "stats",
    "JsonlOptions": "jsonl",
    "ProfileCounter": "profile",
    "RecordError": "jsonl",
    "SiteProfile": "profile",
    "atomic_output": "jsonl",
    "clean_document": "records",
    "clean_jsonl": "jsonl",
    "decision_records": "records",
    "load_profile": "profile",
    "site_of": "records",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # (looked up once)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
