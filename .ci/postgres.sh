#!/usr/bin/env bash
# Install PostgreSQL if needed and start a throw-away server for the test
# suite: its own data folder under /tmp, loopback only, port 54329, with a
# role and an empty database "gridadmin_test". It never touches the system's
# own cluster or its configuration, so a broken or stale system cluster
# cannot fail CI. Prints the server log when the server will not start.
set -euo pipefail
cd /  # the postgres user may not enter the clone's folder
port=54329
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
bin=/usr/lib/postgresql/$version/bin
data=/tmp/gridadmin-ci-pg
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
# a server left running by an earlier run on this machine is stopped first
if [ -f "$data/PG_VERSION" ]; then
  as_pg "$bin/pg_ctl -D $data -m immediate stop" >/dev/null 2>&1 || true
fi
rm -rf "$data"
mkdir -p "$data"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
as_pg "$bin/initdb -D $data -A trust -U postgres -E UTF8 --no-sync" >/dev/null
if ! as_pg "$bin/pg_ctl -D $data -l $data/server.log -w -t 60 -o \"-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off\" start" >/dev/null; then
  echo "PostgreSQL did not start; its log:" >&2
  cat "$data/server.log" >&2 || true
  exit 1
fi
psql_pg() { as_pg "$bin/psql -q -h 127.0.0.1 -p $port -U postgres -d postgres -v ON_ERROR_STOP=1 -c \"$1\""; }
psql_pg "CREATE ROLE gridadmin LOGIN PASSWORD 'gridadmin'" >/dev/null
psql_pg "CREATE DATABASE gridadmin_test OWNER gridadmin" >/dev/null
