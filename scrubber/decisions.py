"""Per-line decisions: what happened to each input line, who decided, and why.

Every stage of the pipeline (rules, model, context) writes into one decision per input
line. The fast path (:func:`scrubber.clean`) keeps them as compact parallel lists; the
explaining path (:func:`scrubber.clean_and_explain`) turns them into :class:`Decision`
objects::

    >>> from scrubber import clean_and_explain
    >>> result = clean_and_explain("Leave a Comment\\nA body paragraph that is long enough.\\n")
    >>> [d.action.value for d in result.decisions]
    ['drop', 'keep']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What happened to a line."""

    KEEP = "keep"
    DROP = "drop"
    TRIM = "trim"  # kept, but a prefix or suffix (metadata stamp, glued clutter) was cut


class Stage(StrEnum):
    """Which step of the pipeline made the final call on a line."""

    LAYOUT = "layout"  # blank lines: kept between kept lines, collapsed, trimmed at the ends
    RULE = "rule"  # a declarative rule (rule_id says which)
    MODEL = "model"  # the learned classifier's score against the threshold
    CONTEXT = "context"  # the context step revised the rule/model label
    PROFILE = "profile"  # repeated across the site's pages (corpus profile)
    DOM = "dom"  # the HTML element it sits in (comment sections with comments=False)
    DEFAULT = "default"  # no rule, no model: kept


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision for one input line.

    ``index`` is the 0-based input line number (lines end at ``\\n``, ``\\r\\n`` or ``\\r``
    only, as :func:`scrubber.lines.split_lines` splits them, not :meth:`str.splitlines`),
    ``text`` the line without its ending,
    ``output`` what is written for it (``None`` when dropped, a trimmed piece for TRIM),
    ``score`` the model's body probability when the model ran, ``rule_id`` the rule that
    fired (if any) and ``reason`` a readable sentence.
    """

    index: int
    text: str
    action: Action
    stage: Stage
    reason: str
    rule_id: str | None = None
    score: float | None = None
    output: str | None = None

    @property
    def kept(self) -> bool:
        return self.action is not Action.DROP

    def reason_key(self) -> str:
        """A short key for counting decisions per reason (``rule:<id>``, ``model``, ...)."""
        if self.rule_id:
            return f"{self.stage.value}:{self.rule_id}"
        return self.stage.value


@dataclass(frozen=True, slots=True)
class Explained:
    """The cleaned text plus one :class:`Decision` per input line.

    ``front_end`` (HTML only) names what the lines are: ``"blocks"``, the page's rendered
    blocks; ``"trafilatura"``, the lines of trafilatura's text, when that is what was
    cleaned (``front_end="trafilatura"``, or the blocks' fallback; every reason then
    starts by saying so). ``None`` for text input.
    """

    text: str
    decisions: tuple[Decision, ...]
    front_end: str | None = None

    def counts(self, blank: bool = False) -> Counter[str]:
        """Dropped and trimmed lines counted per reason key (datatrove-style stats).
        Blank lines are not counted, unless ``blank``: then a dropped one counts under
        ``drop:layout``, so the ``drop:`` counts add up to the lines dropped. Markdown's
        layout lines (a setext heading's underline, a link reference definition: written
        exactly when the lines they serve are) count under ``drop:layout`` too."""
        c: Counter[str] = Counter()
        for d in self.decisions:
            if d.action is not Action.KEEP and (blank or d.text.strip()):
                c[f"{d.action.value}:{d.reason_key()}"] += 1
        return c

    def format(self) -> str:
        """One line per input line: ``  12 DROP rule:video.watching  855 watching -``."""
        out = []
        width = len(str(len(self.decisions)))
        for d in self.decisions:
            if d.rule_id:
                why = d.rule_id
            elif d.score is not None:
                why = f"{d.stage.value} p={d.score:.2f}"
            else:
                why = d.stage.value
            out.append(
                f"{d.index + 1:>{width}} {d.action.value.upper():<4} {why:<28} "
                f"{d.text[:100]!s}  # {d.reason}"
            )
        return "\n".join(out)
