"""API405: a retry path for 429/503 that ignores Retry-After."""

from __future__ import annotations

from apilint.engine.findings import FixAvailability
from apilint.rules.base import RuleContext
from apilint.rules.retry_base import RetryRule, describe
from apilint.semantic.retry_facts import RetryFacts


class RetryAfterIgnored(RetryRule):
    """## What it does
    Checks for retry paths for 429 (Too Many Requests) or 503 (Service
    Unavailable), a status test for those codes or a `status_forcelist`
    containing them, that wait without reading the `Retry-After` header; and
    urllib3 `Retry(respect_retry_after_header=False)` with 429/503 in its
    forcelist.

    Changed in v2: the status test takes every form code uses: `==`, `in`,
    `!=` with the retry on the other branch (`if r.status_code != 429:
    break` then a sleep), compound and walrus `while` conditions,
    `match`/`case`, aiohttp's `resp.status`, an `HTTPError`'s
    `err.response.status_code`, module constants, `http.HTTPStatus` members,
    and predicate / `giveup=` / `retry=` callables (lambdas or module
    functions) given to backoff and tenacity. A loop over a retry iterator
    (`for _ in ExponentialBackoff()`) is a retry loop: the iterator waits
    without seeing the response. Reading the header is code: a
    `"Retry-After"` (or `retry_after`) key or a name saying so; a log message
    or comment does not count. A wait handed to code that cannot be read (and
    may read the header) is unknown: no finding.

    ## Why is this bad?
    With 429 and 503 the server says exactly when to come back. A client
    that retries on its own schedule comes back too early, gets throttled
    again, and may be banned for ignoring the header.

    ## Example
    ```python
    import random
    import time

    import requests

    def fetch(url):
        for attempt in range(4):
            r = requests.get(url, timeout=10)
            if r.status_code == 429:
                time.sleep(min(2 ** attempt, 30) + random.random())
                continue
            r.raise_for_status()
            return r.json()
        return None
    ```

    ## Use instead
    ```python
    import time

    import requests

    def fetch(url):
        for attempt in range(4):
            r = requests.get(url, timeout=10)
            if r.status_code == 429:
                time.sleep(float(r.headers.get("Retry-After", 2 ** attempt)))
                continue
            r.raise_for_status()
            return r.json()
        return None
    ```

    ## Fix safety
    No fix: reading `Retry-After` needs parsing (seconds or an HTTP date) and
    a ceiling of its own.

    ## Options
    None.

    ## References
    - [RFC 9110, section 10.2.3: Retry-After](https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3)
    - [RFC 6585, section 4: 429 Too Many Requests](https://www.rfc-editor.org/rfc/rfc6585#section-4)
    """

    code = "API405"
    name = "retry-after-ignored"
    message = "{what} retries 429/503 without reading the Retry-After header"
    fix_availability = FixAvailability.NONE

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if facts.retry_after_ignored:
            ctx.report(type(self), facts.node, what=describe(facts))
