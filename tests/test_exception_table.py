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
    classes, aliases = generator.collect()
    generated_on = f"Python {sys.version_info.major}.{sys.version_info.minor} "
    same_python = generated_on in (exception_hierarchy.__doc__ or "")

    def relevant(name: str) -> bool:
        # Builtins (and the stdlib modules' lists) change with the Python version; compare them only there.
        return same_python or name.startswith(("requests.", "httpx.", "urllib3.", "aiohttp."))

    assert {k: v for k, v in exception_hierarchy.CLASSES.items() if relevant(k)} == {
        k: v for k, v in classes.items() if relevant(k)
    }, "stale table: run python3 scripts/generate_exception_table.py"
    assert {k: v for k, v in exception_hierarchy.ALIASES.items() if relevant(k)} == {
        k: v for k, v in aliases.items() if relevant(k)
    }


def test_versions_named_in_header_are_installed() -> None:
    import importlib.metadata

    for dist in ("requests", "httpx", "urllib3", "aiohttp"):
        assert f"{dist} {importlib.metadata.version(dist)}" in (exception_hierarchy.__doc__ or "")


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
        "bad = [m for m in ('requests', 'httpx', 'urllib3', 'aiohttp') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
