"""What the language server asks of the engine, run inside its worker process (no LSP types here).

Every answer is plain, picklable data. Settings come from the CLI's own resolution for the
file's path, so the editor shows what `apilint PATH` prints: the same configuration file,
per-file ignores, excludes and `# noqa` comments, applied to the unsaved buffer's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apilint.engine.applicability import applicability
from apilint.engine.findings import AnalysisError, Applicability, Finding
from apilint.engine.noqa import NoqaIndex
from apilint.settings import ConfigError, Settings, load_settings


@dataclass(frozen=True)
class CheckRequest:
    path: str | None  # None: an unsaved buffer with no file name (settings from the working directory)
    text: str
    exact: bool  # exact positions and fix edits (code actions) or the fast reporting path (diagnostics)


@dataclass(frozen=True)
class FixAllRequest:
    path: str | None
    text: str


Request = CheckRequest | FixAllRequest


@dataclass(frozen=True)
class Reported:
    finding: Finding
    fix_kind: Applicability | None  # after extend-safe-fixes / extend-unsafe-fixes; None: no fix


@dataclass(frozen=True)
class Analysis:
    reported: tuple[Reported, ...] = ()
    error: str | None = None  # the file could not be analysed: why (no findings then)


@dataclass(frozen=True)
class FixAll:
    text: str | None  # None when nothing could be fixed
    error: str | None = None


Reply = Analysis | FixAll


@dataclass(frozen=True)
class FileConfig:
    settings: Settings
    ignores: tuple[str, ...]  # per-file ignores for this path
    excluded: bool


def handle(request: Request) -> Reply:
    """Answer one request; never raises (an editor process must not die of a file)."""
    try:
        if isinstance(request, FixAllRequest):
            return fix_all(request)
        return check(request)
    except (AnalysisError, ConfigError) as exc:
        return _failure(request, str(exc))
    except RecursionError:
        return _failure(request, "nesting too deep")
    except Exception as exc:  # noqa: BLE001 - reported to the editor's log; the server goes on
        return _failure(request, f"internal error: {type(exc).__name__}: {exc}")


def _failure(request: Request, reason: str) -> Reply:
    return FixAll(None, reason) if isinstance(request, FixAllRequest) else Analysis(error=reason)


def check(request: CheckRequest) -> Analysis:
    from apilint.engine.engine import check_source, enabled_rules
    from apilint.project.build import view_for

    config = file_config(request.path)
    if config.excluded:
        return Analysis()  # what `apilint` would not check shows nothing in the editor either
    rules = enabled_rules(config.settings, config.ignores)
    # Other modules' facts come from the project index, as in the CLI: built from the files on
    # disk once per worker process (the server starts a new worker after a file is saved).
    project = view_for(request.path) if request.path is not None else None
    findings = check_source(request.text, config.settings, rules, exact=request.exact, project=project)
    noqa = NoqaIndex(request.text)
    return Analysis(tuple(
        Reported(f, applicability(f, config.settings)) for f in findings if not noqa.suppresses(f.line, f.code)
    ))


def fix_all(request: FixAllRequest) -> FixAll:
    """`apilint --fix` on the buffer: the engine's fixer loop, safe fixes only, noqa respected."""
    from apilint.engine.engine import enabled_rules
    from apilint.engine.fixer import fix_text

    config = file_config(request.path)
    if config.excluded:
        return FixAll(None)
    rules = enabled_rules(config.settings, config.ignores)
    noqa = _NoqaByText()
    outcome = fix_text(request.text, config.settings, rules, unsafe=False, suppressed=noqa)
    if outcome.text == request.text:
        return FixAll(None, outcome.error)
    return FixAll(outcome.text, outcome.error)


class _NoqaByText:
    """The noqa index of the text being fixed (the fixer asks once per finding, per pass)."""

    def __init__(self) -> None:
        self._text: str | None = None
        self._index = NoqaIndex("")

    def __call__(self, text: str, finding: Finding) -> bool:
        if text is not self._text:
            self._text, self._index = text, NoqaIndex(text)
        return self._index.suppresses(finding.line, finding.code)


def file_config(path: str | None) -> FileConfig:
    """The settings `apilint PATH` would use for this file, and whether `apilint` run on its
    configuration's directory would check it at all (excluded, git-ignored, in a virtualenv)."""
    from apilint.cli.configured import make_resolver
    from apilint.cli.main import build_parser
    from apilint.exclusion import PathFilter

    _forget_stale_configuration()
    # A new resolver per request: the user may edit or add a pyproject.toml while the server runs.
    resolver = make_resolver(build_parser().parse_args([]))
    if path is None:
        return FileConfig(resolver.for_path(Path.cwd()).settings, (), False)
    config = resolver.for_path(path)
    return FileConfig(config.settings, config.per_file_ignores(path), PathFilter(resolver).unreachable(Path(path)))


def _forget_stale_configuration() -> None:
    """The CLI reads each pyproject.toml once per process; a server lives for hours while the user
    edits its configuration, so it reads the configuration again for every request (a TOML read
    costs well under a millisecond, next to an analysis of tens of milliseconds)."""
    clear = getattr(load_settings, "cache_clear", None)
    if clear is not None:
        clear()
