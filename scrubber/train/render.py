"""Turn HTML into the text inputs users' scrapers produce.

scrubber cleans *text*, so training inputs are built from each page in several ways, because
users' scrapers differ. :data:`RENDERERS` maps a name to a guarded ``html -> text`` callable:

* ``"trafilatura"``: ``trafilatura.extract(html, favor_recall=True, include_comments=False)``,
  plain-text output (no markdown: ``include_formatting=False``; trafilatura's own plain-text
  conventions remain, i.e. list items start with ``"- "`` and table rows look like
  ``"| a | b |"``, as users see them).
* ``"inscriptis"``: ``inscriptis.get_text(html)`` with its defaults (layout-preserving, indented
  lists, tables as text grids).
* ``"html_text"``: ``html_text.extract_text(html, guess_layout=True)``.
* ``"blocks"``: scrubber's own selectolax block renderer, ``scrubber.html.html_to_text``,
  imported lazily; raises :class:`RendererUnavailable` while that module does not exist.
* ``"markdown"``: ``markdownify.markdownify(html, heading_style="ATX", bullets="*")``, the
  markdown that scrapers built for LLM pipelines write (links as ``[text](url)``, one
  list item a line). Benchmark only: the text model is not trained on it.
* ``"wrapped"``: the ``html_text`` render hard-wrapped at :data:`WRAP_COLUMNS` columns
  (``textwrap``, long words and hyphens left whole), as console browsers dump pages
  (``lynx -dump``, ``w3m -dump``), html2text writes them by default (78 columns) and
  mail archives hold them: every line of a paragraph filled to one width. Benchmark only.
* ``"soup"``: ``BeautifulSoup(html, "html.parser").get_text()``, the text LangChain's
  ``WebBaseLoader`` and LlamaIndex's ``BeautifulSoupWebReader`` hand to RAG pipelines by
  default: every text node of the page (scripts and styles left out) joined with nothing
  between them, so a line ends only where the page's HTML source had a line break. A page
  written on a few long source lines comes out as a few long lines, its menus, headings and
  paragraphs glued ("HomeNewsSportsThe minister said..."); an indented one keeps about a
  line a block, and the source's blank lines. Benchmark only.
* ``"soup_lines"``: ``BeautifulSoup(html, "html.parser").get_text("\\n", strip=True)``, the
  form tutorials and many scrapers use: every text node stripped, on a line of its own, so a
  paragraph with a link or a bold word in it comes out in fragments ("Expect protein (see
  our favorite" / "high-protein snacks" / "!) to continue..."). Benchmark only.
* ``"soup_space"``: ``BeautifulSoup(html, "html.parser").get_text(" ", strip=True)``, the
  other form tutorials use: every text node stripped and joined to the next by a space
  ("Home News Sports The minister said..."), so a line ends only inside a text node that
  holds a line break; most pages come out as a few very long lines. Benchmark only.

    >>> from scrubber.train.render import RENDERERS, STATS
    >>> RENDERERS["html_text"]("<p>Hello <b>world</b></p>")
    'Hello world'
    >>> STATS["html_text"].calls >= 1
    True

Every renderer is guarded: an exception or a timeout (``signal.setitimer``, main thread on
POSIX only; default :data:`DEFAULT_TIMEOUT` seconds) returns ``""`` and is counted in
:data:`STATS`. :class:`RendererUnavailable` is never swallowed.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from pathlib import Path

__all__ = [
    "DEFAULT_TIMEOUT",
    "OPTIONAL",
    "RENDERERS",
    "STATS",
    "RenderStats",
    "RendererUnavailable",
    "available_renderers",
    "guarded",
    "render",
    "renderer_module",
    "renderer_version",
]

DEFAULT_TIMEOUT = 60.0
"""Seconds one renderer may spend on one page before it is stopped (result ``""``)."""


class RendererUnavailable(RuntimeError):
    """The renderer's implementation is not installed / not written yet."""


class _RenderTimeout(BaseException):
    """A render's time is up. Not an :class:`Exception`: trafilatura's own ``except
    Exception`` blocks caught it, went on with no time limit and returned another path's
    text, cached as ``ok`` (what a page rendered to then hung on how busy the machine was)."""


