"""The committed exception table matches the installed libraries' real class hierarchies."""

from __future__ import annotations

import importlib.util
import sys

from apilint.knowledge import exception_hierarchy
from apilint.knowledge.exceptions import hierarchy

from .conftest import ROOT


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate_exception_table", ROOT / "scripts" / "generate_exception_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_matches_installed_libraries() -> None:
    generator = _generator()
    classes, aliases = generator.collect(generator.local_modules())
    generated_on = f"Python {sys.version_info.major}.{sys.version_info.minor} "
    same_python = generated_on in (exception_hierarchy.__doc__ or "")
    libraries = tuple(f"{root}." for root in generator.distributions())
    isolated = tuple(f"{root}." for root in generator.isolated_roots())

    def relevant(name: str) -> bool:
        # Builtins (and the stdlib modules' lists) change with the Python version; compare them only there.
        # Libraries installed only elsewhere: the next test.
        return (same_python or name.startswith(libraries)) and not name.startswith(isolated)

    assert {k: v for k, v in exception_hierarchy.CLASSES.items() if relevant(k)} == {
        k: v for k, v in classes.items() if relevant(k)
    }, "stale table: run python3 scripts/generate_exception_table.py"
    assert {k: v for k, v in exception_hierarchy.ALIASES.items() if relevant(k)} == {
        k: v for k, v in aliases.items() if relevant(k)
    }


def test_isolated_libraries_match_when_their_interpreter_is_given() -> None:
    """Libraries installed only elsewhere (niquests brings urllib3-future): compare when that is at hand."""
    import os

    import pytest

    python = os.environ.get("APILINT_LIBRARY_PYTHON")
    generator = _generator()
    roots = generator.isolated_roots()
    if not roots or not python:
        pytest.skip("set APILINT_LIBRARY_PYTHON to an interpreter with " + (", ".join(roots) or "nothing"))
    classes, aliases, _ = generator.collect_isolated(python, roots)
    own = tuple(f"{root}." for root in roots)
    assert {k: v for k, v in exception_hierarchy.CLASSES.items() if k.startswith(own)} == classes
    assert {k: v for k, v in exception_hierarchy.ALIASES.items() if k.startswith(own)} == aliases


def test_versions_named_in_header_are_installed() -> None:
    import importlib.metadata

    for dist in _generator().distributions():
        assert f"{dist} {importlib.metadata.version(dist)}" in (exception_hierarchy.__doc__ or "")


def test_every_record_names_classes_of_the_table() -> None:
    """A record's base, status error, read timeout and replacements are real classes, generated."""
    from apilint.knowledge.libraries import RECORDS

    table = hierarchy("py311")
    for record in RECORDS:
        facts = record.exceptions
        named = [facts.base, facts.status_error, facts.read_timeout, *dict(facts.builtin_replacements).values()]
        for name in filter(None, named):
            canonical = table.canonical(name)
            assert canonical is not None, f"{record.name}: {name} is not in the generated table"
            assert table.canonical(facts.base) in table.ancestors(canonical), f"{name} is not a {facts.base}"
        root = record.modules[0].split(".")[0]
        assert root in sys.stdlib_module_names or f"{root} " in (exception_hierarchy.__doc__ or ""), \
            f"{record.name}: its version is not in the table's header"


def test_key_facts() -> None:
    table = hierarchy("py311")
    assert "builtins.OSError" in table.ancestors("requests.exceptions.ConnectionError")
    assert "builtins.ConnectionError" not in table.ancestors("requests.exceptions.ConnectionError")
    assert table.canonical("socket.timeout") == "builtins.TimeoutError"
    assert table.canonical("asyncio.TimeoutError") == "builtins.TimeoutError"
    assert "builtins.ValueError" in table.ancestors(table.canonical("requests.JSONDecodeError") or "")
    py310 = hierarchy("py310")
    assert py310.canonical("asyncio.TimeoutError") == "asyncio.exceptions.TimeoutError"
    assert "builtins.TimeoutError" not in py310.ancestors("asyncio.exceptions.TimeoutError")


def test_linter_does_not_import_the_checked_libraries() -> None:
    import subprocess

    code = (
        "import sys, apilint.engine.engine, apilint.cli.main, apilint.flake8_plugin\n"
        "from apilint.engine.engine import check_source\n"
        "from apilint.settings import Settings\n"
        "check_source('import requests\\ntry:\\n    requests.get(u)\\nexcept Exception:\\n    pass\\n', Settings())\n"
        "bad = [m for m in ('requests', 'httpx', 'urllib3', 'aiohttp', 'httpx2', 'niquests') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
