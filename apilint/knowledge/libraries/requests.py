"""requests: no default timeout anywhere; `Session.timeout` is not an attribute requests reads."""

from __future__ import annotations

from apilint.knowledge.library_record import (
    VERB_METHODS,
    ClientKind,
    ExceptionFacts,
    HttpLibrary,
    ResponseFacts,
    RetryObjects,
    functions,
)

NAME = "requests"
SESSION = ClientKind(
    name="requests.Session",
    library=NAME,
    methods=VERB_METHODS | {"send"},
    default_timeout=False,
    # Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...)
    positional_timeout=(("request", 8),),
    constructors=("requests.Session", "requests.session", "requests.sessions.Session", "requests.sessions.session"),
    timeout_attribute_ignored=True,
    # sessions.py: each verb -> `self.request(..., **kwargs)`; request -> `self.send(prep, **send_kwargs)`
    # (timeout in send_kwargs); send -> `self.resolve_redirects(r, request, **kwargs)` -> `self.send(...,
    # timeout=timeout)`.
    timeout_delegations=(
        *((verb, ("request",)) for verb in sorted(VERB_METHODS - {"request"})),
        ("request", ("send",)), ("send", ("resolve_redirects",)), ("resolve_redirects", ("send",)),
    ),
)
# models.py Response; status_codes.py `codes`.
RESPONSE = ResponseFacts(
    body_attributes=frozenset({"json", "text", "content", "iter_content", "iter_lines", "raw"}),
    status_attributes=frozenset({"status_code", "ok", "reason"}),
    raise_for_status=True,
    raise_for_status_chainable=True,
    status_codes=("requests.codes", "requests.status_codes.codes"),
)

LIBRARY = HttpLibrary(
    name=NAME,
    version="requests 2.34.2 (api.py, sessions.py, adapters.py, models.py, exceptions.py)",
    modules=("requests",),
    request_functions=functions(NAME, ("requests", "requests.api"), VERB_METHODS, default_timeout=False),
    clients=(SESSION,),
    response=RESPONSE,
    exceptions=ExceptionFacts(
        modules=("requests", "requests.exceptions"),
        base="requests.exceptions.RequestException",
        base_import="requests",
        builtin_replacements=(
            ("builtins.ConnectionError", "requests.exceptions.ConnectionError"),
            ("builtins.TimeoutError", "requests.exceptions.Timeout"),
        ),
        status_error="requests.exceptions.HTTPError",
        read_timeout="requests.exceptions.ReadTimeout",
    ),
    timeout_tuple=True,
    retries=RetryObjects(
        # requests re-exports urllib3's Retry (adapters.py: `from urllib3.util.retry import Retry`).
        urllib3_retry=("requests.adapters.Retry", "requests.packages.urllib3.util.retry.Retry",
                       "requests.packages.urllib3.Retry", "requests.packages.urllib3.util.Retry"),
        adapters=("requests.adapters.HTTPAdapter", "requests.HTTPAdapter"),
    ),
)
