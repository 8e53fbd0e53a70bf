"""JSON Lines mode: clean one field of every record of a corpus, streaming.

    $ scrubber --jsonl corpus.jsonl -o clean.jsonl                 # field "text"
    $ scrubber --jsonl --field body --keep-original raw_body --decisions why \\
          -j 2 --on-error skip --stats shard-*.jsonl.gz -o clean.jsonl.gz

or from Python::

    >>> import io
    >>> from scrubber.corpus.jsonl import JsonlOptions, clean_jsonl
    >>> line = '{"id": 1, "text": "Leave a Comment\\\\nA body line that is long enough.\\\\n"}'
    >>> src = io.BytesIO(line.encode() + b"\\n")
    >>> out = io.BytesIO()
    >>> stats = clean_jsonl([src], out, options=JsonlOptions())
    >>> out.getvalue()
    b'{"id": 1, "text": "A body line that is long enough.\\\\n"}\\n'

Every record is written back with only its text field replaced: the other fields are copied
*byte for byte* from the input (key order, spacing, number formats and escapes included; a
byte-order mark in front of a record is not written);
``--keep-original F`` and ``--decisions F`` are appended at the end of the object; a record
that has field ``F`` already is a bad record (``field exists``), never written over.

**Streaming and workers.** Records are read one line at a time and sent to the workers in
chunks of a few dozen records; at most ``2 * jobs`` chunks are in flight, and results are
written in input order as they complete, so memory stays flat whatever the corpus size
(a single record is held whole). With ``jobs == 1`` everything runs in-process.

**Bad records** (malformed JSON or UTF-8, not an object, missing field, field not a string,
the ``keep_original`` or ``decisions`` field there already, a rule timeout) are reported
with ``path:line`` and handled by ``on_error``: ``"fail"`` stops
(:class:`RecordError`), ``"skip"`` drops the record, ``"keep"`` writes the input line unchanged.
All are counted in :class:`~scrubber.corpus.stats.CorpusStats`. Blank input lines are not
records: they are counted (``blank_lines``) and not written.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import json
import os
import re
import signal
import stat
import sys
import tempfile
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from ..config import Config
from .records import clean_document, site_of
from .stats import CorpusStats

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "ON_ERROR",
    "BigInt",
    "InputError",
    "JsonlOptions",
    "RecordError",
    "WorkerError",
    "atomic_output",
    "clean_jsonl",
    "open_input",
    "parse_object",
    "process_line",
]

ON_ERROR = ("fail", "skip", "keep")

Reporter = Callable[[str, int, str, str, str], None]
"""``report(path, lineno, kind, message, action)`` for every bad record."""


@dataclass(frozen=True, slots=True)
class JsonlOptions:
    """What to do with each record.

    Attributes:
        field: the string field to clean.
        keep_original: store the original text in this field too.
        decisions: store the per-line decisions (a list of dicts, see
            :func:`scrubber.corpus.records.decision_records`) in this field.
        url_field: the field holding the page URL (its host is the site, for ``--profile``).
        site_field: a field holding the site itself (wins over ``url_field``).
        on_error: ``"fail"``, ``"skip"`` or ``"keep"`` (module docstring).
        stats: collect per-reason counts (costs the explaining path).
        html: the field holds an HTML page: clean it as :func:`scrubber.clean_html` does.
    """

    field: str = "text"
    keep_original: str | None = None
    decisions: str | None = None
    url_field: str | None = "url"
    site_field: str | None = None
    on_error: str = "fail"
    stats: bool = False
    html: bool = False

    def __post_init__(self) -> None:
        if self.on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, "
                             f"got {self.on_error!r}")
        for opt in ("field", "keep_original", "decisions"):
            # (--keep-original "$RAW" with RAW unset wrote a field named "" into every
            # record; --field "" failed on every record as a missing field)
            if getattr(self, opt) == "":
                raise ValueError(f"--{opt.replace('_', '-')}: an empty name (give a field "
                                 "name)")
        names = [x for x in (self.field, self.keep_original, self.decisions) if x is not None]
        if len(set(names)) != len(names):
            raise ValueError("--field, --keep-original and --decisions must name different "
                             f"fields, got {names}")


class RecordError(Exception):
    """A bad record under ``on_error="fail"``."""

    def __init__(self, path: str, lineno: int, kind: str, message: str) -> None:
        super().__init__(f"{path}:{lineno}: {kind}: {message}")
        self.path, self.lineno, self.kind, self.message = path, lineno, kind, message


class InputError(OSError):
    """An input that cannot be read (missing, unreadable, a truncated or corrupt ``.gz``).
    ``filename`` names the input, ``strerror`` says what is wrong. Raised by
    :func:`clean_jsonl` after every record read before it was cleaned and written."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.filename, self.strerror = path, message

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


