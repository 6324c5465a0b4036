"""API001: a `# noqa: APIxxx` that suppresses nothing (opt-in, like ruff's RUF100)."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from typing import ClassVar

from apilint.engine.findings import Applicability, Edit, Finding, Fix, FixAvailability
from apilint.engine.noqa import NOQA, logical_ranges, skips_file
from apilint.rules.base import Rule

_SPLIT = re.compile(r"[,\s]+")


class UnusedNoqa(Rule):
    """## What it does
    Checks for `# noqa: APIxxx` directives whose apilint codes suppress no finding on their line.
    Runs only when selected explicitly (`extend-select = ["API001"]`), as ruff's RUF100: the
    family prefix `API` does not enable it.

    ## Why is this bad?
    `apilint --add-noqa` freezes every finding of an existing codebase. Once the code is fixed,
    the directive stays and silently hides the next finding on that line. Reporting the directives
    that no longer suppress anything lets the backlog shrink for good.

    ## Example
    ```python
    import requests

    def user(user_id):
        return requests.get(f"https://api.example.com/users/{user_id}", timeout=10)  # noqa: API101
    ```

    ## Use instead
    ```python
    import requests

    def user(user_id):
        return requests.get(f"https://api.example.com/users/{user_id}", timeout=10)
    ```

    ## Fix safety
    The fix is safe: it removes the unused codes from the directive, and the whole directive when
    none is left (text after it in the comment is kept). A code is reported only when every rule
    it names is enabled for the file and none of them reported on the line; codes of other tools,
    a blanket `# noqa` and codes of disabled rules are never reported (they may be in use).

    ## Options
    None.

    ## References
    - [ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    - [flake8: in-line ignoring of errors](https://flake8.pycqa.org/en/latest/user/violations.html#in-line-ignoring-errors)
    """

    code = "API001"
    name = "unused-noqa"
    message = "unused `noqa` directive (unused: {codes})"
    fix_title = "Remove the unused `noqa` codes"
    fix_availability = FixAvailability.ALWAYS
    fix_safety = Applicability.SAFE
    explicit_selection: ClassVar[bool] = True
    reviews_findings: ClassVar[bool] = True

    def review(self, text: str, findings: Sequence[Finding], enabled: frozenset[str]) -> list[Finding]:
        """API001 findings for the directives in `text`, given every (unsuppressed) finding of the rules
        that ran and the codes of every enabled rule."""
        if "noqa" not in text.lower() or skips_file(text):
            return []
        comments = _comments(text)
        if not comments:
            return []
        ranges = logical_ranges(text)
        offsets = _line_offsets(text)
        out = []
        for line, column, comment in comments:
            match = NOQA.search(comment)
            if match is None or match.group("codes") is None:
                continue  # no directive, or a blanket one (it may silence other tools)
            low, high = ranges.get(line, (line, line))
            reported = {f.code for f in findings if low <= f.line <= high}
            written = [c for c in _SPLIT.split(match.group("codes")) if c]
            unused = [c for c in written if _is_unused(c.upper(), reported, enabled)]
            if not unused:
                continue
            start = offsets[line - 1] + column
            fix = Fix(self.fix_safety or Applicability.SAFE, self.fix_title or "",
                      (_removal(text, start, comment, match, written, unused),))
            out.append(Finding(self.code, self.name, self.message.format(codes=", ".join(unused)),
                               line, column + match.start() + 1, line, column + match.end() + 1, fix))
        return out


def _is_unused(code: str, reported: set[str], enabled: frozenset[str]) -> bool:
    if not code.startswith("API") or code.startswith("API00"):
        return False  # another tool's code; API000/API001 are not judged
    if any(found.startswith(code) for found in reported):
        return False
    covered = {c for c in enabled if c.startswith(code)}
    from apilint.rules import RULES_BY_CODE

    known = {c for c in RULES_BY_CODE if c.startswith(code)}
    # Unknown codes suppress nothing; known ones are judged only when every rule they name ran.
    return not known or known <= covered


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of every comment token (directives inside strings are not directives)."""
    try:
        return [(tok.start[0], tok.start[1], tok.string)
                for tok in tokenize.generate_tokens(io.StringIO(text).readline) if tok.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return []


def _line_offsets(text: str) -> list[int]:
    offsets, total = [], 0
    # The tokenizer's lines (split after "\n" only): `str.splitlines` also splits at form feeds.
    for line in io.StringIO(text).readlines():
        offsets.append(total)
        total += len(line)
    return offsets + [total]


def _removal(text: str, start: int, comment: str, match: re.Match[str], written: list[str], unused: list[str]) -> Edit:
    """The edit removing the unused codes (or the whole directive) from the comment at `start`."""
    kept = [c for c in written if c not in unused]
    directive_start, directive_end = start + match.start(), start + match.end()
    rest = comment[match.end():]
    if kept:
        spacing = " " if rest.strip() and match.group().endswith((" ", "\t")) else ""
        return Edit(directive_start, directive_end, "# noqa: " + ", ".join(kept) + spacing)
    if rest.strip():
        # Other comment text stays: `x  # noqa: API101 - why` -> `x  # - why`.
        return Edit(directive_start, directive_end, "# " if match.start() == 0 else "")
    # Nothing after the directive: remove it with the blanks before it (and the comment if it held only it).
    before = directive_start
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    return Edit(before, start + len(comment), "")
