"""Retry rules v2: the safe API401 fix leaves no new finding, and advice fits the urllib3 versions the
project supports (spec principle 4), read from its declared dependencies without executing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from apilint.engine.engine import check_source, enabled_rules
from apilint.engine.fixer import fix_text
from apilint.project.dependencies import minimum_major, with_project_facts
from apilint.settings import ConfigError, Settings, parse_settings

from .conftest import run_cli, run_flake8

CONFIGS = [
    "Retry(total=10)",
    "Retry(total=3, status_forcelist=[502, 503])",
    "Retry(total=20, backoff_factor=0)",
    "Retry(total=6, backoff_factor=0, backoff_jitter=0.3)",
    "Retry()",
    "Retry(total=retries)",
    "Retry(connect=5, read=5)",
]


def _module(config: str) -> str:
    return (
        "import requests\n"
        "from requests.adapters import HTTPAdapter\n"
        "from urllib3.util.retry import Retry\n\n\n"
        "def session(retries):\n"
        "    s = requests.Session()\n"
        f"    s.mount('https://', HTTPAdapter(max_retries={config}))\n"
        "    return s\n"
    )


@pytest.mark.parametrize("urllib3_version", [None, 1, 2])
@pytest.mark.parametrize("config", CONFIGS)
def test_api401_safe_fix_leaves_no_new_finding(config: str, urllib3_version: int | None) -> None:
    # v1 added `backoff_factor=0.5` whatever the rest said: Retry(total=10) then waited 0.5 * 2**9 s
    # (API403), and on urllib3 2 had no jitter (API402).
    settings = Settings(select=("API4",), urllib3_version=urllib3_version)
    text = _module(config)
    before = {(f.code, f.line) for f in check_source(text, settings)}
    assert ("API401", 8) in before
    outcome = fix_text(text, settings, enabled_rules(settings), unsafe=False)
    assert outcome.error is None
    if config == "Retry(total=20, backoff_factor=0)" and urllib3_version != 2:
        # urllib3 1.26 caps a wait at 120 s, over max-delay: no factor both backs off and stays under it.
        assert outcome.text == text
        return
    assert outcome.text != text
    after = {(f.code, f.line) for f in check_source(outcome.text, settings)}
    assert after <= before - {("API401", 8)}, outcome.text
    if urllib3_version != 2:
        assert "backoff_jitter=0.5" not in outcome.text and "backoff_max" not in outcome.text  # 1.26 rejects them


def test_api401_fix_fits_the_ceiling_without_backoff_max() -> None:
    settings = Settings(select=("API4",))
    outcome = fix_text(_module("Retry(total=10)"), settings, enabled_rules(settings), unsafe=False)
    assert "Retry(total=10, backoff_factor=0.11)" in outcome.text  # 0.11 * 2**9 = 56 s <= max-delay 60


def test_api401_fix_on_urllib3_2_adds_jitter_and_cap() -> None:
    settings = Settings(select=("API4",), urllib3_version=2)
    outcome = fix_text(_module("Retry(total=10)"), settings, enabled_rules(settings), unsafe=False)
    assert "Retry(total=10, backoff_factor=0.5, backoff_jitter=0.5, backoff_max=60)" in outcome.text


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


@pytest.mark.parametrize(("files", "expected"), [
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["requests>=2.31", "urllib3>=2.0"]\n'}, 2),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["requests>=2.31"]\n'}, None),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["urllib3>=1.26,<3"]\n'}, 1),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\nurllib3 = "^2.1"\n'}, 2),
    ({"setup.cfg": "[options]\ninstall_requires =\n    requests\n    urllib3 ~= 2.2\n"}, 2),
    ({"setup.py": "from setuptools import setup\nREQS = ['urllib3>=2']\nsetup(name='x', install_requires=REQS)\n"}, 2),
    ({"setup.py": "from setuptools import setup\nsetup(install_requires=['urllib3<2'])\n"}, None),
    ({"setup.py": "", "requirements.txt": "# pinned\nurllib3==2.2.1  # security\n-r other.txt\n"}, 2),
    ({"setup.py": "", "requirements-dev.txt": "urllib3>=2\n", "requirements.txt": "urllib3>=1.26\n"}, 2),
])
def test_declared_urllib3_floor(tmp_path: Path, files: dict[str, str], expected: int | None) -> None:
    root = _project(tmp_path, {**files, "pkg/__init__.py": "", "pkg/client.py": ""})
    assert minimum_major(root / "pkg" / "client.py", "urllib3") == expected


def test_setup_py_is_read_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    _project(tmp_path, {"setup.py": f"open({str(marker)!r}, 'w').write('x')\nsetup(install_requires=['urllib3>=2'])\n"})
    assert minimum_major(tmp_path / "m.py", "urllib3") == 2
    assert not marker.exists()


def test_a_setting_wins_over_the_dependencies(tmp_path: Path) -> None:
    _project(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["urllib3>=2"]\n'})
    assert with_project_facts(Settings(), tmp_path / "m.py").urllib3_version == 2
    assert with_project_facts(Settings(urllib3_version=1), tmp_path / "m.py").urllib3_version == 1


@pytest.mark.parametrize("value", [3, 0, "2", True, 2.5])
def test_urllib3_version_setting_is_validated(value: object) -> None:
    with pytest.raises(ConfigError, match="urllib3-version"):
        parse_settings({"urllib3-version": value}, "pyproject.toml")
    assert parse_settings({"urllib3-version": 2}, "pyproject.toml").urllib3_version == 2


_JITTERLESS = (
    "from urllib3.util.retry import Retry\n\n"
    "RETRY = Retry(total=4, backoff_factor=0.5)\n"
)


@pytest.mark.parametrize(("dependencies", "reported"), [('["urllib3>=2"]', True), ('["requests"]', False)])
def test_api402_on_retry_follows_the_declared_dependencies(tmp_path: Path, dependencies: str, reported: bool) -> None:
    _project(tmp_path, {"pyproject.toml": f'[project]\nname = "x"\ndependencies = {dependencies}\n',
                        "client.py": _JITTERLESS})
    cli = run_cli("--no-cache", "--select", "API402", "client.py", cwd=tmp_path)
    flake8 = run_flake8("--select", "API402", "client.py", cwd=tmp_path)
    assert ("API402" in cli.stdout) is reported, cli.stdout + cli.stderr
    assert ("API402" in flake8.stdout) is reported, flake8.stdout + flake8.stderr
