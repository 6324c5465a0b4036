"""Issue 17 item 8: API001 unused-noqa through the real CLI and flake8: opt-in, precise, safely fixed."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli, run_flake8

SOURCE = '''import requests


def fixed_since(url):
    return requests.get(url, timeout=5)  # noqa: API101


def still_needed(url):
    return requests.get(url)  # noqa: API101


def partly(url):
    return requests.get(url, timeout=5)  # noqa: E501, API101, API201


def with_reason(url):
    return requests.get(url, timeout=5)  # noqa: API101 - legacy


def blanket(url):
    return requests.get(url, timeout=5)  # noqa


def family(url):
    return requests.get(url)  # noqa: API1


def in_a_string(url):
    text = "# noqa: API101"
    return text  # noqa: API999
'''

FIXED = (SOURCE.replace("timeout=5)  # noqa: API101\n", "timeout=5)\n")
         .replace("# noqa: E501, API101, API201", "# noqa: E501")
         .replace("# noqa: API101 - legacy", "# - legacy")
         .replace("return text  # noqa: API999", "return text"))


def _reported(stdout: str) -> list[str]:
    return [line.split(": ", 1)[0] + " " + line.split(": ", 1)[1] for line in stdout.splitlines() if ": API" in line]


def test_unused_noqa_is_opt_in(project: Path) -> None:
    (project / "x.py").write_text(SOURCE)
    assert run_cli("--no-cache", "x.py", cwd=project).returncode == 0
    assert run_cli("--no-cache", "--select", "API", "x.py", cwd=project).returncode == 0


def test_unused_noqa_reports_only_directives_that_suppress_nothing(project: Path) -> None:
    (project / "x.py").write_text(SOURCE)
    result = run_cli("--no-cache", "--extend-select", "API001", "x.py", cwd=project)
    assert _reported(result.stdout) == [
        "x.py:5:42 API001 unused `noqa` directive (unused: API101)",
        "x.py:13:42 API001 unused `noqa` directive (unused: API101, API201)",
        "x.py:17:42 API001 unused `noqa` directive (unused: API101)",
        "x.py:30:18 API001 unused `noqa` directive (unused: API999)",
    ]


def test_disabled_rules_codes_are_not_judged(project: Path) -> None:
    (project / "x.py").write_text(SOURCE)
    result = run_cli("--no-cache", "--select", "API001,API2", "x.py", cwd=project)
    # API101 is not enabled: whether its directives are used is unknown, so they are not reported.
    assert _reported(result.stdout) == ["x.py:13:42 API001 unused `noqa` directive (unused: API201)",
                                        "x.py:30:18 API001 unused `noqa` directive (unused: API999)"]


def test_fix_removes_unused_codes_and_nothing_else(project: Path) -> None:
    (project / "x.py").write_text(SOURCE)
    result = run_cli("--fix", "--extend-select", "API001", "x.py", cwd=project)
    assert "4 fixed, 0 remaining" in result.stdout, result.stdout + result.stderr
    assert (project / "x.py").read_text() == FIXED


def test_flake8_reports_it_when_the_table_selects_it(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\nextend-select = ['API001']\n")
    (project / "x.py").write_text(SOURCE)
    lines = [line for line in run_flake8("--select", "API", "x.py", cwd=project).stdout.splitlines()]
    assert [line.split(":")[1] for line in lines] == ["5", "13", "17", "30"]
