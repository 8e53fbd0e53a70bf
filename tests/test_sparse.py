"""Config.retry_sparse: a text page the model would strip to under a tenth of its words at
its own thresholds is decided again at a lower one (listings and teaser grids, whose
items read like an article page's clutter)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

import scrubber
from scrubber.config import Config
from scrubber.decisions import Action, Stage
from scrubber.pipeline import SPARSE_SHARE, SPARSE_THRESHOLD, run_lines


class _StubModel:
    """Scores "body" lines 0.9, "teaser" lines 0.3 (between the retry threshold and the
    card's), anything else 0.05."""

    card: ClassVar[dict[str, Any]] = {"kind": "text", "threshold": 0.5, "context": True}

    def score(self, pieces: Sequence[str], hits: Any, rs: Any, extra: Any = None) -> list[float]:
        return [0.9 if "body" in p else 0.3 if "teaser" in p else 0.05 for p in pieces]


TEASERS = [f"Our teaser number {i} sums up a guide in one sentence of a dozen words."
           for i in range(20)]
# one line the model passes: the page is not empty, so the context step's rescue of an
# emptied page (scrubber.context) does not apply, yet the page keeps under a tenth
STRAY = "A stray body line, long enough that the context step leaves it alone."
MENU = ["Home", "Reviews", "Deals", "Contact us"]
BODY = ("This body paragraph is long enough that the context step leaves it to the model, "
        "and it carries most of the words of the page it is on, as an article does.")


def _run(texts: list[str], **kw: Any) -> tuple[str, Any]:
    return run_lines(texts, ["\n"] * len(texts), Config(**kw), explain=True, model=_StubModel())


def test_a_page_the_model_would_empty_is_decided_again_at_the_lower_threshold() -> None:
    assert 0.05 < SPARSE_THRESHOLD < 0.3 < 0.5
    texts = [*MENU, STRAY, *TEASERS]
    out, ex = _run(texts)
    assert out.splitlines() == [STRAY, *TEASERS]  # the teasers stay, the menu still goes
    d = ex.decisions
    assert d[-1].action is Action.KEEP and d[-1].stage is Stage.MODEL
    assert "Config.retry_sparse" in d[-1].reason and "kept 4% of its words" in d[-1].reason
    assert f"threshold {SPARSE_THRESHOLD:.2f}" in d[-1].reason
    assert d[0].action is Action.DROP
    assert out == run_lines(texts, ["\n"] * len(texts), Config(), model=_StubModel())[0]


def test_a_page_keeping_a_tenth_of_its_words_is_left_as_decided() -> None:
    texts = [BODY, *MENU, *TEASERS[:2]]
    words = sum(len(t.split()) for t in texts)
    assert len(BODY.split()) >= SPARSE_SHARE * words
    out, ex = _run(texts)
    assert out == BODY + "\n"
    assert not any("retry_sparse" in d.reason for d in ex.decisions)


@pytest.mark.parametrize("kw", [{"retry_sparse": False}, {"threshold": 0.5},
                                {"extracted": True}])
def test_no_second_decision_when_turned_off_or_the_threshold_is_given(kw: dict) -> None:
    out, ex = _run([*MENU, STRAY, *TEASERS], **kw)
    assert not any("retry_sparse" in d.reason for d in ex.decisions)
    if "extracted" not in kw:
        assert out == STRAY + "\n"  # (extracted mode has its own cap: it keeps the rest)


def test_retry_sparse_must_be_a_bool() -> None:
    with pytest.raises(ValueError, match="retry_sparse"):
        Config(retry_sparse=1)  # type: ignore[arg-type]


def test_cli_no_retry_sparse_flag_sets_the_config() -> None:
    from scrubber.cli import build_parser, config_from_args

    assert config_from_args(build_parser().parse_args(["--no-retry-sparse"])).retry_sparse is False
    assert config_from_args(build_parser().parse_args([])).retry_sparse is True


def test_clean_and_explain_agree_on_a_sparse_page_with_the_shipped_model() -> None:
    text = "\n".join([*MENU, STRAY, *TEASERS]) + "\n"
    ex = scrubber.clean_and_explain(text)
    assert ex.text == scrubber.clean(text)
    assert set(ex.text.splitlines()) <= set(text.splitlines())


def test_the_second_decision_is_a_fixed_point_of_cleaning_again() -> None:
    texts = [*MENU, STRAY, *TEASERS]
    out, _ = _run(texts)
    again, _ = _run(out.splitlines())
    assert again == out


def test_the_second_decision_is_settled_against_the_default_one() -> None:
    # the menu is long enough that the page is sparse at the card's threshold, but once
    # it is gone the stray line alone is a tenth of what is left: cleaning the teasers
    # again at the card's threshold would keep only it, so the output is only it (the
    # default decision), and it stays a fixed point
    menu = [f"Menu entry {i} with enough words to weigh on the page in this test." for i in
            range(30)]
    texts = [*menu, STRAY, *TEASERS[:5]]
    out, ex = _run(texts)
    assert out == STRAY + "\n"
    assert _run(out.splitlines())[0] == out
    teaser = ex.decisions[len(menu) + 1]
    assert teaser.action is Action.DROP and "pass" in teaser.reason
    assert "Config.retry_sparse" in teaser.reason and "threshold 0.50" in teaser.reason