class WorkerError(RuntimeError):
    """A worker process of ``jobs > 1`` died (killed by a signal, out of memory)."""


class _Bad(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# --------------------------------------------------------------------------- one record

class BigInt:
    """An integer with more digits than Python converts (``sys.get_int_max_str_digits()``,
    4,300 by default): :func:`parse_object` gives it as this marker holding its JSON
    ``text`` instead of failing, since records are edited, not re-serialised, and such a
    value is copied as it is. Not a ``str``: a field holding one is a number."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigInt) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"BigInt({len(self.text)} characters)"


def _parse_int(s: str) -> int | BigInt:
    try:
        return int(s)
    except ValueError:  # too many digits to convert: keep the text
        return BigInt(s)


_DECODER = json.JSONDecoder(parse_int=_parse_int)
_WS = " \t\n\r"


def _skip_ws(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] in _WS:
        i += 1
    return i


def parse_object(s: str) -> tuple[dict[str, tuple[Any, int, int]], int]:
    """Parse one JSON object, keeping where each top-level value sits.

    Returns ``({key: (value, start, end)}, close)``: ``s[start:end]`` is the value's JSON
    text and ``close`` the index of the closing brace. A repeated key keeps its last value
    (as :func:`json.loads` does); an integer too long to convert comes back as a
    :class:`BigInt` (its text). Raises :class:`ValueError` on malformed JSON (a
    :class:`json.JSONDecodeError` with the position where possible).

        >>> fields, close = parse_object('{"a": 1, "b" : [2, 3]}')
        >>> fields["b"], close
        (([2, 3], 15, 21), 21)
    """
    i = _skip_ws(s, 1 if s.startswith("\ufeff") else 0)
    if i >= len(s):
        raise json.JSONDecodeError("empty line", s, i)
    if s[i] != "{":
        value, end = _DECODER.raw_decode(s, i)  # valid JSON but not an object?
        if _skip_ws(s, end) != len(s):
            raise json.JSONDecodeError("extra data", s, _skip_ws(s, end))
        raise _Bad("not an object", f"a JSON {_type_name(value)}, not an object")
    fields: dict[str, tuple[Any, int, int]] = {}
    i = _skip_ws(s, i + 1)
    if i < len(s) and s[i] == "}":
        close = i
    else:
        while True:
            if i >= len(s) or s[i] != '"':
                raise json.JSONDecodeError("expected a key in double quotes", s, i)
            key, i = scanstring(s, i + 1, True)
            i = _skip_ws(s, i)
            if i >= len(s) or s[i] != ":":
                raise json.JSONDecodeError("expected ':'", s, i)
            i = _skip_ws(s, i + 1)
            value, end = _DECODER.raw_decode(s, i)
            fields[key] = (value, i, end)
            i = _skip_ws(s, end)
            if i < len(s) and s[i] == ",":
                i = _skip_ws(s, i + 1)
                continue
            if i < len(s) and s[i] == "}":
                close = i
                break
            raise json.JSONDecodeError("expected ',' or '}'", s, i)
    if _skip_ws(s, close + 1) != len(s):
        raise json.JSONDecodeError("extra data after the object", s, _skip_ws(s, close + 1))
    return fields, close


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, BigInt):
        return "number"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


# characters str.splitlines() (and so many JSONL readers) splits on that json.dumps
# leaves raw with ensure_ascii=False: written escaped, a record stays one line for them
_LINE_BREAKS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _dumps(v: Any, ascii_only: bool = False) -> str:
    s = json.dumps(v, ensure_ascii=ascii_only, separators=(",", ":")) \
        if not isinstance(v, str) else json.dumps(v, ensure_ascii=ascii_only)
    if not ascii_only:
        # (a str.translate table walked every character in Python-level lookups: 1 ms
        # for a 17 KB document; a search in C finds most documents have none)
        for ch, esc in _LINE_BREAKS:
            if ch in s:
                s = s.replace(ch, esc)
    return s


Outcome = tuple[str, bytes | None, tuple[Any, ...]]
"""``("ok", line, (lines_in, lines_out, bytes_in, bytes_out, reasons, no_site))`` or
``("bad", line_or_None, (kind, message))``."""


_BOM = "\ufeff".encode()


def blank_line(line: bytes) -> bool:
    """A line of a JSONL input that holds no record: empty, white space, or a byte-order
    mark alone (a file saved with a BOM that starts with an empty line: "malformed JSON")."""
    return (not line or line.isspace()
            or (line.startswith(_BOM) and (len(line) == 3 or line[3:].isspace())))


def process_line(raw: bytes, cfg: Config, opts: JsonlOptions) -> Outcome:
    """Clean one input line (a trailing ``\\n`` is ignored); see :data:`Outcome`. Under
    ``on_error="keep"`` a bad record's line comes back unchanged (but a byte-order mark in
    front of it)."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    try:
        return _process(raw, cfg, opts)
    except _Bad as e:
        kept = None
        if opts.on_error == "keep":
            # (a BOM marks a file, not a record: kept, it was mid-output, where json.loads
            # fails on the line, as it is not written in front of a cleaned record)
            kept = (raw[len(_BOM):] if raw.startswith(_BOM) else raw) + b"\n"
        return "bad", kept, (e.kind, str(e))


