"""The registry of HTTP library records: every module of this package defines one `LIBRARY`.

Adding a library is adding one module here (`niquests.py`); nothing else changes. The tables
the analysis reads are derived from `RECORDS` in `apilint/knowledge/http_clients.py`.
"""

from __future__ import annotations

import importlib
import pkgutil

from apilint.knowledge.library_record import HttpLibrary


def _discover() -> tuple[HttpLibrary, ...]:
    records: list[HttpLibrary] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        record = getattr(module, "LIBRARY", None)
        if not isinstance(record, HttpLibrary):
            raise TypeError(f"{module.__name__} defines no LIBRARY record")
        records.append(record)
    names = [r.name for r in records]
    if len(set(names)) != len(names):
        raise ValueError(f"two records share a name: {names}")
    return tuple(records)


RECORDS: tuple[HttpLibrary, ...] = _discover()
BY_NAME: dict[str, HttpLibrary] = {record.name: record for record in RECORDS}
