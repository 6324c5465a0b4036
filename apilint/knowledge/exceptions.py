"""Exception hierarchies: the generated table plus what differs by Python version, and library bases."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from apilint.knowledge.exception_hierarchy import ALIASES, CLASSES
from apilint.knowledge.libraries import RECORDS
from apilint.knowledge.library_record import Library

BASE_EXCEPTION = "builtins.BaseException"
EXCEPTION = "builtins.Exception"

# The table is generated on Python 3.11+. On 3.10 two timeouts were still classes of their own
# (they became aliases of the builtin TimeoutError in 3.11); code that supports 3.10 needs both.
_PY310_CLASSES = {
    "asyncio.exceptions.TimeoutError": ("asyncio.exceptions.TimeoutError", EXCEPTION, BASE_EXCEPTION),
    "concurrent.futures._base.TimeoutError": (
        "concurrent.futures._base.TimeoutError", "concurrent.futures._base.Error", EXCEPTION, BASE_EXCEPTION,
    ),
}
_PY310_ALIASES = {
    "asyncio.TimeoutError": "asyncio.exceptions.TimeoutError",
    "asyncio.exceptions.TimeoutError": "asyncio.exceptions.TimeoutError",
    "concurrent.futures.TimeoutError": "concurrent.futures._base.TimeoutError",
    "concurrent.futures._base.TimeoutError": "concurrent.futures._base.TimeoutError",
}


@dataclass(frozen=True)
class Hierarchy:
    classes: dict[str, tuple[str, ...]]
    aliases: dict[str, str]

    def canonical(self, qualified_name: str) -> str | None:
        return self.aliases.get(qualified_name)

    def ancestors(self, canonical: str) -> tuple[str, ...]:
        return self.classes.get(canonical, (canonical,))


# Classes a record declares itself (a library the generated table does not cover), spelled canonically.
_RECORD_CLASSES = {name: mro for lib in RECORDS for name, mro in lib.exceptions.extra_classes}
_RECORD_ALIASES = {name: name for name in _RECORD_CLASSES}


@lru_cache(maxsize=8)
def hierarchy(target_version: str) -> Hierarchy:
    classes = {**CLASSES, **_RECORD_CLASSES}
    aliases = {**ALIASES, **_RECORD_ALIASES}
    if target_version == "py310":
        return Hierarchy({**classes, **_PY310_CLASSES}, {**aliases, **_PY310_ALIASES})
    return Hierarchy(classes, aliases)


# The narrowest class that covers every failure of a library's calls, as users should spell it.
LIBRARY_BASE: dict[Library, str] = {lib.name: lib.exceptions.base for lib in RECORDS}

# The module to import so that the base class can be spelled (`import urllib.error`).
LIBRARY_BASE_IMPORT: dict[Library, str] = {lib.name: lib.exceptions.base_import for lib in RECORDS}

# API303: what to catch instead of the builtin ConnectionError / TimeoutError, per library.
LIBRARY_REPLACEMENT: dict[Library, dict[str, str]] = {
    lib.name: dict(lib.exceptions.builtin_replacements) for lib in RECORDS if lib.exceptions.builtin_replacements
}

# Classes raised for an error status by raise_for_status(), and for a response that did not arrive in time.
STATUS_ERROR_CLASSES: frozenset[str] = frozenset(
    lib.exceptions.status_error for lib in RECORDS if lib.exceptions.status_error is not None
)
READ_TIMEOUT_CLASSES: frozenset[str] = frozenset(
    lib.exceptions.read_timeout for lib in RECORDS if lib.exceptions.read_timeout is not None
)

# Qualified-name prefixes of the libraries whose calls let the builtin OSError subclasses through.
RAISES_BUILTINS_PREFIXES: tuple[str, ...] = tuple(
    sorted(f"{module}." for lib in RECORDS if lib.exceptions.raises_builtins for module in lib.modules)
)
