#!/usr/bin/env bash
# Runs postgresql-hll's own regression files that exercise its refusals (typmod
# mismatches on cast and insert, typmod and parameter ranges: sql/*.sql, with its
# expected output in expected/, from postgresql-hll 2.17 unmodified, see README.md)
# against the `hll` extension of one server, in a new database.
#   side peer: the output must be postgresql-hll's expected output exactly (so the
#              recorded files are what the installed postgresql-hll does);
#   side ours: the output may differ from it only by ../expected/peer_files.diff, the
#              documented deliberate refusals (log2m below 4, regwidth 0).
# Usage: tests/compat/peer/check.sh peer|ours SOCKETDIR PORT OUTDIR
#        (exit status 0 when it holds; the differences found are in OUTDIR/found.diff)
set -euo pipefail
cd "$(dirname "$0")"
side=$1 host=$2 port=$3 out=$4
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
files=(cast_shape typmod typmod_insert explicit_thresh)
rm -rf "$out" && mkdir -p "$out"
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS peer_files" -c "CREATE DATABASE peer_files"
psql -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U postgres -d peer_files \
    -c "CREATE EXTENSION hll"
"$PG_BIN/../lib/pgxs/src/test/regress/pg_regress" --use-existing --host="$host" \
    --port="$port" --user=postgres --dbname=peer_files --inputdir=. --outputdir="$out" \
    "${files[@]}" >"$out/pg_regress.log" 2>&1 || true
# The diffs without their file names and times.
if [ -f "$out/regression.diffs" ]; then
    grep -Ev '^(diff |--- |\+\+\+ )' "$out/regression.diffs" >"$out/found.diff" || true
else
    : >"$out/found.diff"
fi
case $side in
    peer) [ ! -s "$out/found.diff" ] ;;
    ours) cmp -s "$out/found.diff" ../expected/peer_files.diff ;;
    *) echo "usage: $0 peer|ours SOCKETDIR PORT OUTDIR" >&2; exit 2 ;;
esac
