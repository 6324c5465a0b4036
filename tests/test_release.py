"""The release procedure of docs/releasing.md, run as written on a copy of the checkout (issue 17 item 10):
the wheel and the sdist build, and their metadata says what a release must say."""

from __future__ import annotations

import email
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import apilint

from .conftest import ROOT

GUIDE = ROOT / "docs" / "releasing.md"


def _guide_commands() -> list[str]:
    block = re.search(r"^( *)```sh\n(.*?)^\1```", GUIDE.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
    assert block is not None
    return [line.strip() for line in block.group(2).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("release") / "apilint"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".*_cache", "build",
                                                              "dist"))
    for command in _guide_commands():
        result = subprocess.run(command.replace("python3", sys.executable, 1), shell=True, cwd=copy,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    return copy / "dist"


def test_wheel_metadata_and_entry_points(dist: Path) -> None:
    wheels = list(dist.glob("apilint-*.whl"))
    assert [w.name for w in wheels] == [f"apilint-{apilint.__version__}-py3-none-any.whl"]
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        info = f"apilint-{apilint.__version__}.dist-info"
        metadata = email.message_from_string(wheel.read(f"{info}/METADATA").decode())
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert metadata["Name"] == "apilint" and metadata["Version"] == apilint.__version__
    assert metadata["Requires-Python"] == ">=3.10"
    requires = " ".join(metadata.get_all("Requires-Dist") or [])
    for dependency in ("libcst", "flake8", "pathspec", "tomli"):
        assert dependency in requires
    assert "# apilint" in metadata.get_payload()  # the README is the long description
    assert "apilint = apilint.cli.main:main" in entry_points
    assert "API = apilint.flake8_plugin:ApilintChecker" in entry_points
    shipped = {n for n in names if n.endswith(".py")}
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "apilint").rglob("*.py")}
    assert package <= shipped, f"modules missing from the wheel: {sorted(package - shipped)}"
    assert not [n for n in names if n.startswith("tests/")]


def test_sdist_has_the_sources_and_the_readme(dist: Path) -> None:
    sdists = list(dist.glob("apilint-*.tar.gz"))
    assert [s.name for s in sdists] == [f"apilint-{apilint.__version__}.tar.gz"]
    with tarfile.open(sdists[0]) as archive:
        names = archive.getnames()
    top = f"apilint-{apilint.__version__}"
    for required in ("pyproject.toml", "README.md", "apilint/__init__.py", "apilint/cli/main.py", "PKG-INFO"):
        assert f"{top}/{required}" in names


def test_twine_check_when_available(dist: Path) -> None:
    if shutil.which("twine") is None and subprocess.run([sys.executable, "-m", "twine", "--version"],
                                                        capture_output=True).returncode != 0:
        pytest.skip("twine is not installed here; test_wheel_metadata_and_entry_points checks the metadata")
    result = subprocess.run([sys.executable, "-m", "twine", "check", *map(str, dist.iterdir())],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
