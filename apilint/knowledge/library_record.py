"""The shape of one HTTP library's record: everything the rules know about it, as data.

Each library is one `HttpLibrary` in `apilint/knowledge/libraries/<name>.py`; the tables the
resolver, the pre-check and the rules read (`http_clients.py`, `responses.py`, `exceptions.py`,
`retries.py`) are derived from the records. A rule asks a record ("does this client have a default
timeout?"), never names a library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A library's name: the `name` of its record (`"requests"`, `"http.client"`).
Library = str


@dataclass(frozen=True)
class RequestFunction:
    """A module-level function that sends a request (or a constructor that opens a connection)."""

    name: str
    library: Library
    # True when the function applies a finite timeout when given none.
    default_timeout: bool
    # 0-based index of `timeout` among its positional parameters, if it can be given positionally.
    positional_timeout: int | None = None
    # True when `timeout=None` also means "the default" (not "wait forever").
    none_keeps_default: bool = False


@dataclass(frozen=True)
class ClientKind:
    """A client object type: what builds it and which of its methods send requests."""

    name: str
    library: Library
    methods: frozenset[str]
    # True when the client applies a finite timeout to a request given none.
    default_timeout: bool
    # 0-based index of `timeout` among a method's positional parameters, per method.
    positional_timeout: tuple[tuple[str, int], ...] = ()
    # Classes and factory functions (qualified names) that return this client. Capitalised
    # last parts are classes: usable in annotations and as base classes too.
    constructors: tuple[str, ...] = ()
    # Constructors that may take the timeout positionally: index of that argument.
    constructor_positional_timeout: tuple[tuple[str, int], ...] = ()
    # Methods that send without the client's default timeout (niquests `Session.send`).
    untimed_methods: frozenset[str] = frozenset()
    # `Client(timeout=None)` keeps the library default instead of disabling it (aiohttp, niquests).
    constructor_none_keeps_default: bool = False
    # `client.get(url, timeout=None)` keeps the default instead of disabling it (niquests).
    call_none_keeps_default: bool = False
    # True when `client.timeout = N` is silently ignored by the library (requests.Session).
    timeout_attribute_ignored: bool = False
    # Constructor keyword that makes every response raise for an error status (aiohttp).
    raise_for_status_keyword: str | None = None
    # Methods that hand a `timeout` they were given on to other methods of the same object (read
    # from the library's source): `requests.Session.get` -> `self.request(..., **kwargs)` -> `self.send(
    # prep, timeout=...)`. A subclass that defines one of those with a signature that cannot take
    # `timeout=` turns a `timeout=` added to the first call into a TypeError (API101's fix).
    timeout_delegations: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sends_with_default(self, method: str) -> bool:
        return self.default_timeout and method not in self.untimed_methods

    def timeout_path(self, method: str) -> frozenset[str]:
        """`method` and every method of the same object a `timeout=` given to it may reach."""
        delegations = dict(self.timeout_delegations)
        reached = {method}
        pending = [method]
        while pending:
            for callee in delegations.get(pending.pop(), ()):
                if callee not in reached:
                    reached.add(callee)
                    pending.append(callee)
        return frozenset(reached)

    def timeout_receivers(self) -> frozenset[str]:
        """Every method a `timeout=` given to a request method of this client may reach."""
        return frozenset().union(*(self.timeout_path(method) for method in self.methods))


@dataclass(frozen=True)
class TimeoutObject:
    """A timeout configuration class and which of its arguments bound a wait."""

    names: tuple[str, ...]
    bounds: tuple[str, ...]
    # True when calling it with no bound at all gives "no timeout" (aiohttp.ClientTimeout()); False
    # when that is an error (httpx.Timeout()) or keeps finite defaults (urllib3.Timeout()).
    empty_is_unbounded: bool


@dataclass(frozen=True)
class ResponseFacts:
    """What the library's response object offers."""

    # Attributes and methods that read the body (API201).
    body_attributes: frozenset[str]
    # Attributes whose test is a status check.
    status_attributes: frozenset[str]
    # True when the response has `raise_for_status()`.
    raise_for_status: bool
    # True when `.raise_for_status()` can be appended to a discarded request expression (API202 fix).
    raise_for_status_chainable: bool
    # True when the library raises for 4xx/5xx by itself (urllib.request.urlopen): nothing to check.
    raises_on_error_status: bool = False
    # Namespaces whose attributes name statuses (`requests.codes.TOO_MANY_REQUESTS`), qualified.
    status_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExceptionFacts:
    """The library's exceptions; their class hierarchy is generated into exception_hierarchy.py."""

    # Modules whose public exception classes scripts/generate_exception_table.py reads.
    modules: tuple[str, ...]
    # The narrowest class covering every failure of the library's calls, as users spell it.
    base: str
    # The module to import so that `base` can be spelled (`import urllib.error`).
    base_import: str
    # What to catch instead of the builtin ConnectionError / TimeoutError (API303); empty: no advice.
    builtin_replacements: tuple[tuple[str, str], ...] = ()
    # The class raised for an error status by raise_for_status(), if any.
    status_error: str | None = None
    # The class raised when a response does not arrive in time.
    read_timeout: str | None = None
    # True when the library's calls let the builtin OSError subclasses through (socket errors).
    raises_builtins: bool = False
    # Hierarchy entries of classes the generated table does not hold (a record not generated).
    extra_classes: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class RetryObjects:
    """Where the library configures retries (their analysis is in semantic/retry_config.py)."""

    # Classes with urllib3 `Retry`'s parameters and defaults.
    urllib3_retry: tuple[str, ...] = ()
    # Adapters taking `max_retries=` (an int or a Retry), mounted on a session.
    adapters: tuple[str, ...] = ()
    # Transports taking `retries=N` connection retries (backed off by the connection layer).
    transports: tuple[str, ...] = ()


