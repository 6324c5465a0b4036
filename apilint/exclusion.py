"""Which paths are skipped: `exclude` patterns with gitignore semantics, the default excludes, `.gitignore`.

- `exclude`/`extend-exclude` are gitignore-style patterns (the `pathspec` library) relative to the
  directory of the configuration that governs the path: `generated` skips every `generated`
  directory and what is inside it, `/generated` only the top one, `*.pb.py` such files anywhere.
  They apply to files named on the command line too (pre-commit passes every staged file).
- The default excludes (`.git`, virtualenvs, `build`, …) are patterns of the same kind.
- With `respect-gitignore` (default true, as in ruff), what git ignores is skipped while walking a
  directory: the `.gitignore` files from the repository's root down to the file, and
  `.git/info/exclude`. Files named explicitly are checked even when git ignores them (as ruff does).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from apilint.configuration import ConfigResolver, ResolvedConfig

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "build", "dist",
    "__pycache__", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".apilint_cache",
    "site-packages", "__pypackages__", "_build", "buck-out",
)
# The defaults are plain names: while walking (every ancestor already passed), only the entry's name counts.
_DEFAULT_NAMES = frozenset(DEFAULT_EXCLUDES)


def _spec(lines: list[str] | tuple[str, ...]) -> GitIgnoreSpec:
    # pathspec is imported only when a pattern is used: a warm run over a directory with no
    # configured excludes and no .gitignore does not pay for it.
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


@lru_cache(maxsize=1)
def _default_spec() -> GitIgnoreSpec:
    return _spec(DEFAULT_EXCLUDES)


class PathFilter:
    """Decides, per path, whether discovery skips it; every lookup is cached per directory."""

    def __init__(self, resolver: ConfigResolver) -> None:
        self.resolver = resolver
        self._specs: dict[int, tuple[ResolvedConfig, GitIgnoreSpec | None]] = {}
        self._git_roots: dict[str, str | None] = {}
        self._gitignores: dict[str, GitIgnoreSpec | None] = {}
        self._chains: dict[str, list[tuple[str, GitIgnoreSpec]]] = {}
        self._absolute: dict[str, str] = {}

    def excluded(self, path: Path, *, defaults: bool = True) -> bool:
        """A path named on the command line: the default (unless `defaults` is False) and configured
        excludes apply, not .gitignore."""
        absolute = os.path.normpath(os.path.abspath(path))
        is_dir = os.path.isdir(absolute)
        config = self.resolver.for_path(absolute)
        relative = config.relative(absolute)
        if relative is None:  # outside the configuration's directory: judge the path as it was written
            relative = os.path.normpath(path).replace(os.sep, "/").lstrip("/")
        if relative in ("", "."):
            return False
        return self._matches(config, relative + ("/" if is_dir else ""), defaults=defaults)

    def skips(self, directory: str, name: str, is_dir: bool) -> bool:
        """An entry met while walking `directory` (as given): excludes, then `.gitignore`."""
        if name in _DEFAULT_NAMES:
            return True
        parent = self._absolute.get(directory)
        if parent is None:
            parent = self._absolute[directory] = os.path.normpath(os.path.abspath(directory))
        config = self.resolver.for_directory(parent)
        spec = self._configured(config)
        if spec is not None:
            relative = config.relative(os.path.join(parent, name))
            if relative is not None and spec.match_file(relative + ("/" if is_dir else "")):
                return True
        return config.settings.respect_gitignore and self._gitignored(parent, name, is_dir)

    def unreachable(self, path: Path) -> bool:
        """True when checking the directory of `path`'s configuration would not reach `path`: it, or a
        directory between that directory and it, is excluded, git-ignored or a virtualenv (an editor
        opens files one by one; the walk would have skipped them)."""
        if self.excluded(path):
            return True
        absolute = os.path.normpath(os.path.abspath(path))
        config = self.resolver.for_path(absolute)
        relative = config.relative(absolute)
        if not relative:
            return False  # outside the configuration's directory: only the path itself counts
        current = str(config.root)
        parts = relative.split("/")
        for depth, part in enumerate(parts):
            is_dir = depth < len(parts) - 1
            if self.skips(current, part, is_dir):
                return True
            current = os.path.join(current, part)
            if is_dir and os.path.isfile(os.path.join(current, "pyvenv.cfg")):
                return True
        return False

    def _matches(self, config: ResolvedConfig, relative: str, *, defaults: bool = True) -> bool:
        if defaults and _default_spec().match_file(relative):
            return True
        spec = self._configured(config)
        return spec is not None and spec.match_file(relative)

    def _configured(self, config: ResolvedConfig) -> GitIgnoreSpec | None:
        cached = self._specs.get(id(config))
        if cached is None:
            patterns = config.settings.exclude + config.settings.extend_exclude
            cached = (config, _spec(patterns) if patterns else None)
            self._specs[id(config)] = cached  # the config is kept alive with its spec, so its id stays unique
        return cached[1]

    # -- .gitignore ---------------------------------------------------------------------------

    def _gitignored(self, parent: str, name: str, is_dir: bool) -> bool:
        root = self._git_root(parent)
        if root is None:
            return False  # not in a git repository: git ignores nothing
        ignored = False
        suffix = "/" if is_dir else ""
        for directory, spec in self._gitignore_chain(root, parent):
            relative = os.path.relpath(os.path.join(parent, name), directory).replace(os.sep, "/")
            verdict = spec.check_file(relative + suffix).include
            if verdict is not None:
                ignored = verdict  # a deeper .gitignore (or a later line) overrides an earlier one
        return ignored

    def _git_root(self, directory: str) -> str | None:
        if directory in self._git_roots:
            return self._git_roots[directory]
        if os.path.exists(os.path.join(directory, ".git")):
            root: str | None = directory
        else:
            parent = os.path.dirname(directory)
            root = None if parent == directory else self._git_root(parent)
        self._git_roots[directory] = root
        return root

    def _gitignore_chain(self, root: str, directory: str) -> list[tuple[str, GitIgnoreSpec]]:
        """(directory, spec) for `.git/info/exclude` and every `.gitignore` from `root` down to `directory`."""
        cached = self._chains.get(directory)
        if cached is not None:
            return cached
        chain: list[tuple[str, GitIgnoreSpec]] = []
        info = self._gitignore_file(os.path.join(root, ".git", "info", "exclude"))
        if info is not None:
            chain.append((root, info))
        relative = os.path.relpath(directory, root)
        current = root
        for part in ([] if relative == "." else relative.split(os.sep)) + [None]:
            spec = self._gitignore_file(os.path.join(current, ".gitignore"))
            if spec is not None:
                chain.append((current, spec))
            if part is not None:
                current = os.path.join(current, part)
        self._chains[directory] = chain
        return chain

    def _gitignore_file(self, path: str) -> GitIgnoreSpec | None:
        if path not in self._gitignores:
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    self._gitignores[path] = _spec(fh.read().splitlines())
            except OSError:
                self._gitignores[path] = None
        return self._gitignores[path]
