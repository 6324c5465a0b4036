"""API402: a growing backoff with no random part."""

from __future__ import annotations

from apilint.engine.findings import FixAvailability
from apilint.rules.base import RuleContext
from apilint.rules.retry_base import RetryRule, describe, supports_urllib3_2_only
from apilint.semantic.retry_facts import Backoff, RetryFacts


class RetryWithoutJitter(RetryRule):
    """## What it does
    Checks for retries whose wait grows but has no random part: a
    hand-written delay that uses nothing from `random`/`secrets` (or a
    function whose name contains `jitter`); tenacity `wait_exponential(...)`
    not combined (`+`) with `wait_random(...)`; backoff with `jitter=None`;
    urllib3 `Retry(backoff_factor=...)` without `backoff_jitter`.

    Changed in v2 (spec principle 4): urllib3 `Retry` is reported only where
    the project supports urllib3 >= 2 alone, since `backoff_jitter` does not
    exist in urllib3 1.26, which many projects still support: its declared
    dependencies require urllib3 >= 2, the `urllib3-version = 2` setting says
    so, or the configuration already passes `backoff_jitter`/`backoff_max`.
    A wait computed by code that cannot be read is unknown: no finding.

    ## Why is this bad?
    Clients that failed together (an outage, a deploy, a network blip) all
    compute the same delays and retry together, in synchronised waves that
    hit the server at the same instants. A random part spreads them out.

    ## Example
    ```python
    import time

    import requests

    def fetch(url):
        for attempt in range(5):
            try:
                return requests.get(url, timeout=10).json()
            except requests.exceptions.ConnectionError:
                time.sleep(2 ** attempt)
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
                time.sleep(2 ** attempt + random.uniform(0, 1))
        return None
    ```

    ## Fix safety
    No fix: how much jitter suits a client is a judgement call
    (`wait_random_exponential`, `backoff_jitter=…`, full or equal jitter).

    ## Options
    - `urllib3-version`

    ## References
    - [AWS Architecture Blog: Exponential Backoff And Jitter](https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
    - [tenacity: wait_random_exponential](https://tenacity.readthedocs.io/en/latest/api.html#tenacity.wait.wait_random_exponential)
    """

    code = "API402"
    name = "retry-without-jitter"
    message = "{what} backs off without jitter: clients that failed together retry together"
    fix_availability = FixAvailability.NONE
    options = ("urllib3-version",)

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if facts.backoff is not Backoff.GROWING or facts.jitter is not False or facts.at_most_one_retry:
            return
        if facts.kind == "urllib3" and not supports_urllib3_2_only(facts, self.settings):
            return  # `backoff_jitter` needs urllib3 2; the project may run on 1.26 (principle 4)
        ctx.report(type(self), facts.node, what=describe(facts))
