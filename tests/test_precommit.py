"""The pre-commit hooks, through the real `pre-commit try-repo` against this checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this working tree: try-repo installs what the repository's HEAD holds."""
    copy = tmp_path_factory.mktemp("apilint-checkout")
    shutil.copytree(ROOT, copy, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".mypy_cache", ".pytest_cache",
                                                  ".apilint_cache", "build"))
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "snapshot")
    return copy


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "client.py").write_text(UNSAFE)
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    return work


def _try_repo(checkout: Path, repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(checkout), hook, "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )


def test_check_hook_fails_on_findings(checkout: Path, repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    result = _try_repo(checkout, repo, "apilint", home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "client.py:5:12: API101 requests.get() has no timeout" in result.stdout
    assert (repo / "client.py").read_text() == UNSAFE


def test_fix_hook_modifies_files(checkout: Path, repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    result = _try_repo(checkout, repo, "apilint-fix", home)
    assert result.returncode == 1, result.stdout + result.stderr  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in result.stdout
    assert "requests.get(url, timeout=10)" in (repo / "client.py").read_text()
    again = _try_repo(checkout, repo, "apilint-fix", home)
    assert again.returncode == 0, again.stdout + again.stderr


def test_two_services_through_pre_commit(checkout: Path, tmp_path: Path,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    """Issue 17 items 1 and 3: each file gets its service's table, in one run with one summary
    (require_serial), however pre-commit orders and splits the staged files."""
    work = tmp_path / "mono"
    for service, table in (("a", "ignore = ['API101']"), ("b", "select = ['API']")):
        (work / service).mkdir(parents=True)
        (work / service / "pyproject.toml").write_text(f"[tool.apilint]\n{table}\n")
        for index in range(3):
            (work / service / f"client{index}.py").write_text(UNSAFE)
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
                           "source": UNSAFE}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (work / "b" / "explore.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    result = _try_repo(checkout, work, "apilint", tmp_path_factory.getbasetemp() / "pre-commit-home")
    assert result.returncode == 1, result.stdout + result.stderr
    reported = sorted(line.split(":")[0] for line in result.stdout.splitlines() if ": API101" in line)
    assert reported == ["b/client0.py", "b/client1.py", "b/client2.py", "b/explore.ipynb"]  # notebooks too
    assert result.stdout.count("Found 4 errors") == 1


def test_documented_local_clone_configuration(checkout: Path, repo: Path,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """The README's pre-commit configuration before a release: `repo:` a clone's path, `rev:` its commit."""
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True,
                         check=True).stdout.strip()
    readme = (ROOT / "README.md").read_text()
    assert "  - repo: /path/to/apilint" in readme and "    rev: <commit sha>" in readme
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {checkout}\n    rev: {sha}\n    hooks:\n      - id: apilint\n")
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.getbasetemp() / "pre-commit-home"),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "client.py:5:12: API101" in result.stdout
