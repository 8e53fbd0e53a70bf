"""Repeated-line profiles: boilerplate repeats across a site's pages, body text does not.

A first pass over a corpus counts, per site, on how many pages each (normalised) line
occurs; a second pass cleans with that profile, treating a line seen on at least
``min_pages`` pages of the same site as strong boilerplate evidence::

    $ scrubber profile build corpus.jsonl -o site-profile.npz --url-field url
    $ scrubber --jsonl --profile site-profile.npz corpus.jsonl -o clean.jsonl

or from Python::

    >>> from scrubber.corpus.profile import ProfileCounter
    >>> counter = ProfileCounter()
    >>> for body in ("Cats purr.", "Dogs bark.", "Owls hoot."):
    ...     _ = counter.add("example.com", f"Share this story\\n{body}\\n")
    >>> prof = counter.finish(min_pages=3)
    >>> prof.seen("example.com", ["Share this story", "Dogs bark."])
    [3, 0]

Lines are normalised before hashing (case-folded, digit runs -> ``0``, whitespace collapsed),
so ``Comments (12)`` and ``comments (3)`` are the same line. Each page counts a line once.

**How a hit is used** (:meth:`SiteProfile.repeated`, called by :func:`scrubber.pipeline.run_lines`
when ``Config.profile`` and ``Config.site`` are set): a repeated line is dropped
(``Stage.PROFILE``, reason ``"seen on 37 of 120 pages of example.com"``) unless

* a rule already dropped it (the rule keeps the credit),
* the classifier scores it as clear body (``score >= keep_score``; without a model: a long
  line that reads like a sentence), so a body paragraph quoted on several pages survives, or
* the repeated lines would take most of the page: more than ``max_share`` (70 %) of the words
  of the lines the model leans to keep (score >= 0.5; every line without a model) are repeated
  ones, whether they would be dropped or are kept as clear body. Then the page is probably a
  near-copy of another page of the site: a dedup job, not boilerplate.

Measured with ``python -m scrubber.corpus.evaluate`` (see ``docs/corpus.md``): on dragnet's and
l3s-gn1's multi-page news and blog sites word F1 rises by 0.7 to 4.7 points (precision +3 to
+9), about neutral on sets whose sites have only two or three pages.

**File format** (``.npz``, loaded with ``allow_pickle=False``): ``keys`` (uint64, sorted; a
64-bit BLAKE2b hash of ``site + "\\0" + normalised line``), ``counts`` (uint32 pages per key),
``site_names`` / ``site_pages`` (pages counted per site) and ``meta`` (a JSON string: format,
``store_min``, ``min_pages``...). 12 bytes per stored (site, line) pair; only pairs seen on at
least ``store_min`` pages are stored. *Partial* counts (one per shard, for distributed builds)
use the same layout with ``store_min = 1`` and are merged with :func:`merge_partials`.

Counting is exact and its memory bounded: page keys are buffered and compacted with numpy,
and when the distinct keys exceed ``spill_keys`` the counts are spilled to disk in 16
hash-partitions that are merged one at a time at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import numpy as np

__all__ = [
    "DEFAULT_MIN_PAGES",
    "KEEP_SCORE",
    "MAX_SHARE",
    "PROFILE_FORMAT",
    "ProfileCounter",
    "SiteProfile",
    "line_key",
    "load_profile",
    "merge_partials",
    "normalise_line",
    "normalise_site",
    "page_keys",
    "site_from_url",
]

PROFILE_FORMAT = "scrubber-site-profile-1"
"""Format tag stored in every profile file's meta."""

DEFAULT_MIN_PAGES = 3
"""A line seen on at least this many pages of a site is boilerplate evidence."""

KEEP_SCORE = 0.9
"""A repeated line whose body probability is at least this is kept (clear body)."""

MAX_SHARE = 0.7
"""When repeated lines carry more than this share of the words the model leans to keep (see
``GUARD_SCORE``), the page is left alone (it is most likely a copy of another page)."""

SITE_SHARE = 0.0
"""A line must also be seen on this share of the site's pages (see ``share_cap``)."""

SHARE_CAP = 10
"""The share rule never asks for more than this many pages."""

GUARD_SCORE = 0.5
"""The duplicate-page guard (``max_share``) weighs the words of lines scored at least this."""

BODY_WORDS = 25
"""Without a model: a repeated line of at least this many words that ends like a sentence
is kept as body."""

