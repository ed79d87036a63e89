#!/usr/bin/env bash
# Run by the postgres image once, when it initialises an empty data volume: creates aigov's owner
# and runtime roles (deploy/postgres/aigov-roles.sql) with the passwords compose passes in.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$AIGOV_DB_MIGRATION_PASSWORD" -v runtime_password="$AIGOV_DB_PASSWORD" \
  -f /etc/aigov-db/aigov-roles.sql
