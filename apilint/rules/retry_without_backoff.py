"""API401: retries whose wait does not grow."""

from __future__ import annotations

import math

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.knowledge.retries import URLLIB3_BACKOFF_MAX, URLLIB3_DEFAULT_TOTAL
from apilint.rules.base import FixBuilder, RuleContext, make_fix
from apilint.rules.edits import add_keyword_fix
from apilint.rules.retry_base import RetryRule, describe, supports_urllib3_2_only
from apilint.semantic.names import keyword_arg
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

    A wait grows when it depends on the attempt counter, when a delay
    variable is updated in the loop by a step that provably grows it
    (`delay *= 2`), or when it comes from the server's `Retry-After` header.

    Changed in v2, because maintainers rejected v1 reports on real SDKs:
    - a wait slept or computed inside a helper of the module
      (`self._backoff(attempt)`, `delay = compute_delay(n)`) is followed into
      it; when the loop calls code that cannot be read (a method of an object
      from elsewhere, a function of another package, a retry handler), the
      wait is unknown and nothing is reported;
    - a configuration or loop that retries at most once is not reported:
      urllib3 never waits before the first retry, and one wait has nothing to
      grow (`Retry(total=1)`, `HTTPAdapter(max_retries=1)`, `range(2)`,
      `stop_after_attempt(2)`);
    - `httpx.HTTPTransport(retries=N)` (and httpx2's) is not reported: httpcore
      retries failed connections with its own exponential backoff;
    - a `Retry(...)` counts only where it retries: passed as `max_retries=` /
      `retries=`, assigned to `Retry.DEFAULT`, returned, or stored for that
      use. One used only through its methods (`parse_retry_after`,
      `get_retry_after`, `sleep_for_retry`) retries nothing;
    - `**kwargs` given to `Retry`, `Retrying`, `@retry` or `backoff.on_*` may
      hold anything: no finding;
    - a retry helper that imports no HTTP library and never sleeps is checked
      too (v1 skipped files without the word "sleep").

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

    Changed in v2: the fixed configuration passes the whole retry family. Where
    the project supports urllib3 >= 2 alone (its declared dependencies, the
    `urllib3-version` setting, or a `backoff_jitter`/`backoff_max` it already
    passes), the fix also adds `backoff_jitter` (API402) and, when the last
    wait would pass `max-delay`, `backoff_max=<max-delay>` (API403). Otherwise
    it adds only `backoff_factor`, which urllib3 1.26 accepts too, choosing a
    value whose last wait (`factor * 2 ** (total - 1)`, capped at 120 s by
    both 1.26 and 2.x) stays within `max-delay` (`Retry(total=10)` gets
    `backoff_factor=0.11`); when no sensible value fits, there is no fix.

    ## Options
    - `backoff-factor`
    - `max-delay`
    - `urllib3-version`

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
    options = ("backoff-factor", "max-delay", "urllib3-version")

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if facts.backoff not in (Backoff.NONE, Backoff.CONSTANT) or facts.at_most_one_retry:
            return  # one retry at most: urllib3 never waits before the first, there is nothing to grow
        fix = self._fix(facts) if facts.kind == "urllib3" else None
        ctx.report(type(self), facts.node, fix=fix, what=describe(facts), wait=facts.backoff.value)

    def _fix(self, facts: RetryFacts) -> FixBuilder | None:
        """`backoff_factor=…` and, where the project supports urllib3 >= 2 alone, what API402/API403
        then ask for; without them, a factor small enough that no wait passes `max-delay`."""
        call, existing = facts.call, facts.backoff_factor_arg
        if call is None or (existing is not None and literal(existing.value) not in (0, 0.0)):
            return None
        settings = self.settings
        urllib3_2 = supports_urllib3_2_only(facts, settings)
        factor = fitting_backoff_factor(settings.backoff_factor, facts.total, settings.max_delay,
                                        capped=urllib3_2 or facts.capped, urllib3_2=urllib3_2)
        if factor is None:
            return None
        added = []
        if urllib3_2 and keyword_arg(call, "backoff_jitter") is None:
            added.append(f"backoff_jitter={factor}")
        if urllib3_2 and not facts.capped and _largest_wait(float(factor), facts.total) > settings.max_delay:
            added.append(f"backoff_max={_number(settings.max_delay)}")
        if existing is not None:
            node = existing.value

            def replace(loc: Locator) -> Fix | None:
                edits = [(loc.start(node), loc.end(node), factor)]
                more = add_keyword_fix(RetryWithoutBackoff, call, ", ".join(added), loc) if added else None
                if more is not None:
                    edits += [(e.start, e.end, e.content) for e in more.edits]
                return make_fix(RetryWithoutBackoff, edits)

            return replace
        keywords = ", ".join([f"backoff_factor={factor}", *added])

        def build(loc: Locator) -> Fix | None:
            return add_keyword_fix(RetryWithoutBackoff, call, keywords, loc)

        return build


def _largest_wait(factor: float, total: int | None) -> float:
    """urllib3's last wait: `factor * 2 ** (retries - 1)` (unknown retries: its default, 10)."""
    retries = total if total is not None else URLLIB3_DEFAULT_TOTAL
    return float(factor * 2 ** min(max(retries - 1, 0), 64))


def fitting_backoff_factor(configured: float, total: int | None, max_delay: float, *, capped: bool,
                           urllib3_2: bool) -> str | None:
    """The `backoff_factor` literal a fix adds: the configured one when no wait then passes
    `max-delay` (urllib3 caps a wait at its DEFAULT_BACKOFF_MAX; a `backoff_max` caps it lower),
    else the largest round value below the ceiling. None when no sensible value fits."""
    ceiling = URLLIB3_BACKOFF_MAX[2 if urllib3_2 else 1]
    if capped or total is None or min(ceiling, _largest_wait(configured, total)) <= max_delay:
        return _number(configured)
    fitting = max_delay / _largest_wait(1.0, total)
    digits = max(0, -math.floor(math.log10(fitting)) + 1) if fitting > 0 else 0
    rounded = math.floor(fitting * 10**digits) / 10**digits
    return _number(rounded) if rounded >= 0.001 else None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
