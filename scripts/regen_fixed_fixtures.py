#!/usr/bin/env python3
"""Write `.fixed.py` snapshots for fixtures whose findings carry fixes (review the diff before committing)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apilint.engine.engine import check_source, enabled_rules  # noqa: E402
from apilint.engine.fixer import fix_text  # noqa: E402
from tests.test_fixtures import CASES, _read, _settings  # noqa: E402

for path in CASES:
    text = _read(path)
    settings = _settings(path, text)
    if not any(f.fix for f in check_source(text, settings)):
        continue
    outcome = fix_text(text, settings, enabled_rules(settings), unsafe=True)
    target = path.with_suffix(".fixed.py")
    if not target.exists() or target.read_bytes().decode() != outcome.text:
        target.write_bytes(outcome.text.encode())
        print(f"wrote {target}")
