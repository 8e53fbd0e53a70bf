"""The HTML model's second stage: first-stage scores pooled along the page and up its
DOM tree (``features.score_context``), the two-stage model, and its training."""

from __future__ import annotations

import numpy as np
import pytest

from scrubber import features
from scrubber.html import dom_features, parse_html
from scrubber.model import Model, get_model

PAGE = """<html><body>
<nav><ul><li><a href=/>Home</a></li><li><a href=/a>About</a></li></ul></nav>
<div id=story>
  <h2>How the river came back</h2>
  <p>The river was dead for forty years, and then the town decided to clean it up.</p>
  <ul><li>Salmon</li><li>Otters</li></ul>
  <p>It took two decades of work by volunteers, farmers and the water board alike.</p>
</div>
<aside><p>Sign up for our newsletter and never miss a story from the valley again.</p></aside>
</body></html>"""


def col(name: str) -> int:
    return features.SCORE_CONTEXT.index(name)


def test_blocks_under_one_element_share_its_serial_number() -> None:
    blocks = parse_html(PAGE).blocks
    anc = {b.text: b.ancestors for b in blocks}
    story = anc["How the river came back"][-2]  # the div
    assert story in anc["Salmon"] and story in anc["It took two decades of work by "
                                                   "volunteers, farmers and the water board "
                                                   "alike."]
    assert story not in anc["Home"]
    assert story not in anc["Sign up for our newsletter and never miss a story from the "
                            "valley again."]
    assert len({a[-1] for a in anc.values()}) == len(anc)  # each block its own element


def test_list_items_inside_the_body_element_are_marked_in_it() -> None:
    page = parse_html(PAGE)
    texts = [b.text for b in page.blocks]
    dom = dom_features(page.blocks)
    # a first stage that is sure of the two paragraphs only
    s = np.array([0.95 if len(t) > 60 and "newsletter" not in t else 0.1 for t in texts])
    x = features.score_context(s, texts, np.zeros(len(texts), bool), dom.ancestors)
    salmon, home = texts.index("Salmon"), texts.index("Home")
    aside = next(i for i, t in enumerate(texts) if "newsletter" in t)
    assert x[salmon, col("in_c50")] == 1.0
    assert x[home, col("in_c50")] == 0.0 and x[aside, col("in_c50")] == 0.0
    # the item's grandparent (the div) is mostly body text; the menu's is not
    assert x[salmon, col("up2_mean")] > 0.5 > x[home, col("up2_mean")]
    assert x[salmon, col("between_sure")] == 1.0 and x[home, col("between_sure")] == 0.0


def test_score_context_rows_for_blank_lines_are_zero_and_rule_drops_count_as_zero() -> None:
    pieces = ["A long line of prose.", "", "Menu"]
    s = np.array([0.9, 0.5, 0.9])
    x = features.score_context(s, pieces, np.array([False, False, True]))
    assert not x[1].any()
    assert x[2, col("s")] == 0.0 and x[0, col("s")] == 0.9
    assert x.shape == (3, len(features.SCORE_CONTEXT)) and np.isfinite(x).all()


def test_score_context_of_an_empty_document() -> None:
    assert features.score_context(np.zeros(0), [], np.zeros(0, bool)).shape == (
        0, len(features.SCORE_CONTEXT))


def _two_stage(n_first: int, kind: str = "html") -> Model:
    rng = np.random.default_rng(0)
    n2 = n_first + len(features.SCORE_CONTEXT)
    arrays = {"mean": np.zeros(n_first), "scale": np.ones(n_first),
              "W0": rng.normal(size=(n_first, 1)) * 0.01, "b0": np.zeros(1),
              "s2_mean": np.zeros(n2), "s2_scale": np.ones(n2),
              "s2_W0": np.zeros((n2, 1)), "s2_b0": np.zeros(1)}
    arrays["s2_W0"][n_first + col("in_c50")] = 5.0
    card = {"kind": kind, "features": features.names(kind), "layers": 0,
            "stages": [{"layers": 0, "features": list(features.SCORE_CONTEXT)}]}
    return Model(arrays, card)


