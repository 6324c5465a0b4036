"""Files and processes (issue 13): config numbers, stdin, links, file kinds, writes, signals, diff, cache.

Every test drives the real front end (`apilint` or `flake8` in a subprocess) where it can.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli, run_flake8

UNSAFE = "import requests\n\n\ndef f(url):\n    return requests.get(url)\n"


# -- 6. non-finite or absurd config numbers ---------------------------------------

@pytest.mark.parametrize("key", ["timeout", "backoff-factor", "max-delay"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "100000000000000000000000000000"])
def test_non_finite_config_number_is_rejected(project: Path, key: str, value: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.apilint]\n{key} = {value}\n")
    (project / "x.py").write_text(UNSAFE)
    result = run_cli("--fix", "x.py", cwd=project)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "pyproject.toml" in result.stderr and f"{key}: must be a finite number" in result.stderr
    assert (project / "x.py").read_text() == UNSAFE


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "1e12"])
def test_file_timeout_must_be_finite(project: Path, value: str) -> None:
    (project / "x.py").write_text(UNSAFE)
    result = run_cli("--file-timeout", value, "x.py", cwd=project)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--file-timeout" in result.stderr


@pytest.mark.parametrize("option", ["--apilint-timeout", "--apilint-backoff-factor", "--apilint-max-delay"])
def test_flake8_options_must_be_finite(project: Path, option: str) -> None:
    (project / "x.py").write_text(UNSAFE)
    result = run_flake8(option, "inf", "x.py", cwd=project)
    assert result.returncode == 2
    assert "must be a finite number" in result.stderr and "Traceback" not in result.stderr


# -- 7. `apilint --fix -` is an editor's filter -------------------------------------

@pytest.mark.parametrize(
    "data",
    [b"import requests\ndef f(:\n", b"import requests\nx = '\xff'\n", b"import requests\x00\n"],
    ids=["syntax-error", "not-utf8", "nul"],
)
def test_stdin_fix_echoes_input_it_cannot_analyse(project: Path, data: bytes) -> None:
    result = run_cli("--fix", "-", cwd=project, stdin=data)
    assert result.stdout == data
    assert b"API000" in result.stderr


def test_stdin_fix_echoes_input_on_config_error(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\ntimeout = 'ten'\n")
    result = run_cli("--fix", "-", cwd=project, stdin=UNSAFE.encode())
    assert result.returncode == 2
    assert result.stdout == UNSAFE.encode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfimport requests\r\n\r\ndef f(u):\r\n    return requests.get(u)\r\n",
         b"\xef\xbb\xbfimport requests\r\n\r\ndef f(u):\r\n    return requests.get(u, timeout=10)\r\n"),
        (b"# -*- coding: latin-1 -*-\nimport requests\nX = '\xe9'\ndef f(u):\n    return requests.get(u)\n",
         b"# -*- coding: latin-1 -*-\nimport requests\nX = '\xe9'\ndef f(u):\n    return requests.get(u, timeout=10)\n"),
    ],
    ids=["bom-crlf", "latin-1"],
)
def test_stdin_fix_writes_the_source_encoding(project: Path, data: bytes, expected: bytes) -> None:
    result = run_cli("--fix", "-", cwd=project, stdin=data)
    assert result.stdout == expected


def _run_briefly(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with a short deadline: a hang fails the test instead of stalling the suite."""
    return subprocess.run([sys.executable, "-m", "apilint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def _finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": API" in line]


# -- 8. symlink loops ----------------------------------------------------------------

@pytest.mark.parametrize("cached", [True, False], ids=["cached", "no-cache"])
def test_symlink_loops_are_reported_and_the_run_goes_on(project: Path, cached: bool) -> None:
    (project / "self.py").symlink_to("self.py")
    (project / "a.py").symlink_to("b.py")
    (project / "b.py").symlink_to("a.py")
    (project / "ok.py").write_text(UNSAFE)
    result = _run_briefly(".", *([] if cached else ["--no-cache"]), cwd=project)
    assert "Traceback" not in result.stderr
    lines = _finding_lines(result.stdout)
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["a.py:1:1:", "API000"], ["b.py:1:1:", "API000"], ["ok.py:5:12:", "API101"], ["self.py:1:1:", "API000"],
    ]
    assert all("cannot read" in line for line in lines if "API000" in line)


def test_symlink_loop_given_by_name_under_fix(project: Path) -> None:
    (project / "self.py").symlink_to("self.py")
    (project / "ok.py").write_text(UNSAFE)
    result = _run_briefly("--fix", "self.py", "ok.py", cwd=project)
    assert "Traceback" not in result.stderr
    assert _finding_lines(result.stdout)[0].startswith("self.py:1:1: API000 cannot analyse: cannot read")
    assert "timeout=10" in (project / "ok.py").read_text()


# -- 9. only regular files are read, and never more than the size limit ------------

@pytest.mark.parametrize("cached", [True, False], ids=["cached", "no-cache"])
def test_fifo_and_device_links_are_skipped_in_discovery(project: Path, cached: bool) -> None:
    os.mkfifo(project / "fifo.py")
    (project / "zero.py").symlink_to("/dev/zero")
    (project / "package").mkdir()
    (project / "dirlink.py").symlink_to("package")
    (project / "ok.py").write_text(UNSAFE)
    result = _run_briefly(".", *([] if cached else ["--no-cache"]), cwd=project)
    assert _finding_lines(result.stdout) == [
        "ok.py:5:12: API101 requests.get() has no timeout and can block forever; pass timeout="
    ]


def test_fifo_and_device_given_by_name_are_reported_not_read(project: Path) -> None:
    os.mkfifo(project / "fifo.py")
    (project / "zero.py").symlink_to("/dev/zero")
    result = _run_briefly("fifo.py", "zero.py", cwd=project)
    assert _finding_lines(result.stdout) == [
        "fifo.py:1:1: API000 cannot analyse: cannot read: not a regular file",
        "zero.py:1:1: API000 cannot analyse: cannot read: not a regular file",
    ]


def test_reads_stop_at_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apilint.engine import source
    from apilint.engine.findings import AnalysisError

    path = tmp_path / "big.py"
    path.write_bytes(b"x = 1\n" * 1000)
    sizes: list[int] = []
    real_fdopen = os.fdopen

    def recording_fdopen(fd: int, *args: object, **kwargs: object) -> object:
        handle = real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]
        real_read = handle.read

        def read(size: int = -1) -> bytes:
            sizes.append(size)
            return real_read(size)  # type: ignore[no-any-return]

        handle.read = read
        return handle

    monkeypatch.setattr(os, "fdopen", recording_fdopen)
    with pytest.raises(AnalysisError, match="file too large"):
        source.read_bytes(path, max_bytes=100)
    assert sizes == [101]


