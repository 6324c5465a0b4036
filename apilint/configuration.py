"""Which settings apply to which file: the closest `pyproject.toml` with `[tool.apilint]`, as in ruff.

Every file is governed by the nearest `pyproject.toml` at or above its directory
that has a `[tool.apilint]` table; patterns in that table (`exclude`,
`per-file-ignores`) are relative to that file's directory. `--config FILE`
applies one file to every path (patterns relative to its directory), and
`--isolated` uses the defaults everywhere. Command-line overrides (`--select`, …)
are applied on top of whichever table a file gets. Lookups are cached per
directory, so a run costs one `stat` per directory, not per file.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apilint.settings import ConfigError, Settings, has_apilint_table, load_settings

Override = Callable[[Settings], Settings]


@dataclass(frozen=True)
class ResolvedConfig:
    """The settings for a file, the directory their patterns are relative to, and where they came from."""

    settings: Settings
    root: Path
    source: Path | None  # the pyproject.toml; None: the defaults

    def relative(self, path: Path | str) -> str | None:
        """`path` relative to the config's directory (posix), or None when it lies outside it."""
        absolute = os.path.normpath(os.path.abspath(path))
        root = str(self.root)
        if absolute == root:
            return ""
        prefix = root if root.endswith(os.sep) else root + os.sep
        if not absolute.startswith(prefix):
            return None
        return absolute[len(prefix):].replace(os.sep, "/")

    def per_file_ignores(self, path: Path | str) -> tuple[str, ...]:
        """Codes `per-file-ignores` disables for `path` (globs match its relative path or its name)."""
        if not self.settings.per_file_ignores:
            return ()
        relative = self.relative(path)
        name = os.path.basename(os.fspath(path))
        codes: list[str] = []
        for pattern, ignored in self.settings.per_file_ignores:
            if (relative is not None and fnmatch.fnmatchcase(relative, pattern)) or fnmatch.fnmatchcase(name, pattern):
                codes.extend(ignored)
        return tuple(codes)


class ConfigResolver:
    """Settings per file: the closest `[tool.apilint]` table, `--config` for all, or `--isolated` defaults."""

    def __init__(self, *, config: Path | None = None, isolated: bool = False,
                 override: Override | None = None, cwd: Path | None = None, lenient: bool = False) -> None:
        # lenient: a broken pyproject.toml that does not mention apilint is warned about and passed
        # over (the flake8 plugin must not break over another tool's file); otherwise it is an error.
        self._lenient = lenient
        self._override: Override = override or (lambda settings: settings)
        self._cwd = Path(os.path.abspath(cwd or Path.cwd()))
        self._by_directory: dict[str, ResolvedConfig] = {}
        self._fixed: ResolvedConfig | None = None
        if isolated:
            self._fixed = ResolvedConfig(self._override(Settings()), self._cwd, None)
        elif config is not None:
            if not config.is_file():
                raise ConfigError(f"{config}: no such configuration file")
            if not has_apilint_table(config):
                raise ConfigError(f"{config}: no [tool.apilint] table (--config needs a pyproject.toml that has one)")
            self._fixed = self._load(Path(os.path.abspath(config)))
        self._default = ResolvedConfig(self._override(Settings()), self._cwd, None)

    @property
    def single(self) -> ResolvedConfig | None:
        """The one configuration every file gets (`--config`, `--isolated`), if any."""
        return self._fixed

    def for_path(self, path: Path | str) -> ResolvedConfig:
        """The configuration governing a file (or directory) at `path`."""
        if self._fixed is not None:
            return self._fixed
        absolute = os.path.normpath(os.path.abspath(path))
        directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        return self.for_directory(directory)

    def for_file(self, path: Path | str) -> ResolvedConfig:
        """The configuration governing the file at `path` (no `stat`: discovery already knows it is a file)."""
        if self._fixed is not None:
            return self._fixed
        return self.for_directory(os.path.dirname(os.path.normpath(os.path.abspath(path))))

    def for_directory(self, directory: str) -> ResolvedConfig:
        """The configuration for files directly inside `directory` (an absolute, normalised path)."""
        if self._fixed is not None:
            return self._fixed
        found = self._by_directory.get(directory)
        if found is not None:
            return found
        candidate = Path(directory, "pyproject.toml")
        if candidate.is_file() and has_apilint_table(candidate, lenient=self._lenient):
            found = self._load(candidate)
        else:
            parent = os.path.dirname(directory)
            found = self._default if parent == directory else self.for_directory(parent)
        self._by_directory[directory] = found
        return found

    def _load(self, pyproject: Path) -> ResolvedConfig:
        return ResolvedConfig(self._override(load_settings(pyproject)), pyproject.parent, pyproject)
