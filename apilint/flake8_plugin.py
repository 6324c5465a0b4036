"""The flake8 plugin (entry point `API`): a thin adapter over the engine.

flake8 hands us its `ast` tree (the pre-check is free) and the file's lines;
it applies `--select`/`--ignore`/`# noqa` itself. The plugin never raises
into flake8, and never hides a failure: a file the engine cannot analyse, or
an internal error, is one API000 finding on line 1, as in the CLI. (flake8 reports
syntax errors itself, as E999, and then runs no plugin.)
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from apilint import __version__
from apilint.engine.findings import CANNOT_ANALYSE, AnalysisError
from apilint.engine.guards import DEFAULT_FILE_TIMEOUT, TimeLimitExceeded, time_limit
from apilint.engine.source import MAX_FILE_BYTES
from apilint.cli.cache import CACHE_DIR, Cache, content_digest
from apilint.cli.configured import CACHE_DIR_VARIABLE
from apilint.flake8_config import FLAKE8_OPTIONS, Flake8Files, apply_overrides, flake8_overrides
from apilint.project.dependencies import with_project_facts
from apilint.project.root import fingerprint_for
from apilint.settings import (
    MAX_SECONDS,
    TARGET_VERSIONS,
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
)

__all__ = ["FLAKE8_OPTIONS", "ApilintChecker", "settings_from_flake8"]


class ApilintChecker:
    name = "apilint"
    version = __version__
    settings: ClassVar[Settings] = Settings()
    files: ClassVar[Flake8Files | None] = None  # per-file settings, set by parse_options
    file_timeout: ClassVar[float] = DEFAULT_FILE_TIMEOUT
    cache: ClassVar[Cache | None] = None  # findings and summaries kept across runs (None: --apilint-no-cache)
    index_ready: ClassVar[bool] = False

    def __init__(self, tree: ast.AST, lines: list[str], filename: str = "-") -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        add = manager.add_option
        add("--apilint-timeout", type=float, parse_from_config=True, default=None,
            help="apilint: timeout (seconds) the API101 fix inserts (default 10)")
        add("--apilint-backoff-factor", type=float, parse_from_config=True, default=None,
            help="apilint: backoff_factor the API401 fix inserts (default 0.5)")
        add("--apilint-max-delay", type=float, parse_from_config=True, default=None,
            help="apilint: longest acceptable wait between retries, seconds (default 60)")
        add("--apilint-broad-except", choices=("http", "all"), parse_from_config=True, default=None,
            help="apilint: report broad handlers only around HTTP calls (http) or everywhere (all)")
        add("--apilint-target-version", choices=TARGET_VERSIONS, parse_from_config=True, default=None,
            help="apilint: oldest Python version the code runs on (default py310)")
        add("--apilint-response-check-order", action="store_true", parse_from_config=True, default=None,
            help="apilint: API201 counts a status check only before the body use (the v1 order)")
        add("--apilint-extra-clients", parse_from_config=True, comma_separated_list=True, default=None,
            help="apilint: project client factories, as name=requests.Session pairs")
        add("--apilint-no-cache", action="store_true", parse_from_config=True, default=False,
            help="apilint: neither read nor write findings and module summaries in the cache "
                 "(as the CLI's --no-cache)")
        add("--apilint-file-timeout", type=float, parse_from_config=True, default=None,
            help="apilint: skip (and report as API000) a file whose analysis takes longer, seconds "
                 "(default 30, as the CLI's --file-timeout; 0: no limit)")

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        try:
            cls.settings = settings_from_flake8(options, Path.cwd())
            cls.files = Flake8Files(options)
            cls.file_timeout = _file_timeout(getattr(options, "apilint_file_timeout", None))
            # flake8's -j workers each build the project index they need; through the cache they share
            # its module summaries (in this run and the next), not the work. A file whose text, settings
            # and project did not change is answered from the cache, as by the CLI.
            cls.cache = None if getattr(options, "apilint_no_cache", False) else Cache(_cache_top())
            cls.index_ready = False  # the index's summaries are told where they are kept on first use
        except ConfigError as exc:
            print(f"apilint: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        try:
            configured = self.files.for_file(self.filename) if self.files is not None else (self.settings, ())
            if configured is None:
                return  # `exclude` in [tool.apilint] covers this file
            settings, ignores = configured
            settings = with_project_facts(settings, self.filename)  # principle 4: versions the project supports
            text = "".join(self.lines)
            # The CLI's guards: a file too large is not analysed, one too slow is abandoned; both reported.
            size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
            if size > MAX_FILE_BYTES:
                yield _cannot_analyse(f"file too large ({size // 1024} KiB > {MAX_FILE_BYTES // 1024} KiB), skipped")
                return
            reads_file = self.filename not in ("", "stdin", "-")
            key = _cache_key(text, settings, ignores, self.filename) if self.cache is not None and reads_file else None
            findings = self.cache.get_file(key) if self.cache is not None and key is not None else None
            if findings is None:
                # The engine (and libcst) only when a file is analysed: a run answered from the cache,
                # such as a pre-commit hook on unchanged files, does not import them.
                from apilint.engine.engine import check_source, enabled_rules
                from apilint.project.build import keep_summaries, view_for

                if not ApilintChecker.index_ready:
                    keep_summaries(self.cache.summary_files() if self.cache is not None else None)
                    ApilintChecker.index_ready = True
                rules = enabled_rules(settings, ignores)  # [tool.apilint] select/ignore and per-file-ignores
                # The file's project (built once per process, only when a file is analysed): names from
                # its other modules resolve as in the CLI.
                project = view_for(self.filename) if reads_file else None
                with time_limit(self.file_timeout):
                    findings = check_source(text, settings, rules, tree=self.tree, exact=False, project=project)
                if self.cache is not None and key is not None:
                    self.cache.put_file(key, findings)
        except TimeLimitExceeded:
            yield _cannot_analyse(f"analysis took longer than {self.file_timeout:g}s, skipped")
            return
        except AnalysisError as exc:
            yield _cannot_analyse(str(exc))
            return
        except RecursionError:
            yield _cannot_analyse("nesting too deep")
            return
        except Exception as exc:  # noqa: BLE001 - never raise into flake8, never hide it: API000 names it
            yield _cannot_analyse(f"internal error: {type(exc).__name__}: {exc}")
            return
        for finding in findings:
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)


def _cache_key(text: str, settings: Settings, ignores: tuple[str, ...], filename: str) -> str:
    """The CLI's key (text, per-file ignores, settings, project fingerprint, path) for the plugin's findings."""
    data = text.encode("utf-8", "surrogatepass")
    return Cache.key(content_digest(data), ignores, settings, fingerprint_for(filename), os.path.abspath(filename))


def _cache_top() -> Path:
    """The CLI's cache directory when run from here: `$APILINT_CACHE_DIR`, else `.apilint_cache` in the cwd."""
    return Path(os.environ.get(CACHE_DIR_VARIABLE) or CACHE_DIR)


def _file_timeout(value: float | None) -> float:
    if value is None:
        return DEFAULT_FILE_TIMEOUT
    if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        raise ConfigError(f"flake8 option --apilint-file-timeout: must be between 0 (no limit) and {MAX_SECONDS:g} "
                          f"seconds, got {value!r}")
    return value


def _cannot_analyse(reason: str) -> tuple[int, int, str, type[Any]]:
    """The CLI's API000 report (cli/runner.py), in flake8's shape."""
    return 1, 0, f"{CANNOT_ANALYSE} cannot analyse: {reason}", ApilintChecker


def settings_from_flake8(options: argparse.Namespace, cwd: Path) -> Settings:
    """[tool.apilint] from the nearest pyproject.toml, overridden by flake8's own options."""
    return apply_overrides(load_settings(find_pyproject(cwd, lenient=True)), flake8_overrides(options))
