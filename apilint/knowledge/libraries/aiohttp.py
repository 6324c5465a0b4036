"""aiohttp: sessions have a default timeout; `ClientSession(timeout=None)` keeps it."""

from __future__ import annotations

from apilint.knowledge.library_record import (
    VERB_METHODS,
    ClientKind,
    ExceptionFacts,
    HttpLibrary,
    ResponseFacts,
    TimeoutObject,
)

NAME = "aiohttp"

LIBRARY = HttpLibrary(
    name=NAME,
    # client.py: DEFAULT_TIMEOUT = ClientTimeout(total=5 * 60, sock_connect=30); ClientSession.__init__
    # `if timeout is sentinel or timeout is None: self._timeout = DEFAULT_TIMEOUT`; a request's
    # `timeout=None` becomes ClientTimeout(total=None), which bounds nothing.
    version="aiohttp 3.14.5 (client.py, client_reqrep.py, client_exceptions.py)",
    modules=("aiohttp",),
    request_functions=(),
    clients=(ClientKind(
        name="aiohttp.ClientSession",
        library=NAME,
        methods=VERB_METHODS,
        default_timeout=True,
        constructors=("aiohttp.ClientSession", "aiohttp.client.ClientSession"),
        constructor_none_keeps_default=True,
        raise_for_status_keyword="raise_for_status",
        # client.py: request and each verb -> `self._request(method, url, **kwargs)`.
        timeout_delegations=tuple((verb, ("_request",)) for verb in sorted(VERB_METHODS)),
    ),),
    response=ResponseFacts(
        body_attributes=frozenset({"json", "text", "read", "content"}),
        status_attributes=frozenset({"status", "ok", "reason"}),
        raise_for_status=True,
        # A discarded `await session.post(...)` response must be released: appending a call is no fix.
        raise_for_status_chainable=False,
    ),
    exceptions=ExceptionFacts(
        modules=("aiohttp", "aiohttp.client_exceptions"),
        base="aiohttp.ClientError",
        base_import="aiohttp",
        status_error="aiohttp.client_exceptions.ClientResponseError",
    ),
    # ClientTimeout(total, connect, sock_read, sock_connect, ceil_threshold); every bound defaults to None.
    timeout_objects=(TimeoutObject(("aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"),
                                   ("total", "connect", "sock_read", "sock_connect"), empty_is_unbounded=True),),
)
