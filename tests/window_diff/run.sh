#!/usr/bin/env bash
# The differential test of the moving-window aggregates (issue 20, item 2): every
# aggregate of both families, and the compatible hll extension's, as a window function
# over thousands of random frames, against the plain aggregate recomputed over exactly
# that frame's rows (tests/window_diff/diff.py says how).
#
# One private cluster on a private copy of the PostgreSQL 15 installation
# (tests/private_tree.sh) with the installed hyperloglog library and the compatible
# `hll` extension linked to it, as install.sh does (the system tree's hll.so is the
# Debian postgresql-hll package, left alone). Two databases: `diff_native` (CREATE
# EXTENSION hyperloglog) and `diff_hll` (CREATE EXTENSION hll).
# Usage: bash tests/window_diff/run.sh [--seed N] [--queries N]
#        (after the extension is installed, e.g. by tests/run.sh; prints
#        "window diff: N passed, M failed" last; about 2 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh
source tests/private_tree.sh

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import psycopg' 2>/dev/null ||
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "psycopg[binary]" >/dev/null 2>&1
sharedir=$("$PG_BIN/pg_config" --sharedir)/extension
libdir=$("$PG_BIN/pg_config" --pkglibdir)
[ -f "$sharedir/hyperloglog.control" ] && [ -f "$libdir/hyperloglog.so" ] || {
    echo "the hyperloglog extension is not installed: run 'bash install.sh' first" >&2
    exit 1
}

work=$root/target/window_diff
rm -rf "$work/cluster" && mkdir -p "$work"
pg_config_private=$(private_tree "$work/tree")
private_share=$("$pg_config_private" --sharedir)/extension
private_lib=$("$pg_config_private" --pkglibdir)
# The installed library and scripts (the copy may predate the latest install).
install -m 755 "$libdir/hyperloglog.so" "$private_lib/hyperloglog.so"
install -m 644 "$sharedir"/hyperloglog.control "$sharedir"/hyperloglog--*.sql "$private_share/"
install -m 644 sql/hll/hll.control sql/hll/hll--*.sql "$private_share/"
ln -sf hyperloglog.so "$private_lib/hll.so"

PG_BIN=$(dirname "$pg_config_private")
trap 'PG_BIN='"$PG_BIN"' cluster_stop "$work/cluster"' EXIT
PGPORT_WANTED=56700 cluster_start "$work/cluster"
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "CREATE DATABASE diff_native" -c "CREATE DATABASE diff_hll"
psql -X -q -v ON_ERROR_STOP=1 -d diff_native -c "CREATE EXTENSION hyperloglog"
psql -X -q -v ON_ERROR_STOP=1 -d diff_hll -c "CREATE EXTENSION hll"
"$PYTHON" tests/window_diff/diff.py "$@"
