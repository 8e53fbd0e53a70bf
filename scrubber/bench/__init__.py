"""Benchmarks: the field's standard extraction metrics (:mod:`scrubber.bench.metrics`), the
accuracy benchmark (:mod:`scrubber.bench.accuracy`) and ``python -m scrubber.bench``."""
