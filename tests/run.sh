#!/usr/bin/env bash
# Runs every test: formatting and lints, the pure-Rust core tests, a short pass of every
# fuzz target, the extension built
# in release mode and installed, the SQL regression files and the analytics examples
# (pg_regress) against a private cluster, concurrent load with crash recovery and a
# streaming standby, concurrent ingest, the byte-for-byte check
# against postgresql-hll, the compatible `hll` extension side by side with
# postgresql-hll, the same on a Citus cluster, errors free of Rust internals with
# RUST_BACKTRACE=full in the server's environment, the scale-out test across four servers,
# the psycopg client, four BI clients (SQLAlchemy with pandas, asyncpg, JDBC,
# node-postgres), and the Debian packages on every supported PostgreSQL (14-18) with
# pg_upgrade from 15 to 17 and 18.
# Usage: tests/run.sh            (as root on a fresh machine: installs what is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source tests/cluster.sh
source tests/pg_versions.sh

results=()
# record NAME RESULT: the result and how long the part took since the previous record.
part_start=$SECONDS
record() { results+=("$1: $2 ($((SECONDS - part_start)) s)"); part_start=$SECONDS; }
step() { printf '\n==> [%d s] %s\n' "$SECONDS" "$*"; }

step "setup"
bash tests/setup.sh
record "setup" done

step "cargo fmt --check and clippy -D warnings"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
record "fmt and clippy" passed

step "core unit, property, format and accuracy tests (release)"
logs=$root/target/test-logs
rm -rf "$logs" && mkdir -p "$logs"
cargo test -p hll-core --release 2>&1 | tee "$logs/core-tests.log" | grep -E '^test result|FAILED|panicked'
core_passed=$(grep -Eo '[0-9]+ passed' "$logs/core-tests.log" | awk '{s += $1} END {print s}')
record "core tests" "$core_passed passed"

step "fuzzing, the short pass: every target 15 s from the seed corpus (the recorded run: fuzz/results/latest.md)"
bash fuzz/run.sh --seconds 15 | tee "$logs/fuzz.log"
record "fuzz" "$(tail -1 "$logs/fuzz.log" | sed 's/^fuzz: //')"

step "accuracy suite, quick mode (the full study: docs/accuracy)"
cargo run -q -p hll-core --release --example accuracy -- --quick | tee "$logs/accuracy.log" | tail -3
record "accuracy" "$(tail -1 "$logs/accuracy.log" | sed 's/^accuracy: //')"
cargo run -q -p hll-core --release --example ull_accuracy -- --quick | tee "$logs/ull-accuracy.log" | tail -3
record "ull accuracy" "$(tail -1 "$logs/ull-accuracy.log" | sed 's/^ull accuracy: //')"

step "build and install the extension (release)"
cargo pgrx install --release --pg-config "$PG_BIN/pg_config" >"$logs/install.log" 2>&1 ||
    { tail -30 "$logs/install.log"; exit 1; }
record "release build and install" done

work=$root/target/test-run
rm -rf "$work" && mkdir -p "$work"
trap 'cluster_stop "$work/cluster"' EXIT
step "start a private cluster in $work"
# pg_cron (for the scheduled-rollups example) must be preloaded and pointed at the
# examples' database.
PG_EXTRA_OPTS="-c shared_preload_libraries=pg_cron -c cron.database_name=examples" \
    cluster_start "$work/cluster"

# pg_regress DB INPUTDIR TEST...: runs the SQL files of INPUTDIR against a new database.
pg_regress() {
    local db=$1 inputdir=$2
    shift 2
    psql -X -q -d postgres -c "CREATE DATABASE $db"
    mkdir -p "$work/$db" && chown postgres "$work/$db"
    "$PG_BIN/../lib/pgxs/src/test/regress/pg_regress" --use-existing --host="$PGHOST" \
        --port="$PGPORT" --user=postgres --dbname="$db" --inputdir="$inputdir" \
        --outputdir="$work/$db" "$@" || { cat "$work/$db/regression.diffs"; exit 1; }
}

step "SQL regression tests (pg_regress)"
tests=(setup types hashing canonical collations functions aggregates partial_states hostile statistics migration quickstart count_distinct ull windows)
pg_regress regress tests/pg_regress "${tests[@]}"
record "pg_regress" "${#tests[@]} passed"

step "moving-window aggregates against each frame's plain aggregate, random frames (tests/window_diff)"
bash tests/window_diff/run.sh | tee "$work/window_diff.log"
record "window diff" "$(tail -1 "$work/window_diff.log" | sed 's/^window diff: //')"

step "DataSketches HLL codec against the Apache library, every variant (tests/datasketches)"
bash tests/datasketches/run.sh | tee "$work/datasketches.log"
record "datasketches" "$(tail -1 "$work/datasketches.log" | sed 's/^datasketches: //')"

step "versioned upgrades from every earlier release (tests/upgrade)"
bash tests/upgrade/run.sh | tee "$work/upgrade.log"
record "upgrade" "$(tail -1 "$work/upgrade.log" | sed 's/^upgrade: //')"

