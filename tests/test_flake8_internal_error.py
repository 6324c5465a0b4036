"""An internal engine error under flake8 is a finding (API000, as in the CLI), never silence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"

# Loaded by the interpreter at start-up (site.py imports `sitecustomize` from sys.path): makes the
# engine fail inside the flake8 process, the way a bug in a rule would.
_INJECT_FAILURE = '''
import apilint.engine.engine as engine

def _broken(*args, **kwargs):
    raise RuntimeError("injected failure")

engine.check_source = _broken
'''


def _flake8_with_broken_engine(project: Path, hooks: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (hooks / "sitecustomize.py").write_text(_INJECT_FAILURE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "flake8", "-j1", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


def test_internal_error_is_reported_as_api000(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (project / "x.py").write_text(UNSAFE)
    hooks = tmp_path_factory.mktemp("hooks")
    result = _flake8_with_broken_engine(project, hooks, "--select", "API", "x.py")
    assert "x.py:1:1: API000 cannot analyse: internal error: RuntimeError: injected failure" in result.stdout
    assert result.returncode == 1  # a finding: the run fails instead of passing silently
    assert "Traceback" not in result.stderr


def test_without_the_failure_the_same_run_reports_the_finding(project: Path) -> None:
    """The injection is what fails: the same command reports the real finding and no API000."""
    (project / "x.py").write_text(UNSAFE)
    result = subprocess.run([sys.executable, "-m", "flake8", "-j1", "--select", "API", "x.py"], cwd=project,
                            capture_output=True, text=True, timeout=300)
    assert "API101" in result.stdout and "API000" not in result.stdout
