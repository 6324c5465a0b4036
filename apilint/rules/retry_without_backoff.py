"""API401: retries whose wait does not grow."""

from __future__ import annotations

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.rules.base import FixBuilder, RuleContext, make_fix
from apilint.rules.edits import add_keyword_fix
from apilint.rules.retry_base import RetryRule, describe
from apilint.semantic.retry_config import literal
from apilint.semantic.retry_facts import Backoff, RetryFacts


class RetryWithoutBackoff(RetryRule):
    """## What it does
    Checks for retries whose wait between attempts does not grow: no sleep at
    all, or a constant one (`time.sleep(2)`, `asyncio.sleep(DELAY)`), in a
    hand-written retry loop; urllib3 `Retry` that retries with no
    `backoff_factor` (including `HTTPAdapter(max_retries=3)` and
    `httpx.HTTPTransport(retries=3)`, which never wait); tenacity without
    `wait=` or with `wait_fixed`/`wait_none`; backoff with `backoff.constant`.

    A wait grows when it depends on the attempt counter through `**`, `*` or
    `<<`, when a delay variable is updated in the loop (`delay *= 2`), or when
    it comes from the server's `Retry-After` header.

    ## Why is this bad?
    When a server struggles, every client retrying at a fixed pace keeps the
    load at its peak, so the server cannot recover; without any wait, a
    retry loop turns one failure into a burst of identical requests.
    Exponential backoff spreads the retries out while the outage lasts.

    ## Example
    ```python
    import time

    import requests

    def fetch(url):
        for attempt in range(5):
            try:
                return requests.get(url, timeout=10).json()
            except requests.exceptions.ConnectionError:
                time.sleep(2)
        return None
    ```

    ## Use instead
    ```python
    import random
    import time

    import requests

    def fetch(url):
        for attempt in range(5):
            try:
                response = requests.get(url, timeout=10)
                response.raise_for_status()
                return response.json()
            except requests.exceptions.ConnectionError:
                time.sleep(min(2 ** attempt, 30) + random.random())
        return None
    ```

    ## Fix safety
    For urllib3 `Retry(...)` the fix adds `backoff_factor=<backoff-factor>`
    (or replaces a `0`). It is safe: the same requests are retried, only
    paced. Hand-written loops and other libraries get no fix.

    ## Options
    - `backoff-factor`

    ## References
    - [AWS Architecture Blog: Exponential Backoff And Jitter](https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
    - [urllib3: Retry](https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Retry)
    - [tenacity: Waiting before retrying](https://tenacity.readthedocs.io/en/latest/#waiting-before-retrying)
    """

    code = "API401"
    name = "retry-without-backoff"
    message = "{what} retries with {wait} between attempts; back off exponentially"
    fix_title = "Add `backoff_factor`"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.SAFE
    options = ("backoff-factor",)

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if facts.backoff not in (Backoff.NONE, Backoff.CONSTANT):
            return
        fix = self._fix(facts) if facts.kind == "urllib3" else None
        ctx.report(type(self), facts.node, fix=fix, what=describe(facts), wait=facts.backoff.value)

    def _fix(self, facts: RetryFacts) -> FixBuilder | None:
        call, existing = facts.call, facts.backoff_factor_arg
        value = str(self.settings.backoff_factor)
        if call is None:
            return None
        if existing is not None:
            if literal(existing.value) not in (0, 0.0):
                return None
            node = existing.value
            return lambda loc: make_fix(RetryWithoutBackoff, [(loc.start(node), loc.end(node), value)])

        def build(loc: Locator) -> Fix | None:
            return add_keyword_fix(RetryWithoutBackoff, call, f"backoff_factor={value}", loc)

        return build
