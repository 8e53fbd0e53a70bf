"""Training pins its numerical kernels (scrubber.train.numerics): OpenBLAS picks kernels by
CPU and the nets' fits grow their rounding differences into different weights."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrubber.train import numerics

needs_pinning = pytest.mark.skipif(numerics.pinned_env() is None,
                                   reason=f"kernels not pinnable here: {numerics.unpinnable()}")


@needs_pinning
def test_an_unpinned_training_run_trains_in_a_child_under_the_pinned_kernels(
        monkeypatch, tmp_path: Path) -> None:
    import scrubber.train.__main__ as train_main

    for key in numerics.pinned_env() or {}:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(train_main, "data_root", lambda required=False: tmp_path)
    calls = []

    def call(cmd, env):
        calls.append((cmd, env))
        return 3

    monkeypatch.setattr(numerics.subprocess, "call", call)
    argv = ["--kind", "text", "--no-build", "--out", str(tmp_path / "w")]
    assert train_main.main(argv) == 3  # the child's exit code
    [(cmd, env)] = calls
    assert cmd == [sys.executable, "-m", "scrubber.train", *argv]
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and env["OPENBLAS_NUM_THREADS"] == "1"


@needs_pinning
def test_a_pinned_environment_or_no_pin_trains_in_this_process(monkeypatch) -> None:
    monkeypatch.setattr(numerics.subprocess, "call", lambda *a, **k: pytest.fail("re-ran"))
    for key, value in (numerics.pinned_env() or {}).items():
        monkeypatch.setenv(key, value)
    assert numerics.is_pinned() and numerics.rerun_pinned(["--kind", "text"]) is None


@needs_pinning
def test_openblas_in_a_pinned_process_runs_the_pinned_kernels_on_one_thread() -> None:
    env = {**os.environ, **(numerics.pinned_env() or {})}
    out = subprocess.run(
        [sys.executable, "-c", "import json, numpy; from scrubber.train import numerics; "
         "print(json.dumps(numerics.describe()))"],
        env=env, capture_output=True, text=True, check=True)
    card = json.loads(out.stdout)
    assert card["pinned"] is True
    assert card["blas"] and all(f"{numerics.CORETYPE} x1" in b for b in card["blas"]), card
    assert not any(f.startswith("AVX512") or f == "X86_V4" for f in card["numpy_dispatch"])



def test_the_shipped_html_card_records_the_pinned_kernels_that_trained_it() -> None:
    # (the shipped text model predates the pin: README, "The model", says why it stays)
    weights = Path(numerics.__file__).resolve().parent.parent / "weights"
    card = json.loads((weights / "html.json").read_text(encoding="utf-8"))
    assert card["numerics"]["pinned"] is True
    assert all(f"{numerics.CORETYPE} x1" in b for b in card["numerics"]["blas"])
