"""Files and processes (issue 13): config numbers, stdin, links, file kinds, writes, signals, diff, cache.

Every test drives the real front end (`apilint` or `flake8` in a subprocess) where it can.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli, run_flake8

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"


# -- 6. non-finite or absurd config numbers ---------------------------------------

@pytest.mark.parametrize("key", ["timeout", "backoff-factor", "max-delay"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "100000000000000000000000000000"])
def test_non_finite_config_number_is_rejected(project: Path, key: str, value: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.apilint]\n{key} = {value}\n")
    (project / "x.py").write_text(UNSAFE)
    result = run_cli("--fix", "x.py", cwd=project)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "pyproject.toml" in result.stderr and f"{key}: must be a finite number" in result.stderr
    assert (project / "x.py").read_text() == UNSAFE


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "1e12"])
def test_file_timeout_must_be_finite(project: Path, value: str) -> None:
    (project / "x.py").write_text(UNSAFE)
    result = run_cli("--file-timeout", value, "x.py", cwd=project)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--file-timeout" in result.stderr


@pytest.mark.parametrize("option", ["--apilint-timeout", "--apilint-backoff-factor", "--apilint-max-delay"])
def test_flake8_options_must_be_finite(project: Path, option: str) -> None:
    (project / "x.py").write_text(UNSAFE)
    result = run_flake8(option, "inf", "x.py", cwd=project)
    assert result.returncode == 2
    assert "must be a finite number" in result.stderr and "Traceback" not in result.stderr


# -- 7. `apilint --fix -` is an editor's filter -------------------------------------

@pytest.mark.parametrize(
    "data",
    [b"import requests\ndef f(:\n", b"import requests\nx = '\xff'\n", b"import requests\x00\n"],
    ids=["syntax-error", "not-utf8", "nul"],
)
def test_stdin_fix_echoes_input_it_cannot_analyse(project: Path, data: bytes) -> None:
    result = run_cli("--fix", "-", cwd=project, stdin=data)
    assert result.stdout == data
    assert b"API000" in result.stderr


def test_stdin_fix_echoes_input_on_config_error(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\ntimeout = 'ten'\n")
    result = run_cli("--fix", "-", cwd=project, stdin=UNSAFE.encode())
    assert result.returncode == 2
    assert result.stdout == UNSAFE.encode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfimport requests\r\n\r\ndef f(u):\r\n    return requests.get(u)\r\n",
         b"\xef\xbb\xbfimport requests\r\n\r\ndef f(u):\r\n    return requests.get(u, timeout=10)\r\n"),
        (b"# -*- coding: latin-1 -*-\nimport requests\nX = '\xe9'\ndef f(u):\n    return requests.get(u)\n",
         b"# -*- coding: latin-1 -*-\nimport requests\nX = '\xe9'\ndef f(u):\n    return requests.get(u, timeout=10)\n"),
    ],
    ids=["bom-crlf", "latin-1"],
)
def test_stdin_fix_writes_the_source_encoding(project: Path, data: bytes, expected: bytes) -> None:
    result = run_cli("--fix", "-", cwd=project, stdin=data)
    assert result.stdout == expected
