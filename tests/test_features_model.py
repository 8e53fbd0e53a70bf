"""Features and the shipped classifier: shapes, plain-data weights, a model card."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

import scrubber
from scrubber import features
from scrubber.model import get_model
from scrubber.rules import load_ruleset

LINES = [
    "Home | News | Sport | Weather",
    "",
    "A paragraph of real prose that is long enough to be body text, with commas.",
    "Share this:",
    "这是一个没有空格的很长的中文句子用来测试特征",
]


def test_feature_matrix_has_one_row_per_line_and_named_columns():
    rs = load_ruleset()
    x = features.extract(LINES, rs.apply(LINES), rs)
    assert x.shape == (len(LINES), len(features.names()))
    assert np.isfinite(x).all()
    assert not x[1].any()  # blank lines are all zeros


def test_prose_line_has_more_function_words_than_a_menu():
    rs = load_ruleset()
    x = features.extract(LINES, rs.apply(LINES), rs)
    col = features.names().index("func_frac")
    assert x[2, col] > x[0, col]


def test_rule_drop_is_visible_to_the_neighbours():
    rs = load_ruleset()
    x = features.extract(LINES, rs.apply(LINES), rs)
    names = features.names()
    assert x[3, names.index("rule_drop")] == 1.0
    assert x[2, names.index("n+1_rule_drop")] == 1.0


def test_html_features_append_the_dom_columns():
    from scrubber.html import DOM_FEATURES

    assert features.names("html")[-len(DOM_FEATURES):] == list(DOM_FEATURES)


shipped = [k for k in ("text", "html") if get_model(k) is not None]


@pytest.mark.parametrize("kind", shipped)
def test_weights_are_plain_npz_with_a_model_card(kind):
    base = resources.files("scrubber") / "weights"
    with (base / f"{kind}.npz").open("rb") as f:
        arrays = np.load(f, allow_pickle=False)  # never a pickle
        assert "mean" in arrays.files and "W0" in arrays.files
    card = json.loads((base / f"{kind}.json").read_text("utf-8"))
    for key in ("features", "threshold", "training_sets", "training_data_sha256", "candidates"):
        assert key in card
    assert not {"dragnet", "l3s-gn1"} & set(card["training_sets"])


@pytest.mark.parametrize("kind", shipped)
def test_model_scores_are_probabilities(kind):
    model = get_model(kind)
    x = np.random.default_rng(0).normal(size=(7, len(model.feature_names)))
    p = model.predict_matrix(x)
    assert p.shape == (7,) and ((p >= 0) & (p <= 1)).all()


def test_explanations_carry_model_scores_when_a_model_is_shipped():
    if get_model("text") is None:
        pytest.skip("no text model shipped")
    result = scrubber.clean_and_explain("\n".join(LINES))
    assert any(d.score is not None for d in result.decisions)


def test_model_runs_blas_on_one_thread_and_restores_it(monkeypatch) -> None:
    """The per-document products run with one BLAS thread (idle OpenBLAS workers would
    spin on another core); the caller's setting is back afterwards."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import numpy as np

    from scrubber.model import Model, get_model

    model = get_model("text")
    assert model is not None
    def numpy_blas() -> list[dict]:
        # numpy's own BLAS (the one its products use); scipy, once imported by another
        # test, brings a second OpenBLAS that scrubber's products never call
        return [i for i in threadpoolctl.threadpool_info()
                if i["user_api"] == "blas" and "numpy" in i["filepath"]]

    blas = numpy_blas()
    if not blas:
        pytest.skip("numpy has no BLAS thread pool here")
    before = [i["num_threads"] for i in blas]
    seen = []
    real = Model._forward

    def spy(self, x):
        seen.append([i["num_threads"] for i in numpy_blas()])
        return real(self, x)

    monkeypatch.setattr(Model, "_forward", spy)
    x = np.zeros((3, len(model.feature_names)))
    assert model.predict_matrix(x).shape == (3,)
    assert seen and all(n == 1 for n in seen[0])
    assert [i["num_threads"] for i in numpy_blas()] == before


