#!/usr/bin/env bash
# Real BI clients against the extension, as the tools talk: SQLAlchemy with pandas
# (Superset, notebooks), asyncpg (binary protocol), the PostgreSQL JDBC driver
# (Metabase, Tableau, DBeaver) and node-postgres. Installs them when missing (PyPI,
# Debian's libpostgresql-jdbc-java, npm), starts a private cluster with the library
# preloaded (session_preload_libraries), loads setup.sql and runs each client's check of
# the dashboard queries in dashboard.json, sketch round trips and bad parameters.
# Usage: tests/bi_clients/run.sh   (prints "bi clients: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sqlalchemy, pandas, asyncpg, psycopg' 2>/dev/null; then
    echo "==> pip install sqlalchemy pandas asyncpg psycopg[binary]"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check sqlalchemy pandas asyncpg \
        "psycopg[binary]" 2>&1 | grep -v 'Running pip as the .root. user' || true
fi
jar=/usr/share/java/postgresql.jar
if [ ! -f "$jar" ] || ! command -v java >/dev/null; then
    echo "==> apt-get install libpostgresql-jdbc-java default-jre-headless"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpostgresql-jdbc-java \
        default-jre-headless >/dev/null
fi
if [ ! -d tests/bi_clients/node/node_modules/pg ]; then
    echo "==> npm ci (node-postgres)"
    (cd tests/bi_clients/node && npm ci --no-audit --no-fund --silent)
fi

work=$root/target/bi_clients
rm -rf "$work" && mkdir -p "$work"
trap 'cluster_stop "$work/cluster"' EXIT
PGPORT_WANTED=56900 PG_EXTRA_OPTS="-c listen_addresses=127.0.0.1 \
    -c session_preload_libraries=hyperloglog" cluster_start "$work/cluster"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bi"
export PGDATABASE=bi BI_DIR=$root/tests/bi_clients
psql -X -q -v ON_ERROR_STOP=1 -f tests/bi_clients/setup.sql

passed=0
failed=0
client() { # client NAME COMMAND...
    echo "== $1"
    "${@:2}" | tee "$work/$1.log" || true
    passed=$((passed + $(tail -1 "$work/$1.log" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)))
    failed=$((failed + $(tail -1 "$work/$1.log" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 1)))
}
client sqlalchemy "$PYTHON" tests/bi_clients/sqlalchemy_pandas.py
client asyncpg "$PYTHON" tests/bi_clients/asyncpg_check.py
client jdbc java -cp "$jar" tests/bi_clients/Check.java
client node node tests/bi_clients/node/check.js
echo "bi clients: $passed passed, $failed failed"
[ "$failed" = 0 ]
