#!/usr/bin/env bash
# Runs a libFuzzer target for a bounded time over a fresh copy of its seed corpus.
# usage: run_fuzzer.sh FUZZER SOURCE_DIR WORK_DIR SEEDS [libFuzzer flags...]
# SEEDS: comma-separated folders under SOURCE_DIR whose files seed the corpus; the word
# `hcl-specsuite` adds HashiCorp's specsuite (.hcl, .t, .hcldec). tests/fuzz/regressions/ (inputs
# that once tripped a fuzzer) is the usual first entry. The corpus is a copy in WORK_DIR, because
# libFuzzer writes new inputs into it. A crash leaves its input in WORK_DIR/artifacts/ and fails.
set -euo pipefail
fuzzer=$1
src=$2
work=$3
seeds=$4
shift 4

rm -rf "$work/corpus" "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
n=0
copy_seeds() {
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    cp "$f" "$work/corpus/seed-$n-$(basename "$f")"
  done
}
specsuite=/usr/share/gocode/src/github.com/hashicorp/hcl/v2/specsuite/tests
IFS=, read -r -a seed_dirs <<<"$seeds"
for d in "${seed_dirs[@]}"; do
  if [[ $d == hcl-specsuite ]]; then
    [[ -d $specsuite ]] || { echo "run_fuzzer: FAIL: $specsuite missing (apt-get install golang-github-hashicorp-hcl-v2-dev)" >&2; exit 1; }
    copy_seeds < <(find "$specsuite" -type f \( -name '*.hcl' -o -name '*.t' -o -name '*.hcldec' \) -print0)
  else
    copy_seeds < <(find "$src/$d" -type f ! -name README.md -print0 2>/dev/null)
  fi
done
echo "run_fuzzer: $n seed files"
if [[ $n -eq 0 ]]; then
  echo "run_fuzzer: FAIL: no seeds found in $seeds" >&2
  exit 1
fi
exec "$fuzzer" "$@" -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus"
