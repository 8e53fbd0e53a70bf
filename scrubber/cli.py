"""The command-line filter: ``scrubber < page.txt > body.txt``.

Reads bytes and writes bytes: input that is not valid UTF-8 is decoded with
``surrogateescape`` so such bytes pass through kept lines unchanged, and a leading BOM
is written back when anything is written. Text after a UTF-16/32 BOM is read in that
encoding and written back in it (BOM included), so kept lines stay byte for byte; so is
UTF-16 without a BOM when its NULs tell it (:func:`utf16_text`), written back without one.
Exit status: 0 ok, 1 error, 2 usage; stopped by SIGTERM or SIGHUP, 128 + the signal's
number (143, 129), by Ctrl-C 130.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from .config import Config
from .rules import RuleError, RuleTimeout

EPILOG = """\
examples:
  scrubber < page.txt > body.txt           clean stdin to stdout
  scrubber a.txt b.txt > bodies.txt        clean files, one after another
  scrubber --explain < page.txt            every input line with its decision and reason
  scrubber --stats < page.txt > body.txt   counts per reason on stderr
  scrubber --rules mysite.toml --disable video.badge < page.txt
  scrubber --no-model < page.txt           rules and context only
  scrubber < page.html > body.txt          HTML is detected; --html / --text force it
  scrubber --jsonl -j 2 --stats corpus.jsonl -o clean.jsonl      clean the "text" field
  scrubber profile build corpus.jsonl -o prof.npz                repeated lines per site
  scrubber --jsonl --profile prof.npz corpus.jsonl -o clean.jsonl

subcommands (run with --help for theirs):
  scrubber train ...        rebuild the shipped model weights from ../shared/data
  scrubber bench ...        accuracy and speed benchmarks
  scrubber rules            list the built-in rules per family
  scrubber rules --check mysite.toml   load a rule file, run its examples, list its rules
  scrubber profile ...      site profiles of repeated lines (build, merge, show)
