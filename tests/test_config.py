import dataclasses

import pytest

import scrubber
from scrubber import Config


def test_config_is_immutable():
    cfg = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.threshold = 0.3  # type: ignore[misc]


def test_replace_returns_a_new_config():
    cfg = Config()
    new = cfg.replace(threshold=0.7)
    assert new.threshold == 0.7 and cfg.threshold is None


def test_unknown_override_is_an_error():
    with pytest.raises(TypeError, match="unknown config key"):
        scrubber.clean("text", thresold=0.5)


def test_bad_threshold_is_an_error():
    with pytest.raises(ValueError):
        Config(threshold=1.5)


def test_lists_are_normalised_to_hashable_types():
    cfg = Config(rule_files=["a.toml"], disabled_rules=["x.y"])  # type: ignore[arg-type]
    assert cfg.rule_files == ("a.toml",) and cfg.disabled_rules == frozenset({"x.y"})


def test_clean_rejects_bytes():
    with pytest.raises(TypeError):
        scrubber.clean(b"bytes")  # type: ignore[arg-type]


def test_disabling_unknown_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown rule"):
        scrubber.clean("text", disabled_rules=frozenset({"no.such-rule"}))