@dataclass(slots=True)
class RenderStats:
    """Counters for one renderer: calls, failures (exceptions), timeouts, total seconds."""

    calls: int = 0
    failures: int = 0
    timeouts: int = 0
    seconds: float = 0.0
    last_error: str = ""


STATS: dict[str, RenderStats] = {}
"""Per-renderer counters, filled as guarded renderers run."""


@contextlib.contextmanager
def time_limit(seconds: float | None,
               exc: type[BaseException] = TimeoutError) -> Iterator[None]:
    """Raise ``exc`` in the block after ``seconds`` (SIGALRM: the main thread on POSIX
    only; elsewhere, or with no ``seconds``, there is no limit). Shared by the renderers
    and the benchmarks' per-page guards."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise exc

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def _time_limit(seconds: float | None) -> contextlib.AbstractContextManager[None]:
    return time_limit(seconds, _RenderTimeout)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _trafilatura(html: str) -> str:
    import trafilatura

    out = trafilatura.extract(
        html,
        favor_recall=True,
        include_comments=False,
        include_formatting=False,
        include_links=False,
        include_images=False,
        output_format="txt",
        with_metadata=False,
    )
    return out or ""


def _inscriptis(html: str) -> str:
    import inscriptis

    if not html.strip():
        return ""
    return inscriptis.get_text(html) or ""


def _html_text(html: str) -> str:
    import html_text

    return html_text.extract_text(html, guess_layout=True) or ""


def _markdown(html: str) -> str:
    import markdownify

    return markdownify.markdownify(html, heading_style="ATX", bullets="*") or ""


WRAP_COLUMNS = 76
"""The width of the ``wrapped`` renderer (lynx's dumps: 76 columns of text by default)."""


def _wrapped(html: str) -> str:
    import textwrap

    out = []
    for line in _html_text(html).split("\n"):
        out.extend(textwrap.wrap(line, WRAP_COLUMNS, break_long_words=False,
                                 break_on_hyphens=False) or [""])
    return "\n".join(out)


def _soup(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text()


def _soup_lines(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text("\n", strip=True)


def _soup_space(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


_LOADED_DIGEST: dict[str, str] = {}


def _digest(path: str | None) -> str:
    """First 10 hex digits of the SHA-256 of a file ("" if there is none)."""
    if not path or not Path(path).is_file():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def _blocks_module() -> object:
    """Import scrubber.html, pinning the digest of the source this process actually runs."""
    try:
        module = import_module("scrubber.html")
    except ImportError as exc:
        raise RendererUnavailable(
            "renderer 'blocks' needs scrubber.html.html_to_text, which is not available yet"
        ) from exc
    if "blocks" not in _LOADED_DIGEST:
        _LOADED_DIGEST["blocks"] = _digest(getattr(module, "__file__", None))
    return module


def _blocks(html: str) -> str:
    fn = getattr(_blocks_module(), "html_to_text", None)
    if fn is None:
        raise RendererUnavailable("scrubber.html has no html_to_text(html) -> str yet")
    return fn(html) or ""


_RAW: dict[str, Callable[[str], str]] = {
    "trafilatura": _trafilatura,
    "inscriptis": _inscriptis,
    "html_text": _html_text,
    "blocks": _blocks,
    "markdown": _markdown,
    "wrapped": _wrapped,
    "soup": _soup,
    "soup_lines": _soup_lines,
    "soup_space": _soup_space,
}

_DISTRIBUTIONS = {
    "trafilatura": "trafilatura",
    "inscriptis": "inscriptis",
    "html_text": "html-text",
    "blocks": "scrubber",
    "markdown": "markdownify",
    "wrapped": "html-text",
    "soup": "beautifulsoup4",
    "soup_lines": "beautifulsoup4",
    "soup_space": "beautifulsoup4",
}

_MODULES = {
    "trafilatura": "trafilatura",
    "inscriptis": "inscriptis",
    "html_text": "html_text",
    "blocks": "scrubber.html",
    "markdown": "markdownify",
    "wrapped": "html_text",
    "soup": "bs4",
    "soup_lines": "bs4",
    "soup_space": "bs4",
}


def renderer_module(name: str) -> str:
    """The module renderer ``name`` imports (its distribution is another name at times:
    ``soup_space`` imports ``bs4``, from ``beautifulsoup4``).

        >>> renderer_module("soup_space"), renderer_module("html_text")
        ('bs4', 'html_text')
    """
    return _MODULES[name]


def renderer_version(name: str) -> str:
    """The version of the code behind a renderer (part of cache keys).

    The installed library's version; for ``blocks`` the scrubber version plus a digest of the
    ``scrubber/html.py`` this process imported (the module is imported here if need be), so
    every edit of the renderer gets its own cache files and a process that loaded an older
    copy keeps writing under that copy's digest, plus the version of selectolax, which
    parses the pages (0.4.13 and 1.0.2 render one of 730 training pages otherwise).
    """
    try:
        version = _dist_version(_DISTRIBUTIONS[name])
    except (PackageNotFoundError, KeyError):
        version = "unknown"
    if name == "wrapped":
        version = f"{version}+wrap{WRAP_COLUMNS}"
    if name in ("soup", "soup_lines", "soup_space"):  # the parser is the standard library's
        version = f"{version}+py{sys.version_info[0]}.{sys.version_info[1]}"
    if name == "blocks":
        with contextlib.suppress(RendererUnavailable):
            _blocks_module()
        digest = _LOADED_DIGEST.get("blocks", "")
        if digest:
            version = f"{version}+{digest}"
        with contextlib.suppress(PackageNotFoundError):
            version = f"{version}+selectolax-{_dist_version('selectolax')}"
    return version


OPTIONAL: frozenset[str] = frozenset({"markdown", "wrapped", "soup", "soup_lines",
                                     "soup_space"})
"""Renderers built and scored only when named (``--renderers soup soup_lines``...): the
default dataset build, training and benchmark leave them out (markdownify takes about
0.1 s a page; ``wrapped`` is ``html_text`` again, wrapped)."""


def available_renderers(optional: bool = False) -> list[str]:
    """Names of the renderers that can run now (``blocks`` only once scrubber.html exists);
    the :data:`OPTIONAL` ones too with ``optional``."""
    names = []
    for name in _RAW:
        if name in OPTIONAL and not optional:
            continue
        if name == "blocks":
            try:
                module = _blocks_module()
            except RendererUnavailable:
                continue
            if not hasattr(module, "html_to_text"):
                continue
        names.append(name)
    return names


def render(name: str, html: str, timeout: float | None = DEFAULT_TIMEOUT) -> str:
    """Render ``html`` with renderer ``name``; ``""`` on error or timeout (counted in STATS).

    Raises:
        KeyError: unknown renderer name.
        RendererUnavailable: the renderer's implementation does not exist (``blocks`` for now).
    """
    fn = _RAW[name]
    stats = STATS.setdefault(name, RenderStats())
    stats.calls += 1
    start = time.perf_counter()
    try:
        with _time_limit(timeout):
            text = fn(html)
    except RendererUnavailable:
        stats.calls -= 1
        raise
    except _RenderTimeout:
        stats.timeouts += 1
        stats.last_error = f"timeout after {timeout}s"
        text = ""
    except Exception as exc:  # a renderer crash must not stop a dataset build
        stats.failures += 1
        stats.last_error = f"{type(exc).__name__}: {exc}"[:300]
        text = ""
    finally:
        stats.seconds += time.perf_counter() - start
    return _normalise_newlines(text)


def guarded(name: str, timeout: float | None = DEFAULT_TIMEOUT) -> Callable[[str], str]:
    """A ``html -> text`` callable that runs :func:`render` for ``name``."""

    def _run(html: str) -> str:
        return render(name, html, timeout=timeout)

    _run.__name__ = f"render_{name}"
    _run.__doc__ = f"Guarded {name!r} renderer (errors and timeouts give '')."
    return _run


RENDERERS: dict[str, Callable[[str], str]] = {name: guarded(name) for name in _RAW}
"""Guarded renderers by name: ``trafilatura``, ``inscriptis``, ``html_text``, ``blocks``,
``markdown``, ``wrapped``, ``soup``, ``soup_lines``."""
