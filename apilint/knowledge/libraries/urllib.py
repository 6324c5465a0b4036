"""urllib.request: `urlopen` waits forever without a timeout and raises for 4xx/5xx by itself."""

from __future__ import annotations

from apilint.knowledge.library_record import ExceptionFacts, HttpLibrary, RequestFunction, ResponseFacts

NAME = "urllib"

LIBRARY = HttpLibrary(
    name=NAME,
    version="Python 3.10-3.13 standard library (urllib/request.py, urllib/error.py)",
    modules=("urllib.request",),
    # urlopen(url, data=None, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, ...): the timeout may be the third
    # positional argument; the global default is "no timeout" unless socket.setdefaulttimeout() ran.
    request_functions=(RequestFunction("urllib.request.urlopen", NAME, default_timeout=False, positional_timeout=2),),
    clients=(),
    response=ResponseFacts(
        body_attributes=frozenset(),
        status_attributes=frozenset({"status"}),
        raise_for_status=False,
        raise_for_status_chainable=False,
        # HTTPDefaultErrorHandler raises HTTPError for every status >= 400.
        raises_on_error_status=True,
    ),
    exceptions=ExceptionFacts(
        modules=("urllib.error",),
        base="urllib.error.URLError",
        base_import="urllib.error",
    ),
)
