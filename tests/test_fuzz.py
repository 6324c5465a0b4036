"""Fuzzing with hypothesmith: grammar-generated programs, mixed with HTTP code so rules and fixes engage.

No crash (only AnalysisError for unparseable input), and on every program the fix round-trip
holds: the fixed code compiles, and a second run changes nothing.
"""

from __future__ import annotations

import warnings

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apilint.engine.engine import check_source, enabled_rules
from apilint.engine.findings import AnalysisError, Finding
from apilint.engine.fixer import fix_text
from apilint.settings import Settings

SNIPPETS = (
    "import requests\nrequests.get(u)\n",
    "import requests\ns = requests.Session()\ns.post(u, json={}, timeout=None)\n",
    "import requests\ntry:\n    r = requests.get(u, timeout=1)\n    print(r.json())\nexcept Exception:\n    pass\n",
    "import requests\ntry:\n    requests.get(u)\nexcept requests.RequestException:\n    pass\nexcept requests.Timeout:\n    pass\n",
    "import time\nimport requests\nfor i in range(9):\n    try:\n        requests.get(u, timeout=1)\n"
    "    except (requests.RequestException, requests.Timeout):\n        time.sleep(2)\n",
    "from urllib3.util.retry import Retry\nr = Retry(total=3, status_forcelist=[404, 500])\n",
    "import requests\nr = requests.get(u, timeout=2)\nr.raise_for_status\n",
)
SETTINGS = Settings()
RULES = enabled_rules(SETTINGS)


def _module(program: str, snippet: str, first: bool) -> str | None:
    """The generated program with the HTTP snippet before or after it; None when the combination is
    not a valid module (e.g. a dangling continuation)."""
    source = snippet + program if first else program.rstrip("\n") + "\n" + snippet
    try:
        compile(source, "<fuzz>", "exec")
    except (SyntaxError, ValueError):
        return None
    return source


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=hypothesmith.from_grammar(), snippet=st.sampled_from(SNIPPETS), first=st.booleans())
def test_generated_programs(program: str, snippet: str, first: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = _module(program, snippet, first)
        if source is None:
            return
        try:
            check_source(source, SETTINGS, RULES)
            outcome = fix_text(source, SETTINGS, RULES, unsafe=True)
        except AnalysisError:
            return
        assert outcome.error is None, outcome.error
        compile(outcome.text, "<fixed>", "exec")
        assert fix_text(outcome.text, SETTINGS, RULES, unsafe=True).text == outcome.text


def _key(findings: list[Finding]) -> list[tuple[str, int, int, int, int, str]]:
    return [(f.code, f.line, f.col, f.end_line, f.end_col, f.message) for f in findings]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=hypothesmith.from_grammar(), snippet=st.sampled_from(SNIPPETS), first=st.booleans())
def test_gates_never_drop_a_finding_on_generated_programs(program: str, snippet: str, first: bool) -> None:
    """The derived gates (text filter, pre-check, reduction) against none of them, on generated code."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = _module(program, snippet, first)
        if source is None:
            return
        try:
            ungated = check_source(source, SETTINGS, RULES, precheck=False, reduce=False)
        except AnalysisError:
            return
        assert _key(check_source(source, SETTINGS, RULES, exact=False)) == _key(ungated)
        assert check_source(source, SETTINGS, RULES) == ungated
