"""`apilint server`: the language server, spoken to over stdio by a real LSP client (pygls)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402

from tests.conftest import FIXTURES, run_cli  # noqa: E402
from tests.lsp_session import Session, apply_edits, edits_of, run_session  # noqa: E402

MISSING_TIMEOUT = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
FIXED = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=10)\n"
BROKEN = "import requests\n\n\ndef fetch(url:\n    return requests.get(url)\n"


def _project(tmp_path: Path, table: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'sample'\n\n[tool.apilint]\n{table}")
    return tmp_path


def test_diagnostic_quick_fix_and_change(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "client.py"
    path.write_text(MISSING_TIMEOUT)

    async def scenario(session: Session) -> None:
        uri = await session.open(path)
        published = await session.next_diagnostics(uri, 1)
        assert [d.code for d in published.diagnostics] == ["API101"], session.logs
        [diagnostic] = published.diagnostics
        assert diagnostic.source == "apilint"
        assert diagnostic.severity == types.DiagnosticSeverity.Warning
        assert diagnostic.range == types.Range(start=types.Position(line=4, character=11),
                                               end=types.Position(line=4, character=28))
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href.endswith("docs/rules/API101.md")

        actions = await session.code_actions(uri, diagnostic.range)
        quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "noqa" not in a.title]
        assert len(quick) == 1 and quick[0].is_preferred and "unsafe" not in quick[0].title
        fixed = apply_edits(MISSING_TIMEOUT, edits_of(quick[0], uri))
        assert fixed == FIXED

        session.change(uri, fixed)
        cleared = await session.next_diagnostics(uri, 2)
        assert cleared.diagnostics == ()

    run_session(scenario, project)


def test_unparsable_file_gives_no_diagnostics_and_one_log_message(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "broken.py"
    path.write_text(BROKEN)

    async def scenario(session: Session) -> None:
        uri = await session.open(path)
        assert (await session.next_diagnostics(uri, 1)).diagnostics == ()
        session.change(uri, BROKEN.replace("url:", "url :"))  # still broken: no second message
        assert (await session.next_diagnostics(uri, 2)).diagnostics == ()
        assert len([m for m in session.logs if "broken.py" in m]) == 1, session.logs
        assert "syntax error" in session.logs[0]
        # The server is alive and still analyses: the repaired buffer gets its finding.
        session.change(uri, MISSING_TIMEOUT)
        repaired = await session.next_diagnostics(uri, 3)
        assert [d.code for d in repaired.diagnostics] == ["API101"]

    run_session(scenario, project)


def test_fix_all_equals_the_cli_fix(tmp_path: Path) -> None:
    project = _project(tmp_path, "timeout = 5\n")
    source = (
        "import requests\n\n\n"
        "def fetch(url, other):\n"
        "    first = requests.get(url)\n"
        "    second = requests.post(other, json={})  # noqa: API101\n"
        "    third = requests.get(other, timeout=None)\n"
        "    return first, second, third\n"
    )
    path = project / "many.py"
    path.write_text(source)
    cli = run_cli("--fix", "--no-cache", "many.py", cwd=project)
    expected = path.read_text()
    assert expected != source, cli.stderr
    path.write_text(source)

    async def scenario(session: Session) -> list[str]:
        uri = await session.open(path)
        published = await session.next_diagnostics(uri, 1)
        assert sorted(d.code for d in published.diagnostics) == ["API101", "API102"]
        whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        [offered] = await session.code_actions(uri, whole, only=[types.CodeActionKind.SourceFixAll])
        assert offered.kind == "source.fixAll.apilint"
        resolved = await session.resolve(offered)
        assert apply_edits(source, edits_of(resolved, uri)) == expected
        api102 = next(d for d in published.diagnostics if d.code == "API102")
        return [a.title for a in await session.code_actions(uri, api102.range)]

    titles = run_session(scenario, project)
    assert any("(unsafe)" in t for t in titles), titles  # timeout=None -> a value changes behaviour
    assert "Add `# noqa: API102` on this line" in titles


def test_fix_all_without_resolve_support_comes_with_its_edit(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "client.py"
    path.write_text(MISSING_TIMEOUT)

    async def scenario(session: Session) -> None:
        uri = await session.open(path)
        await session.next_diagnostics(uri, 1)
        start = types.Position(line=0, character=0)
        [offered] = await session.code_actions(uri, types.Range(start=start, end=start), only=["source.fixAll"])
        assert apply_edits(MISSING_TIMEOUT, edits_of(offered, uri)) == FIXED

    run_session(scenario, project, resolve_support=False)


def test_noqa_action_silences_the_finding(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "client.py"
    path.write_text(MISSING_TIMEOUT)

    async def scenario(session: Session) -> None:
        uri = await session.open(path)
        [diagnostic] = (await session.next_diagnostics(uri, 1)).diagnostics
        actions = await session.code_actions(uri, diagnostic.range)
        [noqa] = [a for a in actions if "noqa" in a.title]
        silenced = apply_edits(MISSING_TIMEOUT, edits_of(noqa, uri))
        assert silenced == MISSING_TIMEOUT.replace("get(url)", "get(url)  # noqa: API101")
        session.change(uri, silenced)
        assert (await session.next_diagnostics(uri, 2)).diagnostics == ()

    run_session(scenario, project)


def test_settings_excludes_and_unsaved_text(tmp_path: Path) -> None:
    """The file's own configuration applies (per directory); excluded files get nothing; the
    buffer, not the file on disk, is analysed."""
    project = _project(tmp_path, 'extend-exclude = ["generated"]\n')
    (project / "generated").mkdir()
    excluded = project / "generated" / "client.py"
    excluded.write_text(MISSING_TIMEOUT)
    nested = project / "service"
    nested.mkdir()
    (nested / "pyproject.toml").write_text("[tool.apilint]\nignore = ['API101']\n")
    ignored = nested / "client.py"
    ignored.write_text(MISSING_TIMEOUT)
    on_disk = project / "client.py"
    on_disk.write_text("")
    misconfigured = project / "legacy"
    misconfigured.mkdir()
    (misconfigured / "pyproject.toml").write_text("[tool.apilint]\ntimeout = 'ten'\n")
    (misconfigured / "client.py").write_text(MISSING_TIMEOUT)

    async def scenario(session: Session) -> None:
        uri = await session.open(excluded)
        assert (await session.next_diagnostics(uri, 1)).diagnostics == ()
        uri = await session.open(ignored)
        assert (await session.next_diagnostics(uri, 1)).diagnostics == ()
        uri = await session.open(on_disk, MISSING_TIMEOUT)
        assert [d.code for d in (await session.next_diagnostics(uri, 1)).diagnostics] == ["API101"]
        assert session.logs == []
        uri = await session.open(misconfigured / "client.py")  # invalid configuration: said once, in the log
        assert (await session.next_diagnostics(uri, 1)).diagnostics == ()
        assert len(session.logs) == 1 and "timeout" in session.logs[0], session.logs

    run_session(scenario, project)


def test_other_modules_facts_come_from_the_project_index(tmp_path: Path) -> None:
    """A wrapper defined in another module is known (the project index), and saving that module
    updates the findings of the open files that use it."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES.parent / "fixtures_project", project)
    jobs, utils = project / "shop" / "jobs.py", project / "shop" / "utils.py"
    wrapper_call = 5  # fetch_json(...) on line 6, through shop.utils.fetch() without a timeout

    async def scenario(session: Session) -> None:
        uri = await session.open(jobs)
        published = await session.next_diagnostics(uri, 1)
        assert wrapper_call in [d.range.start.line for d in published.diagnostics]
        utils_uri = await session.open(utils)
        await session.next_diagnostics(utils_uri, 1)
        timed = utils.read_text().replace("fetch(url, **kwargs).json()", "fetch(url, timeout=3, **kwargs).json()")
        session.change(utils_uri, timed)
        utils.write_text(timed)
        session.save(utils_uri)
        published = await session.next_diagnostics(uri, 1)
        assert wrapper_call not in [d.range.start.line for d in published.diagnostics]
        assert published.diagnostics  # the file's other finding stays

    run_session(scenario, project)


