"""Issue 17 item 7: Jupyter notebooks through the real CLI: discovered, checked across cells,
reported per cell as ruff does (`path:cell N:line:col`), fixed without touching anything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import run_cli


def _notebook(**overrides: Any) -> dict[str, Any]:
    notebook: dict[str, Any] = {
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Calling the API\n", "requests.get(url)"]},
            {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {"tags": ["setup"]},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
             "source": ["%matplotlib inline\n", "import requests\n", "session = requests.Session()"]},
            {"cell_type": "code", "execution_count": 2, "id": "c2", "metadata": {}, "outputs": [],
             "source": ["!pip install requests\n", "files = !ls\n", "r = session.get('https://api.example.com/x')\n",
                        "data = r.json()"]},
            {"cell_type": "code", "execution_count": None, "id": "c3", "metadata": {}, "outputs": [],
             "source": "%%bash\ncurl https://example.com\n"},
            {"cell_type": "code", "execution_count": None, "id": "c4", "metadata": {}, "outputs": [],
             "source": "requests.get('https://example.com')  # noqa: API101\nrequests.get('https://example.com')  # café"},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python", "version": "3.11.7"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    notebook.update(overrides)
    return notebook


def _write(path: Path, notebook: dict[str, Any], indent: int = 1) -> str:
    text = json.dumps(notebook, indent=indent, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def test_notebooks_are_discovered_and_reported_per_cell(project: Path) -> None:
    _write(project / "analysis.ipynb", _notebook())
    result = run_cli("--no-cache", cwd=project)
    located = [" ".join(line.split()[:3]) for line in result.stdout.splitlines() if ": API" in line]
    assert located == ["analysis.ipynb:cell 3:3:5: API101", "analysis.ipynb:cell 3:4:10: API201",
                       "analysis.ipynb:cell 5:2:1: API101"]
    assert "Found 3 errors in 1 file." in result.stdout
    # The cache gives the same positions on a warm run.
    assert run_cli(cwd=project).stdout == run_cli(cwd=project).stdout == result.stdout


def test_grouped_and_json_output_carry_the_cell(project: Path) -> None:
    _write(project / "analysis.ipynb", _notebook())
    grouped = run_cli("--no-cache", "--format", "grouped", cwd=project).stdout
    assert "  cell 3:3:5 API101" in grouped
    items = json.loads(run_cli("--no-cache", "--format", "json", cwd=project).stdout)
    assert [(i["cell"], i["location"]["row"], i["code"]) for i in items] == [(3, 3, "API101"), (3, 4, "API201"),
                                                                             (5, 2, "API101")]


def test_fix_changes_only_the_fixed_cell_sources(project: Path) -> None:
    before = _write(project / "analysis.ipynb", _notebook())
    result = run_cli("--fix", "--unsafe-fixes", "analysis.ipynb", cwd=project)
    assert "3 fixed, 0 remaining" in result.stdout, result.stdout + result.stderr
    after = (project / "analysis.ipynb").read_text(encoding="utf-8")
    expected = _notebook()
    expected["cells"][2]["source"] = ["!pip install requests\n", "files = !ls\n",
                                      "r = session.get('https://api.example.com/x', timeout=10)\n",
                                      "r.raise_for_status()\n", "data = r.json()"]
    expected["cells"][4]["source"] = ("requests.get('https://example.com')  # noqa: API101\n"
                                      "requests.get('https://example.com', timeout=10)  # café")
    assert after == json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
    assert before != after


def test_diff_is_per_cell(project: Path) -> None:
    _write(project / "analysis.ipynb", _notebook(), indent=2)
    result = run_cli("--diff", "analysis.ipynb", cwd=project)
    assert "--- analysis.ipynb:cell 3\n+++ analysis.ipynb:cell 3\n" in result.stdout
    assert "+r = session.get('https://api.example.com/x', timeout=10)\n" in result.stdout
    assert "%matplotlib" not in result.stdout and "pass  # apilint" not in result.stdout


def test_unreproducible_json_is_never_rewritten(project: Path) -> None:
    text = json.dumps(_notebook(), indent=1, ensure_ascii=False, sort_keys=True).replace('"nbformat": 4', '"nbformat":4')
    (project / "odd.ipynb").write_text(text, encoding="utf-8")
    result = run_cli("--fix", "odd.ipynb", cwd=project)
    assert "odd.ipynb: the notebook's JSON formatting cannot be reproduced; not rewritten" in result.stderr
    assert (project / "odd.ipynb").read_text(encoding="utf-8") == text
    assert "API101" in result.stdout  # still reported, not silently dropped


def test_other_kernels_and_broken_notebooks(project: Path) -> None:
    r_kernel = _notebook(metadata={"kernelspec": {"language": "R", "name": "ir"}, "language_info": {"name": "R"}})
    _write(project / "r.ipynb", r_kernel)
    (project / "broken.ipynb").write_text("{not json", encoding="utf-8")
    result = run_cli("--no-cache", cwd=project)
    assert result.stdout.splitlines()[0].startswith("broken.ipynb:1:1: API000 cannot analyse: not a notebook")
    assert "r.ipynb" not in result.stdout


def test_add_noqa_leaves_notebooks_alone(project: Path) -> None:
    before = _write(project / "analysis.ipynb", _notebook())
    result = run_cli("--add-noqa", "analysis.ipynb", cwd=project)
    assert "--add-noqa does not edit notebooks" in result.stderr
    assert (project / "analysis.ipynb").read_text(encoding="utf-8") == before


def test_github_and_sarif_name_the_cell_instead_of_a_file_line(project: Path) -> None:
    _write(project / "analysis.ipynb", _notebook())
    github = run_cli("--no-cache", "--format", "github", cwd=project).stdout.splitlines()
    assert github[0].startswith("::warning file=analysis.ipynb,title=apilint API101::API101 cell 3, line 3, column 5: ")
    sarif = json.loads(run_cli("--no-cache", "--format", "sarif", cwd=project).stdout)
    result = sarif["runs"][0]["results"][0]
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["message"]["text"].startswith("cell 3, line 3, column 5: ")
