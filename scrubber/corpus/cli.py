"""Command-line front ends of the corpus package.

``scrubber --jsonl ...`` is parsed by :mod:`scrubber.cli` and run by :func:`run_jsonl`;
``scrubber profile ...`` is :func:`main` here::

    scrubber profile build corpus/*.jsonl.gz -o site-profile.npz [--url-field url]
                           [--site-field domain] [--field text] [--min-pages 3]
    scrubber profile show site-profile.npz|partials-folder|- [--top 20] [--min-pages K]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..config import Config

__all__ = ["add_jsonl_arguments", "load_cli_profile", "main", "run_corpus", "run_jsonl"]

MAX_REPORTS = 20
"""Bad records reported one by one on stderr; the rest are summarised."""

MIN_K = 2
"""The smallest ``--min-pages`` any profile takes (a line on one page is not repeated)."""


class _Given(argparse._StoreAction):
    """``store``, noting that the option was given (``namespace.given``): a corpus option
    given with its default value (``--field text``, ``-j 1``) without ``--jsonl`` was
    accepted silently, as the check compared values with the defaults."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        super().__call__(parser, namespace, values, option_string)
        given = getattr(namespace, "given", None)
        if given is None:
            given = set()
            namespace.given = given
        given.add(self.dest)


def _why_no_site(site_field: str | None, url_field: str | None) -> str:
    """Why a record had no site, for ``--jsonl`` and ``profile build`` to say alike."""
    names = " or ".join(repr(n) for n in (site_field, url_field) if n)
    return (f"no {names} field, or one that is empty, not a string or names no host"
            if names else "no --url-field")


def add_jsonl_arguments(p: argparse.ArgumentParser) -> None:
    """The corpus options of the main ``scrubber`` command."""
    g = p.add_argument_group("corpus mode (JSON Lines)")
    g.add_argument("--jsonl", action="store_true",
                   help="read one JSON object per line, clean its --field, write the object "
                        "back with every other field untouched (order preserved)")
    g.add_argument("--field", action=_Given, default="text", metavar="NAME",
                   help="the string field to clean (default: text)")
    g.add_argument("--keep-original", default=None, metavar="FIELD",
                   help="also store the original text in FIELD (a record that has FIELD "
                        "already is a bad record: never written over)")
    g.add_argument("--decisions", default=None, metavar="FIELD",
                   help="store the per-line decisions (action, stage, rule, score, reason) in "
                        "FIELD (as --keep-original, never over a field the record has)")
    g.add_argument("-j", "--jobs", type=int, action=_Given, default=1, metavar="N",
                   help="worker processes (default: 1; at most 4 per CPU, a larger N is "
                        "lowered with a warning); memory stays bounded")
    g.add_argument("--on-error", choices=("fail", "skip", "keep"), default="fail",
                   help="a malformed record, a missing or non-string field (--jsonl), or a "
                        "user rule that timed out on a document: fail (default: with --jsonl "
                        "stop at once; in text mode report it, go on with the other files, "
                        "exit 1), skip it, or keep it unchanged; all are counted; a run in "
                        "which every record (text mode: every input) was bad exits 1")
    g.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write to FILE atomically (temp file + rename; .gz compresses; a "
                        "symlink's target is written; a FIFO or device directly) instead "
                        "of stdout (-o -: stdout); a run that fails (exit 1) leaves FILE "
                        "as it was")
    g.add_argument("--profile", default=None, metavar="FILE",
                   help="site profile from `scrubber profile build` (a file, a folder of "
                        "partial counts, or - for stdin when the corpus is a FILE): lines "
                        "repeated on many pages of a record's site are dropped as boilerplate")
    g.add_argument("--min-pages", type=int, default=None, metavar="K",
                   help="with --profile: a line seen on >= K pages of the site is repeated "
                        "(default: the profile's)")
    g.add_argument("--url-field", action=_Given, default="url", metavar="NAME",
                   help="field with the page URL; its host is the site (default: url)")
    g.add_argument("--site-field", default=None, metavar="NAME",
                   help="field holding the site (domain) itself; wins over --url-field")
    g.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is shown only when stderr is a terminal)")


