"""Issue 17 item 6: syntax newer than the running Python's `ast` (PEP 695 under 3.11) is analysed
with libcst's parser, which knows it, through the real CLI; fixes are judged by libcst too."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli

PEP695 = '''import requests

type Url = str


def fetch[T](url: Url, kind: type[T]) -> T:
    return requests.get(url).json()


class Box[T]:
    def get(self, url: str) -> None:
        requests.post(url, timeout=None)
'''


def test_pep695_file_is_analysed_not_skipped(project: Path) -> None:
    (project / "new.py").write_text(PEP695)
    result = run_cli("--no-cache", "new.py", cwd=project)
    codes = [line.split()[1] for line in result.stdout.splitlines() if ": API" in line]
    assert codes == ["API101", "API201", "API202", "API102"], result.stdout


def test_pep695_file_is_fixed(project: Path) -> None:
    (project / "new.py").write_text(PEP695)
    result = run_cli("--fix", "new.py", cwd=project)
    assert "1 fixed" in result.stdout, result.stdout + result.stderr
    assert "requests.get(url, timeout=10).json()" in (project / "new.py").read_text()
    assert "def fetch[T]" in (project / "new.py").read_text()


def test_real_syntax_errors_keep_the_ast_message(project: Path) -> None:
    (project / "bad.py").write_text("import requests\ndef f(:\n")
    result = run_cli("--no-cache", "bad.py", cwd=project)
    assert "bad.py:1:1: API000 cannot analyse: syntax error: invalid syntax (line 2)" in result.stdout
