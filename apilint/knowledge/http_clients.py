"""What counts as an HTTP call: the table every rule resolves names against.

Qualified names are the dotted paths a module's imports can bind
(`requests.get`, `requests.api.get`, `urllib3.poolmanager.PoolManager`).
Rules never hard-code library names; they ask this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Library(str, Enum):
    REQUESTS = "requests"
    HTTPX = "httpx"
    AIOHTTP = "aiohttp"
    URLLIB3 = "urllib3"
    URLLIB = "urllib"
    HTTP_CLIENT = "http.client"


@dataclass(frozen=True)
class ClientKind:
    """A client object type: what builds it and which of its methods send requests."""

    name: str
    library: Library
    methods: frozenset[str]
    # True when the library applies a finite timeout unless told otherwise.
    default_timeout: bool
    # 0-based index of `timeout` among a method's positional parameters, per method.
    positional_timeout: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class RequestFunction:
    """A module-level function that sends a request."""

    name: str
    library: Library
    default_timeout: bool
    positional_timeout: int | None = None


_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

REQUESTS_SESSION = ClientKind(
    name="requests.Session",
    library=Library.REQUESTS,
    methods=_VERBS | {"send"},
    default_timeout=False,
    # Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...)
    positional_timeout=(("request", 8),),
)
HTTPX_CLIENT = ClientKind(
    name="httpx.Client", library=Library.HTTPX, methods=_VERBS | {"send", "stream"}, default_timeout=True
)
HTTPX_ASYNC_CLIENT = ClientKind(
    name="httpx.AsyncClient", library=Library.HTTPX, methods=_VERBS | {"send", "stream"}, default_timeout=True
)
AIOHTTP_SESSION = ClientKind(
    name="aiohttp.ClientSession", library=Library.AIOHTTP, methods=_VERBS, default_timeout=True
)
URLLIB3_POOL = ClientKind(
    name="urllib3.PoolManager",
    library=Library.URLLIB3,
    methods=frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    # A pool without `timeout=` uses the socket default, which is "block forever".
    default_timeout=False,
    # HTTPConnectionPool.urlopen(method, url, body, headers, retries, redirect, assert_same_host, timeout, ...)
    positional_timeout=(("urlopen", 7),),
)

# Constructors (and factory functions) that return a client object.
CLIENT_CONSTRUCTORS: dict[str, ClientKind] = {
    "requests.Session": REQUESTS_SESSION,
    "requests.session": REQUESTS_SESSION,
    "requests.sessions.Session": REQUESTS_SESSION,
    "requests.sessions.session": REQUESTS_SESSION,
    "httpx.Client": HTTPX_CLIENT,
    "httpx.AsyncClient": HTTPX_ASYNC_CLIENT,
    "aiohttp.ClientSession": AIOHTTP_SESSION,
    "aiohttp.client.ClientSession": AIOHTTP_SESSION,
    "urllib3.PoolManager": URLLIB3_POOL,
    "urllib3.ProxyManager": URLLIB3_POOL,
    "urllib3.poolmanager.PoolManager": URLLIB3_POOL,
    "urllib3.poolmanager.ProxyManager": URLLIB3_POOL,
    "urllib3.HTTPConnectionPool": URLLIB3_POOL,
    "urllib3.HTTPSConnectionPool": URLLIB3_POOL,
    "urllib3.connectionpool.HTTPConnectionPool": URLLIB3_POOL,
    "urllib3.connectionpool.HTTPSConnectionPool": URLLIB3_POOL,
    "urllib3.connection_from_url": URLLIB3_POOL,
    "urllib3.connectionpool.connection_from_url": URLLIB3_POOL,
}

# Client constructors that may take the timeout positionally: index of the first positional
# argument that may be it (a constructor given that many or more has a timeout, or may have).
# urllib3 2.x `HTTPConnectionPool(host, port=None, timeout=...)`; 1.26 `(host, port=None,
# strict=False, timeout=...)`. PoolManager, ProxyManager and connection_from_url take it by keyword only.
CONSTRUCTOR_POSITIONAL_TIMEOUT: dict[str, int] = {
    "urllib3.HTTPConnectionPool": 2,
    "urllib3.HTTPSConnectionPool": 2,
    "urllib3.connectionpool.HTTPConnectionPool": 2,
    "urllib3.connectionpool.HTTPSConnectionPool": 2,
}

# Names usable in annotations (`session: requests.Session`) to declare a client.
CLIENT_ANNOTATIONS: dict[str, ClientKind] = {
    name: kind for name, kind in CLIENT_CONSTRUCTORS.items() if name.rsplit(".", 1)[1][0].isupper()
}


def _functions(library: Library, module: str, names: frozenset[str], default_timeout: bool) -> dict[str, RequestFunction]:
    return {
        f"{module}.{name}": RequestFunction(f"{module}.{name}", library, default_timeout) for name in sorted(names)
    }


REQUEST_FUNCTIONS: dict[str, RequestFunction] = {
    **_functions(Library.REQUESTS, "requests", _VERBS, False),
    **_functions(Library.REQUESTS, "requests.api", _VERBS, False),
    **_functions(Library.HTTPX, "httpx", _VERBS | {"stream"}, True),
    "urllib3.request": RequestFunction("urllib3.request", Library.URLLIB3, False),
    # urlopen(url, data=None, timeout=...): the timeout may be the third positional argument.
    "urllib.request.urlopen": RequestFunction("urllib.request.urlopen", Library.URLLIB, False, positional_timeout=2),
}

# Constructors that open a connection and take the timeout themselves.
# HTTPConnection(host, port=None, timeout=...).
CONNECTION_CONSTRUCTORS: dict[str, RequestFunction] = {
    "http.client.HTTPConnection": RequestFunction(
        "http.client.HTTPConnection", Library.HTTP_CLIENT, False, positional_timeout=2
    ),
    "http.client.HTTPSConnection": RequestFunction(
        "http.client.HTTPSConnection", Library.HTTP_CLIENT, False, positional_timeout=2
    ),
}

# Constructors of timeout objects, and which of their arguments bound a wait.
TIMEOUT_CONSTRUCTORS: dict[str, tuple[str, ...]] = {
    # httpx.Timeout(timeout, *, connect, read, write, pool)
    "httpx.Timeout": ("timeout", "connect", "read", "write", "pool"),
    # aiohttp.ClientTimeout(total, connect, sock_read, sock_connect, ceil_threshold)
    "aiohttp.ClientTimeout": ("total", "connect", "sock_read", "sock_connect"),
    "aiohttp.client.ClientTimeout": ("total", "connect", "sock_read", "sock_connect"),
    # urllib3.Timeout(total, connect, read)
    "urllib3.Timeout": ("total", "connect", "read"),
    "urllib3.util.Timeout": ("total", "connect", "read"),
    "urllib3.util.timeout.Timeout": ("total", "connect", "read"),
}

# Top-level modules whose import makes a file worth analysing.
HTTP_MODULE_ROOTS: frozenset[str] = frozenset({"requests", "httpx", "aiohttp", "urllib3", "urllib", "http"})

# Every method or function name that can send a request: a cheap filter for the pre-check.
REQUEST_CALL_NAMES: frozenset[str] = frozenset(
    {name.rsplit(".", 1)[1] for name in REQUEST_FUNCTIONS}
    | {name.rsplit(".", 1)[1] for name in CONNECTION_CONSTRUCTORS}
    | REQUESTS_SESSION.methods
    | URLLIB3_POOL.methods
    | HTTPX_CLIENT.methods
)


def library_of(qualified_name: str) -> Library | None:
    """The HTTP library a qualified name belongs to, if any."""
    for library in sorted(Library, key=lambda lib: -len(lib.value)):
        if qualified_name == library.value or qualified_name.startswith(library.value + "."):
            return library
    return None
