"""The plugin through the real flake8: findings, noqa, options and crash-safety."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_flake8, write_twin_packages

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"


def _api_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": API" in line]


def test_reports_same_lines_as_cli(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    result = run_flake8("--select", "API", "x.py", cwd=project)
    assert _api_lines(result.stdout) == [
        "x.py:5:12: API101 requests.get() has no timeout and can block forever; pass timeout="
    ]


def test_noqa_and_extend_ignore(project: Path) -> None:
    (project / "a.py").write_text(UNSAFE.replace("get(url)", "get(url)  # noqa: API101"))
    (project / "b.py").write_text(UNSAFE)
    lines = _api_lines(run_flake8("--select", "API", ".", cwd=project).stdout)
    assert [line.split(":")[0] for line in lines] == ["./b.py"]
    assert _api_lines(run_flake8("--select", "API", "--extend-ignore", "API101", ".", cwd=project).stdout) == []


def test_show_source_and_statistics(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    result = run_flake8("--select", "API", "--show-source", "--statistics", "x.py", cwd=project)
    assert "    return requests.get(url)" in result.stdout
    assert "1     API101" in result.stdout


def test_syntax_error_is_left_to_flake8(project: Path) -> None:
    (project / "bad.py").write_text("import requests\ndef f(:\n")
    result = run_flake8("--select", "API,E999", "bad.py", cwd=project)
    assert "E999" in result.stdout
    assert "API" not in result.stdout.replace("E999", "")
    assert "Traceback" not in result.stderr


def test_pyproject_settings_and_flake8_override(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\ntimeout = 7\n")
    (project / "x.py").write_text("import requests\nrequests.get('u', timeout=None)\n")
    # flake8 reports, it does not fix; the configured timeout shows in the settings it loads.
    from apilint.flake8_plugin import settings_from_flake8
    import argparse

    options = argparse.Namespace(apilint_timeout=None)
    assert settings_from_flake8(options, project).timeout == 7
    options = argparse.Namespace(apilint_timeout=3.0, apilint_extra_clients=["app.http.make=requests.Session"])
    merged = settings_from_flake8(options, project)
    assert merged.timeout == 3.0
    assert merged.extra_clients == (("app.http.make", "requests.Session"),)


def test_flake8_config_file_option_is_read(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\napilint-extra-clients = client.make=requests.Session\n")
    (project / "x.py").write_text("from client import make\n\n\ndef f(url):\n    return make().get(url)\n")
    result = run_flake8("--select", "API", "x.py", cwd=project)
    assert [line.split(": ")[1].split()[0] for line in _api_lines(result.stdout)] == ["API101"]
    assert _api_lines(result.stdout)[0].startswith("x.py:5:12: API101")
    # Without the option, `make` is unknown: nothing is reported.
    (project / "setup.cfg").write_text("[flake8]\n")
    assert _api_lines(run_flake8("--select", "API", "x.py", cwd=project).stdout) == []


def test_bad_pyproject_is_a_clear_flake8_error(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\nbroad-except = 'some'\n")
    (project / "x.py").write_text(UNSAFE)
    result = run_flake8("--select", "API", "x.py", cwd=project)
    assert result.returncode != 0
    assert "[tool.apilint] broad-except: expected one of 'http', 'all', got 'some'" in result.stderr


def test_plugin_never_raises(project: Path) -> None:
    from apilint.flake8_plugin import ApilintChecker
    import ast

    # A tree that does not match the lines (the tree has an HTTP call, so the lines must be parsed, and they
    # cannot be): the plugin must not raise, and says it could not analyse.
    tree = ast.parse("import requests\nrequests.get('https://x')\n")
    checker = ApilintChecker(tree, ["import requests\n", "requests.get(:\n"])
    assert [message.split()[0] for _, _, message, _ in checker.run()] == ["API000"]


def test_plugin_uses_each_files_table_with_its_excludes_and_per_file_ignores(project: Path) -> None:
    """Issue 17 item 4: the plugin honours [tool.apilint] per-file-ignores and exclude, per directory."""
    (project / "pyproject.toml").write_text(
        "[tool.apilint]\nexclude = ['generated']\nper-file-ignores = { 'tests/*' = ['API101'] }\n")
    for relative in ("generated/g.py", "tests/test_x.py", "src/x.py", "svc/y.py"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(UNSAFE)
    (project / "svc" / "pyproject.toml").write_text("[tool.apilint]\nignore = ['API1']\n")
    lines = _api_lines(run_flake8("--select", "API", ".", cwd=project).stdout)
    assert [line.split(":")[0] for line in lines] == ["./src/x.py"]


def test_plugin_warns_about_keys_it_cannot_apply(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\nrespect-gitignore = false\nextend-safe-fixes = ['API2']\n")
    (project / "x.py").write_text(UNSAFE)
    result = run_flake8("--select", "API", "x.py", cwd=project)
    assert "[tool.apilint] respect-gitignore does not apply under flake8" in result.stderr
    assert "[tool.apilint] extend-safe-fixes does not apply under flake8 (flake8 does not fix)" in result.stderr
    assert result.stderr.count("respect-gitignore") == 1


def _api_lines(out: str) -> list[str]:
    return sorted(line for line in out.splitlines() if " API" in line)


def test_plugin_answers_unchanged_files_from_the_cache(project: Path) -> None:
    """A second flake8 run reads the findings it kept (an edited entry shows), per file and path;
    a change to another module of the project invalidates them."""
    write_twin_packages(project)
    cold = _api_lines(run_flake8("--select", "API", ".", cwd=project).stdout)
    assert [line.split(":")[0] for line in cold] == ["./pkg_a/use.py"]
    entries = sorted((project / ".apilint_cache").rglob("entries/*/*.json"))
    assert len(entries) == 6  # one per file
    assert [e.stat().st_size == 0 for e in entries].count(True) == 5  # no findings: an empty file
    assert _api_lines(run_flake8("--select", "API", ".", cwd=project).stdout) == cold
    for entry in entries:  # the kept entries are what a warm run reports
        entry.write_text(entry.read_text().replace("has no timeout", "HAS NO TIMEOUT"))
    edited = _api_lines(run_flake8("--select", "API", ".", cwd=project).stdout)
    assert [line.split(":")[0] for line in edited] == ["./pkg_a/use.py"] and "HAS NO TIMEOUT" in edited[0]
    # Another module changes: every file of the project is analysed again.
    (project / "pkg_b" / "client.py").write_text("import requests\nsession = requests.Session()\n")
    warm = _api_lines(run_flake8("--select", "API", ".", cwd=project).stdout)
    assert [line.split(":")[0] for line in warm] == ["./pkg_a/use.py", "./pkg_b/use.py"]
    assert not any("HAS NO TIMEOUT" in line for line in warm)


def test_plugin_no_cache_option_keeps_nothing(project: Path) -> None:
    write_twin_packages(project)
    out = run_flake8("--select", "API", "--apilint-no-cache", ".", cwd=project).stdout
    assert [line.split(":")[0] for line in _api_lines(out)] == ["./pkg_a/use.py"]
    assert not (project / ".apilint_cache").exists()
