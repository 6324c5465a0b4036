"""The content-hash cache gives the same findings as a cold run and never serves stale ones."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"
NONE = "import requests\n\n\ndef f(url):\n    return requests.get(url, timeout=None)\n"


def _lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": API" in line]


def test_warm_run_matches_cold_run(project: Path) -> None:
    for index in range(6):
        (project / f"m{index}.py").write_text(UNSAFE if index % 2 else NONE)
    cold = run_cli("--no-cache", ".", cwd=project)
    assert not (project / ".apilint_cache").exists()
    first = run_cli(".", cwd=project)
    assert (project / ".apilint_cache" / ".gitignore").exists()
    warm = run_cli(".", cwd=project)
    assert cold.stdout == first.stdout == warm.stdout
    assert len(_lines(warm.stdout)) == 6


def test_changed_file_is_analysed_again(project: Path) -> None:
    path = project / "x.py"
    path.write_text(UNSAFE)
    assert "API101" in run_cli(".", cwd=project).stdout
    path.write_text(NONE)
    out = run_cli(".", cwd=project).stdout
    assert "API102" in out and "API101" not in out


def test_settings_change_invalidates(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    assert _lines(run_cli(".", cwd=project).stdout)
    (project / "pyproject.toml").write_text("[tool.apilint]\nignore = ['API101']\n")
    assert _lines(run_cli(".", cwd=project).stdout) == []
    assert _lines(run_cli("--isolated", ".", cwd=project).stdout) != []


def test_corrupt_cache_is_a_miss(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    run_cli(".", cwd=project)
    for index in (project / ".apilint_cache").rglob("index.json"):
        index.write_text("{not json")
    assert len(_lines(run_cli(".", cwd=project).stdout)) == 1


def test_json_output_from_cache_has_edits(project: Path) -> None:
    import json

    (project / "x.py").write_text(UNSAFE)
    run_cli(".", cwd=project)
    data = json.loads(run_cli("--format", "json", ".", cwd=project).stdout)
    assert data[0]["fix"]["edits"][0]["content"] == ", timeout=10"
