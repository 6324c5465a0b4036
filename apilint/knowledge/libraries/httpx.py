"""httpx: every request has a default timeout (5 s); `timeout=None` disables it."""

from __future__ import annotations

from apilint.knowledge.library_record import (
    VERB_METHODS,
    ClientKind,
    ExceptionFacts,
    HttpLibrary,
    ResponseFacts,
    RetryObjects,
    TimeoutObject,
    functions,
)


def httpx_family(root: str, version: str, extra_verbs: frozenset[str] = frozenset(),
                 behaves_like: str | None = None) -> HttpLibrary:
    """A library with httpx's API under the module `root` (httpx, httpx2): the same facts by data.

    Read from httpx 0.28.1 and httpx2 2.16.2 alike: `_config.py` (DEFAULT_TIMEOUT_CONFIG =
    Timeout(timeout=5.0); `Timeout(None)` bounds nothing; `Timeout()` is an error), `_client.py`
    (methods default to USE_CLIENT_DEFAULT, "`timeout=None` will ensure no timeout is used"),
    `_api.py`, `_models.py`, `_exceptions.py`, `_transports/default.py` (`retries=0`).
    """
    methods = VERB_METHODS | {"send", "stream"} | extra_verbs
    # _client.py (httpx and httpx2 alike): each verb -> `self.request(..., timeout=timeout)`; request and
    # stream -> `self.build_request(..., timeout=timeout)` (send takes no timeout).
    delegations = (*((verb, ("request",)) for verb in sorted(methods - {"request", "send", "stream"})),
                   ("request", ("build_request",)), ("stream", ("build_request",)))
    clients = tuple(
        ClientKind(name=f"{root}.{cls}", library=root, methods=methods, default_timeout=True,
                   constructors=(f"{root}.{cls}",), timeout_delegations=delegations)
        for cls in ("Client", "AsyncClient")
    )
    return HttpLibrary(
        name=root,
        version=version,
        modules=(root,),
        request_functions=functions(root, (root,), VERB_METHODS | {"stream"} | extra_verbs, default_timeout=True),
        clients=clients,
        response=ResponseFacts(
            body_attributes=frozenset({
                "json", "text", "content", "iter_bytes", "iter_text", "iter_lines", "iter_raw", "read",
                "aread", "aiter_bytes", "aiter_text", "aiter_lines", "aiter_raw",
            }),
            status_attributes=frozenset({"status_code", "is_success", "is_error", "is_client_error",
                                         "is_server_error"}),
            raise_for_status=True,
            raise_for_status_chainable=True,
            status_codes=(f"{root}.codes",),
        ),
        exceptions=ExceptionFacts(
            modules=(root,),
            base=f"{root}.HTTPError",
            base_import=root,
            builtin_replacements=(
                ("builtins.ConnectionError", f"{root}.ConnectError"),
                ("builtins.TimeoutError", f"{root}.TimeoutException"),
            ),
            status_error=f"{root}.HTTPStatusError",
            read_timeout=f"{root}.ReadTimeout",
        ),
        # Timeout(timeout, *, connect, read, write, pool)
        timeout_objects=(TimeoutObject((f"{root}.Timeout",), ("timeout", "connect", "read", "write", "pool"),
                                       empty_is_unbounded=False),),
        retries=RetryObjects(transports=(f"{root}.HTTPTransport", f"{root}.AsyncHTTPTransport")),
        behaves_like=behaves_like,
    )


LIBRARY = httpx_family("httpx", "httpx 0.28.1 (_config.py, _client.py, _api.py, _models.py, _exceptions.py, "
                                "_transports/default.py; httpcore 1.0.9 connection retries)")