def test_a_two_stage_model_scores_with_its_second_stage() -> None:
    from scrubber.rules import load_ruleset

    model = _two_stage(len(features.names("html")))
    assert len(model.stages) == 1
    page = parse_html(PAGE)
    texts = [b.text for b in page.blocks]
    rs = load_ruleset()
    scores = model.score(texts, rs.apply(texts), rs, dom_features(page.blocks))
    # stage 1 says 0.5 everywhere; stage 2 only rewards lying in the body element
    assert scores[texts.index("Salmon")] > 0.99
    assert scores[texts.index("Home")] == pytest.approx(0.5)


def test_second_stage_weights_for_other_features_are_refused() -> None:
    model = _two_stage(len(features.names("html")))
    card = dict(model.card, stages=[{"layers": 0, "features": ["s"]}])
    arrays = {"mean": model.net.mean, "scale": model.net.scale, "W0": model.net.weights[0],
              "b0": model.net.biases[0]}
    with pytest.raises(ValueError, match="stage 2"):
        Model(arrays, card)


def _training_pages(n: int) -> list:
    from scrubber.pipeline import _headline_index
    from scrubber.train.fit import Doc

    docs = []
    for k in range(n):
        html = PAGE.replace("river", f"river {k}").replace("Salmon", f"Salmon {k}")
        page = parse_html(html)
        lines = [b.text for b in page.blocks]
        labels = [1 if ("river" in t or "Salmon" in t or "Otters" in t or "decades" in t)
                  else 0 for t in lines]
        d = Doc("wcxb-dev", str(k), f"site{k}.example", "train", "blocks", lines, labels, {})
        d.extra = dom_features(page.blocks)
        d.headline = _headline_index(lines, page.title, page.h1)
        docs.append(d)
    return docs


def test_stacked_training_uses_out_of_fold_scores_and_exports_plain_arrays() -> None:
    pytest.importorskip("sklearn")
    from scrubber.train.fit import STAGE2_FOLDS, fit_family, fit_stages, make_model, matrix

    docs = _training_pages(12)
    train, held = docs[:9], docs[9:]
    x, y, w = matrix(train, "html")
    spec = fit_family("logreg", x, y, w)
    fitted = fit_stages(train, held, spec, "logreg", "html", log=lambda s: None, n=2)
    assert set(fitted) == {"logreg", "gbt"}
    later = fitted["logreg"].arrays
    assert set(later) == {f"s{k}_{a}" for k in (2, 3) for a in ("mean", "scale", "W0", "b0")}
    assert later["s3_W0"].shape == (len(features.names("html")) + len(features.SCORE_CONTEXT), 1)
    assert {k.split("_", 1)[1] for k in fitted["gbt"].arrays} == {
        "feat", "thr", "left", "right", "value", "roots", "base", "depth"}
    for fam, stages in fitted.items():
        assert len(stages.metrics) == 3 and all(0.0 <= m["auc"] <= 1.0 for m in stages.metrics)
        assert len(stages.fold_models) == STAGE2_FOLDS
        assert all(len(m.stages) == 2 for m in stages.fold_models)
        model = make_model(({**spec[0], **stages.arrays}, spec[1], 2, fam), "html")
        assert len(model.stages) == 2 and model.card["stages"][0]["model"] == fam
        assert all(a.dtype != object for a in stages.arrays.values())  # npz, no pickle


