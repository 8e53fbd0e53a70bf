"""A batched cleaning function for Hugging Face ``datasets``.

    from datasets import load_dataset
    from scrubber.integrations.hf import BatchCleaner

    ds = load_dataset("json", data_files="corpus.jsonl", split="train")
    ds = ds.map(BatchCleaner(field="text", decisions="scrubber_decisions"),
                batched=True, batch_size=64, num_proc=8)

or, with a site profile (built with ``scrubber profile build``; the path is opened lazily in
each worker, so nothing big is pickled or fingerprinted)::

    ds = ds.map(BatchCleaner(profile="site-profile.npz", url_field="url"),
                batched=True, num_proc=8)

The plain function :func:`clean_batch` works too (``fn_kwargs`` carries its options)::

    ds.map(clean_batch, batched=True, fn_kwargs={"field": "text"})

A value that is not a string (``None``...) is passed through unchanged and, when
``decisions`` is asked for, gets ``None`` decisions. ``datasets`` types a new column from
the first batch it writes, so a column that starts with ``None`` values (a batch of ``None``
texts: ``output_field``, ``keep_original`` or ``decisions``) cannot take strings later
(``TypeError: Couldn't write column ...``); give ``map`` the types with
:meth:`BatchCleaner.features`::

    fn = BatchCleaner(output_field="clean", decisions="why")
    ds = ds.map(fn, batched=True, features=fn.features(ds.features))

``BatchCleaner`` is a plain picklable object, so ``num_proc`` worker processes and the
``datasets`` cache fingerprint both work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Config
from ..corpus.records import clean_document, site_of

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
        decisions: also store the per-line decisions (a list of dicts) in this column.
        url_field / site_field: columns giving the page URL / site (for ``profile``).
        profile: path to a site profile (``.npz``) or a folder of partial counts.
        min_pages: override the profile's ``min_pages``.
        config: a :class:`scrubber.Config`; ``**overrides`` replace its fields.

    Raises :class:`ValueError` when two of the columns it writes (``output_field``,
    ``keep_original``, ``decisions``) are the same, or ``decisions`` is ``field``; a call
    raises :class:`KeyError` naming the batch's columns when ``field`` is not one of them.
    """

    def __init__(
        self,
        field: str = "text",
        output_field: str | None = None,
        keep_original: str | None = None,
        decisions: str | None = None,
        url_field: str | None = "url",
        site_field: str | None = None,
        profile: str | None = None,
        min_pages: int | None = None,
        config: Config | None = None,
        **overrides: Any,
    ) -> None:
        from ..config import resolve

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
        self.profile = str(profile) if profile is not None else None
        self.min_pages = min_pages
        self.config = resolve(config, overrides)
        self._cfg: Config | None = None

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
        return state

    def _resolved(self) -> Config:
        if self._cfg is None:
            cfg = self.config
            if self.profile is not None:
                from ..corpus.profile import load_profile

                cfg = cfg.replace(profile=load_profile(self.profile, min_pages=self.min_pages))
            self._cfg = cfg
        return self._cfg

    def __call__(self, batch: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
        if self.field not in batch:
            raise KeyError(f"BatchCleaner: no column {self.field!r} in the batch (columns: "
                           f"{', '.join(map(str, batch))}); name the text column with field=")
        texts = batch[self.field]
        if isinstance(texts, (str, bytes, Mapping)) or not isinstance(texts, Iterable):
            # Dataset.map without batched=True hands over one row: its field is one value
            raise TypeError(
                f"BatchCleaner takes a batch (a list per column), but {self.field!r} holds "
                f"one {type(texts).__name__}: call Dataset.map(..., batched=True)"
            )
        cfg = self._resolved()
        cleaned: list[Any] = []
        originals: list[Any] = []
        decisions: list[Any] = []
        for i, text in enumerate(texts):
            originals.append(text)
            if not isinstance(text, str):
                cleaned.append(text)
                decisions.append(None)
                continue
            site = None
            if cfg.profile is not None:
                row = {k: batch[k][i] for k in (self.url_field, self.site_field)
                       if k is not None and k in batch}
                site = site_of(row, self.url_field, self.site_field)
            res = clean_document(text, cfg, site, decisions=self.decisions is not None)
            cleaned.append(res.text)
            decisions.append(res.decisions)
        out: dict[str, list[Any]] = {self.output_field: cleaned}
        if self.keep_original:
            out[self.keep_original] = originals
        if self.decisions:
            out[self.decisions] = decisions
        return out


def clean_batch(batch: Mapping[str, list[Any]], field: str = "text",
                **options: Any) -> dict[str, list[Any]]:
    """Functional form of :class:`BatchCleaner` (``options`` are its arguments)."""
    return BatchCleaner(field=field, **options)(batch)
