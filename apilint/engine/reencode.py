"""Encoding a fixed text so that every byte outside the edits stays the byte that was read.

For UTF-8 and most codecs, decoding then encoding gives back the same bytes. Some do not:
cp932 maps NEC and IBM extension characters (`\\x87\\x90` and `\\x81\\xe0` are both U+2252) to
one code point, and encodes it back one way only. There the unchanged lines are copied from
the original bytes, and on a changed line the unchanged start and end are too; only what the
fix wrote is encoded.
"""

from __future__ import annotations

import codecs
import difflib


def encode_keeping(original: bytes, before: str, after: str, encoding: str) -> bytes:
    """`after` in `encoding`, reusing `original`'s bytes (the encoding of `before`) wherever
    `after` has the text `before` had."""
    if before.encode(encoding) == original:
        return after.encode(encoding)
    old_lines, new_lines = _lines(before), _lines(after)
    raw_lines = original.split(b"\n")
    raw_lines = [line + b"\n" for line in raw_lines[:-1]] + ([raw_lines[-1]] if raw_lines[-1] else [])
    if len(raw_lines) != len(old_lines):
        return after.encode(encoding)  # lines do not map one to one (a BOM, an odd codec): best effort
    out: list[bytes] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += raw_lines[i1:i2]
        elif tag == "replace" and i2 - i1 == j2 - j1:
            out += [_line(raw, old, new, encoding)
                    for raw, old, new in zip(raw_lines[i1:i2], old_lines[i1:i2], new_lines[j1:j2])]
        else:
            out += [line.encode(encoding) for line in new_lines[j1:j2]]
    return b"".join(out)


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _line(raw: bytes, old: str, new: str, encoding: str) -> bytes:
    bounds = _char_bounds(raw, encoding)
    if bounds is None or len(bounds) != len(old) + 1:
        return new.encode(encoding)
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    middle = new[prefix:len(new) - suffix].encode(encoding)
    return raw[:bounds[prefix]] + middle + raw[bounds[len(old) - suffix]:]


def _char_bounds(raw: bytes, encoding: str) -> list[int] | None:
    """The byte offset where each character of `raw` decoded starts, plus the end; None when a byte
    yields several characters at once (the boundary between them is not in the bytes)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    bounds = [0]
    for offset in range(len(raw)):
        produced = decoder.decode(raw[offset:offset + 1])
        if len(produced) > 1:
            return None
        if produced:
            bounds.append(offset + 1)
    if decoder.decode(b"", final=True):
        return None
    return bounds