def test_exported_trees_score_as_sklearn_does() -> None:
    pytest.importorskip("sklearn")
    from sklearn.ensemble import HistGradientBoostingClassifier

    from scrubber.model import _Trees
    from scrubber.train.fit import export_trees

    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 7))
    y = ((x[:, 0] > 0.3) ^ (x[:, 2] * x[:, 5] > 0.1)).astype(int)
    est = HistGradientBoostingClassifier(max_iter=30, max_depth=5, random_state=0).fit(x, y)
    trees = _Trees(export_trees(est, "s2_"), "s2_")
    probe = rng.normal(size=(300, 7))
    probe[:5] = est._predictors[0][0].nodes["num_threshold"][0]  # on a split point
    assert np.allclose(trees.forward(probe), est.predict_proba(probe)[:, 1], atol=1e-12)
    assert trees.forward(np.zeros((0, 7))).shape == (0,)
    with pytest.raises(ValueError, match="features"):
        trees.forward(np.zeros((3, 2)))


def test_tree_arrays_that_point_outside_their_nodes_are_refused() -> None:
    from scrubber.model import _Trees

    arrays = {"feat": np.zeros(3, np.int32), "thr": np.array([0.0, np.inf, np.inf]),
              "left": np.array([1, 1, 2]), "right": np.array([7, 1, 2]),
              "value": np.array([0.0, -1.0, 1.0]), "roots": np.array([0]),
              "base": np.array([0.0]), "depth": np.array([1])}
    with pytest.raises(ValueError, match="right points outside"):
        _Trees(arrays)
    arrays["right"] = np.array([2, 1, 2])
    assert _Trees(arrays).forward(np.array([[-1.0], [1.0]])).round(3).tolist() == [
        round(1 / (1 + np.exp(1)), 3), round(1 / (1 + np.exp(-1)), 3)]


def test_the_shipped_html_model_is_stacked() -> None:
    model = get_model("html")
    if model is None:
        pytest.skip("no html model shipped")
    assert model.stages
    assert all(s["features"] == features.SCORE_CONTEXT for s in model.card["stages"])


def test_blocks_built_alike_form_one_template_group() -> None:
    cards = "".join(f"<div class=card><h3>Item {k}</h3><p>Price {k}</p></div>" for k in range(4))
    page = parse_html(f"<main>{cards}</main><footer><p>Imprint</p></footer>")
    texts = [b.text for b in page.blocks]
    dom = dom_features(page.blocks)
    s = np.array([0.9 if t.startswith("Item 0") else 0.3 for t in texts])
    x = features.score_context(s, texts, np.zeros(len(texts), bool), dom.ancestors, dom.paths)
    items = [i for i, t in enumerate(texts) if t.startswith("Item")]
    assert len(items) == 4
    assert all(x[i, col("tpl_log_n")] == pytest.approx(np.log1p(4)) for i in items)
    assert all(x[i, col("tpl_sure")] == pytest.approx(0.25) for i in items)
    # each card is a parent of two blocks; the footer's paragraph sits alone
    imprint = texts.index("Imprint")
    assert x[items[1], col("sib_log_n")] == pytest.approx(np.log1p(2))
    assert x[imprint, col("sib_log_n")] == pytest.approx(np.log1p(1))
    assert x[items[0], col("sib_max")] == pytest.approx(0.9)


def test_deeply_nested_blocks_keep_only_their_innermost_ancestors() -> None:
    from scrubber.html import MAX_ANCESTORS

    page = parse_html("<div>" * 300 + "<p>one</p><p>two</p>" + "</div>" * 300)
    one, two = (b.ancestors for b in page.blocks)
    assert len(one) == len(two) == MAX_ANCESTORS
    assert one[:-1] == two[:-1] and one[-1] != two[-1]


def test_codes_equal_numpy_unique_with_inverse() -> None:
    from scrubber.features import _codes

    rng = np.random.default_rng(0)
    cases = [np.array([5]), np.array([-1, -1, 3]), np.array([2**40, 1, 2**40]),
             rng.integers(-3, 50, 300), rng.integers(0, 10**9, 50)]
    for values in cases:
        values = values.astype(np.int64)
        want_u, want_i = np.unique(values, return_inverse=True)
        got_u, got_i = _codes(values)
        assert got_u.tolist() == want_u.tolist() and got_i.tolist() == want_i.tolist()
        assert got_i.dtype == want_i.dtype
