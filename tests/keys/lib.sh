# Helpers shared by the key tests, on top of tests/integration/lib.sh.
#   SIGN_TOOL   the sign_tool test program (default: build/tests/keys/sign_tool)
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

SIGN_TOOL=${SIGN_TOOL:-$SRC_ROOT/build/tests/keys/sign_tool}
PRINCIPAL=lethe@$(uname -n)

need_ssh_keygen() {
  command -v ssh-keygen >/dev/null || skip "ssh-keygen is not installed"
  [[ -x $SIGN_TOOL ]] || fail "sign_tool not found at $SIGN_TOOL (set SIGN_TOOL=)"
}

# keygen_config DIR: a lethe.ini in DIR whose key is DIR/keys/signing.key (a
# directory keygen must create) and whose rules.d holds a broken rule file:
# keygen reads only [agent], so broken rules must not stop it.
keygen_config() {
  mkdir -p "$1/rules.d"
  printf '[agent]\nrules = rules.d\nstate = state\nkey = keys/signing.key\n' >"$1/lethe.ini"
  printf '[rule broken\nretain = 12m\n' >"$1/rules.d/broken.ini"
}

# no_key_bytes KEY FILE...: none of the FILEs holds a line of KEY's PEM body
# (nor the PEM header).
no_key_bytes() {
  local key=$1 f line
  shift
  for f in "$@"; do
    if grep -q -e 'PRIVATE KEY' "$f"; then
      fail "$f shows a private key header"
    fi
    while IFS= read -r line; do
      [[ $line == -----* || -z $line ]] && continue
      if grep -q -F -e "$line" "$f"; then
        fail "$f holds a line of the private key"
      fi
    done <"$key"
  done
}

# tree_state DIR: path, type, mode, size and checksum of everything in DIR.
tree_state() {
  find "$1" -printf '%p %y %m %s\n' | LC_ALL=C sort
  find "$1" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
}
