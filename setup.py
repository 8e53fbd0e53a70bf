"""Optional compiled build of scrubber's pipeline modules (Cython, same source).

``pip install .`` compiles the modules of the decision path below with Cython: the very
same ``.py`` files, no ``.pyx`` twin, so there is one implementation and the compiled
package gives the same output byte for byte (``python -m scrubber.bench identity check``;
``tests/test_compiled.py``). Measured on the HTML speed sample (100 pages, all five
sets): ``clean_html`` about 11% faster (valgrind: 7.58 G -> 6.82 G instructions in the
timed loop), mostly from the DOM walk in ``html.py``; the text path gains ~3%.

Everything here is optional. The build falls back to the pure-Python package, with a
warning, when Cython or a C compiler is missing or a module fails to compile, and when
``SCRUBBER_PURE_PYTHON=1`` is set. Editable installs (``pip install -e .``) and other
in-place builds stay pure Python, so an extension module never shadows a ``.py`` file
someone is editing. ``scrubber.compiled_modules()`` says what a running install uses.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _compiled_sources() -> list[str]:
    """The files of the modules ``scrubber._COMPILABLE`` names (the decision path and the
    HTML front end; the CLI, benchmarks, training and integrations stay Python), read
    from ``scrubber/__init__.py`` without importing the package (its dependencies need
    not be installed at build time): one list serves the build and
    ``scrubber.compiled_modules()``."""
    tree = ast.parse(Path("scrubber/__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_COMPILABLE" for t in node.targets
        ):
            names = ast.literal_eval(node.value)
            break
    else:
        raise RuntimeError("scrubber/__init__.py defines no _COMPILABLE")
    out = []
    for name in names:
        base = Path("scrubber", *name.split("."))
        out.append(str(base / "__init__.py" if base.is_dir() else base.with_suffix(".py")))
    return out


def _warn(msg: str, what: str = "installing the pure-Python package") -> None:
    print(f"scrubber setup: {msg}; {what}", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """Compile what can be compiled; never fail the install over it."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1  # compile the modules side by side
        if self.inplace or getattr(self, "editable_mode", False):
            if self.extensions:
                _warn("in-place / editable build, extension modules not built")
            self.extensions = []

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, missing headers, ...
            _warn(f"compiling failed ({exc})")

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:
            _warn(f"compiling {ext.name} failed ({exc})", "that module stays pure Python")


def _extensions() -> list:
    if os.environ.get("SCRUBBER_PURE_PYTHON", "") not in ("", "0"):
        _warn("SCRUBBER_PURE_PYTHON is set")
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        _warn("Cython is not available")
        return []
    try:
        return cythonize(
            _compiled_sources(),
            language_level=3,
            # annotations are documentation here, not C types: keep Python semantics
            compiler_directives={"annotation_typing": False},
            build_dir="build/cython",  # generated C stays out of the source tree
            quiet=True,
        )
    except Exception as exc:
        _warn(f"Cython failed ({exc})")
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
