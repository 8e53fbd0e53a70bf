"""Config.extracted: text an extractor already cleaned. The model and the context step may
remove at most half of the words the rules leave; past that, only the rules' drops apply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

import scrubber
from scrubber.config import Config
from scrubber.decisions import Action, Stage
from scrubber.pipeline import EXTRACTED_MAX_REMOVED, run_lines


class _StubModel:
    """Scores a line 0.9 when it contains "body", else 0.1 (thresholds 0.5)."""

    card: ClassVar[dict[str, Any]] = {"kind": "text", "threshold": 0.5, "context": True}

    def score(self, pieces: Sequence[str], hits: Any, rs: Any, extra: Any = None) -> list[float]:
        return [0.9 if "body" in p else 0.1 for p in pieces]


BODY = "This body paragraph is long enough that the context step leaves it to the model."
DOUBTED = "The model doubts this long paragraph although an extractor picked it as article text."
COMMENT = "Leave a Comment"  # a sure rule drops it (comments.leave-a-comment)


def _run(texts: list[str], **kw: Any) -> tuple[str, Any]:
    return run_lines(texts, ["\n"] * len(texts), Config(**kw), explain=True, model=_StubModel())


def test_extracted_text_keeps_the_lines_only_the_model_removed_past_half() -> None:
    texts = [BODY, DOUBTED, DOUBTED + " Again.", COMMENT]
    out, _ = _run(texts)
    assert out == BODY + "\n"  # as whole-page text: the model's drops stand
    out, ex = _run(texts, extracted=True)
    assert out.splitlines() == texts[:3]  # the rule's drop still goes
    d = ex.decisions
    assert d[1].action is Action.KEEP and d[1].stage is Stage.CONTEXT
    assert "Config.extracted" in d[1].reason and "body probability 0.10" in d[1].reason
    assert d[3].action is Action.DROP and d[3].rule_id == "comments.leave-a-comment"


def test_extracted_text_under_the_cap_is_cleaned_as_usual() -> None:
    texts = [BODY, BODY + " More body.", BODY + " Still body.", DOUBTED, COMMENT]
    out, _ = _run(texts, extracted=True)
    assert out == _run(texts)[0]
    assert DOUBTED not in out


def test_the_cap_is_a_share_of_words_not_of_lines() -> None:
    # one long kept line outweighs three short doubted ones: under the cap
    long_body = " ".join([BODY] * 4)
    assert 3 * len(DOUBTED.split()) < EXTRACTED_MAX_REMOVED * (
        3 * len(DOUBTED.split()) + len(long_body.split()))
    texts = [long_body, DOUBTED, DOUBTED, DOUBTED]
    assert _run(texts, extracted=True)[0] == long_body + "\n"


def test_extracted_must_be_a_bool() -> None:
    with pytest.raises(ValueError, match="extracted"):
        Config(extracted="yes")  # type: ignore[arg-type]


def test_cli_extracted_flag_sets_the_config() -> None:
    from scrubber.cli import build_parser, config_from_args

    assert config_from_args(build_parser().parse_args(["--extracted"])).extracted is True
    assert config_from_args(build_parser().parse_args([])).extracted is False


def test_clean_accepts_extracted_and_keeps_output_lines_from_the_input() -> None:
    text = "\n".join([BODY, DOUBTED, COMMENT]) + "\n"
    out = scrubber.clean(text, extracted=True)
    assert set(out.splitlines()) <= set(text.splitlines())
    assert COMMENT not in out