def test_scrubber_weights_points_at_retrained_weights(tmp_path, monkeypatch) -> None:
    """``$SCRUBBER_WEIGHTS`` names a directory ``python -m scrubber.train --out`` wrote; a
    kind it lacks comes from the shipped weights; a missing directory is an error."""
    import json
    from importlib import resources

    import numpy as np
    import pytest

    from scrubber.model import get_model

    shipped = get_model("text")
    if shipped is None:
        pytest.skip("no text model shipped")
    base = resources.files("scrubber") / "weights"
    card = json.loads((base / "text.json").read_text("utf-8"))
    card["threshold"] = 0.123
    (tmp_path / "text.json").write_text(json.dumps(card), encoding="utf-8")
    with (base / "text.npz").open("rb") as f:
        (tmp_path / "text.npz").write_bytes(f.read())
    monkeypatch.setenv("SCRUBBER_WEIGHTS", str(tmp_path))
    own = get_model("text")
    assert own is not None and own.card["threshold"] == 0.123
    assert np.array_equal(own.net.weights[0], shipped.net.weights[0])
    html = get_model("html")
    monkeypatch.delenv("SCRUBBER_WEIGHTS")
    shipped_html = get_model("html")
    assert (html is None) == (shipped_html is None)  # not in the directory: the shipped one
    if html is not None and shipped_html is not None:
        assert html.card == shipped_html.card
    assert get_model("text") is shipped
    monkeypatch.setenv("SCRUBBER_WEIGHTS", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="SCRUBBER_WEIGHTS"):
        get_model("text")


def _random_net_arrays(rng: np.random.Generator, widths: list[int], prefix: str = "") -> dict:
    arrays = {}
    for k in range(len(widths) - 1):
        arrays[f"{prefix}W{k}"] = rng.normal(size=(widths[k], widths[k + 1]))
        arrays[f"{prefix}b{k}"] = rng.normal(size=widths[k + 1])
    return arrays


@pytest.mark.parametrize("widths", [[7, 5, 3, 1], [7, 1]])
def test_an_ensemble_scores_the_mean_of_its_members_probabilities(widths) -> None:
    from scrubber.model import _Net

    rng = np.random.default_rng(5)
    shared = {"mean": rng.normal(size=7), "scale": rng.uniform(0.5, 2, size=7)}
    members = [_random_net_arrays(rng, widths) for _ in range(3)]
    layers = len(widths) - 2
    alone = [_Net({**shared, **m}, layers) for m in members]
    arrays = {**shared, **members[0]}
    for k, m in enumerate(members[1:], start=1):
        arrays.update({f"m{k}_{name}": v for name, v in m.items()})
    ens = _Net(arrays, layers)
    assert ens.members == 3
    x = rng.normal(size=(11, 7))
    want = np.mean([net.forward(x) for net in alone], axis=0)
    assert ens.forward(x) == pytest.approx(want, abs=1e-5)  # members run in float32
    assert ens.forward(x[:0]).shape == (0,)
    assert _Net({**shared, **members[0]}, layers).members == 1


def test_mlp_family_fits_an_ensemble_whose_first_member_is_the_single_net() -> None:
    pytest.importorskip("sklearn")
    from scrubber.train.fit import fit_family

    rng = np.random.default_rng(6)
    x = rng.normal(size=(400, 6))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    w = np.ones(len(y))
    one, layers = fit_family("mlp", x, y, w, members=1)
    three, layers3 = fit_family("mlp", x, y, w, members=3)
    assert layers == layers3 == 2
    assert {k for k in three if k[:1] == "m" and k[2:3] == "_"} == {
        f"m{k}_{n}{j}" for k in (1, 2) for n in "Wb" for j in range(3)}
    for name, v in one.items():
        assert np.array_equal(three[name], v)  # the first member: the same fit
    assert not np.array_equal(three["m1_W0"], three["W0"])  # the others: their own seeds


