"""`apilint rule CODE` prints a rule's documentation; `apilint rule --all` lists the rules."""

from __future__ import annotations

import argparse
import sys

EXIT_CLEAN, EXIT_ERROR = 0, 2


def rule_command(argv: list[str]) -> int:
    """`apilint rule CODE` prints a rule's documentation; `apilint rule --all` lists the rules."""
    from apilint.docs import fix_summary, render
    from apilint.rules import ALL_RULES, RULES_BY_CODE

    parser = argparse.ArgumentParser(prog="apilint rule", description="Show rule documentation.")
    parser.add_argument("code", nargs="?", help="a rule code, e.g. API101")
    parser.add_argument("--all", action="store_true", help="list every rule")
    args = parser.parse_args(argv)
    if args.all or not args.code:
        for rule in ALL_RULES:
            print(f"{rule.code}  {rule.name:28} {fix_summary(rule)}")
        return EXIT_CLEAN
    found = RULES_BY_CODE.get(args.code.upper())
    if found is None:
        print(f"apilint: error: unknown rule {args.code!r}", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render(found))
    return EXIT_CLEAN
