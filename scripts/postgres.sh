#!/usr/bin/env bash
# Starts the machine's PostgreSQL (installed by setup.sh --postgres) if none is answering on
# 127.0.0.1:5432, and makes sure the `doorstep` role the tests use exists. Idempotent.
set -euo pipefail
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres bash -c "$1"; fi; }

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    as_postgres "pg_createcluster $version main" >/dev/null || pg_createcluster "$version" main
  fi
  if [ "$(id -u)" -eq 0 ]; then pg_ctlcluster "$version" main start; else sudo pg_ctlcluster "$version" main start; fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
pg_isready -h 127.0.0.1 -p 5432
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='doorstep'\" | grep -q 1 || psql -qc \"CREATE ROLE doorstep LOGIN CREATEDB PASSWORD 'doorstep'\""
# Databases left by earlier test runs (each test makes its own).
for db in $(as_postgres "psql -qtAc \"SELECT datname FROM pg_database WHERE datname LIKE 'doorstep_test_%'\""); do
  as_postgres "psql -qc 'DROP DATABASE IF EXISTS \"$db\"'" >/dev/null
done
