#!/usr/bin/env python3
"""Compare apilint's findings on the corpora with the verdicts kept in tests/corpus_verdicts/.

    python3 scripts/corpus_verdicts.py CORPUS_ROOT [--findings FILE]

CORPUS_ROOT holds `dev/` and `dev2/` (built with scripts/corpus/build.sh from the pinned lists).
Without --findings, runs `apilint --isolated --exit-zero --no-cache` on both. Prints, per rule
family, how many findings were judged and the precision, then every finding that has no verdict
(new: read it and add one) and every verdict whose finding is gone (the change removed it: was it
a false alarm?). Exit 1 when either list is non-empty, so a change in findings shows in review.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

VERDICTS = Path(__file__).resolve().parent.parent / "tests" / "corpus_verdicts"
# One file per family holds the verdicts on findings; other files there judge fixes or v1 reports.
FAMILY_FILES = ("API1xx.tsv", "API2xx.tsv", "API3xx.tsv", "API4xx.tsv")
_FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>API\d{3}) ")

Key = tuple[str, int, str]


def findings(root: Path, findings_file: Path | None) -> set[Key]:
    if findings_file is not None:
        text = findings_file.read_text(encoding="utf-8")
    else:
        command = ["apilint", "--isolated", "--exit-zero", "--no-cache", "--quiet", "dev", "dev2"]
        text = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout
    found = set()
    for line in text.splitlines():
        match = _FINDING.match(line)
        if match is not None and match["code"] != "API000":
            found.add((match["path"], int(match["line"]), match["code"]))
    return found


def verdicts() -> dict[Key, str]:
    judged: dict[Key, str] = {}
    for name in FAMILY_FILES:
        for row in (VERDICTS / name).read_text(encoding="utf-8").splitlines():
            fields = row.split("\t")
            if len(fields) >= 5 and fields[2].isdigit():
                judged[(fields[1], int(fields[2]), fields[3])] = fields[4]
    return judged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--findings", type=Path, help="apilint's text output on dev and dev2, run from ROOT")
    args = parser.parse_args(argv)
    found, judged = findings(args.root, args.findings), verdicts()
    per_family: Counter[tuple[str, str]] = Counter()
    for key in found & judged.keys():
        per_family[(key[2][:4] + "xx", judged[key])] += 1
    for family in sorted({family for family, _ in per_family}):
        tp, fp = per_family[(family, "TP")], per_family[(family, "FP")]
        print(f"{family}: {tp + fp} judged, {tp} TP, {fp} FP, precision {tp / max(tp + fp, 1):.3f}")
    unjudged, gone = sorted(found - judged.keys()), sorted(judged.keys() - found)
    for path, line, code in unjudged:
        print(f"no verdict: {path}:{line} {code}")
    for path, line, code in gone:
        print(f"verdict without finding: {path}:{line} {code} ({judged[(path, line, code)]})")
    print(f"{len(found)} findings, {len(unjudged)} without verdict, {len(gone)} verdicts without finding")
    return 1 if unjudged or gone else 0


if __name__ == "__main__":
    sys.exit(main())
