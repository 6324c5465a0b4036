"""urllib3: a pool built without `timeout=` waits forever (the socket default)."""

from __future__ import annotations

from apilint.knowledge.library_record import (
    ClientKind,
    ExceptionFacts,
    HttpLibrary,
    RequestFunction,
    ResponseFacts,
    RetryObjects,
    TimeoutObject,
)

NAME = "urllib3"
_POOLS = ("urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool",
          "urllib3.connectionpool.HTTPConnectionPool", "urllib3.connectionpool.HTTPSConnectionPool")

LIBRARY = HttpLibrary(
    name=NAME,
    version="urllib3 2.8.0 (poolmanager.py, connectionpool.py, _request_methods.py, util/timeout.py, util/retry.py, "
            "response.py, exceptions.py); 1.26 for positional parameters that differ",
    modules=("urllib3",),
    request_functions=(RequestFunction("urllib3.request", NAME, default_timeout=False),),
    clients=(ClientKind(
        name="urllib3.PoolManager",
        library=NAME,
        methods=frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
        # A pool without `timeout=` uses the socket default, which is "block forever".
        default_timeout=False,
        # HTTPConnectionPool.urlopen(method, url, body, headers, retries, redirect, assert_same_host, timeout, ...)
        positional_timeout=(("urlopen", 7),),
        constructors=("urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.poolmanager.PoolManager",
                      "urllib3.poolmanager.ProxyManager", *_POOLS,
                      "urllib3.connection_from_url", "urllib3.connectionpool.connection_from_url"),
        # 2.x `HTTPConnectionPool(host, port=None, timeout=...)`; 1.26 `(host, port=None, strict=False,
        # timeout=...)`: from the third positional argument on, it may be the timeout. PoolManager,
        # ProxyManager and connection_from_url take it by keyword only.
        constructor_positional_timeout=tuple((pool, 2) for pool in _POOLS),
        # _request_methods.py: request -> `self.request_encode_url(...)` or `self.request_encode_body(...)`
        # (by method) with `**urlopen_kw`; both -> `self.urlopen(method, url, **extra_kw)`;
        # connectionpool.py: HTTPConnectionPool.urlopen -> `self._make_request(conn, ..., timeout=timeout_obj)`
        # (PoolManager.urlopen hands it to a pool, another object).
        timeout_delegations=(
            ("request", ("request_encode_url", "request_encode_body")),
            ("request_encode_url", ("urlopen",)), ("request_encode_body", ("urlopen",)),
            ("urlopen", ("_make_request",)),
        ),
    ),),
    response=ResponseFacts(
        body_attributes=frozenset({"data", "json"}),
        status_attributes=frozenset({"status", "reason"}),
        raise_for_status=False,
        raise_for_status_chainable=False,
    ),
    exceptions=ExceptionFacts(
        modules=("urllib3", "urllib3.exceptions"),
        base="urllib3.exceptions.HTTPError",
        base_import="urllib3",
        builtin_replacements=(
            ("builtins.ConnectionError", "urllib3.exceptions.NewConnectionError"),
            ("builtins.TimeoutError", "urllib3.exceptions.TimeoutError"),
        ),
        read_timeout="urllib3.exceptions.ReadTimeoutError",
    ),
    # Timeout(total, connect, read); Timeout() keeps finite defaults of the pool.
    timeout_objects=(TimeoutObject(("urllib3.Timeout", "urllib3.util.Timeout", "urllib3.util.timeout.Timeout"),
                                   ("total", "connect", "read"), empty_is_unbounded=False),),
    retries=RetryObjects(urllib3_retry=("urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry")),
)