def load_cli_profile(path: str, min_pages: int | None) -> Any:
    """``--profile PATH``: a profile file, a folder of partial counts, or ``-``, a profile
    on stdin (``scrubber profile build ... -o - | scrubber --jsonl --profile - FILE``)."""
    from .profile import load_profile

    if path == "-":
        from .profile import SiteProfile

        return SiteProfile.load(read_stdin_profile(), min_pages=min_pages)
    return load_profile(path, min_pages=min_pages)


def read_stdin_profile() -> Any:
    """A profile piped to stdin, read whole (an ``.npz`` is read by seeking) into a buffer
    named ``<stdin>``. A terminal or a closed stdin is an :class:`OSError`."""
    import io

    if sys.stdin is None:
        raise OSError(9, "closed", "stdin")
    if sys.stdin.isatty():
        raise OSError(25, "a terminal, and a profile is binary (pipe it, or give a FILE)",
                      "stdin")
    buf = io.BytesIO(sys.stdin.buffer.read())
    buf.name = "<stdin>"
    return buf


def _say(line: str, err: Any = None) -> None:
    """A line on stderr. A reader of stderr that went away (``2>&1 | head``) loses it but
    changes nothing else: the work goes on and the exit status still says how it went (a
    BrokenPipeError reaching :func:`scrubber.cli.main` is a quiet exit 0)."""
    with contextlib.suppress(BrokenPipeError):
        print(line, file=sys.stderr if err is None else err, flush=True)


def _reporter(err: Any) -> tuple[Any, dict[str, int]]:
    state = {"n": 0}
    what = {"fail": "", "skip": " (skipped)", "keep": " (kept unchanged)"}

    def report(path: str, lineno: int, kind: str, message: str, action: str) -> None:
        state["n"] += 1
        if state["n"] <= MAX_REPORTS or action == "fail":
            _say(f"scrubber: {path}:{lineno}: {kind}: {message}{what[action]}", err)
        elif state["n"] == MAX_REPORTS + 1:
            _say("scrubber: more bad records; not listing them (counts at the end)", err)

    return report, state