def _parse_record(raw: bytes) -> tuple[str, dict[str, tuple[Any, int, int]], int]:
    """``(line, fields, close)`` of one record (see :func:`parse_object`); raises
    :class:`_Bad` for malformed JSON or UTF-8 (nesting too deep for the parser included)
    and for a value that is not an object."""
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _Bad("malformed JSON", f"not valid UTF-8 (byte {e.start})") from None
    try:
        fields, close = parse_object(s)
    except _Bad:
        raise
    except (ValueError, RecursionError) as e:
        msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
        pos = f" at column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        # ("Unterminated string starting at": json's message ends where its position
        # goes, which made it "starting at at column 10")
        msg = msg.removesuffix(" at") if pos else msg
        raise _Bad("malformed JSON", f"{msg}{pos}") from None
    return s, fields, close


def _process(raw: bytes, cfg: Config, opts: JsonlOptions) -> Outcome:
    s, fields, close = _parse_record(raw)
    got = fields.get(opts.field)
    if got is None:
        head = opts.field.split(".", 1)[0]
        hint = (f" (the record has a field {head!r}, but nested fields are not read: "
                "--field names a top-level field)" if head != opts.field and head in fields
                else "")
        raise _Bad("missing field", f"no field {opts.field!r}{hint}")
    text, start, end = got
    if not isinstance(text, str):
        raise _Bad("not a string", f"field {opts.field!r} is a {_type_name(text)}, not a string")
    for flag, key in (("--keep-original", opts.keep_original), ("--decisions", opts.decisions)):
        # (a second run over a first run's output with the same --keep-original put the
        # once-cleaned text over the original the first run kept, without a word)
        if key is not None and key in fields:
            raise _Bad("field exists", f"the record has a field {key!r} already, which "
                                       f"{flag} would write over (give it another name)")
    site = None
    no_site = False
    if cfg.profile is not None:
        view = {k: v[0] for k, v in fields.items()
                if k == opts.url_field or k == opts.site_field}
        site = site_of(view, opts.url_field, opts.site_field)
        no_site = site is None and not cfg.site  # (clean_document uses the config's)
    try:
        doc = clean_document(text, cfg, site, explain=opts.stats,
                             decisions=opts.decisions is not None, html=opts.html)
    except Exception as e:  # a rule timeout, or a bug: report it with the line number
        raise _Bad("error", f"{type(e).__name__}: {e}") from None

    def build(ascii_only: bool) -> str:
        # (the fields --keep-original and --decisions name are not in the record: above)
        extra: list[tuple[str, str]] = []
        if opts.keep_original is not None:
            extra.append((opts.keep_original, s[start:end]))
        if opts.decisions is not None:
            extra.append((opts.decisions, _dumps(doc.decisions, ascii_only)))
        # a BOM marks a file, not a record: copied, the second of several inputs (or a
        # `cat` of files) would put one mid-output, where json.loads fails on that line
        pos = 1 if s.startswith("\ufeff") else 0
        parts = [s[pos:start], _dumps(doc.text, ascii_only), s[end:close]]
        for key, val in extra:
            parts.append(f", {_dumps(key, ascii_only)}: {val}")
        parts.append(s[close:])
        parts.append("\n")
        return "".join(parts)

    try:
        line = build(False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (from \\ud800-style escapes): keep them escaped
        line = build(True).encode("utf-8")
    reasons = dict(doc.reasons)
    if doc.blank_dropped:  # (--stats: the dropped lines per stage add up to in - out)
        reasons["drop:layout"] = doc.blank_dropped
    info = (doc.lines_in, doc.lines_out, doc.bytes_in, doc.bytes_out, reasons or None, no_site)
    return "ok", line, info


def _process_chunk(raws: Sequence[bytes], cfg: Config, opts: JsonlOptions) -> list[Outcome]:
    return [process_line(r, cfg, opts) for r in raws]


_STATE: tuple[Config, JsonlOptions] | None = None
_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


def limit_heap_growth(threshold: int = 1 << 20) -> bool:
    """On glibc, serve allocations of ``threshold`` bytes or more with ``mmap`` (given back
    to the OS when freed). By default glibc raises that threshold after freeing a big block,
    so after one multi-megabyte record the buffers of later big records land on the heap,
    fragment it and keep the resident size up. Called in the CLI and in worker processes
    (it is process-wide, so the library API leaves the caller's process alone). Returns
    whether it took effect."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-3, threshold))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the process that started it dies
    (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so a killed ``scrubber -j N`` leaves no
    worker behind blocked on a pipe. A no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(cfg: Config, opts: JsonlOptions) -> None:
    global _STATE
    _STATE = (cfg, opts)
    # the parent's SIGTERM/SIGHUP handlers (inherited on fork) are for the parent: a
    # signal to the whole process group ends a worker at once, the parent cleans up
    for sig in _STOP_SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
    _die_with_parent()
    limit_heap_growth()
    with contextlib.suppress(Exception):  # load rules and model once, before the first chunk
        from ..pipeline import model_for, ruleset_for

        ruleset_for(cfg)
        model_for(cfg)


def _work(raws: Sequence[bytes]) -> list[Outcome]:
    assert _STATE is not None, "worker not initialised"
    return _process_chunk(raws, *_STATE)


# --------------------------------------------------------------------------- input, output


def open_input(
    src: str | os.PathLike[str] | BinaryIO,
) -> contextlib.AbstractContextManager[BinaryIO]:
    """A binary reader for a path (``-`` is stdin) or a stream. A path named ``.gz`` is
    gzip-decompressed; any other path, and stdin, is decompressed when it starts with the
    magic bytes of gzip, bzip2 or xz; zstd is an :class:`OSError` saying so (no reader in
    the standard library): decompressed by no one, each "line" of such a file was a
    malformed record."""
    if not isinstance(src, str | os.PathLike):
        return contextlib.nullcontext(src)
    if str(src) == "-":
        if sys.stdin is None:  # started with stdin closed (<&-)
            raise OSError(9, "stdin is closed", "<stdin>")
        stdin = sys.stdin.buffer
        # (``scrubber < page.html.gz``: stdin has no name to tell; closing the
        # decompressing reader leaves stdin open)
        return _decompressed(contextlib.nullcontext(stdin), _compression(stdin), "<stdin>")
    path = Path(src)
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    fh = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 (closed by _decompressed)
    try:
        kind = _compression(fh)
    except BaseException:
        fh.close()
        raise
    return _decompressed(fh, kind, str(src))


_GZIP_MAGIC = b"\x1f\x8b"


def _compression(stream: BinaryIO) -> str | None:
    """``"gzip"``, ``"bzip2"``, ``"xz"``, ``"zstd"`` or ``None``: what ``stream`` starts
    with, read without consuming it: peeked from a buffered stream (stdin, pipes included),
    else read and sought back."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        head = bytes(peek(10)[:10])
    elif stream.seekable():
        at = stream.tell()
        head = stream.read(10)
        stream.seek(at)
    else:
        return None
    if head[:2] == _GZIP_MAGIC:
        return "gzip"
    # (bzip2: "BZh", the block size, then a block's magic or the end-of-stream one)
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in (b"1AY&SY",
                                                                       b"\x17rE8P\x90"):
        return "bzip2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    return None


@contextlib.contextmanager
def _decompressed(
    opened: contextlib.AbstractContextManager[BinaryIO], kind: str | None, name: str
) -> Iterator[BinaryIO]:
    """``opened``'s stream, read through the decompressor of ``kind``; a corrupt or
    truncated stream is an :class:`OSError` or :class:`EOFError` (as a broken ``.gz``)."""
    import bz2
    import lzma

    with opened as raw:
        if kind is None:
            yield raw
            return
        if kind == "zstd":
            raise OSError(f"zstd-compressed input: decompress it first (zstd -dc {name} | "
                          "scrubber ...)")
        reader: Any = (gzip.GzipFile(fileobj=raw, mode="rb") if kind == "gzip" else
                       bz2.BZ2File(raw, "rb") if kind == "bzip2" else
                       lzma.LZMAFile(raw, "rb"))  # noqa: SIM115 (closed just below)
        with reader:
            try:
                yield reader
            except EOFError as e:
                raise OSError(f"truncated {kind} input ({e})") from None
            except (lzma.LZMAError, zlib.error) as e:  # (an LZMAError was a traceback)
                raise OSError(f"corrupt {kind} input ({e})") from None
            except OSError as e:
                if e.errno is not None:  # (a read error, not the data's)
                    raise
                raise OSError(f"corrupt {kind} input ({e})") from None


def _name(src: Any) -> str:
    if isinstance(src, str | os.PathLike):
        return "<stdin>" if str(src) == "-" else str(src)
    return str(getattr(src, "name", "<stream>"))


def _input_error(name: str, e: BaseException) -> InputError:
    if isinstance(e, EOFError):
        return InputError(name, f"truncated gzip input ({e})")
    if isinstance(e, zlib.error):
        return InputError(name, f"corrupt gzip input ({e})")
    if isinstance(e, OSError):
        return InputError(getattr(e, "filename", None) or name, e.strerror or str(e))
    return InputError(name, str(e))


def read_lines(src: str | os.PathLike[str] | BinaryIO) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of an input (see :func:`open_input`). An input that cannot
    be opened or read to its end (missing, unreadable, a truncated or corrupt ``.gz``)
    raises :class:`InputError` naming it, after the lines read before the problem."""
    name = _name(src)
    try:
        with open_input(src) as fh:
            yield from enumerate(fh, 1)
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, InputError):
            raise
        raise _input_error(name, e) from None


def check_output(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """Where :func:`atomic_output` writes ``path``, checked before any work is done:
    ``(target, direct)``. A symlink's target is written (atomically, beside it); an
    existing file that is not a regular file (a FIFO, a character device such as
    ``/dev/null``) is written directly (``direct``: not atomic, no temporary file).
    Raises :class:`OSError` naming ``path`` when it is a directory (or ends with a slash)
    or its folder is missing or not writable."""
    given = os.fspath(path)
    if Path(given).suffix == ".zst":
        # (written plain under a .zst name, `zstd -d` would refuse it)
        raise OSError(errno.EINVAL, "zstd output is not written (no zstd in the standard "
                      "library): use .gz, .bz2 or .xz, or pipe stdout through zstd", given)
    if _descriptor(given) is not None:
        return Path(given), True
    target = Path(os.path.realpath(given))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", given)
    if given.endswith(("/", os.sep)):
        # a folder's name, as open() reads it (realpath drops the slash: "out/" wrote a
        # file "out", and "body.txt/" replaced body.txt)
        if st is not None:
            raise NotADirectoryError(20, "Not a directory", given)
        raise IsADirectoryError(21, "Is a directory", given)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not os.access(target, os.W_OK):
            raise PermissionError(13, "Permission denied", given)
        return target, True
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(2, f"No such directory: {folder}", given)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(13, f"Folder not writable: {folder}", given)
    return target, False


_FD_PATH = re.compile(r"/dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|/proc/self/fd/(?P<pfd>\d+)")


def _descriptor(given: str) -> int | None:
    """The open descriptor an output path names (``/dev/stdout``, ``/dev/stderr``,
    ``/dev/fd/N``, ``/proc/self/fd/N``: what ``>(cmd)`` gives too), when it is open; such
    an output is written through a copy of it. A temporary file renamed over it resolved
    a pipe to a path that does not exist, and replaced a file stdout appends to (``>>``)
    with the output alone."""
    m = _FD_PATH.fullmatch(given)
    if m is None:
        return None
    fd = (1 if m["std"] == "out" else 2 if m["std"] == "err"
          else int(m["fd"] if m["fd"] is not None else m["pfd"]))
    try:
        os.fstat(fd)
    except OSError:
        return None  # (not open here: the path is read as a path)
    return fd


_OUT_COMPRESSION = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}
"""The output compressed by the ``-o`` file's suffix (``.zst`` is refused)."""


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], compress: bool | None = None,
                  ) -> Iterator[BinaryIO]:
    """Write ``path`` atomically: into a temporary file beside it, renamed over ``path``
    only when the block ends without an exception (then the temporary file is removed and
    ``path`` is untouched). ``.gz`` paths are gzip-compressed, ``.bz2`` and ``.xz`` ones
    likewise (``compress``: gzip or not, whatever the suffix); a ``.zst`` path is an
    :class:`OSError` (no zstd writer in the standard library).

    An existing file keeps its permission bits. A symlink is followed: its target is
    replaced, the link stays. A FIFO or a character device (``/dev/null``) is written
    directly: no temporary file, so not atomic; so is a path that names an open
    descriptor (``/dev/stdout``, ``/dev/fd/N``, ``>(cmd)``), through a copy of it, where it
    stands (a file stdout appends to, ``>>``, is appended to). A directory, or a folder that is
    missing or not writable, raises :class:`OSError` naming ``path`` before the block
    runs (:func:`check_output`).

        >>> with atomic_output("out.jsonl") as fh:            # doctest: +SKIP
        ...     fh.write(b"...")
    """
    import bz2
    import lzma

    given = os.fspath(path)
    target, direct = check_output(given)
    kind = (_OUT_COMPRESSION.get(Path(given).suffix) if compress is None
            else "gzip" if compress else None)

    def body(raw: BinaryIO) -> Iterator[BinaryIO]:
        if kind == "gzip":
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as z:
                yield z  # type: ignore[misc]
        elif kind == "bzip2":
            with bz2.BZ2File(raw, "wb") as z:
                yield z  # type: ignore[misc]
        elif kind == "xz":
            with lzma.LZMAFile(raw, "wb") as z:
                yield z  # type: ignore[misc]
        else:
            yield raw

    if direct:
        fd = _descriptor(given)
        if fd is not None:  # (written where the descriptor stands, as a shell's > or >>)
            if fd == 1 and sys.stdout is not None:
                sys.stdout.flush()
            with os.fdopen(os.dup(fd), "wb") as raw:
                yield from body(raw)
            return
        with open(target, "wb") as raw:
            yield from body(raw)
        return
    try:
        old_mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        old_mode = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise OSError(e.errno, e.strerror, given) from None
    try:
        if old_mode is None:
            umask = os.umask(0)
            os.umask(umask)
            old_mode = 0o666 & ~umask
        os.fchmod(fd, old_mode)
        with os.fdopen(fd, "wb", buffering=1 << 20) as raw:
            yield from body(raw)
            raw.flush()
            os.fsync(raw.fileno())
        try:
            os.replace(tmp, target)
        except OSError as e:
            raise OSError(e.errno, e.strerror, given) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


