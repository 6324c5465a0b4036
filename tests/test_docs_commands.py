"""Docs that are true (issue 17 item 10): every shell command in README.md and docs/*.md runs.

Each line of a ```sh block, and each `$ ` line of a ```console block, is run as written with
`bash` in a small sandbox project (the example client, a `src/` and `tests/` package, a
notebook, a two-service layout), with this checkout's `apilint`, `flake8` and `python3` first on
PATH. A command passes when it exits 0 or 1 (findings) without a traceback; a console block's
printed output is compared with what the command prints. The few commands that cannot run here
are listed in SKIPPED with the reason and the test that covers them instead; a command that is
neither run nor listed fails the inventory test, so a new doc command cannot go unchecked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^( *)```(sh|console)\n(.*?)^\1```", re.DOTALL | re.MULTILINE)  # in list items too
TRAILING_COMMENT = re.compile(r"\s+#\s.*$")

# Command (as written) -> why it is not run here, and what runs it instead.
SKIPPED = {
    "python3 -m pip install -e '.[test]' && python3 -m pytest":
        "runs the whole test suite, this test included: .ci/run runs exactly this",
    "python3 -m pip install .":
        "installs into the running interpreter: test_readme_try_it_in_a_fresh_virtualenv installs into a new one",
    "python3 -m pip install . && apilint --exit-zero docs/example && apilint --exit-zero --diff docs/example":
        "installs into the running interpreter: test_readme_try_it_in_a_fresh_virtualenv runs it in a new one",
    "python3 -m pip install '.[server]'":
        "installs into the running interpreter: the test extra already holds the server's dependencies",
    "pre-commit try-repo /path/to/apilint apilint --all-files":
        "/path/to/apilint stands for a clone: tests/test_precommit.py runs try-repo against this checkout",
    "bash scripts/corpus/build.sh scripts/corpus/dev.txt /tmp/corpus":
        "downloads 35 packages from PyPI (network); the corpus tests fetch their own slice",
    "python3 -m pip wheel --no-deps -w dist .":
        "writes dist/ into the checkout: tests/test_release.py builds the wheel in a copy",
    "python3 -c \"from setuptools import build_meta; build_meta.build_sdist('dist')\"":
        "writes dist/ and an egg-info into the checkout: tests/test_release.py builds the sdist in a copy",
}
# Commands that need the corpus: run as written on a stand-in corpus (the sandbox's example client).
CORPUS = "/tmp/corpus"

UNSAFE = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def _commands() -> list[tuple[str, str, str | None]]:
    """(document, command, expected output or None) for every command line in the docs."""
    found = []
    for doc in DOCS:
        for indent, kind, body in BLOCK.findall(doc.read_text(encoding="utf-8")):
            name = doc.relative_to(ROOT).as_posix()
            body = "".join(line[len(indent):] for line in body.splitlines(keepends=True))
            if kind == "sh":
                for line in body.splitlines():
                    command = TRAILING_COMMENT.sub("", line).strip()
                    if command and not command.startswith("#"):
                        found.append((name, command, None))
            else:
                found.extend(_console_commands(name, body))
    return found


def _console_commands(name: str, body: str) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for chunk in re.split(r"^(?=\$ )", body, flags=re.MULTILINE):
        if chunk.startswith("$ "):
            command, _, printed = chunk[2:].partition("\n")
            out.append((name, command.strip(), printed))
    return out


COMMANDS = _commands()


def _sandbox(root: Path) -> Path:
    shutil.copytree(ROOT / "docs" / "example", root / "docs" / "example")
    (root / "pyproject.toml").write_text("[project]\nname = 'sandbox'\n\n[tool.apilint]\nselect = ['API']\n")
    for relative in ("src/client.py", "tests/test_client.py", "x.py", "services/billing/client.py"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(UNSAFE)
    (root / "services" / "billing" / "pyproject.toml").write_text("[tool.apilint]\nignore = ['API103']\n")
    shutil.copytree(root / "docs" / "example", root / "corpus" / "example")
    return root


def _environment() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "NO_COLOR": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = command.replace(CORPUS, str(cwd / "corpus"))
    # The repository's scripts run from the checkout; the rest from the sandbox project.
    where = ROOT if command.split()[1:2] and command.split()[1].startswith("scripts/") else cwd
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=where, env=_environment(),
                          capture_output=True, text=True, timeout=600)


def test_every_command_is_run_or_skipped_with_a_reason() -> None:
    written = {command for _, command, _ in COMMANDS}
    assert set(SKIPPED) <= written, f"SKIPPED lists commands no document has any more: {set(SKIPPED) - written}"
    assert len(COMMANDS) >= 25  # the parser still finds the blocks


@pytest.mark.parametrize("doc,command,printed", COMMANDS, ids=[f"{d}: {c}" for d, c, _ in COMMANDS])
def test_documented_command_runs(doc: str, command: str, printed: str | None, tmp_path: Path) -> None:
    if command in SKIPPED:
        pytest.skip(f"not run here: {SKIPPED[command]}")
    sandbox = _sandbox(tmp_path)
    if printed is not None and "timout" in printed:
        # The configuration guide's error example: a table with a misspelt key.
        (sandbox / "pyproject.toml").write_text("[tool.apilint]\ntimout = 5\n")
    result = _run(command, sandbox)
    assert "Traceback" not in result.stderr, result.stderr
    if printed is not None and "timout" in printed:
        assert result.returncode == 2
        expected = printed.strip().replace("/repo/pyproject.toml", str(sandbox / "pyproject.toml"))
        assert result.stderr.strip() == expected
        return
    assert result.returncode in (0, 1), f"{doc}: `{command}` exited {result.returncode}:\n{result.stdout}{result.stderr}"
    if printed is not None:
        _compare(printed, result.stdout, sandbox)


def _compare(printed: str, actual: str, sandbox: Path) -> None:
    """The documented output: exactly, or line by line around a `...` elision (paths of /repo mapped)."""
    expected = printed.replace("/repo/", f"{sandbox}/")
    if "..." not in expected:
        assert actual == expected
        return
    lines = actual.splitlines()
    for line in expected.splitlines():
        if line.strip() != "...":
            assert line in lines, f"documented line not printed: {line!r}\n{actual}"


def test_readme_try_it_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    """The README's first set-up command, as written, in a new virtualenv on a copy of the checkout."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(c for d, c, _ in COMMANDS if d == "README.md" and c.startswith("python3 -m pip install . &&"))
    assert command in readme
    copy = tmp_path / "apilint"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".*_cache", "build"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    env = {**os.environ, "PATH": str(venv / "bin") + os.pathsep + os.environ.get("PATH", ""), "NO_COLOR": "1",
           "VIRTUAL_ENV": str(venv), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "docs/example/weather_client.py:29:20: API101" in result.stdout
    assert "+++ docs/example/weather_client.py" in result.stdout
    assert (venv / "bin" / "apilint").exists()
