"""Locate and read the labelled page sets (``../shared/data`` or ``$SCRUBBER_DATA``).

Each set lives in ``<root>/<set>/`` as ``html/<id>.html.gz``, ``gold/<id>.txt`` and
``meta.jsonl``. :func:`iter_pages` yields one :class:`Page` per page, in sorted id order, with the
HTML decoded, the gold text, the page's *site* and its *split*.

    >>> from scrubber.train.data import data_root, iter_pages
    >>> root = data_root()                      # None when the data is absent
    >>> if root is not None:
    ...     for page in iter_pages("cleaneval", split="heldout", limit=2):
    ...         print(page.id, page.site, len(page.html), len(page.gold))  # doctest: +SKIP

Splits (the ``split`` field of a :class:`Page`):

* ``"train"`` / ``"heldout"``: pages of a :data:`TRAINABLE` set, assigned by a hash of the page's
  *site* (so no site is on both sides; about :data:`HELDOUT_FRACTION` of sites are held out).
  Readability's ``synthetic`` test snippets are always ``"train"`` (never evaluated).
* ``"eval"``: pages of an evaluation-only set that are meant for evaluation: all of l3s-gn1 and
  dragnet's official ``test`` split.
* ``"unused"``: dragnet's official ``train`` split. Dragnet is AGPL and evaluation-only here, so
  these pages never train the shipped model; they are available for analysis only.

:data:`EVAL_SPLITS` are the splits a benchmark should score.

Sites: ``meta["domain"]`` (wcxb-dev) or the host of ``meta["url"]`` (cleaneval, l3s-gn1), reduced
to a registrable domain with a small heuristic (``news.bbc.co.uk`` -> ``bbc.co.uk``). Sets without
either (dragnet, readability) fall back to the page id: readability ids name the site
(``nytimes-3`` -> ``readability:nytimes``), dragnet ids do not, so every dragnet page is its own
site (``dragnet:<id>``); dragnet's split comes from its meta anyway.

Encoding: every ``html.gz`` in the shared data is stored as UTF-8 (the data README says so and
every file decodes as strict UTF-8). The meta ``encoding`` field records the page's *original*
charset: decoding with it would turn ``é`` into ``Ã©`` on the cp1252 pages, so it is only used
when strict UTF-8 decoding fails; the last resort is UTF-8 with ``errors="replace"``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ALL_SETS",
    "DATA_ENV",
    "EVAL_ONLY",
    "EVAL_SPLITS",
    "HELDOUT_FRACTION",
    "TRAINABLE",
    "Page",
    "available_sets",
    "data_root",
    "decode_html",
    "iter_pages",
    "load_html",
    "load_meta",
    "normalise_site",
    "page_site",
    "page_split",
    "repo_root",
    "site_split",
]

DATA_ENV = "SCRUBBER_DATA"
"""Environment variable overriding the data root."""

ALL_SETS: tuple[str, ...] = ("wcxb-dev", "cleaneval", "readability", "dragnet", "l3s-gn1")
"""Every known set, in a fixed order."""

TRAINABLE: frozenset[str] = frozenset({"wcxb-dev", "cleaneval", "readability"})
"""Sets whose licence allows training the shipped model."""

EVAL_ONLY: frozenset[str] = frozenset({"dragnet", "l3s-gn1"})
"""Sets used for evaluation only (dragnet: AGPL; l3s-gn1: research-use licence)."""

EVAL_SPLITS: tuple[str, ...] = ("heldout", "eval")
"""The splits a benchmark scores: held-out sites of trainable sets, and evaluation-only pages."""

HELDOUT_FRACTION = 0.2
"""Share of *sites* (not pages) of a trainable set that :func:`site_split` holds out."""

_SPLIT_SALT = "scrubber-site-split-v1"

# Second-level labels under a country-code TLD that act like a TLD (bbc.co.uk, abc.net.au).
_SECOND_LEVEL = frozenset(
    {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "gv", "nic", "sch"}
)
_ID_NUMBER_SUFFIX = re.compile(r"-\d+$")


@dataclass(frozen=True, slots=True)
class Page:
    """One labelled page.

    Attributes:
        set: the set name (``"wcxb-dev"``...).
        id: the page id inside the set (file stem).
        html: the page HTML, decoded (see the module docstring for the encoding rule).
        gold: the gold main-content text (UTF-8, one block a line; blank lines possible).
        meta: the page's ``meta.jsonl`` object, unchanged.
        site: the page's site (registrable domain, or an id-based fallback, see ``site_source``).
        split: ``"train"``, ``"heldout"``, ``"eval"`` or ``"unused"`` (module docstring).
        page_type: WCXB page type (``article``, ``forum``...) or None.
        lang: detected language code from meta, or None.
        site_source: where ``site`` came from: ``"domain"``, ``"url"`` or ``"id"``.
    """

    set: str
    id: str
    html: str = field(repr=False)
    gold: str = field(repr=False)
    meta: Mapping[str, Any] = field(repr=False, compare=False, hash=False)
    site: str
    split: str
    page_type: str | None = None
    lang: str | None = None
    site_source: str = "id"

    @property
    def synthetic(self) -> bool:
        """True for readability's hand-written test snippets (never evaluated)."""
        return bool(self.meta.get("synthetic", False))

    @property
    def trainable(self) -> bool:
        """True when this page's set may train the shipped model."""
        return self.set in TRAINABLE

    @property
    def evaluable(self) -> bool:
        """True when a benchmark should score this page (split in :data:`EVAL_SPLITS`)."""
        return self.split in EVAL_SPLITS


