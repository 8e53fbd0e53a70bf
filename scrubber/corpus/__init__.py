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
"""

from __future__ import annotations

from .jsonl import JsonlOptions, RecordError, atomic_output, clean_jsonl
from .profile import ProfileCounter, SiteProfile, load_profile
from .records import clean_document, decision_records, site_of
from .stats import CorpusStats

__all__ = [
    "CorpusStats",
    "JsonlOptions",
    "ProfileCounter",
    "RecordError",
    "SiteProfile",
    "atomic_output",
    "clean_document",
    "clean_jsonl",
    "decision_records",
    "load_profile",
    "site_of",
]
