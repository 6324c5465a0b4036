"""Shared base of the retry rules API401-API406: one analysis per retry site, cached for all six."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from apilint.engine.needs import CallsNamed, ImportsModules, RetryLoops
from apilint.engine.traversal import Visit
from apilint.knowledge.retries import (
    HTTP_ADAPTERS,
    HTTP_RETRY_ROOTS,
    HTTPX_TRANSPORTS,
    RETRY_KEYWORDS,
    URLLIB3_RETRY,
    URLLIB3_RETRY_TOOL_METHODS,
)
from apilint.rules.base import Rule, RuleContext
from apilint.semantic.retry_config import config_facts
from apilint.semantic.retry_facts import RetryFacts
from apilint.semantic.retry_loops import loop_facts
from apilint.settings import Settings

_RETRY_DECORATORS = frozenset({"tenacity", "backoff"})
_RETRY_LIBRARIES = _RETRY_DECORATORS | HTTP_RETRY_ROOTS
_CONFIG_NAMES = frozenset({"Retry", "retry", "Retrying", "AsyncRetrying", "on_exception", "on_predicate",
                           "HTTPAdapter", "HTTPTransport", "AsyncHTTPTransport"}) | frozenset(
    name.rsplit(".", 1)[1] for name in URLLIB3_RETRY | HTTP_ADAPTERS | HTTPX_TRANSPORTS  # the records' spellings
)


class RetryRule(Rule):
    node_types: ClassVar[tuple[type[cst.CSTNode], ...]] = (cst.For, cst.While, cst.Call, cst.Decorator)
    # A stored Retry is judged by its uses in other methods (`self._retry.parse_retry_after(...)`,
    # `HTTPAdapter(max_retries=self._retry)`): keep the functions that may hold them.
    cross_function_words = URLLIB3_RETRY_TOOL_METHODS | RETRY_KEYWORDS | {"DEFAULT"}

    # A hand-written loop (a retry helper may import no HTTP library, nor sleep); a retry decorator
    # (it reads the function it decorates); a retry configuration (`Retry(...)`, `HTTPAdapter(max_retries=...)`).
    needs = (RetryLoops(), ImportsModules(modules=_RETRY_DECORATORS), CallsNamed(names=_CONFIG_NAMES, modules=_RETRY_LIBRARIES))

    def facts(self, visit: Visit, ctx: RuleContext) -> RetryFacts | None:
        key = ("retry", id(visit.node))
        if key not in ctx.cache:
            node = visit.node
            settings = self.settings
            if isinstance(node, (cst.For, cst.While)):
                result = loop_facts(ctx.resolver, node, visit.scope, settings.target_version, settings.max_delay)
            else:
                result = config_facts(ctx.resolver, node, visit.scope, settings.max_delay, settings.target_version)
            ctx.cache[key] = result
        cached = ctx.cache[key]
        return cached if isinstance(cached, RetryFacts) else None

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        facts = self.facts(visit, ctx)
        if facts is not None:
            self.check_facts(facts, ctx)

    def check_facts(self, facts: RetryFacts, ctx: RuleContext) -> None:
        raise NotImplementedError

    def position(self, facts: RetryFacts) -> cst.CSTNode:
        return facts.node


def supports_urllib3_2_only(facts: RetryFacts, settings: Settings) -> bool:
    """Principle 4: may advice or a fix rely on urllib3 2 (`backoff_jitter`, `backoff_max`)? Only when
    the project supports urllib3 >= 2 alone: its dependencies or the `urllib3-version` setting say
    so, or the configuration already passes an argument only urllib3 2 accepts."""
    return facts.uses_urllib3_2 or settings.urllib3_version == 2


def describe(facts: RetryFacts) -> str:
    return {
        "loop": "this retry loop",
        "urllib3": "Retry(...)",
        "adapter": "HTTPAdapter(max_retries=N)",
        "transport": "the transport's retries",
        "tenacity": "this tenacity retry",
        "backoff": "this backoff retry",
    }[facts.kind]
