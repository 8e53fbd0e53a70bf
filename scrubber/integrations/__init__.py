"""Glue for data-processing engines; each module imports its engine lazily.

* :mod:`scrubber.integrations.datatrove`: a datatrove formatter step
  (:class:`~scrubber.integrations.datatrove.ScrubberFormatter`) and the two steps of the
  repeated-line profile (:class:`~scrubber.integrations.datatrove.ProfileCounter` per shard,
  :class:`~scrubber.integrations.datatrove.ProfileMerger` once).
* :mod:`scrubber.integrations.hf`: a batched function for ``datasets.Dataset.map``.

Spark and Dask need no glue: :func:`scrubber.clean` is a pure function of its text (see
``docs/corpus.md``).
"""
