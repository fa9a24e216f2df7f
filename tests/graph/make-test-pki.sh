#!/bin/bash
# make-test-pki.sh DIR -- test PKI for the Graph emulator, with the openssl CLI.
#
#   DIR/ca.pem, ca.key          test CA (trust it with curl --cacert / CURLOPT_CAINFO)
#   DIR/server.pem, server.key  server certificate for the emulator, signed by the CA,
#                               SAN IP:127.0.0.1 and DNS:localhost
#   DIR/app.pem, app.key        the application's certificate credential: an RSA 2048
#                               key and a self-signed certificate, what an Entra app
#                               registration's "Certificates & secrets" holds
#   DIR/app.x5t#S256            base64url SHA-256 of app.pem's DER (JWT header x5t#S256)
#   DIR/app.x5t                 base64url SHA-1 of the same (the older x5t header)
#   DIR/other.pem, other.key    a second, unregistered credential (for negative tests)
#
# Private keys are mode 0600 (Lethe refuses secrets readable by group or others).
set -euo pipefail

dir=${1:?usage: make-test-pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# CA and server keys are EC P-256 (fast to make); the app credential is RSA 2048
# as Entra certificate credentials are.
# CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
  -keyout ca.key -out ca.pem -subj "/CN=Lethe Graph Emulator Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# Server certificate for 127.0.0.1 / localhost, signed by the CA
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -keyout server.key -out server.csr \
  -subj "/CN=localhost" 2>/dev/null
cat > server.ext <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
  -days 825 -sha256 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext

# Application certificate credential: RSA 2048 + self-signed certificate
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
  -keyout app.key -out app.pem -subj "/CN=lethe-graph-test-app" 2>/dev/null
openssl x509 -in app.pem -outform DER | openssl dgst -sha256 -binary | b64url > 'app.x5t#S256'
openssl x509 -in app.pem -outform DER | openssl dgst -sha1 -binary | b64url > app.x5t

# A credential the emulator does not know
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 \
  -keyout other.key -out other.pem -subj "/CN=not-registered" 2>/dev/null

chmod 600 ./*.key
chmod 644 ./*.pem app.x5t 'app.x5t#S256'
