"""`apilint [PATHS]`: the command-line interface (flags and exit codes as ruff's)."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from apilint import __version__
from apilint.cli.cache import Cache, run_cached
from apilint.cli.configured import cache_directory, make_resolver, write_settings
from apilint.configuration import ResolvedConfig
from apilint.cli.discovery import discover
from apilint.cli.output import (
    Style,
    sorted_findings,
    summary,
    tolerate_unencodable,
    use_colour,
    write_fixes,
    write_grouped,
    write_statistics,
    write_text,
)
from apilint.cli.progress import Progress
from apilint.cli.runner import FileResult, Job, default_jobs, run_jobs
from apilint.cli.workers import Terminated, handle_sigterm
from apilint.project.dependencies import with_project_facts  # principle 4: the versions the project supports
from apilint.settings import (
    MAX_SECONDS,
    ConfigError,
    Settings,
)
from apilint.exclusion import PathFilter

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apilint",
        description="Find (and fix) hazards in the way Python code calls HTTP APIs.",
        epilog="other commands: `apilint rule CODE` prints a rule's documentation, `apilint rule --all` lists "
               "the rules, `apilint server` runs the language server.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories to check (default: .); - reads stdin")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes")
    parser.add_argument("--fix-only", action="store_true",
                        help="apply fixes (implies --fix); report nothing about what remains, exit 0 unless an error")
    parser.add_argument("--exit-non-zero-on-fix", action="store_true",
                        help="exit 1 when a fix changed a file, even if nothing remains")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or offer unsafe fixes")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to enable (replaces the configured select)")
    parser.add_argument("--extend-select", metavar="CODES", help="codes or prefixes to enable in addition")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to disable")
    parser.add_argument("--format", choices=("text", "grouped", "json", "sarif", "github"), default="text",
                        help="output format (default: text, flake8's)")
    parser.add_argument("--statistics", action="store_true", help="count findings per code")
    parser.add_argument("--show-fixes", action="store_true", help="list the fixes applied (or available)")
    parser.add_argument("--add-noqa", action="store_true", help="add `# noqa: CODE` to every line with a finding")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: CPU count)")
    parser.add_argument("--config", type=Path,
                        help="use this pyproject.toml for every file (default: each file's closest one)")
    parser.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    parser.add_argument("--stdin-filename", metavar="PATH", help="the name to report for source read from stdin")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--file-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="skip (and report) a file whose analysis takes longer (default: 30; 0: no limit)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write .apilint_cache/")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="the cache directory (default: $APILINT_CACHE_DIR, else .apilint_cache next to the "
                             "configuration)")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the settings the first path gets and the file they come from, then exit")
    parser.add_argument("--show-files", action="store_true", help="list the files that would be checked, then exit")
    parser.add_argument("--version", action="version", version=f"apilint {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["rule"]:
        from apilint.cli.rule_command import rule_command

        try:
            return rule_command(argv[1:])
        except BrokenPipeError:  # `apilint rule --all | head`
            _silence_stdout()
            return EXIT_CLEAN
    if argv[:1] == ["server"]:
        from apilint.server.command import server_command

        return server_command(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    args.fix = args.fix or args.fix_only
    handle_sigterm()  # `kill` stops the run (and its workers) as Ctrl-C does
    tolerate_unencodable(sys.stdout, sys.stderr)
    # `apilint --fix -` is an editor's filter: its stdout replaces the buffer. Whatever goes wrong
    # (bad config, unparsable input, an interrupt, a crash) the input bytes come back unchanged.
    args.filter_input = sys.stdin.buffer.read() if args.fix and not args.diff and _names_stdin(args.paths) else None
    args.echoed = False
    try:
        return _run(args)
    except ConfigError as exc:
        print(f"apilint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        print("apilint: interrupted", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except BrokenPipeError:
        # The reader went away (`apilint | head`): stop quietly, as other CLI tools do.
        args.echoed = True
        _silence_stdout()
        return EXIT_FINDINGS
    finally:
        if args.filter_input is not None and not args.echoed:
            _write_filter_output(args, args.filter_input)


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush cannot fail."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _names_stdin(paths: list[Path]) -> bool:
    return any(str(p) == "-" for p in paths)


def _write_filter_output(args: argparse.Namespace, data: bytes) -> None:
    """The filter's stdout: exactly these bytes, once (text written before them would corrupt the buffer)."""
    args.echoed = True
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError:
        pass  # the reader is gone; nothing left to protect


