"""datatrove steps: clean ``doc.text`` with scrubber, and build site profiles of repeated lines.

    pip install "scrubber[datatrove]"

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from scrubber.integrations.datatrove import ProfileCounter, ScrubberFormatter

    count = LocalPipelineExecutor(pipeline=[
        JsonlReader("data/raw"),                        # metadata["url"] names the site
        ProfileCounter("work/profile-counts"),          # one partial count file per task
    ], tasks=64, workers=8, logging_dir="logs/count")
    clean = LocalPipelineExecutor(pipeline=[
        JsonlReader("data/raw"),
        ScrubberFormatter(profile="work/profile-counts"),   # merges the partials on load
        JsonlWriter("data/clean"),
    ], tasks=64, workers=8, logging_dir="logs/clean", depends=count)
    clean.run()

For very large profiles, merge once with :class:`ProfileMerger` (a one-task stage between the
two) and pass the merged file as ``profile=``. The same pipelines run unchanged on
``SlurmPipelineExecutor`` and ``RayPipelineExecutor`` (see ``docs/corpus.md``).

:class:`ScrubberFormatter` writes ``doc.metadata["scrubber"]``: ``lines_in``, ``lines_out``,
``counts`` (dropped/trimmed lines per reason key) and, with ``decisions=True``, one dict per
input line (:func:`scrubber.corpus.records.decision_records`). It never writes over a key a
document already holds (a :class:`ValueError` naming the document and the key instead).
The per-reason counts also go to datatrove's stats (``drop:rule:<id>``, ``drop:model``,
``drop:context``, ``drop:profile``, ``drop:layout`` for blank lines: they add up to
``lines_in - lines_out``), so ``stats.json`` of the run says which rule removed
how much.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any

from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder, open_file
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from ..config import Config
from ..corpus import profile as _profile
from ..corpus.records import check_name, clean_document, site_of

__all__ = ["ProfileCounter", "ProfileMerger", "ScrubberFormatter", "load_profile"]


def load_profile(source: str | DataFolderLike, **options: Any) -> _profile.SiteProfile:
    """A :class:`~scrubber.corpus.profile.SiteProfile` from a merged profile file, or from a
    folder of partial count files (any fsspec path datatrove understands, e.g. ``s3://``, or
    a local :class:`os.PathLike`).
    A folder without ``.npz`` files is a :class:`FileNotFoundError`; a finished profile among
    the partials a :class:`ValueError` (as :func:`~scrubber.corpus.profile.merge_partials`)."""
    if isinstance(source, os.PathLike):  # (datatrove's folders take str paths only)
        source = os.fspath(source)
    if isinstance(source, str) and source.endswith(".npz"):
        with open_file(source, "rb") as fh:
            return _profile.SiteProfile.load(fh, **{k: v for k, v in options.items()
                                                    if v is not None})
    folder = get_datafolder(source)
    return _profile.merge_partials(_opened(folder, _partial_files(folder)),
                                   **{k: v for k, v in options.items() if v is not None})


def _partial_files(folder: DataFolder, skip: str | None = None) -> list[str]:
    """The ``.npz`` files of a folder of partial counts, but ``skip``; none is an error."""
    files = [f for f in folder.list_files(glob_pattern="*.npz") if f != skip]
    if not files:
        raise FileNotFoundError(f"no .npz profile counts in {folder.path!r}")
    return files


def _opened(folder: DataFolder, files: list[str]) -> Iterator[IO[bytes]]:
    """Each file open while :func:`~scrubber.corpus.profile.merge_partials` reads it (its
    arrays are in memory once read), so a thousand shards are not a thousand open files."""
    for f in files:
        with folder.open(f, "rb") as fh:
            yield fh


class ScrubberFormatter(BaseFormatter):
    """Clean ``doc.text``; decisions and per-reason counts go to ``doc.metadata`` and stats.

    Args:
        config: a :class:`scrubber.Config` (default: the default config).
        profile: a site profile: a ``SiteProfile``, a merged ``.npz`` file, or a folder of
            partial counts written by :class:`ProfileCounter` (a path ``str`` or
            :class:`os.PathLike`).
        min_pages: override the profile's ``min_pages`` (an int of at least 2; needs a
            profile, here or in ``config``).
        url_key / site_key: metadata keys giving the document's URL / site (for ``profile``;
            a document without one has ``config.site``, else none: counted ``no_site``).
        metadata_key: where the summary goes in ``doc.metadata`` (``None``: nowhere).
        decisions: also store one dict per input line (bigger output).
        keep_original_key: also keep the original text in ``doc.metadata[key]`` (not
            ``metadata_key``'s: :class:`ValueError`).

    The step writes only keys a document does not hold yet: a document whose metadata
    already has ``metadata_key`` or ``keep_original_key`` (a second scrubber step with the
    same keys, or a field of the user's own) is a :class:`ValueError`
    naming the document and the key, raised before the document is cleaned, so the task
    stops rather than lose that value. Give the step other keys (``metadata_key=
    "scrubber_2"``, or ``None``), or remove the field before it.
        drop_empty: drop documents whose cleaned text is empty (counted ``dropped_empty``).
        stats: count the lines dropped per reason in the step's stats (``drop:rule:<id>``...),
            whatever ``metadata_key`` is. The counts take the explaining path of the
            pipeline (same output, more time); with ``stats=False`` and
            ``metadata_key=None`` the step takes the plain one and counts only lines and bytes.
        **overrides: :class:`scrubber.Config` fields (``threshold=0.6``...).

    The keys are non-empty strings and the flags ``bool`` (:class:`TypeError` otherwise).
    A document whose ``text`` is not a string (``None``) passes through unchanged, as
    :class:`scrubber.integrations.hf.BatchCleaner` passes such values: counted ``not_text``,
    with a warning naming the first one of each task.
    """

    name = "🧽 scrubber"

    def __init__(
        self,
        config: Config | None = None,
        profile: Any = None,
        min_pages: int | None = None,
        url_key: str | None = "url",
        site_key: str | None = None,
        metadata_key: str | None = "scrubber",
        decisions: bool = True,
        keep_original_key: str | None = None,
        drop_empty: bool = False,
        stats: bool = True,
        **overrides: Any,
    ) -> None:
        super().__init__()
        from ..config import resolve

        # (decisions="why", BatchCleaner's column argument, was read as True; a key True
        # was written, which JsonlWriter refuses: orjson's "Dict key must be str")
        for name, flag in (("decisions", decisions), ("drop_empty", drop_empty),
                           ("stats", stats)):
            if not isinstance(flag, bool):
                raise TypeError(f"ScrubberFormatter: {name} must be True or False, got {flag!r}")
        for name, key in (("metadata_key", metadata_key), ("keep_original_key", keep_original_key),
                          ("url_key", url_key), ("site_key", site_key)):
            check_name("ScrubberFormatter", "a metadata key", name, key)
        if keep_original_key is not None and keep_original_key == metadata_key:
            # (the summary was written over the original text kept under the same key)
            raise ValueError(f"ScrubberFormatter: keep_original_key and metadata_key are both "
                             f"{metadata_key!r}; give the original text its own key")
        self.config = resolve(config, overrides)
        # the rules now, where the step is made: a missing rule file or an unknown rule to
        # disable failed every worker at its first document
        from ..pipeline import ruleset_for

        ruleset_for(self.config)
        self.profile_source = profile
        # (without a profile it did nothing, and a Config's profile did not take it)
        self.min_pages = _profile.engine_min_pages(
            "ScrubberFormatter", min_pages, profile if profile is not None else self.config.profile)
        self.url_key = url_key
        self.site_key = site_key
        self.metadata_key = metadata_key
        self.decisions = decisions
        self.keep_original_key = keep_original_key
        self.drop_empty = drop_empty
        self.count_reasons = stats  # (PipelineStep.stats is datatrove's own)
        # the keys run() writes, and the argument naming each
        self._written = tuple((key, name) for key, name in ((metadata_key, "metadata_key"),
                                                             (keep_original_key,
                                                              "keep_original_key"))
                              if key is not None)
        self._cfg: Config | None = None

    def __getstate__(self) -> dict[str, Any]:
        # (after .format() or a run in the parent, the loaded profile went into every
        # pickle sent to a worker: the steps keep only paths and settings)
        state = dict(self.__dict__)
        state["_cfg"] = None
        return state

    def _resolved(self) -> Config:
        if self._cfg is None:
            src = self.profile_source
            prof = None
            if src is None:  # the config's own, if any
                prof = self.config.profile
                if prof is not None and self.min_pages is not None:
                    prof = prof.replace(min_pages=self.min_pages)
            elif isinstance(src, _profile.SiteProfile):
                prof = src if self.min_pages is None else src.replace(min_pages=self.min_pages)
            else:
                prof = load_profile(src, min_pages=self.min_pages)
            self._cfg = self.config.replace(profile=prof) if prof is not None else self.config
        return self._cfg

    def format(self, text: str) -> str:
        """The cleaned text (what :meth:`run` puts in ``doc.text``)."""
        return clean_document(text, self._resolved()).text

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        cfg = self._resolved()
        explain = self.metadata_key is not None or self.count_reasons
        warned = False
        for doc in data:
            self.stat_update(StatHints.total)
            if not isinstance(doc.text, str):
                self.stat_update("not_text")
                if not warned:
                    logger.warning(f"document {doc.id!r}: text is a {type(doc.text).__name__}, "
                                   "not a string: passed through unchanged (counted not_text)")
                    warned = True
                yield doc
                continue
            for key, name in self._written:
                # (the summary was written over the key: a second scrubber step's, or the
                # user's own field, lost without a word)
                if key in doc.metadata:
                    raise ValueError(
                        f"ScrubberFormatter: document {doc.id!r} already has "
                        f"metadata[{key!r}], which this step's {name} would overwrite; give "
                        f"the step another {name} (or None), or remove that field before it")
            site = None
            if cfg.profile is not None:
                site = site_of(doc.metadata, self.url_key, self.site_key)
                if site is None and cfg.site is None:
                    self.stat_update("no_site")
            try:
                with self.track_time():
                    res = clean_document(doc.text, cfg, site, explain=explain,
                                         decisions=self.metadata_key is not None
                                         and self.decisions)
            except Exception as e:
                # (a user rule's timeout said "line 1", not of which of the task's documents)
                e.add_note(f"while ScrubberFormatter cleaned document {doc.id!r}")
                raise
            self.stat_update("lines_in", value=res.lines_in)
            self.stat_update("lines_out", value=res.lines_out)
            self.stat_update("bytes_in", value=res.bytes_in)
            self.stat_update("bytes_out", value=res.bytes_out)
            counts = dict(res.reasons)
            if res.blank_dropped:
                # (as --jsonl --stats counts them: the drop: counts add up to lines_in -
                # lines_out; the blank lines dropped were left out)
                counts["drop:layout"] = res.blank_dropped
            if self.count_reasons:
                # (stats=False still wrote every reason's count to the step's stats when
                # metadata_key asked for the explaining path)
                for key, n in counts.items():
                    self.stat_update(key, value=n)
            if self.keep_original_key:
                doc.metadata[self.keep_original_key] = doc.text
            if self.metadata_key is not None:
                meta: dict[str, Any] = {"lines_in": res.lines_in, "lines_out": res.lines_out,
                                        "counts": counts}
                if res.decisions is not None:
                    meta["decisions"] = res.decisions
                doc.metadata[self.metadata_key] = meta
            doc.text = res.text
            if self.drop_empty and not res.text.strip():
                self.stat_update("dropped_empty")
                continue
            yield doc


class ProfileCounter(PipelineStep):
    """First pass of the repeated-line profile: count, per site, on how many pages each
    normalised line occurs, over this task's documents, and write the counts to
    ``output_folder/<rank>.npz`` when the task's input is exhausted. Documents pass through
    unchanged (chain it after a reader, or before other steps).

    Args:
        output_folder: where the partial count files go (local or fsspec).
        url_key / site_key: metadata keys giving the document's URL / site.
        dedupe: count a page with the same normalised lines as a page this task counted
            before once (``duplicate_pages``; the default, as ``scrubber profile build``);
            ``False`` counts every page.

    A document whose ``text`` is not a string (``None``) is not counted (``not_text``).

    Each file names its task (``rank``) and the run's number of tasks (``world_size``):
    loading the folder (:func:`load_profile`, :class:`ProfileMerger`, ``--profile``) refuses
    one that is not the files of every task of one run, such as a folder that still holds
    the files of an earlier run with more tasks (:func:`scrubber.corpus.profile.merge_partials`).
    """

    type = "📊 - STATS"
    name = "🧽 scrubber profile counts"

    def __init__(self, output_folder: DataFolderLike, url_key: str | None = "url",
                 site_key: str | None = None, dedupe: bool = True) -> None:
        super().__init__()
        # (url_key=3 found no site in any document: every page went uncounted, no_site)
        check_name("ProfileCounter", "a metadata key", "url_key", url_key)
        check_name("ProfileCounter", "a metadata key", "site_key", site_key)
        if not isinstance(dedupe, bool):
            raise TypeError(f"ProfileCounter: dedupe is a bool, not {dedupe!r}")
        self.output_folder = get_datafolder(output_folder)
        self.url_key = url_key
        self.site_key = site_key
        self.dedupe = dedupe

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        counter = _profile.ProfileCounter(dedupe=self.dedupe)
        try:
            for doc in data or ():
                site = site_of(doc.metadata, self.url_key, self.site_key)
                if not isinstance(doc.text, str):
                    # (a page without text was counted as a page of its site; the
                    # formatter passes such documents through as not_text too)
                    self.stat_update("not_text")
                elif site is None:
                    self.stat_update("no_site")
                else:
                    with self.track_time():
                        counted = counter.add(site, doc.text)
                    # (a page with the same lines as one counted before in this task)
                    self.stat_update("pages_counted" if counted else "duplicate_pages")
                yield doc
            with self.output_folder.open(f"{rank:05d}.npz", "wb") as fh:
                # (its task in the file: a folder holding an earlier run's files of more
                # tasks merged them too, so loading it checks it holds one whole run)
                counter.save_partial(fh, rank=rank, world_size=world_size)
        finally:
            counter.close()


class ProfileMerger(PipelineStep):
    """Merge the partial counts of :class:`ProfileCounter` into one profile file (run it as a
    one-task stage; other ranks do nothing).

    Every ``.npz`` file of ``input_folder`` must be a partial count file: a finished profile
    among them is a :class:`ValueError` (it stores only the lines seen on enough pages, and
    merged again its counts would be counted twice), an empty folder a
    :class:`FileNotFoundError`. When ``output_folder`` is ``input_folder``, ``filename``
    there is this step's own output of an earlier run and is not read.

    Args:
        input_folder: the partial counts.
        output_folder: where the merged profile goes.
        filename: its name (default ``profile.npz``).
        min_pages: the profile's ``min_pages``.
    """

    type = "📊 - STATS"
    name = "🧽 scrubber profile merge"

    def __init__(self, input_folder: DataFolderLike, output_folder: DataFolderLike,
                 filename: str = "profile.npz",
                 min_pages: int = _profile.DEFAULT_MIN_PAGES) -> None:
        super().__init__()
        self.input_folder = get_datafolder(input_folder)
        self.output_folder = get_datafolder(output_folder)
        self.filename = filename
        # (1 or "3" failed only after every partial was read, 2.5 was read as 2)
        self.min_pages = _profile.check_min_pages("ProfileMerger", min_pages)

    def _own_output(self) -> str | None:
        """``filename`` when the merged profile is written among the partials."""
        src, dst = self.input_folder, self.output_folder
        if src.fs == dst.fs and src.resolve_paths(self.filename) == dst.resolve_paths(
                self.filename):
            return self.filename
        return None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        if rank != 0:
            return
        own = self._own_output()
        files = _partial_files(self.input_folder, skip=own)
        if own is not None and len(files) < len(self.input_folder.list_files(
                glob_pattern="*.npz")):
            logger.warning(f"{self.filename} in {self.input_folder.path} is this step's own "
                           "output of an earlier run: not merged again")

        def counted() -> Iterator[IO[bytes]]:
            for fh in _opened(self.input_folder, files):
                yield fh
                self.stat_update("partials")

        with self.track_time():
            prof = _profile.merge_partials(counted(), min_pages=self.min_pages)
        self.stat_update("sites", value=len(prof.site_pages))
        self.stat_update("repeated_lines", value=len(prof))
        with self.output_folder.open(self.filename, "wb") as fh:
            prof.save(fh)