def run_jsonl(args: argparse.Namespace, cfg: Config, stdout: BinaryIO | None = None) -> int:
    """Run ``scrubber --jsonl`` with parsed ``args``. Exit status: 0 ok (bad records
    skipped or kept are reported on stderr), 1 a bad record under ``--on-error fail``, an
    input whose records were all bad (none cleaned, whatever ``--on-error``) or an I/O
    error, 2 a usage error."""
    from .jsonl import (
        InputError,
        JsonlOptions,
        RecordError,
        WorkerError,
        atomic_output,
        check_output,
        clean_jsonl,
        limit_heap_growth,
    )

    err = sys.stderr  # (written through _say: a reader of stderr that went away changes
    # nothing, the exit status still says how the run went)
    if args.explain:
        _say("scrubber: --explain does not combine with --jsonl (use --decisions FIELD)", err)
        return 2
    if args.jobs < 1:
        _say(f"scrubber: -j must be >= 1, got {args.jobs}", err)
        return 2
    from .jsonl import JOBS_PER_CPU, max_jobs, usable_cpus

    if args.jobs > max_jobs():
        # (-j 10000 forked 10,000 workers, each loading the rules and the model)
        cpus = usable_cpus()
        _say(f"scrubber: warning: -j {args.jobs} is more than {JOBS_PER_CPU} workers per CPU "
             f"({cpus} CPU{'s' if cpus > 1 else ''} here): running {max_jobs()}", err)
        args.jobs = max_jobs()
    try:
        opts = JsonlOptions(field=args.field, keep_original=args.keep_original,
                            decisions=args.decisions, url_field=args.url_field or None,
                            site_field=args.site_field, on_error=args.on_error,
                            stats=bool(args.stats), html=bool(args.html))
    except ValueError as e:
        _say(f"scrubber: {e}", err)
        return 2
    if args.min_pages is not None and args.min_pages < MIN_K:
        _say(f"scrubber: --min-pages must be at least {MIN_K}, got {args.min_pages}", err)
        return 2
    if args.profile == "-" and "-" in (args.files or ["-"]):
        _say("scrubber: --profile - reads the profile from stdin, so the corpus cannot come "
             "from there too: give it as FILE", err)
        return 2
    if args.profile:
        try:
            cfg = cfg.replace(profile=load_cli_profile(args.profile, args.min_pages))
        except (OSError, ValueError, KeyError) as e:  # an input error, not a usage one
            # (an OSError's str repeats the errno and the path: the line names it already)
            msg = (e.strerror if isinstance(e, OSError) and e.strerror
                   else str(e).removeprefix(f"{args.profile}: "))
            _say(f"scrubber: --profile {args.profile}: {msg}", err)
            return 1
    elif args.min_pages is not None:
        _say("scrubber: --min-pages needs --profile", err)
        return 2
    if args.html:  # (once a run, not once a record)
        from ..cli import text_only_warning

        warning = text_only_warning(args, f"the {args.field!r} field (--html)")
        if warning:
            _say(warning, err)
    inputs = list(args.files or ["-"])
    if args.output:
        try:  # a directory or a missing folder is an error now, not after the whole corpus
            check_output(args.output)
        except OSError as e:
            _say(f"scrubber: {args.output}: {e.strerror or e}", err)
            return 1
    limit_heap_growth()
    report, _ = _reporter(err)
    status = 0
    stats = None
    not_written = (f"; {args.output} not written" if args.output else "")
    try:
        with contextlib.ExitStack() as stack:
            out = (stack.enter_context(atomic_output(args.output)) if args.output
                   else (stdout or sys.stdout.buffer))
            stats = clean_jsonl(inputs, out, cfg, opts, jobs=args.jobs,
                                progress=not args.no_progress, report=report)
            out.flush()
            if stats.bad_total and not stats.cleaned:
                # (a wrong --field, or an input that is not JSONL, under --on-error
                # skip|keep: every record reported, exit 0, an empty or unchanged output)
                raise _NothingCleaned
    except _NothingCleaned:
        assert stats is not None
        _say(f"scrubber: no record was cleaned: {stats.bad_summary()}{not_written}", err)
        status = 1
    except RecordError as e:
        stats = getattr(e, "stats", None)
        if args.output:
            _say(f"scrubber: stopped; {args.output} not written (use --on-error skip|keep "
                  "to go on past bad records)", err)
        else:
            _say("scrubber: stopped (use --on-error skip|keep to go on past bad records)", err)
        status = 1
    except InputError as e:  # every record read before it was written (or -o dropped)
        stats = getattr(e, "stats", None)
        _say(f"scrubber: {e.filename}: {e.strerror}", err)
        _say(f"scrubber: stopped{not_written}", err)
        status = 1
    except WorkerError as e:
        _say(f"scrubber: {e}{not_written}", err)
        return 1
    except OSError as e:  # writing the output
        if isinstance(e, BrokenPipeError):
            raise
        name = getattr(e, "filename", None) or args.output or "stdout"
        _say(f"scrubber: {name}: {e.strerror or e}", err)
        if not args.output:
            from ..cli import _quiet_stdout

            _quiet_stdout()
        return 1
    if stats is not None:
        if args.stats:
            _say(stats.format_table(), err)
        else:
            if stats.bad_total and status == 0:
                _say(f"scrubber: {stats.bad_summary()}", err)
            if stats.no_site:
                # (a --url-field the records lack: the profile was used on no record, and
                # only --stats said so)
                _say(f"scrubber: {stats.no_site:,} of {stats.cleaned:,} records had no site "
                     f"({_why_no_site(opts.site_field, opts.url_field)}): cleaned without "
                     "the profile", err)
    return status


def run_corpus(args: argparse.Namespace, cfg: Config, run_text: Any) -> int:
    """Dispatch from :func:`scrubber.cli.main`: ``--jsonl`` runs :func:`run_jsonl`; text
    mode with ``-o FILE`` runs the text filter ``run_text(args, cfg, out)`` into an atomic
    output file, which replaces ``FILE`` only when every input was cleaned (exit 0)."""
    from .jsonl import atomic_output, check_output

    if args.jsonl:
        return run_jsonl(args, cfg)
    if args.profile:
        print("scrubber: --profile needs --jsonl (the site comes from each record)",
              file=sys.stderr)
        return 2
    status = 0
    try:
        with atomic_output(args.output) as out:
            status = int(run_text(args, cfg, out))
            if status:
                # (an input that could not be read or cleaned: the file keeps what it
                # held, as --jsonl keeps it when it stops; `scrubber page.txt -o out`
                # with a mistyped page emptied out)
                raise _NotWritten
    except _NotWritten:
        if not check_output(args.output)[1]:  # (a FIFO or device was written directly)
            _say(f"scrubber: {args.output} not written (an input failed)")
    except OSError as e:
        print(f"scrubber: {args.output}: {e.strerror or e}", file=sys.stderr)
        return 1
    return status


