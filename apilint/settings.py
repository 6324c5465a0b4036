"""Settings: `[tool.apilint]` in pyproject.toml, validated, shared by the CLI and the flake8 plugin."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


# Every code the catalogue defines (shared/spec/rules.md), implemented or not yet.
CATALOGUE_CODES = frozenset(
    {"API000", "API001", "API101", "API102", "API103", "API104", "API201", "API202", "API203", "API301", "API302", "API303",
     "API304", "API401", "API402", "API403", "API404", "API405", "API406"}
)
_SELECTOR = re.compile(r"^API[0-9]{0,3}$")
TARGET_VERSIONS = ("py310", "py311", "py312", "py313", "py314")


class ConfigError(Exception):
    """Invalid configuration: the message names the file and key."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("API",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    timeout: float = 10
    backoff_factor: float = 0.5
    max_delay: float = 60
    broad_except: str = "http"
    target_version: str = "py310"
    # API201: a status check counts only before the body use (v1 order); v2 default: anywhere in the function.
    response_check_order: bool = False
    # The lowest urllib3 major version the project supports (1 or 2); None: read from its declared
    # dependencies (apilint/project/dependencies.py). Decides advice needing urllib3 2 (principle 4).
    urllib3_version: int | None = None
    extra_clients: tuple[tuple[str, str], ...] = ()
    extend_safe_fixes: tuple[str, ...] = ()
    extend_unsafe_fixes: tuple[str, ...] = ()
    respect_gitignore: bool = True
    origin: str | None = field(default=None, compare=False)

    @property
    def extra_client_map(self) -> dict[str, str]:
        return dict(self.extra_clients)

    def extra_client_roots(self) -> frozenset[str]:
        return frozenset(name.split(".", 1)[0] for name, _ in self.extra_clients)

    def is_enabled(self, code: str, extra_ignores: tuple[str, ...] = ()) -> bool:
        """flake8/ruff semantics: the longest matching selector wins; ignore wins a tie."""
        chosen = _longest_match(code, self.select + self.extend_select)
        ignored = _longest_match(code, self.ignore + extra_ignores)
        return chosen > ignored

    def selects_explicitly(self, code: str) -> bool:
        """Selected by more than the family prefix (`API001` or `API0`, not `API`): opt-in rules need it."""
        return _longest_match(code, self.select + self.extend_select) > len("API")

    def timeout_literal(self) -> str:
        return _number_literal(self.timeout)


def _number_literal(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _longest_match(code: str, selectors: tuple[str, ...]) -> int:
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)


# -- validation ---------------------------------------------------------------

_KEYS: dict[str, str] = {f.name.replace("_", "-"): f.name for f in fields(Settings) if f.name != "origin"}


