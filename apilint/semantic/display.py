"""Calls that only show a value (log, print, format it): passing something to them hands nothing on."""

from __future__ import annotations

import libcst as cst

DISPLAY_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print",
                           "str", "repr", "format", "len", "isinstance", "type", "getattr", "hasattr"})


def called_name(call: cst.Call) -> str:
    """The last name of the called function: `info` for `log.info(...)`, `print` for `print(...)`."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def is_display_call(call: cst.Call) -> bool:
    return called_name(call) in DISPLAY_CALLS
