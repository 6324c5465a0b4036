"""What a response object offers: body accessors, status checks, state-changing methods (from the records)."""

from __future__ import annotations

from apilint.knowledge.libraries import RECORDS
from apilint.knowledge.library_record import Library

# Attributes whose use reads the body (API201), per library whose status must be checked by the caller
# (urllib raises on 4xx/5xx by itself; http.client responses are not modelled).
BODY_ATTRIBUTES: dict[Library, frozenset[str]] = {
    lib.name: lib.response.body_attributes
    for lib in RECORDS if lib.response is not None and not lib.response.raises_on_error_status
}

# Reading any of these in a condition, comparison, assert, match or assignment is a status check.
STATUS_ATTRIBUTES: frozenset[str] = frozenset().union(
    *(lib.response.status_attributes for lib in RECORDS if lib.response is not None)
)

# Namespaces whose attributes name statuses (`requests.codes.OK`), per library.
STATUS_CODE_NAMESPACES: tuple[str, ...] = tuple(
    sorted(name for lib in RECORDS if lib.response is not None for name in lib.response.status_codes)
)

# Requests that change state on the server: a lost error there is a lost write (API202).
STATE_CHANGING_METHODS = frozenset({"post", "put", "patch", "delete"})

# Libraries whose response has `raise_for_status()`.
RAISE_FOR_STATUS_LIBRARIES: frozenset[Library] = frozenset(
    lib.name for lib in RECORDS if lib.response is not None and lib.response.raise_for_status
)
# ... which the API202 fix can append to a discarded request expression.
CHAINABLE_RAISE_FOR_STATUS_LIBRARIES: frozenset[Library] = frozenset(
    lib.name for lib in RECORDS if lib.response is not None and lib.response.raise_for_status_chainable
)
