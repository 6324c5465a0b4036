"""Module summaries kept in the cache (issue 15 item 4): reused when a module's text is unchanged,
shared by flake8's -j workers through the cache, and never trusted when malformed."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from apilint.project import build, looks, summary
from apilint.project.build import build_project, keep_summaries, project_for
from apilint.project.facts import ModuleSummary
from apilint.project.summary_store import SummaryFiles, summary_from_json

FILES = {
    "p/__init__.py": "",
    "p/compat.py": "import requests as http\nfrom requests import Session\n",
    "p/make.py": "from .compat import Session\n\ndef new():\n    return Session()\n",
    "p/base.py": ("from p.make import new\n\nclass Base:\n    def __init__(self):\n        self.s = new()\n\n"
                  "    def _call(self, url, **kw):\n        return self.s.get(url, **kw)\n"),
    "p/api.py": "import requests\n\ndef fetch(url, **kw):\n    return requests.get(url, **kw)\n",
    "p/use.py": "from p.base import Base\nfrom p.api import fetch\n\nfetch('u')\n",
}


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "pyproject.toml").write_text("")
    return root.resolve()


@pytest.fixture(autouse=True)
def _no_kept_summaries() -> object:
    yield
    keep_summaries(None)
    build._PROJECTS.clear()


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    summarize = summary.summarize

    def counting(tree: ast.Module, name: str, package: bool) -> ModuleSummary:
        parsed.append(name)
        return summarize(tree, name, package)

    monkeypatch.setattr(looks, "summarize", counting)
    return parsed


def test_unchanged_modules_are_not_summarised_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    parsed = _parses(monkeypatch)
    keep_summaries(SummaryFiles(tmp_path / "cache"))
    first = project_for(root / "p" / "use.py")
    assert sorted(parsed) == ["p.api", "p.base", "p.compat", "p.make", "p.use"]
    build._PROJECTS.clear()  # a new process
    parsed.clear()
    (root / "p" / "base.py").write_text(FILES["p/base.py"] + "\n# changed\n")
    second = project_for(root / "p" / "use.py")
    assert parsed == ["p.base"]  # only the changed module
    assert second.index.wrapper("p.base.Base._call") is None and second.index.method_wrapper("p.base.Base", "_call")
    assert sorted(second.index.summaries) == sorted(first.index.summaries)
    plain = build_project(root)  # no store at all: the very same summaries
    assert {m: s.to_json() for m, s in plain.index.summaries.items()} == \
        {m: s.to_json() for m, s in second.index.summaries.items()}
    assert plain.digest == second.digest


def test_a_malformed_stored_summary_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    files = SummaryFiles(tmp_path / "cache")
    keep_summaries(files)
    expected = project_for(root / "p" / "use.py")
    build._PROJECTS.clear()
    (stored,) = (tmp_path / "cache").glob("*.json")
    entries = json.loads(stored.read_text())
    for entry in entries.values():
        if entry["classes"]:
            entry["classes"]["Base"]["bases"] = 5  # the wrong type: must not reach the index
        entry["names"] = {"S": [{"kind": "call"}]}  # a Value with fields missing
    stored.write_text(json.dumps(entries))
    parsed = _parses(monkeypatch)
    again = project_for(root / "p" / "use.py")
    assert sorted(parsed) == ["p.api", "p.base", "p.compat", "p.make", "p.use"]  # every entry was malformed: all summarised
    assert again.digest == expected.digest
    stored.write_text("{not json")
    build._PROJECTS.clear()
    assert project_for(root / "p" / "use.py").digest == expected.digest


@pytest.mark.parametrize("entry", [None, [], {}, {"name": 1}, "x"])
def test_summary_from_json_rejects_what_to_json_never_writes(entry: object) -> None:
    assert summary_from_json(entry) is None


def test_flake8_workers_share_summaries_through_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    command = [sys.executable, "-m", "flake8", "--select", "API", "-j", "2", "."]
    first = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert list((root / ".apilint_cache").glob("*/summaries/*.json"))
    second = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert "use.py:4:1: API101" in first.stdout and first.stdout == second.stdout


def test_no_cache_writes_no_summaries(tmp_path: Path) -> None:
    root = _project(tmp_path)
    run = [sys.executable, "-m", "apilint", "--isolated", "--exit-zero", "-q"]
    subprocess.run([*run, "--no-cache", "."], cwd=root, check=True, capture_output=True)
    assert not (root / ".apilint_cache").exists()
    subprocess.run([*run, "."], cwd=root, check=True, capture_output=True)
    assert list((root / ".apilint_cache").glob("*/summaries/*.json"))
