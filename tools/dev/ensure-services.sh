#!/usr/bin/env bash
# Makes sure the local PostgreSQL and RabbitMQ (with its management API) are up, starting them
# if they are installed but stopped. Used by CI and by anyone running the tests locally.
set -euo pipefail

PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
MGMT_URL=${RABBITMQ_MANAGEMENT_URL:-http://guest:guest@127.0.0.1:15672}

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then echo "ok: $what"; return 0; fi
    sleep 1
  done
  echo "error: $what did not come up within 60 s" >&2
  return 1
}

if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  echo "PostgreSQL is not running on $PG_HOST:$PG_PORT; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
wait_for "PostgreSQL on $PG_HOST:$PG_PORT" pg_isready -h "$PG_HOST" -p "$PG_PORT"

if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
  echo "RabbitMQ is not running; starting it"
  rabbitmq-server -detached
fi
wait_for "RabbitMQ" rabbitmq-diagnostics -q ping
# Tests create and drop their own vhosts and inspect queues through the management API.
rabbitmq-plugins enable --online rabbitmq_management >/dev/null
wait_for "RabbitMQ management API" curl -fsS "$MGMT_URL/api/overview"
