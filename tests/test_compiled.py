"""The compiled build (setup.py: Cython over the same .py files) gives the pure-Python
package's output, byte for byte.

The tests import the source tree; ``pip install .`` (as ``.ci/run`` does) puts a compiled
build in site-packages. The comparison runs the installed package in a subprocess that
cannot see the source tree (``python -I`` from another directory) and skips when no
compiled install of this very source is there (an editable or pure-Python install, or
an install of other source)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import scrubber
from scrubber.bench import identity

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "fixtures" / "seeds" / "input").glob("*.txt"))

# HTML pages in the shapes the walk handles: blocks, inline runs, lists, tables, <pre>,
# hidden elements, class hints, links, nested landmarks and a repeated headline
PAGES = [
    "<html><head><title>A storm hits the coast</title></head><body>"
    "<header><nav><a href=/>Home</a> | <a href=/news>News</a></nav></header>"
    "<main><article><h1>A storm hits the coast</h1><p class='byline'>By A. Writer</p>"
    "<p>The storm reached the coast on <b>Tuesday</b> night, bringing <i>heavy</i> rain "
    "and winds of up to 120 km/h to the towns along the bay.</p>"
    "<ul><li>Schools closed</li><li>Roads flooded <a href=/r>(map)</a></li></ul>"
    "<table><tr><td>Rain</td><td>80 mm</td></tr><tr><td>Wind</td><td>120 km/h</td></tr>"
    "</table><pre>  line one\n  line two</pre>"
    "<div style='display:none'>hidden text</div><div hidden>also hidden</div>"
    "<p>Officials said repairs would take weeks.<br>More updates to follow.</p></article>"
    "<aside class='related-posts'><h3>Related</h3><a href=/a>Another storm story</a></aside>"
    "</main><div class='share-buttons'><a href=#>Share</a><a href=#>Tweet</a></div>"
    "<footer><p>&copy; 2024 The Paper. All rights reserved.</p></footer></body></html>",
    "<div id=comments><div class=comment><p>Great article, thanks for writing it up so "
    "clearly.</p></div></div><script>var x = 1;</script><noscript>Enable JS</noscript>",
    "",
    "<p>\u4e2d\u6587\u7684\u6bb5\u843d\u6ca1\u6709\u7a7a\u683c\u3002</p><p>\u00c9t\u00e9 "
    "\u00e0 Paris, caf\u00e9 cr\u00e8me \u2014 \u201cquotes\u201d.</p>",
]


def _installed_build() -> tuple[str, Path] | None:
    """The installed package's build and directory, as a process outside the source
    tree sees it (``None`` if scrubber is not importable there)."""
    code = "import scrubber, sys; print(scrubber.build()); print(scrubber.__file__)"
    run = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         cwd=Path(sys.prefix), timeout=120)
    if run.returncode != 0:
        return None
    build, init = run.stdout.splitlines()[-2:]
    return build, Path(init).parent


def _same_source(installed: Path) -> bool:
    for src in ROOT.joinpath("scrubber").rglob("*.py"):
        other = installed / src.relative_to(ROOT / "scrubber")
        if not other.is_file() or other.read_bytes() != src.read_bytes():
            return False
    return True


def _real_pages(per_set: int) -> list[str]:
    """The first ``per_set`` pages (by id) of each set in ``../shared/data``, or ``[]``."""
    from scrubber.bench.identity import SETS
    from scrubber.train.data import data_root, iter_pages

    if data_root() is None:
        return []
    out = []
    for name in SETS:
        out += [p.html for p in iter_pages(name, limit=per_set) if isinstance(p.html, str)]
    return out


_CHILD = """
import json, sys
from scrubber.bench import identity
json.dump(identity.digests(**json.load(sys.stdin)), sys.stdout)
"""


def test_compiled_modules_name_pipeline_modules_and_build_says_which() -> None:
    names = scrubber.compiled_modules()
    assert set(names) <= {f"scrubber.{m}" for m in scrubber._COMPILABLE}
    assert scrubber.build() == (f"compiled ({len(names)}/9 modules)" if names
                                else "pure Python")


def test_build_says_which_without_importing_the_pipeline_or_numpy() -> None:
    # scrubber --version: a module not yet imported is looked up where an import would
    # find it, not imported; imported afterwards, each is what the lookup said
    code = ("import importlib, sys, scrubber; found = scrubber.compiled_modules(); "
            "print('numpy' in sys.modules, 'scrubber.pipeline' in sys.modules); "
            "[importlib.import_module('scrubber.' + m) for m in scrubber._COMPILABLE]; "
            "print(found == scrubber.compiled_modules())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_the_compiled_install_gives_the_source_trees_output_byte_for_byte() -> None:
    found = _installed_build()
    if (found is not None and not found[0].startswith("compiled")
            and os.environ.get("SCRUBBER_REQUIRE_COMPILED") and _same_source(found[1])):
        # (.ci/run asks for it: the build falls back to pure Python with a warning pip
        # hides, as it did for every module when Cython 3.3 refused one line of html.py)
        pytest.fail("pip install . installed this source as pure Python: the compiled "
                    "build failed (pip install -v . shows the Cython error)")
    if found is None or not found[0].startswith("compiled"):
        pytest.skip("no compiled install of scrubber (pip install . builds one)")
    build, installed = found
    if not _same_source(installed):
        pytest.skip(f"the installed scrubber ({installed}) is built from other source")
    assert build == "compiled (9/9 modules)"
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    # the seeds as HTML too: one paragraph per line, so the walk and the DOM model run
    pages = PAGES + ["".join(f"<p>{line}</p>" for line in t.splitlines()) for t in texts]
    pages += _real_pages(per_set=10)  # when ../shared/data is there
    job = json.dumps({"texts": texts, "pages": pages})
    run = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=job, capture_output=True,
                         text=True, cwd=Path(sys.prefix), timeout=600)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == identity.digests(texts, pages)
