#!/usr/bin/env bash
# corpus_fix_roundtrip.sh CORPUS_DIR [apilint args...]: copy the corpus, run `apilint --fix --unsafe-fixes`,
# then check every changed file compiles, a second run changes nothing, and no fixable finding remains.
set -euo pipefail
src=${1:?usage: corpus_fix_roundtrip.sh CORPUS_DIR [apilint args]}; shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$src" "$work/before"
cp -a "$src" "$work/after"
apilint --fix --unsafe-fixes --quiet "$@" "$work/after" > "$work/first.txt" || true
changed=$(diff -rq "$work/before" "$work/after" | awk '{print $4}' || true)
n=$(printf '%s\n' "$changed" | grep -c . || true)
echo "files changed: $n"
fail=0
for f in $changed; do
  python3 -m py_compile "$f" 2>/dev/null || { echo "DOES NOT COMPILE: $f"; fail=1; }
done
cp -a "$work/after" "$work/again"
apilint --fix --unsafe-fixes --quiet "$@" "$work/again" > /dev/null || true
if ! diff -rq "$work/after" "$work/again" >/dev/null; then echo "SECOND RUN CHANGED FILES:"; diff -rq "$work/after" "$work/again"; fail=1; fi
remaining=$(apilint --diff --unsafe-fixes --quiet "$@" "$work/after" | grep -c '^+++' || true)
echo "files with fixes left after the run: $remaining"
[ "$remaining" = 0 ] || fail=1
diff -ru "$work/before" "$work/after" | grep '^[-+][^-+]' | wc -l | xargs echo "changed lines (+/-):"
exit $fail
