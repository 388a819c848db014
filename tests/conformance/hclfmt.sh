#!/usr/bin/env bash
# Differential test of `meshgw-hcl fmt` against HashiCorp's hclfmt (HCL 2.14.1, Debian's Go
# source): every .hcl file of the repository, everything under tests/testdata/hcl/ (including the
# deliberately misformatted tests/testdata/hcl/fmt/) and the specsuite must come out byte for byte
# as hclfmt formats it. Files the official parser rejects are skipped (hclfmt formats them, but
# we refuse to). Also checks `fmt --check`: exit 1 and the file name before, exit 0 after.
#
# usage: hclfmt.sh MESHGW_HCL SOURCE_DIR WORK_DIR
set -uo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 MESHGW_HCL SOURCE_DIR WORK_DIR" >&2
  exit 2
fi
tool=$1
src=$2
work=$3
hcl_go=/usr/share/gocode/src/github.com/hashicorp/hcl/v2

if ! command -v go >/dev/null || [[ ! -d $hcl_go ]]; then
  echo "hclfmt-oracle: FAIL: the oracle needs Go and HashiCorp's HCL source; install them with" >&2
  echo "  apt-get install -y --no-install-recommends golang-go golang-github-hashicorp-hcl-v2-dev" >&2
  exit 1
fi

mkdir -p "$work/tmp"
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$work/gocache"
if ! go build -o "$work/hclfmt" github.com/hashicorp/hcl/v2/cmd/hclfmt; then
  echo "hclfmt-oracle: FAIL: cannot build hclfmt" >&2
  exit 1
fi

mapfile -t files < <(
  {
    find "$src" \( -path "$src/build" -o -path "$src/.git" -o -name node_modules \) -prune \
      -o -type f -name '*.hcl' -print
    find "$src/tests/testdata/hcl" -type f \( -name '*.hcl' -o -name '*.nomad' -o -name '*.t' \
      -o -name '*.hcldec' -o -name '*.tf' \) 2>/dev/null
    find "$hcl_go/specsuite/tests" -type f \( -name '*.hcl' -o -name '*.t' -o -name '*.hcldec' \)
  } | sort -u
)

total=0
identical=0
skipped=0
differ=()
for f in "${files[@]}"; do
  expected="$work/tmp/expected"
  if ! "$work/hclfmt" -check "$f" >"$expected" 2>/dev/null; then
    skipped=$((skipped + 1))  # the official parser rejects it
    continue
  fi
  total=$((total + 1))
  ours="$work/tmp/ours.hcl"
  cp "$f" "$ours"
  # --check must agree on whether the file changes.
  check_out=$("$tool" fmt --check "$ours" 2>"$work/tmp/stderr")
  check_rc=$?
  want_rc=0
  cmp -s "$f" "$expected" || want_rc=1
  if [[ $check_rc -ne $want_rc ]]; then
    differ+=("$f (fmt --check exited $check_rc, want $want_rc: $(head -c 300 "$work/tmp/stderr"))")
    continue
  fi
  if [[ $want_rc -eq 1 && "$check_out" != "$ours" ]]; then
    differ+=("$f (fmt --check printed '$check_out', want the file name)")
    continue
  fi
  if ! "$tool" fmt "$ours" 2>"$work/tmp/stderr"; then
    differ+=("$f (fmt failed: $(head -c 300 "$work/tmp/stderr"))")
    continue
  fi
  if ! cmp -s "$ours" "$expected"; then
    differ+=("$f (output differs; first lines of diff below)")
    diff "$expected" "$ours" | head -n 8 | sed 's/^/    /' >&2
    continue
  fi
  if ! "$tool" fmt --check "$ours" >/dev/null 2>&1; then
    differ+=("$f (fmt --check still reports the formatted file)")
    continue
  fi
  identical=$((identical + 1))
done

echo "hclfmt-oracle: $total files, $identical identical ($skipped rejected by the official parser, skipped)"
if [[ $total -eq 0 ]]; then
  echo "hclfmt-oracle: FAIL: no input files found" >&2
  exit 1
fi
if [[ ${#differ[@]} -gt 0 ]]; then
  echo "hclfmt-oracle: FAIL: ${#differ[@]} files differ from hclfmt:" >&2
  printf '  %s\n' "${differ[@]}" >&2
  exit 1
fi
