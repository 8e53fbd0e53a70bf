"""Step 4 of the pipeline: the learned line classifier (inference only, numpy).

Weights are plain data shipped in ``scrubber/weights/<kind>.npz`` with a model card
``<kind>.json`` beside them; ``python -m scrubber.train`` rebuilds them. When no weights
are shipped for a kind, :func:`get_model` returns ``None`` and undecided lines are kept.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import json
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import features
from .rules import RuleHits


class _Net:
    """Standardise, then a logistic regression (``layers == 0``) or a small MLP with ReLU
    hidden layers, then a sigmoid. Arrays are named ``{prefix}mean``, ``{prefix}scale``,
    ``{prefix}W0``, ``{prefix}b0``, ...

    An ensemble: the nets of ``{prefix}m1_W0``, ``{prefix}m1_b0``, ... (``m2_``, ...)
    share the standardisation and are averaged with the first (the mean of their
    probabilities). Their first layers run as one product, in float32."""

    def __init__(self, arrays: dict[str, np.ndarray], layers: int, prefix: str = "") -> None:
        self.mean = arrays[prefix + "mean"].astype(np.float64)
        self.scale = arrays[prefix + "scale"].astype(np.float64)
        self.weights = [arrays[f"{prefix}W{k}"].astype(np.float64) for k in range(layers + 1)]
        self.biases = [arrays[f"{prefix}b{k}"].astype(np.float64) for k in range(layers + 1)]
        heads = [prefix]
        while f"{prefix}m{len(heads)}_W0" in arrays:
            heads.append(f"{prefix}m{len(heads)}_")
        self.members = len(heads)
        if self.members > 1:
            # in float32: five members' products in float64 took 1.0 ms for a page of 300
            # lines, in float32 0.4 ms (one net in float64: 0.19 ms); probabilities move
            # by about 1e-6
            def layer(k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
                return ([arrays[f"{h}W{k}"].astype(np.float32) for h in heads],
                        [arrays[f"{h}b{k}"].astype(np.float32).ravel() for h in heads])
            self._mean32 = self.mean.astype(np.float32)
            self._scale32 = self.scale.astype(np.float32)
            w0, b0 = layer(0)
            self._first = (np.concatenate(w0, axis=1), np.concatenate(b0))
            self._width = w0[0].shape[1]
            self._later = [layer(k) for k in range(1, layers + 1)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.members > 1:
            return self._forward_members(x)
        h = (x - self.mean) / self.scale
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = np.maximum(h @ w + b, 0.0)
        z = h @ self.weights[-1] + self.biases[-1]
        return 1.0 / (1.0 + np.exp(-np.clip(z.ravel(), -30, 30)))

    def _forward_members(self, x: np.ndarray) -> np.ndarray:
        h = (x.astype(np.float32) - self._mean32) / self._scale32
        z = h @ self._first[0] + self._first[1]  # all members' first layers at once
        if self._later:
            k = self._width
            heads = []
            for m in range(self.members):
                a = z[:, m * k : (m + 1) * k]
                for w, b in self._later:
                    a = np.maximum(a, 0.0) @ w[m] + b[m]
                heads.append(a)
            z = np.concatenate(heads, axis=1)
        p = 1.0 / (1.0 + np.exp(-np.clip(z.astype(np.float64), -30, 30)))
        return p.mean(axis=1)


class _Trees:
    """Gradient-boosted trees, evaluated with numpy: every tree of the ensemble walks one
    level per step, for all rows at once. Arrays (``{prefix}`` + name): ``feat``, ``thr``,
    ``left``, ``right`` and ``value`` per node of all trees concatenated (a row goes left
    when its feature value is ``<= thr``; leaves point to themselves with ``thr = +inf``
    and hold the ``value``), ``roots`` (each tree's first node), ``base`` (the starting
    log-odds) and ``depth`` (the deepest leaf, the number of steps). See
    :func:`scrubber.train.fit.export_trees`."""

    def __init__(self, arrays: dict[str, np.ndarray], prefix: str = "") -> None:
        a = {k: arrays[prefix + k] for k in
             ("feat", "thr", "left", "right", "value", "roots", "base", "depth")}
        self.feat = a["feat"].astype(np.intp)
        self.thr = a["thr"].astype(np.float64)
        self.left, self.right = a["left"].astype(np.intp), a["right"].astype(np.intp)
        self.value = a["value"].astype(np.float64)
        self.roots = a["roots"].astype(np.intp)
        self.base = float(a["base"].ravel()[0])
        self.depth = int(a["depth"].ravel()[0])
        n = len(self.feat)
        if not (len(self.thr) == len(self.left) == len(self.right) == len(self.value) == n):
            raise ValueError(f"tree arrays {prefix!r}: node arrays differ in length")
        for name, idx in (("left", self.left), ("right", self.right), ("roots", self.roots)):
            if len(idx) and (idx.min() < 0 or idx.max() >= n):
                raise ValueError(f"tree arrays {prefix!r}: {name} points outside the nodes")
        if n and self.feat.min() < 0:
            raise ValueError(f"tree arrays {prefix!r}: a negative feature index")
        self.n_features = int(self.feat.max()) + 1 if n else 0
        # The walk holds 2k for node k: its right child's 2j at 2k and its left child's at
        # 2k + 1 (one look-up per level, no multiply), its feature and threshold at 2k.
        self.children2 = 2 * np.stack([self.right, self.left], axis=1).ravel()
        self.feat2 = np.repeat(self.feat, 2)
        self.thr2 = np.repeat(self.thr, 2)
        self.value2 = np.repeat(self.value, 2)
        self.roots2 = 2 * self.roots

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, width = x.shape
        if n == 0:
            return np.zeros(0)
        if width < self.n_features:
            raise ValueError(f"tree stage reads {self.n_features} features, got {width}")
        flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
        rows = (np.arange(n, dtype=np.intp) * width)[:, None]
        node2 = np.broadcast_to(self.roots2, (n, len(self.roots2))).copy()
        at = np.empty_like(node2)
        go_left = np.empty(node2.shape, dtype=bool)
        # (every index is in range, checked above: "clip" only skips the bounds checks)
        for _ in range(self.depth):
            self.feat2.take(node2, out=at, mode="clip")
            np.add(at, rows, out=at)
            np.less_equal(flat.take(at, mode="clip"), self.thr2.take(node2, mode="clip"),
                          out=go_left)
            np.add(node2, go_left, out=at)
            self.children2.take(at, out=node2, mode="clip")
        z = self.value2.take(node2, mode="clip").sum(axis=1) + self.base
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def stage_net(arrays: dict[str, np.ndarray], family: str, prefix: str,
              layers: int = 0) -> _Net | _Trees:
    """A later stage's scorer from its arrays: gradient-boosted trees for ``"gbt"``,
    else a logistic regression or MLP (``layers`` hidden layers)."""
    return _Trees(arrays, prefix) if family == "gbt" else _Net(arrays, layers, prefix)


class Model:
    """A feed-forward scorer over :mod:`scrubber.features`: standardise, then either a
    logistic regression (``layers == 0``) or a small MLP with ReLU hidden layers, then a
    sigmoid. ``score`` returns one body probability per line (blank lines get 0).

    A card with ``stages`` (the HTML model) scores in more stages (stacking): each later
    net reads the features plus :func:`scrubber.features.score_context` of the stage
    before's scores (pooled along the page, up its DOM tree and over groups of blocks);
    ``score`` returns the last stage's probabilities, ``predict_matrix`` the first's. A
    later stage is a logistic regression (``"model": "logreg"``) or gradient-boosted trees
    (``"model": "gbt"``, see :class:`_Trees`)."""

    def __init__(self, arrays: dict[str, np.ndarray], card: dict[str, Any]) -> None:
        self.card = card
        self.feature_names: list[str] = list(card["features"])
        self.net = _Net(arrays, int(card.get("layers", 0)))
        self.mean, self.scale = self.net.mean, self.net.scale
        self.weights, self.biases = self.net.weights, self.net.biases
        if features.names(card.get("kind", "text")) != self.feature_names:
            raise ValueError(
                "model weights were trained on a different feature set; "
                "retrain with `python -m scrubber.train`"
            )
        # the rules the model was trained with (card "rules"; absent: every rule counts)
        known = card.get("rules")
        self.known_rules: frozenset[str] | None = (
            None if known is None else frozenset(map(str, known)))
        self._unknown: tuple[Any, frozenset[int]] | None = None
        # the lines the document-size columns read at most (card "size_cap"; absent: no
        # cap, as the models trained before it read them; features.extract_parts)
        cap = card.get("size_cap")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ValueError(f"model card: size_cap must be a positive int or absent, "
                             f"not {cap!r}")
        self.size_cap: int | None = cap
        self._shifted: dict[float, Model] = {}  # (see shifted)
        self.stages: list[_Net | _Trees] = []
        for k, stage in enumerate(card.get("stages", ()), start=2):
            if list(stage.get("features", ())) != features.SCORE_CONTEXT:
                raise ValueError(
                    f"stage {k} weights were trained on a different feature set; "
                    "retrain with `python -m scrubber.train`"
                )
            net = stage_net(arrays, stage.get("model", "logreg"), f"s{k}_",
                            int(stage.get("layers", 0)))
            width = len(self.feature_names) + len(features.SCORE_CONTEXT)
            if isinstance(net, _Trees) and net.n_features > width:
                raise ValueError(f"stage {k} trees read feature {net.n_features - 1}, "
                                 f"beyond the {width} it is given")
            self.stages.append(net)

    def shifted(self, delta: float) -> Model:
        """This model with its card's thresholds (``threshold``, ``threshold_clean``)
        raised by ``delta``: the same net and weights, read at other thresholds (a page of
        text nodes joined by spaces, :data:`scrubber.pipeline.RUN_ON_SHIFT`). Made once
        per ``delta`` and kept.

            >>> m = get_model("text")
            >>> round(m.shifted(0.15).card["threshold"] - m.card["threshold"], 6)
            0.15
            >>> m.shifted(0.15) is m.shifted(0.15) and m.shifted(0.0) is m
            True
        """
        if not delta:
            return self
        made = self._shifted.get(delta)
        if made is None:
            made = copy.copy(self)
            made.card = dict(self.card)
            for key in ("threshold", "threshold_clean"):
                if key in made.card:
                    made.card[key] = float(made.card[key]) + delta
            made._shifted = {}
            self._shifted[delta] = made
        return made

    def predict_lines(self, x: np.ndarray) -> np.ndarray:
        """Body probabilities of a feature matrix (training and evaluation)."""
        return self.predict_matrix(x)

    def predict_matrix(self, x: np.ndarray) -> np.ndarray:
        with _one_blas_thread():
            return self._forward(x)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return self.net.forward(x)

    def unknown_rules(self, rs: Any) -> frozenset[int]:
        """Indices (in ``rs.rules``) of the rules this model was not trained with: a
        user's rules, and built-in ones added since the weights were made (the card's
        ``rules`` lists the ids it was trained with; without the list, none)."""
        if self.known_rules is None:
            return frozenset()
        memo = self._unknown
        if memo is not None and memo[0] is rs:
            return memo[1]
        out = frozenset(k for k, r in enumerate(rs.rules) if r.id not in self.known_rules)
        self._unknown = (rs, out)  # (one tuple: a thread reads the pair it took, whole)
        return out

    def model_hits(self, hits: Any, rs: Any) -> Any:
        """``hits`` as this model reads them: a line a rule it was not trained with
        drops or trims reads as if that rule had not fired (a trimmed line is scored as its
        piece, but not as trimmed). The rule still decides the line; its
        neighbours are read as the model learnt to read them (the features say which
        neighbours the rules dropped, and a new rule's drops beside body text, such as a
        forum's member titles between its posts, read as a run of clutter to a model that
        never saw that rule fire). Hints are read whatever rule gave them: a hint is
        a feature and nothing else (README, "Rules are data")."""
        unknown = self.unknown_rules(rs)
        if not unknown or not (any(d in unknown for d in hits.drop if d >= 0)
                               or any(t[2] in unknown for t in hits.trim if t is not None)):
            return hits
        # (a trim too: the model learnt that a cut suffix marks a teaser, and read a user's
        # suffix rule's paragraph, trimmed, as one: p 0.96 -> 0.39, the whole line dropped)
        return RuleHits([-1 if d in unknown else d for d in hits.drop],
                        [None if t is not None and t[2] in unknown else t for t in hits.trim],
                        hits.hint)

    def score(self, pieces: Sequence[str], hits: Any, rs: Any, extra: Any = None,
              own_cache: dict[str, np.ndarray] | None = None) -> list[float]:
        """Body probabilities of ``pieces``. ``own_cache``: the lines' own feature rows,
        shared by the settle passes over one document (see :func:`features.extract`).
        Rules the model was not trained with are read as not fired (:meth:`model_hits`)."""
        hits = self.model_hits(hits, rs)
        parts = features.extract_parts(pieces, hits, rs, extra,
                                       kind=self.card.get("kind", "text"), own_cache=own_cache,
                                       squeeze=True, size_cap=self.size_cap)
        spans = chunks(parts.n)
        rows = parts.rows
        if len(spans) == 1:
            # every document but a huge one: the whole matrix, assembled once for the
            # first stage and the later ones
            x = parts.rows(0, parts.n)
            del parts  # (its blocks are in x now)

            def rows(start: int, stop: int) -> np.ndarray:
                return x

        def forward(net: Any, pooled: np.ndarray | None = None) -> np.ndarray:
            """``net`` over the matrix (with ``pooled`` beside it), a span at a time."""
            out = [net.forward(rows(a, b) if pooled is None
                               else np.concatenate([rows(a, b), pooled[a:b]], axis=1))
                   for a, b in spans]
            return out[0] if len(out) == 1 else np.concatenate(out)

        with _one_blas_thread():
            p = forward(self.net)
            if self.stages:
                bad = np.asarray(hits.drop) >= 0
                anc, paths = getattr(extra, "ancestors", None), getattr(extra, "paths", None)
                for net in self.stages:
                    p = forward(net, features.score_context(p, pieces, bad, anc, paths))
        return p.tolist()


#: A document of more lines than this is scored in ranges of about this many lines
#: (:func:`chunks`): its feature matrix and the model's intermediate arrays are then held
#: for one range at a time (for a million lines, 2.1 GB of float64 at once before).
#: Every step of the nets reads a row alone, but the BLAS products give a row's result by
#: one of two code paths: the matrix's last rows, after the largest multiple of the
#: kernel's row unroll (4 to 16), take the remainder kernel, whose sums can differ in the
#: last bit. Ranges therefore start at multiples of :data:`CHUNK_ALIGN`: the rows of all
#: but the last range are whole unrolls, and the last range ends where the matrix does,
#: so every row takes the kernel the whole matrix would give it. Normal pages are one range.
CHUNK_LINES = 1 << 14
CHUNK_ALIGN = 1 << 12


def chunks(n: int, size: int | None = None) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges covering ``range(n)``: one when ``n <= size`` (also for
    ``n == 0``), else
    about ``n / size`` of near-equal length, each starting at a multiple of
    :data:`CHUNK_ALIGN` (see :data:`CHUNK_LINES`).

    >>> chunks(5, 2)
    [(0, 5)]
    >>> chunks(40_000)
    [(0, 12288), (12288, 24576), (24576, 40000)]
    """
    size = CHUNK_LINES if size is None else size
    if n <= size:
        return [(0, n)]
    k = -(-n // size)
    bounds = sorted({0, n, *(n * i // k // CHUNK_ALIGN * CHUNK_ALIGN for i in range(1, k))})
    return list(itertools.pairwise(bounds))


@functools.cache
def _blas_controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """A context in which BLAS runs on one thread. A document's matrices are small (a few
    hundred lines by 87 features); OpenBLAS would still hand each product to its worker
    threads, which then spin on the other cores: measured on 300 WCXB pages, 10.0 CPU
    seconds with its default threads and 5.0 with one, the same wall time. The limit is
    set and restored around each call (about 6 µs), so the caller's own numpy code keeps
    its threads."""
    ctl = _blas_controller()
    if ctl is None:
        return contextlib.nullcontext()
    return ctl.limit(limits=1, user_api="blas")


def get_model(kind: str = "text") -> Model | None:
    """The model for ``kind`` (``"text"``, ``"html"`` or ``"markdown"``: the text model of
    a scraper's markdown, :attr:`scrubber.lines.MarkupView.markdown`), or ``None``: the
    shipped weights,
    or those in the directory ``$SCRUBBER_WEIGHTS`` names (what ``python -m scrubber.train
    --out DIR`` wrote; a kind missing there falls back to the shipped weights)."""
    return _load_model(kind, os.environ.get("SCRUBBER_WEIGHTS", ""))


@functools.cache
def _load_model(kind: str, weights_dir: str) -> Model | None:
    base: Any = resources.files("scrubber") / "weights"
    if weights_dir:
        own = Path(weights_dir)
        if not own.is_dir():
            raise FileNotFoundError(f"SCRUBBER_WEIGHTS={weights_dir}: no such directory")
        if (own / f"{kind}.npz").is_file():
            base = own
    npz, card = base / f"{kind}.npz", base / f"{kind}.json"
    if not npz.is_file() or not card.is_file():
        return None
    with npz.open("rb") as f:
        data = np.load(f, allow_pickle=False)
        arrays = {k: data[k] for k in data.files}
    return Model(arrays, json.loads(card.read_text("utf-8")))
