"""The five seed articles come out exactly as expected, through the API and the CLI."""

from __future__ import annotations

import subprocess
import sys

from conftest import SEEDS

import scrubber
from scrubber import Action


def test_seed_cleans_to_expected_through_api(seed):
    name, text, expected = seed
    assert scrubber.clean(text) == expected, name


def test_seed_cleans_to_expected_through_cli(seed):
    name, _, expected = seed
    data = (SEEDS / "input" / name).read_bytes()
    out = subprocess.run([sys.executable, "-m", "scrubber"], input=data, capture_output=True,
                         check=True).stdout
    assert out.decode("utf-8") == expected, name


def test_every_dropped_seed_line_has_a_reason(seed):
    _, text, _ = seed
    result = scrubber.clean_and_explain(text)
    assert len(result.decisions) == len(text.splitlines())
    for d in result.decisions:
        if d.action is Action.DROP and d.text.strip():
            assert d.reason and (d.rule_id or d.stage.value in ("model", "context"))


def test_explained_text_equals_fast_path_text(seed):
    _, text, _ = seed
    assert scrubber.clean_and_explain(text).text == scrubber.clean(text)
