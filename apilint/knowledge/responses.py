"""What a response object offers: body accessors, status checks, state-changing methods."""

from __future__ import annotations

from apilint.knowledge.http_clients import Library

# Attributes whose use reads the body (API201). Per library; urllib raises on 4xx/5xx by itself.
BODY_ATTRIBUTES: dict[Library, frozenset[str]] = {
    Library.REQUESTS: frozenset({"json", "text", "content", "iter_content", "iter_lines", "raw"}),
    Library.HTTPX: frozenset(
        {"json", "text", "content", "iter_bytes", "iter_text", "iter_lines", "iter_raw", "read",
         "aread", "aiter_bytes", "aiter_text", "aiter_lines", "aiter_raw"}
    ),
    Library.AIOHTTP: frozenset({"json", "text", "read", "content"}),
    Library.URLLIB3: frozenset({"data", "json"}),
}

# Reading any of these in a condition, comparison, assert, match or assignment is a status check.
STATUS_ATTRIBUTES = frozenset(
    {"status_code", "status", "ok", "is_success", "is_error", "is_client_error", "is_server_error", "reason"}
)

# Requests that change state on the server: a lost error there is a lost write (API202).
STATE_CHANGING_METHODS = frozenset({"post", "put", "patch", "delete"})

# Libraries whose response has `raise_for_status()` (the API202 fix appends it).
RAISE_FOR_STATUS_LIBRARIES = frozenset({Library.REQUESTS, Library.HTTPX})