class _NothingCleaned(Exception):
    """``--jsonl``: every record of a non-empty input was bad (skipped or kept): exit 1,
    and ``-o`` is not written."""


class _NotWritten(Exception):
    """Text mode with ``-o``: an input failed, so the output file is not replaced."""


# --------------------------------------------------------------------------- profile


def _profile_parser() -> argparse.ArgumentParser:
    from ..train.options import at_least  # (standard library only)

    p = argparse.ArgumentParser(
        prog="scrubber profile",
        description="Site profiles of repeated lines (boilerplate evidence for --profile).",
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="count repeated lines per site over a JSONL corpus")
    b.add_argument("files", nargs="*", metavar="FILE", help="JSONL inputs (.gz ok; default stdin)")
    b.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="profile file (.npz; -: stdout)")
    b.add_argument("--field", default="text", metavar="NAME", help="text field (default: text)")
    b.add_argument("--url-field", default="url", metavar="NAME",
                   help="field with the page URL (default: url)")
    b.add_argument("--site-field", default=None, metavar="NAME",
                   help="field holding the site itself; wins over --url-field")
    b.add_argument("--min-pages", type=int, default=3, metavar="K",
                   help="lines seen on >= K pages of a site are repeated (default: 3)")
    b.add_argument("--store-min", type=int, default=None, metavar="K",
                   help="store lines seen on >= K pages (default: --min-pages; lower lets "
                        "--min-pages go lower at cleaning time)")
    b.add_argument("--partial", action="store_true",
                   help="write every count (a shard's partial, to merge with `profile merge`)")
    b.add_argument("--task", type=_task, default=None, metavar="I/N",
                   help="with --partial: this shard is task I (from 0) of a run of N; "
                        "`profile merge` then refuses a run with a task's file missing or "
                        "twice (e.g. --task $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)")
    b.add_argument("--on-error", choices=("fail", "skip"), default="fail",
                   help="bad records: fail (default) or skip (both reported with line numbers)")
    m = sub.add_parser("merge", help="merge partial count files into one profile")
    m.add_argument("files", nargs="+", metavar="FILE|FOLDER",
                   help="partial count files, or folders of them (their .npz files)")
    m.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="profile file (.npz; -: stdout)")
    m.add_argument("--min-pages", type=int, default=3, metavar="K")
    s = sub.add_parser("show", help="summarise a profile file (or a folder of partial counts, "
                                    "merged as --profile reads it)")
    s.add_argument("file", metavar="FILE|FOLDER", help="a profile, a folder of partial counts, "
                                                     "or - (stdin)")
    s.add_argument("--min-pages", type=int, default=None, metavar="K",
                   help="show it as --profile ... --min-pages K reads it (default: the "
                        "profile's own)")
    s.add_argument("--top", type=at_least(0), default=20, metavar="N",
                   help="sites listed, most pages first (default: 20; 0: every site)")
    return p


def _task(value: str) -> tuple[int, int]:
    """``--task I/N``: task ``I`` (0 <= I < N) of a run of ``N``."""
    i, sep, n = value.partition("/")
    try:
        rank, size = int(i), int(n)
    except ValueError:
        rank = size = -1
    if not sep or size < 1 or not 0 <= rank < size:
        raise argparse.ArgumentTypeError(
            f"expected I/N, task I (from 0) of a run of N tasks, not {value!r}")
    return rank, size