def _run(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths or [Path(".")]
    reading_stdin = _names_stdin(paths)
    if reading_stdin and len(paths) > 1:
        raise ConfigError("'-' (stdin) cannot be combined with other paths")
    start = Path(args.stdin_filename) if reading_stdin and args.stdin_filename else paths[0]
    resolver = make_resolver(args)
    start_config = resolver.for_path(start if reading_stdin or start.exists() else Path.cwd())
    settings = start_config.settings
    if args.show_settings:
        write_settings(start, start_config, sys.stdout)
        return EXIT_CLEAN
    mode = "diff" if args.diff else "fix" if args.fix else "check"
    if args.add_noqa and mode != "check":
        raise ConfigError("--add-noqa cannot be combined with --fix or --diff")
    keep_text = args.format == "json"
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if not math.isfinite(args.file_timeout) or not 0 <= args.file_timeout <= MAX_SECONDS:
        raise ConfigError(f"--file-timeout must be between 0 (no limit) and {MAX_SECONDS:g} seconds, "
                          f"got {args.file_timeout!r}")

    if reading_stdin:
        display = args.stdin_filename or "-"
        path = Path(display)
        job = Job(path, display, with_project_facts(settings, args.stdin_filename), start_config.per_file_ignores(path), mode, args.unsafe_fixes,
                  stdin=args.filter_input if args.filter_input is not None else sys.stdin.buffer.read(), keep_text=keep_text, time_limit=args.file_timeout)
        results = run_jobs([job], 1)
    else:
        path_filter = PathFilter(resolver)
        missing = [p for p in paths if not p.exists() and not p.is_symlink()]
        if missing:
            raise ConfigError(f"{missing[0]}: no such file or directory")
        files = list(discover(paths, path_filter))
        if args.show_files:
            sys.stdout.writelines(f"{f}\n" for f in sorted(files, key=str))
            return EXIT_CLEAN
        # A fix writes through a symlink only into what was checked or into the file's project.
        checked = tuple(os.path.realpath(p if p.is_dir() else p.parent) for p in paths)
        # Configuration, project facts and write limits are per directory (a warm run over 15k
        # files would otherwise pay them per file); only per-file-ignores are matched per file.
        per_directory: dict[str, tuple[ResolvedConfig, Settings, tuple[str, ...]]] = {}
        jobs = []
        for f in files:
            directory = os.path.dirname(f)
            known = per_directory.get(directory)
            if known is None:
                config = resolver.for_file(f)
                known = per_directory[directory] = (config, with_project_facts(config.settings, f),
                                                    checked + (os.path.realpath(config.root),))
            config, file_settings, write_within = known
            jobs.append(Job(f, str(f), file_settings, config.per_file_ignores(f), mode, args.unsafe_fixes,
                            keep_text=keep_text, time_limit=args.file_timeout, write_within=write_within))
        use_cache = mode == "check" and not args.no_cache and not args.add_noqa
        progress = Progress(len(jobs), enabled=not args.quiet)
        try:
            results = run_cached(jobs, args.jobs or default_jobs(), Cache(cache_directory(args, start_config), keep_text) if use_cache else None,
                                 progress)
        finally:
            progress.close()
        if args.add_noqa:
            return _add_noqa(results, jobs)
    return _report(args, settings, results, mode)


def _add_noqa(results: list[FileResult], jobs: list[Job]) -> int:
    from apilint.cli.add_noqa import add_noqa
    from apilint.engine.source import SourceText, read_source, write_source

    added = 0
    for result, job in zip(results, jobs):
        if not any(f.code != "API000" for f in result.findings):
            continue
        if job.path.suffix == ".ipynb":
            # Positions are per cell and the file is JSON: adding comments needs the notebook writer.
            print(f"apilint: warning: {job.display}: --add-noqa does not edit notebooks; skipped", file=sys.stderr)
            continue
        try:
            source = read_source(job.path)
            text, count = add_noqa(source.text, result.findings)
            if count:
                write_source(job.path, SourceText(text, source.encoding), within=job.write_within)
                added += count
        except (OSError, Exception) as exc:  # noqa: BLE001 - report the file, go on with the others
            print(f"apilint: error: {job.display}: cannot add noqa: {exc}", file=sys.stderr)
    print(f"Added {added} noqa {'directive' if added == 1 else 'directives'}.")
    return EXIT_CLEAN


def _report(args: argparse.Namespace, settings: Settings, results: list[FileResult], mode: str) -> int:
    out = sys.stdout
    for result in results:
        for error in result.errors:
            print(f"apilint: error: {error}", file=sys.stderr)
    if mode == "diff":
        diffs = [r.diff for r in sorted(results, key=lambda r: r.display) if r.diff]
        out.write("".join(diffs))
        fixed = sum(sum(r.fixed.values()) for r in results)
        if not args.quiet:
            print(f"Would fix {fixed} {'error' if fixed == 1 else 'errors'}." if fixed else "No fixes to apply.",
                  file=sys.stderr)
        return EXIT_FINDINGS if diffs and not args.exit_zero else EXIT_CLEAN
    # With --fix on stdin the fixed source (or, when it could not be fixed, the input) goes to
    # stdout; everything else to stderr.
    stdin_fix = args.filter_input is not None
    if stdin_fix:
        output = next((r.output for r in results if r.output is not None), None)
        _write_filter_output(args, output if output is not None else args.filter_input)
    rows = sorted_findings(results)
    stream = sys.stderr if stdin_fix else out
    fixed_any = any(r.fixed for r in results)
    if args.fix_only:
        # ruff's --fix-only: say what was fixed, nothing about what remains, exit 0 (unless asked).
        fixed = sum(sum(r.fixed.values()) for r in results)
        if fixed and not args.quiet:
            print(f"Fixed {fixed} {'error' if fixed == 1 else 'errors'}.", file=stream)
        return EXIT_FINDINGS if fixed_any and args.exit_non_zero_on_fix else EXIT_CLEAN
    if args.format in ("json", "sarif", "github"):
        from apilint.cli import formats

        if not stdin_fix:
            if args.format == "json":
                formats.write_json(rows, settings, out)
            elif args.format == "sarif":
                formats.write_sarif(rows, out)
            else:
                formats.write_github(rows, out)
    else:
        style = Style(use_colour(stream))
        if args.statistics:
            # ruff's --statistics: the table alone (per-finding lines and the summary would repeat it).
            write_statistics(rows, settings, stream)
            return EXIT_FINDINGS if (rows and not args.exit_zero) or (fixed_any and args.exit_non_zero_on_fix) \
                else EXIT_CLEAN
        (write_grouped if args.format == "grouped" else write_text)(rows, stream, style)
        if args.show_fixes:
            write_fixes(results, rows, settings, mode == "fix", stream)
        if not args.quiet:
            print(summary(results, settings, fixing=mode == "fix", unsafe=args.unsafe_fixes), file=stream)
    if rows and not args.exit_zero:
        return EXIT_FINDINGS
    if fixed_any and args.exit_non_zero_on_fix:
        return EXIT_FINDINGS
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
