"""API403: retries without a bound, or with waits that grow past the ceiling."""

from __future__ import annotations

from apilint.engine.findings import FixAvailability
from apilint.rules.base import RuleContext
from apilint.rules.retry_base import RetryRule, describe
from apilint.semantic.retry_facts import Backoff, RetryFacts


class RetryWithoutCap(RetryRule):
    """## What it does
    Checks for retries without a bound: a hand-written `while True` (or a
    condition tied to neither an attempt count nor a deadline) retry loop
    that never gives up; tenacity without `stop=`; backoff without
    `max_tries`/`max_time`; urllib3 `Retry(total=None)`. Also checks for a
    growing delay with no ceiling whose largest wait exceeds `max-delay`
    (`2 ** attempt` without `min(…, cap)` in a loop of more than about six
    attempts; tenacity `wait_exponential` without `max=` when its stop allows
    such waits; backoff `expo` without `max_value`).

    Changed in v2: an attempt count is read from `range(n)` and from a
    `while n < K:` loop whose counter grows by one per round (module and
    local constants evaluated); a bound or wait decided by code that cannot
    be read, or by a retry iterator, is unknown: no finding. `**kwargs` given
    to a configuration gives no opinion.

    ## Why is this bad?
    A retry loop that never gives up turns an outage into a hung worker and
    an endless stream of requests; an uncapped exponential wait turns a short
    outage into a wait of minutes or hours after the server is back.

    ## Example
    ```python
    import random
    import time

    import requests

    def fetch(url):
        delay = 1.0
        while True:
            try:
                return requests.get(url, timeout=10).json()
            except requests.exceptions.ConnectionError:
                time.sleep(delay + random.random())
                delay = min(delay * 2, 30)
    ```

    ## Use instead
    ```python
    import random
    import time

    import requests

    def fetch(url):
        delay = 1.0
        for attempt in range(6):
            try:
                response = requests.get(url, timeout=10)
                response.raise_for_status()
                return response.json()
            except requests.exceptions.ConnectionError:
                time.sleep(delay + random.random())
                delay = min(delay * 2, 30)
        raise RuntimeError(f"{url} unreachable")
    ```

    ## Fix safety
    No fix: the right bound depends on the caller's patience.

    ## Options
    - `max-delay`

    ## References
    - [Google Cloud: Retry strategy](https://cloud.google.com/storage/docs/retry-strategy)
    - [tenacity: Stopping](https://tenacity.readthedocs.io/en/latest/#stopping)
    """

    code = "API403"
    name = "retry-without-cap"
    message = "{what} {problem}"
    fix_availability = FixAvailability.NONE
    options = ("max-delay",)

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if facts.bounded is False:
            ctx.report(type(self), facts.node, what=describe(facts), problem="never gives up: bound the attempts or the time")
            return
        growing = facts.backoff is Backoff.GROWING and not facts.capped
        if growing and facts.max_wait is not None and facts.max_wait > self.settings.max_delay:
            largest = "without limit" if facts.max_wait == float("inf") else f"to {facts.max_wait:g}s"
            ctx.report(type(self), facts.node, what=describe(facts),
                       problem=f"lets one wait grow {largest}, over max-delay ({self.settings.max_delay:g}s); cap it")