def repo_root() -> Path:
    """The repository root (the folder holding ``scrubber/``)."""
    return Path(__file__).resolve().parents[2]


def data_root(required: bool = False) -> Path | None:
    """The data root: ``$SCRUBBER_DATA`` if set, else ``<repo>/../shared/data``.

    Returns None when the folder does not exist (callers and tests skip), unless ``required``,
    in which case :class:`FileNotFoundError` is raised with the paths that were tried.
    """
    env = os.environ.get(DATA_ENV)
    candidate = Path(env).expanduser() if env else repo_root().parent / "shared" / "data"
    if candidate.is_dir():
        return candidate.resolve()
    if required:
        how = f"${DATA_ENV}" if env else "the default ../shared/data"
        raise FileNotFoundError(f"data root not found: {candidate} (from {how})")
    return None


def _root(root: Path | str | None) -> Path:
    if root is not None:
        return Path(root)
    found = data_root(required=True)
    assert found is not None
    return found


def available_sets(root: Path | str | None = None) -> list[str]:
    """The known sets present under the data root (in :data:`ALL_SETS` order); [] if absent."""
    base = Path(root) if root is not None else data_root()
    if base is None or not base.is_dir():
        return []
    return [s for s in ALL_SETS if (base / s / "meta.jsonl").is_file()]


def load_meta(set_name: str, root: Path | str | None = None) -> list[dict[str, Any]]:
    """The set's ``meta.jsonl`` objects, sorted by id."""
    path = _root(root) / set_name / "meta.jsonl"
    metas: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                metas.append(json.loads(line))
    metas.sort(key=lambda m: str(m["id"]))
    return metas


def normalise_site(host: str) -> str:
    """Reduce a host name to a registrable-domain-like site key.

    Lower-cases, drops port, trailing dot and ``www.``, and keeps the last two labels (three
    when the second-level label is a generic one under a ccTLD, e.g. ``co.uk``). A heuristic,
    not the Public Suffix List, but it groups a site's sub-domains for splitting.

        >>> normalise_site("News.BBC.co.uk:80")
        'bbc.co.uk'
        >>> normalise_site("cloud.google.com")
        'google.com'
    """
    host = host.strip().lower().rstrip(".")
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    host = host.split(":", 1)[0]
    if not host:
        return ""
    if re.fullmatch(r"[\d.]+", host):  # an IPv4 address is its own site
        return host
    labels = [x for x in host.split(".") if x]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) <= 2:
        return ".".join(labels)
    if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def page_site(set_name: str, meta: Mapping[str, Any]) -> tuple[str, str]:
    """``(site, source)`` for a page: from meta ``domain``, else ``url``, else the id.

    ``source`` is ``"domain"``, ``"url"`` or ``"id"``. The id fallback is ``"<set>:<stem>"``
    where ``stem`` is the id without a trailing ``-<number>`` (readability ids such as
    ``nytimes-2`` name their site); dragnet ids are opaque, so each dragnet page is its own site.
    """
    domain = meta.get("domain")
    if isinstance(domain, str) and domain.strip():
        site = normalise_site(domain)
        if site:
            return site, "domain"
    url = meta.get("url")
    if isinstance(url, str) and url.strip():
        raw = url.strip()
        host = urlsplit(raw if "//" in raw else "//" + raw).hostname or ""
        site = normalise_site(host)
        if site:
            return site, "url"
    stem = str(meta["id"])
    if set_name != "dragnet":
        stem = _ID_NUMBER_SUFFIX.sub("", stem) or stem
    return f"{set_name}:{stem}", "id"


