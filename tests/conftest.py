"""Shared fixtures: the seed documents and the data root (tests that need it skip)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# CI (``.ci/run`` sets CI=1) runs the property tests with a fixed seed: a failure there is
# a change's, not a new random example's; locally each run explores new examples
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"


def seed_names() -> list[str]:
    return sorted(p.name for p in (SEEDS / "input").glob("*.txt"))


def read_seed(name: str, which: str = "input") -> str:
    return (SEEDS / which / name).read_text(encoding="utf-8")


@pytest.fixture(params=seed_names())
def seed(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    name = request.param
    return name, read_seed(name, "input"), read_seed(name, "expected")


def usage_error(main: Callable[[list[str]], Any], argv: list[str],
                capsys: pytest.CaptureFixture[str]) -> str:
    """Run a command's ``main(argv)``, which must stop with argparse's usage error (exit
    status 2, no traceback); its stderr, for the test to read the message."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2, argv
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err
