#!/bin/sh
# Builds the official-parser oracle (tests/conformance/hcl-oracle, Go, against Debian's
# golang-github-hashicorp-hcl-v2-dev) and runs it.
#
#   hcl_oracle.sh SOURCE_DIR BINARY_DIR diff MESHGW_HCL [diff flags...]
#       the differential test of meshgw-hcl against the official parser
#   hcl_oracle.sh SOURCE_DIR BINARY_DIR prefixes MESHGW_HCL
#       the same with every prefix of each corpus file of up to 400 bytes added as a case
#       (unterminated input of every shape: error positions and recovery)
#   hcl_oracle.sh SOURCE_DIR BINARY_DIR selftest
#       the oracle's own Go tests, then the differential test of the oracle against itself
#       (the harness must report every case as agreeing)
#
# The Go build cache and the harvested case files live under BINARY_DIR. Missing tools are an
# error, never a skip: the conformance gate must not pass by not running.
set -eu
src=$1 bin=$2 what=$3
shift 3
hcl_dir=/usr/share/gocode/src/github.com/hashicorp/hcl/v2
install_hint="apt-get install -y --no-install-recommends golang-go golang-github-hashicorp-hcl-v2-dev"

if ! command -v go >/dev/null 2>&1; then
  echo "hcl_oracle: 'go' is not installed; install it with: $install_hint" >&2
  exit 1
fi
if [ ! -d "$hcl_dir/hclsyntax" ]; then
  echo "hcl_oracle: HashiCorp HCL is not installed at $hcl_dir; install it with: $install_hint" >&2
  exit 1
fi

export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$bin/gocache"
# One binary and work directory per action, so that ctest may run the actions in parallel.
work="$bin/hcl-oracle-$what"
oracle="$work/hcl-oracle"
mkdir -p "$work"
# GOPATH mode takes a package outside GOPATH only as a relative path.
(cd "$src/tests/conformance/hcl-oracle" && go build -o "$oracle" .)

case $what in
  diff|prefixes)
    ours=$1
    shift
    if [ ! -x "$ours" ]; then
      echo "hcl_oracle: $ours is not built; build the meshgw-hcl target first" >&2
      exit 1
    fi
    if [ "$what" = prefixes ]; then
      set -- -truncations 400 "$@"
    fi
    exec "$oracle" diff -ours "$ours" -repo "$src" -work "$work" -hcl "$hcl_dir" "$@"
    ;;
  selftest)
    (cd "$src/tests/conformance/hcl-oracle" && go test -count=1 .)
    exec "$oracle" diff -ours "$oracle" -repo "$src" -work "$work" -hcl "$hcl_dir"
    ;;
  *)
    echo "hcl_oracle: unknown action '$what' (diff, prefixes or selftest)" >&2
    exit 2
    ;;
esac
