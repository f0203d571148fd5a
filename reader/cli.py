"""The command line: start the app, or print matching records with --list."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from . import __version__
from .cli_output import _print_lines, _write
from .core.query import QueryError, parse_query, published_only, with_sizes
from .core.record import Problem
from .core.settings import config_location, load_settings
from .core.state import MAX_SAVED_FILTERS, StateError, StateFileError, StateStore, state_location
from .core.text import safe_text

# What `--list` does not need is imported where it is used: the loader and the parser (PyYAML, a
# process pool), Textual, JSON. A listing from a warm index imports little more than the query.


APP_STATE_WAIT = 0.5
"""Seconds the app waits for another program's write lock on the reading state before it keeps a
change to write later."""


def bundled_seeds() -> str:
    """The folder of seed records shipped with the package (or beside it in a source checkout)."""
    from importlib import resources
    from pathlib import Path

    try:
        # A namespace package gives a MultiplexedPath whose str() is not a path; its files are real ones.
        for entry in resources.files("reader.seeds").iterdir():
            return str(Path(str(entry)).parent)
    except (ModuleNotFoundError, TypeError, OSError):
        pass
    return str(Path(__file__).resolve().parent.parent / "seeds")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; its help is the command-line reference."""
    parser = argparse.ArgumentParser(
        prog="reader",
        description="A terminal reader for folders of news records (YAML front matter files).",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="files and folders to read (default: the folders setting, else the bundled seeds)",
    )
    parser.add_argument("--list", action="store_true", help="print the matching records and exit")
    parser.add_argument("--filter", metavar="QUERY", default="", help="a filter query, as in the filter bar")
    parser.add_argument("--format", choices=("tsv", "json"), default="tsv",
                        help="output of --list and --explain-story (default: tsv)")
    parser.add_argument("--stories", action="store_true",
                        help="with --list: one line per story (a story is listed when any of its records matches)")
    parser.add_argument("--explain-story", metavar="PATH",
                        help="print every record of the story of the record at PATH, and why it is in it")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the on-disk index")
    parser.add_argument("--config", action="store_true", help="print the path of the configuration file in use and exit")
    parser.add_argument("--export-state", metavar="FILE", help="write the reading state and saved filters to FILE (JSON)")
    parser.add_argument("--import-state", metavar="FILE", help="merge the reading state and saved filters from FILE")
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status. An unexpected error anywhere gives one line on
    stderr naming the log file that holds its traceback, and status `EXIT_CRASH`."""
    try:
        return run(argv)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from .crashlog import EXIT_CRASH, report_exception

        _say(report_exception(error))
        return EXIT_CRASH


def _say(line: str) -> None:
    """Print one line on stderr, even when stdout's reader went away."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def run(argv: Sequence[str] | None = None) -> int:
    """`main` without its last resort for unexpected errors."""
    parser = build_parser()
    args = parser.parse_args(_joined_filter(list(sys.argv[1:] if argv is None else argv)))
    if not args.list and (args.filter or args.stories or (args.format != "tsv" and not args.explain_story)):
        parser.error("--filter, --stories and --format go with --list")
    if args.explain_story is not None:
        if args.list:
            parser.error("--explain-story goes without --list")
        from .cli_stories import explain_story

        return explain_story(args.explain_story, args.paths, args.format, sys.stdout, sys.stderr,
                             use_cache=not args.no_cache)
    if args.config:
        location = config_location()
        print(location)
        if not os.path.exists(location):
            print("reader: the file does not exist; every setting has its default", file=sys.stderr)
        elif (shell := shell_in(load_settings()[0].browser)) is not None:
            print(f"reader: warning: the browser command starts a shell ({safe_text(shell)} -c): a link's "
                  "text reaches that shell; reader percent-encodes quotes, $, ` and \\ in links put into it, but "
                  'a browser named directly is safer: browser = ["firefox", "{url}"]', file=sys.stderr)
        return 0
    if args.export_state or args.import_state:
        if args.list or args.paths:
            parser.error("--export-state and --import-state go alone")
        return move_state(args.export_state, args.import_state)
    settings, problems = load_settings()
    paths = args.paths or [bundled_seeds()]
    missing = [path for path in paths if not os.path.lexists(path)]
    if not args.paths and settings.folders:
        # Configured folders that are missing are reported; the app reads the others.
        paths = [path for path in settings.folders if os.path.lexists(path)]
        problems = list(problems) + [
            f"{safe_text(config_location())}: folders: no such folder: {safe_text(path)}"
            for path in settings.folders if not os.path.lexists(path)
        ]
        missing = [] if paths else list(settings.folders)
    if missing:
        where = "" if args.paths else f" (from folders in {safe_text(config_location())})"
        print(f"reader: no such file or folder: {safe_text(missing[0])}{where}", file=sys.stderr)
        return 2
    try:
        query = parse_query(args.filter)
    except QueryError as error:
        print(f"reader: invalid filter: {safe_text(str(error))}", file=sys.stderr)
        return 2
    # The reading state is opened for the app, and for a listing whose filter asks about it (is:read,
    # is:unread, is:starred): reading it costs ~0.1 s with 50,000 stories read.
    state = None
    if not args.list or query.uses_state:
        # The app waits briefly for another program's write lock (it waits on its UI thread): a change
        # that cannot be written then is kept and written as soon as it can be.
        state = StateStore(state_location(), wait=None if args.list else APP_STATE_WAIT)
        query = parse_query(args.filter, state=state)
    if args.list:
        for problem in problems:
            print(f"reader: {safe_text(str(problem))}", file=sys.stderr)
        if state is not None and state.location != state_location():  # an empty store would answer wrongly
            print(f"reader: cannot read the reading state {safe_text(state_location())} for the filter: "
                  f"{safe_text(state.open_error or '')}", file=sys.stderr)
            return 1
        if state is not None and state.notice and not state.read_only:
            print(f"reader: {safe_text(state.notice)}", file=sys.stderr)
        if not settings.show_unpublished:
            query = published_only(query, state)
        try:
            return list_records(paths, query, args.format, sys.stdout, sys.stderr, use_cache=not args.no_cache,
                                stories=args.stories)
        except BrokenPipeError:
            # The output's reader went away (`reader --list | head`): stop quietly, and keep Python
            # from complaining again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    assert state is not None
    return run_app(paths, state, settings, problems, use_cache=not args.no_cache)