Meta = list[tuple[str, int, int]]  # (path, lineno, nbytes) per record of a chunk


def _chunks(
    inputs: Iterable[str | os.PathLike[str] | BinaryIO],
    stats: CorpusStats,
    chunk_docs: int,
    chunk_bytes: int,
    failed: list[InputError],
) -> Iterator[tuple[Meta, list[bytes]]]:
    """Chunks of records. An input error ends the chunks (the records read before it
    still come) and is put in ``failed``: the caller raises it once they are written."""
    meta: Meta = []
    raws: list[bytes] = []
    size = 0
    try:
        for src in inputs:
            name = _name(src)
            for lineno, line in read_lines(src):
                if blank_line(line):  # (no copy of a big line in this process)
                    stats.blank_lines += 1
                    continue
                meta.append((name, lineno, len(line)))
                raws.append(line)  # the worker drops the newline
                size += len(line)
                if len(raws) >= chunk_docs or size >= chunk_bytes:
                    yield meta, raws
                    meta, raws, size = [], [], 0
    except InputError as e:
        failed.append(e)
    if raws:
        yield meta, raws


def _compressed_file(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` starts as compressed data (its size is not the bytes
    read from it); ``False`` when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return _compression(fh) is not None
    except OSError:
        return False


def _regular_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file (not a pipe, ``/dev/stdin``, a FIFO, a device),
    one that can be read twice."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _progress_bar(inputs: Sequence[Any]) -> Any:
    """A tqdm bar on stderr when it is a terminal and tqdm is installed, else ``None``.
    Its total is the inputs' size when they are all plain regular files; otherwise it
    counts documents. Only a regular file is opened to see whether it is compressed: the
    bytes read from a pipe (``<(cmd)``, ``/dev/stdin``) were lost to the run, and a FIFO
    opened and closed lost its writer (the run waited for ever)."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    total = 0
    for src in inputs:
        if not isinstance(src, str | os.PathLike) or str(src) == "-" or \
                not _regular_file(src) or str(src).endswith(".gz") or _compressed_file(src):
            return tqdm(unit=" docs", file=sys.stderr, dynamic_ncols=True, leave=False,
                        smoothing=0.05), False
        try:
            total += os.path.getsize(src)
        except OSError:
            return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
                dynamic_ncols=True, leave=False, smoothing=0.05), True


# --------------------------------------------------------------------------- the run


def clean_jsonl(
    inputs: Sequence[str | os.PathLike[str] | BinaryIO] | str | os.PathLike[str] | BinaryIO,
    out: IO[bytes] | str | os.PathLike[str],
    cfg: Config | None = None,
    options: JsonlOptions | None = None,
    jobs: int = 1,
    progress: bool = False,
    report: Reporter | None = None,
    chunk_docs: int = 32,
    chunk_bytes: int = 4 << 20,
    inflight_per_job: int = 2,
) -> CorpusStats:
    """Clean every record of ``inputs`` (paths, ``-`` or binary streams) into ``out``.

    Args:
        inputs: JSONL sources, read in order (a single path or stream is one source).
        out: binary output (records in input order), or a path, written as ``scrubber
            --jsonl -o`` writes it (:func:`atomic_output`: only when the run ends without an
            exception, ``.gz`` compressed).
        cfg: the cleaning :class:`~scrubber.Config` (with ``profile`` for site profiles).
        options: :class:`JsonlOptions`.
        jobs: worker processes (1: in-process); more than :func:`max_jobs` (4 per CPU) is
            lowered to it with a :class:`RuntimeWarning`.
        progress: show a tqdm bar on stderr when it is a terminal.
        report: called for every bad record (path, line, kind, message, action).
        chunk_docs, chunk_bytes: records per work unit (whichever limit comes first).
        inflight_per_job: chunks in flight per worker (bounds memory).

    Returns:
        :class:`CorpusStats` (``seconds`` is the wall time).

    Raises:
        RecordError: a bad record under ``on_error="fail"`` (after everything before it
            was written; counted in the stats attached as ``error.stats``).
        InputError: an input that cannot be read to its end (after every record read
            before the problem was cleaned and written; stats as ``error.stats``).
        WorkerError: a worker process died (``jobs > 1``).
    """
    from ..config import DEFAULT

    cap = max_jobs()
    if jobs > cap:
        # (-j 10000 forked 10,000 workers, each loading the rules and the model: the
        # machine ran out of memory long before any gain; the work is CPU-bound)
        import warnings

        warnings.warn(f"clean_jsonl: jobs={jobs} is more than {JOBS_PER_CPU} per CPU: running "
                      f"{cap} worker processes", RuntimeWarning, stacklevel=2)
        jobs = cap
    if isinstance(inputs, str | os.PathLike) or hasattr(inputs, "read"):
        # (one path given bare was read a character at a time: "i: No such file")
        inputs = [inputs]  # type: ignore[list-item]
    if isinstance(out, str | os.PathLike):
        with atomic_output(out) as fh:
            return clean_jsonl(inputs, fh, cfg, options, jobs=jobs, progress=progress,
                               report=report, chunk_docs=chunk_docs, chunk_bytes=chunk_bytes,
                               inflight_per_job=inflight_per_job)
    cfg = cfg if cfg is not None else DEFAULT
    opts = options if options is not None else JsonlOptions()
    stats = CorpusStats()
    t0 = time.perf_counter()
    bar_info = _progress_bar(inputs) if progress else None
    bar, by_bytes = bar_info if bar_info else (None, False)

    def consume(meta: Meta, results: list[Outcome]) -> None:
        for (path, lineno, nbytes), (status, line, info) in zip(meta, results, strict=True):
            if status == "ok":
                assert line is not None
                out.write(line)
                stats.add_doc(info[0], info[1], info[2], info[3], info[4])
                if info[5]:
                    stats.no_site += 1
            else:
                kind, message = info
                stats.add_bad(kind, opts.on_error)
                if report is not None:
                    report(path, lineno, kind, message, opts.on_error)
                if opts.on_error == "fail":
                    err = RecordError(path, lineno, kind, message)
                    err.stats = stats  # type: ignore[attr-defined]
                    raise err
                if line is not None:
                    out.write(line)
            if bar is not None:
                bar.update(nbytes if by_bytes else 1)

    failed: list[InputError] = []
    chunks = _chunks(inputs, stats, chunk_docs, chunk_bytes, failed)
    try:
        if jobs <= 1:
            for meta, raws in chunks:
                consume(meta, _process_chunk(raws, cfg, opts))
        else:
            _run_pool(chunks, consume, cfg, opts, jobs, max(1, inflight_per_job) * jobs)
    finally:
        if bar is not None:
            bar.close()
        stats.seconds = time.perf_counter() - t0
    if failed:
        failed[0].stats = stats  # type: ignore[attr-defined]
        raise failed[0]
    return stats


JOBS_PER_CPU = 4
"""``jobs`` is capped at this many worker processes per CPU (:func:`max_jobs`)."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one, as
    ``taskset`` or a container's cpuset sets it), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def max_jobs() -> int:
    """The most worker processes :func:`clean_jsonl` starts: :data:`JOBS_PER_CPU` per usable
    CPU. Cleaning is CPU-bound, so more workers than CPUs add memory (each loads the rules
    and the model), not speed; a larger ``jobs`` is lowered to this, with a warning."""
    return JOBS_PER_CPU * usable_cpus()


def _run_pool(
    chunks: Iterator[tuple[Meta, list[bytes]]],
    consume: Callable[[Meta, list[Outcome]], None],
    cfg: Config,
    opts: JsonlOptions,
    jobs: int,
    max_inflight: int,
) -> None:
    # (imported here: multiprocessing is not needed by -j 1, nor by the text filter, which
    # reads its inputs with open_input)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pending: deque[tuple[Meta, Future[list[Outcome]]]] = deque()
    ex = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(cfg, opts))

    died = ("a worker process died (killed by a signal or out of memory?); stopped")

    def result(fut: Future[list[Outcome]]) -> list[Outcome]:
        try:
            return fut.result()
        except BrokenProcessPool:
            raise WorkerError(died) from None

    try:
        for meta, raws in chunks:
            while len(pending) >= max_inflight:
                m, fut = pending.popleft()
                consume(m, result(fut))
            try:
                pending.append((meta, ex.submit(_work, raws)))
            except BrokenProcessPool:
                # (a worker that died while this process read the input: the pool says
                # so at the next submit, which raised it with a traceback)
                raise WorkerError(died) from None
        while pending:
            m, fut = pending.popleft()
            consume(m, result(fut))
    except BaseException:
        for _, fut in pending:
            fut.cancel()
        # nothing more will be written: end the workers now rather than wait for their
        # chunks (a signal or Ctrl-C should stop the run at once)
        for proc in dict(getattr(ex, "_processes", None) or {}).values():
            with contextlib.suppress(Exception):
                proc.terminate()
        ex.shutdown(wait=True, cancel_futures=True)
        raise
    ex.shutdown(wait=True)
