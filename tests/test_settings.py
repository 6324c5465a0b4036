"""Settings validation: every bad value is one clear error naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from apilint.settings import ConfigError, Settings, find_pyproject, load_settings, parse_settings


def test_defaults() -> None:
    s = Settings()
    assert (s.timeout, s.backoff_factor, s.max_delay, s.broad_except) == (10, 0.5, 60, "http")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"timout": 5}, "timout: unknown key (did you mean 'timeout'?)"),
        ({"timeout": "5"}, "timeout: expected a number, got '5'"),
        ({"timeout": True}, "timeout: expected a number, got True"),
        ({"timeout": 0}, "timeout: must be > 0.0, got 0"),
        ({"max-delay": -1}, "max-delay: must be > 0.0, got -1"),
        ({"broad-except": "some"}, "broad-except: expected one of 'http', 'all', got 'some'"),
        ({"target-version": "py27"}, "target-version: expected one of"),
        ({"select": "API1"}, "select: expected a list of codes, got 'API1'"),
        ({"select": ["E501"]}, "select: unknown rule code or prefix 'E501'"),
        ({"ignore": ["API999"]}, "ignore: unknown rule code or prefix 'API999'"),
        ({"exclude": "build"}, "exclude: expected a list of strings"),
        ({"per-file-ignores": ["x"]}, "per-file-ignores: expected a table"),
        ({"per-file-ignores": {"t/*": ["X1"]}}, "per-file-ignores.t/*: unknown rule code"),
        ({"extra-clients": {"a.b": "requests.Sesion"}}, "extra-clients.a.b: unknown client type 'requests.Sesion'"),
    ],
)
def test_bad_values_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(table, "pyproject.toml")
    assert f"pyproject.toml: [tool.apilint] {message}" in str(info.value)


def test_valid_table() -> None:
    s = parse_settings(
        {"select": ["api1"], "ignore": ["API103"], "timeout": 2.5, "per-file-ignores": {"tests/*": ["API1"]},
         "extra-clients": {"app.make": "requests.Session"}},
        "x",
    )
    assert s.select == ("API1",) and s.timeout == 2.5 and s.timeout_literal() == "2.5"
    assert s.per_file_ignores == (("tests/*", ("API1",)),)
    assert s.is_enabled("API101") and s.is_enabled("API102") and not s.is_enabled("API103")


def test_longest_selector_wins() -> None:
    s = Settings(select=("API101",), ignore=("API1",))
    assert s.is_enabled("API101") and not s.is_enabled("API102")


def test_nearest_pyproject_with_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.apilint]\ntimeout = 4\n")
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    found = find_pyproject(inner)
    assert found == tmp_path / "pyproject.toml"
    assert load_settings(found).timeout == 4
