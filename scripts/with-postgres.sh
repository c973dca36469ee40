#!/usr/bin/env bash
# Run a command with ANNOTATOR_TEST_DATABASE_URL pointing at PostgreSQL whenever it is installed: a throwaway
# cluster on a free loopback port, stopped and removed on exit (unless the variable is already set).
# Usage: scripts/with-postgres.sh PYTHON COMMAND [ARGS...]; exits with the command's status.
# The cluster runs with fsync off (tests) unless PG_FSYNC=on (benchmarks, which time real writes).
# Used by `make test` (the PostgreSQL half of the suite) and `make bench` (the PostgreSQL scale figures).
set -euo pipefail
PY=$1
shift

is_root() { [ "$(id -u)" -eq 0 ]; }

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_pg_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
  as_pg_owner "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pgdata"
}

start_postgres() {
  [ -n "${ANNOTATOR_TEST_DATABASE_URL:-}" ] && return 0
  local newest
  newest=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$newest" ]; then
    echo "with-postgres: PostgreSQL is not installed (Debian package 'postgresql'): SQLite only"
    return 0
  fi
  pgbin=$(dirname "$newest")
  pgdata=$(mktemp -d /tmp/annotator-test-pg.XXXXXX)
  is_root && chown postgres "$pgdata"
  trap stop_postgres EXIT
  as_pg_owner "$pgbin/initdb" -D "$pgdata" -A trust -U postgres >/dev/null
  local port
  port=$(free_port)
  as_pg_owner "$pgbin/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" \
    -o "-h 127.0.0.1 -p $port -k $pgdata -c fsync=${PG_FSYNC:-off}" start >/dev/null
  export ANNOTATOR_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "with-postgres: PostgreSQL $(basename "$(dirname "$pgbin")") on 127.0.0.1:$port"
}

start_postgres
status=0
"$@" || status=$?
exit "$status"
