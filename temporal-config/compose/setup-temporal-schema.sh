#!/bin/sh
# Creates Temporal's databases and applies their schema with temporal-sql-tool (temporalio/admin-tools).
# Safe to re-run: existing databases are kept and update-schema only applies missing versions.
# Env: POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, SQL_PASSWORD (read by temporal-sql-tool).
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

attempt=1
until nc -z -w 5 "$POSTGRES_SEEDS" "$PORT"; do
  if [ "$attempt" -ge 60 ]; then echo "PostgreSQL at $POSTGRES_SEEDS:$PORT is not reachable" >&2; exit 1; fi
  attempt=$((attempt + 1))
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"
}

setup() { # setup <database> <schema dir>
  if output=$(sql_tool --db "$1" create 2>&1); then
    echo "created database $1"
  else
    case "$output" in
      *"already exists"*) echo "database $1 already exists" ;;
      *) echo "$output" >&2; exit 1 ;;
    esac
  fi
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema -d "$2"
}

setup temporal "$SCHEMA_ROOT/temporal/versioned"
setup temporal_visibility "$SCHEMA_ROOT/visibility/versioned"
echo 'Temporal schema ready'
