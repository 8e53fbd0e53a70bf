"""The usage examples in the package's docstrings run and say what the code does."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import scrubber


def _modules() -> list[str]:
    names = ["scrubber"]
    for info in pkgutil.walk_packages(scrubber.__path__, "scrubber."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run_as_written(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional dependency (the train / bench extras)
        pytest.skip(f"{name}: {exc}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name}"


def test_rule_ids_the_docs_and_cli_help_name_exist() -> None:
    """README, docs/ and the CLI's examples name real rules (``--disable`` refuses others)."""
    import re
    from pathlib import Path

    from scrubber.cli import EPILOG
    from scrubber.rules import builtin_rules

    ids = {r.id for r in builtin_rules()}
    families = {i.split(".")[0] for i in ids}
    root = Path(__file__).resolve().parents[1]
    texts = [EPILOG, (root / "README.md").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((root / "docs").glob("*.md"))]
    named = {m for t in texts for m in re.findall(r"\b([a-z]+\.[a-z][a-z0-9-]*)\b", t)
             if m.split(".")[0] in families}
    assert named and named <= ids, sorted(named - ids)