def _slow_source(functions: int) -> str:
    body = "".join(
        f"\n\ndef fetch_{i}(session, url):\n"
        f"    response = requests.get(url + '/{i}')\n"
        f"    try:\n"
        f"        session.post(url, json={{}}, timeout=None).raise_for_status()\n"
        f"    except Exception:\n"
        f"        pass\n"
        f"    return response.json()\n"
        for i in range(functions)
    )
    return "import requests\n" + body


def test_newer_version_replaces_a_slow_analysis_and_shutdown_is_prompt(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "big.py"
    path.write_text("")

    async def scenario(session: Session) -> Session:
        uri = await session.open(path, _slow_source(3000))  # seconds of analysis
        await asyncio.sleep(0.3)  # the analysis of version 1 is under way
        session.change(uri, MISSING_TIMEOUT)
        published = await session.next_diagnostics(uri)
        assert published.version == 2  # version 1's diagnostics are never published
        assert [d.code for d in published.diagnostics] == ["API101"]
        session.change(uri, _slow_source(6000))  # a slow analysis (many seconds) runs while the editor quits
        await asyncio.sleep(0.3)
        return session

    session = run_session(scenario, project)
    assert 0 <= session.shutdown_seconds < 5.0


def test_worker_stops_an_abandoned_analysis() -> None:
    """A stale analysis is stopped, not waited for: the worker process is killed and restarted."""
    from apilint.server.analysis import Analysis, CheckRequest
    from apilint.server.worker import Worker

    async def scenario() -> tuple[float, float]:
        worker = Worker()
        try:
            started = time.monotonic()
            slow = CheckRequest(None, _slow_source(6000), exact=True)
            stopped = await worker.call(slow, lambda: time.monotonic() - started > 0.5, 120)
            assert stopped is None
            abandoned_after = time.monotonic() - started
            started = time.monotonic()
            reply = await worker.call(CheckRequest(None, MISSING_TIMEOUT, exact=True), lambda: False, 120)
            assert isinstance(reply, Analysis)
            assert [r.finding.code for r in reply.reported] == ["API101"]
            full = time.monotonic() - started
            return abandoned_after, full
        finally:
            worker.stop()

    abandoned_after, _ = asyncio.run(asyncio.wait_for(scenario(), 240))
    assert abandoned_after < 5.0  # the whole analysis takes far longer (tens of seconds)


def test_worker_time_limit_stops_the_analysis_and_the_next_call_works() -> None:
    from apilint.server.analysis import Analysis, CheckRequest
    from apilint.server.worker import TimedOut, Worker

    async def scenario() -> float:
        worker = Worker()
        try:
            started = time.monotonic()
            with pytest.raises(TimedOut):
                await worker.call(CheckRequest(None, _slow_source(6000), exact=True), lambda: False, 0.5)
            stopped_after = time.monotonic() - started
            reply = await worker.call(CheckRequest(None, MISSING_TIMEOUT, exact=False), lambda: False, 120)
            assert isinstance(reply, Analysis) and [r.finding.code for r in reply.reported] == ["API101"]
            return stopped_after
        finally:
            worker.stop()

    assert asyncio.run(asyncio.wait_for(scenario(), 240)) < 5.0


@pytest.mark.parametrize("grace", [0.0, 120.0])
def test_a_cancelled_call_never_answers_the_next_one(grace: float) -> None:
    """The editor cancels code-action requests; the cancelled request's reply must not be taken
    for the next one's (grace 0: the process is replaced; 120: the reply is read and dropped)."""
    from apilint.server.analysis import Analysis, CheckRequest
    from apilint.server.worker import Worker

    async def scenario() -> list[str]:
        worker = Worker()
        try:
            busy = CheckRequest(None, _slow_source(100), exact=True)
            task = asyncio.ensure_future(worker.call(busy, lambda: False, 120))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            reply = await worker.call(CheckRequest(None, MISSING_TIMEOUT, exact=True), lambda: False, 120, grace)
            assert isinstance(reply, Analysis)
            return [r.finding.code for r in reply.reported]
        finally:
            worker.stop()

    assert asyncio.run(asyncio.wait_for(scenario(), 240)) == ["API101"]


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed")
def test_neovim_client(tmp_path: Path) -> None:
    """Neovim's own LSP client (not ours) against the server: what an editor user sees."""
    project = _project(tmp_path)
    (project / "client.py").write_text(MISSING_TIMEOUT)
    script = FIXTURES.parent / "editors" / "neovim_session.lua"
    result = project / "result.txt"
    environment = {**os.environ, "APILINT_PYTHON": sys.executable, "APILINT_RESULT": str(result)}
    subprocess.run(["nvim", "--headless", "-u", "NONE", "-c", f"luafile {script}"], cwd=project, env=environment,
                   capture_output=True, timeout=240, stdin=subprocess.DEVNULL)
    lines = result.read_text().splitlines()
    assert lines[0] == "diagnostic API101 4:11-4:28", lines
    assert "action quickfix Add `timeout=` (API101)" in lines
    assert "action quickfix Add `# noqa: API101` on this line" in lines
    assert "action source.fixAll.apilint apilint: fix all safe fixes in this file" in lines
    assert "fixed     return requests.get(url, timeout=10)" in lines
    assert lines[-1] == "cleared true"


def test_server_help(tmp_path: Path) -> None:
    result = run_cli("server", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "Language Server Protocol" in result.stdout


def test_missing_extra_is_a_clear_error(tmp_path: Path) -> None:
    hide = "import sys; sys.modules['pygls'] = None; from apilint.cli.main import main; sys.exit(main(['server']))"
    result = subprocess.run([sys.executable, "-c", hide], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "pip install 'apilint[server]'" in result.stderr


def test_editor_guide_states_what_the_server_does() -> None:
    from apilint.server.actions import FIX_ALL_KIND
    from apilint.server.scheduler import DEBOUNCE_SECONDS

    guide = (FIXTURES.parent.parent / "docs" / "editors.md").read_text()
    assert FIX_ALL_KIND in guide
    assert f"{DEBOUNCE_SECONDS * 1000:.0f} ms" in guide
    assert "docs/editors.md" in (FIXTURES.parent.parent / "README.md").read_text()


def test_positions_count_in_the_negotiated_encoding() -> None:
    from apilint.server.positions import LineIndex

    text = 'import requests\r\nx = "😀é"; requests.get(url)\n'
    column = text.splitlines()[1].index("requests") + 1  # apilint's 1-based code-point column
    utf16 = LineIndex(text, types.PositionEncodingKind.Utf16)
    assert utf16.position(2, column) == types.Position(line=1, character=column - 1 + 1)  # 😀 is 2 units
    assert LineIndex(text, types.PositionEncodingKind.Utf8).position(2, column).character == column - 1 + 3 + 1
    assert LineIndex(text, types.PositionEncodingKind.Utf32).position(2, column).character == column - 1
    assert utf16.position_at(text.index("x =")) == types.Position(line=1, character=0)  # after \r\n
    assert utf16.end() == types.Position(line=2, character=0)


def test_replacement_edit_is_minimal_and_keeps_line_breaks_whole() -> None:
    from apilint.server.convert import replacement
    from apilint.server.positions import LineIndex

    old = "a = 1\r\nb = 2\r\n"
    new = "a = 1\r\nc = 3\r\nb = 2\r\n"
    edit = replacement(old, new, LineIndex(old))
    assert apply_edits(old, [edit]) == new
    assert edit.range.start == types.Position(line=1, character=0)
    split = "a\r\nb"  # the texts first differ between its \r and \n: the edit starts before the \r
    edit = replacement(split, "a\r\r\nb", LineIndex(split))
    assert edit.range.start == types.Position(line=0, character=1)
    assert apply_edits(split, [edit]) == "a\r\r\nb"
