"""The CLI's `# noqa` matches flake8's decision for the same line and code."""

from __future__ import annotations

import pytest
from flake8.defaults import NOQA_INLINE_REGEXP

from apilint.engine.noqa import NOQA, NoqaIndex


def test_same_pattern_as_flake8() -> None:
    assert NOQA.pattern == NOQA_INLINE_REGEXP.pattern


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("# noqa", True),
        ("# NOQA", True),
        ("# noqa: API101", True),
        ("# noqa:API101,API102", True),
        ("# noqa: API1", True),
        ("# noqa: API", True),
        ("# noqa: api101", True),
        ("# noqa: API102", False),
        ("# noqa: E501", False),
        ("# noqa : API101", True),  # flake8: not a code list, so a blanket noqa
        ("# not noqa-ish", False),
        ("", False),
    ],
)
def test_semantics(comment: str, suppressed: bool) -> None:
    text = f"requests.get(url)  {comment}\n"
    assert NoqaIndex(text).suppresses(1, "API101") is suppressed


def test_multiline_string_shares_its_comment() -> None:
    text = 'x = f("""\na\n""")  # noqa: API101\ny = 1\n'
    index = NoqaIndex(text)
    assert index.suppresses(1, "API101") and index.suppresses(3, "API101")
    assert not index.suppresses(4, "API101")
