"""The numerical kernels training runs on, pinned so that the weights come out the same on
every machine.

Why: the nets' fits are chaotic. OpenBLAS chooses its matrix-product kernels by CPU (Haswell
kernels on AVX2 machines, SkylakeX or Cooperlake on AVX-512 ones, ...), the kernels sum in
different orders, and Adam's thousands of steps grow the last-bit differences into a different
net. Measured on 2026-12-06 on one machine, same data and code: the text model trained with
OpenBLAS's Sandybridge kernels against its Haswell kernels differs by up to 0.5 in a weight
(held-out line AUC 0.9210 against 0.9209), as much as the shipped weights of 2026-12-06
differed from a retrain on another machine. numpy's own SIMD dispatch does not matter there:
with every dispatch above x86-64-v2 switched off, the weights were equal to the last bit.

So ``python -m scrubber.train`` runs itself again in a child process with :func:`pinned_env`
(OpenBLAS's Haswell kernels, one BLAS thread, numpy's AVX-512 dispatch off) unless the
environment already holds it, and the model card records what the run used
(:func:`describe`). Haswell kernels run on every x86-64 CPU with AVX2 and FMA (x86-64-v3:
Intel since 2013, AMD since 2015); elsewhere (other architectures, older CPUs) the run is not
pinned, says so, and its weights may differ from the shipped ones in the last digits of the
scores.

    >>> from scrubber.train import numerics
    >>> env = numerics.pinned_env()
    >>> env is None or env["OPENBLAS_CORETYPE"] == "Haswell"
    True
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

CORETYPE = "Haswell"
"""OpenBLAS's kernels for training: the widest that every x86-64-v3 CPU runs."""

BLAS_THREADS = "1"
"""One BLAS thread: two change the retrained arrays by up to 5e-9 (measured 2026-12-06)."""


def _x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def _numpy_features() -> tuple[dict[str, bool], list[str]]:
    from numpy._core._multiarray_umath import (  # type: ignore[import-not-found]
        __cpu_dispatch__,
        __cpu_features__,
    )

    return dict(__cpu_features__), list(__cpu_dispatch__)


def unpinnable() -> str | None:
    """Why training cannot run on the pinned kernels here, or ``None`` when it can."""
    if not _x86_64():
        return f"{platform.machine()} is not x86-64"
    features, _ = _numpy_features()
    missing = [f for f in ("AVX2", "FMA3") if not features.get(f)]
    if missing:
        return f"the CPU lacks {' and '.join(missing)}"
    return None


def pinned_env() -> dict[str, str] | None:
    """The environment variables that pin the kernels, or ``None`` where they cannot be."""
    if unpinnable() is not None:
        return None
    _, dispatch = _numpy_features()
    wide = [f for f in dispatch if f.startswith("AVX512") or f == "X86_V4"]
    env = {"OPENBLAS_CORETYPE": CORETYPE, "OPENBLAS_NUM_THREADS": BLAS_THREADS}
    if wide:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(wide)
    return env


def is_pinned() -> bool:
    """Whether this process's environment holds :func:`pinned_env` (OpenBLAS reads it only
    when it loads, so only a new process can take it)."""
    env = pinned_env()
    return env is not None and all(os.environ.get(k) == v for k, v in env.items())


def rerun_pinned(argv: Sequence[str]) -> int | None:
    """Run ``python -m scrubber.train ARGV`` in a child process under the pinned kernels and
    return its exit code; ``None`` when nothing needs doing (already pinned, or not pinnable
    here: then the caller trains in this process)."""
    env = pinned_env()
    if env is None or is_pinned():
        return None
    cmd = [sys.executable, "-m", "scrubber.train", *argv]
    try:
        return subprocess.call(cmd, env={**os.environ, **env})
    except KeyboardInterrupt:  # the child got the same SIGINT and has stopped
        return 130


def versions() -> dict[str, str]:
    """The versions that train, as a card's ``numerics.versions`` records them: Python,
    numpy, scipy and scikit-learn (``"absent"`` for one not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    return {"python": platform.python_version(),
            **{name: installed(name) for name in ("numpy", "scipy", "scikit-learn")}}


def describe() -> dict[str, Any]:
    """What this process computes with, for the model card: the BLAS libraries' kernels and
    threads, numpy's enabled dispatch targets, the versions that train (:func:`versions`)."""
    from threadpoolctl import threadpool_info

    features, dispatch = _numpy_features()
    why = unpinnable()
    return {
        "pinned": is_pinned(),
        **({"not_pinned_because": why} if why else {}),
        "blas": sorted({f"{i.get('internal_api')} {i.get('version')} "
                        f"{i.get('architecture')} x{i.get('num_threads')}"
                        for i in threadpool_info() if i.get("user_api") == "blas"}),
        "numpy_dispatch": [f for f in dispatch if features.get(f)],
        "machine": platform.machine(),
        "versions": versions(),
    }
