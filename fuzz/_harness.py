"""Shared plumbing of the fuzz targets (see fuzz/README.md).

Each target is an atheris (libFuzzer) script. A Python exception or a broken property
inside a target is recorded here ("soft crash": the input is saved under
``$FUZZ_OUT/crashes/<target>-<signature>.bin`` with its traceback beside it, deduplicated
by exception type and innermost scrubber frame) and the run goes on, so one long run finds
more than its first bug. Hangs (libFuzzer ``-timeout``) and memory blow-ups
(``-rss_limit_mb``) still stop the process; ``fuzz/run.py`` restarts it and keeps the
artifact.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

OUT = Path(os.environ.get("FUZZ_OUT", "/tmp/scrubber-fuzz"))
_state = {"execs": 0, "soft": 0, "new": 0, "t0": time.time()}
_seen: set[str] = set()


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    inner = [f for f in frames if "scrubber" in f.filename and "fuzz" not in f.filename]
    where = inner[-1] if inner else (frames[-1] if frames else None)
    loc = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    return f"{type(exc).__name__}@{loc}"


def _record(target: str, data: bytes, exc: BaseException) -> None:
    _state["soft"] += 1
    sig = _signature(exc)
    if sig in _seen:
        return
    _seen.add(sig)
    _state["new"] += 1
    crashes = OUT / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    stem = f"{target}-{hashlib.sha1(sig.encode()).hexdigest()[:10]}"
    if (crashes / f"{stem}.bin").exists():  # found by an earlier run of this target
        return
    (crashes / f"{stem}.bin").write_bytes(data)
    (crashes / f"{stem}.txt").write_text(
        f"{sig}\n\n" + "".join(traceback.format_exception(exc)), "utf-8")
    print(f"\n[fuzz] new soft crash {sig} -> {crashes / stem}.bin", file=sys.stderr)


def _report(target: str) -> None:
    line = {"target": target, "pid": os.getpid(), "execs": _state["execs"],
            "soft_crashes": _state["soft"], "distinct": _state["new"],
            "cpu_s": round(cpu_seconds(), 1), "wall_s": round(time.time() - _state["t0"], 1)}
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "progress.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def wrap(target: str, body: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """The libFuzzer entry point around ``body``: counts executions, records exceptions
    and property failures without stopping, and logs progress every 2,000 executions."""
    atexit.register(_report, target)

    def one(data: bytes) -> None:
        _state["execs"] += 1
        if _state["execs"] % 2000 == 0:
            _report(target)
        try:
            body(data)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:
            _record(target, data, e)

    return one


def check_pieces(inp: str, out: str) -> None:
    """Every output line is an input line or a trimmed piece of one, in input order."""
    from scrubber.lines import split_lines

    src, _ = split_lines(inp)
    got, _ = split_lines(out)
    j = 0
    for piece in got:
        while j < len(src) and (piece not in src[j] or (not piece.strip() and piece != src[j])):
            j += 1
        assert j < len(src), f"output line {piece!r} is not a piece of a later input line"
        j += 1
