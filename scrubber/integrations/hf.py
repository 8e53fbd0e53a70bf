"""A batched cleaning function for Hugging Face ``datasets``.

    from datasets import load_dataset
    from scrubber.integrations.hf import BatchCleaner

    ds = load_dataset("json", data_files="corpus.jsonl", split="train")
    ds = ds.map(BatchCleaner(field="text", decisions="scrubber_decisions"),
                batched=True, batch_size=64, num_proc=8)

or, with a site profile (built with ``scrubber profile build``; the path is opened lazily in
each worker, so nothing big is pickled or fingerprinted; a loaded
:class:`~scrubber.corpus.profile.SiteProfile` works too, pickled whole to each worker)::

    ds = ds.map(BatchCleaner(profile="site-profile.npz", url_field="url"),
                batched=True, num_proc=8)

The plain function :func:`clean_batch` works too (``fn_kwargs`` carries its options)::

    ds.map(clean_batch, batched=True, fn_kwargs={"field": "text"})

A value that is not a string (``None``...) is passed through unchanged and, when
``decisions`` is asked for, gets ``None`` decisions; a null of the ``pandas`` or ``numpy``
formats (a NaN of any float type, ``pandas.NA``, ``pandas.NaT``) passes as ``None``.
``datasets`` types a new column from the first batch it writes, so a column that starts
with ``None`` values (a batch of ``None`` texts: ``output_field``, ``keep_original`` or
``decisions``) cannot take strings later
(``TypeError: Couldn't write column ...``), nor can a ``decisions`` column that starts with
empty texts' empty lists (``Couldn't cast array of type struct<...> to null``); whenever
``decisions`` is set, or texts may be ``None``, give ``map`` the types with
:meth:`BatchCleaner.features`::

    fn = BatchCleaner(output_field="clean", decisions="why")
    ds = ds.map(fn, batched=True, features=fn.features(ds.features))

``BatchCleaner`` is a plain picklable object, so ``num_proc`` worker processes and the
``datasets`` cache fingerprint both work.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Config
from ..corpus.profile import SiteProfile, engine_min_pages
from ..corpus.records import check_name, clean_document, site_of

__all__ = ["DECISION_FIELDS", "BatchCleaner", "clean_batch"]

DECISION_FIELDS: dict[str, str] = {"line": "int64", "action": "string", "stage": "string",
                                   "rule_id": "string", "score": "float64", "reason": "string"}
"""The keys of one decision (:func:`scrubber.corpus.records.decision_records`) and their
``datasets`` value types."""


class BatchCleaner:
    """Callable for ``Dataset.map(batched=True)``: ``batch`` is a dict of columns.

    Args:
        field: the text column to clean.
        output_field: where the cleaned text goes (default: ``field``, in place).
        keep_original: also copy the original text to this column.
        decisions: also store the per-line decisions (a list of dicts) in this column
            (a column name, not a flag as in the datatrove step).
        url_field / site_field: columns giving the page URL / site (for ``profile``; a row
            without one has ``config.site``; without that either, the profile is not used
            for it, and the first batch with such rows warns, once per worker).
        profile: a site profile: a path (``str`` or :class:`os.PathLike`) to a profile
            (``.npz``) or a folder of partial counts, loaded on first use, or a loaded
            :class:`~scrubber.corpus.profile.SiteProfile`.
        min_pages: override the profile's ``min_pages`` (an int of at least 2; needs a
            profile, here or in ``config``).
        config: a :class:`scrubber.Config`; ``**overrides`` replace its fields.

    Column names are non-empty strings (:class:`TypeError` otherwise). Raises
    :class:`ValueError` when two of the columns it writes (``output_field``,
    ``keep_original``, ``decisions``) are the same, or ``decisions`` is ``field``; a call
    raises :class:`ValueError` when the batch already has one of the columns it would write
    (``field`` itself, cleaned in place, aside), as the datatrove step refuses such a key,
    and :class:`KeyError` naming the batch's columns when ``field`` is not one of them,
    and :class:`TypeError` when the batch is not a dict of columns (``Dataset.map`` with
    ``input_columns``, or the ``arrow`` format).
    """

    def __init__(
        self,
        field: str = "text",
        output_field: str | None = None,
        keep_original: str | None = None,
        decisions: str | None = None,
        url_field: str | None = "url",
        site_field: str | None = None,
        profile: str | os.PathLike[str] | SiteProfile | None = None,
        min_pages: int | None = None,
        config: Config | None = None,
        **overrides: Any,
    ) -> None:
        from ..config import resolve

        # (decisions=True, the datatrove step's flag, wrote a column named True, which
        # datasets refused with pyarrow's "expected bytes, bool found")
        check_name("BatchCleaner", "a column", "field", field, optional=False)
        for name, value in (("output_field", output_field), ("keep_original", keep_original),
                            ("decisions", decisions), ("url_field", url_field),
                            ("site_field", site_field)):
            check_name("BatchCleaner", "a column", name, value)
        written = [x for x in (output_field or field, keep_original, decisions) if x]
        if len(set(written)) != len(written) or (decisions is not None and decisions == field):
            # (one column would overwrite another: keep_original=field put the original
            # text back over the cleaned one, so nothing was cleaned, without a word)
            raise ValueError("BatchCleaner: output_field (default: field), keep_original and "
                             "decisions must name different columns, and decisions not "
                             f"field; got field={field!r}, output_field={output_field!r}, "
                             f"keep_original={keep_original!r}, decisions={decisions!r}")
        self.field = field
        self.output_field = output_field or field
        self.keep_original = keep_original
        self.decisions = decisions
        self.url_field = url_field
        self.site_field = site_field
        if profile is None or isinstance(profile, SiteProfile):
            self.profile: str | SiteProfile | None = profile
        elif isinstance(profile, (str, os.PathLike)):
            self.profile = os.fsdecode(profile)
        else:  # (a profile object was read as the path of its repr)
            raise TypeError(f"BatchCleaner: profile is a path or a SiteProfile, not "
                            f"{type(profile).__name__}")
        self.config = resolve(config, overrides)
        # the rules now, where the step is made: a missing rule file or an unknown rule to
        # disable failed every worker at its first document
        from ..pipeline import ruleset_for

        ruleset_for(self.config)
        # (without a profile it did nothing, where --min-pages without --profile is an error)
        self.min_pages = engine_min_pages("BatchCleaner", min_pages,
                                          profile if profile is not None else self.config.profile)
        self._cfg: Config | None = None
        self._warned = False

    def features(self, features: Mapping[str, Any]) -> Any:
        """The ``features=`` of ``Dataset.map`` with this cleaner over a dataset of
        ``features`` (``ds.features``): those, with the columns it writes typed
        (``output_field`` and ``keep_original`` as ``field``, ``decisions`` a list of
        :data:`DECISION_FIELDS` records), so that a first batch of ``None`` texts does not fix
        their type to null. Needs ``datasets``."""
        from datasets import Features, Value

        out = Features(dict(features))
        text = features[self.field] if self.field in features else Value("string")
        out[self.output_field] = text
        if self.keep_original:
            out[self.keep_original] = text
        if self.decisions:
            out[self.decisions] = [{k: Value(v) for k, v in DECISION_FIELDS.items()}]
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cfg"] = None  # the loaded profile stays out of pickles and fingerprints
        state["_warned"] = False  # (nor may a first call change the fingerprint)
        return state

    def _resolved(self) -> Config:
        if self._cfg is None:
            cfg = self.config
            prof = self.profile if self.profile is not None else cfg.profile
            if isinstance(prof, str):
                from ..corpus.profile import load_profile

                prof = load_profile(prof, min_pages=self.min_pages)
            elif prof is not None and self.min_pages is not None:
                prof = prof.replace(min_pages=self.min_pages)
            self._cfg = cfg.replace(profile=prof) if prof is not cfg.profile else cfg
        return self._cfg

    def __call__(self, batch: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
        if not callable(getattr(batch, "keys", None)):
            # (map(input_columns=...) hands over the column itself, the arrow format a
            # pyarrow Table: "no column 'text'" listed the texts as the batch's columns)
            raise TypeError(
                f"BatchCleaner takes a batch as a dict of columns, not a "
                f"{type(batch).__name__}: call Dataset.map(..., batched=True) without "
                f"input_columns, on a dataset in the python, numpy or pandas format")
        if self.field not in batch:
            raise KeyError(f"BatchCleaner: no column {self.field!r} in the batch (columns: "
                           f"{', '.join(map(str, batch))}); name the text column with field=")
        for col, name in ((self.keep_original, "keep_original"), (self.decisions, "decisions"),
                          (self.output_field if self.output_field != self.field else None,
                           "output_field")):
            # (keep_original="raw" over a dataset with a "raw" column, or over the output of
            # a first map with the same cleaner, replaced that column without a word)
            if col is not None and col in batch:
                raise ValueError(
                    f"BatchCleaner: the batch already has a column {col!r}, which {name} "
                    f"would write over; give {name} another name, or remove the column "
                    f"first (Dataset.remove_columns; map's remove_columns= acts too late)")
        texts = batch[self.field]
        if isinstance(texts, (str, bytes, Mapping)) or not isinstance(texts, Iterable):
            # Dataset.map without batched=True hands over one row: its field is one value
            raise TypeError(
                f"BatchCleaner takes a batch (a list per column), but {self.field!r} holds "
                f"one {type(texts).__name__}: call Dataset.map(..., batched=True)"
            )
        cfg = self._resolved()
        # the site columns by position, as the texts are read (a pandas DataFrame indexed
        # otherwise than 0..n-1, a Dask or Spark partition, gave each row another row's
        # site, or a KeyError)
        sites = {k: list(batch[k]) for k in (self.url_field, self.site_field)
                 if cfg.profile is not None and k is not None and k in batch}
        cleaned: list[Any] = []
        originals: list[Any] = []
        decisions: list[Any] = []
        no_site = 0
        for i, text in enumerate(texts):
            if text is not None and not isinstance(text, str) and _is_null(text):
                # (pandas's null: a NaN float could not be written to a string column)
                text = None
            originals.append(text)
            if not isinstance(text, str):
                cleaned.append(text)
                decisions.append(None)
                continue
            site = None
            if cfg.profile is not None:
                site = site_of({k: v[i] for k, v in sites.items()}, self.url_field,
                               self.site_field)
                no_site += site is None and cfg.site is None
            try:
                res = clean_document(text, cfg, site, decisions=self.decisions is not None)
            except Exception as e:
                # (a user rule's timeout said "line 1", not of which row)
                e.add_note(f"while BatchCleaner cleaned row {i} of the batch (column "
                           f"{self.field!r})")
                raise
            cleaned.append(res.text)
            decisions.append(res.decisions)
        if no_site and not self._warned:
            # (a mistyped url_field turned the profile off without a word, where --jsonl
            # and the datatrove step count such records)
            import warnings

            self._warned = True
            columns = " or ".join(repr(k) for k in (self.url_field, self.site_field) if k)
            warnings.warn(
                f"BatchCleaner: {no_site} of {len(cleaned)} rows of a batch have no site (no "
                f"column {columns or '(url_field and site_field are None)'}, or a value that "
                f"is empty or not a string), so the site profile is not used for them; name "
                f"the columns with url_field= / site_field= (said once per worker)",
                UserWarning, stacklevel=2)
        out: dict[str, list[Any]] = {self.output_field: cleaned}
        if self.keep_original:
            out[self.keep_original] = originals
        if self.decisions:
            out[self.decisions] = decisions
        return out


def clean_batch(batch: Mapping[str, list[Any]], field: str = "text",
                **options: Any) -> dict[str, list[Any]]:
    """Functional form of :class:`BatchCleaner` (``options`` are its arguments). It builds
    a new cleaner for each batch, so a ``profile`` given as a path is read again for every
    batch: with a profile, map a :class:`BatchCleaner` (it reads the file once)."""
    return BatchCleaner(field=field, **options)(batch)


def _is_null(value: Any) -> bool:
    """A null of a pandas or numpy batch: a NaN of any float type (``numpy.float32`` is
    no ``float``), ``pandas.NA`` or ``pandas.NaT``."""
    if isinstance(value, numbers.Real):
        return value != value
    kind = type(value)
    return kind.__module__.startswith("pandas") and kind.__name__ in ("NAType", "NaTType")
