"""Building the project index cheaply changes no result (issue 15, performance): the incremental
rounds, the skipped rounds and the summaries made in worker processes give the very Project a
from-scratch computation gives (the summaries in the same order, the digest, the store keys)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from apilint.project import build, looks, rounds
from apilint.project.build import Project, build_project
from apilint.project.facts import ModuleSummary
from apilint.project.index import ProjectIndex
from apilint.project.rounds import Rounds, exported_http

PROJECT = Path(__file__).parent / "fixtures_project"

# Each module exports HTTP only once the one after it (alphabetically before it) is summarised:
# zulu imports requests, yankee re-exports zulu's session, xray wraps yankee's, whiskey calls
# xray's wrapper, victor subclasses whiskey's client. Every round adds one module of that chain.
CHAIN = {
    "chain/__init__.py": "",
    "chain/zulu.py": "import requests\nfrom chain.alpha import fetch\n\nsession = requests.Session()\n",
    # alpha gets ready in the first round; only then does zulu's re-export `fetch` lead to HTTP, so
    # zulu (summarised from the start) must be asked again for tango to get ready.
    "chain/alpha.py": "from chain.zulu import session\n\ndef fetch(url, **kw):\n    return session.get(url, **kw)\n",
    "chain/tango.py": "from chain.zulu import fetch\n\nfetch('u')\n",
    "chain/yankee.py": "from chain.zulu import session\n",
    "chain/xray.py": "from chain.yankee import session\n\ndef fetch(url, **kw):\n    return session.get(url, **kw)\n",
    "chain/whiskey.py": ("from chain.xray import fetch\n\nclass Client:\n"
                         "    def get(self, url, **kw):\n        return fetch(url, **kw)\n"),
    "chain/victor.py": "from chain import whiskey\n\nclass Mine(whiskey.Client):\n    pass\n",
    "chain/unrelated.py": "import os\n\nHOME = os.environ.get('HOME')\n",
    "chain/broken.py": "from chain.zulu import session\n\ndef (:\n",  # ready, but cannot be parsed
    "chain/uses_unrelated.py": "from chain.unrelated import HOME\n",
}


def _from_scratch(root: Path) -> tuple[list[str], list[dict[str, object]], str, list[str]]:
    """The rounds as first written: every round a new index, every summary asked again."""
    root = root.resolve()
    paths = build._module_paths(root, ())
    summaries: dict[str, ModuleSummary] = {}
    keys: dict[str, str] = {}
    pending: dict[str, set[str]] = {}
    for look in looks.first_looks_of(sorted(paths.items()), None):
        if look.summary is not None:
            summaries[look.name], keys[look.name] = look.summary, look.key
        elif look.named:
            pending[look.name] = look.named
    while pending:
        index = ProjectIndex(summaries, paths)
        exporting = {n for m in summaries for n in exported_http(index, summaries[m])}
        ready = [m for m, named in pending.items() if named & exporting]
        if not ready:
            break
        for name in sorted(ready):
            del pending[name]
            look = looks.summary_of(name, paths[name], None)
            if look.key:
                keys[name] = look.key
            if look.summary is not None:
                summaries[name] = look.summary
    digest = hashlib.sha256("|".join(f"{m}:{keys[m]}" for m in sorted(summaries)).encode()).hexdigest()[:16]
    return list(summaries), [s.to_json() for s in summaries.values()], digest, sorted(keys.values())


def _seen(project: Project) -> tuple[list[str], list[dict[str, object]], str, list[str]]:
    summaries = project.index.summaries
    return list(summaries), [s.to_json() for s in summaries.values()], project.digest, project.keys


def _chain(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for name, text in CHAIN.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "pyproject.toml").write_text("")
    return root.resolve()


@pytest.fixture(autouse=True)
def _fresh() -> object:
    yield
    build._PROJECTS.clear()


def test_the_chain_needs_a_round_per_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rounds: list[list[str]] = []
    ready = Rounds.ready

    def counted(self: Rounds) -> list[str]:
        rounds.append(ready(self))
        return rounds[-1]

    monkeypatch.setattr(Rounds, "ready", counted)
    root = _chain(tmp_path)
    names, _, _, keys = _seen(build_project(root))
    assert rounds == [["chain.alpha", "chain.broken", "chain.yankee"], ["chain.tango", "chain.xray"],
                      ["chain.whiskey"], ["chain.victor"], []]
    assert names == ["chain.zulu", "chain.alpha", "chain.yankee", "chain.tango", "chain.xray", "chain.whiskey",
                     "chain.victor"]
    assert len(keys) == len(names) + 1  # the unparseable module's text is part of the keys, not of the summaries


@pytest.mark.parametrize("workers", [1, 2])
def test_incremental_rounds_give_the_from_scratch_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         workers: int) -> None:
    monkeypatch.setattr(build, "_PARALLEL_SUMMARIES", 1)  # the workers summarise even one ready module
    monkeypatch.setattr(build, "_PARALLEL_FILES", 1)
    for root in (_chain(tmp_path), PROJECT.resolve()):
        assert _seen(build_project(root, workers=workers)) == _from_scratch(root)


def test_prepare_builds_the_from_scratch_projects_side_by_side(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "_PARALLEL_SUMMARIES", 1)
    monkeypatch.setattr(build, "_PARALLEL_FILES", 1)
    chain = _chain(tmp_path)
    build.prepare([chain / "chain" / "victor.py", PROJECT / "shop" / "base.py"], workers=2)
    for root in (chain, PROJECT.resolve()):
        assert _seen(build._PROJECTS[(root, ())]) == _from_scratch(root)


def test_a_module_reaching_a_new_summary_is_asked_again(tmp_path: Path) -> None:
    """zulu was summarised at the first look; its re-export `fetch` leads to HTTP only once alpha is
    summarised (round one), so zulu is asked again and tango, which imports `chain.zulu.fetch`, gets
    ready. victor names only `chain.whiskey`, whose answer changed because of xray a round earlier."""
    project = build_project(_chain(tmp_path))
    assert "chain.tango" in project.index.summaries
    assert project.index.http_library("chain.zulu.fetch") is not None
    assert project.index.http_library("chain.victor.Mine") is not None
    assert "chain.uses_unrelated" not in project.index.summaries


CYCLE = {
    "cyc/__init__.py": "from cyc import aaa\nimport requests\n",
    "cyc/aaa.py": "import cyc\nimport requests\n",  # the package and its module name each other
    "cyc/user.py": "import cyc\n",
    "cyc/other.py": "from cyc.user import cyc\n",
}


def test_a_round_that_meets_a_cycle_is_asked_from_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked only about `cyc`, the index meets `cyc.aaa` -> `cyc` -> `cyc.aaa`: an answer there may
    depend on the order of the questions, so the round asks every module in turn, as from scratch."""
    root = tmp_path / "proj"
    for name, text in CYCLE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "pyproject.toml").write_text("")
    scratch: list[int] = []
    from_scratch = rounds._from_scratch

    def counted(index: ProjectIndex, summaries: dict[str, ModuleSummary]) -> set[str]:
        scratch.append(len(summaries))
        return from_scratch(index, summaries)

    monkeypatch.setattr(rounds, "_from_scratch", counted)
    project = build_project(root)
    assert scratch  # the cycle was met
    assert _seen(project) == _from_scratch(root.resolve())
    assert "cyc.user" in project.index.summaries


def test_an_index_built_for_this_process_is_left_out_of_the_collectors_walks(tmp_path: Path) -> None:
    """A flake8 worker builds the index itself and keeps it: its objects go to the permanent
    generation (else every full collection flake8's own work triggers walks all of it), and the
    cycles left while the collector was paused are freed first, not frozen."""
    import gc

    root = _chain(tmp_path)
    gc.unfreeze()
    try:
        before = gc.get_freeze_count()
        project = build.project_for(root / "chain" / "zulu.py")
        assert gc.get_freeze_count() > before
        summary = next(iter(project.index.summaries.values()))
        assert gc.is_tracked(summary.__dict__) or gc.is_tracked(summary)
        assert all(o is not summary for o in gc.get_objects())  # no generation the collector walks holds it
        assert gc.collect() == 0  # nothing the build left behind was waiting for the collector
    finally:
        gc.unfreeze()
