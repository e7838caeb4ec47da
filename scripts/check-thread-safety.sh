#!/usr/bin/env bash
# Compiles every source file with clang's thread-safety analysis, syntax only.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cc' | grep -Ev '^(tests|bench)/' || true)
flags=(-std=c++20 -fsyntax-only -Wthread-safety -Werror=thread-safety -I. -msse4.2 -mpclmul
       -Wno-unknown-warning-option)
fail=0
for f in $files; do
  clang++ "${flags[@]}" "$f" || { echo "thread-safety: $f failed" >&2; fail=1; }
done
[ "$fail" -eq 0 ] && echo "thread-safety: $(echo "$files" | wc -w) files clean"
exit "$fail"
