#!/bin/sh
# Entrypoint for the official rabbitmq:3.x-management image (3.10 or later). Before the broker
# boots it
#   1. renders definitions.json, with password hashes from RABBITMQ_*_PASSWORD, to
#      /etc/rabbitmq/definitions.json (the path rabbitmq.conf's load_definitions names);
#   2. installs rabbitmq.conf as /etc/rabbitmq/conf.d/90-shopflow.conf, after the image's own
#      10-defaults.conf, so our settings win over the image's (it opens guest to the network);
#   3. with RABBITMQ_CLUSTER_COOKIE set (docker-compose.cluster.yml), writes the Erlang cookie and
#      installs cluster.conf, the cluster's peers;
# then hands over to the image's entrypoint. The broker imports the definitions on every boot, so
# users, passwords and permissions always follow this directory and the environment.
#
# Compose: mount this directory read-only at /etc/shopflow/rabbitmq and set
#   entrypoint: ["sh", "/etc/shopflow/rabbitmq/entrypoint.sh"]
#   command: ["rabbitmq-server"]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
definitions=/etc/rabbitmq/definitions.json
config=/etc/rabbitmq/conf.d/90-shopflow.conf

sh "$here/render-definitions.sh" "$here/definitions.json" "$definitions"
cp "$here/rabbitmq.conf" "$config"
chmod 644 "$config"
if [ "$(id -u)" = 0 ]; then
  # The image's entrypoint steps down to the rabbitmq user before starting the broker.
  chown rabbitmq:rabbitmq "$definitions"
fi
# A cluster (docker-compose.cluster.yml): every node needs the same Erlang cookie, the shared secret
# nodes authenticate each other with, and the list of its peers.
if [ -n "${RABBITMQ_CLUSTER_COOKIE:-}" ]; then
  cookie=/var/lib/rabbitmq/.erlang.cookie
  printf '%s' "$RABBITMQ_CLUSTER_COOKIE" >"$cookie"
  chmod 600 "$cookie"
  if [ "$(id -u)" = 0 ]; then chown rabbitmq:rabbitmq "$cookie"; fi
  cp "$here/cluster.conf" /etc/rabbitmq/conf.d/91-cluster.conf
  chmod 644 /etc/rabbitmq/conf.d/91-cluster.conf
  echo "shopflow: cluster node, peers from $here/cluster.conf" >&2
fi
echo "shopflow: rendered $definitions and installed $config" >&2

exec docker-entrypoint.sh "$@"
