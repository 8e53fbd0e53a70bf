"""Counters of a corpus run and the ``--stats`` table.

    >>> from scrubber.corpus.stats import CorpusStats
    >>> s = CorpusStats()
    >>> s.add_doc(lines_in=10, lines_out=4, bytes_in=500, bytes_out=200,
    ...           reasons={"drop:rule:video.watching": 2, "drop:model": 4})
    >>> s.add_bad("missing field", "skip")
    >>> s.docs_in, s.docs_out, s.dropped_by_stage()["rule"]
    (2, 1, 2)
    >>> print(s.format_table())            # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["BAD_KINDS", "CorpusStats"]

BAD_KINDS = ("malformed JSON", "not an object", "missing field", "not a string", "field exists",
             "error")
"""The kinds of bad records, in report order."""


@dataclass(slots=True)
class CorpusStats:
    """Everything a corpus run counts. ``reasons`` holds dropped/trimmed lines per reason
    key (``drop:rule:<id>``, ``drop:model``, ``drop:context``, ``drop:profile``,
    ``drop:layout`` for blank lines, ``trim:rule:<id>``): the ``drop:`` counts add up to
    ``lines_in - lines_out``; ``bad`` bad records per kind and ``bad_action`` per action taken
    (``fail``, ``skip``, ``keep``)."""

    docs_in: int = 0
    docs_out: int = 0
    cleaned: int = 0
    blank_lines: int = 0
    no_site: int = 0
    lines_in: int = 0
    lines_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)
    bad: Counter[str] = field(default_factory=Counter)
    bad_action: Counter[str] = field(default_factory=Counter)

    def add_doc(
        self,
        lines_in: int,
        lines_out: int,
        bytes_in: int,
        bytes_out: int,
        reasons: Mapping[str, int] | None = None,
    ) -> None:
        """Count one cleaned (and written) document."""
        self.docs_in += 1
        self.docs_out += 1
        self.cleaned += 1
        self.lines_in += lines_in
        self.lines_out += lines_out
        self.bytes_in += bytes_in
        self.bytes_out += bytes_out
        if reasons:
            self.reasons.update(reasons)

    def add_bad(self, kind: str, action: str) -> None:
        """Count one bad record and what was done with it (``keep`` writes it unchanged)."""
        self.docs_in += 1
        self.bad[kind] += 1
        self.bad_action[action] += 1
        if action == "keep":
            self.docs_out += 1

    def merge(self, other: CorpusStats) -> CorpusStats:
        """Add ``other``'s counts into this one (returns self)."""
        for name in ("docs_in", "docs_out", "cleaned", "blank_lines", "no_site", "lines_in",
                     "lines_out", "bytes_in", "bytes_out", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reasons.update(other.reasons)
        self.bad.update(other.bad)
        self.bad_action.update(other.bad_action)
        return self

    @property
    def bad_total(self) -> int:
        return sum(self.bad.values())

    def dropped_by_stage(self) -> Counter[str]:
        """Dropped lines per stage (``rule``, ``model``, ``context``, ``profile``...)."""
        out: Counter[str] = Counter()
        for key, n in self.reasons.items():
            parts = key.split(":")
            if parts[0] == "drop" and len(parts) >= 2:
                out[parts[1]] += n
        return out

    def per_rule(self, action: str = "drop") -> Counter[str]:
        """Lines per rule id for ``action`` (``drop`` or ``trim``)."""
        out: Counter[str] = Counter()
        prefix = f"{action}:rule:"
        for key, n in self.reasons.items():
            if key.startswith(prefix):
                out[key[len(prefix):]] += n
        return out

    def bad_summary(self) -> str:
        """``"3 bad records (malformed JSON 2, missing field 1): skipped 2, kept 1"``."""
        kinds = ", ".join(f"{k} {self.bad[k]}" for k in _ordered(self.bad))
        acts = ", ".join(f"{_ACT[a]} {self.bad_action[a]}" for a in ("skip", "keep", "fail")
                         if self.bad_action[a])
        return f"{self.bad_total} bad record(s) ({kinds}): {acts}"

    def format_table(self, top: int = 40) -> str:
        """The ``--stats`` table (plain text, one item a line)."""
        rate = f" in {self.seconds:.1f}s ({self.docs_in / self.seconds:,.0f} docs/s)" \
            if self.seconds > 0 else ""
        rows = [
            f"scrubber stats: {self.docs_in:,} documents{rate}",
            f"  {'':<12} {'in':>14} {'out':>14}",
            f"  {'documents':<12} {self.docs_in:>14,} {self.docs_out:>14,}",
            f"  {'lines':<12} {self.lines_in:>14,} {self.lines_out:>14,}",
            f"  {'text bytes':<12} {self.bytes_in:>14,} {self.bytes_out:>14,}",
        ]
        if self.bytes_in:
            rows.append(f"  kept {self.bytes_out / self.bytes_in:.1%} of text bytes, "
                        f"{self.lines_out / max(1, self.lines_in):.1%} of lines")
        if self.bad_total:
            rows.append(f"  {self.bad_summary()}")
        else:
            rows.append("  bad records: 0")
        if self.blank_lines:
            rows.append(f"  blank input lines (no record): {self.blank_lines:,}")
        if self.no_site:
            rows.append(f"  documents without a site (profile not used): {self.no_site:,}")
        stages = self.dropped_by_stage()
        if stages:
            rows.append("lines dropped per stage:")
            for k, n in sorted(stages.items(), key=lambda kv: (-kv[1], kv[0])):
                note = " (blank and markdown layout lines)" if k == "layout" else ""
                rows.append(f"  {n:>12,}  {k}{note}")
        for action, title in (("drop", "lines dropped per rule"),
                              ("trim", "lines trimmed per rule")):
            per = self.per_rule(action)
            if not per:
                continue
            rows.append(f"{title}:")
            items = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
            for k, n in items[:top]:
                rows.append(f"  {n:>12,}  {k}")
            if len(items) > top:
                rest = sum(n for _, n in items[top:])
                rows.append(f"  {rest:>12,}  ({len(items) - top} more rules)")
        return "\n".join(rows)


_ACT = {"skip": "skipped", "keep": "kept unchanged", "fail": "failed"}


def _ordered(c: Counter[str]) -> list[str]:
    known = [k for k in BAD_KINDS if c[k]]
    return known + sorted(k for k in c if k not in BAD_KINDS and c[k])
