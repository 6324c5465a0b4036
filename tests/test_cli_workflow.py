"""Issue 17 item 9 through the real CLI: the flags and behaviours ruff users expect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, run_cli

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"
UNFIXABLE = "import requests\nrequests.Session().timeout = 5\n"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_fix_only_reports_fixes_not_leftovers(project: Path) -> None:
    write(project, "a.py", UNSAFE)
    write(project, "b.py", UNFIXABLE)
    result = run_cli("--fix-only", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "Fixed 1 error.\n"
    assert "timeout=10" in (project / "a.py").read_text()
    again = run_cli("--fix-only", cwd=project)
    assert again.returncode == 0 and again.stdout == ""


def test_exit_non_zero_on_fix(project: Path) -> None:
    write(project, "a.py", UNSAFE)
    result = run_cli("--fix", "--exit-non-zero-on-fix", cwd=project)
    assert result.returncode == 1 and "1 fixed, 0 remaining" in result.stdout
    assert run_cli("--fix", "--exit-non-zero-on-fix", cwd=project).returncode == 0
    write(project, "b.py", UNSAFE)
    assert run_cli("--fix", cwd=project).returncode == 0  # without the flag: everything fixed is success


def test_cache_dir_option_and_environment_variable(project: Path, tmp_path: Path) -> None:
    write(project, "a.py", UNSAFE)
    run_cli("--cache-dir", str(tmp_path / "c1"), cwd=project)
    assert (tmp_path / "c1").is_dir() and not (project / ".apilint_cache").exists()
    env = {**os.environ, "APILINT_CACHE_DIR": str(tmp_path / "c2")}
    subprocess.run([sys.executable, "-m", "apilint", "a.py"], cwd=project, env=env, capture_output=True, check=False)
    assert (tmp_path / "c2").is_dir() and not (project / ".apilint_cache").exists()


def test_help_lists_the_rule_command() -> None:
    assert "apilint rule CODE" in run_cli("--help").stdout


def test_rule_listing_into_a_closed_pipe_is_quiet() -> None:
    command = f"{sys.executable} -m apilint rule --all | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.startswith("API001")
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


def test_statistics_print_only_the_table(project: Path) -> None:
    write(project, "a.py", UNSAFE)
    write(project, "b.py", UNSAFE + UNFIXABLE.split("\n", 1)[1])
    result = run_cli("--statistics", cwd=project)
    assert result.stdout.splitlines() == ["    2\tAPI101\t[*] request-without-timeout",
                                          "    1\tAPI103\tsession-timeout-attribute"]
    assert result.returncode == 1


def test_summary_counts_files_with_findings(project: Path) -> None:
    write(project, "a.py", UNSAFE)
    for index in range(3):
        write(project, f"clean{index}.py", "x = 1\n")
    assert "Found 1 error in 1 file." in run_cli(cwd=project).stdout


def test_flake8_noqa_skips_the_file_as_flake8_does(project: Path) -> None:
    write(project, "a.py", "# flake8: noqa\n" + UNSAFE)
    write(project, "b.py", UNSAFE.replace("import requests", "import requests  # flake8: noqa"))
    result = run_cli("--no-cache", cwd=project)
    assert [line.split(":")[0] for line in result.stdout.splitlines() if ": API" in line] == ["b.py"]
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "API", "."], cwd=project,
                            capture_output=True, text=True)
    assert [line.split(":")[0] for line in flake8.stdout.splitlines()] == ["./b.py"]
