"""The command line's view of configuration: per-file settings with overrides, `--show-settings`, the cache place."""

from __future__ import annotations

import argparse
import os
from dataclasses import fields, replace
from pathlib import Path
from typing import TextIO

from apilint.cli.cache import CACHE_DIR
from apilint.configuration import ConfigResolver, ResolvedConfig
from apilint.settings import ConfigError, Settings, _selectors

CACHE_DIR_VARIABLE = "APILINT_CACHE_DIR"


def _codes(option: str, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = [v for v in (part.strip() for part in value.split(",")) if v]
    return _selectors("command line", option, items)


def make_resolver(args: argparse.Namespace) -> ConfigResolver:
    """Per-file settings (closest `[tool.apilint]`, or `--config`/`--isolated`) with command-line overrides."""
    select = _codes("--select", args.select)
    extend = _codes("--extend-select", args.extend_select)
    ignore = _codes("--ignore", args.ignore)
    if ignore is not None and "API000" in ignore:
        raise ConfigError("--ignore: API000 (cannot analyse) cannot be ignored: it says a file was not checked; "
                          "exclude the file instead")

    def override(settings: Settings) -> Settings:
        if select is not None:
            settings = replace(settings, select=select, extend_select=())
        if extend is not None:
            settings = replace(settings, extend_select=settings.extend_select + extend)
        if ignore is not None:
            settings = replace(settings, ignore=settings.ignore + ignore)
        return settings

    return ConfigResolver(config=args.config, isolated=args.isolated, override=override)


def cache_directory(args: argparse.Namespace, start: ResolvedConfig) -> Path:
    """`--cache-dir`, else `$APILINT_CACHE_DIR`, else `.apilint_cache` next to the configuration (or in the cwd)."""
    if args.cache_dir is not None:
        return Path(args.cache_dir)
    from_environment = os.environ.get(CACHE_DIR_VARIABLE)
    if from_environment:
        return Path(from_environment)
    return start.root / CACHE_DIR


def write_settings(path: Path, config: ResolvedConfig, out: TextIO) -> None:
    """`--show-settings`: the settings a file gets and the file they come from (ruff's `--show-settings`)."""
    out.write(f"Resolved settings for: {path}\n")
    out.write(f"Settings path: {config.source if config.source is not None else '(defaults: no [tool.apilint] found)'}\n")
    out.write(f"Patterns relative to: {config.root}\n\n")
    for item in fields(Settings):
        if item.name == "origin":
            continue
        out.write(f"{item.name.replace('_', '-')} = {_show(getattr(config.settings, item.name))}\n")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return "{ " + ", ".join(f"{_show(k)} = {_show(v)}" for k, v in value) + " }" if value else "{}"
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
