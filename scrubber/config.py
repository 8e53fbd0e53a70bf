"""The immutable configuration of a cleaning run.

    >>> from scrubber import Config, clean
    >>> page = "Leave a Comment\\nThe body paragraph of the article goes on at length.\\n"
    >>> clean(page, use_model=False)
    'The body paragraph of the article goes on at length.\\n'
    >>> cfg = Config(disabled_rules=frozenset({"comments.leave-a-comment"}))
    >>> cfg2 = cfg.replace(threshold=0.6)          # a new object; cfg is unchanged
    >>> clean(page, cfg2, use_model=False)         # keyword overrides
    'Leave a Comment\\nThe body paragraph of the article goes on at length.\\n'

Unknown keys are an error, so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for :func:`scrubber.clean` and friends.

    Attributes:
        rule_files: extra rule files (TOML, same schema as the built-in packs), loaded
            after the built-in packs: a list or tuple of paths (kept as a tuple of str).
        disabled_rules: rule ids (or whole families, e.g. ``"video"``) to switch off: a
            set or list of str (kept as a frozenset). A single string is an error for
            both, not a list of its characters.
        use_model: score the lines no rule decided with the learned classifier. When
            off, undecided lines are kept.
        threshold: a line whose body probability is below this is dropped by the model;
            ``None`` (the default) uses the threshold tuned with the shipped model.
        context: run the context step (headings between body paragraphs stay, runs of
            clutter go, a trailing widget goes with its heading). ``None`` (the
            default): as the model's card says; the training command tunes this on
            training sites with the thresholds (the shipped HTML model, whose second
            stage already reads the page around each block, runs without it; the text
            model with it). Without a model the step runs. ``True``/``False`` force it.
        regex_timeout: seconds one rule may spend on one line before it is stopped
            (a :class:`scrubber.rules.RuleTimeout` names the rule); more than a year
            (:data:`scrubber.rules.MAX_TIMEOUT`) is a year.
        max_line_chars: lines longer than this are cut into the rule engine's view only
            (they are never modified); guards against pathological one-line documents.
        front_end: how :func:`scrubber.clean_html` turns HTML into lines: ``"blocks"``
            (scrubber's selectolax block renderer with the DOM-feature model),
            ``"trafilatura"`` (``trafilatura.extract(favor_recall=True)``, then the text
            path), or ``"auto"`` (the default): blocks, and trafilatura only when the
            blocks render next to nothing (under 200 characters), keep none of it, and
            trafilatura is installed. Blocks measured better on
            WCXB and CleanEval, trafilatura on Dragnet (``python -m scrubber.bench html``).
        settle: at most this many passes of the decision path over text (1: one pass).
            Each pass after the first reads only what the previous one kept, as a new
            call would read the output; passes stop when one changes nothing, so the
            output is a fixed point (``clean(clean(x)) == clean(x)``) unless the cap
            is reached. Passes only drop or trim more. Not used for HTML blocks.
            Above 1, the output of hard-wrapped, glued or markdown text is also read
            again as a new call would read it, in rounds that each run the path with
            this cap of their own; with 1, it is not (one pass in all).
        profile: optional site repeated-line profile (see ``scrubber profile``): a
            :class:`scrubber.corpus.SiteProfile`, loaded with
            ``scrubber.corpus.load_profile(path)`` (a path here is an error).
        site: the site (domain) of the document, used with ``profile``; a host name or
            URL is normalised as the profile keys sites
            (:func:`scrubber.corpus.profile.normalise_site`: ``"www.Example.com"`` is
            ``"example.com"``).
        comments: keep reader comments (the default: as the model decides; on forums
            the posts are the content). ``False``, for article-only corpora, drops: in
            HTML read by the blocks front end, every block inside an element whose
            class/id/role names a comment section (``comment``, ``disqus``, ``reply``,
            ``respond``, ``discussion``); in text, every line below the one that opens
            the comments (a line a ``comments`` rule drops, such as "12 Comments" or
            "Leave a Reply", with at least 60 words of kept text above it:
            :func:`scrubber.context.comment_section`). The trafilatura front end
            leaves comments out either way (``include_comments=False``).
        extracted: the text is an extractor's output (trafilatura, Readability,
            newspaper, ...), already mostly article. The rules run as usual, but the
            model and the context step may remove at most half of the words the rules
            leave (:data:`scrubber.pipeline.EXTRACTED_MAX_REMOVED`); when they would
            remove more, they are more likely wrong than the extractor was (a body
            paragraph rendered from a layout table, a page of code or a data table),
            and only the rules' drops apply to that document. Text input only.
        retry_sparse: a text page the model would strip to under a tenth of its words
            (:data:`scrubber.pipeline.SPARSE_SHARE`) at its own thresholds is decided
            again at the lower threshold :data:`scrubber.pipeline.SPARSE_THRESHOLD`:
            on such pages (listings, teaser grids, link lists: their content reads
            like the clutter of an article page) the model's scale is off more often
            than the page is clutter. The result is then settled against the default
            decision (passes at the model's own thresholds over what it kept, stopping
            before one that would leave under a tenth), so cleaning the output again
            changes nothing. Only with ``threshold=None`` and not with ``extracted``;
            text input only (not HTML blocks). ``False`` turns it off.
        markdown: read markdown markup as the text it marks up when deciding (text
            input): an inline link ``[Home](/)`` as "Home", a heading without its
            ``#``, text without ``**``/``__`` (:func:`scrubber.lines.markup_view`).
            Scrapers that write markdown (html2text, markdownify, Jina Reader,
            Firecrawl) put a URL in every menu item, which the rules and the model,
            made on plain text, would otherwise read as part of the line. The output is
            unchanged by it: the lines as written, or pieces of them. Lines without such
            markup read the same either way. ``False`` reads every line as written.
        unwrap: read hard-wrapped text (lynx and w3m dumps, html2text's default 78
            columns, mail archives: every line of a paragraph filled up to one width)
            a paragraph at a time when deciding (:func:`scrubber.lines.unwrap_view`):
            each of its lines would otherwise be read as a short line by itself. The
            output is the lines as written (all of a kept paragraph's, or the part of
            them a trim keeps). So are a paragraph's fragments, a text node a line, as
            BeautifulSoup's ``get_text("\\n", strip=True)`` writes them
            (:func:`scrubber.lines.fragment_view`). Text that is neither reads the same
            either way. ``False`` reads every line by itself.
        unglue: read glued lines (a page's text nodes joined with nothing between
            them, as BeautifulSoup's ``get_text()`` returns it:
            "HomeNewsSportsThe minister said...") as their pieces when deciding
            (:func:`scrubber.lines.glue_view`: lines glued at
            :data:`scrubber.lines.GLUE_MIN_POINTS` places or more, when they hold a
            fifth of the text). So are the cells of a markdown table row written as one
            long line (:func:`scrubber.lines.layout_cells`: markdownify writes an old
            page's layout table so, menus, article and footer on one line), and the
            sentences and capitalised runs of a page of text nodes joined by spaces
            (BeautifulSoup's ``get_text(" ")``: :func:`scrubber.lines.run_on_cuts`, on a
            page whose lines of :data:`scrubber.lines.RUN_ON_MIN` characters or more,
            with menus in them, hold :data:`scrubber.lines.RUN_ON_SHARE` of it). Each
            piece kept (or the part of it a trim keeps) is written on a line of its own.
            Text that is none of these reads the same either way. ``False`` reads every
            line as written.

    Every field is checked when a config is made: flags are ``bool`` (not merely
    truthy), numbers are finite and in range, lists are lists (or tuples, sets), not one
    string; a wrong value raises :class:`ValueError` or :class:`TypeError` naming the
    field. What depends on the rules (a file in ``rule_files`` that is missing or does
    not load, an unknown id in ``disabled_rules``) is checked when the rules are loaded:
    by the first call that cleans, by :func:`scrubber.prepare`, and when the datatrove
    step or the Hugging Face cleaner is made.
    """

    rule_files: tuple[str, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    use_model: bool = True
    threshold: float | None = None
    context: bool | None = None
    regex_timeout: float = 1.0
    max_line_chars: int = 20_000
    front_end: str = "auto"
    settle: int = 16
    profile: Any = None
    site: str | None = None
    comments: bool = True
    extracted: bool = False
    retry_sparse: bool = True
    markdown: bool = True
    unwrap: bool = True
    unglue: bool = True

    if TYPE_CHECKING:
        # What the dataclass's __init__ takes, for type checkers: the lists, sets and
        # paths __post_init__ normalises, not only the types it stores (mypy --strict
        # refused Config(disabled_rules={"video"}) and Config(rule_files=["my.toml"])).
        # Same names, order and defaults as the fields (tests/test_config.py checks).
        def __init__(
            self,
            rule_files: Iterable[str | os.PathLike[str]] = (),
            disabled_rules: Iterable[str] = frozenset(),
            use_model: bool = True,
            threshold: float | None = None,
            context: bool | None = None,
            regex_timeout: float = 1.0,
            max_line_chars: int = 20_000,
            front_end: str = "auto",
            settle: int = 16,
            profile: Any = None,
            site: str | None = None,
            comments: bool = True,
            extracted: bool = False,
            retry_sparse: bool = True,
            markdown: bool = True,
            unwrap: bool = True,
            unglue: bool = True,
        ) -> None: ...

    def __post_init__(self) -> None:
        # Normalise list-ish inputs so configs built from CLI args or JSON hash and compare.
        object.__setattr__(self, "rule_files", _paths(self.rule_files))
        object.__setattr__(self, "disabled_rules", _ids(self.disabled_rules))
        # Every field is checked here, so a wrong value fails where it is given, in one
        # line naming the field, not obscurely inside clean(). Flags are bool, not truthy
        # ("False" is truthy).
        for name in ("use_model", "comments", "extracted", "retry_sparse", "markdown",
                     "unwrap", "unglue"):
            _flag(name, getattr(self, name))
        if self.context is not None:
            _flag("context", self.context, " or None")
        if self.threshold is not None:
            t = _number("threshold", self.threshold)
            if not 0.0 <= t <= 1.0:
                raise ValueError(f"threshold must be in [0, 1], got {self.threshold!r}")
            object.__setattr__(self, "threshold", t)
        if self.front_end not in ("auto", "blocks", "trafilatura"):
            raise ValueError(
                f"front_end must be 'auto', 'blocks' or 'trafilatura', not {self.front_end!r}"
            )
        object.__setattr__(self, "settle", _count("settle", self.settle))
        object.__setattr__(self, "max_line_chars", _count("max_line_chars", self.max_line_chars))
        timeout = _number("regex_timeout", self.regex_timeout)
        if not timeout > 0:
            raise ValueError(f"regex_timeout must be > 0, got {self.regex_timeout!r}")
        object.__setattr__(self, "regex_timeout", timeout)
        if self.profile is not None:
            _profile(self.profile)
        if self.site is not None:
            if not isinstance(self.site, str):
                raise TypeError(f"site must be a str or None, got {self.site!r}")
            # as the profile keys its sites ("www.Example.com" is "example.com"), or it
            # would never match
            from .corpus.profile import normalise_site

            object.__setattr__(self, "site", normalise_site(self.site) or None)

    def __reduce__(self) -> tuple[Any, ...]:
        # The fields by name, disabled_rules sorted: a frozenset pickles in the order of
        # the interpreter's string hashes, which each process seeds anew, so the datasets
        # cache fingerprint of a BatchCleaner disabling two rules changed from run to run
        # (and the cache was missed). Unpickling builds the config again, checks included.
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["disabled_rules"] = tuple(sorted(self.disabled_rules))
        return (_unpickle, (values,))

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied; unknown keys raise :class:`TypeError`."""
        check_keys(changes)
        return dataclasses.replace(self, **changes)


def _unpickle(values: dict[str, Any]) -> Config:
    return Config(**values)


def _flag(name: str, value: Any, other: str = "") -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False{other}, got {value!r}")


def _number(name: str, value: Any) -> float:
    """``value`` as a finite float (an int or float, not a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # (not "a number": a Decimal is one, and was refused by a message saying so)
        raise TypeError(f"{name} must be an int or float, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def _profile(value: Any) -> None:
    """A site profile is an object the pipeline asks (``repeated``, ``reason``); a path
    names a file to load first, which the pipeline does not do."""
    if isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"profile must be a loaded site profile, not the path {value!r}: "
                        f"load it with scrubber.corpus.load_profile({os.fsdecode(value)!r})")
    if not (callable(getattr(value, "repeated", None))
            and callable(getattr(value, "reason", None))):
        raise TypeError("profile must be a site profile (scrubber.corpus.SiteProfile), "
                        f"not {type(value).__name__}")


def _paths(value: Any) -> tuple[str, ...]:
    """``Config.rule_files`` as a tuple of path strings. One string is an error, not a
    list of its characters (``rule_files="my.toml"`` read ``m``, ``y``, ...)."""
    if isinstance(value, (str, bytes, os.PathLike)) or not isinstance(value, Iterable):
        raise TypeError(f"rule_files must be a list or tuple of paths, not {value!r}")
    if isinstance(value, tuple) and all(type(p) is str for p in value):
        return value
    out = []
    for p in value:
        # (os.fspath, not str: a PathLike's str() need not be its path)
        path = os.fspath(p) if isinstance(p, os.PathLike) else p
        if not isinstance(path, str):
            raise TypeError(f"rule_files must hold paths (str or os.PathLike), not {p!r}")
        out.append(path)
    return tuple(out)


def _ids(value: Any) -> frozenset[str]:
    """``Config.disabled_rules`` as a frozenset of ids. One string is an error, not a set
    of its characters (``disabled_rules="video"`` read ``v``, ``i``, ...)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"disabled_rules must be a set or list of rule ids or families, "
                        f"not {value!r}")
    out = value if isinstance(value, frozenset) else frozenset(value)
    for x in out:
        if not isinstance(x, str):
            raise TypeError(f"disabled_rules must hold rule ids or families (str), not {x!r}")
    return out


FIELDS = frozenset(f.name for f in dataclasses.fields(Config))


def check_keys(keys: Iterable[str]) -> None:
    unknown = sorted(set(keys) - FIELDS)
    if unknown:
        raise TypeError(
            f"unknown config key(s): {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}"
        )


def resolve(config: Config | None, overrides: Mapping[str, Any]) -> Config:
    """``config`` (or the default) with keyword ``overrides`` applied."""
    base = config if config is not None else DEFAULT
    if not isinstance(base, Config):
        raise TypeError(f"config must be a scrubber.Config, got {type(base).__name__}")
    return base.replace(**overrides) if overrides else base


DEFAULT = Config()
