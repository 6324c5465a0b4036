"""Which directory entries discovery may hand to a reader: regular files, and links it cannot follow.

A FIFO named `foo.py` blocks its reader forever and a link to `/dev/zero` never ends, so
neither is read. A link that cannot be followed (a loop such as `ln -s self.py self.py`, a
dangling link) is kept: reading it fails, and the run reports `API000 cannot read` for it
and goes on, rather than skipping a file the user may think was checked.
"""

from __future__ import annotations

import os
import stat


def may_be_source(entry: os.DirEntry[str]) -> bool:
    """True for a regular file or a link that cannot be followed; False for a FIFO, socket,
    device, directory or a link to one of those (symlinked directories are not followed, as
    os.walk does not)."""
    try:
        if not entry.is_symlink():
            return entry.is_file(follow_symlinks=False)  # from the listing: no system call
        target = os.stat(entry.path)
    except OSError:
        return True
    return stat.S_ISREG(target.st_mode)
