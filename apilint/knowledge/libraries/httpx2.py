"""httpx2: the successor of httpx that current SDKs import; httpx's API and defaults by data.

Read from httpx2 2.16.2 / httpcore2 2.16.2: the same `DEFAULT_TIMEOUT_CONFIG = Timeout(timeout=5.0)`,
USE_CLIENT_DEFAULT and `Timeout` semantics as httpx, the same exception classes (exported with
`__module__ = "httpx2"`), `HTTPTransport(retries=0)` with httpcore2's connection retries
(`RETRIES_BACKOFF_FACTOR = 0.5`, as httpcore), plus the QUERY method (`query()` function and methods).
"""

from __future__ import annotations

from apilint.knowledge.libraries.httpx import httpx_family

LIBRARY = httpx_family(
    "httpx2",
    "httpx2 2.16.2 (_config.py, _client.py, _api.py, _models.py, _exceptions.py, _transports/default.py); "
    "httpcore2 2.16.2 (_sync/connection.py)",
    extra_verbs=frozenset({"query"}),
    behaves_like="httpx",
)