def _teacher_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[dict, int]]:
    """Lines whose labels are coin flips, and a teacher (a fixed random net) whose
    probabilities depend on the first two features: what a student learns can be told
    apart from what the labels say."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(600, 6))
    y = rng.integers(0, 2, size=len(x))
    arrays = {"mean": x.mean(axis=0), "scale": x.std(axis=0)}
    arrays["W0"] = np.zeros((6, 1))
    arrays["W0"][:2, 0] = [2.0, -1.5]
    arrays["b0"] = np.zeros(1)
    return x, y, np.ones(len(y)), (arrays, 0)


def test_a_distilled_net_learns_its_teachers_probabilities_not_the_labels() -> None:
    pytest.importorskip("sklearn")
    from scrubber.model import _Net
    from scrubber.train.fit import distil

    x, y, w, teacher = _teacher_problem()
    want = _Net(*teacher).forward(x)
    soft, layers = distil(x, y, w, teacher, alpha=0.0)
    assert layers == 2 and not any(k.startswith("m1_") for k in soft)  # one net
    got = _Net(soft, layers).forward(x)
    assert np.corrcoef(got, want)[0, 1] > 0.9
    # all weight on the labels: the teacher is ignored, and coin flips teach nothing
    hard, _ = distil(x, y, w, teacher, alpha=1.0)
    other = ({**teacher[0], "W0": -teacher[0]["W0"]}, 0)
    for name, v in distil(x, y, w, other, alpha=1.0)[0].items():
        assert np.array_equal(hard[name], v)
    assert abs(np.corrcoef(_Net(hard, layers).forward(x), want)[0, 1]) < 0.5


def test_the_shipped_text_model_is_one_net_distilled_from_an_ensemble() -> None:
    from scrubber.model import get_model

    model = get_model("text")
    assert model is not None
    card = model.card
    assert card["members"] == 1 and model.net.members == 1  # one net's cost per line
    assert card["distilled"]["teachers"] > 1
    teacher = card["candidates"]["mlp-teachers"]["heldout_lines"]
    assert teacher["auc"] >= card["candidates"]["mlp"]["heldout_lines"]["auc"] - 0.01


def test_the_shipped_text_card_keeps_the_thresholds_training_writes() -> None:
    """The card's thresholds come from ``fit.KEPT_THRESHOLDS`` (what ``python -m
    scrubber.train`` writes), not from an edit after training; the tuned ones are kept
    beside them."""
    from scrubber.model import get_model
    from scrubber.train.fit import KEPT_THRESHOLDS, kept_note

    model = get_model("text")
    assert model is not None
    card = model.card
    for key, value in KEPT_THRESHOLDS["text"].items():
        assert card[key] == value
        assert card["candidates"]["mlp"][key] == value
    assert set(card["candidates"]["mlp"]["tuned"]) >= {"threshold", "threshold_clean"}
    assert card["thresholds_note"] == kept_note("text", card["model"])


USER_RULE = """family = "mine"