def run_app(
    paths: list[str], state: StateStore, settings: Any, problems: list[Any], *, use_cache: bool
) -> int:
    """Run the app until it quits. When it stops on an error, Textual renders the traceback: it goes
    to the crash log rather than the terminal, and the status is `EXIT_CRASH`."""
    import asyncio
    import io

    from rich.console import Console

    from .app import ReaderApp
    from .crashlog import EXIT_CRASH, report_app_crash
    from .daemon_threads import DaemonThreads

    app = ReaderApp(paths, use_cache=use_cache, state=state, settings=settings, problems=problems)
    rendered = io.StringIO()
    app.error_console = Console(file=rendered, width=120, color_system=None, markup=False, highlight=False)

    async def run() -> None:
        asyncio.get_running_loop().set_default_executor(DaemonThreads())
        await app.run_async()

    try:
        asyncio.run(run())
    finally:
        state.close()
        if state.unsaved:
            _say(f"reader: {state.unsaved:,} changes to the reading state could not be saved "
                 f"({safe_text(state.unsaved_reason or '')})")
    if rendered.getvalue().strip() or app.return_code:
        _say(report_app_crash(rendered.getvalue()))
        return EXIT_CRASH
    return 0


SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "busybox"})


def shell_in(argv: Sequence[str]) -> str | None:
    """The shell a browser command starts to run a command string (`sh -c ...`, also behind `env`), or
    None."""
    words = list(argv)
    while words and os.path.basename(words[0]) == "env":
        words = words[1:]
        while words and (words[0].startswith("-") or "=" in words[0]):
            words = words[1:]
    if not words or os.path.basename(words[0]) not in SHELLS:
        return None
    flags = [word for word in words[1:] if word.startswith("-") and not word.startswith("--")]
    return os.path.basename(words[0]) if any("c" in flag for flag in flags) else None


def export_state(state: StateStore, target: str) -> int:
    """Export to `target`: "-" is standard output, a symbolic link is written through (not replaced),
    a device or pipe is written into; a regular file is replaced atomically."""
    import tempfile

    if target == "-" or (os.path.exists(target) and not os.path.isfile(target)):
        with tempfile.TemporaryDirectory() as folder:
            staged = os.path.join(folder, "state.json")
            written = state.export_state(staged)
            with open(staged, "rb") as source:
                data = source.read()
        if target == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            with open(target, "wb") as sink:
                sink.write(data)
        return written
    return state.export_state(os.path.realpath(target))


def move_state(export_to: str | None, import_from: str | None) -> int:
    """--export-state and --import-state: the reading state as JSON, to move it between machines."""
    location = state_location()
    state = StateStore(location)
    if (refused := _state_refusal(state, location, export_to, import_from)) is not None:
        print(f"reader: {safe_text(refused)}", file=sys.stderr)
        state.close()
        return 1
    if state.read_only:
        print(f"reader: the reading state {safe_text(location)} is read read-only "
              f"({safe_text(state.open_error or '')})", file=sys.stderr)
    elif state.notice:
        print(f"reader: {safe_text(state.notice)}", file=sys.stderr)
    try:
        if import_from:
            imported = state.import_state(import_from)
            print(f"reader: imported {safe_text(import_from)}: {imported.stories:,} stories taken from it, "
                  f"{imported.filters_added:,} saved filters added")
            if imported.filters_left_out:
                print(f"reader: {imported.filters_left_out:,} saved filters were left out: at most "
                      f"{MAX_SAVED_FILTERS} are kept", file=sys.stderr)
            for name, text in state.saved_filters():
                try:
                    parse_query(text)
                except QueryError as error:
                    print(f"reader: the saved filter {safe_text(name)!r} has an error: {safe_text(str(error))}",
                          file=sys.stderr)
        if export_to:
            written = export_state(state, export_to)
            print(f"reader: exported {written:,} stories to {safe_text(export_to)}", file=sys.stderr)
    except StateFileError as error:
        print(f"reader: cannot import {safe_text(import_from or '')}: {safe_text(str(error))}", file=sys.stderr)
        return 2
    except StateError as error:
        what = f"import {import_from}" if import_from and not export_to else "export"
        print(f"reader: cannot {safe_text(what)}: {safe_text(str(error))}", file=sys.stderr)
        return 1
    except OSError as error:  # only writing the export raises it (through a temporary file beside it)
        print(f"reader: cannot write {safe_text(export_to or '')}: {safe_text(error.strerror or str(error))}",
              file=sys.stderr)
        return 1
    finally:
        state.close()
    return 0