# -- 10. writes keep owner, group and hard links; refuse read-only files and links out --

FIXED = UNSAFE.replace("get(url)", "get(url, timeout=10)")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_fix_keeps_owner_and_group(project: Path) -> None:
    path = project / "owned.py"
    path.write_text(UNSAFE)
    os.chown(path, 12345, 54321)
    result = run_cli("--fix", "owned.py", cwd=project)
    assert path.read_text() == FIXED, result.stderr
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 54321)


def test_fix_writes_a_hard_linked_file_in_place(project: Path) -> None:
    path = project / "shared.py"
    path.write_text(UNSAFE)
    other = project / "other-name.txt"
    os.link(path, other)
    run_cli("--fix", "shared.py", cwd=project)
    assert path.read_text() == FIXED
    assert other.read_text() == FIXED
    assert path.stat().st_ino == other.stat().st_ino


def test_fix_refuses_a_read_only_file(project: Path) -> None:
    path = project / "frozen.py"
    path.write_text(UNSAFE)
    path.chmod(0o444)
    result = run_cli("--fix", ".", cwd=project)
    assert path.read_text() == UNSAFE
    assert "frozen.py: the file is read-only; not changed" in result.stderr
    assert "frozen.py:5:12: API101" in result.stdout and result.returncode == 1


