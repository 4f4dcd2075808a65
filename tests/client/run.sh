#!/usr/bin/env bash
# The extension from a real client: psycopg 3, as a BI tool or a notebook would use it.
# Installs psycopg when missing, starts a private cluster (tests/cluster.sh), loads
# tests/client/setup.sql into a new database, runs tests/client/check.py, stops the
# cluster.
# Usage: bash tests/client/run.sh     (as root, like the other test scripts; needs the
#        extension installed in the system PostgreSQL 15, e.g. by tests/run.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import psycopg' 2>/dev/null; then
    echo "==> pip install psycopg[binary]"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "psycopg[binary]" 2>&1 |
        grep -v 'Running pip as the .root. user' || true
    "$PYTHON" -c 'import psycopg' || { echo "psycopg could not be installed" >&2; exit 1; }
fi
if [ ! -f "$("$PG_BIN/pg_config" --sharedir)/extension/hyperloglog.control" ]; then
    echo "the hyperloglog extension is not installed: run 'bash tests/run.sh' (builds and installs it)" >&2
    exit 1
fi

work=$root/target/client
rm -rf "$work" && mkdir -p "$work"
chmod 755 "$work"
trap 'cluster_stop "$work/cluster"; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
PGPORT_WANTED=${CLIENT_PORT:-56560} cluster_start "$work/cluster"
echo "==> cluster on port $PGPORT, socket $PGHOST"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE client_check"
export PGDATABASE=client_check
psql -X -q -v ON_ERROR_STOP=1 -f tests/client/setup.sql
echo "==> psycopg $("$PYTHON" -c 'import psycopg; print(psycopg.__version__, psycopg.pq.__impl__)')"
"$PYTHON" tests/client/check.py
