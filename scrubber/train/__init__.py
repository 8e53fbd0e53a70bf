"""Training and evaluation data for scrubber's line classifier.

Reads the labelled page sets under ``../shared/data`` (or ``$SCRUBBER_DATA``), renders each page
to text the way users' scrapers do, and labels every rendered line body/clutter by aligning it to
the page's gold text. Nothing here is imported by the runtime pipeline.

    >>> from scrubber.train.data import data_root, iter_pages      # doctest: +SKIP
    >>> from scrubber.train.render import RENDERERS                 # doctest: +SKIP
    >>> from scrubber.train.label import label_text                 # doctest: +SKIP

Build (and cache) the whole labelled dataset with ``python -m scrubber.train.build_dataset``.
"""
