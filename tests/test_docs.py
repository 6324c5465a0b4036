"""Rule docs: every section present, generated files in sync, examples behave as documented."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from apilint.docs import SECTIONS, expected_files, sections
from apilint.engine.engine import check_source
from apilint.rules import ALL_RULES, Rule
from apilint.settings import Settings

from .conftest import ROOT, run_cli, run_flake8

SETTING_KEYS = {f.name.replace("_", "-") for f in fields(Settings)}
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _code(rule: type[Rule], section: str) -> str:
    match = CODE_BLOCK.search(sections(rule)[section])
    assert match, f"{rule.code}: no python block in {section}"
    return match.group(1)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_docstring_has_every_section(rule: type[Rule]) -> None:
    assert list(sections(rule)) == list(SECTIONS)
    assert all(text.strip() for text in sections(rule).values())


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_options_named_in_docs_exist(rule: type[Rule]) -> None:
    named = re.findall(r"^- `([a-z0-9-]+)`", sections(rule)["Options"], re.MULTILINE)
    assert set(named) == set(rule.options)
    assert set(rule.options) <= SETTING_KEYS


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_example_is_reported_and_use_instead_is_not(rule: type[Rule]) -> None:
    settings = Settings(extend_select=(rule.code,))  # opt-in rules (API001) too
    codes = lambda text: [f.code for f in check_source(text, settings)]  # noqa: E731
    assert rule.code in codes(_code(rule, "Example"))
    assert rule.code not in codes(_code(rule, "Use instead"))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_use_instead_is_clean_under_every_rule(rule: type[Rule]) -> None:
    """The recommended code must not be reported by any rule (API001 included): a reader copies it."""
    every_rule = Settings(extend_select=tuple(r.code for r in ALL_RULES))
    found = [(f.line, f.code) for f in check_source(_code(rule, "Use instead"), every_rule)]
    assert found == [], f"{rule.code}: 'Use instead' is reported: {found}"


def test_generated_docs_are_in_sync() -> None:
    directory = ROOT / "docs" / "rules"
    for name, text in expected_files().items():
        path = directory / name
        assert path.exists(), f"missing {path}: run python3 -m apilint.docs"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python3 -m apilint.docs"
    extra = {p.name for p in directory.glob("*.md")} - set(expected_files())
    assert not extra, f"docs for unknown rules: {extra}"


def test_rule_command() -> None:
    result = run_cli("rule", "API101")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "docs" / "rules" / "API101.md").read_text()
    listing = run_cli("rule", "--all").stdout
    assert [line.split()[0] for line in listing.splitlines()] == [r.code for r in ALL_RULES]
    assert run_cli("rule", "API999").returncode == 2


def test_readme_commands_match_ci() -> None:
    readme = (ROOT / "README.md").read_text()
    ci_command = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                  if line.strip() and not line.startswith(("#", "set ", "cd "))][-1]
    assert ci_command in readme
    assert Path(ROOT / "docs" / "example").is_dir()


def test_configuration_guide_matches_settings_and_flake8_options() -> None:
    from apilint.flake8_plugin import FLAKE8_OPTIONS

    guide = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", guide, re.MULTILINE))
    keys = {f.name.replace("_", "-") for f in fields(Settings) if f.name != "origin"}
    assert documented == keys
    named = set(re.findall(r"--apilint-([a-z-]+)", guide))
    # The settings' options, and two of the run's own (as the CLI's --file-timeout and --no-cache).
    run_options = {"file-timeout", "no-cache"}
    assert named == {key for key in FLAKE8_OPTIONS.values()} | run_options
    help_text = run_flake8("--help", cwd=ROOT).stdout
    assert all(f"--apilint-{option}" in help_text for option in named)


def test_guides_exist_and_link_each_other() -> None:
    for name in ("configuration.md", "integration.md", "adopting.md"):
        assert (ROOT / "docs" / name).is_file()
    readme = (ROOT / "README.md").read_text()
    assert "docs/configuration.md" in readme and "docs/integration.md" in readme and "docs/adopting.md" in readme


def test_readme_example_output_is_real() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```console\n$ apilint docs/example\n", 1)[1].split("```", 1)[0]
    result = run_cli("docs/example", cwd=ROOT)
    assert result.stdout == block
