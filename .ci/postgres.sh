#!/usr/bin/env bash
# Install (if needed) and start a PostgreSQL server on loopback only, with a
# role and an empty database for the test suite. Prints nothing on success.
set -euo pipefail
cd /  # the postgres user may not enter the clone's folder
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_conftool "$version" main set listen_addresses 127.0.0.1
pg_ctlcluster "$version" main start >/dev/null 2>&1 || pg_ctlcluster "$version" main status >/dev/null
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
su postgres -c "psql -q -c \"DROP DATABASE IF EXISTS gridadmin_test\"" >/dev/null 2>&1
su postgres -c "psql -q -c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='gridadmin') THEN CREATE ROLE gridadmin LOGIN PASSWORD 'gridadmin'; END IF; END\\\$\\\$\"" >/dev/null
su postgres -c "createdb -O gridadmin gridadmin_test"
