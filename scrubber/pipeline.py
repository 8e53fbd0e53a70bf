"""The one decision path: text -> lines -> rules -> features -> classifier -> context ->
decisions -> text.

Each step lives in its own module (:mod:`scrubber.lines`, :mod:`scrubber.rules`,
:mod:`scrubber.features`, :mod:`scrubber.model`, :mod:`scrubber.context`); this module
only wires them together. The fast path and the explaining path are the same code: with
``explain=True`` the per-line labels are also turned into :class:`Decision` objects.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from . import context, features, lines
from .config import Config
from .decisions import Action, Decision, Explained, Stage
from .model import Model, get_model
from .rules import RuleSet, load_ruleset


def ruleset_for(cfg: Config) -> RuleSet:
    return load_ruleset(cfg.rule_files, cfg.disabled_rules, cfg.regex_timeout)


def model_for(cfg: Config, kind: str = "text") -> Model | None:
    return get_model(kind) if cfg.use_model else None


def prepare(cfg: Config) -> None:
    """Build now what the decision path otherwise builds on first use: the rule set and
    its document scans, the models, the feature tables."""
    from .features import _tables

    ruleset_for(cfg).prepare()
    for kind in ("text", "html", "markdown"):
        model_for(cfg, kind)
    _tables()


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


def _model_prose_share(model: Any, texts: Sequence[str], pieces: Sequence[str],
                       rule_bad: Sequence[bool], hits: Any, rs: RuleSet) -> float:
    """:func:`prose_share` as ``model`` reads the rules: a rule it was not trained with
    (:meth:`Model.model_hits`) neither drops nor trims here. Its drop moved the share, and
    with it the threshold of every other line of the page (a user's rule dropping one
    "Subscribe" line flipped a heading four lines away)."""
    seen = model.model_hits(hits, rs) if hasattr(model, "model_hits") else hits
    if seen is hits:
        return prose_share(pieces, rule_bad)
    read = [texts[i] if t is None else pieces[i] for i, t in enumerate(seen.trim)]
    return prose_share(read, [d >= 0 for d in seen.drop])


def _use_context(cfg: Config, model: Any) -> bool:
    """Whether the context step runs: the config's choice, else the model card's
    (tuned in training), else yes."""
    if cfg.context is not None:
        return bool(cfg.context)
    if model is None:
        return True
    return bool((getattr(model, "card", None) or {}).get("context", True))


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


#: ``front_end="auto"`` asks trafilatura when the blocks' text is shorter than this.
AUTO_FALLBACK_CHARS = 200
# the block hint (scrubber.html.BOILERPLATE_HINTS) that Config.comments=False drops
_COMMENT_HINT = "comment_section"  # (scrubber.html._COMMENT_SECTION)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block (if it was on; it is back on
    after, even on an error). A page makes tens of thousands of short-lived tuples,
    contexts and blocks, none in a reference cycle: reference counting frees them, and
    the collections they would trigger during the call find nothing (measured on the
    HTML speed sample: 1.2% of the instructions of ``clean_html``, more of the time, as
    a collection reads memory the page's work does not). A collection owed runs after;
    a cycle made meanwhile (none is) would wait for it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_html(
    html: str | bytes, cfg: Config, explain: bool = False,
    lines_read: list[int] | None = None,
) -> tuple[str, Explained | None]:
    """Clean an HTML page: the front end (:mod:`scrubber.html`) turns it into blocks, one
    line each, with DOM features; then the same decision path as text runs, with the
    HTML model (DOM features included) when one is shipped, else the text model.
    The page title and first ``<h1>`` mark the headline for the context step.
    ``lines_read``: gets the number of lines the decisions were about (the blocks, or
    trafilatura's lines), what an explanation would hold one decision each for."""
    with gc_paused():
        return _run_html(html, cfg, explain, lines_read)


def _run_html(
    html: str | bytes, cfg: Config, explain: bool = False,
    lines_read: list[int] | None = None,
) -> tuple[str, Explained | None]:
    from .html import _coerce, dom_features, parse_html

    def on_text(text: str, why: str) -> tuple[str, Explained | None]:
        if lines_read is not None:
            lines_read.append(len(lines.split_lines(text)[0]))
        return _from_trafilatura(run(text, cfg, explain), why)

    if cfg.front_end == "trafilatura":
        source = _coerce(html)
        text = _trafilatura_text(source, required=True)
        if text:
            return on_text(text, "front_end='trafilatura'")
    page = parse_html(html)
    texts = [b.text for b in page.blocks]
    endings = ["\n"] * len(texts)
    if get_model("html") is not None:
        extra, kind = dom_features(page.blocks), "html"
    else:
        extra, kind = None, "text"
    headline = _headline_index(texts, page.title, page.h1)
    # reader comments, when the caller wants them gone (Config.comments)
    dom_drop = None if cfg.comments else [_COMMENT_HINT in b.hints for b in page.blocks]
    out = run_lines(texts, endings, cfg, explain, extra=extra, kind=kind, headline=headline,
                    dom_drop=dom_drop)
    if cfg.front_end == "auto" and not out[0] and (
        sum(b.text_chars for b in page.blocks) < AUTO_FALLBACK_CHARS
    ):
        # the blocks rendered next to nothing (script-rendered pages, odd markup): try
        # trafilatura. Not when the model read a page's worth of text and kept none:
        # on the pages of ../shared/data where that happens, trafilatura's text scored
        # word F1 0 on 10 whose gold is empty (pages without a body) and helped on 7
        # (mean +0.37), on training and held-out sites alike.
        source = _coerce(html)
        text = _trafilatura_text(source, required=False)
        if text:
            why = (f"fallback: the blocks rendered {sum(b.text_chars for b in page.blocks)}"
                   f" characters (under {AUTO_FALLBACK_CHARS}) and kept none")
            return on_text(text, why)
    if lines_read is not None:
        lines_read.append(len(texts))
    if out[1] is not None:
        return out[0], dataclasses.replace(out[1], front_end="blocks")
    return out


def _from_trafilatura(
    out: tuple[str, Explained | None], why: str
) -> tuple[str, Explained | None]:
    """``out`` of :func:`run` on trafilatura's text, its decisions marked as being about
    trafilatura's lines, not the page's blocks: ``front_end`` says so, and every reason
    starts with ``"trafilatura's text (<why>): "``."""
    text, explained = out
    if explained is None:
        return out
    prefix = f"trafilatura's text ({why}): "
    decisions = tuple(dataclasses.replace(d, reason=prefix + d.reason)
                      for d in explained.decisions)
    return text, Explained(explained.text, decisions, front_end="trafilatura")


def _headline_copies(drop: Sequence[int], rules: Sequence[Any]) -> list[int]:
    """The lines a document check dropped as later copies of the headline."""
    return [i for i, d in enumerate(drop) if d >= 0 and rules[d].check == "repeated_headline"]


def _confirmed_headline(texts: Sequence[str], drop: Sequence[int], copies: Sequence[int]) -> int:
    """The headline a document check confirmed by finding its ``copies``: the first kept
    non-blank line before the first copy (-1: none)."""
    if not copies:
        return -1
    return next((i for i in range(copies[0]) if texts[i].strip() and drop[i] < 0), -1)


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
        # without comments even when Config.comments keeps them: asking for them cost
        # front_end="trafilatura" 0.077 word F1 on Dragnet, 0.012 on L3S (README)
        out = trafilatura.extract(html, favor_recall=True, include_comments=False)
    except Exception:  # trafilatura raises on some broken pages; fall back to blocks
        return ""
    return out or ""


def _headline_index(texts: Sequence[str], title: str, h1: str) -> int:
    """The block that is the page's headline: the first ``<h1>`` text, else the first
    block equal (normalised) to the ``<title>`` or to its part before a site suffix."""
    from .rules.checks import headline_length_bound, normalise_headline, title_variants

    wanted = set()
    if h1:
        wanted.add(normalise_headline(h1))
    if title:
        wanted |= title_variants(title)
    if not wanted:
        return -1
    longest = max(map(len, wanted))
    shortest = min(map(len, wanted))
    for i, t in enumerate(texts):
        n = len(t)
        if n > longest and headline_length_bound(t) > longest:
            continue  # (a paragraph: normalised, still longer than any wanted line)
        if n < shortest and t.isascii():
            continue  # (normalising ASCII text never lengthens it)
        if t.strip() and normalise_headline(t) in wanted:
            return i
    return -1


def run(text: str, cfg: Config, explain: bool = False) -> tuple[str, Explained | None]:
    """Clean ``text``; with ``explain`` also return one decision per input line."""
    with gc_paused():
        texts, endings = lines.split_lines(text)
        return run_lines(texts, endings, cfg, explain)


class _Pass:
    """One pass of the decision path over a list of lines: the rule hits, the pieces
    (trimmed lines), the scores and the context step's verdict."""

    __slots__ = ("dom", "hits", "keep", "opener", "pieces", "rule_bad", "scores", "seen",
                 "threshold", "why")

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


def _one_pass(
    texts: Sequence[str],
    cfg: Config,
    rs: RuleSet,
    model: Any,
    extra: Any,
    headline: int,
    own_cache: dict[str, Any] | None = None,
    dom_drop: Sequence[bool] | None = None,
    view: lines.MarkupView | None = None,
    idx: Sequence[int] | None = None,
) -> _Pass:
    """One pass over ``texts``. ``view``: the markdown view the lines come from, and
    ``idx`` the index in it of each line (default: all, in order), for a markdown
    model's link features."""
    n = len(texts)
    hits = rs.apply(texts, cfg.max_line_chars)
    rules = rs.rules

    # rules: sure drops, trims
    pieces: list[str] = list(texts)
    for i, t in enumerate(hits.trim):
        if t is not None:
            pieces[i] = texts[i][t[0] : t[1]]
    rule_bad = [d >= 0 for d in hits.drop]
    transparent = [d >= 0 and rules[d].scope == "document" for d in hits.drop]
    copies = _headline_copies(hits.drop, rules)
    if headline < 0:
        headline = _confirmed_headline(texts, hits.drop, copies)
    threshold = _threshold(cfg, model, _model_prose_share(model, texts, pieces, rule_bad,
                                                          hits, rs) if model else 0.0)

    # features + classifier, for the lines no sure rule decided
    scores: Sequence[float] | None = None
    if model is not None:
        feed = extra
        if extra is None and (getattr(model, "card", None) or {}).get("kind") == "markdown":
            feed = features.markdown_rows(view, range(n) if idx is None else idx, pieces)
        scores = (model.score(pieces, hits, rs, feed) if own_cache is None
                  else model.score(pieces, hits, rs, feed, own_cache=own_cache))

    # site profile (scrubber.corpus.profile): lines repeated across the site's pages
    seen: list[int] | None = None
    if cfg.profile is not None and cfg.site:
        seen = cfg.profile.repeated(texts, cfg.site, scores, rule_bad)
        rule_bad = [b or s > 0 for b, s in zip(rule_bad, seen, strict=True)]
    # blocks the front end marks (HTML: comment sections with Config.comments=False)
    if dom_drop is not None:
        rule_bad = [b or d for b, d in zip(rule_bad, dom_drop, strict=True)]

    # context
    if _use_context(cfg, model):
        keep, why = context.revise(pieces, rule_bad, transparent, scores, threshold,
                                   headline=headline)
    else:
        keep = [
            bool(pieces[i].strip()) and not rule_bad[i]
            and (scores is None or scores[i] >= threshold)
            for i in range(n)
        ]
        why = [context.Why.NONE] * n
    # the repeated headline (text): its later copies went as copies of the first line;
    # when that line itself was not kept, the copy with body below it stands in for it
    if extra is None and copies and headline >= 0 and not keep[headline]:
        j = context.headline_copy(pieces, copies, keep, rule_bad, transparent)
        if j >= 0:
            keep[j], why[j] = True, context.Why.HEADLINE_COPY
    # reader comments on text input, when the caller wants them gone (Config.comments;
    # HTML marks its comment sections by element, dom_drop above)
    opener = -1
    if not cfg.comments and extra is None and dom_drop is None:
        opener = context.drop_comments(
            pieces, [d >= 0 and rules[d].family == "comments" for d in hits.drop], keep, why)
    return _Pass(hits=hits, keep=keep, pieces=pieces, rule_bad=rule_bad, scores=scores,
                 seen=seen, threshold=threshold, why=why, dom=dom_drop, opener=opener)


def _written(blank: Sequence[bool], keep: Sequence[bool], pieces: Sequence[str]) -> list[int]:
    """Indices of the lines :func:`lines.join_lines` writes, in order: the kept non-blank
    lines and the one blank line it keeps between two of them (``blank``: the input lines
    that are blank)."""
    out: list[int] = []
    pending = -1
    last = False
    for i, b in enumerate(blank):
        if b:
            if last and pending < 0:
                pending = i
            continue
        if not keep[i] or not pieces[i].strip():
            continue
        if pending >= 0:
            out.append(pending)
        pending = -1
        out.append(i)
        last = True
    return out


def run_lines(
    texts: Sequence[str],
    endings: Sequence[str],
    cfg: Config,
    explain: bool = False,
    extra: Any = None,
    kind: str = "text",
    model: Any = "default",
    headline: int = -1,
    dom_drop: Sequence[bool] | None = None,
    sink: list[str | None] | None = None,
    resettle: bool = True,
) -> tuple[str, Explained | None]:
    """The decision path over already-split lines. ``extra`` carries front-end features
    (the HTML path's DOM features) to the model; ``headline`` is the index of a line the
    front end knows to be the headline (-1: the context step guesses); ``dom_drop`` marks
    lines the front end drops whatever the rules and model say (HTML comment sections with
    ``Config.comments=False``).

    Settling (text only, ``Config.settle``): the model reads each line in its document
    (neighbours, blank-line structure, repetition), so once a pass has removed the
    clutter, a line that passed beside it can read differently. The path is run again on
    what the last pass kept, exactly as :func:`run` would see the output, until a pass
    changes nothing; the result is then a fixed point, so ``clean(clean(x)) ==
    clean(x)``. A pass only ever drops or trims more. Without a model too: the rules'
    runs, widgets and document checks and the context step read each line among the
    others, and what a trim leaves of a line ("Posted on November 1, 2012 Comments (0)"
    -> "Comments (0)") is read by the line rules as a line.

    Hard-wrapped text (``Config.unwrap``): the path reads each paragraph as one line
    (:func:`lines.unwrap_view`) and writes its lines as they were. ``sink``: gets what
    each line contributes to the output (``None``: dropped), in order. ``resettle``:
    settle the output of wrapped text (``False``: one round, for the settling itself)."""
    n = len(texts)
    if n == 0:
        return "", (Explained("", ()) if explain else None)
    # text with glued lines (Config.unglue): decided a piece at a time when they hold
    # enough of it; when they do not, they may once the clutter is gone, and so may text
    # with none (a trim that cut a line's program text off): settled below
    unglue = extra is None and dom_drop is None and cfg.unglue and kind == "text"
    if unglue and (glue := lines.glue_view(texts)) is not None:
        return _run_unglued(glue, endings, cfg, explain, model, headline, sink)
    unwrap = extra is None and dom_drop is None and cfg.unwrap and kind == "text"
    if unwrap:
        wrap = lines.unwrap_view(texts) or lines.fragment_view(texts)
        if wrap is not None:
            return _run_unwrapped(wrap, endings, cfg, explain, model, headline, sink,
                                  resettle)
    model_arg = model
    # markdown (Config.markdown): the path reads link texts without their URLs; what is
    # written is the input line, or the piece of it a trimmed view stands for
    originals = texts
    view = lines.markup_view(texts, ties=True) if extra is None and cfg.markdown else None
    if view is not None:
        texts = view.texts
    rs = ruleset_for(cfg)
    # a scraper's markdown: the model trained on it, when one is shipped; each settle
    # pass picks again by the lines it reads (a page's links were mostly its menus, and
    # cleaning an output without three links again would read it with the text model)
    choose = None
    if isinstance(model, str):
        text_model = model_for(cfg, kind)
        md_model = (model_for(cfg, "markdown") if view is not None and kind == "text"
                    else None)
        model = md_model if md_model is not None and view.markdown else text_model
        if md_model is not None:
            def choose(idx: Sequence[int]) -> Any:
                return md_model if view.markdown_among(idx) else text_model
    # the settle passes re-read lines the first pass read: their own feature rows are
    # kept (see features.extract) for the shipped model
    settles = extra is None and model is not None and cfg.settle > 1
    own_cache: dict[str, Any] | None = {} if settles and isinstance(model, Model) else None
    first = _one_pass(texts, cfg, rs, model, extra, headline, own_cache, dom_drop, view)
    keep = list(first.keep)
    pieces = list(first.pieces)
    # line -> (pass number, that pass, the line's index in it, the line as it saw it)
    # (only the explanations and Config.extracted read it: the fast path does not keep
    # every settle pass's per-line lists, about 170 bytes a line removed on a huge page)
    late: dict[int, tuple[int, _Pass, int, str]] | None = (
        {} if explain or cfg.extracted else None)
    retry = (cfg.retry_sparse and cfg.threshold is None and not cfg.extracted
             and extra is None and model is not None)
    # settle passes only drop or trim, so a first pass under the share decides it: the
    # settling it would get is skipped (sparse pages are often long listings)
    share = _sparse_share(texts, keep, pieces) if retry else 1.0
    # (without a model too: the rules' runs, widgets and document checks and the context
    # step read each line among the others, and a trimmed line is read again as a line)
    if extra is None and share >= SPARSE_SHARE:
        settled = _settle(texts, cfg, rs, model, keep, pieces, late, own_cache,
                          choose=choose, view=view) > 1
        if retry and settled:  # (a settle pass changed what the first pass kept)
            share = _sparse_share(texts, keep, pieces)

    sparse_share = -1.0
    if share < SPARSE_SHARE:
        # the whole path again at the lower threshold, then settled against the default
        # decision (see SPARSE_SHARE), so the output stays a fixed point
        sparse_share = share
        low = cfg.replace(threshold=SPARSE_THRESHOLD)
        del first  # (its lists are not kept alive through the new pass)
        first = _one_pass(texts, low, rs, model, extra, headline, own_cache, dom_drop, view)
        keep, pieces = list(first.keep), list(first.pieces)
        late = None if late is None else {}
        last = _settle(texts, low, rs, model, keep, pieces, late, own_cache, choose=choose,
                       view=view)
        _settle(texts, cfg, rs, model, keep, pieces, late, own_cache, last + 1, sparse=low,
                choose=choose, view=view)

    restored: list[int] = []
    removed_share = 0.0
    if cfg.extracted and extra is None and model is not None and late is not None:
        restored, removed_share = _guard_extracted(first, late, keep, pieces)

    outputs: list[str | None] = [pieces[i] if keep[i] else None for i in range(n)]
    if view is not None:
        # (a setext heading's underline is written exactly when its heading is)
        outputs = view.write([o if o is None else view.original(i, o)
                              for i, o in enumerate(outputs)])
    # text that was not read as wrapped can be once its clutter is gone (a menu line
    # longer than the width): read again as clean() would read the output
    rewrapped: dict[int, Decision] = {}
    if extra is None and dom_drop is None and cfg.markdown and resettle:
        rewrapped.update(_settle_markup(originals, endings, outputs, view, cfg, explain,
                                        model_arg))
    if unwrap and resettle:
        rewrapped.update(_settle_wrapped(originals, endings, outputs, cfg, explain, model_arg,
                                         True))
    if unglue and resettle:
        rewrapped.update(_settle_glued(originals, endings, outputs, cfg, explain, model_arg))
    if sink is not None:
        sink.extend(outputs)
    written: list[int] | None = [] if explain else None
    out = lines.join_lines(originals, endings, outputs, written)
    if not explain or late is None:
        return out, None
    decisions = _explain(texts, first.pieces, first.hits, rs.rules, first.scores, first.keep,
                         first.why, set(written or ()), first.threshold, first.seen, cfg,
                         first.dom, _opener(first, rs.rules))
    for i, (pass_no, p, j, seen_as) in late.items():
        d = _explain([seen_as], [p.pieces[j]], _one_hit(p.hits, j), rs.rules,
                     None if p.scores is None else [p.scores[j]], [p.keep[j]], [p.why[j]],
                     set(), p.threshold, None if p.seen is None else [p.seen[j]], cfg,
                     opener=_opener(p, rs.rules))[0]
        out_piece = pieces[i] if keep[i] else None
        decisions[i] = Decision(
            i, texts[i], d.action if keep[i] else Action.DROP, d.stage,
            f"pass {pass_no}, once the lines dropped before were gone: {d.reason}",
            d.rule_id, d.score, out_piece,
        )
    if sparse_share >= 0.0:
        why = (f"page decided again at threshold {SPARSE_THRESHOLD:.2f}: at the model's own "
               f"threshold it kept {sparse_share:.0%} of its words (Config.retry_sparse: "
               f"under {SPARSE_SHARE:.0%}); ")
        decisions = [dataclasses.replace(d, reason=why + d.reason)
                     if d.stage in (Stage.MODEL, Stage.CONTEXT) else d for d in decisions]
    for i in restored:
        d = decisions[i]
        decisions[i] = Decision(
            i, texts[i], Action.TRIM if pieces[i] != texts[i] else Action.KEEP, Stage.CONTEXT,
            f"kept: the model and the context step would have removed {removed_share:.0%} "
            f"of the words of this extracted text (Config.extracted allows at most "
            f"{EXTRACTED_MAX_REMOVED:.0%}), so only the rules' drops apply; "
            f"had it not been: {d.reason}", None, d.score, pieces[i],
        )
    if view is not None:  # (decided on the view; the line and its output as written)
        decisions = [d if d.text == originals[d.index] else dataclasses.replace(
            d, text=originals[d.index],
            output=None if d.output is None else view.original(d.index, d.output))
            for d in decisions]
        # (a setext underline, a link reference definition: why, not "blank line")
        for k, d in enumerate(decisions):
            tied = view.tied(d.index)
            if tied is not None:
                o = outputs[d.index]
                decisions[k] = Decision(d.index, d.text, Action.DROP if o is None else
                                        Action.KEEP, Stage.LAYOUT, tied, None, None, o)
    if rewrapped:
        decisions = [rewrapped.get(d.index, d) for d in decisions]
    return out, Explained(out, tuple(decisions))


def _run_unwrapped(
    wrap: lines.WrapView, endings: Sequence[str], cfg: Config, explain: bool, model: Any,
    headline: int, sink: list[str | None] | None, resettle: bool = True,
) -> tuple[str, Explained | None]:
    """:func:`run_lines` over hard-wrapped lines: the path decides on the paragraphs
    (``wrap.texts``), and each line is written as it was when its paragraph is kept (or
    the part of it a trimmed paragraph keeps)."""
    texts = wrap.originals
    inner: list[str | None] = []
    # (a text read a paragraph at a time is not read as glued too: a glued line's pieces
    # are written a line each, which a paragraph's lines cannot be mapped back from)
    _, ex = run_lines(wrap.texts, ["\n"] * len(wrap.texts),
                      cfg.replace(unwrap=False, unglue=False),
                      explain, model=model, headline=headline, sink=inner)
    outputs: list[str | None] = [None] * len(texts)
    for g, piece in enumerate(inner):
        if piece is not None:
            for i, p in wrap.pieces(g, piece):
                outputs[i] = p
    late = (_settle_wrapped(texts, endings, outputs, cfg, explain, model, False) if resettle
            else {})
    if resettle and cfg.unglue:  # (what it keeps may read as glued text, as clean() reads it)
        late.update(_settle_glued(texts, endings, outputs, cfg, explain, model))
    blanks: list[int] = []
    out = _emit(texts, endings, outputs, sink, blanks)
    if ex is None:
        return out, None
    decisions: list[Decision] = []
    for g, d in enumerate(ex.decisions):
        members = wrap.groups[g]
        if len(members) == 1:  # (a line read as itself: its decision as it is)
            decisions.append(dataclasses.replace(d, index=members[0]))
            continue
        how = (f"text hard-wrapped at {wrap.width} columns" if wrap.width else
               "a paragraph's fragments, a text node a line")
        why = (f"read as one paragraph with lines {members[0] + 1}-{members[-1] + 1} "
               f"({how}): {d.reason}")
        for i in members:
            o = outputs[i]
            action = (Action.DROP if o is None else Action.KEEP if o == texts[i]
                      else Action.TRIM)
            decisions.append(Decision(i, texts[i], action, d.stage, why, d.rule_id, d.score, o))
    decisions = [late.get(d.index, d) for d in decisions]
    _blanks_as_written(decisions, blanks)
    return out, Explained(out, tuple(decisions))


def _emit(
    texts: Sequence[str], endings: Sequence[str], outputs: Sequence[str | None],
    sink: list[str | None] | None, written: list[int] | None = None,
) -> str:
    """What a view's run writes: ``outputs`` (what each input line contributes) handed to
    ``sink`` when there is one, and joined as the text (``written``: gets the blank lines
    written, as :func:`lines.join_lines` gives them)."""
    if sink is not None:
        sink.extend(outputs)
    return lines.join_lines(texts, endings, outputs, written)


def _blanks_as_written(decisions: list[Decision], written: Sequence[int]) -> None:
    """A view's blank lines decided as :func:`lines.join_lines` wrote them, in place. The
    view's run decided them between its own lines, and a settling pass over the lines
    after it can drop what stood on both sides of one: it was "kept" and not written."""
    kept = set(written)
    for k, d in enumerate(decisions):
        if d.text.strip() or (d.action is Action.KEEP) == (d.index in kept):
            continue
        decisions[k] = _blank_decision(d.index, d.text, d.index in kept)


def _blank_decision(i: int, text: str, kept: bool) -> Decision:
    """The decision on blank line ``i``: kept when :func:`lines.join_lines` writes it."""
    return Decision(i, text, Action.KEEP if kept else Action.DROP, Stage.LAYOUT,
                    "blank line between kept lines" if kept
                    else "blank line at an edge or in a run of blanks",
                    output=text if kept else None)


def _run_unglued(
    glue: lines.GlueView, endings: Sequence[str], cfg: Config, explain: bool, model: Any,
    headline: int, sink: list[str | None] | None,
) -> tuple[str, Explained | None]:
    """:func:`run_lines` over text with glued lines (``Config.unglue``): the path decides
    on the pieces (``glue.texts``), and :meth:`lines.GlueView.write` writes what is kept of
    each line. The pieces a glued line's output holds have no glue point left in them, so
    cleaning the output again reads each of them as the line it was decided as: the
    output is a fixed point as the path's own settling leaves it."""
    texts = glue.originals
    inner: list[str | None] = []
    if headline >= 0:
        headline = glue.members(headline)[0]
    if glue.run_on:
        model = _run_on_model(glue.texts, cfg, model)
    _, ex = run_lines(glue.texts, ["\n"] * len(glue.texts), cfg.replace(unglue=False),
                      explain, model=model, headline=headline, sink=inner)
    outputs = glue.write(inner, endings)
    blanks: list[int] = []
    out = _emit(texts, endings, outputs, sink, blanks)
    if ex is None:
        return out, None
    decisions: list[Decision] = []
    for i, text in enumerate(texts):
        ks = glue.members(i)
        if len(ks) == 1:  # (a line read as itself: its decision as it is)
            decisions.append(dataclasses.replace(ex.decisions[ks[0]], index=i))
            continue
        decisions.append(_glued_decision(i, text, [ex.decisions[k] for k in ks], outputs[i],
                                         i in glue.run_on))
    _blanks_as_written(decisions, blanks)
    return out, Explained(out, tuple(decisions))


#: On a page of text nodes joined by spaces (its run-on lines with no glue point in them,
#: :attr:`lines.GlueView.run_on`), the model's thresholds (the card's ``threshold`` and
#: ``threshold_clean``) are raised by this much for its pieces; not with a threshold of
#: the config's own. The model was trained on lines a paragraph or a block each; such a
#: page is read a sentence or a run of capitalised words at a time, and a sentence of a
#: teaser, a related article's blurb or a reader's comment reads more like body than the
#: block it came from. Chosen on the training sites' ``soup_space`` renders (WCXB and
#: CleanEval train split; word F1 0.7798 / 0.9085 unraised; raised by 0.05: +0.0046 /
#: +0.0016, 0.1: +0.0101 / +0.0005, 0.15: +0.0098 / -0.0018); held-out figures in the
#: README ("Text nodes joined by spaces"). A run-on line cut at glue points too (text
#: nodes glued without a space, BeautifulSoup's ``get_text()``) is read a block at a
#: time, not a sentence, and is decided at the model's own thresholds.
RUN_ON_SHIFT = 0.1


def _run_on_model(texts: Sequence[str], cfg: Config, model: Any) -> Any:
    """The model a page of text nodes joined by spaces (``texts``: its pieces) is decided
    with: the text model at its thresholds raised by :data:`RUN_ON_SHIFT`; ``model`` as
    it is when the markdown model reads the page (its thresholds were not chosen so)."""
    if isinstance(model, str):
        md = model_for(cfg, "markdown") if cfg.markdown else None
        if md is not None:
            view = lines.markup_view(texts, ties=True)
            if view is not None and view.markdown:
                return model
        model = model_for(cfg)
    return model.shifted(RUN_ON_SHIFT) if isinstance(model, Model) else model


def _settle_glued(
    texts: Sequence[str], endings: Sequence[str], outputs: list[str | None], cfg: Config,
    explain: bool, model: Any,
) -> dict[int, Decision]:
    """Text whose glued lines held too little of it to be read as glued
    (:data:`lines.GLUE_MIN_SHARE`) can hold enough once its clutter is gone: the output is
    then read again as clean() would read it, glued lines a piece at a time, and what
    that keeps of each line replaces ``outputs`` (in place). Returns the decisions of the
    lines it changed (with ``explain``)."""
    late: dict[int, Decision] = {}
    if cfg.settle <= 1:  # (settle=1 ran a second pass here, for the glued lines)
        return late
    blank = [not t.strip() for t in texts]
    idx, sub = _as_written(texts, outputs, blank)
    if lines.glue_view(sub) is not None:
        _read_again(texts, endings, outputs, blank, idx, sub, cfg, explain, model, late)
    return late


def _as_written(
    texts: Sequence[str], outputs: Sequence[str | None], blank: Sequence[bool],
) -> tuple[list[int], list[str]]:
    """The lines the output of ``texts`` is, as clean() would read it: their indices in
    ``texts`` and each as written (``blank``: the input lines that are blank)."""
    idx = _written(blank, [o is not None for o in outputs], [o or "" for o in outputs])
    return idx, [texts[i] if blank[i] else outputs[i] or "" for i in idx]


def _read_again(
    texts: Sequence[str], endings: Sequence[str], outputs: list[str | None],
    blank: Sequence[bool], idx: list[int], sub: list[str], cfg: Config, explain: bool,
    model: Any, late: dict[int, Decision], resettle: bool = True,
) -> bool:
    """Run the path over ``sub``, the output of ``texts`` as written (:func:`_as_written`,
    ``idx`` its lines), and put what that keeps of each line into ``outputs`` and the
    decisions of the lines it changed into ``late`` (in place). Whether a line changed."""
    again: list[str | None] = []
    # (each line with its own ending: a glued line found only now is cut with it, where
    # "\n" put bare LFs into a CRLF page)
    _, sub_ex = run_lines(sub, [endings[i] for i in idx], cfg, explain, model=model,
                          sink=again, resettle=resettle)
    changed = False
    for j, i in enumerate(idx):
        if blank[i] or again[j] == sub[j]:
            continue
        outputs[i] = again[j]
        changed = True
        if sub_ex is not None:
            d = sub_ex.decisions[j]
            late[i] = dataclasses.replace(
                d, index=i, text=texts[i], output=outputs[i],
                reason=f"once the lines dropped before were gone: {d.reason}")
    return changed


#: How many of a glued line's pieces its explanation names one by one.
GLUED_EXPLAINED = 12


def _glued_decision(i: int, text: str, parts: Sequence[Decision], output: str | None,
                    run_on: bool) -> Decision:
    """One decision for a glued line from its pieces' decisions: the action its output
    makes, the stage and rule of its first kept piece (of its first piece when none is
    kept), the highest score, and a reason naming the pieces' verdicts and how the line
    was cut (``run_on``: as a run-on line, :attr:`lines.GlueView.run_on`)."""
    action = Action.DROP if output is None else Action.KEEP if output == text else Action.TRIM
    lead = next((d for d in parts if d.kept), parts[0])
    kept = sum(d.kept for d in parts)
    named = []
    for d in parts[:GLUED_EXPLAINED]:
        piece = d.text.strip()
        piece = piece if len(piece) <= 40 else piece[:37] + "..."
        verdict = "kept" if d.kept else "dropped"
        why = (f"rule {d.rule_id}" if d.rule_id else
               f"{d.stage.value} p={d.score:.2f}" if d.score is not None else d.stage.value)
        named.append(f"{piece!r} {verdict} ({why})")
    more = len(parts) - len(named)
    how = ("cells of a table row written as one line" if text.lstrip().startswith("|") else
           "pieces of a run-on line (text nodes joined by spaces: cut after its sentences "
           "and around its runs of capitalised words)" if run_on else
           "pieces glued together (text nodes joined without a line break)")
    reason = (f"read as {len(parts)} {how}, {kept} kept: " + "; ".join(named)
              + (f"; and {more} more" if more > 0 else ""))
    scores = [d.score for d in parts if d.score is not None]
    return Decision(i, text, action, lead.stage, reason, lead.rule_id,
                    max(scores) if scores else None, output)


def _settle_markup(
    texts: Sequence[str], endings: Sequence[str], outputs: list[str | None],
    view: lines.MarkupView | None, cfg: Config, explain: bool, model: Any,
) -> dict[int, Decision]:
    """Markdown's layout lines read by the lines around them
    (:func:`lines.layout_roles`: setext underlines, link reference definitions, neither
    inside fenced code) can read another way once lines are gone: a definition in a fence
    whose fence line was dropped is one, and is never written. The settle passes read
    each line as the input's view read it; when the output's roles differ, the output is
    read again as clean() would read it, until they do not (at most ``Config.settle`` - 1
    rounds, each only dropping or trimming). Returns the decisions of the lines a round
    changed (with ``explain``); ``outputs`` is changed in place. ``view``: the view the
    lines were decided by (``None``: no line read as layout)."""
    late: dict[int, Decision] = {}
    if cfg.settle <= 1:
        return late
    # (as the lines were decided, by input index: what the view found, not read again)
    roles = {} if view is None else view.layout_roles()
    blank = [not t.strip() for t in texts]
    for _ in range(cfg.settle - 1):
        idx, sub = _as_written(texts, outputs, blank)
        now = {idx[j]: (idx[h] if h >= 0 else -1) for j, h in lines.layout_roles(sub).items()}
        if all(roles.get(i) == now.get(i) for i in idx):
            break
        if not _read_again(texts, endings, outputs, blank, idx, sub, cfg, explain, model,
                           late, resettle=False):
            break
        roles = now
    return late


def _settle_wrapped(
    texts: Sequence[str], endings: Sequence[str], outputs: list[str | None], cfg: Config,
    explain: bool, model: Any, check: bool,
) -> dict[int, Decision]:
    """Settle what ``outputs`` keeps of ``texts`` (in place) as the text path settles its
    passes: the output is read again as clean() would read it (what is left of wrapped
    text may be wrapped at another width, or not read as wrapped at all once its menus
    are gone; text not read as wrapped may be once they are), until that changes
    nothing; each round only drops or trims. ``check``: first see whether the output
    reads as wrapped text at all (nothing to settle otherwise). Returns the decisions of
    the lines a round changed (with ``explain``)."""
    late: dict[int, Decision] = {}
    width = None  # (check: the width the output reads as wrapped at)
    if check:
        if cfg.settle <= 1:
            return late
        # (blank lines say nothing of a width: the kept lines alone tell)
        kept = [o for o in outputs if o]
        width = lines.wrap_width(kept)
        if width is None and lines.fragment_view(kept) is None:
            return late
    blank = [not t.strip() for t in texts]
    for round_no in range(cfg.settle - 1):
        idx, sub = _as_written(texts, outputs, blank)
        if round_no == 0 and check and (lines.unwrap_view(sub, width) if width is not None
                                        else lines.fragment_view(sub)) is None:
            break
        # (not read as glued inside: see _run_unwrapped)
        if not _read_again(texts, endings, outputs, blank, idx, sub,
                           cfg.replace(unglue=False), explain, model, late, resettle=False):
            break
    return late


#: ``Config.retry_sparse``: a text page whose kept words are under this share of its words
#: (at the model's own thresholds, all passes) is decided again at
#: :data:`SPARSE_THRESHOLD`. Such pages were mostly emptied on purpose by the model's scale,
#: not by their content: listings, teaser grids and link lists, whose items read like an
#: article page's related-links clutter (one teaser title at 0.51 passed, the page's 40
#: teasers at 0.1-0.49 did not, and a settle pass then dropped the title too). Chosen on
#: training sites' text (three renderers, 2026-12-06): mean word F1 +0.0025 / +0.0026 /
#: +0.0007 (html-text / inscriptis / trafilatura) at share 0.1 and threshold 0.2, within
#: 0.0004 of that from share 0.05 to 0.2 and thresholds 0.1 to 0.3; held-out and
#: evaluation-only figures in the README ("Pages the model would empty").
SPARSE_SHARE = 0.1
#: The threshold a sparse page (:data:`SPARSE_SHARE`) is decided again at.
SPARSE_THRESHOLD = 0.2


_WORD_LINES = 4_096  # lines _count_words joins at once
_WORD_CHARS = 1 << 20  # characters _count_words splits at once, about


def _count_words(lines: Iterable[str]) -> int:
    """``len(" ".join(lines).split())``, without the joined text or the list of all the
    words (a 45 MB page's were 0.4 GB at once): the lines are joined a range at a time
    and a long text is split in pieces cut at a space, where no word can be cut."""
    it = iter(lines)
    total = 0
    while chunk := list(itertools.islice(it, _WORD_LINES)):
        text = " ".join(chunk)
        del chunk
        if len(text) <= _WORD_CHARS:
            total += len(text.split())
            continue
        a, n = 0, len(text)
        while a < n:
            b = text.find(" ", a + _WORD_CHARS)
            b = n if b < 0 else b
            total += len(text[a:b].split())
            a = b
    return total


def _sparse_share(texts: Sequence[str], keep: Sequence[bool], pieces: Sequence[str]) -> float:
    """The share of the input's words the kept pieces hold when it is under
    :data:`SPARSE_SHARE`, else 1.0 (words split on whitespace, as the share was tuned).
    Every document pays for this, so it counts with joins (no per-line Python loop) and
    bounds first: ``n`` lines of ``c`` characters hold at most ``(c + n) // 2`` words."""
    kept = _count_words(itertools.compress(pieces, keep))
    if kept >= SPARSE_SHARE * ((sum(map(len, texts)) + len(texts)) // 2):
        return 1.0
    total = _count_words(texts)
    if total == 0 or kept >= SPARSE_SHARE * total:
        return 1.0
    return kept / total


def _settle(
    texts: Sequence[str], cfg: Config, rs: RuleSet, model: Any, keep: list[bool],
    pieces: list[str], late: dict[int, tuple[int, _Pass, int, str]] | None,
    own_cache: dict[str, Any] | None, start: int = 2, sparse: Config | None = None,
    choose: Any = None, view: lines.MarkupView | None = None,
) -> int:
    """Settle passes (``Config.settle``) over what ``keep`` / ``pieces`` hold, in place,
    numbered from ``start``; each line a pass removes or trims goes into ``late`` (when
    it is not ``None``).
    ``sparse``: the config of a sparse page's second decision (``Config.retry_sparse``).
    A pass that would keep under :data:`SPARSE_SHARE` of the words it read is not
    applied: cleaning the output again would decide it again with ``sparse``, so a pass
    with ``sparse`` is applied instead (it stopped there once, but that pass can drop
    more: a last short line the first decision kept as sure, 0.82, scored 0.73 alone,
    and the output cleaned again came out empty). ``choose``: the model for a pass, from
    the indices of the lines it reads (markdown: :attr:`MarkupView.markdown_among`);
    ``view``: the markdown view ``texts`` are (the markdown model's link features).
    Returns the number of the last pass that changed something (``start - 1``: none)."""
    n = len(texts)
    last = start - 1
    # (which input lines are blank does not change from pass to pass)
    blank = [not t.strip() for t in texts]
    for pass_no in range(start, start + cfg.settle - 1):
        idx = _written(blank, keep, pieces)
        sub = [texts[i] if blank[i] else pieces[i] for i in idx]
        if pass_no == 2 and len(sub) == n and sub == list(texts):
            break  # the first pass changed nothing: this one would decide the same
        m = model if choose is None else choose(idx)
        p = _one_pass(sub, cfg, rs, m, None, -1, own_cache, view=view, idx=idx)
        if sparse is not None and _sparse_share(sub, p.keep, p.pieces) < SPARSE_SHARE:
            p = _one_pass(sub, sparse, rs, m, None, -1, own_cache, view=view, idx=idx)
        changed = False
        for j, i in enumerate(idx):
            if blank[i]:  # (a line _written writes is blank exactly when its input is)
                continue
            if not p.keep[j]:
                keep[i] = False
            elif p.pieces[j] != sub[j]:
                pieces[i] = p.pieces[j]
            else:
                continue
            if late is not None:
                late[i] = (pass_no, p, j, sub[j])
            changed = True
        if not changed:
            break
        last = pass_no
    return last


#: With ``Config.extracted`` (text an extractor already cleaned), the largest share of the
#: words the rules leave that the model and the context step may remove from a document.
#: Chosen on training sites' trafilatura text (2026-12-06): removing the document's lines
#: the rules left whenever the two would remove more than a share X gained mean word F1
#: +0.008 (X = 0.5, by document) and within 0.001 of that from X = 0.2 to 0.5; held-out
#: and evaluation-only figures in the README ("Text an extractor already cleaned").
EXTRACTED_MAX_REMOVED = 0.5


def _guard_extracted(
    first: _Pass, late: dict[int, tuple[int, _Pass, int, str]], keep: list[bool],
    pieces: list[str],
) -> tuple[list[int], float]:
    """``Config.extracted``: when the model and the context step (all passes) removed
    more than :data:`EXTRACTED_MAX_REMOVED` of the words the rules left, put back every
    line only they removed, in place (``keep``, ``pieces``). Returns those lines and the
    share of words that would have gone ([] when under the cap)."""
    later_rule = {i for i, (_, p, j, _) in late.items() if p.hits.drop[j] >= 0}
    base = [i for i, piece in enumerate(first.pieces)
            if piece.strip() and not first.rule_bad[i] and i not in later_rule
            and first.why[i] is not context.Why.COMMENTS]
    total = sum(context.word_count(first.pieces[i]) for i in base)
    kept = sum(context.word_count(pieces[i]) for i in base if keep[i])
    if total == 0 or kept >= (1.0 - EXTRACTED_MAX_REMOVED) * total:
        return [], 0.0
    back = [i for i in base if not keep[i]]
    for i in back:
        keep[i] = True
        pieces[i] = first.pieces[i]
    return back, 1.0 - kept / total


def _opener(p: _Pass, rules: Sequence[Any]) -> str:
    """The line that opened the reader comments in pass ``p``, as a reason names it."""
    if p.opener < 0:
        return ""
    text = p.pieces[p.opener].strip()
    return f"{text[:40] + '...' if len(text) > 40 else text!r} ({rules[p.hits.drop[p.opener]].id})"


def _one_hit(hits: Any, j: int) -> Any:
    """Line ``j``'s rule hits as a one-line :class:`RuleHits`-like view."""
    from types import SimpleNamespace

    return SimpleNamespace(drop=[hits.drop[j]], trim=[hits.trim[j]], hint=[hits.hint[j]])


#: The reasons of lines the context step kept against the model's label (or beside it).
_CONTEXT_KEPT: dict[context.Why, str] = {
    context.Why.HEADING: "short line with body text after it (a heading)",
    context.Why.LIST: "short line with no body text after it, but one of {run} or more such "
                      "lines in a row the model passed: a list, kept",
    context.Why.RESCUED: "body probability {p:.2f} is below the threshold, but near the "
                         "page's best and no long line passed: kept so the page is not "
                         "emptied",
}


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
    dom: Sequence[bool] | None = None,
    opener: str = "",
) -> list[Decision]:
    out: list[Decision] = []
    for i, text in enumerate(texts):
        p = None if scores is None else float(scores[i])
        if not text.strip():
            out.append(_blank_decision(i, text, i in blanks_written))
            continue
        d = hits.drop[i]
        trim = hits.trim[i]
        if why[i] is context.Why.HEADLINE_COPY:
            kept_as = (f"a copy of the headline ({rules[d].id} dropped it as one), kept "
                       "because the first copy was not and body text follows this one")
            if trim is not None:
                # (a copy trimmed of a stamp was said to be kept whole, and the trim rule
                # was named nowhere: the rule that changed the line is its rule)
                r = rules[trim[2]]
                out.append(Decision(i, text, Action.TRIM, Stage.RULE,
                                    f"trimmed: {r.description}; {kept_as}", r.id, p,
                                    pieces[i]))
            else:
                out.append(Decision(i, text, Action.KEEP, Stage.CONTEXT, kept_as,
                                    rules[d].id, p, pieces[i]))
            continue
        if d >= 0:
            r = rules[d]
            out.append(Decision(i, text, Action.DROP, Stage.RULE, r.description, r.id, p))
            continue
        if trim is not None and not pieces[i].strip():
            # a stamp that was the whole line: the trim rule removed it, nothing was left
            # for the model or the context step to keep (their labels say so only because
            # an empty piece is never kept)
            r = rules[trim[2]]
            out.append(Decision(i, text, Action.DROP, Stage.RULE,
                                f"trimmed to nothing: {r.description}", r.id, p))
            continue
        if dom is not None and dom[i]:
            out.append(Decision(i, text, Action.DROP, Stage.DOM,
                                "inside a reader-comment section (comments=False)", None, p))
            continue
        if seen is not None and seen[i] and cfg is not None:
            out.append(Decision(i, text, Action.DROP, Stage.PROFILE,
                                cfg.profile.reason(cfg.site, seen[i]), None, p))
            continue
        kept_why = _CONTEXT_KEPT.get(why[i])
        if kept_why is not None:
            out.append(Decision(
                i, text, Action.TRIM if trim else Action.KEEP, Stage.CONTEXT,
                kept_why.format(p=p, run=context.LIST_RUN), None, p, pieces[i],
            ))
            continue
        if why[i] is context.Why.NO_BODY:
            out.append(Decision(
                i, text, Action.DROP, Stage.CONTEXT,
                "short line with no body text after it (tail, card or link list)", None, p,
            ))
            continue
        if why[i] is context.Why.COMMENTS:
            out.append(Decision(
                i, text, Action.DROP, Stage.CONTEXT,
                f"in the reader comments, below {opener}, which opens them (comments=False)",
                None, p,
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
