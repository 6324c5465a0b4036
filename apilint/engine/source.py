"""Reading and writing source files without losing a byte we did not mean to change.

Text is decoded with the file's own encoding (PEP 263 cookie or BOM) and
without newline translation, so CRLF, mixed newlines, form feeds and a
missing final newline survive untouched. Writes keep the file's mode, owner,
group and hard links, and refuse read-only files, files changed since they
were read and links out of the checked tree (safe_write.py).
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from apilint.engine.findings import AnalysisError
from apilint.engine.reencode import encode_keeping
from apilint.engine.safe_write import replace_bytes

# Larger files are generated code or data; analysing them costs more than it finds.
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # "utf-8-sig" keeps a BOM


def decode_source(data: bytes) -> SourceText:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise AnalysisError(f"cannot decode: {exc}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise AnalysisError(f"cannot decode as {encoding}: {exc}") from None
    return SourceText(text, encoding)


def read_source(path: Path, max_bytes: int = MAX_FILE_BYTES) -> SourceText:
    return decode_source(read_bytes(path, max_bytes))


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, never more than `max_bytes + 1` read (the file may grow meanwhile).

    Opened non-blocking, so a FIFO given by name cannot stall the run; anything but a regular
    file (a FIFO, a device such as /dev/zero) is refused. Raises AnalysisError.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise AnalysisError(f"cannot read: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise AnalysisError("cannot read: not a regular file")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise AnalysisError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        size = max(len(data), _size_of(path))
        raise AnalysisError(f"file too large ({size // 1024} KiB > {max_bytes // 1024} KiB), skipped")
    return data


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def write_source(path: Path, source: SourceText, *, expected: bytes | None = None,
                 within: Iterable[str] = ()) -> None:
    """Replace `path`'s content with `source` in its own encoding (see safe_write.py for the guards:
    `expected` bytes still on disk, not read-only, a link's target `within` the checked tree)."""
    replace_bytes(path, encode_source(source, expected), expected=expected, within=within)


def encode_source(source: SourceText, original: bytes | None = None) -> bytes:
    """`source` in its encoding; given the bytes it was read from, every unchanged part keeps
    those very bytes (a codec such as cp932 does not encode every character back as it read it)."""
    if original is None:
        return source.text.encode(source.encoding)
    try:
        before = decode_source(original)
    except AnalysisError:
        return source.text.encode(source.encoding)
    return encode_keeping(original, before.text, source.text, source.encoding)
