"""scrubber: strip platform clutter from scraped text, keep the article body.

    >>> import scrubber
    >>> page = ("Premium Only Content\\n\\nA headline\\n"
    ...         "The body paragraph of the article goes on.\\n")
    >>> print(scrubber.clean(page), end="")
    A headline
    The body paragraph of the article goes on.

    >>> result = scrubber.clean_and_explain(page)
    >>> result.decisions[0].rule_id
    'paywall.premium-only'

Every output line is an input line, or a trimmed piece of one, in input order.
"""

from __future__ import annotations

from typing import Any

from .config import Config
from .decisions import Action, Decision, Explained, Stage
from .rules import RuleError, RuleTimeout

__all__ = [
    "Action", "Config", "Decision", "Explained", "RuleError", "RuleTimeout", "Stage",
    "clean", "clean_and_explain",
]
__version__ = "0.1.0"


def clean(text: str, config: Config | None = None, **overrides: Any) -> str:
    """Return the article body of ``text`` (the fast path).

    ``config`` is a :class:`Config`; keyword ``overrides`` replace its fields
    (``clean(text, threshold=0.6)``); unknown keys raise :class:`TypeError`.
    """
    from . import config as _config
    from . import pipeline

    if not isinstance(text, str):
        raise TypeError(f"clean() takes str, not {type(text).__name__}")
    out, _ = pipeline.run(text, _config.resolve(config, overrides), explain=False)
    return out


def clean_and_explain(text: str, config: Config | None = None, **overrides: Any) -> Explained:
    """Like :func:`clean`, plus one :class:`Decision` per input line saying what happened
    to it (kept, dropped, trimmed), which stage decided, and why."""
    from . import config as _config
    from . import pipeline

    if not isinstance(text, str):
        raise TypeError(f"clean_and_explain() takes str, not {type(text).__name__}")
    _, explained = pipeline.run(text, _config.resolve(config, overrides), explain=True)
    assert explained is not None
    return explained
