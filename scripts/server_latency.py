"""Diagnostics latency of `apilint server`: didChange -> publishDiagnostics for a 1,000-line
HTTP-heavy file, median of 20 edits (the editor's view: debounce, transport, analysis, conversion).

    python3 scripts/server_latency.py [--lines 1000] [--runs 20]

Measured, not asserted: the number depends on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

# One function of typical HTTP client code: a call without timeout, a status check, a session
# call, an exception handler, a retry loop (findings of API101, API102, API301, API401 each).
FUNCTION = '''

def fetch_{i}(session, url, payload):
    """Fetch item {i}."""
    response = requests.get(url + "/items/{i}", params={{"page": {i}}})
    if response.status_code == 200:
        data = response.json()
    else:
        data = None
    try:
        reply = session.post(url, json=payload, timeout=5)
        reply.raise_for_status()
    except requests.exceptions.RequestException as exc:
        log.warning("failed %s", exc)
        reply = None
    for attempt in range(3):
        try:
            return httpx.get(url, timeout=None), data, reply
        except Exception:
            time.sleep(1)
'''


def http_heavy_source(lines: int) -> str:
    text = "import logging\nimport time\n\nimport httpx\nimport requests\n\nlog = logging.getLogger(__name__)\n"
    index = 0
    while text.count("\n") + FUNCTION.count("\n") <= lines:
        text += FUNCTION.format(i=index)
        index += 1
    while text.count("\n") < lines:
        text += f"LIMIT_{text.count(chr(10))} = 1\n"
    return text


async def measure(lines: int, runs: int) -> tuple[list[float], int]:
    source = http_heavy_source(lines)
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
    client = LanguageClient("latency", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "pyproject.toml").write_text("[tool.apilint]\n")
        path = root / "client.py"
        path.write_text(source)
        await client.start_io(sys.executable, "-m", "apilint", "server", cwd=directory)
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                             root_uri=root.as_uri()))
        client.initialized(types.InitializedParams())
        uri = path.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id="python", version=0, text=source)))
        first = await asyncio.wait_for(published.get(), 120)
        timings = []
        for version in range(1, runs + 1):
            # An edit inside a function body, as typing would make (the text differs every time).
            text = source.replace('"""Fetch item 3."""', f'"""Fetch item 3 (edit {version})."""')
            started = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
            while True:
                result = await asyncio.wait_for(published.get(), 120)
                if result.version == version:
                    break
            timings.append(time.perf_counter() - started)
            await asyncio.sleep(0.2)  # a pause between edits, so each is analysed on its own
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(client.stop(), 30)
    return timings, len(first.diagnostics)


def engine_seconds(lines: int, runs: int) -> tuple[list[float], list[float]]:
    """The same analysis in this process, without the server: wall and CPU seconds. On a shared
    machine the wall times move with the load; the CPU time says what an idle machine would take."""
    from apilint.server.analysis import CheckRequest, handle

    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "pyproject.toml").write_text("[tool.apilint]\n")
        request = CheckRequest(str(Path(directory) / "client.py"), http_heavy_source(lines), exact=False)
        handle(request)
        wall, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            handle(request)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    timings, findings = asyncio.run(measure(args.lines, args.runs))
    engine, engine_cpu = engine_seconds(args.lines, 5)
    milliseconds = sorted(t * 1000 for t in timings)
    print(f"{args.lines}-line file, {findings} diagnostics, {args.runs} edits")
    print(f"didChange -> publishDiagnostics: median {statistics.median(milliseconds):.0f} ms, "
          f"min {milliseconds[0]:.0f} ms, max {milliseconds[-1]:.0f} ms "
          f"(includes the {_debounce_ms():.0f} ms debounce)")
    print(f"the analysis alone, in this process: median {statistics.median(engine) * 1000:.0f} ms "
          f"({statistics.median(engine_cpu) * 1000:.0f} ms of CPU time)")
    return 0


def _debounce_ms() -> float:
    from apilint.server.scheduler import DEBOUNCE_SECONDS

    return DEBOUNCE_SECONDS * 1000


if __name__ == "__main__":
    sys.exit(main())
