"""File fidelity: a fix keeps newline style, encoding, BOM, tabs and everything it did not touch."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from apilint.engine.engine import enabled_rules
from apilint.engine.fixer import apply_fixes, fix_text
from apilint.engine.findings import Applicability, Edit, Finding, Fix
from apilint.engine.source import decode_source, read_source, write_source
from apilint.settings import Settings

from .conftest import run_cli

BODY = "import requests\n\n\ndef f(url):\n\treturn requests.get(url)  # fetch\n"


def fixed(text: str) -> str:
    return fix_text(text, Settings(), enabled_rules(Settings()), unsafe=False).text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("crlf", BODY.replace("\n", "\r\n").encode()),
        ("mixed", b"import requests\r\nx = 1\n\ndef f(url):\r\n    return requests.get(url)\n"),
        ("bom", b"\xef\xbb\xbf" + BODY.encode()),
        ("latin1", b"# -*- coding: latin-1 -*-\n" + BODY.encode().replace(b"# fetch", b"# caf\xe9")),
        ("no_final_newline", BODY.rstrip("\n").encode()),
        ("form_feed", BODY.replace("\n\n\ndef", "\n\n\x0c\ndef").encode()),
    ],
)
def test_fix_preserves_bytes(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / f"{name}.py"
    path.write_bytes(data)
    path.chmod(0o640)
    result = run_cli("--fix", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + str(result.stderr)
    after = path.read_bytes()
    assert after == data.replace(b"requests.get(url)", b"requests.get(url, timeout=10)")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_decode_keeps_newlines_and_bom() -> None:
    source = decode_source(b"\xef\xbb\xbfx = 1\r\n")
    assert source.text == "x = 1\r\n" and source.encoding == "utf-8-sig"


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\n")
    write_source(path, decode_source(b"x = 2\n"))
    assert path.read_bytes() == b"x = 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_large_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_bytes(b"x = 1\n" * 10)
    from apilint.engine.findings import AnalysisError

    with pytest.raises(AnalysisError, match="too large"):
        read_source(path, max_bytes=20)


def _finding(start: int, end: int, content: str) -> Finding:
    fix = Fix(Applicability.SAFE, "t", (Edit(start, end, content),))
    return Finding("API101", "n", "m", 1, 1, 1, 1, fix)


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    text, applied = apply_fixes("abcdef", [_finding(1, 3, "X"), _finding(2, 4, "Y"), _finding(5, 5, "Z")])
    assert text == "aXdeZf"
    assert len(applied) == 2


def test_fixed_text_stays_byte_identical_outside_the_edit() -> None:
    text = "import requests\n# é ü\n\nrequests.get('u')\n\n\n# end"
    assert fixed(text) == text.replace("get('u')", "get('u', timeout=10)")
