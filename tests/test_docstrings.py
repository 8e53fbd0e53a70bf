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