def _fail(origin: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{origin}: [tool.apilint] {key}: {problem}")


# Every number setting is a duration in seconds (a timeout, a wait, a backoff factor): a day is far
# beyond any sane value, and the bound keeps the literal a fix inserts short (`inf`, `nan` or a
# 309-digit integer would be an undefined name or an absurd wait in the fixed code).
MAX_SECONDS = 86_400.0


def _number(origin: str, key: str, value: Any, *, minimum: float = 0.0, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(origin, key, f"expected a number, got {value!r}")
    if (isinstance(value, float) and not math.isfinite(value)) or value > MAX_SECONDS:
        raise _fail(origin, key, f"must be a finite number of seconds <= {MAX_SECONDS:g}, got {value!r}")
    if value < minimum or (value == minimum and not allow_zero):
        bound = f">= {minimum}" if allow_zero else f"> {minimum}"
        raise _fail(origin, key, f"must be {bound}, got {value!r}")
    return value


def _selectors(origin: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise _fail(origin, key, f"expected a list of codes, got {value!r}")
    out = []
    for item in value:
        code = str(item).strip().upper() if isinstance(item, str) else None
        if code is None or not _SELECTOR.match(code) or (len(code) == 6 and code not in CATALOGUE_CODES):
            raise _fail(origin, key, f"unknown rule code or prefix {item!r} (codes look like 'API101' or 'API1')")
        out.append(code)
    return tuple(out)


def _strings(origin: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(origin, key, f"expected a list of strings, got {value!r}")
    return tuple(value)


def _choice(origin: str, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _fail(origin, key, f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
    return str(value)


def parse_settings(data: Mapping[str, Any], origin: str, base: Settings | None = None) -> Settings:
    """Validate a `[tool.apilint]` table (keys in kebab-case) into Settings."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            import difflib  # only to name a misspelt key

            close = difflib.get_close_matches(key, list(_KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _fail(origin, key, f"unknown key{hint}")
        attr = _KEYS[key]
        if key in ("select", "extend-select", "ignore", "extend-safe-fixes", "extend-unsafe-fixes"):
            values[attr] = _selectors(origin, key, value)
        elif key in ("exclude", "extend-exclude"):
            values[attr] = _strings(origin, key, value)
        elif key == "timeout" or key == "backoff-factor" or key == "max-delay":
            values[attr] = _number(origin, key, value)
        elif key == "broad-except":
            values[attr] = _choice(origin, key, value, ("http", "all"))
        elif key == "target-version":
            values[attr] = _choice(origin, key, value, TARGET_VERSIONS)
        elif key == "response-check-order":
            if not isinstance(value, bool):
                raise _fail(origin, key, f"expected true or false, got {value!r}")
            values[attr] = value
        elif key == "urllib3-version":
            if isinstance(value, bool) or value not in (1, 2):
                raise _fail(origin, key, f"expected 1 or 2 (the lowest urllib3 major version supported), got {value!r}")
            values[attr] = int(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise _fail(origin, key, f"expected a table of glob = [codes], got {value!r}")
            values[attr] = tuple((str(glob), _selectors(origin, f"{key}.{glob}", codes)) for glob, codes in value.items())
        elif key == "extra-clients":
            values[attr] = _extra_clients(origin, key, value)
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise _fail(origin, key, f"expected true or false, got {value!r}")
            values[attr] = value
        if key in ("ignore", "per-file-ignores"):
            _refuse_ignoring_api000(origin, key, values[attr])
    return replace(base or Settings(), origin=origin, **values)


def _refuse_ignoring_api000(origin: str, key: str, value: Any) -> None:
    """API000 (a file that cannot be analysed) is always reported, as ruff always reports syntax errors:
    ignoring it would turn "not checked" into "passed". The way to skip such a file is `exclude`."""
    groups = [codes for _, codes in value] if key == "per-file-ignores" else [value]
    if any("API000" in codes for codes in groups):
        raise _fail(origin, key, "API000 (cannot analyse) cannot be ignored: it says a file was not checked; "
                                 "exclude the file instead")


def _extra_clients(origin: str, key: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise _fail(origin, key, f"expected a table of 'factory.name' = 'requests.Session', got {value!r}")
    from apilint.knowledge.http_clients import CLIENT_ANNOTATIONS  # the library records: only when used

    out = []
    for name, kind in value.items():
        if not all(part.isidentifier() for part in str(name).split(".")):
            # A relative name ('.http.make_session') or a typo would silently match nothing.
            raise _fail(origin, f"{key}.{name}", "expected an absolute dotted name such as "
                                                 "'myapp.http.make_session' (relative names cannot be resolved)")
        if kind not in CLIENT_ANNOTATIONS:
            known = ", ".join(sorted(CLIENT_ANNOTATIONS))
            raise _fail(origin, f"{key}.{name}", f"unknown client type {kind!r} (one of: {known})")
        out.append((str(name), str(kind)))
    return tuple(sorted(out))


# -- discovery ----------------------------------------------------------------

def find_pyproject(start: Path, *, lenient: bool = False) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.apilint] table."""
    directory = start if start.is_dir() else start.parent
    for candidate in [directory, *directory.parents]:
        path = candidate / "pyproject.toml"
        if path.is_file() and has_apilint_table(path, lenient=lenient):
            return path
    return None


def has_apilint_table(path: Path, *, lenient: bool = False) -> bool:
    """Whether `path` (a pyproject.toml) has a [tool.apilint] table.

    A file that cannot be read, is not UTF-8, is not TOML or whose `tool` is not a table raises
    ConfigError (the CLI stops with one line naming it). `lenient` (the flake8 plugin, which must
    not break over another tool's file) warns once instead and treats it as having no table,
    unless the file mentions apilint: then it is our configuration, broken, and still an error.
    """
    try:
        return "apilint" in _tool_table(_read_toml(path), path)
    except ConfigError as exc:
        if not lenient or _mentions_apilint(path):
            raise
        if str(path) not in _warned:
            _warned.add(str(path))
            print(f"apilint: warning: {exc}; ignored (no [tool.apilint] table in it)", file=sys.stderr)
        return False


_warned: set[str] = set()


def _mentions_apilint(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return b"apilint" in fh.read(_MAX_CONFIG_BYTES)
    except OSError:
        return False


# A configuration file is small; a larger "pyproject.toml" is not one (and is not read whole).
_MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {_MAX_CONFIG_BYTES // 1024} KiB, not a configuration file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                          "TOML files must be UTF-8") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    return data


def _tool_table(data: dict[str, Any], path: Path) -> dict[str, Any]:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table ([tool.NAME] sections), got {_kind(tool)}")
    return tool


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}.get(
        type(value), type(value).__name__)


@lru_cache(maxsize=32)
def load_settings(config: Path | None) -> Settings:
    """Settings from a pyproject.toml's [tool.apilint] table (defaults when `config` is None)."""
    if config is None:
        return Settings()
    table = _tool_table(_read_toml(config), config).get("apilint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [tool.apilint] must be a table, got {_kind(table)}")
    return parse_settings(table, str(config))
