"""Retry knowledge: which statuses are worth retrying, which methods are idempotent, library defaults."""

from __future__ import annotations

from apilint.knowledge.exceptions import STATUS_ERROR_CLASSES as _LIBRARY_STATUS_ERRORS
from apilint.knowledge.libraries import RECORDS
from apilint.knowledge.library_record import RetryObjects

# RFC 9110 / common practice: a retry can succeed for these; other 4xx fail the same way again.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})
# Statuses whose responses may carry Retry-After (RFC 9110 §10.2.3).
RETRY_AFTER_STATUSES = frozenset({429, 503})
# RFC 9110 §9.2.2 idempotent methods; retrying the others can repeat a write.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
NON_IDEMPOTENT_METHODS = frozenset({"POST", "PATCH"})

# Library defaults, read from: urllib3 2.8.0 (urllib3/util/retry.py), tenacity 9.1 (tenacity/__init__.py),
# backoff 2.2.1 (backoff/_decorator.py), requests 2.34.2 (adapters.py), httpx 0.28.1 (_transports/default.py).
URLLIB3_RETRY_DEFAULTS = {
    "total": 10,
    "backoff_factor": 0.0,
    "backoff_max": 120.0,  # Retry.DEFAULT_BACKOFF_MAX
    "backoff_jitter": 0.0,
    "respect_retry_after_header": True,
    "allowed_methods": frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"}),
}
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
# Top-level modules of the HTTP libraries that configure retries.
HTTP_RETRY_ROOTS = frozenset().union(*(lib.roots for lib in RECORDS if lib.retries != RetryObjects()))
TENACITY_DECORATORS = frozenset({"tenacity.retry"})
TENACITY_OBJECTS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying"})
BACKOFF_DECORATORS = frozenset({"backoff.on_exception", "backoff.on_predicate"})

# Sleep functions whose argument is the wait between attempts.
SLEEP_FUNCTIONS = frozenset({"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep"})
RANDOM_MODULES = ("random.", "secrets.", "numpy.random.")

# Exceptions whose retry means retrying status errors (4xx included) when the call raises for status.
STATUS_ERROR_CLASSES = _LIBRARY_STATUS_ERRORS  # per library: its record's `exceptions.status_error`
