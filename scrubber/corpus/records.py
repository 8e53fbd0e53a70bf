"""Shared by the corpus front-ends (JSONL, datatrove, Hugging Face): one document's
cleaning with its site, and decisions as plain JSON-able data.

    >>> from scrubber.corpus.records import clean_document
    >>> doc = clean_document("Leave a Comment\\nA body paragraph that is long enough.\\n",
    ...                      decisions=True)
    >>> doc.text
    'A body paragraph that is long enough.\\n'
    >>> doc.decisions[0]["action"], doc.decisions[0]["stage"]
    ('drop', 'rule')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..decisions import Action, Explained

__all__ = ["CleanedDoc", "clean_document", "decision_records", "site_of"]


@dataclass(slots=True)
class CleanedDoc:
    """The result of :func:`clean_document`.

    ``lines_in`` / ``lines_out`` count input lines and output lines, ``bytes_in`` /
    ``bytes_out`` the UTF-8 size of the text (an HTML page: its size as given; a text
    whose last line has no line ending: with the ending its output gives that line, so a
    document kept whole is 100% of its bytes, not more), ``reasons`` dropped/trimmed lines
    per reason key (only when explained; blank lines are not in them), ``blank_dropped`` the
    blank lines dropped (only when explained: with it, the ``drop:`` counts of ``reasons``
    add up to ``lines_in - lines_out``), ``decisions`` one JSON-able dict per input line
    (only when asked for).
    """

    text: str
    lines_in: int
    lines_out: int
    bytes_in: int
    bytes_out: int
    reasons: Counter[str] = field(default_factory=Counter)
    decisions: list[dict[str, Any]] | None = None
    blank_dropped: int = 0


def check_name(owner: str, what: str, name: str, value: Any, optional: bool = True) -> None:
    """An engine argument ``name`` that names ``what`` (a column, a metadata key) of a
    record: a non-empty ``str`` (or ``None`` when ``optional``), else a :class:`TypeError`
    naming ``owner`` (the step), checked where it is given."""
    if value is None and optional:
        return
    if not isinstance(value, str) or not value:
        raise TypeError(f"{owner}: {name} names {what} (a non-empty str"
                        f"{' or None' if optional else ''}), not {value!r}")


def site_of(
    record: Mapping[str, Any], url_field: str | None = "url", site_field: str | None = None
) -> str | None:
    """The site of a record: its ``site_field`` value (normalised), else the host of its
    ``url_field`` value, else ``None``.

        >>> site_of({"url": "https://news.example.co.uk/x"})
        'example.co.uk'
        >>> site_of({"domain": "Example.com"}, site_field="domain")
        'example.com'
    """
    # (imported here: the profile module brings numpy, which a run without a profile - the
    # text filter reads its input through scrubber.corpus.jsonl - need not load first)
    from .profile import normalise_site, site_from_url

    if site_field:
        v = record.get(site_field)
        if isinstance(v, str) and v.strip():
            return normalise_site(v) or None
    if url_field:
        v = record.get(url_field)
        if isinstance(v, str) and v.strip():
            return site_from_url(v) or None
    return None


def decision_records(explained: Explained) -> list[dict[str, Any]]:
    """One dict per input line: ``line`` (0-based), ``action``, ``stage``, ``rule_id``,
    ``score`` (rounded to 4 places, or ``None``) and ``reason``."""
    return [
        {
            "line": d.index,
            "action": d.action.value,
            "stage": d.stage.value,
            "rule_id": d.rule_id,
            "score": None if d.score is None else round(float(d.score), 4),
            "reason": d.reason,
        }
        for d in explained.decisions
    ]


def _utf8_len(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


def clean_document(
    text: str | bytes,
    cfg: Config | None = None,
    site: str | None = None,
    explain: bool = False,
    decisions: bool = False,
    html: bool = False,
) -> CleanedDoc:
    """Clean one document. ``site`` only matters when ``cfg.profile`` is set; ``None``
    leaves ``cfg.site`` (the config's, if any), so a record without one uses it. ``explain``
    fills ``reasons``; ``decisions`` (implies ``explain``) fills ``decisions``. ``html``:
    ``text`` is an HTML page (``str`` or ``bytes``), cleaned as :func:`scrubber.clean_html`
    does (its lines are the page's blocks; raises :class:`ValueError` for bytes that are
    not HTML). Otherwise ``text`` is a ``str``; another type is a :class:`TypeError`, as
    is a ``cfg`` that is not a :class:`scrubber.Config`."""
    from .. import lines, pipeline
    from ..config import resolve

    if not isinstance(text, str) and not (html and isinstance(text, bytes)):
        raise TypeError(f"clean_document() takes str{' or bytes' if html else ''}, "
                        f"not {type(text).__name__}")
    base = resolve(cfg, {})
    # (site None replaced cfg.site, so the engines dropped a Config's site for every
    # record without a URL, and its profile did nothing)
    if base.profile is not None and site is not None and site != base.site:
        base = base.replace(site=site)
    if html:
        # (the lines the decisions were about: the page's blocks, or trafilatura's lines)
        read: list[int] = []
        out, explained = pipeline.run_html(text, base, explain=explain or decisions,
                                           lines_read=read)
        n_in = read[0]
        added = 0
    else:
        assert isinstance(text, str)
        texts, endings = lines.split_lines(text)
        written: list[str | None] = []  # (what each input line gives the output)
        out, explained = pipeline.run_lines(texts, endings, base, explain=explain or decisions,
                                            sink=written)
        n_in = len(texts)
        # (the output ends with a line ending: an unterminated last line, when kept, gets
        # the document's usual one, so a text kept whole was counted as over 100% kept)
        added = len(lines.default_ending(endings)) if endings and not endings[-1] else 0
    size = len(text) if isinstance(text, bytes) else _utf8_len(text) + added
    doc = CleanedDoc(out, n_in, 0, size, _utf8_len(out))
    if explained is not None:
        doc.lines_out = sum(1 for d in explained.decisions if d.action is not Action.DROP)
        if explain or decisions:
            doc.reasons = explained.counts()
            doc.blank_dropped = sum(1 for d in explained.decisions
                                    if d.action is Action.DROP and not d.text.strip())
        if decisions:
            doc.decisions = decision_records(explained)
    elif html:
        doc.lines_out = len(lines.split_lines(out)[0])
    else:
        # the input lines written, as the decisions count them: the lines of the output,
        # which a glued line gives several of, made lines_out depend on whether the
        # decisions were asked for (the lines join_lines writes, blank ones included)
        doc.lines_out = len(pipeline._written([not t.strip() for t in texts],
                                              [w is not None for w in written],
                                              [w or "" for w in written]))
    return doc
