"""The one decision path: text -> lines -> rules -> features -> classifier -> context ->
decisions -> text.

Each step lives in its own module (:mod:`scrubber.lines`, :mod:`scrubber.rules`,
:mod:`scrubber.features`, :mod:`scrubber.model`, :mod:`scrubber.context`); this module
only wires them together. The fast path and the explaining path are the same code: with
``explain=True`` the per-line labels are also turned into :class:`Decision` objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import context, lines
from .config import Config
from .decisions import Action, Decision, Explained, Stage
from .model import Model, get_model
from .rules import RuleSet, load_ruleset


def ruleset_for(cfg: Config) -> RuleSet:
    return load_ruleset(cfg.rule_files, cfg.disabled_rules, cfg.regex_timeout)


def model_for(cfg: Config, kind: str = "text") -> Model | None:
    return get_model(kind) if cfg.use_model else None


def prose_share(pieces: Sequence[str], rule_bad: Sequence[bool]) -> float:
    """Share of a document's non-blank lines (no rule drops) that read as prose: at
    least 8 words and a sentence end. High for text an extractor already cleaned, low
    for whole-page renders."""
    n = prose = 0
    for piece, bad in zip(pieces, rule_bad, strict=True):
        s = piece.strip()
        if not s or bad:
            continue
        n += 1
        if s[-1] in ".!?…\"”’»)" and s.count(" ") >= 7:
            prose += 1
    return prose / n if n else 0.0


def _threshold(cfg: Config, model: Any, share: float = 0.0) -> float:
    """The config's threshold, else the model's tuned one, else 0.5. The card may hold
    a second, lower threshold for documents that are already mostly prose (text an
    extractor cleaned): dropping a body line costs more there than keeping clutter."""
    if cfg.threshold is not None:
        return float(cfg.threshold)
    card = getattr(model, "card", None) or {}
    if "threshold_clean" in card and share >= float(card.get("clean_cut", 1.0)):
        return float(card["threshold_clean"])
    return float(card.get("threshold", 0.5))


def run_html(
    html: str | bytes, cfg: Config, explain: bool = False
) -> tuple[str, Explained | None]:
    """Clean an HTML page: the front end (:mod:`scrubber.html`) turns it into blocks, one
    line each, with DOM features; then the same decision path as text runs, with the
    HTML model (DOM features included) when one is shipped, else the text model.
    The page title and first ``<h1>`` mark the headline for the context step."""
    from .html import _coerce, dom_feature_matrix, parse_html

    if cfg.front_end == "trafilatura":
        source = _coerce(html)
        text = _trafilatura_text(source, required=True)
        if text:
            return run(text, cfg, explain)
    page = parse_html(html)
    texts = [b.text for b in page.blocks]
    endings = ["\n"] * len(texts)
    if get_model("html") is not None:
        extra, kind = dom_feature_matrix(page.blocks), "html"
    else:
        extra, kind = None, "text"
    headline = _headline_index(texts, page.title, page.h1)
    out = run_lines(texts, endings, cfg, explain, extra=extra, kind=kind, headline=headline)
    if cfg.front_end == "auto" and not out[0]:
        # the blocks found no body (script-rendered pages, odd markup): try trafilatura
        source = _coerce(html)
        text = _trafilatura_text(source, required=False)
        if text:
            return run(text, cfg, explain)
    return out


def _confirmed_headline(texts: Sequence[str], drop: Sequence[int], rules: Sequence[Any]) -> int:
    """The headline a document check confirmed by finding its copies: the first kept
    non-blank line before the first line dropped as a repeated headline (-1: none)."""
    first_copy = next((i for i, d in enumerate(drop)
                       if d >= 0 and rules[d].check == "repeated_headline"), -1)
    if first_copy < 0:
        return -1
    return next((i for i in range(first_copy) if texts[i].strip() and drop[i] < 0), -1)


def _trafilatura_text(html: str, required: bool) -> str:
    """trafilatura's high-recall text of ``html`` ('' when it finds nothing, or when it is
    not installed and not ``required``)."""
    try:
        import trafilatura
    except ImportError:
        if required:
            raise ImportError(
                "front_end='trafilatura' needs trafilatura: pip install 'scrubber[html]'"
            ) from None
        return ""
    try:
        out = trafilatura.extract(html, favor_recall=True, include_comments=False)
    except Exception:  # trafilatura raises on some broken pages; fall back to blocks
        return ""
    return out or ""


def _headline_index(texts: Sequence[str], title: str, h1: str) -> int:
    """The block that is the page's headline: the first ``<h1>`` text, else the first
    block equal (normalised) to the ``<title>`` or to its part before a site suffix."""
    from .rules.checks import normalise_headline, title_variants

    wanted = set()
    if h1:
        wanted.add(normalise_headline(h1))
    if title:
        wanted |= title_variants(title)
    if not wanted:
        return -1
    for i, t in enumerate(texts):
        if t.strip() and normalise_headline(t) in wanted:
            return i
    return -1


def run(text: str, cfg: Config, explain: bool = False) -> tuple[str, Explained | None]:
    """Clean ``text``; with ``explain`` also return one decision per input line."""
    texts, endings = lines.split_lines(text)
    return run_lines(texts, endings, cfg, explain)


def run_lines(
    texts: Sequence[str],
    endings: Sequence[str],
    cfg: Config,
    explain: bool = False,
    extra: Any = None,
    kind: str = "text",
    model: Any = "default",
    headline: int = -1,
) -> tuple[str, Explained | None]:
    """The decision path over already-split lines. ``extra`` carries front-end features
    (the HTML path's DOM features) to the model; ``headline`` is the index of a line the
    front end knows to be the headline (-1: the context step guesses)."""
    n = len(texts)
    if n == 0:
        return "", (Explained("", ()) if explain else None)
    rs = ruleset_for(cfg)
    hits = rs.apply(texts, cfg.max_line_chars)
    rules = rs.rules

    # rules: sure drops, trims
    pieces: list[str] = list(texts)
    for i, t in enumerate(hits.trim):
        if t is not None:
            pieces[i] = texts[i][t[0] : t[1]]
    rule_bad = [d >= 0 for d in hits.drop]
    transparent = [d >= 0 and rules[d].scope == "document" for d in hits.drop]
    if headline < 0:
        headline = _confirmed_headline(texts, hits.drop, rules)
    threshold = _threshold(cfg, model, prose_share(pieces, rule_bad) if model else 0.0)

    # features + classifier, for the lines no sure rule decided
    if isinstance(model, str):
        model = model_for(cfg, kind)
    scores: Sequence[float] | None = None
    if model is not None:
        scores = model.score(pieces, hits, rs, extra)

    # site profile (scrubber.corpus.profile): lines repeated across the site's pages
    seen: list[int] | None = None
    if cfg.profile is not None and cfg.site:
        seen = cfg.profile.repeated(texts, cfg.site, scores, rule_bad)
        rule_bad = [b or s > 0 for b, s in zip(rule_bad, seen, strict=True)]

    # context
    if cfg.context:
        keep, why = context.revise(pieces, rule_bad, transparent, scores, threshold,
                                   headline=headline)
    else:
        keep = [
            bool(pieces[i].strip()) and not rule_bad[i]
            and (scores is None or scores[i] >= threshold)
            for i in range(n)
        ]
        why = [context.Why.NONE] * n

    outputs: list[str | None] = [pieces[i] if keep[i] else None for i in range(n)]
    written: list[int] | None = [] if explain else None
    out = lines.join_lines(texts, endings, outputs, written)
    if not explain:
        return out, None
    return out, Explained(out, tuple(_explain(texts, pieces, hits, rules, scores, keep, why,
                                              set(written or ()), threshold, seen, cfg)))


def _explain(
    texts: Sequence[str],
    pieces: Sequence[str],
    hits: Any,
    rules: Sequence[Any],
    scores: Sequence[float] | None,
    keep: Sequence[bool],
    why: Sequence[context.Why],
    blanks_written: set[int],
    threshold: float,
    seen: Sequence[int] | None = None,
    cfg: Config | None = None,
) -> list[Decision]:
    out: list[Decision] = []
    for i, text in enumerate(texts):
        p = None if scores is None else float(scores[i])
        if not text.strip():
            kept = i in blanks_written
            out.append(Decision(
                i, text, Action.KEEP if kept else Action.DROP, Stage.LAYOUT,
                "blank line between kept lines" if kept
                else "blank line at an edge or in a run of blanks", output=text if kept else None,
            ))
            continue
        d = hits.drop[i]
        trim = hits.trim[i]
        if d >= 0:
            r = rules[d]
            out.append(Decision(i, text, Action.DROP, Stage.RULE, r.description, r.id, p))
            continue
        if seen is not None and seen[i] and cfg is not None:
            out.append(Decision(i, text, Action.DROP, Stage.PROFILE,
                                cfg.profile.reason(cfg.site, seen[i]), None, p))
            continue
        if why[i] is context.Why.HEADING:
            out.append(Decision(
                i, text, Action.TRIM if trim else Action.KEEP, Stage.CONTEXT,
                "short line with body text after it (a heading)", None, p, pieces[i],
            ))
            continue
        if why[i] is context.Why.NO_BODY:
            out.append(Decision(
                i, text, Action.DROP, Stage.CONTEXT,
                "short line with no body text after it (tail, card or link list)", None, p,
            ))
            continue
        if why[i] is context.Why.RESCUED:
            out.append(Decision(
                i, text, Action.TRIM if trim else Action.KEEP, Stage.CONTEXT,
                f"body probability {p:.2f} is below the threshold, but near the page's best "
                "and no long line passed: kept so the page is not emptied", None, p, pieces[i],
            ))
            continue
        if not keep[i]:
            out.append(Decision(
                i, text, Action.DROP, Stage.MODEL,
                f"body probability {p:.2f} < threshold {threshold:.2f}", None, p,
            ))
            continue
        if trim is not None:
            r = rules[trim[2]]
            out.append(Decision(
                i, text, Action.TRIM, Stage.RULE, f"trimmed: {r.description}", r.id, p,
                pieces[i],
            ))
            continue
        if p is not None:
            reason = f"body probability {p:.2f} >= threshold {threshold:.2f}"
            out.append(Decision(i, text, Action.KEEP, Stage.MODEL, reason, None, p, text))
        else:
            out.append(Decision(i, text, Action.KEEP, Stage.DEFAULT, "no rule fired",
                                None, None, text))
    return out
