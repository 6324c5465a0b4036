"""Does the code already promise its callers an exception for a bad body? (API201 fix availability)

Inserting `raise_for_status()` is right when the function would otherwise read an error page as
data. It changes a contract instead when the function raises its own exception after testing the
body (`if data.get("token_type") != "bearer": raise AuthError(...)`): callers catch that class,
and an HTTPError would now escape them. The finding stands; the fix needs a review.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from apilint.semantic.parsed_body import ParsedBody, later_uses
from apilint.semantic.scope import Scope


def body_contract(body: ParsedBody, scope: Scope, parent_of: Mapping[cst.CSTNode, cst.CSTNode],
                  order_of: Mapping[cst.CSTNode, int]) -> bool:
    uses: list[cst.BaseExpression] = [body.expr, *later_uses(body, scope, order_of)]
    return any(_raises_after_test(use, parent_of) for use in uses)


def _raises_after_test(node: cst.CSTNode, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    """The use is in the test of an `if` whose own block raises."""
    child, parent = node, parent_of.get(node)
    while parent is not None and not isinstance(parent, (cst.BaseSmallStatement, cst.FunctionDef)):
        if isinstance(parent, cst.If):
            return parent.test is child and _block_raises(parent.body)
        child, parent = parent, parent_of.get(parent)
    return False


def _block_raises(block: cst.BaseSuite) -> bool:
    statements = block.body if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()
    for statement in statements:
        small = statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
        if any(isinstance(s, cst.Raise) for s in small):
            return True
    return False
