#!/usr/bin/env bash
# Concurrency and crash recovery (tests/load/load.py): concurrent writers upsert events
# into hourly sketches while readers roll up; a backend is killed with SIGKILL and the
# server stopped in immediate mode in the middle; afterwards every committed event is
# there, every sketch equals its rebuild byte for byte, and a streaming standby made
# from a base backup serves the same bytes. A primary and a standby of its own under
# target/load, on unix sockets; stops by itself.
# Usage: tests/load/run.sh [--duration SECONDS] [--clients N] [--record]
#   the full run is the default (60 s, 16 writers, 4 readers); tests/run.sh runs a
#   shorter one; --record writes the report to bench/results/load-latest.md
#   (prints "load: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh

duration=60 clients=16 record=
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --record) record=yes; shift ;;
        *) echo "usage: $0 [--duration SECONDS] [--clients N] [--record]" >&2; exit 2 ;;
    esac
done

work=$root/target/load
trap 'cluster_stop "$work/standby"; cluster_stop "$work/primary"' EXIT
cluster_stop "$work/standby"
cluster_stop "$work/primary"
rm -rf "$work" && mkdir -p "$work"

PGPORT_WANTED=56810 PG_EXTRA_OPTS="-c max_connections=60" cluster_start "$work/primary"
primary_host=$PGHOST primary_port=$PGPORT
primary_options="-p $primary_port -k $work/primary/socket -c listen_addresses='' -c max_connections=60"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE load"
psql -X -q -v ON_ERROR_STOP=1 -d load <<'SQL'
CREATE EXTENSION hyperloglog;
CREATE TABLE events_log (
    client int NOT NULL,
    seq bigint NOT NULL,
    hour timestamptz NOT NULL,
    user_id bigint NOT NULL,
    PRIMARY KEY (client, seq)
);
CREATE TABLE hourly (hour timestamptz PRIMARY KEY, users hll NOT NULL);
SQL

# The standby: a base backup of the primary, streaming from it through a replication
# slot, so that the checkpoints after the crash and the immediate stop cannot recycle
# WAL the standby has not received yet (without one it can be left asking for a
# removed segment for good).
mkdir -p "$work/standby" && chown postgres "$work/standby"
as_postgres "$PG_BIN/pg_basebackup" -h "$primary_host" -p "$primary_port" -U postgres \
    -D "$work/standby/data" -R -X stream -c fast -C -S load_standby
PGPORT_WANTED=$((primary_port + 1)) cluster_start "$work/standby"
standby_host=$PGHOST standby_port=$PGPORT
export PGHOST=$primary_host PGPORT=$primary_port PG_BIN

report=$work/report.md
python3 tests/load/load.py --primary-dir "$work/primary" --primary-options "$primary_options" \
    --standby-host "$standby_host" --standby-port "$standby_port" \
    --duration "$duration" --clients "$clients" --report "$report" && status=0 || status=$?
if [ -n "$record" ] && [ -f "$report" ]; then
    { cat "$report"; echo "- machine: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"; } \
        >bench/results/load-latest.md
fi
exit "$status"
