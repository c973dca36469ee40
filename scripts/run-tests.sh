#!/usr/bin/env bash
# `make test`: make sure the browser tests can run (Debian's chromium), run the PostgreSQL half of the
# suite whenever PostgreSQL is installed (a throwaway cluster on a free loopback port, stopped on exit),
# then pytest. Usage: scripts/run-tests.sh PYTHON [PYTEST_ARGS...]; exits with pytest's status.
set -euo pipefail
PY=$1
shift

is_root() { [ "$(id -u)" -eq 0 ]; }

ensure_chromium() {
  command -v chromium >/dev/null && return 0
  if ! is_root; then
    echo "make test: the browser tests need Debian's 'chromium' package; install it (sudo apt-get install chromium) and run again." >&2
    exit 1
  fi
  echo "make test: installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

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
    echo "make test: PostgreSQL is not installed (Debian package 'postgresql'): running the SQLite half only"
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
    -o "-h 127.0.0.1 -p $port -k $pgdata -c fsync=off" start >/dev/null
  export ANNOTATOR_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "make test: PostgreSQL $(basename "$(dirname "$pgbin")") on 127.0.0.1:$port for the PostgreSQL half"
}

ensure_chromium
start_postgres
status=0
"$PY" -m pytest "$@" || status=$?
exit "$status"
