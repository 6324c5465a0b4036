"""`--diff` output: a unified diff that `patch -p0` and `git apply` accept byte for byte.

Lines are split at `\\n` only, as patch tools do (str.splitlines would also split at form
feeds, `\\x1c` or U+2028, which are not line breaks in a patch), and a last line without a
newline is followed by `\\ No newline at end of file`, as diff writes it.
"""

from __future__ import annotations

NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(before: str, after: str, name: str) -> str:
    import difflib  # only --diff needs it; a warm run does not import it

    out: list[str] = []
    for line in difflib.unified_diff(_lines(before), _lines(after), fromfile=name, tofile=name):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