[[rule]]
id = "mine.rank"
description = "A poster's rank on a forum of ours"
scope = "line"
patterns = ['^Rank: \\w+$']
match = ["Rank: Apprentice"]
no_match = ["Rank: a novel"]
"""

THREAD = [
    "Re: which lens for birds?",
    "Rank: Apprentice",
    "I went with the 100-400 in the end, and it has been great on the marsh at dawn.",
    "Rank: Wizard",
    "Same here; the extra reach matters more than the stop you lose, in my experience.",
    "Rank: Apprentice",
    "Thanks, both of you. Ordered it this morning and will report back next week.",
]


@pytest.mark.parametrize("kind", shipped)
def test_shipped_cards_list_the_rules_the_model_was_trained_with(kind):
    model = get_model(kind)
    assert model is not None and model.known_rules
    builtin = {r.id for r in load_ruleset().rules}
    # (a built-in rule missing from the list was added after the weights were trained)
    assert len(model.known_rules & builtin) >= 90


def test_a_rule_the_model_was_not_trained_with_leaves_its_neighbours_scores_alone(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(USER_RULE, encoding="utf-8")
    plain = scrubber.clean_and_explain("\n".join(THREAD))
    ruled = scrubber.clean_and_explain("\n".join(THREAD), rule_files=(str(f),))
    for a, b in zip(plain.decisions, ruled.decisions, strict=True):
        if a.text.startswith("Rank: "):
            assert b.rule_id == "mine.rank" and not b.kept  # the rule decides its lines
        else:
            assert b.score == a.score  # the model reads the others as without the rule


def test_without_a_rules_list_every_rule_feeds_the_model(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(USER_RULE, encoding="utf-8")
    rs = load_ruleset((str(f),))
    model = get_model("text")
    assert model is not None
    hits = rs.apply(THREAD)
    mine = next(k for k, r in enumerate(rs.rules) if r.id == "mine.rank")
    unknown = model.unknown_rules(rs)
    assert mine in unknown and all(rs.rules[k].id not in model.known_rules for k in unknown)
    assert model.model_hits(hits, rs).drop[1] == -1 and hits.drop[1] == mine
    model.known_rules, saved = None, model.known_rules
    try:
        assert model.unknown_rules(rs) == frozenset()
        assert model.model_hits(hits, rs) is hits
    finally:
        model.known_rules = saved
        model._unknown = None


_TAIL_RULE = """family = "mysite"
[[rule]]
id = "mysite.tail"
description = "Read-more link glued to the end of a paragraph"
scope = "suffix"
patterns = ['''\\s*\\[Read more on MySite\\]$''']
strength = "sure"
trims = [["The minister spoke. [Read more on MySite]", "The minister spoke."]]

