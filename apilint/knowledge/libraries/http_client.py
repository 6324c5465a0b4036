"""http.client: the connection constructor takes the timeout; without one it waits forever."""

from __future__ import annotations

from apilint.knowledge.library_record import ExceptionFacts, HttpLibrary, RequestFunction

NAME = "http.client"

LIBRARY = HttpLibrary(
    name=NAME,
    version="Python 3.10-3.13 standard library (http/client.py)",
    modules=("http.client",),
    request_functions=(),
    clients=(),
    # getresponse() returns a raw HTTPResponse: its status checks are not modelled.
    response=None,
    exceptions=ExceptionFacts(
        modules=("http.client",),
        base="http.client.HTTPException",
        base_import="http.client",
        # Connection failures and timeouts arrive as the socket's builtin OSError subclasses.
        raises_builtins=True,
    ),
    # HTTPConnection(host, port=None, timeout=...).
    connections=tuple(RequestFunction(f"http.client.{cls}", NAME, default_timeout=False, positional_timeout=2)
                      for cls in ("HTTPConnection", "HTTPSConnection")),
)