_DIGITS = re.compile(r"\d+")
_HOST = re.compile(r"[\w.-]+")
_NOT_HOST = re.compile(r"[\x00-\x1f\x7f#/:<>?@\[\\\]^|%]")
"""Characters no host holds once it is read (WHATWG's forbidden domain code points, but the
space, which a ``--site-field`` name may hold): a percent escape that decodes to one, or a
stray bracket, is no site, as it is to a browser."""
_WEB_SCHEME = re.compile(r"(?i)(?:https?|ftp|wss?):(?:[\\/]+|(?!\d))")
"""A URL scheme browsers read with a host whatever slashes follow it (not a port:
``ftp:21`` is a host and its port)."""
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")
_PARTITIONS = 16
_PAGES_MERGE = 1 << 16  # page fingerprints held in a set before they join the sorted array
PLATFORMS = frozenset({
    "blogspot.com", "wordpress.com", "typepad.com", "tumblr.com", "substack.com", "github.io",
    "livejournal.com", "blogger.com", "weebly.com", "wixsite.com", "gitlab.io", "neocities.org",
    "medium.com", "ghost.io", "squarespace.com", "netlify.app", "vercel.app", "pages.dev",
    # application and shop hosting: every sub-domain is someone's own site, with its own
    # template (the Public Suffix List's private section lists these too)
    "appspot.com", "herokuapp.com", "azurewebsites.net", "firebaseapp.com", "web.app",
    "myshopify.com", "webflow.io", "readthedocs.io", "glitch.me", "onrender.com", "fly.dev",
})
"""Hosting platforms whose sub-domains are separate sites (``a.blogspot.com``). Blogger's
country domains (``a.blogspot.de``, ``a.blogspot.co.uk``, ``a.blogspot.com.br``) are too."""

_SECOND_LEVEL = frozenset(
    {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "gv", "nic", "sch"}
)


# --------------------------------------------------------------------------- keys and sites


def normalise_line(line: str) -> str:
    """The form a line is counted under: case-folded, digit runs as ``0``, whitespace
    collapsed. ``""`` for a blank line.

        >>> normalise_line("  Comments (12)\\t ")
        'comments (0)'
    """
    s = line.casefold()
    if any(c.isdigit() for c in s):
        s = _DIGITS.sub("0", s)
    return " ".join(s.split())


def _site_prefix(site: str) -> bytes:
    return site.encode("utf-8", "surrogatepass") + b"\0"


def line_key(site: str, line: str) -> int:
    """The 64-bit key of ``line`` on ``site`` (0 for a blank line).

        >>> line_key("a.com", "Share") == line_key("a.com", "  SHARE ")
        True
        >>> line_key("a.com", "Share") == line_key("b.com", "Share")
        False
    """
    norm = normalise_line(line)
    if not norm:
        return 0
    return _hash(_site_prefix(site), norm)


