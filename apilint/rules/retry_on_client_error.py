"""API404: retrying requests that failed with a 4xx status."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.knowledge.retries import REGISTERED_CLIENT_ERRORS, RETRYABLE_CLIENT_ERRORS
from apilint.rules.base import FixBuilder, RuleContext, make_fix
from apilint.rules.retry_base import RetryRule, describe
from apilint.semantic.retry_config import literal
from apilint.semantic.retry_facts import RetryFacts


class RetryOnClientError(RetryRule):
    """## What it does
    Checks for retries of requests that failed with a 4xx status other than
    408, 425 and 429: urllib3 `Retry(status_forcelist=…)` containing such
    codes (literal lists, sets, tuples, `range(…)`, comprehensions, module
    constants); a hand-written retry loop that retries on any non-success
    status (`if r.status_code != 200: continue`, or `if r.ok: return r` with
    an `else:` that sleeps or continues) or on any `HTTPError` from
    `raise_for_status()` without looking at the status; tenacity retrying on
    `HTTPError`/`RequestException`/`httpx.HTTPStatusError` (or on every
    exception, its default) around a call that raises for status;
    `backoff.on_exception` on those exceptions without `giveup=`.

    Changed in v2: only 4xx codes registered with IANA are judged; 413 joins
    408, 425 and 429 as retryable (RFC 9110 lets a 413 carry Retry-After, and
    urllib3 retries it by default), and unregistered codes (nginx's 499,
    Twitter's 420) mean nothing we know, so retrying them is not reported.
    A loop that retries whatever gets past a success test counts only when it
    has an attempt budget: a loop that runs until a deadline polls for a state
    ("not yet" is expected). Status tests are evaluated on the syntax tree.

    ## Why is this bad?
    A 400, 401, 403, 404 or 422 says the request itself is wrong: sending it
    again fails the same way. The retries waste time (with backoff, often
    minutes), hide the real error behind a retry-exhausted one, and add load.
    Only 408, 425, 429 and 5xx are worth retrying.

    ## Example
    ```python
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(total=3, backoff_factor=0.5, backoff_jitter=0.3, status_forcelist=[404, 500, 503])
    session.mount("https://", HTTPAdapter(max_retries=retry))
    ```

    ## Use instead
    ```python
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(total=3, backoff_factor=0.5, backoff_jitter=0.3, status_forcelist=[500, 503])
    session.mount("https://", HTTPAdapter(max_retries=retry))
    ```

    ## Fix safety
    For a literal `status_forcelist` the fix removes the offending codes. It
    is unsafe: those statuses now fail at once instead of being retried.

    ## Options
    None.

    ## References
    - [RFC 9110, section 15.5: Client Error 4xx](https://www.rfc-editor.org/rfc/rfc9110#section-15.5)
    - [Google Cloud: Retry strategy](https://cloud.google.com/storage/docs/retry-strategy)
    """

    code = "API404"
    name = "retry-on-client-error"
    message = "{what} retries on {codes}: the same request will fail the same way"
    fix_title = "Remove the 4xx codes from `status_forcelist`"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        if not (facts.any_client_error or facts.client_errors):
            return
        fix = _drop_codes(facts.forcelist) if facts.forcelist is not None else None
        ctx.report(type(self), facts.node, fix=fix, what=describe(facts), codes=facts.client_error_text())


def _drop_codes(literal_node: cst.BaseExpression) -> FixBuilder | None:
    if not isinstance(literal_node, (cst.List, cst.Set, cst.Tuple)):
        return None
    elements = list(literal_node.elements)
    values = [literal(el.value) if isinstance(el, cst.Element) else None for el in elements]
    if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        return None
    drop = [i for i, v in enumerate(values) if v in REGISTERED_CLIENT_ERRORS - RETRYABLE_CLIENT_ERRORS]
    keep = [i for i in range(len(elements)) if i not in drop]
    if not drop or not keep:
        return None

    def build(loc: Locator) -> Fix | None:
        if isinstance(literal_node, cst.Tuple) and len(keep) == 1:
            # `(500, 404)` -> `(500,)`: a one-element tuple keeps its comma.
            only = loc.text[loc.start(elements[keep[0]].value):loc.end(elements[keep[0]].value)]
            head, tail = elements[0].value, elements[-1].value
            return make_fix(RetryOnClientError, [(loc.start(head), loc.end(tail), only + ",")])
        edits = []
        for index in drop:
            dropped = elements[index].value
            later = [k for k in keep if k > index]
            if later:
                # `404, 500` -> `500`: up to the next kept element.
                edits.append((loc.start(dropped), loc.start(elements[later[0]].value), ""))
            else:
                # last ones: from the end of the previous kept element.
                previous = max(k for k in keep if k < index)
                if index == min(i for i in drop if i > previous):
                    final = max(drop)
                    edits.append((loc.end(elements[previous].value), loc.end(elements[final].value), ""))
        merged: list[tuple[int, int, str]] = []
        for start, end, text in sorted(set(edits)):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]), "")
            else:
                merged.append((start, end, text))
        return make_fix(RetryOnClientError, merged)

    return build
