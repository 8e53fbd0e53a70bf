"""scrubber: strip platform clutter from scraped text, keep the article body.

    >>> import scrubber
    >>> page = ("Premium Only Content\\n\\nA headline\\n"
    ...         "The body paragraph of the article goes on.\\n")
    >>> print(scrubber.clean(page), end="")
    A headline
    The body paragraph of the article goes on.

    >>> result = scrubber.clean_and_explain(page)
    >>> result.decisions[0].rule_id
    'paywall.badge'

Every output line is an input line, or a trimmed piece of one, in input order.
"""

from __future__ import annotations

from typing import Any

from .config import Config
from .decisions import Action, Decision, Explained, Stage
from .rules import RuleError, RuleTimeout

__all__ = [
    "Action", "Config", "Decision", "Explained", "RuleError", "RuleTimeout", "Stage",
    "clean", "clean_and_explain", "clean_html", "clean_html_and_explain", "compiled_modules",
    "prepare",
]
__version__ = "0.1.0"


def _resolved(config: Config | None, overrides: dict[str, Any]) -> Config:
    """The call's config; a site profile without a site warns, since it does nothing
    (the profile's lines are counted per site: ``clean(text, profile=p, site="x.com")``).
    The corpus tools and engines pass a record's site, or say how many had none."""
    from . import config as _config

    cfg = _config.resolve(config, overrides)
    if cfg.profile is not None and not cfg.site:
        import warnings

        warnings.warn("a site profile was given without a site, so it is not used: pass "
                      "site= (a host name or URL)", UserWarning, stacklevel=3)
    return cfg


def clean(text: str, config: Config | None = None, **overrides: Any) -> str:
    """Return the article body of ``text`` (the fast path).

    ``config`` is a :class:`Config`; keyword ``overrides`` replace its fields
    (``clean(text, threshold=0.6)``); unknown keys raise :class:`TypeError`.
    """
    from . import pipeline

    if not isinstance(text, str):
        raise TypeError(f"clean() takes str, not {type(text).__name__}")
    out, _ = pipeline.run(text, _resolved(config, overrides), explain=False)
    return out


def prepare(config: Config | None = None, **overrides: Any) -> None:
    """Compile and load now what the first call would: the rules (and their document
    scans, otherwise built only once a few thousand lines have been cleaned), the models
    and the feature tables, about 1.5 s. For services and benchmarks that want their first
    document at steady-state speed; a one-page command never needs the scans.

    >>> prepare()
    >>> clean("Share this:\\nA paragraph of body text, long enough to read as prose here.")
    'A paragraph of body text, long enough to read as prose here.\\n'
    """
    from . import config as _config
    from . import pipeline

    pipeline.prepare(_config.resolve(config, overrides))


def clean_and_explain(text: str, config: Config | None = None, **overrides: Any) -> Explained:
    """Like :func:`clean`, plus one :class:`Decision` per input line saying what happened
    to it (kept, dropped, trimmed), which stage decided, and why."""
    from . import pipeline

    if not isinstance(text, str):
        raise TypeError(f"clean_and_explain() takes str, not {type(text).__name__}")
    _, explained = pipeline.run(text, _resolved(config, overrides), explain=True)
    assert explained is not None
    return explained


def clean_html(html: str | bytes, config: Config | None = None, **overrides: Any) -> str:
    """Return the article body of an HTML page, one block a line.

    The front end (``Config.front_end``) turns the page into lines: by default scrubber's
    own selectolax block renderer with DOM features (``"blocks"``), falling back to
    trafilatura's high-recall text when the blocks render next to nothing (under 200
    characters), keep none of it, and trafilatura is installed;
    ``front_end="trafilatura"`` uses trafilatura first. Then the same rules, model and
    context step as :func:`clean`.
    ``bytes`` are decoded from a BOM, a ``<meta charset>`` / http-equiv declaration,
    strict UTF-8, then windows-1252 (:func:`scrubber.html.decode_html`);
    bytes that are recognisably not HTML (gzip, PDF, images) raise :class:`ValueError`.

        >>> page = ("<article><h1>Title</h1><p>A paragraph of the article body, "
        ...         "long enough to stay.</p></article>")
        >>> from scrubber import clean_html
        >>> "A paragraph of the article body" in clean_html(page, front_end="blocks")
        True
    """
    from . import pipeline

    out, _ = pipeline.run_html(html, _resolved(config, overrides), explain=False)
    return out


def clean_html_and_explain(
    html: str | bytes, config: Config | None = None, **overrides: Any
) -> Explained:
    """Like :func:`clean_html`, with one :class:`Decision` per block, or per line of
    trafilatura's text when that is what was cleaned (``front_end="trafilatura"``, or
    the ``"auto"`` fallback when the blocks render under 200 characters and keep
    nothing): :attr:`Explained.front_end` is then ``"trafilatura"`` and every reason
    starts with ``"trafilatura's text (...)"``, naming why."""
    from . import pipeline

    _, explained = pipeline.run_html(html, _resolved(config, overrides), explain=True)
    assert explained is not None
    return explained


# the modules setup.py compiles when it can (it reads this tuple)
_COMPILABLE = (
    "lines", "rules", "rules.checks", "features", "model", "context", "decisions",
    "pipeline", "html",
)


def compiled_modules() -> list[str]:
    """The pipeline modules this install runs compiled (Cython builds of the same source,
    made by ``pip install .`` when a compiler is at hand; see ``setup.py``), or ``[]`` for
    the pure-Python package. A module not yet imported is looked up the way an import
    would find it, without importing it (so ``scrubber --version`` does not load numpy
    and the rules).

        >>> from scrubber import compiled_modules
        >>> set(compiled_modules()) <= {"scrubber." + m for m in _COMPILABLE}
        True
    """
    import importlib.machinery as machinery
    import sys
    from pathlib import Path

    out = []
    for name in _COMPILABLE:
        full = f"{__name__}.{name}"
        module = sys.modules.get(full)
        if module is not None:
            origin = getattr(module, "__file__", "") or ""
        else:
            *parents, last = name.split(".")
            spec = machinery.PathFinder.find_spec(
                last, [str(Path(p, *parents)) for p in __path__])
            origin = (spec.origin if spec is not None else "") or ""
        if origin.endswith(tuple(machinery.EXTENSION_SUFFIXES)):
            out.append(full)
    return out


def build() -> str:
    """How this install runs: ``"compiled (9/9 modules)"`` or ``"pure Python"`` (what
    ``scrubber --version`` and the benchmarks' headers show)."""
    n = len(compiled_modules())
    return f"compiled ({n}/{len(_COMPILABLE)} modules)" if n else "pure Python"