@pytest.mark.parametrize("named", [True, False], ids=["named", "discovered"])
def test_fix_does_not_follow_a_link_out_of_the_project(tmp_path: Path, named: bool) -> None:
    project, outside = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    outside.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'sample'\n")
    (outside / "theirs.py").write_text(UNSAFE)
    (project / "link.py").symlink_to(outside / "theirs.py")
    (project / "mine.py").write_text(UNSAFE)
    result = run_cli("--fix", *(["link.py", "mine.py"] if named else ["."]), cwd=project)
    assert (outside / "theirs.py").read_text() == UNSAFE
    assert (project / "mine.py").read_text() == FIXED
    assert "link.py: it is a link to" in result.stderr and "outside the checked files" in result.stderr
    # Checking it explicitly as a directory of its own is allowed.
    run_cli("--fix", str(outside), cwd=project)
    assert (outside / "theirs.py").read_text() == FIXED


# -- 12. an edit saved while the file was being fixed is not overwritten ---------------

def test_fix_skips_a_file_changed_meanwhile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apilint.cli import runner
    from apilint.engine import fixer
    from apilint.settings import Settings

    path = tmp_path / "edited.py"
    path.write_text(UNSAFE)
    saved_by_editor = UNSAFE + "\n# saved while apilint was fixing\n"
    real_fix_text = fixer.fix_text

    def fix_while_the_user_saves(*args: object, **kwargs: object) -> fixer.FixOutcome:
        outcome = real_fix_text(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(saved_by_editor)
        return outcome

    monkeypatch.setattr(fixer, "fix_text", fix_while_the_user_saves)
    result = runner.run_job(runner.Job(path, "edited.py", Settings(), (), "fix", False))
    assert path.read_text() == saved_by_editor
    assert result.errors == ["edited.py: the file changed on disk while it was being fixed; not changed (run again)"]
    assert [f.code for f in result.findings] == ["API101"] and not result.fixed


# -- 13. --diff output applies with git ---------------------------------------------------

def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git")
def test_diff_applies_with_git_for_a_file_without_final_newline(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "top.py").write_text(UNSAFE.rstrip("\n"))
    (project / "pkg" / "nested.py").write_text("import requests\n\x0c\nrequests.get(u)")
    (project / "pkg" / "crlf.py").write_bytes(UNSAFE.replace("\n", "\r\n").encode())
    _git("init", "-q", ".", cwd=project)
    _git("add", ".", cwd=project)
    _git("commit", "-q", "-m", "start", cwd=project)
    # Bytes, not text: universal newlines would turn the CRLF file's patch lines into LF.
    top = run_cli("--diff", "top.py", cwd=project, stdin=b"").stdout
    assert top.endswith(b"+    return requests.get(url, timeout=10)\n\\ No newline at end of file\n")
    nested = run_cli("--diff", "pkg", cwd=project, stdin=b"").stdout
    # The headers name the paths as given (ruff's format): -p0 for a nested path; a top-level one
    # applies with plain `git apply`.
    for patch, options in ((top, []), (nested, ["-p0"])):
        applied = subprocess.run(["git", "apply", *options, "-"], cwd=project, input=patch, capture_output=True,
                                 timeout=60)
        assert applied.returncode == 0, applied.stderr
    assert (project / "top.py").read_text() == FIXED.rstrip("\n")
    assert (project / "pkg" / "nested.py").read_text() == "import requests\n\x0c\nrequests.get(u, timeout=10)"
    assert (project / "pkg" / "crlf.py").read_bytes() == FIXED.replace("\n", "\r\n").encode()


# -- 11. SIGTERM stops the run and its workers ------------------------------------------

def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _fixed_files(directory: Path) -> set[str]:
    """The sources already fixed. A worker may be writing meanwhile: its temporary file can be
    renamed away between the listing and the read, and is not a source anyway."""
    fixed = set()
    for path in directory.iterdir():
        if path.name.endswith(".apilint-tmp"):
            continue
        try:
            if "timeout=10" in path.read_text():
                fixed.add(path.name)
        except FileNotFoundError:
            continue
    return fixed


@pytest.mark.skipif(not os.path.isdir("/proc") or sys.platform != "linux", reason="reads /proc")
def test_sigterm_stops_the_workers_and_nothing_is_written_after(tmp_path: Path) -> None:
    import signal
    import time

    marker = f"h2sigterm{os.getpid()}"
    work = tmp_path / marker
    work.mkdir()
    # Enough work that the run is still busy when it is stopped: 240 files, 40 calls each.
    body = "import requests\n\n" + "".join(f"\ndef f{i}(url):\n    return requests.get(url)\n" for i in range(40))
    for index in range(240):
        (work / f"m{index:03}.py").write_text(body)
    process = subprocess.Popen([sys.executable, "-m", "apilint", "--fix", "--jobs", "2", "--no-cache", str(work)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not _fixed_files(work) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be stopped: give it more work"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and b"interrupted" in stderr and b"Traceback" not in stderr
    after_exit = _fixed_files(work)
    time.sleep(2)
    assert _fixed_files(work) == after_exit, "files were still being fixed after the run stopped"
    assert len(after_exit) < 240
    assert _processes_mentioning(marker) == []
    assert not [p for p in work.iterdir() if p.name.endswith(".apilint-tmp")]


# -- 14. broken configuration files: one line, exit 2; flake8 passes over unrelated ones --

BROKEN_CONFIGS = {
    "tool-number": b"tool = 1\n",
    "tool-string": b'tool = "apilint"\n',
    "apilint-not-a-table": b"[tool]\napilint = 1\n",
    "not-utf8": b'[tool.apilint]\ntimeout = 5\nname = "\xff"\n',
    "not-utf8-unrelated": b'[project]\nname = "\xff"\n',
    "invalid-toml": b"[tool.black\n",
    "deep-arrays": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN_CONFIGS))
def test_broken_config_is_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_bytes(BROKEN_CONFIGS[name])
    (tmp_path / "x.py").write_text(UNSAFE)
    result = run_cli("--fix", "x.py", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"apilint: error: {tmp_path / 'pyproject.toml'}: ")
    assert (tmp_path / "x.py").read_text() == UNSAFE


@pytest.mark.parametrize("name", ["tool-string", "apilint-not-a-table", "not-utf8"])
def test_flake8_stops_on_a_broken_apilint_config(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_bytes(BROKEN_CONFIGS[name])
    (tmp_path / "x.py").write_text(UNSAFE)
    result = run_flake8("--select", "API", "x.py", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"apilint: error: {tmp_path / 'pyproject.toml'}: " in result.stderr


@pytest.mark.parametrize("name", ["tool-number", "not-utf8-unrelated", "invalid-toml", "deep-arrays"])
def test_flake8_passes_over_a_broken_unrelated_parent_config(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_bytes(BROKEN_CONFIGS[name])
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'sample'\n")
    for index in range(3):
        (project / f"m{index}.py").write_text(UNSAFE)
    result = run_flake8("-j", "2", "--select", "API", ".", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted(result.stdout.splitlines()) == [
        f"./m{index}.py:5:12: API101 requests.get() has no timeout and can block forever; pass timeout="
        for index in range(3)
    ]
    assert result.stderr.count("apilint: warning:") == 1 and str(tmp_path / "pyproject.toml") in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_config_is_one_line_and_exit_2(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.apilint]\n")
    (project / "pyproject.toml").chmod(0)
    (project / "x.py").write_text(UNSAFE)
    result = run_cli("x.py", cwd=project)
    assert result.returncode == 2 and "cannot read" in result.stderr and result.stderr.count("\n") == 1


# -- 16. flake8 guards, deep nesting on the exact path, file names, cp932 ----------------

HTTP_DENSE = "import requests\n\n\ndef f{0}(url):\n    return requests.get(url)\n"


def test_flake8_skips_and_reports_a_file_too_large(project: Path) -> None:
    # Large in bytes but cheap for flake8's own checks: one long literal after the HTTP calls.
    big = HTTP_DENSE.format(0) + "DATA = '" + "x" * (6 * 1024 * 1024) + "'\n"
    (project / "generated.py").write_text(big)
    result = run_flake8("--select", "API", "generated.py", cwd=project)
    assert result.stdout.splitlines() == [
        f"generated.py:1:1: API000 cannot analyse: file too large ({len(big) // 1024} KiB > 5120 KiB), skipped"
    ]


def test_flake8_abandons_and_reports_a_slow_file(project: Path) -> None:
    body = "import requests\n" + "".join(HTTP_DENSE.format(i).replace("import requests\n\n\n", "")
                                         for i in range(3000))
    (project / "slow.py").write_text(body)
    result = run_flake8("--select", "API", "--apilint-file-timeout", "0.2", "slow.py", cwd=project)
    assert result.stdout.splitlines() == ["slow.py:1:1: API000 cannot analyse: analysis took longer than 0.2s, skipped"]
    assert run_flake8("--apilint-file-timeout", "inf", "slow.py", cwd=project).returncode == 2


@pytest.mark.parametrize("fmt", ["json", "fix"])
def test_exact_path_reaches_the_depth_the_text_path_does(project: Path, fmt: str) -> None:
    deep = "import requests\nx = " + "[" * 190 + "1" + "]" * 190 + "\n\n\ndef f(url):\n    return requests.get(url)\n"
    (project / "deep.py").write_text(deep)
    text = run_cli("--no-cache", "deep.py", cwd=project)
    assert "deep.py:6:12: API101" in text.stdout
    if fmt == "json":
        import json

        found = json.loads(run_cli("--no-cache", "--format", "json", "deep.py", cwd=project).stdout)
        assert [item["code"] for item in found] == ["API101"]
    else:
        run_cli("--fix", "deep.py", cwd=project)
        assert (project / "deep.py").read_text() == deep.replace("get(url)", "get(url, timeout=10)")


def test_deeper_than_the_limit_is_reported_not_crashed(project: Path) -> None:
    chain = "import requests\nx = " + "+".join(["1"] * 30000) + "\nrequests.get(u)\n"
    (project / "chain.py").write_text(chain)
    for args in ([], ["--format", "json"], ["--fix"]):
        result = run_cli("--no-cache", *args, "chain.py", cwd=project)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "API000" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "grouped", "json", "sarif", "github"])
def test_non_utf8_file_name_under_a_strict_utf8_locale(project: Path, fmt: str) -> None:
    import json

    name = os.fsencode(project) + b"/caf\xe9.py"
    with open(name, "wb") as fh:
        fh.write(UNSAFE.encode())
    env = dict(os.environ, PYTHONIOENCODING="utf-8:strict", LC_ALL="C.UTF-8")
    result = subprocess.run([sys.executable, "-m", "apilint", "--no-cache", "--format", fmt, "."], cwd=project,
                            env=env, capture_output=True, timeout=120)
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
    if fmt in ("json", "sarif"):
        document = json.loads(result.stdout.decode("utf-8"))  # still valid UTF-8
        assert "caf\udce9.py" in json.dumps(document, ensure_ascii=False)
    else:
        assert b"caf\xe9.py" in result.stdout  # the name's own bytes


def test_cp932_fix_changes_no_byte_outside_the_edit(project: Path) -> None:
    # 0x87 0x90 (NEC) and 0x81 0xe0 (JIS) both decode to U+2252; cp932 encodes it back as 0x81 0xe0.
    source = ("# -*- coding: cp932 -*-\nimport requests\n\nSIGN = '\u2252 \u8868'\n\n\ndef f(url):\n"
              "    return requests.get(url)  # \u2252\n").encode("cp932").replace(b"\x81\xe0", b"\x87\x90")
    (project / "sjis.py").write_bytes(source)
    run_cli("--fix", "sjis.py", cwd=project)
    assert (project / "sjis.py").read_bytes() == source.replace(b"get(url)", b"get(url, timeout=10)")
    stdin = run_cli("--fix", "-", cwd=project, stdin=source)
    assert stdin.stdout == source.replace(b"get(url)", b"get(url, timeout=10)")
