"""niquests: the drop-in replacement for requests, with default timeouts.

Read from niquests 3.21.2: `_constant.py` (READ_DEFAULT_TIMEOUT = 30 for GET/HEAD/OPTIONS,
WRITE_DEFAULT_TIMEOUT = 120 for the others), `api.py`/`async_api.py` (every function defaults
`timeout` to one of them), `sessions.py`/`async_session.py` (`Session(timeout=None)`;
`request()` sends `timeout or self.timeout` and replaces a remaining None with the default, so
`timeout=None` never disables it; `send()` has no default: adapters.py turns None into
`TimeoutSauce(connect=None, read=None)`; `self.timeout` is a real attribute), `exceptions.py`.
Its `RetryConfiguration` and `TimeoutConfiguration` are urllib3-future's Retry and Timeout, read
from urllib3-future 2.25.904 (`util/retry.py`, `util/timeout.py`): the same parameters, order,
defaults (total=10, backoff_factor=0, backoff_max=120, backoff_jitter=0) and backoff formula as
urllib3 2.x. `Session(retries=N)` itself is not modelled.
"""

from __future__ import annotations

from dataclasses import replace

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
from apilint.knowledge.libraries.requests import RESPONSE as REQUESTS_RESPONSE

NAME = "niquests"
_METHODS = VERB_METHODS | {"query"}
# `niquests.packages.urllib3` aliases urllib3-future (packages.py); __init__.py re-exports two classes.
_RETRY_SPELLINGS = ("RetryConfiguration", "packages.urllib3.Retry", "packages.urllib3.util.Retry",
                    "packages.urllib3.util.retry.Retry")
_TIMEOUT_SPELLINGS = ("TimeoutConfiguration", "packages.urllib3.Timeout", "packages.urllib3.util.Timeout",
                      "packages.urllib3.util.timeout.Timeout")
_ASYNC_ALIASES = frozenset(f"a{name}" for name in _METHODS)  # `from .async_api import get as aget`
SESSION = ClientKind(
    name="niquests.Session",
    library=NAME,
    methods=_METHODS | {"send"},
    default_timeout=True,
    # Session.request(method, url, params, data, headers, cookies, files, auth, timeout, ...), as requests.
    positional_timeout=(("request", 8),),
    constructors=("niquests.Session", "niquests.sessions.Session",
                  "niquests.AsyncSession", "niquests.async_session.AsyncSession"),
    untimed_methods=frozenset({"send"}),
    constructor_none_keeps_default=True,
    call_none_keeps_default=True,
    # sessions.py and async_session.py, as requests: each verb -> `self.request(..., timeout=timeout)`;
    # request -> `self.send(prep, **send_kwargs)`; send -> `self.resolve_redirects(..., **kwargs)` ->
    # `self.send(..., timeout=timeout)`.
    timeout_delegations=(
        *((verb, ("request",)) for verb in sorted(_METHODS - {"request"})),
        ("request", ("send",)), ("send", ("resolve_redirects",)), ("resolve_redirects", ("send",)),
    ),
)

LIBRARY = HttpLibrary(
    name=NAME,
    version="niquests 3.21.2 (_constant.py, api.py, async_api.py, sessions.py, async_session.py, adapters.py, "
            "models.py, exceptions.py); urllib3-future 2.25.904 (util/retry.py, util/timeout.py)",
    modules=("niquests",),
    request_functions=(
        *functions(NAME, ("niquests", "niquests.api", "niquests.async_api"), _METHODS, default_timeout=True,
                   none_keeps_default=True),
        *functions(NAME, ("niquests",), _ASYNC_ALIASES, default_timeout=True, none_keeps_default=True),
    ),
    clients=(SESSION,),
    # models.py: Response/AsyncResponse offer requests' accessors and raise_for_status(); status_codes.py.
    response=replace(REQUESTS_RESPONSE, status_codes=("niquests.codes", "niquests.status_codes.codes")),
    exceptions=ExceptionFacts(
        modules=("niquests", "niquests.exceptions"),
        base="niquests.exceptions.RequestException",
        base_import="niquests",
        builtin_replacements=(
            ("builtins.ConnectionError", "niquests.exceptions.ConnectionError"),
            ("builtins.TimeoutError", "niquests.exceptions.Timeout"),
        ),
        status_error="niquests.exceptions.HTTPError",
        read_timeout="niquests.exceptions.ReadTimeout",
    ),
    # adapters.py accepts (connect, read) and (connect, read, total); a None read part is unbounded.
    timeout_tuple=True,
    # urllib3-future Timeout(total=None, connect=_DEFAULT, read=_DEFAULT), as urllib3's.
    timeout_objects=(TimeoutObject(tuple(f"niquests.{name}" for name in _TIMEOUT_SPELLINGS), ("total", "connect", "read"),
                                   empty_is_unbounded=False),),
    retries=RetryObjects(
        urllib3_retry=tuple(f"niquests.{name}" for name in _RETRY_SPELLINGS),
        adapters=("niquests.adapters.HTTPAdapter", "niquests.adapters.AsyncHTTPAdapter"),
    ),
    behaves_like="requests",
)
