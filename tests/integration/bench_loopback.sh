#!/usr/bin/env bash
# tests/integration/bench_loopback.sh MESHGW_BENCH — meshgw-bench against its own echo backend on
# 127.0.0.1, every mode for about a second, over TCP and mTLS (test PKI from
# bench/compare/pki.sh). Checks that each run prints a JSON line with work done and no errors.
# Bounded: each run is at most a few seconds; the backends are stopped on exit.
set -euo pipefail
TOOL=${1:?usage: bench_loopback.sh path/to/meshgw-bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

"$ROOT/bench/compare/pki.sh" "$WORK/pki"
P=$WORK/pki
TLS_PORT=$(free_port)
TCP_PORT=$(free_port)
"$TOOL" echo -listen "127.0.0.1:$TLS_PORT" -cert "$P/backend.crt" -key "$P/backend.key" \
  -ca "$P/ca.crt" -duration 60s -quiet &
PIDS+=($!)
"$TOOL" echo -listen "127.0.0.1:$TCP_PORT" -duration 60s -quiet &
PIDS+=($!)
for port in "$TLS_PORT" "$TCP_PORT"; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
  done
done

MTLS=(-sni echo.test -ca "$P/ca.crt" -cert "$P/client.crt" -key "$P/client.key")
failed=0
check() {  # name python-condition-on-j -- meshgw-bench args...
  local name=$1 cond=$2
  shift 3
  local out
  if ! out=$("$TOOL" "$@" -quiet); then
    echo "FAIL $name: exit $?"; failed=$((failed + 1)); return
  fi
  if python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($cond) and j['errors']==0 else 1)" "$out"; then
    echo "ok   $name: $out"
  else
    echo "FAIL $name: $out"; failed=$((failed + 1))
  fi
}

check tcp-throughput "j['gbps'] > 0 and j['bytes_received'] > 0" -- \
  throughput -target "127.0.0.1:$TCP_PORT" -connections 2 -duration 1s
check tls-throughput "j['gbps'] > 0 and j['bytes_received'] > 0" -- \
  throughput -target "127.0.0.1:$TLS_PORT" "${MTLS[@]}" -duration 1s -warmup 0.2s
check tls-handshakes "j['handshakes'] > 0 and j['resumed'] == 0" -- \
  handshakes -target "127.0.0.1:$TLS_PORT" "${MTLS[@]}" -connections 2 -duration 1s
# Every handshake but the first of each of the 2 slots (no ticket yet, when no warm-up took it) resumes.
check tls-resumed "j['handshakes'] > 2 and j['resumed'] >= j['handshakes'] - 2" -- \
  handshakes -target "127.0.0.1:$TLS_PORT" "${MTLS[@]}" -connections 2 -duration 1s -resume
check tcp-latency "j['requests'] > 0 and j['latency_us']['p99'] > 0 and j['requests_lost'] == 0" -- \
  latency -target "127.0.0.1:$TCP_PORT" -rate 500 -connections 4 -duration 1s -warmup 0.2s
check tls-idle "j['connections_held'] == 50" -- \
  idle -target "127.0.0.1:$TLS_PORT" "${MTLS[@]}" -connections 50 -duration 0.5s \
  -ready-file "$WORK/ready"
[[ -f $WORK/ready ]] || { echo "FAIL idle: no ready file"; failed=$((failed + 1)); }

# A client without a certificate is refused by the mTLS backend, and says so.
if out=$("$TOOL" handshakes -target "127.0.0.1:$TLS_PORT" -sni x -ca "$P/ca.crt" \
    -connections 1 -duration 0.5s -quiet) &&
   python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if j['errors']>0 and j['handshakes']==0 else 1)" "$out"; then
  echo "ok   no-client-cert refused: $out"
else
  echo "FAIL no-client-cert: $out"; failed=$((failed + 1))
fi

echo "$((8 - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
