"""The rule registry: every rule class, in code order."""

from __future__ import annotations

from apilint.engine.findings import CANNOT_ANALYSE
from apilint.rules.base import Rule
from apilint.rules.broad_except import BroadExcept
from apilint.rules.builtin_exception_for_library import BuiltinExceptionForLibrary
from apilint.rules.discarded_response import DiscardedResponse
from apilint.rules.raise_for_status_not_called import RaiseForStatusNotCalled
from apilint.rules.redundant_except_class import RedundantExceptClass
from apilint.rules.request_without_timeout import RequestWithoutTimeout
from apilint.rules.retry_after_ignored import RetryAfterIgnored
from apilint.rules.retry_non_idempotent import RetryNonIdempotent
from apilint.rules.retry_on_client_error import RetryOnClientError
from apilint.rules.retry_without_backoff import RetryWithoutBackoff
from apilint.rules.retry_without_cap import RetryWithoutCap
from apilint.rules.retry_without_jitter import RetryWithoutJitter
from apilint.rules.session_timeout_attribute import SessionTimeoutAttribute
from apilint.rules.timeout_defaults_to_none import TimeoutDefaultsToNone
from apilint.rules.timeout_disabled import TimeoutDisabled
from apilint.rules.unchecked_response import UncheckedResponse
from apilint.rules.unreachable_except import UnreachableExcept
from apilint.rules.unused_noqa import UnusedNoqa

ALL_RULES: tuple[type[Rule], ...] = (
    UnusedNoqa,
    RequestWithoutTimeout,
    TimeoutDisabled,
    SessionTimeoutAttribute,
    TimeoutDefaultsToNone,
    UncheckedResponse,
    DiscardedResponse,
    RaiseForStatusNotCalled,
    BroadExcept,
    UnreachableExcept,
    BuiltinExceptionForLibrary,
    RedundantExceptClass,
    RetryWithoutBackoff,
    RetryWithoutJitter,
    RetryWithoutCap,
    RetryOnClientError,
    RetryAfterIgnored,
    RetryNonIdempotent,
)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

# The code for files that could not be analysed; not a rule, always on.

__all__ = ["ALL_RULES", "CANNOT_ANALYSE", "RULES_BY_CODE", "Rule"]
