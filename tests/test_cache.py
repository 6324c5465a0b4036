"""The content-hash cache gives the same findings as a cold run and never serves stale ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import run_cli, write_twin_packages

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"
NONE = "import requests\n\n\ndef f(url):\n    return requests.get(url, timeout=None)\n"


def _lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": API" in line]


def test_warm_run_matches_cold_run(project: Path) -> None:
    for index in range(6):
        (project / f"m{index}.py").write_text(UNSAFE if index % 2 else NONE)
    cold = run_cli("--no-cache", ".", cwd=project)
    assert not (project / ".apilint_cache").exists()
    first = run_cli(".", cwd=project)
    assert (project / ".apilint_cache" / ".gitignore").exists()
    warm = run_cli(".", cwd=project)
    assert cold.stdout == first.stdout == warm.stdout
    assert len(_lines(warm.stdout)) == 6


def test_changed_file_is_analysed_again(project: Path) -> None:
    path = project / "x.py"
    path.write_text(UNSAFE)
    assert "API101" in run_cli(".", cwd=project).stdout
    path.write_text(NONE)
    out = run_cli(".", cwd=project).stdout
    assert "API102" in out and "API101" not in out


def test_settings_change_invalidates(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    assert _lines(run_cli(".", cwd=project).stdout)
    (project / "pyproject.toml").write_text("[tool.apilint]\nignore = ['API101']\n")
    assert _lines(run_cli(".", cwd=project).stdout) == []
    assert _lines(run_cli("--isolated", ".", cwd=project).stdout) != []


def test_corrupt_cache_is_a_miss(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    run_cli(".", cwd=project)
    for index in (project / ".apilint_cache").rglob("index.json"):
        index.write_text("{not json")
    assert len(_lines(run_cli(".", cwd=project).stdout)) == 1


def test_json_output_from_cache_has_edits(project: Path) -> None:
    import json

    (project / "x.py").write_text(UNSAFE)
    run_cli(".", cwd=project)
    data = json.loads(run_cli("--format", "json", ".", cwd=project).stdout)
    assert data[0]["fix"]["edits"][0]["content"] == ", timeout=10"


# -- issue 13 item 15: a cache is a hint, never a source of truth --------------------------

MALFORMED_ENTRIES = {
    "not-a-list": 5,
    "item-not-a-table": [7],
    "pos-is-a-string": [{"code": "API101", "name": "n", "message": "m", "pos": "abcd"}],
    "pos-too-short": [{"code": "API101", "name": "n", "message": "m", "pos": [1, 2]}],
    "pos-holds-text": [{"code": "API101", "name": "n", "message": "m", "pos": [1, "2", 3, 4]}],
    "code-is-a-number": [{"code": 101, "name": "n", "message": "m", "pos": [1, 1, 1, 1]}],
    "negative-line": [{"code": "API101", "name": "n", "message": "m", "pos": [-5, 1, 1, 1]}],
    "bad-applicability": [{"code": "API101", "name": "n", "message": "m", "pos": [1, 1, 1, 1],
                           "fix": {"applicability": "sure", "title": "t", "edits": []}}],
    "edit-not-a-triple": [{"code": "API101", "name": "n", "message": "m", "pos": [1, 1, 1, 1],
                           "fix": {"applicability": "safe", "title": "t", "edits": [[1, 2]]}}],
    "cell-is-text": [{"code": "API101", "name": "n", "message": "m", "pos": [1, 1, 1, 1], "cell": "x"}],
}


def _index_files(project: Path) -> list[Path]:
    return list((project / ".apilint_cache").rglob("index.json"))


def test_hand_edited_entries_are_misses(project: Path) -> None:
    import json

    (project / "x.py").write_text(UNSAFE)
    cold = run_cli("--no-cache", ".", cwd=project)
    run_cli(".", cwd=project)
    for name, entry in MALFORMED_ENTRIES.items():
        for index in _index_files(project):
            keys = json.loads(index.read_text())
            index.write_text(json.dumps({key: entry for key in keys}))
        for fmt in ("text", "json"):
            warm = run_cli("--format", fmt, ".", cwd=project)
            assert "Traceback" not in warm.stderr, (name, warm.stderr)
            if fmt == "text":
                assert warm.stdout == cold.stdout, name


def test_deeply_nested_index_is_empty(project: Path) -> None:
    (project / "x.py").write_text(UNSAFE)
    run_cli(".", cwd=project)
    for index in _index_files(project):
        index.write_text("[" * 200_000 + "]" * 200_000)
    result = run_cli(".", cwd=project)
    assert "Traceback" not in result.stderr and len(_lines(result.stdout)) == 1


def test_a_failed_index_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from apilint.cli import cache as cache_module
    from apilint.engine.findings import Finding

    def disk_full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    cache = cache_module.Cache(tmp_path / ".apilint_cache")
    cache.put("k", [Finding("API101", "n", "m", 1, 1, 1, 1)])
    # The temporary file is written, then cannot be renamed into place.
    monkeypatch.setattr(os, "replace", disk_full)
    cache.save()
    assert not (cache.directory / "index.json").exists()
    assert [p.name for p in cache.directory.iterdir() if p.suffix == ".tmp"] == []


def test_libcst_and_python_versions_are_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from apilint.cli import cache as cache_module
    before = cache_module.Cache(tmp_path).directory
    real_version = metadata.version
    cache_module._engine_versions.cache_clear()
    monkeypatch.setattr(metadata, "version", lambda name: "0.0.1" if name == "libcst" else real_version(name))
    try:
        other_libcst = cache_module.Cache(tmp_path).directory
    finally:
        cache_module._engine_versions.cache_clear()
    assert other_libcst != before
    monkeypatch.setattr(sys, "version", "3.99.0 (test)")
    try:
        other_python = cache_module.Cache(tmp_path).directory
    finally:
        cache_module._engine_versions.cache_clear()
    assert other_python != before


def test_one_text_in_two_packages_keeps_its_own_findings(project: Path) -> None:
    """The same text names different modules in different packages (`from .client import session`):
    a warm run must not answer one copy with the other's findings."""
    write_twin_packages(project)
    cold = _lines(run_cli("--no-cache", ".", cwd=project).stdout)
    assert [line.split(":")[0] for line in cold] == ["pkg_a/use.py"]
    assert _lines(run_cli(".", cwd=project).stdout) == cold
    assert _lines(run_cli(".", cwd=project).stdout) == cold


