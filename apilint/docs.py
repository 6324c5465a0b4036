"""Rule documentation: rendered from each rule's docstring and metadata (docs/rules/ is generated)."""

from __future__ import annotations

import inspect
from pathlib import Path

from apilint.engine.findings import FixAvailability
from apilint.rules import ALL_RULES, Rule

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options", "References")


def sections(rule: type[Rule]) -> dict[str, str]:
    """The docstring's `## Heading` sections, in order."""
    text = inspect.cleandoc(rule.__doc__ or "")
    found: dict[str, str] = {}
    current = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            if current is not None:
                found[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        else:
            lines.append(line)
    if current is not None:
        found[current] = "\n".join(lines).strip()
    return found


def fix_summary(rule: type[Rule]) -> str:
    if rule.fix_availability is FixAvailability.NONE or rule.fix_safety is None:
        return "No fix."
    when = "Always" if rule.fix_availability is FixAvailability.ALWAYS else "Sometimes"
    return f"{when} fixable ({rule.fix_safety.value}): {rule.fix_title}."


def render(rule: type[Rule]) -> str:
    body = "\n\n".join(f"## {title}\n{text}" for title, text in sections(rule).items())
    return f"# {rule.code} {rule.name}\n\n{fix_summary(rule)}\n\n{body}\n"


def render_index() -> str:
    rows = "\n".join(
        f"| [{r.code}]({r.code}.md) | {r.name} | {fix_summary(r)} |" for r in ALL_RULES
    )
    return (
        "# Rules\n\nGenerated from the rule docstrings by `python3 -m apilint.docs`; do not edit by hand.\n\n"
        f"| code | name | fix |\n|---|---|---|\n{rows}\n"
    )


def expected_files() -> dict[str, str]:
    files = {f"{rule.code}.md": render(rule) for rule in ALL_RULES}
    files["README.md"] = render_index()
    return files


def write_docs(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_files().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_docs(Path(__file__).resolve().parent.parent / "docs" / "rules"):
        print(f"wrote {path}")