def _blake64(data: bytes) -> int:
    """64-bit BLAKE2b of ``data``, little-endian: the profile's keys and page fingerprints."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _hash(prefix: bytes, norm: str) -> int:
    """The key of a normalised line on a site (its :func:`_site_prefix`)."""
    return _blake64(prefix + norm.encode("utf-8", "surrogatepass")) or 1  # 0 is "blank"


def _keys(site: str, lines: Iterable[str]) -> np.ndarray:
    """One key per line (0 for blank lines), as uint64."""
    prefix = _site_prefix(site)
    out = []
    for line in lines:
        norm = normalise_line(line)
        out.append(_hash(prefix, norm) if norm else 0)
    return np.array(out, dtype=np.uint64)


def page_keys(site: str, text: str) -> np.ndarray:
    """The distinct keys of the non-blank lines of one page (sorted uint64)."""
    from ..lines import split_lines

    keys = _keys(site, split_lines(text)[0])
    keys = np.unique(keys)
    return keys[keys != 0]


def normalise_site(host: str) -> str:
    """A host name (or a site value from a record) reduced to a registrable-domain-like
    key: lower case, no port, no user, internationalised labels in punycode,
    the last two labels (three under ``co.uk``-like second levels). A heuristic, not the
    Public Suffix List. An IP address is its own site (an IPv6 one in brackets,
    compressed); a URL is read as :func:`site_from_url` reads it.

        >>> normalise_site("News.BBC.co.uk:80")
        'bbc.co.uk'
        >>> normalise_site("blog.example.com")
        'example.com'
        >>> normalise_site("www.someone.blogspot.com")
        'someone.blogspot.com'
        >>> normalise_site("//www.example.com/a")  # protocol-relative, as site_from_url reads it
        'example.com'
        >>> normalise_site("[0:0::1]:8080")
        '[::1]'
    """
    host = host.strip().lower().rstrip(".")
    if "://" in host or host.startswith("//") or _WEB_SCHEME.match(host):
        return site_from_url(host)
    host = host.replace("\\", "/").split("/", 1)[0]
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    if "%" in host:  # (percent-encoded, as a URL may write a host; "%41" is "a")
        host = unquote(host).lower()
    if host.startswith("[") or host.count(":") >= 2:
        # an IPv6 address ("[::1]:8080", "::1"): split at its first colon it was "[" or ""
        return _ipv6_site(host[1:].split("]", 1)[0] if host.startswith("[") else host)
    host = host.split(":", 1)[0].rstrip(".")
    if _NOT_HOST.search(host):
        # ("a%2fb.com" decoded to "a/b.com", which was the site "a/b.com" and, read again,
        # "a": a site key must be its own site, as Config.site reads it again)
        return ""
    if not host or re.fullmatch(r"[\d.]+", host):
        return host
    labels = [x if x.isascii() else _ascii_label(x) for x in map(str.strip, host.split("."))
              if x]  # (a label of spaces, or one padded, was cut by the next reading)
    # (no "www." is taken off: the last labels kept below leave it off "www.example.com",
    # and where they keep it, it is the registered name - "www.com", "www.co.uk" - which
    # taking it off made "com" or "co.uk" when the key was read again)
    if len(labels) >= 3 and ".".join(labels[-2:]) in PLATFORMS and labels[-3] != "www":
        return ".".join(labels[-3:])  # a blog on a hosting platform is its own site
    if len(labels) >= 3 and "blogspot" in labels[-3:-1]:
        # Blogger's country domains: blogspot.de, blogspot.co.uk, blogspot.com.br
        k = len(labels) - 1 - labels[::-1].index("blogspot")
        if (k >= 1 and labels[k - 1] != "www"
                and (k == len(labels) - 2 or labels[-2] in _SECOND_LEVEL)):
            return ".".join(labels[k - 1:])
    if len(labels) <= 2:
        return ".".join(labels)
    if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _ipv6_site(address: str) -> str:
    """The site of an IPv6 address: ``[compressed form]``, so that every spelling of it is
    one site; ``""`` when it is not one."""
    import ipaddress

    if "%" in address:  # (a zone, "fe80::1%eth0", is no part of a URL's host)
        return ""
    try:
        return f"[{ipaddress.IPv6Address(address).compressed}]"
    except ValueError:
        return ""


# IDNA 2008 (and browsers, UTS #46 non-transitional) keep these; IDNA 2003 maps them
# away (ß -> ss, ς -> σ, the joiners to nothing), which made faß.de the site of fass.de
_DEVIATIONS = frozenset("ßς\u200c\u200d")


def _ascii_label(label: str) -> str:
    """An internationalised host label in its ASCII (punycode) form, the one Common Crawl's
    URLs carry, so that ``bücher.de`` and ``xn--bcher-kva.de`` are one site (IDNA 2003's
    ToASCII; plain punycode for a label it refuses, and for a label holding a character
    IDNA 2008 keeps and IDNA 2003 maps away, so ``faß.de`` is ``xn--fa-hia.de``, as a
    browser reads it, not ``fass.de``)."""
    from encodings import idna

    if not _DEVIATIONS.isdisjoint(label):
        import unicodedata

        return "xn--" + unicodedata.normalize("NFC", label).encode("punycode").decode("ascii")
    try:
        return idna.ToASCII(label).decode("ascii")
    except UnicodeError:
        return "xn--" + label.encode("punycode").decode("ascii")


def site_from_url(url: str) -> str:
    """The site of a URL (``""`` when it has no host). ``http``, ``https``, ``ftp`` and
    ``ws(s)`` URLs are read as browsers read them (the WHATWG URL standard): a backslash is
    a slash, and the slashes after the scheme may be any number, or none
    (``http:\\\\example.com\\a`` is ``example.com``).

        >>> site_from_url("https://www.example.co.uk/a/b?c=1")
        'example.co.uk'
        >>> site_from_url("http://[::1]:8080/x")
        '[::1]'
    """
    raw = url.strip()
    if not raw:
        return ""
    web = _WEB_SCHEME.match(raw)
    if web:
        # (urlsplit reads "http:\\\\example.com" or "http:/example.com" as a URL without a
        # host, and the bare-host path below then made the scheme the site: "http")
        raw = "//" + raw[web.end():].replace("\\", "/")
    elif "//" not in raw:  # a bare host ("example.com/a")
        raw = raw.replace("\\", "/")
        head = raw.split("/", 1)[0].rsplit("@", 1)[-1]
        if head.count(":") >= 2 and not head.startswith("["):
            return _ipv6_site(head)  # ("2001:db8::1" was "2001", a host and its port)
        raw = "//" + raw
    try:
        host = urlsplit(raw).hostname or ""
    except ValueError:  # (an unclosed "[", an invalid IPv6 address)
        return ""
    if "%" in host:
        host = unquote(host)
    if ":" in host:  # (urlsplit gives an IPv6 address without its brackets)
        return _ipv6_site(host)
    if not host or not _HOST.fullmatch(host):
        return ""
    return normalise_site(host)


# --------------------------------------------------------------------------- counting


def check_min_pages(owner: str, min_pages: Any) -> int | None:
    """The ``min_pages`` option of an engine step (``owner`` names it in the errors): an int
    of at least 2, or ``None``; checked where it is given, not once the counts are read."""
    if min_pages is None:
        return None
    if isinstance(min_pages, bool) or not isinstance(min_pages, numbers.Integral):
        raise TypeError(f"{owner}: min_pages must be an int, got {min_pages!r}")
    if min_pages < 2:
        raise ValueError(f"{owner}: min_pages must be at least 2, got {min_pages}")
    return int(min_pages)


def engine_min_pages(owner: str, min_pages: Any, profile: Any) -> int | None:
    """:func:`check_min_pages`, given the ``profile`` it will apply to: without one it is an
    error, as the CLI's ``--min-pages`` without ``--profile`` is (it would do nothing)."""
    checked = check_min_pages(owner, min_pages)
    if checked is not None and profile is None:
        raise ValueError(f"{owner}: min_pages needs a profile (profile= or config.profile)")
    return checked


