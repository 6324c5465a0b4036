#!/usr/bin/env python3
"""Generate apilint/knowledge/exception_hierarchy.py from the HTTP libraries' real classes.

apilint never imports the libraries it checks; it reads this table instead. Which modules are
read comes from the library records (`apilint/knowledge/libraries/*.py`, `exceptions.modules`).
Refresh the table on a new release of any of them:

    python3 -m pip install -e '.[test]'        # the pinned versions
    python3 -m venv /tmp/apilint-libs && /tmp/apilint-libs/bin/pip install httpx2==2.16.2 niquests==3.21.2
    python3 scripts/generate_exception_table.py --isolated-python /tmp/apilint-libs/bin/python

Libraries that cannot be installed next to the others (niquests brings urllib3-future, which
replaces urllib3) are read in that second interpreter, each keeping only its own classes.

tests/test_exception_table.py fails when the committed table no longer matches the installed
libraries' real class hierarchies.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import importlib.metadata
import importlib.util
import json
import pprint
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apilint.knowledge.libraries import RECORDS  # noqa: E402

# Standard modules whose public exception classes the rules reason about besides the libraries'.
STDLIB_MODULES = ("builtins", "json", "json.decoder", "socket", "ssl", "asyncio", "asyncio.exceptions",
                  "concurrent.futures")
TARGET = ROOT / "apilint" / "knowledge" / "exception_hierarchy.py"


def library_modules() -> dict[str, tuple[str, ...]]:
    """Top-level distribution (a record's import root) -> the exception modules its record names."""
    found: dict[str, tuple[str, ...]] = {}
    for record in RECORDS:
        root = record.modules[0].split(".", 1)[0]
        found[root] = (*found.get(root, ()), *record.exceptions.modules)
    return found


def is_stdlib(root: str) -> bool:
    return root in sys.stdlib_module_names


def installed(root: str) -> bool:
    return importlib.util.find_spec(root) is not None


def canonical(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def collect(modules: tuple[str, ...] | list[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(canonical name -> MRO of canonical names, public spelling -> canonical name) of `modules`."""
    classes: dict[str, tuple[str, ...]] = {}
    aliases: dict[str, str] = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for attr in sorted(dir(module)):
            if attr.startswith("_"):
                continue
            value = getattr(module, attr)
            if not (isinstance(value, type) and issubclass(value, BaseException)):
                continue
            for cls in value.__mro__:
                if cls is object:
                    continue
                classes[canonical(cls)] = tuple(canonical(c) for c in cls.__mro__ if c is not object)
            aliases[f"{module_name}.{attr}"] = canonical(value)
    for name in list(classes):
        aliases.setdefault(name, name)
    return dict(sorted(classes.items())), dict(sorted(aliases.items()))


def local_modules() -> list[str]:
    """Modules read in this interpreter: the standard library's and the installed libraries'."""
    modules = list(STDLIB_MODULES)
    for root, names in library_modules().items():
        if is_stdlib(root) or installed(root):
            modules += [m for m in names if m not in modules]
    return modules


def isolated_roots() -> list[str]:
    return [root for root in library_modules() if not is_stdlib(root) and not installed(root)]


def collect_isolated(python: str, roots: list[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str], list[str]]:
    """Each root's own classes and spellings, read by `python` (where it is installed)."""
    classes: dict[str, tuple[str, ...]] = {}
    aliases: dict[str, str] = {}
    versions = []
    for root in roots:
        modules = library_modules()[root]
        output = subprocess.run([python, __file__, "--collect", root, *modules], check=True,
                                capture_output=True, text=True).stdout
        data = json.loads(output)
        own = (root, root + ".")
        classes.update({k: tuple(v) for k, v in data["classes"].items() if k == root or k.startswith(own)})
        aliases.update({k: v for k, v in data["aliases"].items() if k.startswith(own)})
        versions.append(f"{root} {data['version']}")
    return classes, aliases, versions


def distributions() -> list[str]:
    return [root for root in library_modules() if not is_stdlib(root) and installed(root)]


def header(isolated_versions: list[str]) -> str:
    versions = ", ".join([*(f"{d} {importlib.metadata.version(d)}" for d in distributions()), *isolated_versions])
    return (
        '"""Exception class hierarchies of the builtins and the HTTP libraries (GENERATED, do not edit).\n\n'
        f"Generated by scripts/generate_exception_table.py on Python {sys.version_info.major}."
        f"{sys.version_info.minor} from: {versions}.\n"
        '"""\n\n'
    )


def render(isolated_python: str | None) -> str:
    classes, aliases = collect(local_modules())
    isolated_versions: list[str] = []
    roots = isolated_roots()
    if roots:
        if isolated_python is None:
            raise SystemExit(f"{', '.join(roots)} not installed here: pass --isolated-python (see the docstring)")
        more_classes, more_aliases, isolated_versions = collect_isolated(isolated_python, roots)
        classes = dict(sorted({**classes, **more_classes}.items()))
        aliases = dict(sorted({**aliases, **more_aliases}.items()))
    return (
        header(isolated_versions)
        + "# canonical name -> its method resolution order (canonical names, itself first)\n"
        + "CLASSES: dict[str, tuple[str, ...]] = " + pprint.pformat(classes, width=110, sort_dicts=True) + "\n\n"
        + "# every public spelling (module.name) -> canonical name\n"
        + "ALIASES: dict[str, str] = " + pprint.pformat(aliases, width=110, sort_dicts=True) + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--isolated-python", help="interpreter where the libraries not installed here are")
    parser.add_argument("--collect", nargs="+", metavar=("ROOT", "MODULE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.collect:
        root, *modules = args.collect
        classes, aliases = collect(modules)
        print(json.dumps({"classes": classes, "aliases": aliases, "version": importlib.metadata.version(root)}))
        return
    assert builtins  # the builtins module is read like the others
    TARGET.write_text(render(args.isolated_python), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
