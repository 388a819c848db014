#!/bin/sh
# The C++ sources follow .clang-format: lists every file clang-format would change, and fails.
#   tests/format_check.sh SOURCE_DIR
set -eu
cd "$1"
command -v clang-format >/dev/null || { echo "format_check: FAIL: clang-format missing (apt-get install clang-format)" >&2; exit 1; }
bad=0 n=0
for f in $(find common hcl xds gateway control demo bench tests -name '*.cc' -o -name '*.h' | sort); do
  n=$((n + 1))
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (clang-format -i $f)"
    bad=$((bad + 1))
  fi
done
echo "format_check: $n files, $bad not formatted"
[ "$bad" -eq 0 ]