"""

SUBCOMMANDS = {
    "train": "scrubber.train.__main__",
    "bench": "scrubber.bench.__main__",
    "profile": "scrubber.corpus.cli",
}

BOM = "\ufeff"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scrubber",
        description="Keep the article body of scraped text; drop platform clutter.",
        # (no prefixes: `--url http://x` was taken as --url-field, which in --jsonl mode
        # quietly named a field "http://x"; `--thr` would break when a --threads came)
        allow_abbrev=False,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="input files (default: stdin)")
    p.add_argument("--explain", action="store_true",
                   help="print every input line with its decision and reason instead of text")
    p.add_argument("--stats", action="store_true", help="print counts per reason to stderr")
    p.add_argument("--rules", action="append", default=[], metavar="FILE",
                   help="extra rule file (TOML, same schema as the built-in packs); repeatable")
    p.add_argument("--disable", action="append", default=[], metavar="ID",
                   help="switch off a rule id or a whole family; repeatable")
    p.add_argument("--no-model", action="store_true",
                   help="do not score lines with the classifier (rules and context only)")
    ctx = p.add_mutually_exclusive_group()
    ctx.add_argument("--no-context", dest="context", action="store_false", default=None,
                     help="skip the context step")
    ctx.add_argument("--context", dest="context", action="store_true", default=None,
                     help="run the context step even where the model's card turns it off "
                     "(default: as the card says; the HTML model runs without it)")
    p.add_argument("--threshold", type=float, default=None, metavar="P",
                   help="drop lines whose body probability is below P "
                        "(default: the threshold tuned with the model)")
    p.add_argument("--no-comments", dest="comments", action="store_false",
                   help="drop reader comments: in HTML the blocks inside elements whose "
                        "class/id/role names comments, in text everything below the line "
                        "that opens them (a comment count or form heading after the "
                        "article); default: as the model decides")
    p.add_argument("--extracted", action="store_true",
                   help="the input is an extractor's output (trafilatura, Readability, ...): "
                        "the model and the context step may remove at most half of the "
                        "words the rules leave; when they would remove more, only the "
                        "rules' drops apply (README, 'Text an extractor already cleaned'); "
                        "text input only: HTML's blocks are decided as usual")
    p.add_argument("--no-retry-sparse", dest="retry_sparse", action="store_false",
                   help="do not decide a page again at a lower threshold when the model "
                        "would keep under a tenth of its words (listings, teaser grids; "
                        "README, 'Pages the model would empty'); text input only")
    p.add_argument("--no-markdown", dest="markdown", action="store_false",
                   help="read markdown links, headings and emphasis as written, URLs "
                        "included (default: decide on '[Home](/)' as 'Home'; the output "
                        "keeps the lines as written either way)")
    p.add_argument("--no-unwrap", dest="unwrap", action="store_false",
                   help="read each line of hard-wrapped or fragmented text by itself "
                        "(default: lynx/w3m dumps, html2text's 78 columns and "
                        "BeautifulSoup's get_text('\\n') fragments are decided a "
                        "paragraph at a time; the output keeps the lines as written "
                        "either way); text input only")
    p.add_argument("--no-unglue", dest="unglue", action="store_false",
                   help="read a glued line as written (default: a line of text nodes "
                        "joined without breaks, as BeautifulSoup's get_text() gives "
                        "'HomeNewsSportsThe minister said...', a markdown table row "
                        "of 1,000 characters or more, or a page of text nodes joined by "
                        "spaces, as get_text(' ') gives it, is decided a piece (a cell, a "
                        "sentence) at a time, and the pieces kept are written a line "
                        "each); text input only")
    p.add_argument("--settle", type=int, default=None, metavar="N",
                   help="at most N passes of the decision path over text, not HTML's "
                        "blocks (default 16: "
                        "until a pass changes nothing, so cleaning the output again changes "
                        "nothing); 1: one pass, about 1.5x the documents a second, word F1 "
                        "-0.002 on average (README)")
    p.add_argument("--regex-timeout", type=float, default=None, metavar="SECONDS",
                   help="seconds a user rule (--rules) may spend on one line before it is "
                        "stopped with an error naming the rule (default: 1)")
    from .corpus.cli import add_jsonl_arguments

    add_jsonl_arguments(p)  # --jsonl, --field, -j, --on-error, -o, --profile, ...
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--html", action="store_true",
                      help="input is HTML (default: detected from the first bytes); with "
                           "--jsonl: the field holds an HTML page (default there: text)")
    kind.add_argument("--text", action="store_true",
                      help="input is text, even if it looks like HTML")
    p.add_argument("--version", action=_VersionAction, nargs=0,
                   help="show the version and whether the pipeline runs compiled")
    return p


class _VersionAction(argparse.Action):
    """``--version``: the version, and how many pipeline modules run compiled."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from . import __version__, build

        # (on stdout, as argparse's own version action writes it: parser.exit wrote it to
        # stderr, and `scrubber --version 2>/dev/null` printed nothing)
        print(f"scrubber {__version__}, {build()}")
        parser.exit()


def config_from_args(args: argparse.Namespace) -> Config:
    kw: dict[str, object] = {
        "rule_files": tuple(args.rules),
        "disabled_rules": frozenset(args.disable),
        "use_model": not args.no_model,
        "context": args.context,
        "comments": args.comments,
        "extracted": args.extracted,
        "retry_sparse": args.retry_sparse,
        "markdown": args.markdown,
        "unwrap": args.unwrap,
        "unglue": args.unglue,
    }
    if args.threshold is not None:
        kw["threshold"] = args.threshold
    if args.regex_timeout is not None:
        kw["regex_timeout"] = args.regex_timeout
    if args.settle is not None:
        kw["settle"] = args.settle
    return Config(**kw)  # type: ignore[arg-type]


def text_only_warning(args: argparse.Namespace, html: str) -> str | None:
    """The warning line for ``--extracted``, ``--no-retry-sparse``, ``--no-unwrap``,
    ``--no-unglue`` and ``--settle`` given with HTML input (``html`` names it), which they
    do not change: its blocks are decided without them. ``None`` when none of them was
    given."""
    given = [flag for flag, on in (("--extracted", args.extracted),
                                   ("--no-retry-sparse", not args.retry_sparse),
                                   ("--no-unwrap", not args.unwrap),
                                   ("--no-unglue", not args.unglue),
                                   ("--settle", args.settle is not None)) if on]
    if not given:
        return None
    one = len(given) == 1
    return (f"scrubber: warning: {', '.join(given)} {'applies' if one else 'apply'} to text "
            f"input only: {html} is HTML, whose blocks are decided without "
            f"{'it' if one else 'them'}")


