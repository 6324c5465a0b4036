"""Exception hierarchies: the generated table plus what differs by Python version, and library bases."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from apilint.knowledge.exception_hierarchy import ALIASES, CLASSES
from apilint.knowledge.http_clients import Library

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


@lru_cache(maxsize=8)
def hierarchy(target_version: str) -> Hierarchy:
    if target_version == "py310":
        return Hierarchy({**CLASSES, **_PY310_CLASSES}, {**ALIASES, **_PY310_ALIASES})
    return Hierarchy(CLASSES, ALIASES)


# The narrowest class that covers every failure of a library's calls, as users should spell it.
LIBRARY_BASE: dict[Library, str] = {
    Library.REQUESTS: "requests.exceptions.RequestException",
    Library.HTTPX: "httpx.HTTPError",
    Library.AIOHTTP: "aiohttp.ClientError",
    Library.URLLIB3: "urllib3.exceptions.HTTPError",
    Library.URLLIB: "urllib.error.URLError",
    Library.HTTP_CLIENT: "http.client.HTTPException",
}

# API303: what to catch instead of the builtin ConnectionError / TimeoutError, per library.
LIBRARY_REPLACEMENT: dict[Library, dict[str, str]] = {
    Library.REQUESTS: {
        "builtins.ConnectionError": "requests.exceptions.ConnectionError",
        "builtins.TimeoutError": "requests.exceptions.Timeout",
    },
    Library.HTTPX: {"builtins.ConnectionError": "httpx.ConnectError", "builtins.TimeoutError": "httpx.TimeoutException"},
    Library.URLLIB3: {
        "builtins.ConnectionError": "urllib3.exceptions.NewConnectionError",
        "builtins.TimeoutError": "urllib3.exceptions.TimeoutError",
    },
}