def _state_refusal(
    state: StateStore, location: str, export_to: str | None, import_from: str | None
) -> str | None:
    """Why --export-state or --import-state must not go on with this store (one line), or None: an
    export of a state that could not be read would replace a good backup with an empty one, and an
    import into one that cannot be written would claim what it did not do."""
    if state.location != location:
        return f"cannot read the reading state {location}: {state.open_error}"
    if import_from and state.read_only:
        why = state.open_error
        return f"cannot import {import_from}: the reading state {location} can only be read ({why})"
    if export_to and state.moved_to:
        return f"{state.notice} Nothing was exported: the new state is empty."
    return None


def _joined_filter(argv: list[str]) -> list[str]:
    """`--filter -type:video` (or `--filter -- -type:video`, the usual way to say that what follows
    is a value) as `--filter=-type:video`: argparse takes a value that starts with a dash for an
    option, and negated terms start with one."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        if argv[index] == "--filter" and index + 1 < len(argv):
            if argv[index + 1] == "--" and index + 2 < len(argv):
                index += 1  # `--filter -- QUERY`: the query is the word after `--`
            joined.append(f"--filter={argv[index + 1]}")
            index += 2
        else:
            joined.append(argv[index])
            index += 1
    return joined


def list_records(
    paths: list[str], query: Any, fmt: str, out: TextIO, err: TextIO, *, use_cache: bool = True,
    stories: bool = False,
) -> int:
    """Print the records matching `query`, newest first (or, with `stories`, one line per story with a
    matching record); problems go to `err`."""
    # Loading makes a million objects that hold no cycles; the cyclic collector's passes over them
    # cost ~0.4 s at 100,000 records, and nothing here needs them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _list_records(paths, query, fmt, out, err, use_cache=use_cache, stories=stories)
    finally:
        if collecting:
            gc.enable()


def _list_records(
    paths: list[str], query: Any, fmt: str, out: TextIO, err: TextIO, *, use_cache: bool, stories: bool
) -> int:
    damaged: list[str] = []
    if use_cache:
        from .core.warm_listing import Listing, warm_listing

        answer = warm_listing(paths, query)
        if isinstance(answer, Listing):  # the index was up to date: no loading
            with answer:
                if stories:
                    from .cli_stories import warm_story_lines

                    folded = warm_story_lines(answer, paths, fmt)
                    if folded is not None:  # else the index changed since: listed the plain way
                        _report(answer.problems, err)
                        _write(folded, out)
                        return 0
                else:
                    _report(answer.problems, err)
                    _print_lines(answer.lines, fmt, out, err)
                    return 0
        else:
            damaged = answer.damaged
    import sqlite3

    from .core.library import load_library, open_index
    from .core.sorting import sort_summaries

    index = open_index(use_cache)
    if index.notice:
        print(f"reader: {safe_text(index.notice)}", file=err)
    if damaged:  # rows with columns of the wrong types: forgotten, so that their files are read again
        try:
            index.remove(damaged)
            print(f"reader: {len(damaged):,} damaged index entries were dropped; their files are read again",
                  file=err)
        except sqlite3.DatabaseError as error:
            index.reset(error)
            print(f"reader: {safe_text(index.notice)}", file=err)
    if use_cache and not stories and index.location != ":memory:":
        # Cold: build the index, keeping nothing loaded, then list from it as a warm start does (the
        # plain way below, which holds every record, only when that still finds it stale).
        from .core.loader import build

        build(paths, index)
        answer = warm_listing(paths, query, index.location)
        if isinstance(answer, Listing):
            with answer:
                _report(answer.problems, err)
                _print_lines(answer.lines, fmt, out, err)
            return 0
    library = load_library(paths, index)
    _report(library.problems, err)
    groups = library.groups
    matches = with_sizes(query, groups.size).matches if query.uses_sources else query.matches
    matched = sort_summaries([s for s in library.summaries if matches(s)], "newest")
    if stories:
        from .cli_stories import story_lines

        _write(story_lines(matched, groups, fmt), out)
        return 0
    _print_lines(
        ((s.path, s.timestamp, s.provider_name, s.title, s.url, s.story, groups.size(s) if s.story else 1)
         for s in matched), fmt, out, err,
    )
    return 0


def _report(problems: list[Problem], err: TextIO) -> None:
    for problem in problems:
        print(f"{safe_text(problem.path)}: {safe_text(problem.reason)}", file=err)
