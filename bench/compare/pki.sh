#!/usr/bin/env bash
# bench/compare/pki.sh DIR — a throw-away test PKI for the benchmark, shaped like Consul's:
# one ECDSA P-256 CA for the trust domain, leaf certificates with SPIFFE URI SANs:
#   gateway.{crt,key,pem}  the mesh gateway   spiffe://TD/gateway/mesh/dc/dc1  (+ DNS SANs of the SNIs)
#   backend.{crt,key}      the echo service   spiffe://TD/ns/default/dc/dc1/svc/echo
#   client.{crt,key}       the caller         spiffe://TD/ns/default/dc/dc2/svc/client
# gateway.pem is certificate + key in one file (HAProxy's `crt`). Idempotent: an existing DIR
# with a ca.crt is kept. Prints nothing on success.
set -euo pipefail
dir=${1:?usage: pki.sh DIR}
TD=${MESHGW_BENCH_TD:-5bd5b1f4-9a0b-4d5e-8c6f-0123456789ab.consul}
[[ -f "$dir/ca.crt" && -f "$dir/client.key" ]] && exit 0
mkdir -p "$dir"
cd "$dir"

openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=meshgw bench CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectAltName=URI:spiffe://$TD" -out ca.crt 2>/dev/null

leaf() {  # name CN SAN extended-usage
  local name=$1 cn=$2 san=$3 eku=$4
  openssl ecparam -name prime256v1 -genkey -noout -out "$name.key.sec1" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$name.key.sec1" -out "$name.key"
  rm -f "$name.key.sec1"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$eku" "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

leaf gateway "mesh-gateway.dc1" \
  "URI:spiffe://$TD/gateway/mesh/dc/dc1,DNS:*.dc1.internal.$TD,DNS:*.external.$TD" \
  "serverAuth,clientAuth"
leaf backend "echo" "URI:spiffe://$TD/ns/default/dc/dc1/svc/echo,DNS:echo.default.dc1.internal.$TD" \
  "serverAuth,clientAuth"
leaf client "client" "URI:spiffe://$TD/ns/default/dc/dc2/svc/client" "clientAuth,serverAuth"
cat gateway.crt gateway.key > gateway.pem
echo "$TD" > trust-domain