step "memory: spilling within work_mem, out-of-memory as ERROR 53200 (tests/memory)"
bash tests/memory/run.sh | tee "$work/memory.log"
record "memory" "$(tail -1 "$work/memory.log" | sed 's/^memory: //')"

step "concurrency and crash recovery: 16 writers, SIGKILL, immediate stop, a streaming standby (tests/load, 20 s; the full run: 60 s)"
bash tests/load/run.sh --duration 20 | tee "$work/load.log"
record "load and crash recovery" "$(tail -1 "$work/load.log" | sed 's/^load: //')"

step "examples: the analytics scenarios on a small clickstream (pg_regress)"
examples=(setup clickstream compare 01_daily_uniques 02_rolling_windows 03_segments 04_funnel
    05_campaigns 06_realtime_ingest 07_accuracy_monitoring 08_scheduled_rollups 09_bi_count_distinct
    10_rolling_uniques)
pg_regress examples tests/examples "${examples[@]}"
record "examples" "${#examples[@]} passed"
bash tests/concurrent_ingest.sh examples | tee "$work/ingest.log"
record "concurrent ingest" "$(tail -1 "$work/ingest.log" | sed 's/^concurrent ingest: //')"

step "byte-for-byte comparison with postgresql-hll"
psql -X -q -d postgres -c "CREATE DATABASE ours" -c "CREATE DATABASE peer"
psql -X -q -d ours -c "CREATE EXTENSION hyperloglog"
psql -X -q -d peer -c "CREATE EXTENSION hll"
bash tests/peer_check.sh ours peer | tee "$work/peer.log"
record "peer check" "$(tail -1 "$work/peer.log" | sed 's/^peer check: //')"

step "the compatible hll extension beside postgresql-hll (tests/compat)"
bash tests/compat/run.sh | tee "$work/compat.log"
record "compat" "$(tail -1 "$work/compat.log" | sed 's/^compat: //')"

step "no Rust internals in any error, RUST_BACKTRACE=full in the server's environment (tests/rust_internals)"
bash tests/rust_internals/run.sh | tee "$work/rust_internals.log"
record "rust internals" "$(tail -1 "$work/rust_internals.log" | sed 's/^rust internals: //')"

for citus in "13.2.2 15" "14.0.1 18"; do # Citus VERSION on PostgreSQL MAJOR (tests/citus)
    read -r citus_version citus_major <<<"$citus"
    step "the hll extension on a Citus cluster: Citus $citus_version on PostgreSQL $citus_major (tests/citus)"
    bash tests/citus/run.sh --citus "$citus_version" --pg "$citus_major" | tee "$work/citus-$citus_version.log"
    record "citus $citus_version on PostgreSQL $citus_major" "$(tail -1 "$work/citus-$citus_version.log" | sed 's/^citus [^:]*: //')"
done

step "scale-out: three shards and a postgres_fdw coordinator"
bash tests/scale_out/run.sh | tee "$work/scale_out.log"
record "scale-out" "$(tail -1 "$work/scale_out.log" | sed 's/^scale-out: //')"

step "a real client: psycopg 3"
bash tests/client/run.sh | tee "$work/client.log"
record "client" "$(tail -1 "$work/client.log" | sed 's/^client: //')"

step "BI clients: SQLAlchemy with pandas, asyncpg, JDBC, node-postgres (tests/bi_clients)"
bash tests/bi_clients/run.sh | tee "$work/bi_clients.log"
record "BI clients" "$(tail -1 "$work/bi_clients.log" | sed 's/^bi clients: //')"

step "every supported PostgreSQL: packages, regression suite, bytes, client, pg_upgrade (tests/matrix)"
bash tests/matrix/run.sh | tee "$work/matrix.log"
record "matrix (PostgreSQL ${SUPPORTED_MAJORS[*]})" "$(tail -1 "$work/matrix.log" | sed 's/^matrix: //')"

step "summary"
printf '  %s\n' "${results[@]}"
echo "  total time: $((SECONDS / 60)) min $((SECONDS % 60)) s"
passed_in() { tail -1 "$1" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0; }
total=$((core_passed + ${#tests[@]} + ${#examples[@]} + 1 + $(passed_in "$work/peer.log") +
    $(passed_in "$logs/accuracy.log") + $(passed_in "$logs/ull-accuracy.log") +
    $(passed_in "$work/rust_internals.log") +
    $(passed_in "$work/compat.log") + $(passed_in "$work/citus-13.2.2.log") + $(passed_in "$work/citus-14.0.1.log") +
    $(passed_in "$work/scale_out.log") + $(passed_in "$work/matrix.log") +
    $(passed_in "$work/bi_clients.log") + $(passed_in "$work/upgrade.log") +
    $(passed_in "$work/client.log") + $(passed_in "$work/window_diff.log") +
    $(passed_in "$work/datasketches.log")))
skipped=$(tail -qn1 "$work"/citus-*.log "$work/datasketches.log" | grep -c ': skipped (' || true)
echo "all: $total passed, 0 failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
cd "$root"