def _merge_counts(
    k1: np.ndarray, c1: np.ndarray, k2: np.ndarray, c2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two (sorted unique keys, counts) pairs, adding the counts of shared keys."""
    if not len(k1):
        return k2, c2
    if not len(k2):
        return k1, c1
    k = np.concatenate([k1, k2])
    c = np.concatenate([c1, c2])
    order = np.argsort(k, kind="stable")
    k, c = k[order], c[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    return k[starts], np.add.reduceat(c, starts).astype(np.uint32)


class ProfileCounter:
    """Counts, per site, on how many pages each normalised line occurs.

        >>> c = ProfileCounter()
        >>> c.add("a.com", "Menu\\nOne\\n"), c.add("a.com", "Menu\\nTwo\\n")
        (True, True)
        >>> c.finish(min_pages=2).seen("a.com", ["Menu", "One"])
        [2, 0]

    A page whose normalised lines are exactly those of a page already counted for its
    site (the same page fetched twice, under two URLs or in two crawls) is counted once:
    :meth:`add` returns ``False`` for it and :attr:`duplicates` counts it. Counted twice,
    its every line, body included, would look repeated on the site. The check holds
    8 bytes a distinct page; pass ``dedupe=False`` to count every page.

        >>> c = ProfileCounter()
        >>> c.add("a.com", "Menu\\nOne\\n"), c.add("a.com", "Menu\\nOne\\n"), c.duplicates
        (True, False, 1)

    Args:
        buffer_keys: page keys buffered before a numpy compaction.
        spill_keys: distinct keys held in memory before spilling to disk (bounded memory).
        spill_dir: where spills go (default: a temporary directory, removed by
            :meth:`finish` / :meth:`close`).
        dedupe: count a page with the same lines as an earlier one of its site once.
    """

    def __init__(
        self,
        buffer_keys: int = 1_000_000,
        spill_keys: int = 20_000_000,
        spill_dir: str | os.PathLike[str] | None = None,
        dedupe: bool = True,
    ) -> None:
        self.site_pages: Counter[str] = Counter()
        self.dedupe = dedupe
        self.duplicates = 0
        """Pages not counted: the same lines as an earlier page of their site."""
        self._pages_sorted = np.zeros(0, np.uint64)  # fingerprints of the pages counted
        self._pages_new: set[int] = set()  # (and the latest, merged in now and then)
        self.buffer_keys = buffer_keys
        self.spill_keys = spill_keys
        self._spill_parent = spill_dir
        self._spill: Path | None = None
        self._spills = 0
        self._buf: list[np.ndarray] = []
        self._buf_n = 0
        self._keys = np.zeros(0, np.uint64)
        self._counts = np.zeros(0, np.uint32)

    @property
    def pages(self) -> int:
        """Pages counted so far."""
        return sum(self.site_pages.values())

    def add(self, site: str, text: str) -> bool:
        """Count the lines of one page of ``site``, a site key as :func:`normalise_site`
        gives it (``Config.site`` is normalised so, and a profile is looked up by it).
        ``False``: not counted, a duplicate of a page counted before (see the class)."""
        return self.add_keys(site, page_keys(site, text))

    def add_keys(self, site: str, keys: np.ndarray) -> bool:
        """Count one page given its distinct keys (sorted, from :func:`page_keys`);
        ``False`` when it is a duplicate (see the class) and was not counted."""
        if self.dedupe and len(keys) and self._seen_page(keys):
            self.duplicates += 1
            return False
        self.site_pages[site] += 1
        if len(keys):
            self._buf.append(keys)
            self._buf_n += len(keys)
            if self._buf_n >= self.buffer_keys:
                self._compact()
        return True

    def _seen_page(self, keys: np.ndarray) -> bool:
        """Was a page with these keys (its site is in them) counted before? Remembers it."""
        fp = _blake64(keys.tobytes())
        old = self._pages_sorted
        if fp in self._pages_new or (
                len(old) and old[min(int(np.searchsorted(old, fp)), len(old) - 1)] == fp):
            return True
        self._pages_new.add(fp)
        if len(self._pages_new) >= _PAGES_MERGE:
            new = np.fromiter(self._pages_new, np.uint64, count=len(self._pages_new))
            self._pages_sorted = np.union1d(old, new)
            self._pages_new = set()
        return False

    def add_counts(
        self, keys: np.ndarray, counts: np.ndarray, site_pages: Mapping[str, int]
    ) -> None:
        """Add already-counted keys (a partial profile of another shard)."""
        self._compact()
        self._keys, self._counts = _merge_counts(
            self._keys, self._counts, keys.astype(np.uint64), counts.astype(np.uint32)
        )
        self.site_pages.update(site_pages)
        self._maybe_spill()

    def _compact(self) -> None:
        if not self._buf:
            return
        keys, counts = np.unique(np.concatenate(self._buf), return_counts=True)
        self._buf, self._buf_n = [], 0
        self._keys, self._counts = _merge_counts(
            self._keys, self._counts, keys, counts.astype(np.uint32)
        )
        self._maybe_spill()

    def _maybe_spill(self) -> None:
        if len(self._keys) > self.spill_keys:
            self._spill_out()

    def _spill_out(self) -> None:
        if not len(self._keys):
            return
        if self._spill is None:
            self._spill = Path(tempfile.mkdtemp(prefix="scrubber-profile-", dir=self._spill_parent))
        part = (self._keys >> np.uint64(60)).astype(np.int64)  # 16 partitions by top bits
        bounds = np.searchsorted(part, np.arange(_PARTITIONS + 1))
        for p in range(_PARTITIONS):
            a, b = bounds[p], bounds[p + 1]
            if a < b:
                np.save(self._spill / f"p{p:02d}-{self._spills:05d}-k.npy", self._keys[a:b])
                np.save(self._spill / f"p{p:02d}-{self._spills:05d}-c.npy", self._counts[a:b])
        self._spills += 1
        self._keys = np.zeros(0, np.uint64)
        self._counts = np.zeros(0, np.uint32)

    def counts(self, store_min: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """All (keys, counts) with ``counts >= store_min``, sorted by key. Consumes spills."""
        self._compact()
        if self._spill is None:
            keep = self._counts >= store_min
            return self._keys[keep], self._counts[keep]
        self._spill_out()
        out_k: list[np.ndarray] = []
        out_c: list[np.ndarray] = []
        for p in range(_PARTITIONS):
            k = np.zeros(0, np.uint64)
            c = np.zeros(0, np.uint32)
            for f in sorted(self._spill.glob(f"p{p:02d}-*-k.npy")):
                k2 = np.load(f, allow_pickle=False)
                c2 = np.load(f.with_name(f.name[:-6] + "-c.npy"), allow_pickle=False)
                k, c = _merge_counts(k, c, k2, c2)
            keep = c >= store_min
            out_k.append(k[keep])
            out_c.append(c[keep])
        self.close()
        keys = np.concatenate(out_k) if out_k else np.zeros(0, np.uint64)
        counts = np.concatenate(out_c) if out_c else np.zeros(0, np.uint32)
        self._keys, self._counts = keys, counts  # keep them for a second call
        return keys, counts

    def finish(self, min_pages: int = DEFAULT_MIN_PAGES, store_min: int | None = None,
               **options: Any) -> SiteProfile:
        """The :class:`SiteProfile` of everything counted. Only keys seen on at least
        ``store_min`` (default ``min_pages``) pages are kept."""
        store = min_pages if store_min is None else store_min
        keys, counts = self.counts(store_min=max(1, store))
        meta = {"duplicates": self.duplicates, **(options.pop("meta", None) or {})}
        return SiteProfile(keys, counts, dict(self.site_pages), min_pages=min_pages,
                           store_min=max(1, store), meta=meta, **options)

    def save_partial(self, fh: str | os.PathLike[str] | IO[bytes], rank: int | None = None,
                     world_size: int | None = None) -> None:
        """Write every count (singletons included) for a later :func:`merge_partials`.
        ``rank`` / ``world_size``: the task of a run of ``world_size`` tasks that wrote it
        (an engine's); :func:`merge_partials` then checks that it merges the files of every
        task of one run, and no file of another."""
        keys, counts = self.counts(store_min=1)
        meta: dict[str, Any] = {"partial": True, "store_min": 1,
                                "duplicates": self.duplicates}
        if rank is not None and world_size is not None:
            meta.update({"rank": int(rank), "world_size": int(world_size)})
        _save(fh, keys, counts, dict(self.site_pages), meta)

    def close(self) -> None:
        """Remove the spill directory, if any."""
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None
            self._spills = 0

    def __del__(self) -> None:  # pragma: no cover - best effort
        with contextlib.suppress(Exception):
            self.close()


# --------------------------------------------------------------------------- the profile


class SiteProfile:
    """Per-site page counts of repeated lines; the object ``Config.profile`` holds.

        >>> prof = load_profile("site-profile.npz")               # doctest: +SKIP
        >>> scrubber.clean(text, profile=prof, site="example.com")  # doctest: +SKIP

    Args:
        keys, counts: sorted uint64 keys and their uint32 page counts.
        site_pages: pages counted per site.
        min_pages: a line seen on at least this many pages of the site is a hit.
        keep_score: a hit the model scores at least this is kept.
        max_share: a page whose repeated lines carry more than this share of its
            body-leaning words is left alone (duplicate-page guard).
        site_share, share_cap: also require this share of the site's pages (at most
            ``share_cap`` pages); 0 by default.
        store_min: the smallest count stored (``min_pages`` cannot go below it).
    """

    def __init__(
        self,
        keys: np.ndarray,
        counts: np.ndarray,
        site_pages: Mapping[str, int],
        *,
        min_pages: int = DEFAULT_MIN_PAGES,
        keep_score: float = KEEP_SCORE,
        max_share: float = MAX_SHARE,
        site_share: float = SITE_SHARE,
        share_cap: int = SHARE_CAP,
        store_min: int = 1,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.keys = np.ascontiguousarray(keys, dtype=np.uint64)
        self.counts = np.ascontiguousarray(counts, dtype=np.uint32)
        if len(self.keys) != len(self.counts):
            raise ValueError("keys and counts differ in length")
        if len(self.keys) > 1 and not bool(np.all(self.keys[1:] > self.keys[:-1])):
            raise ValueError("profile keys must be sorted and unique")
        self.site_pages = dict(site_pages)
        if min_pages < max(2, store_min):
            # (the bare "must be >= 3 for this profile" said neither why nor what to do)
            why = (f" (it stores only the lines seen on at least {store_min} pages; one "
                   f"built with --store-min {max(2, int(min_pages))}, store_min= in Python, "
                   "goes lower)" if store_min > 2 else "")
            raise ValueError(
                f"min_pages must be >= {max(2, store_min)} for this profile{why}, got "
                f"{min_pages}")
        if not 0.0 <= keep_score <= 1.0:
            raise ValueError(f"keep_score must be in [0, 1], got {keep_score}")
        self.min_pages = int(min_pages)
        self.keep_score = float(keep_score)
        self.max_share = float(max_share)
        self.site_share = float(site_share)
        self.share_cap = int(share_cap)
        self.store_min = int(store_min)
        self.meta = dict(meta or {})

    def __repr__(self) -> str:
        # (the lines seen on >= min_pages pages: every stored line was "repeated", so a
        # profile stored from 1 page, or read at a higher min_pages, said the same number)
        repeated = int(np.count_nonzero(self.counts >= self.min_pages))
        stored = f" of {len(self.keys)} stored" if repeated != len(self.keys) else ""
        return (f"SiteProfile({len(self.site_pages)} sites, {self.pages} pages, "
                f"{repeated} repeated lines{stored}, min_pages={self.min_pages})")

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def pages(self) -> int:
        """Pages counted."""
        return sum(self.site_pages.values())

    def replace(self, **options: Any) -> SiteProfile:
        """A copy with other ``min_pages`` / ``keep_score`` / ``max_share``."""
        kw: dict[str, Any] = {"min_pages": self.min_pages, "keep_score": self.keep_score,
                              "max_share": self.max_share, "site_share": self.site_share,
                              "share_cap": self.share_cap, "store_min": self.store_min,
                              "meta": self.meta}
        kw.update(options)
        return SiteProfile(self.keys, self.counts, self.site_pages, **kw)

    def seen(self, site: str, lines: Sequence[str]) -> list[int]:
        """Per line, on how many pages of ``site`` it was seen (0: blank, or below the
        stored minimum)."""
        if not lines or not len(self.keys) or self.site_pages.get(site, 0) < self.store_min:
            return [0] * len(lines)
        q = _keys(site, lines)
        pos = np.searchsorted(self.keys, q)
        pos[pos >= len(self.keys)] = 0
        found = (self.keys[pos] == q) & (q != 0)
        return np.where(found, self.counts[pos], 0).astype(np.int64).tolist()

    def repeated(
        self,
        texts: Sequence[str],
        site: str,
        scores: Sequence[float] | None,
        rule_bad: Sequence[bool],
    ) -> list[int]:
        """The pipeline hook: per line, the page count when the line is to be dropped as
        site boilerplate, else 0 (see the module docstring for the rule)."""
        n = len(texts)
        need = self.threshold(site)
        if self.site_pages.get(site, 0) < need:
            return [0] * n
        seen = self.seen(site, texts)
        out = [0] * n
        # the duplicate-page guard looks at the words the model leans to keep, and at all
        # the repeated ones among them, hits or clear body: a near-copy of another page
        # repeats its whole body, most of which the model keeps as clear body. Counting
        # only the hits, such a page lost its less sure paragraphs, and each settle pass
        # (reading the page without them) a few more, down to one line.
        body_words = body_repeated = 0
        for i, c in enumerate(seen):
            if rule_bad[i]:
                continue
            w = len(texts[i].split())
            bodyish = scores is None or scores[i] >= GUARD_SCORE
            if bodyish:
                body_words += w
            if c < need:
                continue
            if bodyish:
                body_repeated += w
            if scores is not None:
                if scores[i] >= self.keep_score:
                    continue
            elif w >= BODY_WORDS and _SENTENCE_END.search(texts[i].rstrip()):
                continue
            out[i] = c
        if body_words and body_repeated > self.max_share * body_words:
            return [0] * n
        return out

    def threshold(self, site: str) -> int:
        """Pages a line must be seen on to count as repeated on ``site``: ``min_pages``,
        raised to ``site_share`` of the site's pages (at most ``share_cap``), so that on a
        small site a pair of near-duplicate pages does not make their shared body a hit."""
        share = math.ceil(self.site_share * self.site_pages.get(site, 0) - 1e-9)
        return max(self.min_pages, min(share, self.share_cap))

    def reason(self, site: str, pages: int) -> str:
        """The readable reason of a profile drop."""
        total = self.site_pages.get(site, 0)
        return f"seen on {pages} of {total} pages of {site}"

    def save(self, fh: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write the profile (``.npz``, plain arrays and a JSON meta string)."""
        meta = dict(self.meta)
        meta.update({"partial": False, "store_min": self.store_min, "min_pages": self.min_pages,
                     "keep_score": self.keep_score, "max_share": self.max_share,
                     "site_share": self.site_share, "share_cap": self.share_cap})
        _save(fh, self.keys, self.counts, self.site_pages, meta)

    @classmethod
    def load(cls, fh: str | os.PathLike[str] | IO[bytes], **options: Any) -> SiteProfile:
        """Read a profile written by :meth:`save`; ``options`` override its stored
        ``min_pages`` / ``keep_score`` / ``max_share``. A partial count file is accepted too
        (every count is in it)."""
        keys, counts, site_pages, meta = _load(fh)
        kw: dict[str, Any] = {
            "min_pages": int(meta.get("min_pages", DEFAULT_MIN_PAGES)),
            "keep_score": float(meta.get("keep_score", KEEP_SCORE)),
            "max_share": float(meta.get("max_share", MAX_SHARE)),
            "site_share": float(meta.get("site_share", SITE_SHARE)),
            "share_cap": int(meta.get("share_cap", SHARE_CAP)),
            "store_min": int(meta.get("store_min", 1)),
            "meta": meta,
        }
        kw.update({k: v for k, v in options.items() if v is not None})
        return cls(keys, counts, site_pages, **kw)


def load_profile(path: str | os.PathLike[str], **options: Any) -> SiteProfile:
    """A profile from a file, or from a folder of partial count files (merged)."""
    p = Path(path)
    if p.is_dir():
        return merge_partials(folder_files(p), **options)
    return SiteProfile.load(p, **options)


def folder_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The ``.npz`` files of a folder of partial counts, sorted; none is a
    :class:`FileNotFoundError`."""
    files = sorted(Path(folder).glob("*.npz"))
    if not files:
        raise FileNotFoundError(f"no .npz profile files in {os.fspath(folder)}")
    return files


def merge_partials(
    sources: Iterable[str | os.PathLike[str] | IO[bytes]],
    min_pages: int | None = DEFAULT_MIN_PAGES,
    **options: Any,
) -> SiteProfile:
    """Merge partial count files (one per shard) into one :class:`SiteProfile`.
    ``min_pages`` or an option given as ``None`` means its default (as in
    :meth:`SiteProfile.load`), so ``load_profile(folder, min_pages=None)`` works."""
    counter = ProfileCounter()
    # folder -> world_size -> (rank, file) of the files that name their task
    tasks: dict[str, dict[int, list[tuple[int, str]]]] = {}
    try:
        for src in sources:
            keys, counts, site_pages, meta = _load(src)
            if "world_size" in meta:
                name = _source_name(src, "a partial count file")
                tasks.setdefault(os.path.dirname(name), {}).setdefault(
                    int(meta["world_size"]), []).append((int(meta.get("rank", -1)), name))
            store_min = int(meta.get("store_min", 1))
            if not meta.get("partial", False) and store_min > 1:
                # it left out the lines seen on fewer pages: merged, their counts would
                # come out too low
                name = _source_name(src, "a profile")
                raise ValueError(
                    f"{name}: a finished profile (lines seen on fewer than {store_min} "
                    "pages were not stored), not a partial count file: use it by itself "
                    "(--profile FILE, profile=FILE) and keep it out of a folder of partial "
                    "counts; merge only the partial files of the shards (scrubber profile "
                    "build --partial, datatrove's ProfileCounter)")
            counter.add_counts(keys, counts, site_pages)
            counter.duplicates += int(meta.get("duplicates", 0))
        for folder, runs in tasks.items():
            _check_one_run(folder, runs)
        return counter.finish(min_pages=DEFAULT_MIN_PAGES if min_pages is None else min_pages,
                              **{k: v for k, v in options.items() if v is not None})
    finally:
        counter.close()  # (spilled counts of a refused merge too)


def _names(files: Sequence[tuple[int, str]], most: int = 4) -> str:
    """``00002.npz, 00003.npz`` (base names, in rank order; ``...`` past ``most``)."""
    names = [os.path.basename(name) or name for _, name in sorted(files)]
    return ", ".join(names[:most]) + (f" ... ({len(names)} files)" if len(names) > most else "")


def _check_one_run(folder: str, tasks: Mapping[int, list[tuple[int, str]]]) -> None:
    """The partial files of one folder that name their task (an engine's, such as
    datatrove's ``ProfileCounter``: ``rank`` of ``world_size``) must be those of every task
    of one run, and of no other: a folder that also holds the files of an earlier run with
    more tasks (``00040.npz`` of 64 beside 32 new ones), or lacks a task's file, merged to
    wrong counts without a word. (The runs of other folders - two corpora counted apart -
    merge together.) Raises :class:`ValueError` naming the files."""
    where = f" in {folder}" if folder else ""
    if len(tasks) > 1:
        runs = "; ".join(f"{len(files)} of a run of {size} tasks ({_names(files)})"
                         for size, files in sorted(tasks.items()))
        raise ValueError(
            f"partial counts of more than one run{where}: {runs}. Merged, an earlier run's "
            "files would count their pages again: remove them (or count into an empty "
            "folder)")
    for size, files in tasks.items():
        seen: set[int] = set()
        for rank, name in sorted(files):
            if not 0 <= rank < size:
                raise ValueError(f"{name}: a partial count file of task {rank} of a run of "
                                 f"{size} tasks (not a task of that run)")
            if rank in seen:
                twice = [f for f in files if f[0] == rank]
                raise ValueError(f"task {rank}'s partial counts twice{where} "
                                 f"({_names(twice)}): merged, its pages would be counted "
                                 "twice")
            seen.add(rank)
        if len(seen) < size:
            missing = sorted(set(range(size)) - seen)
            shown = ", ".join(f"{r:05d}" for r in missing[:8]) + (" ..." if len(missing) > 8
                                                                  else "")
            raise ValueError(
                f"partial counts of {len(seen)} of the {size} tasks of a run{where}: none of "
                f"task{'s' if len(missing) > 1 else ''} {shown} (failed, or not run yet); "
                "merged without them the counts would be too low")


def _save(
    fh: str | os.PathLike[str] | IO[bytes],
    keys: np.ndarray,
    counts: np.ndarray,
    site_pages: Mapping[str, int],
    meta: Mapping[str, Any],
) -> None:
    names = sorted(site_pages)
    full = {"format": PROFILE_FORMAT, "hash": "blake2b-64(site\\0normalised line)", **meta}
    arrays = {
        "keys": np.asarray(keys, np.uint64),
        "counts": np.asarray(counts, np.uint32),
        "site_names": np.array(names, dtype=str) if names else np.zeros(0, dtype="<U1"),
        "site_pages": np.array([site_pages[s] for s in names], dtype=np.uint32),
        "meta": np.array(json.dumps(full, sort_keys=True)),
    }
    if isinstance(fh, str | os.PathLike):
        from .jsonl import atomic_output  # (jsonl imports this module)

        # atomic for a file (its mode kept, a symlink's target written), direct for a FIFO
        with atomic_output(fh, compress=False) as out:
            np.savez_compressed(out, **arrays)
    else:
        np.savez_compressed(fh, **arrays)


def _source_name(src: str | os.PathLike[str] | IO[bytes], default: str) -> str:
    """What an error calls a profile source: its path, or an open file's name (a local
    file's ``name``, an fsspec file's ``path``)."""
    if isinstance(src, str | os.PathLike):
        return os.fspath(src)
    name = getattr(src, "name", None) or getattr(src, "path", None)
    return name if isinstance(name, str) else default


def _load(
    fh: str | os.PathLike[str] | IO[bytes],
) -> tuple[np.ndarray, np.ndarray, dict[str, int], dict[str, Any]]:
    """The arrays and meta of a profile file. Raises :class:`ValueError` naming the file
    when it is not a scrubber profile (another file, or a truncated or corrupt one);
    :class:`OSError` when it cannot be read."""
    name = _source_name(fh, "profile")
    try:
        data = np.load(fh, allow_pickle=False)
        if not hasattr(data, "files"):  # a bare .npy array (no context manager to close)
            raise ValueError("a numpy array, not an .npz archive")
        with data:
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict) or meta.get("format") != PROFILE_FORMAT:
                got = meta.get("format") if isinstance(meta, dict) else None
                raise ValueError(f"format {got!r}")
            names = [str(s) for s in data["site_names"]]
            pages = [int(x) for x in data["site_pages"]]
            return (data["keys"], data["counts"], dict(zip(names, pages, strict=True)), meta)
    except (ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        # (numpy's KeyError reads "meta is not a file in the archive": name the array)
        why = ("not an .npz archive" if "pickled" in str(e) else
               f"no {str(e.args[0]).split()[0]!r} array" if isinstance(e, KeyError) and e.args
               else str(e))
        raise ValueError(f"{name}: not a scrubber site profile ({why})") from None
