"""What every retry site (a hand-written loop or a library configuration) is reduced to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import libcst as cst


class Backoff(Enum):
    NONE = "no wait"  # no sleep at all between attempts
    CONSTANT = "a constant wait"
    GROWING = "a growing wait"
    SERVER = "the server's Retry-After"
    UNKNOWN = "unknown"


@dataclass(eq=False)
class RetryFacts:
    node: cst.CSTNode  # where findings are reported
    kind: str  # "loop", "urllib3", "adapter", "transport", "tenacity", "backoff"
    backoff: Backoff = Backoff.UNKNOWN
    jitter: bool | None = None  # None: cannot tell
    bounded: bool | None = None  # gives up after some attempts or time
    at_most_one_retry: bool = False  # proven: one wait at most, nothing to grow
    capped: bool = False  # an explicit ceiling on one wait
    max_wait: float | None = None  # largest single wait, when it can be computed
    client_errors: frozenset[int] | None = None  # 4xx statuses retried (empty set: none)
    any_client_error: bool = False
    retry_after_ignored: bool = False
    non_idempotent: str | None = None  # e.g. "POST", or "every method"
    # Fix data (library configurations only).
    call: cst.Call | None = None
    backoff_factor_arg: cst.Arg | None = None
    total: int | None = None  # urllib3: the number of retries, when known
    uses_urllib3_2: bool = False  # urllib3: passes an argument only urllib3 >= 2 accepts
    forcelist: cst.BaseExpression | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def client_error_text(self) -> str:
        codes = sorted(self.client_errors or ())
        if self.any_client_error or not codes or len(codes) >= 90:
            return "any 4xx"
        shown = ", ".join(str(c) for c in codes[:8])
        return shown + (f" and {len(codes) - 8} more 4xx" if len(codes) > 8 else "")
