"""A warm run trusts a file's stat only when the file cannot have changed without it moving."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from apilint.cli import cache as cache_module
from apilint.cli.cache import Cache, content_digest, run_cached
from apilint.cli.file_stats import SETTLED, FileStats
from apilint.cli.runner import Job
from apilint.settings import Settings

UNSAFE = b"import requests\n\n\ndef f(url):\n    return requests.get(url)\n"


def _later() -> float:
    """A run starting after the file settled (its change time older than SETTLED)."""
    return time.time() + SETTLED + 1


def test_a_settled_file_is_known_by_its_stat(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(UNSAFE)
    stats = FileStats(tmp_path / "files.json", now=_later())
    digest, signature = stats.look(str(path))
    assert digest is None and signature is not None
    stats.remember(str(path), signature, content_digest(UNSAFE))
    stats.save()
    again = FileStats(tmp_path / "files.json", now=_later())
    assert again.look(str(path))[0] == content_digest(UNSAFE)


def test_a_recently_changed_file_is_not_remembered(tmp_path: Path) -> None:
    """Racy writes: a file changed within SETTLED of the run could change again in the same clock tick."""
    path = tmp_path / "m.py"
    path.write_bytes(UNSAFE)
    stats = FileStats(tmp_path / "files.json")
    _, signature = stats.look(str(path))
    stats.remember(str(path), signature, content_digest(UNSAFE))
    assert stats.look(str(path))[0] is None


@pytest.mark.parametrize("change", ["same size", "times kept", "replaced"])
def test_any_change_is_a_miss(tmp_path: Path, change: str) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(UNSAFE)
    stats = FileStats(tmp_path / "files.json", now=_later())
    _, signature = stats.look(str(path))
    stats.remember(str(path), signature, content_digest(UNSAFE))
    before = os.stat(path)
    if change == "same size":
        path.write_bytes(UNSAFE.replace(b"url)", b"uri)"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    elif change == "times kept":
        # rsync -t / touch -d: same size, modification time set back; the change time still moves.
        time.sleep(0.01)
        path.write_bytes(UNSAFE.replace(b"url)", b"uri)"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        other = tmp_path / "new.py"
        other.write_bytes(UNSAFE.replace(b"url)", b"uri)"))
        os.replace(other, path)
    assert stats.look(str(path))[0] is None


def test_not_a_regular_file_is_never_known(tmp_path: Path) -> None:
    stats = FileStats(tmp_path / "files.json", now=_later())
    assert stats.look(str(tmp_path)) == (None, None)
    assert stats.look(str(tmp_path / "missing.py")) == (None, None)


def test_a_malformed_stats_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(UNSAFE)
    for text in ("{not json", "[]", '{"%s": [1, 2]}' % path, '{"%s": "x"}' % path):
        (tmp_path / "files.json").write_text(text)
        assert FileStats(tmp_path / "files.json", now=_later()).look(str(path))[0] is None


def test_warm_run_reads_no_unchanged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through run_cached: the second run answers from the stat, without reading."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'sample'\n")
    path = tmp_path / "m.py"
    path.write_bytes(UNSAFE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cache_module.FileStats, "__init__", _settled_init(FileStats.__init__))
    job = Job(Path("m.py"), "m.py", Settings(), (), "check", False)
    first = run_cached([job], 1, Cache(tmp_path / ".apilint_cache"))
    assert [f.code for f in first[0].findings] == ["API101"]

    def no_read(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("an unchanged file was read")

    with monkeypatch.context() as patch:
        patch.setattr(cache_module, "read_bytes", no_read)
        warm = run_cached([job], 1, Cache(tmp_path / ".apilint_cache"))
    assert warm[0].findings == first[0].findings
    path.write_bytes(UNSAFE.replace(b"requests.get(url)", b"requests.get(url, timeout=5)"))
    changed = run_cached([job], 1, Cache(tmp_path / ".apilint_cache"))
    assert changed[0].findings == []


def _settled_init(init: Callable[..., None]) -> Callable[..., None]:
    def settled(self: FileStats, file: Path, now: float | None = None) -> None:
        init(self, file, now=_later())
    return settled
