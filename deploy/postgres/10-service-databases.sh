#!/bin/sh
# PostgreSQL init script (mounted into /docker-entrypoint-initdb.d by docker-compose.yml). It runs once,
# when the container starts on an empty data volume: later password changes in .env need
# `docker compose down -v` (drops the data) or an ALTER ROLE by hand.
#
# One database and one login role per service. A role owns its own database, where the migration
# step (compose's migrate service) creates its tables as that role (`prisma migrate deploy`), and can
# connect to no other: CONNECT is revoked from PUBLIC on every database, the owner keeps it on its
# own. No role may create databases or roles (migrate deploy creates nothing when its database
# exists; only `migrate dev` needs CREATEDB, for its shadow database, and that runs on a developer's
# machine, never here).
set -e

SERVICES='order_service shopflow_order POSTGRES_ORDER_PASSWORD
inventory_service shopflow_inventory POSTGRES_INVENTORY_PASSWORD
payment_service shopflow_payment POSTGRES_PAYMENT_PASSWORD
notification_service shopflow_notification POSTGRES_NOTIFICATION_PASSWORD'

# Every password first: a half-initialised volume is never initialised again.
missing=
for variable in $(echo "$SERVICES" | cut -d' ' -f3); do
  [ -n "$(printenv "$variable" || true)" ] || missing="$missing $variable"
done
if [ -n "$missing" ]; then
  echo "$0: set these variables (docker-compose.yml passes them from .env):$missing" >&2
  exit 1
fi

# <role> <database> <name of the environment variable that holds the role's password>
service_database() {
  # psql variables (:"identifier", :'literal') quote the names and the password safely;
  # \getenv reads the password without putting it on a command line.
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="$1" -v database="$2" -v password_variable="$3" <<'SQL'
\getenv password :password_variable
CREATE ROLE :"role" WITH LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
  echo "$0: database $2 owned by role $1"
}

echo "$SERVICES" | while read -r role database variable; do
  service_database "$role" "$database" "$variable"
done

# The maintenance databases are the superuser's alone.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v maintenance="$POSTGRES_DB" <<'SQL'
REVOKE CONNECT, TEMPORARY ON DATABASE :"maintenance" FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
SQL