[[rule]]
id = "mysite.promo"
description = "Newsletter promo line"
scope = "line"
patterns = ['''^Subscribe to MySite Weekly$''']
strength = "sure"
"""


def test_a_trim_by_a_rule_the_model_was_not_trained_with_is_read_as_not_fired(tmp_path):
    # a user's suffix rule cut a paragraph's tail; the model, which learnt that a cut
    # suffix marks a teaser, then dropped the whole paragraph (p 0.96 -> 0.39)
    f = tmp_path / "mysite.toml"
    f.write_text(_TAIL_RULE, encoding="utf-8")
    para = ("The minister spoke at length about the budget, saying that the government "
            "would not raise taxes this year but would look again at spending in the autumn.")
    text = "\n".join([
        "The Budget Debate",
        "The council met on Tuesday to discuss the plan for the new library, which has "
        "been delayed for three years because of rising costs and a dispute over the site.",
        para + " [Read more on MySite]",
        "Residents who attended the meeting said they were frustrated by the slow pace of "
        "the work and asked the council to publish a timetable for the remaining stages.",
    ]) + "\n"
    plain = scrubber.clean_and_explain(text.replace(" [Read more on MySite]", ""))
    ruled = scrubber.clean_and_explain(text, rule_files=(str(f),))
    d = ruled.decisions[2]
    assert d.kept and d.output == para and d.rule_id == "mysite.tail"
    assert ruled.text == plain.text


def test_a_drop_by_a_rule_the_model_was_not_trained_with_leaves_the_threshold_alone(tmp_path):
    # the rule's drop moved the page's prose share, and with it the threshold of every
    # other line (0.40 -> 0.50): a heading four lines away flipped
    f = tmp_path / "mysite.toml"
    f.write_text(_TAIL_RULE, encoding="utf-8")
    lines = [f"Paragraph {i} of the story goes on about the budget at some length, as a "
             "story does." for i in range(3)]
    # (3 prose lines of 11: share 0.27, under the card's clean_cut 0.3; with the promo
    # line out, 3 of 10)
    text = "\n".join(["Budget Debate", *lines, "Subscribe to MySite Weekly", "Archive", "News",
                      "Sport", "Weather", "Contact", "About"]) + "\n"
    # (one pass: later passes read what the first kept, which the rule's line changes)
    plain = scrubber.clean_and_explain(text, context=False, settle=1)
    ruled = scrubber.clean_and_explain(text, context=False, settle=1, rule_files=(str(f),))
    for a, b in zip(plain.decisions, ruled.decisions, strict=True):
        if b.rule_id == "mysite.promo":
            assert not b.kept
            continue
        assert (a.kept, a.score, a.reason) == (b.kept, b.score, b.reason)


def test_the_size_columns_read_a_document_at_most_size_cap_lines() -> None:
    rs = load_ruleset()
    lines = [f"Line {i} of a long document, written as prose with commas." for i in range(40)]
    hits = rs.apply(lines)
    free = features.extract(lines, hits, rs)
    capped = features.extract(lines, hits, rs, size_cap=10)
    names = features.names()
    size = [names.index(c) for c in ("log_from_start", "log_from_end", "doc_log_lines")]
    other = [k for k in range(len(names)) if k not in size]
    assert np.array_equal(free[:, other], capped[:, other])
    assert capped[:, size].max() == pytest.approx(np.log1p(10))
    assert np.array_equal(features.extract(lines, hits, rs, size_cap=40), free)
    first = features.extract(lines[:10], rs.apply(lines[:10]), rs, size_cap=10)
    assert np.array_equal(capped[:5, size[0]], first[:5, size[0]])  # from the start


def test_the_shipped_text_model_reads_sizes_up_to_its_longest_training_document() -> None:
    # (a document longer than any it saw was read by extrapolation: 16,000 plain lines
    # lost a line from their end at each of 16 settle passes, and were no fixed point)
    import random

    from scrubber import pipeline

    model = get_model("text")
    assert model is not None and model.size_cap == model.card["size_cap"] > 1000
    rng = random.Random(1)
    words = ["the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was",
             "for", "on", "are", "as", "with", "his", "they"]
    text = "".join(" ".join(rng.choice(words) for _ in range(12)) + ".\n"
                   for _ in range(12_000))
    passes = []
    real = pipeline._one_pass
    pipeline._one_pass = lambda *a, **k: passes.append(1) or real(*a, **k)  # type: ignore[assignment]
    try:
        out = scrubber.clean(text)
    finally:
        pipeline._one_pass = real  # type: ignore[assignment]
    assert len(passes) == 1 and out == text


def test_a_model_card_with_a_bad_size_cap_is_refused() -> None:
    from scrubber.model import Model

    model = get_model("text")
    assert model is not None
    arrays = dict(np.load(resources.files("scrubber") / "weights" / "text.npz"))
    for bad in (0, -3, 2.5, "1000", True):
        with pytest.raises(ValueError, match="size_cap"):
            Model(arrays, {**model.card, "size_cap": bad})
    assert Model(arrays, {k: v for k, v in model.card.items() if k != "size_cap"}).size_cap is None


def test_training_records_the_most_lines_of_a_training_document_as_the_size_cap() -> None:
    from types import SimpleNamespace

    from scrubber.train.fit import size_cap_of

    docs = [SimpleNamespace(lines=["a", "", " ", "b"]), SimpleNamespace(lines=["x"] * 7)]
    assert size_cap_of(docs) == 7  # type: ignore[arg-type]
    assert size_cap_of([]) is None


def test_training_scores_a_candidate_as_the_card_it_writes_makes_it_run() -> None:
    # (make_model built a card without the rules and the size cap: the held-out scores and
    # the tuned thresholds were measured on a model that read the drops of rules it was
    # not trained with, unlike the shipped one)
    from scrubber.train import fit

    shipped = get_model("text")
    assert shipped is not None
    arrays = dict(np.load(resources.files("scrubber") / "weights" / "text.npz"))
    with fit.training_rules({"text": shipped.card["rules"]}), \
            fit.training_size_caps({"text": shipped.size_cap}):
        made = fit.make_model((arrays, shipped.card["layers"]), "text")
    assert made.known_rules == shipped.known_rules and made.size_cap == shipped.size_cap
