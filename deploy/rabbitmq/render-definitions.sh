#!/bin/sh
# Renders definitions.json for RabbitMQ: every "{{VAR}}" placeholder becomes the RabbitMQ password
# hash of the environment variable VAR (rabbit_password_hashing_sha256:
# base64(salt + sha256(salt + password)), with a random 4-byte salt).
#
#   render-definitions.sh <template> <output>
#
# Fails, writing nothing, if a referenced variable is unset or empty. Only hashes reach the output
# file; the plain passwords stay in the environment. Needs only a POSIX shell, head, grep, sed and
# openssl (all in the official rabbitmq images).
set -eu

template=${1:?usage: render-definitions.sh <template> <output>}
output=${2:?usage: render-definitions.sh <template> <output>}

fail() {
  echo "render-definitions: $*" >&2
  exit 1
}

command -v openssl >/dev/null 2>&1 || fail "openssl is needed to hash the passwords"
[ -r "$template" ] || fail "cannot read $template"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints the RabbitMQ SHA-256 hash of $1.
hash_password() {
  head -c 4 /dev/urandom >"$work/salt"
  { cat "$work/salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary >"$work/digest"
  cat "$work/salt" "$work/digest" | openssl base64 -A
}

names=$(grep -o '{{[A-Z][A-Z0-9_]*}}' "$template" | sort -u | sed 's/^{{//; s/}}$//')
[ -n "$names" ] || fail "no {{VAR}} placeholders in $template"

missing=
for name in $names; do
  [ -n "$(printenv "$name" || true)" ] || missing="$missing $name"
done
[ -z "$missing" ] || fail "set these environment variables (see .env.example):$missing"

: >"$work/sed"
for name in $names; do
  # A base64 hash never contains '|', the sed delimiter.
  printf 's|{{%s}}|%s|g\n' "$name" "$(hash_password "$(printenv "$name")")" >>"$work/sed"
done

sed -f "$work/sed" "$template" >"$work/definitions.json"
if grep -q '{{' "$work/definitions.json"; then fail "unrendered placeholders left in $template"; fi

# Readable by its owner only: RabbitMQ's user (or whoever runs this) reads it at boot.
umask 077
mkdir -p "$(dirname "$output")"
cat "$work/definitions.json" >"$output"
chmod 600 "$output"