def main(argv: Sequence[str] | None = None) -> int:
    """``scrubber profile build|merge|show``."""
    args = _profile_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.cmd == "build" and args.task is not None and not args.partial:
        # (a finished profile is not merged, so the task it was would check nothing)
        _say("scrubber profile: --task needs --partial (the task of a shard's partial "
             "counts, which `profile merge` checks)")
        return 2
    if args.min_pages is not None and args.min_pages < MIN_K:
        # (SiteProfile refuses it, but only once the corpus has been counted or merged)
        _say(f"scrubber profile: --min-pages must be at least {MIN_K}, got {args.min_pages}")
        return 2
    if args.cmd == "build" and not args.field:
        # (--field "$F" with F unset failed on the first record as a missing field)
        _say("scrubber profile: --field: an empty name (give a field name)")
        return 2
    try:
        if args.cmd == "build":
            return _build(args)
        if args.cmd == "merge":
            from .profile import merge_partials

            dest = _profile_output(args.output)
            prof = merge_partials(_merge_inputs(args.files, args.output),
                                  min_pages=args.min_pages)
            prof.save(dest)
            _written(args.output)
            _say(f"scrubber profile: {prof!r} -> {_shown(args.output)}")
            return 0
        return _show(args)
    except (OSError, ValueError) as e:
        if isinstance(e, BrokenPipeError):  # stdout's reader went away (show | head)
            raise
        msg = (f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.filename
               and e.strerror else str(e))
        _say(f"scrubber profile: {msg}")
        return 1


def _profile_output(name: str) -> Any:
    """Where ``profile build|merge -o`` writes: a path (checked now, before any work: see
    :func:`~scrubber.corpus.jsonl.check_output`), or ``-``, stdout, as for ``--jsonl``
    (it wrote a file named "-"); a terminal or a closed stdout is an :class:`OSError`."""
    from .jsonl import check_output

    if name != "-":
        check_output(name)
        return name
    if sys.stdout is None:
        raise OSError(9, "closed (give -o FILE)", "stdout")
    if sys.stdout.isatty():
        raise OSError(25, "a terminal, and a profile is binary (give -o FILE, or pipe it)",
                      "stdout")
    return sys.stdout.buffer


def _shown(name: str) -> str:
    return "stdout" if name == "-" else name


def _written(name: str) -> None:
    """A profile written to stdout is flushed now: a closed pipe shows inside
    :func:`main`'s handler."""
    if name == "-":
        sys.stdout.buffer.flush()


def _merge_inputs(given: Sequence[str], output: str) -> list[str]:
    """``profile merge``'s inputs: a folder stands for its ``.npz`` files, as for
    ``--profile`` (it was "Is a directory"), but the merge's own output, which a second
    merge into the same folder would find there (a finished profile: refused)."""
    import os

    from .profile import folder_files

    out = os.path.realpath(output)
    files: list[str] = []
    for name in given:
        if Path(name).is_dir():
            files += [str(f) for f in folder_files(name) if os.path.realpath(f) != out]
        else:
            files.append(name)
    return files


