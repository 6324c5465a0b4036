"""What the flake8 plugin takes from where.

- Per file, the closest `pyproject.toml` with `[tool.apilint]` (as the CLI), then flake8's
  `--apilint-*` options (command line, `setup.cfg`, `tox.ini`, `.flake8`) on top.
- From `[tool.apilint]`: `select`/`extend-select`/`ignore` (on top of flake8's own selection),
  `per-file-ignores`, `exclude`/`extend-exclude` (gitignore-style, relative to that table's
  directory: a matching file gets no API findings), and every analysis option.
- Not applied, with a warning when set: `respect-gitignore` (flake8 chooses the files itself),
  `extend-safe-fixes`/`extend-unsafe-fixes` (flake8 does not fix).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from apilint.configuration import ConfigResolver, ResolvedConfig
from apilint.exclusion import PathFilter
from apilint.settings import ConfigError, Settings, parse_settings

# flake8 option name -> [tool.apilint] key. Values from flake8 override pyproject.toml.
FLAKE8_OPTIONS: dict[str, str] = {
    "apilint_timeout": "timeout",
    "apilint_backoff_factor": "backoff-factor",
    "apilint_max_delay": "max-delay",
    "apilint_broad_except": "broad-except",
    "apilint_target_version": "target-version",
    "apilint_response_check_order": "response-check-order",
    "apilint_extra_clients": "extra-clients",
}
# [tool.apilint] keys the plugin cannot apply, and why.
IGNORED_BY_FLAKE8: dict[str, str] = {
    "respect_gitignore": "flake8 chooses the files; use its --exclude",
    "extend_safe_fixes": "flake8 does not fix",
    "extend_unsafe_fixes": "flake8 does not fix",
}


def flake8_overrides(options: argparse.Namespace) -> dict[str, Any]:
    """The `--apilint-*` options that were given, as `[tool.apilint]` keys."""
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
    return overrides


def apply_overrides(base: Settings, overrides: dict[str, Any]) -> Settings:
    if not overrides:
        return base
    merged = parse_settings(overrides, "flake8 options", base)
    return replace(merged, origin=base.origin or "flake8 options")


class Flake8Files:
    """Per-file settings for the plugin (cached per directory), with the warnings printed once per table."""

    def __init__(self, options: argparse.Namespace) -> None:
        overrides = flake8_overrides(options)
        apply_overrides(Settings(), overrides)  # a bad option fails now, once, not per file
        self.resolver = ConfigResolver(override=lambda settings: apply_overrides(settings, overrides), lenient=True)
        self._filter = PathFilter(self.resolver)
        self._warned: set[str] = set()
        # A broken table fails now, before any file; its warnings print once, before flake8 forks its workers.
        self._warn_ignored_keys(self.resolver.for_directory(os.path.abspath(os.getcwd())))

    def for_file(self, filename: str) -> tuple[Settings, tuple[str, ...]] | None:
        """Settings and per-file ignores for `filename`; None when `exclude` covers it."""
        path = Path(os.getcwd()) if filename in ("-", "stdin", "") else Path(filename)
        config = self.resolver.for_path(path)
        self._warn_ignored_keys(config)
        if filename not in ("-", "stdin", "") and self._filter.excluded(path, defaults=False):
            return None
        return config.settings, config.per_file_ignores(path)

    def _warn_ignored_keys(self, config: ResolvedConfig) -> None:
        if config.source is None or str(config.source) in self._warned:
            return
        self._warned.add(str(config.source))
        defaults = Settings()
        for attr, reason in IGNORED_BY_FLAKE8.items():
            if getattr(config.settings, attr) != getattr(defaults, attr):
                key = attr.replace("_", "-")
                print(f"apilint: warning: {config.source}: [tool.apilint] {key} does not apply under flake8 ({reason})",
                      file=sys.stderr)
