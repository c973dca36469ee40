#!/usr/bin/env bash
# `make test`: make sure the browser tests can run (Debian's chromium), then pytest with the PostgreSQL
# half of the suite whenever PostgreSQL is installed (scripts/with-postgres.sh starts a throwaway cluster).
# Usage: scripts/run-tests.sh PYTHON [PYTEST_ARGS...]; exits with pytest's status.
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

ensure_chromium
exec "$(dirname "$0")/with-postgres.sh" "$PY" "$PY" -m pytest "$@"