@dataclass(frozen=True)
class HttpLibrary:
    """One HTTP library: every fact the rules use, and where the facts were read."""

    name: Library
    # The distribution and version the facts were read from, and the files read.
    version: str
    # Modules whose import binds the library (`requests`, `urllib.request`).
    modules: tuple[str, ...]
    request_functions: tuple[RequestFunction, ...]
    clients: tuple[ClientKind, ...]
    response: ResponseFacts | None
    exceptions: ExceptionFacts
    # Constructors that open a connection and take the timeout themselves (http.client).
    connections: tuple[RequestFunction, ...] = ()
    timeout_objects: tuple[TimeoutObject, ...] = ()
    # True when `timeout=(connect, read)` is accepted, so a `None` read part disables the read timeout.
    timeout_tuple: bool = False
    retries: RetryObjects = field(default_factory=RetryObjects)
    # Named when the library is a drop-in replacement of another (documentation; facts are its own).
    behaves_like: str | None = None

    @property
    def roots(self) -> frozenset[str]:
        return frozenset(module.split(".", 1)[0] for module in self.modules)

    def owns(self, qualified_name: str) -> bool:
        return any(qualified_name == m or qualified_name.startswith(m + ".") for m in self.modules)

    def all_default_timeouts(self) -> bool:
        """True when every request the library can send has a default timeout."""
        return (all(f.default_timeout for f in (*self.request_functions, *self.connections))
                and all(c.default_timeout and not c.untimed_methods for c in self.clients))


# The request methods most clients share, by name.
VERB_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})


def functions(library: Library, modules: tuple[str, ...], names: frozenset[str], default_timeout: bool,
              none_keeps_default: bool = False) -> tuple[RequestFunction, ...]:
    """The same request functions exported from several modules (`requests.get`, `requests.api.get`)."""
    return tuple(RequestFunction(f"{module}.{name}", library, default_timeout, None, none_keeps_default)
                 for module in modules for name in sorted(names))
