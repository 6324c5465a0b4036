"""End-to-end tests of the real `apilint` command (run as `python -m apilint`)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from .conftest import run_cli

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"
NONE = "import requests\n\n\ndef f(url):\n    return requests.get(url, timeout=None)\n"
CLEAN = "import requests\n\n\ndef f(url):\n    return requests.get(url, timeout=5)\n"


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_reports_in_flake8_format_and_exits_1(project: Path) -> None:
    write(project, "pkg/client.py", UNSAFE)
    result = run_cli("pkg", cwd=project)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first == "pkg/client.py:5:12: API101 requests.get() has no timeout and can block forever; pass timeout="
    assert "1 fixable with the `--fix` option" in result.stdout


def test_clean_exits_0(project: Path) -> None:
    write(project, "ok.py", CLEAN)
    result = run_cli(cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def test_fix_writes_and_keeps_mode(project: Path) -> None:
    path = write(project, "client.py", UNSAFE)
    path.chmod(0o751)
    result = run_cli("--fix", "client.py", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_text() == UNSAFE.replace("get(url)", "get(url, timeout=10)")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert "1 fixed, 0 remaining" in result.stdout


def test_fix_follows_symlink_and_keeps_it(project: Path) -> None:
    target = write(project, "real.py", UNSAFE)
    link = project / "link.py"
    link.symlink_to(target)
    run_cli("--fix", "link.py", cwd=project)
    assert link.is_symlink()
    assert "timeout=10" in target.read_text()


def test_unsafe_fixes_need_the_flag(project: Path) -> None:
    path = write(project, "client.py", NONE)
    result = run_cli("--fix", ".", cwd=project)
    assert result.returncode == 1
    assert path.read_text() == NONE
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in result.stdout
    result = run_cli("--fix", "--unsafe-fixes", ".", cwd=project)
    assert result.returncode == 0
    assert "timeout=10)" in path.read_text()


def test_extend_safe_fixes_from_config(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\nextend-safe-fixes = ['API102']\ntimeout = 3\n")
    path = write(project, "client.py", NONE)
    assert run_cli("--fix", ".", cwd=project).returncode == 0
    assert "timeout=3)" in path.read_text()


def test_diff_changes_nothing(project: Path) -> None:
    path = write(project, "client.py", UNSAFE)
    result = run_cli("--diff", ".", cwd=project)
    assert result.returncode == 1
    assert "+    return requests.get(url, timeout=10)" in result.stdout
    assert result.stdout.startswith("--- client.py")
    assert path.read_text() == UNSAFE
    write(project, "client.py", CLEAN)
    assert run_cli("--diff", ".", cwd=project).returncode == 0


def test_select_and_ignore(project: Path) -> None:
    write(project, "client.py", UNSAFE + NONE.replace("def f", "def g"))
    codes = lambda out: sorted(line.split()[1] for line in out.splitlines() if ": API" in line)  # noqa: E731
    assert codes(run_cli(cwd=project).stdout) == ["API101", "API102"]
    assert codes(run_cli("--select", "API102", cwd=project).stdout) == ["API102"]
    assert codes(run_cli("--ignore", "API10", cwd=project).stdout) == []
    assert codes(run_cli("--select", "API1", "--ignore", "API101", cwd=project).stdout) == ["API102"]


def test_noqa_semantics(project: Path) -> None:
    write(project, "a.py", UNSAFE.replace("get(url)", "get(url)  # noqa"))
    write(project, "b.py", UNSAFE.replace("get(url)", "get(url)  # noqa: API101"))
    write(project, "c.py", UNSAFE.replace("get(url)", "get(url)  # NOQA:api1"))
    write(project, "d.py", UNSAFE.replace("get(url)", "get(url)  # noqa: E501"))
    result = run_cli(cwd=project)
    assert [line.split(":")[0] for line in result.stdout.splitlines() if ": API" in line] == ["d.py"]


def test_noqa_findings_are_not_fixed(project: Path) -> None:
    text = UNSAFE.replace("get(url)", "get(url)  # noqa: API101")
    path = write(project, "a.py", text)
    run_cli("--fix", ".", cwd=project)
    assert path.read_text() == text


def test_json_output(project: Path) -> None:
    write(project, "client.py", UNSAFE)
    result = run_cli("--format", "json", ".", cwd=project)
    data = json.loads(result.stdout)
    assert data[0]["code"] == "API101"
    assert data[0]["name"] == "request-without-timeout"
    assert data[0]["location"] == {"row": 5, "column": 12}
    assert data[0]["fix"]["applicability"] == "safe"
    assert data[0]["fix"]["edits"] == [
        {"content": ", timeout=10", "location": {"row": 5, "column": 28}, "end_location": {"row": 5, "column": 28}}
    ]


def test_stdin(project: Path) -> None:
    result = run_cli("-", "--stdin-filename", "svc/api.py", cwd=project, stdin=UNSAFE.encode())
    assert result.returncode == 1
    assert result.stdout.decode().startswith("svc/api.py:5:12: API101 ")
    fixed = run_cli("-", "--fix", "--stdin-filename", "svc/api.py", cwd=project, stdin=UNSAFE.encode())
    assert fixed.stdout.decode() == UNSAFE.replace("get(url)", "get(url, timeout=10)")


def test_discovery_skips_tool_and_virtualenv_dirs(project: Path) -> None:
    for directory in (".git", "build", "dist", "__pycache__", ".tox", "node_modules", "venv", ".venv"):
        write(project, f"{directory}/x.py", UNSAFE)
    write(project, "myenv/pyvenv.cfg", "home = /usr\n")
    write(project, "myenv/lib/x.py", UNSAFE)
    write(project, "generated/x.py", UNSAFE)
    write(project, "src/x.py", UNSAFE)
    (project / "pyproject.toml").write_text("[tool.apilint]\nexclude = ['generated']\n")
    result = run_cli(cwd=project)
    assert [line.split(":")[0] for line in result.stdout.splitlines() if ": API" in line] == ["src/x.py"]


def test_discovery_order_symlinks_and_relative_excludes(project: Path) -> None:
    for name in ("b/z.py", "b/a.py", "a.py", "b/c/x.py", "b/gen/x.py", "z/x.py"):
        write(project, name, UNSAFE)
    (project / "link_to_b").symlink_to(project / "b", target_is_directory=True)  # not followed
    (project / "alias.py").symlink_to(project / "a.py")  # the same file once
    (project / "pyproject.toml").write_text("[tool.apilint]\nexclude = ['b/gen']\n")
    result = run_cli(cwd=project)
    files = [line.split(":")[0] for line in result.stdout.splitlines() if ": API" in line]
    assert files == ["a.py", "b/a.py", "b/c/x.py", "b/z.py", "z/x.py"]
    explicit = run_cli("b", "b/a.py", cwd=project)  # overlapping arguments: each file once
    assert [line.split(":")[0] for line in explicit.stdout.splitlines() if ": API" in line] == [
        "b/a.py", "b/c/x.py", "b/z.py"]


def test_per_file_ignores(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\nper-file-ignores = { 'tests/*' = ['API101'] }\n")
    write(project, "tests/test_x.py", UNSAFE)
    write(project, "src/x.py", UNSAFE)
    result = run_cli(cwd=project)
    assert [line.split(":")[0] for line in result.stdout.splitlines() if ": API" in line] == ["src/x.py"]


def test_unanalysable_files_are_reported_and_the_run_goes_on(project: Path) -> None:
    write(project, "a_broken.py", "import requests\ndef f(:\n")
    (project / "b_binary.py").write_bytes(b"import requests\n\xff\xfe\x00bad")
    write(project, "c_ok.py", UNSAFE)
    result = run_cli(cwd=project)
    lines = [line for line in result.stdout.splitlines() if ": API" in line]
    assert lines[0].startswith("a_broken.py:1:1: API000 cannot analyse: syntax error")
    assert lines[1].startswith("b_binary.py:1:1: API000 cannot analyse:")
    assert lines[2].startswith("c_ok.py:5:12: API101")
    assert result.returncode == 1


def test_jobs_give_identical_output(project: Path) -> None:
    for index in range(12):
        write(project, f"m{index:02}.py", UNSAFE + NONE.replace("def f", f"def g{index}"))
    one = run_cli("--jobs", "1", cwd=project)
    two = run_cli("--jobs", "2", cwd=project)
    assert one.stdout == two.stdout
    assert one.stdout.count("API101") == 12


def test_bad_config_is_a_clear_error(project: Path) -> None:
    write(project, "client.py", UNSAFE)
    (project / "pyproject.toml").write_text("[tool.apilint]\ntimout = 5\n")
    result = run_cli(cwd=project)
    assert result.returncode == 2
    assert "[tool.apilint] timout: unknown key (did you mean 'timeout'?)" in result.stderr
    (project / "pyproject.toml").write_text("[tool.apilint]\ntimeout = 'soon'\n")
    result = run_cli(cwd=project)
    assert result.returncode == 2 and "timeout: expected a number" in result.stderr
    (project / "pyproject.toml").write_text("[tool.apilint]\nselect = ['API999']\n")
    result = run_cli(cwd=project)
    assert result.returncode == 2 and "unknown rule code or prefix 'API999'" in result.stderr
    (project / "pyproject.toml").write_text("[tool.apilint\n")
    result = run_cli(cwd=project)
    assert result.returncode == 2 and "invalid TOML" in result.stderr


def test_bad_arguments_exit_2(project: Path) -> None:
    assert run_cli("--select", "XYZ", cwd=project).returncode == 2
    assert run_cli("does-not-exist.py", cwd=project).returncode == 2
    assert run_cli("--format", "xml", cwd=project).returncode == 2


def test_version() -> None:
    from apilint import __version__

    result = run_cli("--version")
    assert result.stdout.strip() == f"apilint {__version__}"


def test_config_found_from_subdirectory(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\nignore = ['API101']\n")
    write(project, "pkg/sub/x.py", UNSAFE)
    result = run_cli(".", cwd=project / "pkg")
    assert result.returncode == 0, result.stdout


def test_unwritable_file_is_reported_not_crashed_on(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apilint.cli import runner

    def refuse(path: Path, source: object, **guards: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(runner, "write_source", refuse)
    path = write(project, "ro.py", UNSAFE)
    job = runner.Job(path, "ro.py", runner.Settings(), (), "fix", False)
    result = runner.run_job(job)
    assert result.errors == ["ro.py: cannot write fixes: Permission denied"]
    assert [f.code for f in result.findings] == ["API101"]
    assert not result.fixed
    assert path.read_text() == UNSAFE


def test_hostile_inputs_are_reported_and_the_run_goes_on(project: Path) -> None:
    write(project, "deep.py", "import requests\nx = " + "[" * 190 + "1" + "]" * 190 + "\nrequests.get(x)\n")
    (project / "nul.py").write_bytes(b"import requests\nx = 1\x00\n")
    write(project, "empty.py", "")
    write(project, "py2.py", "import requests\nprint 'hi'\n")
    write(project, "zz.py", UNSAFE)
    result = run_cli(cwd=project)
    lines = [line for line in result.stdout.splitlines() if ": API" in line]
    assert [line.split(":")[0] for line in lines] == ["deep.py", "nul.py", "py2.py", "zz.py"]
    # Deep nesting is analysed when it fits (the call is reported), else reported as API000.
    assert ": API101 " in lines[0] or ": API000 cannot analyse: " in lines[0]
    assert all(": API000 cannot analyse: " in line for line in lines[1:3])
    assert "Traceback" not in result.stderr
