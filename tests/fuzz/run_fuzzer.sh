#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time over a fresh copy of the HCL seed corpus.
# usage: run_fuzzer.sh FUZZER SOURCE_DIR WORK_DIR [libFuzzer flags...]
# Seeds: every file under tests/testdata/hcl/, HashiCorp's specsuite (.hcl, .t, .hcldec) and
# tests/fuzz/regressions/ (inputs that once tripped the fuzzer, replayed on every run).
# A crash leaves its input in WORK_DIR/artifacts/ and fails the test.
set -euo pipefail
fuzzer=$1
src=$2
work=$3
shift 3

rm -rf "$work/corpus" "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
n=0
copy_seeds() {
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    cp "$f" "$work/corpus/seed-$n-$(basename "$f")"
  done
}
copy_seeds < <(find "$src/tests/fuzz/regressions" -type f -print0 2>/dev/null)
copy_seeds < <(find "$src/tests/testdata/hcl" -type f -print0 2>/dev/null)
specsuite=/usr/share/gocode/src/github.com/hashicorp/hcl/v2/specsuite/tests
if [[ -d $specsuite ]]; then
  copy_seeds < <(find "$specsuite" -type f \( -name '*.hcl' -o -name '*.t' -o -name '*.hcldec' \) -print0)
fi
echo "run_fuzzer: $n seed files"
if [[ $n -eq 0 ]]; then
  echo "run_fuzzer: FAIL: no seeds found under $src/tests/testdata/hcl" >&2
  exit 1
fi
exec "$fuzzer" "$@" -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus"
