"""Writing a cache file: atomically, and never at the cost of the run.

Shared by the findings cache (`cli/cache.py`) and the module summaries (`project/summary_store.py`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_json_atomically(target: Path, data: object, before_write: Callable[[], None] = lambda: None) -> None:
    """Write `data` as compact JSON to `target` through a temporary file in its directory.

    A cache that cannot be written (a full disk, no permission, data too deep to encode) is no cache:
    the run goes on, and no half-written temporary file stays behind.
    """
    temp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        before_write()
        # `json.dumps` encodes in C; `json.dump` to a file takes the pure-Python encoder (~5x slower).
        text = json.dumps(data, separators=(",", ":"))
        fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, target)
    except (OSError, ValueError, RecursionError):
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
