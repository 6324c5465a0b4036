"""Issue 17 items 1, 2 and 5 through the real CLI: per-directory configuration, gitignore-style
excludes (for named files too), `.gitignore`, and configuration mistakes that used to pass silently."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .conftest import run_cli

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def reported(stdout: str) -> list[str]:
    return sorted(line.split(": ")[0] + " " + line.split(": ")[1].split()[0] for line in stdout.splitlines()
                  if ": API" in line)


def two_services(root: Path) -> None:
    """Service a ignores API101; service b has no opinion (the repository's table selects everything)."""
    write(root, "pyproject.toml", "[tool.apilint]\nselect = ['API']\n")
    write(root, "a/pyproject.toml", "[tool.apilint]\nignore = ['API101']\n")
    write(root, "a/client.py", UNSAFE)
    write(root, "b/pyproject.toml", "[project]\nname = 'b'\n")  # no [tool.apilint]: the root's applies
    write(root, "b/client.py", UNSAFE)


def test_each_file_uses_its_closest_table_whatever_the_argument_order(project: Path) -> None:
    two_services(project)
    expected = ["b/client.py:5:12 API101"]
    for order in (["a/client.py", "b/client.py"], ["b/client.py", "a/client.py"], ["."], ["b", "a"]):
        result = run_cli("--no-cache", *order, cwd=project)
        assert reported(result.stdout.replace("./", "")) == expected, order
        assert result.returncode == 1
    # The cache must not mix the two services' results either.
    assert reported(run_cli("a/client.py", "b/client.py", cwd=project).stdout) == expected
    assert reported(run_cli("b/client.py", "a/client.py", cwd=project).stdout) == expected


def test_config_option_applies_one_file_to_all(project: Path) -> None:
    two_services(project)
    result = run_cli("--no-cache", "--config", "a/pyproject.toml", "a/client.py", "b/client.py", cwd=project)
    assert reported(result.stdout) == [] and result.returncode == 0


def test_show_settings_names_the_file_they_come_from(project: Path) -> None:
    two_services(project)
    shown = run_cli("--show-settings", "a/client.py", cwd=project)
    assert shown.returncode == 0
    assert f"Settings path: {project / 'a' / 'pyproject.toml'}" in shown.stdout
    assert 'ignore = ["API101"]' in shown.stdout
    other = run_cli("--show-settings", "b/client.py", cwd=project).stdout
    assert f"Settings path: {project / 'pyproject.toml'}" in other and "ignore = []" in other


def test_exclude_patterns_have_gitignore_semantics_and_cover_named_files(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.apilint]\nexclude = ['generated', '/top_only', '*_pb2.py']\n")
    for relative in ("generated/g.py", "pkg/generated/deep/g.py", "top_only/x.py", "pkg/top_only/x.py",
                     "pkg/api_pb2.py", "pkg/client.py"):
        write(project, relative, UNSAFE)
    walked = run_cli("--show-files", cwd=project).stdout.split()
    assert walked == ["pkg/client.py", "pkg/top_only/x.py"]
    # pre-commit names every staged file: the excludes still apply.
    named = run_cli("--no-cache", "generated/g.py", "pkg/generated/deep/g.py", "pkg/api_pb2.py", "pkg/client.py",
                    cwd=project)
    assert reported(named.stdout) == ["pkg/client.py:5:12 API101"]


def test_service_excludes_are_relative_to_the_service(project: Path) -> None:
    write(project, "svc/pyproject.toml", "[tool.apilint]\nexclude = ['/legacy']\n")
    write(project, "svc/legacy/old.py", UNSAFE)
    write(project, "legacy/old.py", UNSAFE)
    assert run_cli("--show-files", cwd=project).stdout.split() == ["legacy/old.py"]


def test_gitignore_is_respected_by_default(project: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    write(project, ".gitignore", "scratch/\n*.tmp.py\n")
    write(project, "src/.gitignore", "local_*.py\n!local_keep.py\n")
    for relative in ("scratch/a.py", "x.tmp.py", "src/local_a.py", "src/local_keep.py", "src/client.py"):
        write(project, relative, UNSAFE)
    assert run_cli("--show-files", cwd=project).stdout.split() == ["src/client.py", "src/local_keep.py"]
    write(project, "pyproject.toml", "[tool.apilint]\nrespect-gitignore = false\n")
    assert len(run_cli("--show-files", cwd=project).stdout.split()) == 5


def test_config_without_an_apilint_table_is_an_error(project: Path) -> None:
    write(project, "client.py", UNSAFE)
    write(project, "other.toml", "[tool.ruff]\nline-length = 100\n")
    result = run_cli("--config", "other.toml", "client.py", cwd=project)
    assert result.returncode == 2
    assert "other.toml: no [tool.apilint] table" in result.stderr


def test_ignoring_api000_is_an_error(project: Path) -> None:
    write(project, "client.py", UNSAFE)
    result = run_cli("--ignore", "API000", "client.py", cwd=project)
    assert result.returncode == 2 and "API000 (cannot analyse) cannot be ignored" in result.stderr
    write(project, "pyproject.toml", "[tool.apilint]\nper-file-ignores = { 'x/*' = ['API000'] }\n")
    result = run_cli("client.py", cwd=project)
    assert result.returncode == 2 and "per-file-ignores: API000" in result.stderr


def test_relative_extra_client_is_an_error(project: Path) -> None:
    write(project, "client.py", UNSAFE)
    write(project, "pyproject.toml", "[tool.apilint]\nextra-clients = { '.http.make_session' = 'requests.Session' }\n")
    result = run_cli("client.py", cwd=project)
    assert result.returncode == 2
    assert "extra-clients..http.make_session: expected an absolute dotted name" in result.stderr