@lru_cache(maxsize=65536)
def site_split(site: str, heldout_fraction: float = HELDOUT_FRACTION) -> str:
    """``"heldout"`` or ``"train"`` for a site, from a salted SHA-256 of the site key.

    Deterministic across runs, machines and Python versions (no ``hash()``), and independent of
    which other sites exist, so adding pages never moves a site.

        >>> site_split("example.com") == site_split("example.com")
        True
    """
    digest = hashlib.sha256(f"{_SPLIT_SALT}:{site}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    return "heldout" if u < heldout_fraction else "train"


def page_split(set_name: str, meta: Mapping[str, Any], site: str) -> str:
    """The split of a page (see the module docstring for the vocabulary)."""
    if set_name in TRAINABLE:
        if meta.get("synthetic"):
            return "train"
        return site_split(site)
    if set_name == "dragnet":
        official = meta.get("split")
        if official is None:
            return "eval"
        return "eval" if official == "test" else "unused"
    return "eval"


def decode_html(raw: bytes, encoding: str | None = None) -> str:
    """Decode page bytes: strict UTF-8 (BOM stripped), else ``encoding``, else UTF-8/replace."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if encoding:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return raw.decode("utf-8", errors="replace")


def load_html(
    set_name: str, page_id: str, encoding: str | None = None, root: Path | str | None = None
) -> str:
    """The decoded HTML of one page (see :func:`decode_html`)."""
    with gzip.open(_root(root) / set_name / "html" / f"{page_id}.html.gz", "rb") as fh:
        return decode_html(fh.read(), encoding)


_load_html = load_html  # iter_pages has a parameter of the same name


def iter_pages(
    set_name: str,
    *,
    split: str | Iterable[str] | None = None,
    ids: Iterable[str] | None = None,
    limit: int | None = None,
    load_html: bool = True,
    root: Path | str | None = None,
) -> Iterator[Page]:
    """Yield the pages of a set in sorted id order.

    Args:
        set_name: one of :data:`ALL_SETS`.
        split: keep only pages of this split (or these splits), e.g. ``EVAL_SPLITS``.
        ids: keep only these page ids.
        limit: stop after this many yielded pages (after filtering).
        load_html: when False, ``html`` is ``""`` (cheap iteration over gold/meta/splits).
        root: the data root; default :func:`data_root` (raises if absent).

    Raises:
        FileNotFoundError: the data root or the set is missing.
    """
    base = _root(root)
    if not (base / set_name / "meta.jsonl").is_file():
        raise FileNotFoundError(f"no set {set_name!r} under {base}")
    wanted_splits = {split} if isinstance(split, str) else (set(split) if split else None)
    wanted_ids = {str(i) for i in ids} if ids is not None else None
    count = 0
    for meta in load_meta(set_name, base):
        if limit is not None and count >= limit:
            return
        pid = str(meta["id"])
        if wanted_ids is not None and pid not in wanted_ids:
            continue
        site, source = page_site(set_name, meta)
        psplit = page_split(set_name, meta, site)
        if wanted_splits is not None and psplit not in wanted_splits:
            continue
        html = _load_html(set_name, pid, meta.get("encoding"), base) if load_html else ""
        gold = (base / set_name / "gold" / f"{pid}.txt").read_text(
            encoding="utf-8", errors="replace"
        )
        page_type = meta.get("page_type")
        lang = meta.get("lang")
        yield Page(
            set=set_name,
            id=pid,
            html=html,
            gold=gold,
            meta=meta,
            site=site,
            split=psplit,
            page_type=str(page_type) if page_type else None,
            lang=str(lang) if lang else None,
            site_source=source,
        )
        count += 1
