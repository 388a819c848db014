#!/usr/bin/env bash
# bench/compare/run.sh — `./run bench`: meshgw side by side with HAProxy and nginx.
#
#   bench/compare/run.sh [--quick] [--reps N] [--only SCENARIO,...] [--proxies NAME,...]
#                        [--idle-conns N] [--build-dir DIR] [--micro]
#
# Installs the Debian packages of third_party/bench-packages.tsv that are missing (as root or with
# password-less sudo; otherwise says what to install), builds meshgw-bench if the build directory
# (default build/release) lacks it, then runs bench/compare/compare.py, which writes
# bench/results/<date>/ (report.json, report.md, plots) and points bench/results/latest at it.
# --quick: short runs (about 8 minutes with all six rows). --idle-conns: connections held by the
# idle scenarios (default 1,000 with --quick, else 9,000). --micro: the Google Benchmark suites of
# bench/micro only. Everything listens on 127.0.0.1; every process started is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

BUILD=build/release
QUICK=()
MICRO=0
PASS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=(--quick) ;;
    --micro) MICRO=1 ;;
    --build-dir) BUILD=$2; shift ;;
    --reps|--only|--proxies|--rate|--idle-conns) PASS+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\n==> %s\n' "$*"; }

if [[ $MICRO -eq 1 ]]; then
  shopt -s nullglob
  benches=("$BUILD"/bench/micro/*_bench)
  [[ ${#benches[@]} -gt 0 ]] || { echo "bench: no micro benchmarks in $BUILD/bench/micro" >&2; exit 1; }
  for b in "${benches[@]}"; do say "$b"; "$b" --benchmark_min_time=0.2; done
  exit 0
fi

missing_packages() {
  local pkg
  while IFS=$'\t' read -r pkg _; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done < third_party/bench-packages.tsv
}

install_packages() {
  local missing sudo=""
  missing=$(missing_packages | tr '\n' ' ')
  [[ -z "${missing// /}" ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "bench: missing Debian packages: $missing" >&2
      echo "run as root (or with password-less sudo), or: apt-get install $missing" >&2
      exit 1
    fi
  fi
  say "installing Debian packages: $missing"
  # Debian starts the haproxy and nginx services on install (nginx on 0.0.0.0:80): the benchmark
  # runs its own instances on loopback only, so keep the packaged services from starting.
  local guard=/usr/sbin/policy-rc.d added=0
  if [[ ! -e $guard ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee $guard >/dev/null
    $sudo chmod +x $guard
    added=1
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
    || { [[ $added -eq 1 ]] && $sudo rm -f $guard; exit 1; }
  [[ $added -eq 1 ]] && $sudo rm -f $guard
  return 0
}

install_packages

TOOL=$BUILD/bench/tool/meshgw-bench
if [[ ! -x $TOOL ]]; then
  say "building meshgw-bench in $BUILD"
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$BUILD" --target meshgw-bench -j "${MESHGW_JOBS:-$(nproc)}"
fi

# 9,000 proxied connections need about 18,000 descriptors in the proxy.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say "benchmark ${QUICK[*]:-(full)} — see bench/README.md for how to read the report"
python3 -B bench/compare/compare.py --tool "$TOOL" --build-dir "$BUILD" --out bench/results \
  "${QUICK[@]}" "${PASS[@]}"
say "bench/results/latest/report.md"
sed -n '/^## Results/,/^## Placement/p' bench/results/latest/report.md | grep -v '^## Placement'
