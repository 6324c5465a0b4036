"""API406: automatic retries of non-idempotent requests."""

from __future__ import annotations

from apilint.engine.findings import FixAvailability
from apilint.rules.base import RuleContext
from apilint.rules.retry_base import RetryRule, describe
from apilint.semantic.retry_facts import RetryFacts


class RetryNonIdempotent(RetryRule):
    """## What it does
    Checks for automatic retries of methods that are not idempotent: urllib3
    `Retry(allowed_methods=None)` (every method) or an `allowed_methods` that
    contains `POST` or `PATCH`; a hand-written retry loop around a POST or
    PATCH that retries after the request may have reached the server (on a
    read timeout or a 5xx) and sends no `Idempotency-Key` header.

    Changed in v2: code decides, never a comment or a string: a comment
    "POST is not idempotent" or a docstring no longer switches the rule off;
    an `Idempotency-Key` header key or a name saying idempotency
    (`idempotency_key=...`) does. A handler that decides whether to go round
    (`if not policy.can_retry(err): raise`) is not a proven retry.
    `allowed_methods` is evaluated (`frozenset([...])`, module constants).

    ## Why is this bad?
    A read timeout or a 502 does not mean the server did nothing: the
    payment may have been taken, the order placed, the message sent. Sending
    the POST again repeats the write. Retry only idempotent methods, or send
    an idempotency key the server deduplicates on.

    ## Example
    ```python
    import requests
    from urllib3.util.retry import Retry

    retry = Retry(total=3, backoff_factor=0.5, backoff_jitter=0.2, allowed_methods=None, status_forcelist=[502, 503])
    ```

    ## Use instead
    ```python
    import requests
    from urllib3.util.retry import Retry

    retry = Retry(total=3, backoff_factor=0.5, backoff_jitter=0.2, status_forcelist=[502, 503])
    ```

    ## Fix safety
    No fix: whether a write may be repeated is a property of the API.

    ## Options
    None.

    ## References
    - [RFC 9110, section 9.2.2: Idempotent Methods](https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2)
    - [IETF draft: The Idempotency-Key HTTP Header Field](https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/)
    """

    code = "API406"
    name = "retry-non-idempotent"
    message = "{what} retries {methods}, which can repeat a write; retry idempotent methods or send an Idempotency-Key"
    fix_availability = FixAvailability.NONE

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if facts.non_idempotent:
            ctx.report(type(self), facts.node, what=describe(facts), methods=facts.non_idempotent)
