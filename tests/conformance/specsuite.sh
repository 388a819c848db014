#!/usr/bin/env bash
# HashiCorp's HCL specification suite (hclspecsuite) run against `meshgw-hcl hcldec`.
#
#   tests/conformance/specsuite.sh MESHGW_HCL [WORK_DIR]
#
# Builds the official harness from the Debian package golang-github-hashicorp-hcl-v2-dev (GOPATH
# mode, offline), runs it over the package's specsuite/tests with a wrapper that execs
# `MESHGW_HCL hcldec "$@"`, and prints one line per case (PASS/FAIL) and the summary
# `hclspecsuite: N cases, M pass`. Exits 1 if any case fails, 2 if the tools are missing.
set -euo pipefail

hcl_bin=${1:?usage: specsuite.sh MESHGW_HCL [WORK_DIR]}
work=${2:-$(mktemp -d)}
hcl_src=/usr/share/gocode/src/github.com/hashicorp/hcl/v2
tests_dir=$hcl_src/specsuite/tests
install_hint="apt-get install -y --no-install-recommends golang-go golang-github-hashicorp-hcl-v2-dev"

if ! command -v go >/dev/null 2>&1; then
  echo "hclspecsuite: FAILED: the Go toolchain is missing; install it with: $install_hint" >&2
  exit 2
fi
if [[ ! -d $hcl_src/cmd/hclspecsuite || ! -d $tests_dir ]]; then
  echo "hclspecsuite: FAILED: HCL sources not found at $hcl_src; install them with: $install_hint" >&2
  exit 2
fi
if [[ ! -x $hcl_bin ]]; then
  echo "hclspecsuite: FAILED: $hcl_bin is not an executable" >&2
  exit 2
fi
hcl_bin=$(cd "$(dirname "$hcl_bin")" && pwd)/$(basename "$hcl_bin")

mkdir -p "$work"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$work/gocache" \
  go build -o "$work/hclspecsuite" github.com/hashicorp/hcl/v2/cmd/hclspecsuite

cat >"$work/hcldec" <<EOF
#!/bin/sh
exec "$hcl_bin" hcldec "\$@"
EOF
chmod +x "$work/hcldec"

# The harness prints "- name" when a case starts and again when it ends, and writes the case's
# problems to stderr in between (both unbuffered), so in the merged stream a case passed when
# nothing but blank lines separates its two name lines.
set +e
"$work/hclspecsuite" "$tests_dir" "$work/hcldec" >"$work/output.txt" 2>&1
harness_rc=$?
set -e

awk '
  /^- / {
    name = substr($0, 3)
    if (open == "") { open = name; bad = 0; next }
    if (name == open) {
      cases++
      if (bad) { printf "FAIL %s\n", name; failed++ } else { printf "PASS %s\n", name; passed++ }
      open = ""
      next
    }
  }
  open != "" && $0 !~ /^[[:space:]]*$/ { bad = 1; if (!shown[open]++) problems = problems "--- " open "\n"; problems = problems $0 "\n" }
  open == "" && $0 !~ /^[[:space:]]*$/ { harness = harness $0 "\n" }
  END {
    if (problems != "") printf "%s", problems > "/dev/stderr"
    if (harness != "") printf "harness problems:\n%s", harness > "/dev/stderr"
    printf "hclspecsuite: %d cases, %d pass\n", cases, passed
    if (failed > 0 || cases == 0 || harness != "") exit 1
  }
' "$work/output.txt" || exit 1

if [[ $harness_rc -ne 0 ]]; then
  echo "hclspecsuite: harness exited with $harness_rc (see $work/output.txt)" >&2
  exit 1
fi