def _wide_bom(data: bytes) -> tuple[str, int] | None:
    """The codec and length of a leading UTF-16/32 byte-order mark (scrubber.html's
    table), else ``None``."""
    if data[:1] not in (b"\xff", b"\xfe", b"\x00"):  # (no UTF-16/32 mark: html not imported)
        return None
    from .html import bom_encoding

    marked = bom_encoding(data)
    return marked if marked and marked[0] != "utf-8" else None


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text, and the encoding a leading BOM named (``None``: no BOM). UTF-8 with
    undecodable bytes kept as surrogates; UTF-16/32 after their BOM, when the bytes are
    well-formed in it (else they are read as UTF-8 is, and pass through as bytes)."""
    wide = _wide_bom(data)
    if wide:
        try:
            return data[wide[1]:].decode(wide[0]), wide[0]
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", "surrogateescape")
    if text.startswith(BOM):
        return text[1:], "utf-8"
    return text, None


def utf16_text(data: bytes) -> tuple[str, str] | None:
    """BOM-less UTF-16 text, as :func:`scrubber.html.utf16_without_bom` tells it (a NUL
    beside every ASCII character, on one side), decoded: ``(text, codec)``; ``None`` when
    the bytes do not read so from start to end (they are then read as UTF-8 is)."""
    if b"\x00" not in data[:4096] or _wide_bom(data):
        return None
    from .html import utf16_without_bom

    codec = utf16_without_bom(data)
    if codec is None:
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def encode(text: str, bom: str | None) -> bytes:
    """Text -> bytes in the encoding :func:`decode` found, its BOM written back when
    anything is written; UTF-8 (surrogates back to their bytes) without a BOM."""
    if not text:
        return b""
    if bom is None:
        return text.encode("utf-8", "surrogateescape")
    return (BOM + text).encode(bom, "surrogateescape")


_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")
_HTML_TAGS = (b"<div", b"<p>", b"<p ", b"<meta", b"<script", b"<a href", b"<span", b"<table",
              b"<br", b"<li", b"<title")
# a tag at the start of a line: markup, not prose that quotes a tag ("write <p>Hello</p>")
_LINE_TAG = re.compile(rb"(?m)^[ \t]*<[a-z!/]")
# what an HTML page holds as written, where a "# comment" line is code, not a heading
_OPAQUE = re.compile(rb"(?is)<(pre|xmp|textarea)\b.*?(?:</\1\s*>|\Z)")
# a file named so is HTML (auto mode; after a compression suffix)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
# an element of a page's head first (pages saved without their <html> and <head>)
_HEAD_ELEMENT = re.compile(rb"<(?:title|meta|link|script|style|base)[\s>/]")
# a Markdown block no HTML page writes as text: an ATX heading ("## Usage") or a code
# fence, at the start of a line (up to three spaces in, as CommonMark allows)
_MARKDOWN_BLOCK = re.compile(rb"(?m)^ {0,3}(?:#{1,6}[ \t]+\S|```|~~~)")


def html_name(path: str) -> bool:
    """Whether a file's name says it is HTML (``page.html``, ``page.htm.gz``): auto mode
    reads it as HTML whatever its first bytes (a fragment of three paragraphs was text,
    its tags written out)."""
    name = path.lower()
    for packed in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(packed)
    return path != "-" and name.endswith(_HTML_SUFFIXES)


def looks_like_html(data: bytes) -> bool:
    """Auto-detection: the input starts (after a BOM and whitespace) with a doctype,
    ``<html>``, ``<head>``, ``<body>`` or an XML declaration; or with a comment or an
    element of a page's head (``<title>``, ``<meta>``, ``<link>``, ``<script>``,
    ``<style>``, ``<base>``), or its first 4 KB hold at least five common tags and start
    with a tag or hold three lines that do (not prose quoting tags), and those
    4 KB (after the leading comments) have no Markdown heading or code fence at the start
    of a line outside ``<pre>``: Markdown that opens with ``<!-- a comment -->`` or
    ``<div align="center">`` and its badges is text.
    UTF-16/32 input with a BOM, and UTF-16 without one
    (:func:`scrubber.html.utf16_without_bom`), is looked at decoded.
    ``--text`` and ``--html`` override it."""
    wide = _wide_bom(data)
    if wide is None and b"\x00" in data[:2]:  # (ASCII in UTF-16: a NUL in the first two)
        from .html import utf16_without_bom

        codec = utf16_without_bom(data)
        wide = (codec, 0) if codec else None
    if wide:
        start = wide[1]
        data = data[start:start + 4 * 4096].decode(wide[0], "ignore").encode("utf-8", "ignore")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_START):
        return True
    if (not head.startswith(b"<!--") and not _HEAD_ELEMENT.match(head)
            and (sum(head.count(t) for t in _HTML_TAGS) < 5
                 # (five tags quoted in prose, a tutorial's "<div class=box>": its lines
                 # were rendered into run-ons and the quoted tags lost)
                 or not (head.startswith(b"<") or len(_LINE_TAG.findall(head)) >= 3))):
        return False
    # a comment first (scraped pages open with one before their doctype or a script), a
    # head element (<title>, <script>, ...) or five tags: HTML, unless it is Markdown that
    # writes some (after its first comments: a page's comment can hold anything)
    rest = head
    while rest.startswith(b"<!--"):
        end = rest.find(b"-->", 4)
        rest = rest[end + 3:].lstrip(b" \t\r\n") if end >= 0 else b""
    # (a "# install" line in a <pre> made a page that opens with its <title> text)
    return rest.startswith(_HTML_START) or not _MARKDOWN_BLOCK.search(_OPAQUE.sub(b"", rest))


def _read(path: str) -> bytes:
    """The bytes of an input, opened as ``--jsonl`` opens its inputs
    (:func:`scrubber.corpus.jsonl.open_input`: ``-`` is stdin, a ``.gz`` file and gzip,
    bzip2 or xz data are decompressed, a closed stdin is an :class:`OSError`)."""
    from .corpus.jsonl import open_input

    with open_input(path) as fh:
        return fh.read()


class _Stopped(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread like KeyboardInterrupt so that the
    same clean-up runs (temporary output removed, worker processes ended)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _OutputError(OSError):
    """Writing the output failed (a full disk): one line on stderr, exit 1."""


def _on_stop_signal(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the command the way Ctrl-C does, for the duration of
    :func:`main` (the previous handlers come back after it: main is also called in
    tests)."""
    old: dict[int, object] = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        with contextlib.suppress(ValueError, OSError):  # (not the main thread)
            old[sig] = signal.signal(sig, _on_stop_signal)
    try:
        yield
    finally:
        for sig, handler in old.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)  # type: ignore[arg-type]