def _build(args: argparse.Namespace) -> int:
    from .jsonl import InputError, _Bad, _parse_record, _type_name, blank_line, read_lines
    from .profile import ProfileCounter
    from .records import site_of

    if args.store_min is not None and not 1 <= args.store_min <= args.min_pages:
        # (a line stored from more pages than --min-pages would lose the lines seen on
        # exactly --min-pages of them; it was lowered to --min-pages without a word)
        _say(f"scrubber profile: --store-min must be from 1 to --min-pages "
             f"({args.min_pages}), not {args.store_min}")
        return 2
    dest = _profile_output(args.output)  # (checked before counting the corpus)
    out_name = _shown(args.output)
    counter = ProfileCounter()
    report, _ = _reporter(sys.stderr)
    t0 = time.perf_counter()
    bad = no_site = 0
    try:
        for src in args.files or ["-"]:
            name = "<stdin>" if src == "-" else src
            for lineno, line in read_lines(src):
                if blank_line(line):
                    continue
                try:
                    _, fields, _ = _parse_record(line.rstrip(b"\n"))
                    got = fields.get(args.field)
                    if got is None:
                        raise _Bad("missing field", f"no field {args.field!r}")
                    if not isinstance(got[0], str):
                        raise _Bad("not a string",
                                   f"field {args.field!r} is a {_type_name(got[0])}")
                except _Bad as e:
                    bad += 1
                    report(name, lineno, e.kind, str(e), args.on_error)
                    if args.on_error == "fail":
                        # (the bad record's line was the last word: nothing said the
                        # build had stopped there, nor that the output was not written)
                        _say(f"scrubber profile: stopped at {name}:{lineno}; {out_name} "
                             "not written (use --on-error skip to go on past bad records)")
                        return 1
                    continue
                view = {k: v[0] for k, v in fields.items()
                        if k in (args.url_field, args.site_field)}
                site = site_of(view, args.url_field, args.site_field)
                if site is None:
                    no_site += 1
                    continue
                counter.add(site, got[0])
        lacking = f"without a site ({_why_no_site(args.site_field, args.url_field)})"
        if bad and not no_site and not counter.pages:
            # (every record bad - a wrong --field, an input that is not JSONL - under
            # --on-error skip wrote an empty profile, exit 0; as --jsonl, which cleans none)
            _say(f"scrubber profile: no page counted: all {bad:,} records were bad; "
                 f"{out_name} not written")
            return 1
        if no_site and not counter.pages:
            # (a record is not bad for lacking a site: --jsonl cleans it without the
            # profile; but an empty profile is most likely a wrong --url-field)
            _say(f"scrubber profile: warning: no page counted: {no_site:,} records "
                 f"{lacking}{f', {bad:,} bad' if bad else ''}; the profile is empty")
        store = args.min_pages if args.store_min is None else args.store_min
        if args.partial:
            rank, size = args.task or (None, None)
            counter.save_partial(dest, rank=rank, world_size=size)
            what = f"partial counts of {counter.pages} pages" + (
                f" (task {rank} of {size})" if args.task else "")
        else:
            prof = counter.finish(min_pages=args.min_pages, store_min=store)
            prof.save(dest)
            what = repr(prof)
        _written(args.output)
    except InputError as e:  # (a missing or broken input: as --jsonl says it)
        _say(f"scrubber profile: {e.filename}: {e.strerror}")
        _say(f"scrubber profile: stopped; {out_name} not written")
        return 1
    finally:
        counter.close()
    dup = (f", {counter.duplicates} duplicate pages (the same lines as an earlier page of "
           "their site) counted once" if counter.duplicates else "")
    _say(f"scrubber profile: {what} -> {out_name} in {time.perf_counter() - t0:.1f}s"
         f" ({no_site} records without a site, {bad} bad records skipped{dup})")
    return 0


def _show(args: argparse.Namespace) -> int:
    import numpy as np

    if sys.stdout is None:  # (started with stdout closed, >&-: an AttributeError at the end)
        raise OSError(9, "closed (show writes its summary there)", "stdout")

    from .profile import SiteProfile, _load, folder_files, merge_partials

    if args.file != "-" and Path(args.file).is_dir():
        # a folder of partial counts (a datatrove run writes one file per task): shown
        # merged, as --profile reads it (it was "Is a directory", which --profile accepts)
        files = folder_files(args.file)
        prof = merge_partials(files, min_pages=args.min_pages)
        keys, counts, site_pages = prof.keys, prof.counts, prof.site_pages
        meta = {"partial files merged": len(files), "store_min": prof.store_min,
                "min_pages": prof.min_pages}
        print(f"{args.file}: a folder of {len(files)} partial count files, merged as "
              "--profile reads it")
    else:
        src = read_stdin_profile() if args.file == "-" else args.file
        keys, counts, site_pages, meta = _load(src)
        if hasattr(src, "seek"):
            src.seek(0)
        prof = (None if meta.get("partial") and args.min_pages is None
                else SiteProfile.load(src, min_pages=args.min_pages))
    print(f"{args.file}: {len(site_pages)} sites, {sum(site_pages.values())} pages, "
          f"{len(keys)} stored lines (seen on >= {meta.get('store_min')} pages)")
    print(f"meta: {meta}")
    if prof is not None:
        print(repr(prof))
    if len(counts):
        print(f"page counts of stored lines: median {int(np.median(counts))}, "
              f"max {int(counts.max())}")
    top = sorted(site_pages.items(), key=lambda kv: (-kv[1], kv[0]))[: args.top or None]
    for site, n in top:
        print(f"  {n:>8}  {site}")
    sys.stdout.flush()  # (a closed pipe shows here, inside main's handler)
    return 0
