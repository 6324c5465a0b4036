"""`apilint server`: the language server over stdio (needs the `server` extra: pygls, lsprotocol)."""

from __future__ import annotations

import argparse
import sys

EXIT_CLEAN, EXIT_ERROR = 0, 2


def server_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="apilint server",
        description="Run apilint as a Language Server Protocol server over stdin/stdout "
                    "(diagnostics and quick fixes in the editor; see docs/editors.md).",
    )
    parser.parse_args(argv)
    try:
        from apilint.server.app import build_server
    except ImportError as exc:
        print(f"apilint: error: the language server needs its extra dependencies ({exc.name or exc}); "
              "install them with: pip install 'apilint[server]'", file=sys.stderr)
        return EXIT_ERROR
    build_server().start_io()
    return EXIT_CLEAN
