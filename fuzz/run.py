"""Run the fuzz targets for a CPU-time budget, restarting a target after a hang or crash.

    nice -n 19 python fuzz/run.py seed                       # build the seed corpora
    nice -n 19 python fuzz/run.py run clean:1500 clean_html:1500 jsonl:900 \\
        > /tmp/scrubber-fuzz/run.log 2>&1

    python fuzz/run.py status                                 # CPU, executions, crashes

``TARGET:SECONDS`` is the total CPU budget of each target; targets run in parallel, one
process each. The CPU time of every finished fuzzer process is taken from ``os.wait4``
(exact, user + system) and appended to ``$FUZZ_OUT/ledger.jsonl``; a later ``run`` with the
same ``$FUZZ_OUT`` counts what the ledger already holds, so an interrupted campaign resumes
(the corpora persist too). Executions come from the harness's own counter
(``progress.jsonl``). A summary goes to ``$FUZZ_OUT/summary.json`` (default
``/tmp/scrubber-fuzz``).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = Path(os.environ.get("FUZZ_OUT", "/tmp/scrubber-fuzz"))
SCRIPTS = {"clean": "fuzz_clean.py", "clean_html": "fuzz_clean_html.py", "jsonl": "fuzz_jsonl.py"}
MAX_LEN = {"clean": 16384, "clean_html": 32768, "jsonl": 16384}
FLAGS = ["-timeout=60", "-rss_limit_mb=4096", "-print_final_stats=1", "-reload=0"]


def seed() -> None:
    """Seed corpora: the repo's fixtures, rendered texts from the cache (when present),
    HTML pages of ../shared/data (cut to the target's max length), JSONL made of both."""
    rng = random.Random(0)
    texts: list[bytes] = [p.read_bytes() for p in sorted((REPO / "fixtures").rglob("*.txt"))]
    try:
        from scrubber.train.cache import load_renders

        for s in ("cleaneval", "dragnet", "l3s-gn1", "readability", "wcxb-dev"):
            for r in ("trafilatura", "inscriptis", "html_text"):
                recs = [v["text"] for v in load_renders(s, r).values() if v.get("text")]
                texts += [t.encode("utf-8", "surrogatepass") for t in rng.sample(recs,
                          min(8, len(recs)))]
    except Exception as e:
        print(f"no rendered texts: {e}", file=sys.stderr)
    pages = sorted((REPO.parent / "shared" / "data").glob("*/html/*.html.gz"))
    html = [gzip.decompress(p.read_bytes()) for p in rng.sample(pages, min(120, len(pages)))]
    html += [b"<p>x</p>", b"<!doctype html><title>t</title><h1>t</h1><p>body</p>"]
    jsonl = [json.dumps({"id": i, "url": "https://example.com/a",
                         "text": t.decode("utf-8", "replace")}).encode() + b"\n"
             for i, t in enumerate(texts)]
    jsonl += [b'{"text": "a\\r\\nb", "n": 1.0e5, "x": [1, {"y": null}]}\n\n{"text": 3}\n[1]\n',
              b'\xef\xbb\xbf{"text": "\\ud800 lone"}\n{bad json\n']
    for target, items in (("clean", texts), ("clean_html", html), ("jsonl", jsonl)):
        d = OUT / "corpus" / target
        d.mkdir(parents=True, exist_ok=True)
        for i, b in enumerate(items):
            data = b[: MAX_LEN[target]]
            if target == "clean_html":
                data = bytes([i % 2]) + data  # first byte: str (odd) or bytes (even) input
            (d / f"seed-{i:04d}").write_bytes(data)
        print(f"{target}: {len(items)} seeds in {d}")


def _ledger() -> list[dict[str, object]]:
    """Finished fuzzer processes: {"target", "pid", "cpu", "exit"}; backfilled once from
    the exit lines of ``run.log`` written by earlier versions of this script."""
    path = OUT / "ledger.jsonl"
    if not path.exists() and (OUT / "run.log").exists():
        pat = re.compile(r"^\S+ (\S+) pid (\d+) exit (-?\d+), cpu (\d+)s")
        with open(path, "w", encoding="utf-8") as f:
            for line in (OUT / "run.log").read_text().splitlines():
                m = pat.match(line)
                if m:
                    f.write(json.dumps({"target": m[1], "pid": int(m[2]), "cpu": float(m[4]),
                                        "exit": int(m[3])}) + "\n")
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def _executions(log: Path) -> int:
    """Executions over every process that wrote ``log``: per process (a segment starting
    at libFuzzer's "INFO: Seed:" line), its last "#N" status line or its final
    ``stat::number_of_executed_units``, whichever is larger."""
    if not log.exists():
        return 0
    total = 0
    for seg in log.read_bytes().split(b"INFO: Seed:")[1:]:
        counts = [int(m) for m in re.findall(rb"(?m)^#(\d+)\t", seg)]
        counts += [int(m) for m in re.findall(rb"number_of_executed_units: (\d+)", seg)]
        total += max(counts, default=0)
    return total


def summary(targets: list[str] | None = None) -> dict[str, object]:
    ledger = _ledger()
    targets = targets or sorted({str(r["target"]) for r in ledger})
    used = {t: sum(float(r["cpu"]) for r in ledger if r["target"] == t) for t in targets}
    exits = {t: [r["exit"] for r in ledger if r["target"] == t] for t in targets}
    execs = {t: _executions(OUT / f"{t}.log") for t in targets}
    crashes = sorted(p.name for p in (OUT / "crashes").glob("*.bin")) \
        if (OUT / "crashes").exists() else []
    artifacts = sorted(str(p.relative_to(OUT)) for p in (OUT / "artifacts").rglob("*-*")) \
        if (OUT / "artifacts").exists() else []
    return {"cpu_seconds": used, "cpu_total_minutes": round(sum(used.values()) / 60, 1),
            "executions": execs, "processes": {t: len(v) for t, v in exits.items()},
            "exit_codes": exits, "soft_crashes": crashes, "libfuzzer_artifacts": artifacts}


def run(budgets: dict[str, float]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    used = dict.fromkeys(budgets, 0.0)
    for rec in _ledger():
        if rec["target"] in used:
            used[str(rec["target"])] += float(rec["cpu"])  # type: ignore[arg-type]
    restarts = dict.fromkeys(budgets, 0)
    exits: dict[str, list[int]] = {t: [] for t in budgets}
    procs: dict[int, tuple[str, float]] = {}
    env = dict(os.environ, FUZZ_OUT=str(OUT), PYTHONPATH=str(HERE))

    def start(target: str) -> None:
        remaining = budgets[target] - used[target]
        art = OUT / "artifacts" / target
        art.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(HERE / SCRIPTS[target]), str(OUT / "corpus" / target),
               f"-max_len={MAX_LEN[target]}", f"-max_total_time={int(max(60, remaining))}",
               f"-artifact_prefix={art}/", *FLAGS]
        log = open(OUT / f"{target}.log", "ab")  # noqa: SIM115 - closed by the child's exit
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        procs[p.pid] = (target, time.time())
        print(f"{time.strftime('%H:%M:%S')} start {target} pid {p.pid}: {' '.join(cmd)}",
              flush=True)

    for t in budgets:
        if used[t] < budgets[t] - 30:
            start(t)
    while procs:
        pid, status, ru = os.wait4(-1, 0)
        if pid not in procs:
            continue
        target, _ = procs.pop(pid)
        cpu = ru.ru_utime + ru.ru_stime
        used[target] += cpu
        code = os.waitstatus_to_exitcode(status)
        exits[target].append(code)
        with open(OUT / "ledger.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps({"target": target, "pid": pid, "cpu": round(cpu, 1),
                                "exit": code}) + "\n")
        print(f"{time.strftime('%H:%M:%S')} {target} pid {pid} exit {code}, cpu {cpu:.0f}s, "
              f"total {used[target]:.0f}/{budgets[target]:.0f}s", flush=True)
        if used[target] < budgets[target] - 30:
            restarts[target] += 1
            start(target)
    result = summary(list(budgets))
    result["restarts_this_run"] = restarts
    (OUT / "summary.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2), flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["seed"]:
        seed()
        return 0
    if argv[:1] == ["status"]:
        print(json.dumps(summary(), indent=2))
        return 0
    if argv[:1] == ["run"] and len(argv) > 1:
        run({t: float(s) for t, s in (a.split(":") for a in argv[1:])})
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