def test_the_index_keeps_what_a_run_used_and_drops_the_oldest_rest(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries of edited or deleted files do not pile up forever; a run over a few files keeps the others."""
    from apilint import cache_files
    from apilint.cli import cache as cache_module
    from apilint.engine.findings import Finding

    monkeypatch.setattr(cache_files, "KEEP_AT_LEAST", 4)
    finding = [Finding("API101", "n", "m", 1, 1, 1, 1)]
    first = cache_module.Cache(tmp_path)
    for key in ("a", "b", "c", "d", "e"):
        first.put(key, finding)
    first.save()  # five written in one run: all used, all kept (at least 4 x 5)
    second = cache_module.Cache(tmp_path)
    assert [second.get(k) is not None for k in "abcde"] == [True] * 5
    third = cache_module.Cache(tmp_path)
    assert third.get("e") is not None
    third.put("f", finding)
    third.save()  # 6 entries, limit max(4, 4 x 2) = 8: nothing dropped
    fourth = cache_module.Cache(tmp_path)
    for key in ("g", "h", "i"):
        fourth.put(key, finding)
    fourth.save()  # 9 entries, limit max(4, 12) = 12: nothing dropped
    fifth = cache_module.Cache(tmp_path)
    assert fifth.get("i") is not None
    fifth.save()  # 9 entries, limit max(4, 4) = 4: the five oldest not used go
    kept = cache_module.Cache(tmp_path)
    assert [k for k in "abcdefghi" if kept.get(k) is not None] == ["f", "g", "h", "i"]


def _entry_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, Path]:
    from apilint import cache_files
    from apilint.cli import cache as cache_module

    monkeypatch.setattr(cache_files, "KEEP_AT_LEAST", 4 * cache_files.ENTRY_DIRECTORIES)  # 4 per directory
    cache = cache_module.Cache(tmp_path)
    return cache, cache.directory / "entries" / "ab"


def _aged(path: Path, days: float) -> None:
    import os
    import time

    when = time.time() - days * 24 * 3600
    os.utime(path, (when, when))


def test_entry_files_no_run_used_for_a_week_go_once_their_directory_is_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flake8 plugin's entries (one file each): those of edited or deleted files do not pile up,
    recent ones stay even past the limit, and the sweep stops at the directory's share."""
    from apilint.engine.findings import Finding

    cache, directory = _entry_files(tmp_path, monkeypatch)
    finding = [Finding("API101", "n", "m", 1, 1, 1, 1)]
    old = [f"ab{i}f" for i in range(1, 7)]  # key[2] != "0": writing them sweeps nothing
    recent = ["ab7f", "ab8f"]
    for days, key in enumerate(old, start=8):
        cache.put_file(key, finding if days % 2 else [])
        _aged(directory / f"{key}.json", days)  # ab1f is 8 days old ... ab6f 13 days
    for key in recent:
        cache.put_file(key, [])
    (directory / "crashed.tmp").write_bytes(b"half")
    _aged(directory / "crashed.tmp", 1)
    assert len(list(directory.iterdir())) == 9
    cache.put_file("ab0f", [])  # one write in 16 looks at its directory: 10 files, share 4
    left = sorted(p.name for p in directory.iterdir())
    # The temporary file goes; of the old entries only the 6 - (10 - 1 - 4) = 1 newest stays.
    assert left == ["ab0f.json", "ab1f.json", "ab7f.json", "ab8f.json"]
    for key in recent:
        _aged(directory / f"{key}.json", 30)
    cache.put_file("ab0f", [])
    assert sorted(p.name for p in directory.iterdir()) == left  # at the share: nothing more goes


def test_a_hit_keeps_an_entry_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apilint.engine.findings import Finding

    cache, directory = _entry_files(tmp_path, monkeypatch)
    finding = [Finding("API101", "n", "m", 1, 1, 1, 1)]
    for i in range(1, 7):
        cache.put_file(f"ab{i}f", finding)
        _aged(directory / f"ab{i}f.json", 10 + i)
    assert cache.get_file("ab6f") == finding  # the oldest, read by this run: used again
    assert cache.get_file("ab5f") == finding
    cache.put_file("ab0f", [])
    # 7 files, share 4: the three oldest unused go (ab4f, ab3f, ab2f); without the hits, ab6f and ab5f would.
    assert sorted(p.name for p in directory.iterdir()) == ["ab0f.json", "ab1f.json", "ab5f.json", "ab6f.json"]