def _quiet_stdout() -> None:
    """stdout's buffer would be flushed again at exit: point it at /dev/null."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """The ``scrubber`` command. A reader that goes away (``scrubber ... | head``) ends any
    of its commands quietly, exit status 0; Ctrl-C exits 130, SIGTERM and SIGHUP
    128 + the signal number with a line on stderr (a temporary ``-o`` file is removed,
    ``-j`` workers are ended)."""
    if sys.stderr is None:
        # started with stderr closed (2>&-): print(file=None) writes to stdout, so the
        # messages and --stats went into the cleaned output, and --jsonl failed; they
        # now go nowhere, as the shell asked
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (for the rest of the process)
    try:
        with _stop_signals():
            return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except _Stopped as e:
        name = signal.Signals(e.signum).name
        print(f"scrubber: stopped by {name}", file=sys.stderr)
        return 128 + e.signum


def _main(argv: list[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        mod = importlib.import_module(SUBCOMMANDS[argv[0]])
        return int(mod.main(argv[1:]) or 0)
    if argv and argv[0] == "rules":
        rp = argparse.ArgumentParser(prog="scrubber rules",
                                     description="List the built-in rules, per family: id, "
                                     "scope, strength, description.")
        rp.add_argument("--check", action="append", default=[], metavar="FILE",
                        help="load a rule file as --rules does (schema, every rule's match, "
                        "no_match, trims and cases examples, ids not already defined) and "
                        "list its rules instead; repeatable. Exit 1 with the problem if not")
        return _list_rules(rp.parse_args(argv[1:]).check)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.output == "-":  # (stdout, as an input "-" is stdin: not a file named "-")
        args.output = None
    elif args.output == "":  # (-o "$OUT" with OUT unset wrote to stdout, exit 0)
        parser.error("argument -o/--output: an empty file name")
    if not args.jsonl:
        named = getattr(args, "given", set())  # (given at all, even with the default value)
        given = [flag for flag, on in (
            ("--field", "field" in named), ("--keep-original", args.keep_original),
            ("--decisions", args.decisions), ("-j/--jobs", "jobs" in named),
            ("--url-field", "url_field" in named), ("--site-field", args.site_field),
            ("--min-pages", args.min_pages is not None))
            if on]
        if given:
            print(f"scrubber: {', '.join(given)}: only with --jsonl (corpus mode)",
                  file=sys.stderr)
            return 2
    try:
        cfg = config_from_args(args)
        from .pipeline import ruleset_for

        ruleset_for(cfg)  # load rule files now: a bad file is an error before any input
    except (RuleError, ValueError, TypeError) as e:
        print(f"scrubber: {e}", file=sys.stderr)
        return 1 if isinstance(e, RuleError) else 2
    if sys.stdout is None and not args.output:  # started with stdout closed (>&-)
        print("scrubber: stdout is closed (give -o FILE)", file=sys.stderr)
        return 1
    if args.jsonl or args.output or args.profile:
        from .corpus.cli import run_corpus

        return run_corpus(args, cfg, _run)
    try:
        return _run(args, cfg, sys.stdout.buffer)
    except _OutputError as e:
        print(f"scrubber: stdout: {e.strerror or e}", file=sys.stderr)
        _quiet_stdout()
        return 1


def _write(out: BinaryIO, data: bytes) -> None:
    try:
        out.write(data)
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        raise _OutputError(e.errno, e.strerror or str(e)) from None


def _run(args: argparse.Namespace, cfg: Config, out: BinaryIO) -> int:
    from . import pipeline

    totals: Counter[str] = Counter()
    status = 0
    warned = False  # (text_only_warning: once a run, at the first HTML input)
    n_cleaned = n_timed_out = 0  # (inputs; a run that cleaned none of them fails)
    for path in args.files or ["-"]:
        name = "<stdin>" if path == "-" else path  # (as --jsonl names it)
        try:
            data = _read(path)
        except (OSError, EOFError, zlib.error) as e:  # EOFError, zlib: a broken .gz
            from .corpus.jsonl import _input_error

            print(f"scrubber: {_input_error(name, e)}", file=sys.stderr)
            status = 1
            continue
        is_html = args.html or (not args.text and (html_name(path) or looks_like_html(data)))
        if not is_html and not args.text:
            # (auto mode: a PDF, an image or an executable piped in by mistake is an
            # error naming what it looks like, as --html says of it; --text cleans it)
            from .html import _binary_problem

            problem = _binary_problem(data)
            if problem:
                print(f"scrubber: {name}: input is not text: it looks like {problem} "
                      "(--text cleans it anyway)", file=sys.stderr)
                status = 1
                continue
        if is_html and not warned:
            # (they did nothing on HTML, silently)
            warning = text_only_warning(args, name)
            if warning:
                print(warning, file=sys.stderr)
            warned = True
        text, bom = decode(data)
        wide = None if is_html or bom else utf16_text(data)
        if wide:  # (written back in it, without a BOM, as it came)
            text = wide[0]
        try:
            if is_html:
                bom = None  # (clean_html's text is UTF-8)
                cleaned, explained = pipeline.run_html(data, cfg,
                                                       explain=args.explain or args.stats)
            else:
                cleaned, explained = pipeline.run(text, cfg, explain=args.explain or args.stats)
        except ValueError as e:  # bytes that are not HTML at all (gzip, PDF, images)
            print(f"scrubber: {name}: {e}", file=sys.stderr)
            status = 1
            continue
        except RuleTimeout as e:
            # --on-error: fail (default) reports it and exits 1 at the end; skip writes
            # nothing for this document; keep writes it unchanged (byte for byte)
            how = {"skip": " (skipped)", "keep": " (kept unchanged)"}.get(args.on_error, "")
            print(f"scrubber: {name}: {e}{how}", file=sys.stderr)
            n_timed_out += 1
            if args.on_error == "keep" and not args.explain:
                _write(out, data)
            elif args.on_error == "fail":
                status = 1
            continue
        n_cleaned += 1
        if explained is not None:
            # (blank lines dropped too, as drop:layout: the drop rows left them out, so
            # they did not add up to lines in - lines out)
            totals.update(explained.counts(blank=True))
            totals["lines in"] += len(explained.decisions)
            totals["lines out"] += sum(1 for d in explained.decisions if d.kept)
        if args.explain and explained is not None:
            header = f"# {path}\n" if len(args.files) > 1 else ""
            body = explained.format()  # ("" for an empty input: nothing to explain)
            _write(out, encode(header + (body + "\n" if body else ""), None))
        elif wide:
            _write(out, cleaned.encode(wide[1]))
        else:
            _write(out, encode(cleaned, bom))
    if n_timed_out and not n_cleaned and args.on_error != "fail":
        # (under --on-error skip|keep every input timing out exited 0, with nothing or the
        # input itself written: a run that cleaned nothing fails, as --jsonl's does)
        how = "skipped" if args.on_error == "skip" else "kept unchanged"
        print(f"scrubber: no input was cleaned: {n_timed_out} rule timeout(s), {how}",
              file=sys.stderr)
        status = 1
    if args.stats:
        _print_stats(totals)
    return status


def _print_stats(totals: Counter[str]) -> None:
    err = sys.stderr
    print(f"lines in: {totals.pop('lines in', 0)}  lines out: {totals.pop('lines out', 0)}",
          file=err)
    for key, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{n:8d}  {key}{_BLANK_NOTE if key == 'drop:layout' else ''}", file=err)


_BLANK_NOTE = " (blank and markdown layout lines)"  # what --stats says of drop:layout


def _list_rules(check: list[str]) -> int:
    from .rules import builtin_rules, load_ruleset

    rules = builtin_rules()
    if check:
        # the loader runs every example of every rule, as --rules does before any input
        try:
            ruleset = load_ruleset(tuple(check))
        except RuleError as e:
            print(f"scrubber: {e}", file=sys.stderr)
            return 1
        rules = tuple(r for r in ruleset.rules if not r.builtin)
    if sys.stdout is None:  # started with stdout closed (>&-), as the main command says
        print("scrubber: stdout is closed", file=sys.stderr)
        return 1
    from .model import get_model

    # the rules the shipped text model was trained with (its card's list): the others
    # decide their lines, but the model does not read them (README, "Rules the model was
    # not trained with")
    model = get_model("text")
    known = None if model is None else model.known_rules
    # (a hint decides nothing and is read whatever rule gave it: never marked)
    new = (set() if known is None
           else {r.id for r in rules if r.id not in known and r.strength != "hint"})
    try:
        family = None
        for r in rules:
            if r.family != family:
                family = r.family
                print(f"[{family}]")
            mark = "*" if r.id in new else " "
            print(f"  {r.id:<40} {r.scope:<8} {r.strength:<5}{mark} {r.description}")
        if new:
            print(f"* {len(new)} rule(s) the shipped model was not trained with: they decide "
                  "their own lines, and the model reads those lines as if they had not fired "
                  "(python -m scrubber.train --rules all makes them part of what it reads; "
                  "hints are read whatever rule gave them)")
        for f in check:
            mine = [r for r in rules if r.origin == f]
            # (a rule without examples was said to hold them too)
            bare = [r.id for r in mine if not r.examples]
            print(f"{f}: {len(mine)} rule(s) loaded, {sum(r.examples for r in mine)} "
                  "example(s) hold" + (f"; no examples: {', '.join(bare)}" if bare else ""))
        sys.stdout.flush()  # (a closed pipe shows here, inside main's handler)
    except BrokenPipeError:
        raise
    except OSError as e:  # a full disk: one line, as the main command's output error
        print(f"scrubber: stdout: {e.strerror or e}", file=sys.stderr)
        _quiet_stdout()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
