"""The flake8 plugin (entry point `API`): a thin adapter over the engine.

flake8 hands us its `ast` tree (the pre-check is free) and the file's lines;
it applies `--select`/`--ignore`/`# noqa` itself. The plugin never raises
into flake8: a file the engine cannot analyse yields nothing (flake8 reports
syntax errors itself, as E999).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from apilint import __version__
from apilint.engine.engine import check_source
from apilint.settings import (
    TARGET_VERSIONS,
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    parse_settings,
)

# flake8 option name -> [tool.apilint] key. Values from flake8 override pyproject.toml.
FLAKE8_OPTIONS: dict[str, str] = {
    "apilint_timeout": "timeout",
    "apilint_backoff_factor": "backoff-factor",
    "apilint_max_delay": "max-delay",
    "apilint_broad_except": "broad-except",
    "apilint_target_version": "target-version",
    "apilint_extra_clients": "extra-clients",
}


class ApilintChecker:
    name = "apilint"
    version = __version__
    settings: ClassVar[Settings] = Settings()

    def __init__(self, tree: ast.AST, lines: list[str]) -> None:
        self.tree = tree
        self.lines = lines

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
        add("--apilint-extra-clients", parse_from_config=True, comma_separated_list=True, default=None,
            help="apilint: project client factories, as name=requests.Session pairs")

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        try:
            cls.settings = settings_from_flake8(options, Path.cwd())
        except ConfigError as exc:
            print(f"apilint: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        try:
            findings = check_source("".join(self.lines), self.settings, tree=self.tree, exact=False)
        except Exception:  # noqa: BLE001 - never raise into flake8; E999 covers syntax errors
            return
        for finding in findings:
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)


def settings_from_flake8(options: argparse.Namespace, cwd: Path) -> Settings:
    """[tool.apilint] from the nearest pyproject.toml, overridden by flake8's own options."""
    base = load_settings(find_pyproject(cwd))
    overrides: dict[str, Any] = {}
    for option, key in FLAKE8_OPTIONS.items():
        value = getattr(options, option, None)
        if value is None:
            continue
        if key == "extra-clients":
            pairs = [item.split("=", 1) for item in value if item]
            if any(len(p) != 2 for p in pairs):
                raise ConfigError(f"flake8 option --apilint-extra-clients: expected name=type pairs, got {value!r}")
            value = {name.strip(): kind.strip() for name, kind in pairs}
        overrides[key] = value
    if not overrides:
        return base
    merged = parse_settings(overrides, "flake8 options", base)
    return replace(merged, origin=base.origin or "flake8 options")
