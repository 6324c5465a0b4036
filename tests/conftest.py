"""Shared helpers: fixture expectations and running the real executables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(API\d{3}(?:\s*,\s*API\d{3})*)")
SETTINGS_LINE = re.compile(r"^#\s*apilint-settings:\s*(.+)$", re.MULTILINE)


def expectations(text: str) -> list[tuple[int, str]]:
    marks = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            marks.extend((number, code.strip()) for code in match.group(1).split(","))
    return sorted(marks)


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apilint", *args], cwd=cwd, capture_output=True, text=stdin is None,
        input=stdin, timeout=300,
    )


def run_flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project directory (with a pyproject.toml so no outer config leaks in)."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'sample'\n")
    return tmp_path


def write_twin_packages(project: Path) -> None:
    """Two packages holding the same `use.py` text, which imports `session` from its own package:
    a client in pkg_a, not one in pkg_b (one text, two modules: a cache must key by path)."""
    for package, client in (("pkg_a", "import requests\nsession = requests.Session()\n"),
                            ("pkg_b", "class S:\n    def get(self, u):\n        return u\nsession = S()\n")):
        (project / package).mkdir()
        (project / package / "__init__.py").write_text("")
        (project / package / "client.py").write_text(client)
        (project / package / "use.py").write_text('from .client import session\n\n\ndef f():\n'
                                                  '    return session.get("https://x")\n')
