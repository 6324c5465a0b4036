"""Retry knowledge: which statuses are worth retrying, which methods are idempotent, library defaults."""

from __future__ import annotations

from apilint.knowledge.exceptions import STATUS_ERROR_CLASSES as _LIBRARY_STATUS_ERRORS
from apilint.knowledge.libraries import RECORDS
from apilint.knowledge.library_record import RetryObjects

# RFC 9110 / common practice: a retry can succeed for these; other 4xx fail the same way again.
# 413 too: RFC 9110 §15.5.14 lets the server say with Retry-After that the condition is temporary,
# and urllib3 retries it as one of its Retry.RETRY_AFTER_STATUS_CODES (413, 429, 503).
RETRYABLE_CLIENT_ERRORS = frozenset({408, 413, 425, 429})
# The 4xx codes registered with IANA (RFC 9110, 6585, 8470, 7725, 4918, 2817): only these have a
# meaning a retry can be judged by. Unregistered ones (nginx 499, Twitter's 420 rate limit) are
# unknown (principle 1): retrying them is not reported.
REGISTERED_CLIENT_ERRORS = frozenset({*range(400, 418), 421, 422, 423, 424, 425, 426, 428, 429, 431, 451})
# Every status registered with IANA as a failure (4xx above, 5xx from RFC 9110, 2774, 6585, 8470).
# Going round on an unregistered one (Cloudflare's 524 "no data yet" on a stream) is not a proven
# failure retry: its meaning is unknown (principle 1).
REGISTERED_FAILURES = REGISTERED_CLIENT_ERRORS | frozenset({*range(500, 509), 510, 511})
# Statuses whose responses may carry Retry-After (RFC 9110 §10.2.3).
RETRY_AFTER_STATUSES = frozenset({429, 503})
# RFC 9110 §9.2.2 idempotent methods; retrying the others can repeat a write.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
NON_IDEMPOTENT_METHODS = frozenset({"POST", "PATCH"})

# Library defaults, read from: urllib3 2.8.0 (urllib3/util/retry.py), tenacity 9.1 (tenacity/__init__.py),
# backoff 2.2.1 (backoff/_decorator.py), requests 2.34.2 (adapters.py), httpx 0.28.1 (_transports/default.py).
URLLIB3_DEFAULT_TOTAL = 10  # Retry(total=10): what HTTPAdapter/PoolManager use unless told otherwise
URLLIB3_RETRY_DEFAULTS = {
    "total": URLLIB3_DEFAULT_TOTAL,
    "backoff_factor": 0.0,
    "backoff_max": 120.0,  # Retry.DEFAULT_BACKOFF_MAX (see URLLIB3_BACKOFF_MAX)
    "backoff_jitter": 0.0,
    "respect_retry_after_header": True,
    "allowed_methods": frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"}),
}
# The ceiling on one urllib3 backoff wait, by major version, read from urllib3/util/retry.py of
# urllib3 1.26.20 (`DEFAULT_BACKOFF_MAX = 120`, class attribute, not settable per Retry) and 2.5.0
# (`DEFAULT_BACKOFF_MAX = 120`, the default of `Retry(backoff_max=...)`). Both wait
# `backoff_factor * 2 ** (consecutive_errors - 1)`, and 0 before the first retry.
URLLIB3_BACKOFF_MAX = {1: 120.0, 2: 120.0}
# Arguments of Retry(...) that exist only from urllib3 2.0: passing one proves the project runs on 2.
URLLIB3_2_ONLY_ARGUMENTS = frozenset({"backoff_max", "backoff_jitter"})
# Retry(...) positional parameters, in order.
URLLIB3_RETRY_POSITIONAL = ("total", "connect", "read", "redirect", "status", "other", "allowed_methods",
                            "status_forcelist", "backoff_factor", "backoff_max")
TENACITY_DEFAULTS = {"stop": "stop_never", "wait": "wait_none", "retry": "retry_if_exception_type(Exception)"}
TENACITY_MAX_WAIT = float(2**62)  # tenacity._utils.MAX_WAIT: no ceiling
BACKOFF_DEFAULTS = {"max_tries": None, "max_time": None, "jitter": "full_jitter"}

# Qualified names of the configuration entry points.
# The HTTP libraries' own retry objects come from their records (apilint/knowledge/libraries/).
URLLIB3_RETRY = frozenset(name for lib in RECORDS for name in lib.retries.urllib3_retry)
HTTP_ADAPTERS = frozenset(name for lib in RECORDS for name in lib.retries.adapters)
HTTPX_TRANSPORTS = frozenset(name for lib in RECORDS for name in lib.retries.transports)
# Retry classes that always take urllib3 2's arguments, whatever urllib3 the project declares:
# niquests ships urllib3-future, whose Retry is urllib3 2.x's (read from urllib3-future 2.25.904).
URLLIB3_2_RETRY = frozenset(name for name in URLLIB3_RETRY if name.partition(".")[0] == "niquests")
# Top-level modules of the HTTP libraries that configure retries.
HTTP_RETRY_ROOTS = frozenset().union(*(lib.roots for lib in RECORDS if lib.retries != RetryObjects()))
TENACITY_DECORATORS = frozenset({"tenacity.retry"})
TENACITY_OBJECTS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying"})
BACKOFF_DECORATORS = frozenset({"backoff.on_exception", "backoff.on_predicate"})
# Keywords of adapters, pools, pool managers and requests that take a Retry and retry with it.
RETRY_KEYWORDS = frozenset({"max_retries", "retries"})
# Methods of a Retry that use it as a tool (parsing headers, sleeping once) rather than retrying.
URLLIB3_RETRY_TOOL_METHODS = frozenset({"parse_retry_after", "get_retry_after", "sleep_for_retry", "is_retry",
                                        "sleep", "get_backoff_time", "is_exhausted", "increment"})

# Sleep functions whose argument is the wait between attempts.
SLEEP_FUNCTIONS = frozenset({"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep"})
RANDOM_MODULES = ("random.", "secrets.", "numpy.random.")
# Calls that cannot wait between attempts (apart from the HTTP call itself): builtins, and methods of
# loggers, containers, strings and responses. Anything else a retry path calls that cannot be read
# may wait (retry_helpers.py).
NON_WAITING_BUILTINS = frozenset({
    "print", "len", "str", "int", "float", "bool", "bytes", "min", "max", "abs", "round", "isinstance",
    "issubclass", "getattr", "setattr", "hasattr", "repr", "format", "sorted", "list", "dict", "set",
    "tuple", "frozenset", "range", "enumerate", "zip", "iter", "next", "type", "id", "super", "vars",
    "callable", "any", "all", "sum", "map", "filter", "divmod", "hash", "ord", "chr", "hex",
})
NON_WAITING_METHODS = frozenset({
    "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "isEnabledFor",
    "get", "items", "keys", "values", "append", "extend", "update", "pop", "setdefault", "copy", "format",
    "join", "split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "encode", "decode",
    "startswith", "endswith", "replace", "add", "insert", "remove", "clear", "count", "index",
    "json", "raise_for_status", "close", "release_conn", "iter_content", "iter_lines", "seek", "tell",
})

# Exceptions whose retry means retrying status errors (4xx included) when the call raises for status.
STATUS_ERROR_CLASSES = _LIBRARY_STATUS_ERRORS  # per library: its record's `exceptions.status_error`
