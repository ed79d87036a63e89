#!/usr/bin/env bash
# Regenerates the test-only TLS material: a CA, a server certificate for localhost/127.0.0.1 and a
# client certificate, all signed by the CA, valid for 100 years. Keys are PKCS#8 PEM, as gRPC wants.
# Never use these outside the tests: the private keys are public.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=aigov test CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
issue() { # name subject extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -out "$1.pem" \
    -extfile <(printf '%s\n' "$3")
  rm "$1.csr"
}
issue server "localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue client "aigov test client" "extendedKeyUsage=clientAuth"
# A second CA that signed nothing here: a client trusting only it must refuse the server.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=aigov other CA" -keyout other-ca.key -out other-ca.pem
rm -f ca.key other-ca.key ca.srl
