"""What counts as an HTTP call: the tables every rule resolves names against, derived from the records.

Qualified names are the dotted paths a module's imports can bind
(`requests.get`, `requests.api.get`, `urllib3.poolmanager.PoolManager`).
Each library's facts live in one record (`apilint/knowledge/libraries/<name>.py`); this module
only indexes them. Rules never hard-code library names; they ask these tables and the records.
"""

from __future__ import annotations

from apilint.knowledge.libraries import BY_NAME, RECORDS
from apilint.knowledge.library_record import (
    ClientKind,
    HttpLibrary,
    Library,
    RequestFunction,
    TimeoutObject,
)

__all__ = [
    "CLIENT_ANNOTATIONS", "CLIENT_CONSTRUCTORS", "CONNECTION_CONSTRUCTORS", "CONSTRUCTOR_POSITIONAL_TIMEOUT",
    "DEFAULT_TIMEOUT_ROOTS", "HTTP_MODULE_ROOTS", "REQUEST_CALL_NAMES", "REQUEST_FUNCTIONS", "TIMEOUT_CONSTRUCTORS",
    "TIMEOUT_OBJECTS", "ClientKind", "HttpLibrary", "Library", "RequestFunction", "SUBMODULE_ROOTS",
    "library_of", "record",
]


def record(library: Library) -> HttpLibrary:
    """The record of a library named by `HttpCall.library` / `ClientKind.library`."""
    return BY_NAME[library]


# Constructors (and factory functions) that return a client object.
CLIENT_CONSTRUCTORS: dict[str, ClientKind] = {
    name: kind for lib in RECORDS for kind in lib.clients for name in kind.constructors
}

# Names usable in annotations (`session: requests.Session`) and as base classes: the classes.
CLIENT_ANNOTATIONS: dict[str, ClientKind] = {
    name: kind for name, kind in CLIENT_CONSTRUCTORS.items() if name.rsplit(".", 1)[1][0].isupper()
}

# Client constructors that may take the timeout positionally: index of the first positional
# argument that may be it (a constructor given that many or more has a timeout, or may have).
CONSTRUCTOR_POSITIONAL_TIMEOUT: dict[str, int] = {
    name: index for lib in RECORDS for kind in lib.clients for name, index in kind.constructor_positional_timeout
}

REQUEST_FUNCTIONS: dict[str, RequestFunction] = {f.name: f for lib in RECORDS for f in lib.request_functions}

# Constructors that open a connection and take the timeout themselves (`http.client.HTTPConnection`).
CONNECTION_CONSTRUCTORS: dict[str, RequestFunction] = {f.name: f for lib in RECORDS for f in lib.connections}

# Constructors of timeout objects, and the object's facts.
TIMEOUT_OBJECTS: dict[str, TimeoutObject] = {
    name: obj for lib in RECORDS for obj in lib.timeout_objects for name in obj.names
}
# ... and which of their arguments bound a wait.
TIMEOUT_CONSTRUCTORS: dict[str, tuple[str, ...]] = {name: obj.bounds for name, obj in TIMEOUT_OBJECTS.items()}

# Top-level modules whose import makes a file worth analysing.
HTTP_MODULE_ROOTS: frozenset[str] = frozenset().union(*(lib.roots for lib in RECORDS))

# Roots whose library lives in a submodule of a package mostly imported for other things
# (`urllib` for urllib.parse, `http` for HTTPStatus), with the submodule names that reach it.
SUBMODULE_ROOTS: dict[str, frozenset[str]] = {}
for _lib in RECORDS:
    for _module in _lib.modules:
        _root, _, _rest = _module.partition(".")
        if _rest:
            SUBMODULE_ROOTS[_root] = SUBMODULE_ROOTS.get(_root, frozenset()) | {_rest.split(".", 1)[0]}

# Roots of libraries all of whose requests have a default timeout: their calls are never API101.
DEFAULT_TIMEOUT_ROOTS: frozenset[str] = frozenset().union(
    *(lib.roots for lib in RECORDS if lib.all_default_timeouts())
) - frozenset().union(*(lib.roots for lib in RECORDS if not lib.all_default_timeouts()))

# Every method or function name that can send a request: a cheap filter for the pre-check.
REQUEST_CALL_NAMES: frozenset[str] = frozenset(
    {name.rsplit(".", 1)[1] for name in REQUEST_FUNCTIONS}
    | {name.rsplit(".", 1)[1] for name in CONNECTION_CONSTRUCTORS}
    | frozenset().union(*(kind.methods for kind in CLIENT_CONSTRUCTORS.values()))
)


def library_of(qualified_name: str) -> Library | None:
    """The HTTP library a qualified name belongs to, if any."""
    for lib in sorted(RECORDS, key=lambda r: -max(len(m) for m in r.modules)):
        if lib.owns(qualified_name):
            return lib.name
    return None
