"""The engine: source text -> findings (with fixes), shared by the CLI and the flake8 plugin.

Pipeline: text filter -> `ast` pre-check -> libcst parse -> one traversal ->
rules on the collected nodes -> positions (only if something was reported).
The gates (text filter, pre-check, reduction) derive from the rules' declared
needs (`gates.py`); `precheck=False` / `reduce=False` turn them off.
"""

from __future__ import annotations

import ast
import gc
import warnings
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import libcst as cst

from apilint.engine.ast_positions import AstPositions
from apilint.engine.findings import AnalysisError, Finding, Fix
from apilint.engine.gates import Sites, pass_text
from apilint.engine.locate import Locator
from apilint.engine.precheck import FileFacts
from apilint.engine.recursion import EXACT_PATH_FACTOR, recursion_headroom
from apilint.engine.reduce import (
    RECORDED_ATTRIBUTES,
    CrossFunctionFacts,
    Reduction,
    blank_idle_functions,
)
from apilint.engine.text_filter import TextIndex
from apilint.engine.traversal import Traversal
from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS
from apilint.project.view import ProjectView
from apilint.rules import ALL_RULES, Rule
from apilint.rules.base import Report, RuleContext
from apilint.semantic.resolve import Resolver
from apilint.settings import Settings


@lru_cache(maxsize=64)
def enabled_rules(settings: Settings, extra_ignores: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """Rule instances for these settings, built once per process."""
    return tuple(rule(settings) for rule in ALL_RULES if settings.is_enabled(rule.code, extra_ignores)
                 and (not rule.explicit_selection or settings.selects_explicitly(rule.code)))


def check_source(
    text: str,
    settings: Settings,
    rules: Sequence[Rule] | None = None,
    *,
    tree: ast.AST | None = None,
    precheck: bool = True,
    exact: bool = True,
    reduce: bool = True,
    project: ProjectView | None = None,
) -> list[Finding]:
    """Findings for one module's source text, sorted by position.

    `exact=False` (reporting only: the CLI's text output, the flake8 plugin) takes positions from
    the `ast` tree, leaves fix edits out (a fixable finding carries a Fix with no edits) and lets
    libcst skip the bodies of functions where no rule can fire (`reduce.py`; `reduce=False` turns
    that off); fixing and JSON need `exact=True`. Raises AnalysisError when the text cannot be parsed.
    """
    # Parsing allocates hundreds of thousands of acyclic nodes; the cyclic collector running
    # through them again and again costs ~10% and frees nothing; it resumes once the file is done.
    paused = gc.isenabled()
    gc.disable()
    rules = enabled_rules(settings) if rules is None else rules
    reviewers = [rule for rule in rules if rule.reviews_findings]
    if reviewers:
        rules = [rule for rule in rules if not rule.reviews_findings]
    try:
        # Exact positions walk libcst's metadata, ~3x deeper than the text path: same reach for both.
        with recursion_headroom(EXACT_PATH_FACTOR if exact else 1):
            findings = _check_source(text, settings, rules, tree=tree, precheck=precheck, exact=exact,
                                     reduce=reduce, project=project)
    finally:
        if paused:
            gc.enable()
    if reviewers:
        # Rules judging the others' findings (API001 unused noqa) see every finding before `# noqa`.
        enabled = frozenset(rule.code for rule in rules)
        for reviewer in reviewers:
            findings = findings + reviewer.review(text, findings, enabled)
        findings.sort(key=lambda f: f.sort_key)
    return findings


def _check_source(
    text: str,
    settings: Settings,
    rules: Sequence[Rule] | None = None,
    *,
    tree: ast.AST | None = None,
    precheck: bool = True,
    exact: bool = True,
    reduce: bool = True,
    project: ProjectView | None = None,
) -> list[Finding]:
    rules = enabled_rules(settings) if rules is None else rules
    if not rules:
        return []
    if precheck:
        libraries = frozenset(project.libraries(project.imported())) if project is not None else frozenset()
        index = TextIndex(text, (name for name, _ in settings.extra_clients), libraries)
        rules = pass_text(rules, index, settings)
        if not rules:
            return []
        if tree is None:
            parsed = parse_ast_or_cst(text)
            if isinstance(parsed, cst.Module):
                # Syntax newer than this Python's `ast` (PEP 695 under 3.11) that libcst knows: no
                # scan and no reduction (both need `ast`); the rules run with exact positions.
                return _run_rules(parsed, text, rules, settings, None)
            tree = parsed
        roots = HTTP_MODULE_ROOTS | settings.extra_client_roots()
        sites: Sites | None
        try:
            sites = Sites(FileFacts(tree, roots, (name for name, _ in settings.extra_clients), project), settings)
            rules = sites.active(rules)
        except RecursionError:
            sites = None  # too deeply nested for the scan: let the rules decide
        if not rules:
            return []
        if sites is not None and reduce and not exact:
            reduced = _reduce(text, tree, sites, rules)
            if reduced is not None and isinstance(tree, ast.Module):
                try:
                    module = _parse_cst(reduced.text)
                except AnalysisError:
                    pass  # cannot happen for valid input; analyse the whole text rather than fail
                else:
                    original = tree
                    return _run_rules(module, reduced.text, rules, settings, lambda: reduced.tree(original), project)
    module = _parse_cst(text)
    return _run_rules(module, text, rules, settings, None if exact else tree, project)


def _reduce(text: str, tree: ast.AST, sites: Sites, rules: Sequence[Rule]) -> Reduction | None:
    """The text with the bodies of functions where no rule can fire blanked (None: nothing to blank)."""
    candidates = sites.candidate_lines(rules)
    if candidates is None:
        return None
    words = frozenset().union(*(rule.cross_function_words for rule in rules))
    facts = sites.facts
    cross = CrossFunctionFacts(facts.factories, facts.attribute_stores(RECORDED_ATTRIBUTES), words)
    return blank_idle_functions(text, tree, candidates, cross)


def parse_ast_or_cst(text: str) -> ast.AST | cst.Module:
    """The `ast` tree, or, when `ast` rejects syntax that libcst's parser accepts (syntax newer than
    the running Python), libcst's module. Raises AnalysisError (with `ast`'s message) otherwise."""
    try:
        return _parse_ast(text)
    except AnalysisError as ast_error:
        if not str(ast_error).startswith("syntax error"):
            raise
        try:
            return cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
            raise ast_error from None


def _parse_ast(text: str) -> ast.AST:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the analysed code's SyntaxWarnings are not ours to print
            return ast.parse(text)
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise AnalysisError(f"syntax error: {exc.msg}{where}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise AnalysisError(f"cannot parse: {type(exc).__name__}: {exc}") from None


def _parse_cst(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise AnalysisError(f"syntax error: {exc.message} (line {exc.raw_line})") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise AnalysisError(f"cannot parse: {type(exc).__name__}: {exc}") from None


def _run_rules(module: cst.Module, text: str, rules: Iterable[Rule], settings: Settings,
               tree: ast.AST | Callable[[], ast.AST] | None, project: ProjectView | None = None) -> list[Finding]:
    """Run the rules on the parsed module; `tree` (or a function giving it, called only when
    something is reported) lets positions come from `ast`, None computes them exactly with libcst."""
    rules = list(rules)
    wanted = frozenset(t for rule in rules for t in rule.node_types)
    traversal = Traversal(module, wanted)
    try:
        traversal.walk(module)
    except RecursionError:
        raise AnalysisError("nesting too deep") from None
    finally:
        traversal.release()
    resolver = Resolver(traversal.model, traversal.order_of, settings.extra_client_map)
    resolver.parent_of = traversal.parent_of
    resolver.project = project
    ctx = RuleContext(resolver, settings, traversal.parent_of)
    for rule in rules:
        for node_type in rule.node_types:
            for visit in traversal.collected[node_type]:
                rule.check(visit, ctx)
    if not ctx.reports:
        return []
    if callable(tree):
        tree = tree()
    findings = _fast_findings(ctx.reports, tree, text, traversal) if tree is not None else None
    if findings is None:
        locator = Locator(module, text)
        findings = []
        for report in ctx.reports:
            span = locator.range(report.node)
            fix = report.fix(locator) if report.fix is not None else None
            findings.append(
                Finding(report.rule.code, report.rule.name, report.message, span.start.line, span.start.column + 1,
                        span.end.line, span.end.column + 1, fix)
            )
    findings.sort(key=lambda f: f.sort_key)
    return findings


def _fast_findings(reports: Sequence[Report], tree: ast.AST, text: str, traversal: Traversal) -> list[Finding] | None:
    """Findings positioned from the ast tree, or None when any position is not certain."""
    positions = AstPositions(tree, text, traversal.group_index, traversal.group_counts, traversal.parent_of)
    findings = []
    for report in reports:
        span = positions.span(report.node)
        if span is None:
            return None
        rule = report.rule
        fix = None
        if report.fix is not None and rule.fix_safety is not None and rule.fix_title is not None:
            fix = Fix(rule.fix_safety, rule.fix_title, ())  # available; edits are computed when fixing
        line, column, end_line, end_column = span
        findings.append(Finding(rule.code, rule.name, report.message, line, column + 1, end_line, end_column + 1, fix))
    return findings
