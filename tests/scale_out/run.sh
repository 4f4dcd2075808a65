#!/usr/bin/env bash
# Scale-out across servers with sketches: three shard servers each hold a third of the
# events and build daily sketches; a coordinator reaches them through postgres_fdw and
# unions the sketches. Checks that the coordinator's answer is byte for byte the one a
# single server gives over all events, and that only sketches cross the wire.
#
# Usage: bash tests/scale_out/run.sh     (as root, like the other test scripts; needs the
#        extension installed in the system PostgreSQL 15, e.g. by tests/run.sh)
# Four private clusters (tests/cluster.sh), each in its own directory under
# target/scale-out, with its own port and unix socket directory; no TCP. All stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh

EVENTS=${SCALE_OUT_EVENTS:-300000}
USERS=${SCALE_OUT_USERS:-50000}
DAYS=14
SHARDS=3
PORT_BASE=${SCALE_OUT_PORT:-56540}

passed=0 failed=0 done_=0
ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
step() { printf '\n==> %s\n' "$*"; }
closing() { echo; echo "scale-out: $passed passed, $failed failed"; done_=1; }

# ---------------------------------------------------------------- preflight
sharedir=$("$PG_BIN/pg_config" --sharedir 2>/dev/null) || {
    echo "PostgreSQL 15 is not installed in $PG_BIN: run 'bash tests/setup.sh' (as root)" >&2
    exit 1
}
if [ ! -f "$sharedir/extension/postgres_fdw.control" ]; then
    echo "postgres_fdw is missing: it ships with Debian's postgresql-15 package (apt-get install postgresql-15)" >&2
    exit 1
fi
if [ ! -f "$sharedir/extension/hyperloglog.control" ]; then
    echo "the hyperloglog extension is not installed: run 'bash tests/run.sh' (builds and installs it)" >&2
    exit 1
fi

work=$root/target/scale-out
rm -rf "$work" && mkdir -p "$work"
chmod 755 "$work"
names=(coordinator shard1 shard2 shard3)
hosts=() ports=()
# The original stdout and stderr: a signal's trap can run inside a function call whose
# output is redirected (cluster_start's initdb >log), and the closing line must not go there.
exec 3>&1 4>&2
finish() {
    local rc=$?
    exec 1>&3 2>&4
    for n in "${names[@]}"; do cluster_stop "$work/$n"; done
    rm -rf "$work"
    if [ "$done_" = 0 ]; then
        echo "aborted (exit status $rc)"
        failed=$((failed + 1))
        closing
        exit 1
    fi
}
trap finish EXIT
trap "exit 130" INT TERM

# q N DB [psql args...]: psql on cluster N (0 = coordinator, 1..3 = shards)
q() {
    local n=$1 db=$2; shift 2
    psql -X -q -At -v ON_ERROR_STOP=1 -h "${hosts[$n]}" -p "${ports[$n]}" -U postgres -d "$db" "$@"
}

started=$SECONDS
step "start ${#names[@]} clusters under $work"
want=$PORT_BASE
for i in "${!names[@]}"; do
    # Each cluster has its own socket directory, so equal ports would not even clash;
    # they are kept distinct anyway (free_port only sees TCP and /tmp sockets).
    # Throwaway clusters: no fsync, so stopping them (a checkpoint) is quick.
    PGPORT_WANTED=$want PG_EXTRA_OPTS="-c fsync=off -c full_page_writes=off ${PG_EXTRA_OPTS:-}" \
        cluster_start "$work/${names[$i]}"
    hosts[$i]=$PGHOST ports[$i]=$PGPORT
    want=$((PGPORT + 1))
    printf '  %-11s port %s socket %s\n' "${names[$i]}" "$PGPORT" "$PGHOST"
done
unset PGHOST PGPORT

# The deterministic events: the same expression on every server, so each shard makes
# its own third (WHERE id % 3 = k: independent of the user, so a user's events are
# spread over all shards) and no raw event ever moves between servers.
events_sql() { # events_sql WHERE-CLAUSE
    cat <<SQL
CREATE TABLE events AS
SELECT id,
       (hashint8extended(id, 1) & 9223372036854775807) % $USERS + 1 AS user_id,
       date '2024-03-04' + ((hashint8extended(id, 2) & 9223372036854775807) % $DAYS)::int AS day,
       (ARRAY['view', 'view', 'view', 'click', 'cart', 'purchase'])[id % 6 + 1] AS kind,
       '/product/' || (hashint8extended(id, 3) & 9223372036854775807) % 5000 AS url
FROM generate_series(1, $EVENTS) AS id
WHERE $1;
SQL
}
# A user's plan depends on the user only: few enterprise users (their sketches stay
# EXPLICIT), some pro users (SPARSE on a shard), many free users (FULL).
plan_expr="CASE WHEN user_id % 1000 = 0 THEN 'enterprise' WHEN user_id % 25 = 0 THEN 'pro' ELSE 'free' END"
sketch_sql() {
    cat <<SQL
CREATE TABLE daily AS
SELECT day, hll_add_agg(hll_hash_bigint(user_id)) AS users FROM events GROUP BY day;
ALTER TABLE daily ADD PRIMARY KEY (day);
CREATE TABLE daily_by_plan AS
SELECT day, $plan_expr AS plan, hll_add_agg(hll_hash_bigint(user_id)) AS users
FROM events GROUP BY 1, 2;
ALTER TABLE daily_by_plan ADD PRIMARY KEY (day, plan);
SQL
}

step "create the extension everywhere; generate the events"
for i in "${!names[@]}"; do
    q "$i" postgres -c "CREATE DATABASE analytics"
    q "$i" analytics -c "CREATE EXTENSION hyperloglog"
done
q 0 postgres -c "CREATE DATABASE reference"
q 0 reference -c "CREATE EXTENSION hyperloglog"
q 0 reference -c "$(events_sql true)"
for k in 1 2 3; do
    q "$k" analytics -c "$(events_sql "id % $SHARDS = $((k - 1))")"
done
total_rows=$(q 0 reference -c "SELECT count(*) FROM events")
shard_rows=()
for k in 1 2 3; do shard_rows+=("$(q "$k" analytics -c "SELECT count(*) FROM events")"); done
echo "  reference: $total_rows events; shards: ${shard_rows[*]}"
check "the shards' events add up to the reference's ($total_rows)" \
    test $((shard_rows[0] + shard_rows[1] + shard_rows[2])) = "$total_rows"
multi=$(q 0 reference -c "SELECT count(*) FILTER (WHERE n > 1) || ' of ' || count(*)
    FROM (SELECT user_id, count(DISTINCT id % $SHARDS) AS n FROM events GROUP BY 1) u")
echo "  users with events on more than one shard: $multi"

step "daily sketches on each shard (and, for comparison, on one server over all events)"
for k in 1 2 3; do q "$k" analytics -c "$(sketch_sql)"; done
q 0 reference -c "$(sketch_sql)"
types=$(for k in 1 2 3; do q "$k" analytics -c "SELECT hll_type(users) FROM daily_by_plan"; done | sort -u | tr '\n' ' ')
check "the shards' sketches include EXPLICIT, SPARSE and FULL ones (hll_type: $types)" \
    test "$types" = "2 3 4 "

step "coordinator: postgres_fdw, a foreign server and foreign tables per shard, a UNION ALL view"
{
    echo "CREATE EXTENSION postgres_fdw;"
    for k in 1 2 3; do
        cat <<SQL
CREATE SERVER shard$k FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '${hosts[$k]}', port '${ports[$k]}', dbname 'analytics', extensions 'hyperloglog');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard$k OPTIONS (user 'postgres');
CREATE SCHEMA shard$k;
IMPORT FOREIGN SCHEMA public LIMIT TO (daily, daily_by_plan) FROM SERVER shard$k INTO shard$k;
-- The same remote table with its sketch column declared as text: what postgres_fdw
-- receives is hll's text form, cast back with ::hll below.
CREATE FOREIGN TABLE shard$k.daily_text (day date, users text)
    SERVER shard$k OPTIONS (schema_name 'public', table_name 'daily');
SQL
    done
    cat <<'SQL'
CREATE VIEW all_daily AS
          SELECT day, users FROM shard1.daily
UNION ALL SELECT day, users FROM shard2.daily
UNION ALL SELECT day, users FROM shard3.daily;
CREATE VIEW all_daily_by_plan AS
          SELECT day, plan, users FROM shard1.daily_by_plan
UNION ALL SELECT day, plan, users FROM shard2.daily_by_plan
UNION ALL SELECT day, plan, users FROM shard3.daily_by_plan;
CREATE VIEW all_daily_text AS
          SELECT day, users FROM shard1.daily_text
UNION ALL SELECT day, users FROM shard2.daily_text
UNION ALL SELECT day, users FROM shard3.daily_text;
SQL
} >"$work/coordinator.sql"
q 0 analytics -f "$work/coordinator.sql"
ok "postgres_fdw created on the coordinator ($(q 0 analytics -c "SELECT extversion FROM pg_extension WHERE extname = 'postgres_fdw'")); 3 servers, 9 foreign tables"
check "the coordinator's analytics database holds no events table" \
    test "$(q 0 analytics -c "SELECT count(*) FROM pg_class WHERE relname = 'events'")" = 0

# Each result file: KEY|SKETCH AS TEXT|CARDINALITY, one line per key, sorted.
daily_q="SELECT day, hll_union_agg(users) AS users FROM all_daily GROUP BY day"
total_q="SELECT hll_union_agg(users) AS users FROM all_daily"
as_lines() { echo "SELECT $1, users::text, hll_cardinality(users) FROM ($2) r ORDER BY 1"; }

q 0 analytics -c "$(as_lines day "$daily_q")" >"$work/coord.daily"
q 0 analytics -c "$(as_lines "'total'" "$total_q")" >"$work/coord.total"
q 0 analytics -c "$(as_lines "day || ' ' || plan" \
    "SELECT day, plan, hll_union_agg(users) AS users FROM all_daily_by_plan GROUP BY 1, 2")" >"$work/coord.plan"
q 0 analytics -c "$(as_lines "plan" \
    "SELECT plan, hll_union_agg(users) AS users FROM all_daily_by_plan GROUP BY 1")" >"$work/coord.plantotal"

q 0 reference -c "$(as_lines day \
    "SELECT day, hll_add_agg(hll_hash_bigint(user_id)) AS users FROM events GROUP BY day")" >"$work/ref.daily"
q 0 reference -c "$(as_lines "'total'" \
    "SELECT hll_add_agg(hll_hash_bigint(user_id)) AS users FROM events")" >"$work/ref.total"
q 0 reference -c "$(as_lines "day || ' ' || plan" \
    "SELECT day, $plan_expr AS plan, hll_add_agg(hll_hash_bigint(user_id)) AS users FROM events GROUP BY 1, 2")" >"$work/ref.plan"
q 0 reference -c "$(as_lines "plan" \
    "SELECT $plan_expr AS plan, hll_add_agg(hll_hash_bigint(user_id)) AS users FROM events GROUP BY 1")" >"$work/ref.plantotal"

# compare LABEL GOT WANT: one check per key for the bytes, one per key for the count
compare() {
    local label=$1 got=$2 want=$3 key hex card ghex gcard n=0 nb=0 nc=0
    while IFS='|' read -r key hex card; do
        n=$((n + 1))
        ghex= gcard=
        IFS='|' read -r _ ghex gcard < <(awk -F'|' -v k="$key" '$1 == k' "$got") || true
        if [ "${ghex:-}" = "$hex" ]; then ok "$label $key: byte-identical ($(( (${#hex} - 2) / 2 )) bytes)"
        else bad "$label $key: sketch differs: got ${ghex:0:40}... want ${hex:0:40}..."; nb=$((nb + 1)); fi
        if [ "${gcard:-}" = "$card" ]; then ok "$label $key: hll_cardinality $card"
        else bad "$label $key: hll_cardinality ${gcard:-none} != $card"; nc=$((nc + 1)); fi
    done <"$want"
    [ "$(wc -l <"$got")" = "$n" ] && [ "$n" -gt 0 ] ||
        bad "$label: $(wc -l <"$got") rows from the coordinator, $n from the single server"
}

step "coordinator union of the shards' sketches vs one server over all events"
compare "day" "$work/coord.daily" "$work/ref.daily"
compare "all days" "$work/coord.total" "$work/ref.total"
# The day x plan checks are many: run them quietly, list only failures.
before=$passed
{ compare "day/plan" "$work/coord.plan" "$work/ref.plan"; compare "plan" "$work/coord.plantotal" "$work/ref.plantotal"; } >"$work/plan.log"
grep '^  FAIL' "$work/plan.log" || true
echo "  day x plan and plan totals: $((passed - before)) checks passed, $(grep -c '^  FAIL' "$work/plan.log" || true) failed (EXPLICIT, SPARSE and FULL sketches)"

step "accuracy, and why the union matters"
read -r exact est lo hi < <(q 0 reference -c "SELECT count(DISTINCT user_id) FROM events" | tr '\n' ' '
    q 0 analytics -c "SELECT round((b).estimate), floor((b).lower), ceil((b).upper)
        FROM (SELECT hll_cardinality_bounds(hll_union_agg(users), 0.999) AS b FROM all_daily) x" | tr '|' ' ')
naive=$(q 0 analytics -c "SELECT round(sum(hll_cardinality(users))) FROM (
    SELECT 1 AS s, hll_union_agg(users) AS users FROM shard1.daily UNION ALL
    SELECT 2, hll_union_agg(users) FROM shard2.daily UNION ALL
    SELECT 3, hll_union_agg(users) FROM shard3.daily) t")
echo "  distinct users: exact $exact, union of the shards' sketches $est (99.9% bounds $lo..$hi),"
echo "  sum of the shards' own counts $naive (counts a user once per shard)"
check "the exact count lies within the union's 99.9% bounds" test "$lo" -le "$exact" -a "$exact" -le "$hi"
check "adding the shards' counts overcounts (the shards share users): $naive > 1.5 x $exact" \
    test "$naive" -gt $((exact * 3 / 2))

step "only sketches cross the wire"
q 0 analytics -c "EXPLAIN (VERBOSE, COSTS OFF) $daily_q" >"$work/explain.txt"
sed 's/^/    /' "$work/explain.txt"
remote=$(grep -c 'Remote SQL:' "$work/explain.txt" || true)
check "EXPLAIN shows 3 Foreign Scans ($remote Remote SQL lines)" test "$remote" = 3
check "every Remote SQL selects from the shards' daily table" \
    test "$(grep 'Remote SQL:' "$work/explain.txt" | grep -c 'FROM public\.daily$')" = 3
check "no Remote SQL mentions events" bash -c "! grep -qi events '$work/explain.txt'"
q 0 analytics -c "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) $daily_q" >"$work/analyze.txt"
fetched=$(grep -A0 'Foreign Scan on' "$work/analyze.txt" | grep -Eo 'rows=[0-9]+' | cut -d= -f2 | tr '\n' ' ')
check "each Foreign Scan fetched $DAYS rows, one sketch per day (rows: $fetched)" \
    test "$fetched" = "$DAYS $DAYS $DAYS "
read -r n_sk sk_bin sk_text < <(q 0 analytics -F ' ' -c "SELECT count(*), sum(pg_column_size(users)),
    sum(octet_length(day::text) + octet_length(users::text)) FROM all_daily")
read -r ev_rel ev_rows ev_min < <(for k in 1 2 3; do q "$k" analytics -F ' ' -c "SELECT pg_relation_size('events'),
    sum(pg_column_size(e.*)), sum(octet_length(day::text) + octet_length(user_id::text)) FROM events e"; done |
    awk '{a += $1; b += $2; c += $3} END {print a, b, c}')
echo "  moved: $n_sk sketches, $sk_bin bytes as stored ($sk_text bytes in postgres_fdw's text form)"
echo "  kept on the shards: $total_rows events, $ev_rows bytes of rows ($ev_rel bytes of table);"
echo "    even their (day, user_id) columns alone would be $ev_min bytes in text form"
echo "  ratio: $((ev_min / sk_text))x less than shipping (day, user_id), $((ev_rows / sk_bin))x less than the rows"
check "the sketches moved ($sk_text bytes) are under 5% of the events' (day, user_id) text ($ev_min bytes)" \
    test $((sk_text * 20)) -lt "$ev_min"

step "pushdown: with OPTIONS (extensions 'hyperloglog') each shard unions its own days"
push_q="SELECT hll_union_agg(u) AS users FROM (
          SELECT hll_union_agg(users) AS u FROM shard1.daily
UNION ALL SELECT hll_union_agg(users) FROM shard2.daily
UNION ALL SELECT hll_union_agg(users) FROM shard3.daily) s"
q 0 analytics -c "EXPLAIN (VERBOSE, COSTS OFF) $push_q" >"$work/push.txt"
grep 'Remote SQL' "$work/push.txt" | sed 's/^ */    /'
check "each shard's Remote SQL runs hll_union_agg there (one sketch per shard moves)" \
    test "$(grep -c 'Remote SQL: SELECT public.hll_union_agg(users) FROM public.daily' "$work/push.txt")" = 3
q 0 analytics -c "$(as_lines "'total'" "$push_q")" >"$work/push.total"
compare "pushed down:" "$work/push.total" "$work/ref.total"

step "text and binary I/O round trips"
echo "  postgres_fdw fetches every column in text form: hll_out on the shard, hll_in on the coordinator."
q 0 analytics -c "$(as_lines day "SELECT day, hll_union_agg(users::hll) AS users FROM all_daily_text GROUP BY day")" >"$work/text.daily"
q 0 analytics -c "$(as_lines "'total'" "SELECT hll_union_agg(users::hll) AS users FROM all_daily_text")" >"$work/text.total"
prefix=$(q 0 analytics -c "SELECT DISTINCT left(users, 4) FROM all_daily_text")
check "sketches fetched into a text column are '\\x'-hex strings (prefix $prefix)" test "$prefix" = '\x14'
same=$(q 0 analytics -c "SELECT count(*) FROM shard1.daily_text t JOIN shard1.daily d USING (day) WHERE t.users::hll = d.users AND t.users = d.users::text")
check "users::text fetched as text, cast back with ::hll, equals the hll column ($same of $DAYS days)" test "$same" = "$DAYS"
before=$passed failed_before=$failed
{ compare "text" "$work/text.daily" "$work/ref.daily"; compare "text" "$work/text.total" "$work/ref.total"; } >"$work/text.log"
grep '^  FAIL' "$work/text.log" || true
echo "  union of users::text cast back with ::hll: $((passed - before)) checks passed, $((failed - failed_before)) failed"

# COPY, as a dump or an ETL job would move sketches: text (hll_out/hll_in) and binary
# (hll_send/hll_recv), from each shard straight into a coordinator table.
q 0 analytics -c "CREATE TABLE copied_text (day date, users hll); CREATE TABLE copied_binary (day date, users hll)"
for k in 1 2 3; do
    q "$k" analytics -c "COPY daily TO STDOUT" | q 0 analytics -c "COPY copied_text FROM STDIN"
    q "$k" analytics -c "COPY daily TO STDOUT (FORMAT binary)" | q 0 analytics -c "COPY copied_binary FROM STDIN (FORMAT binary)"
done
for fmt in text binary; do
    q 0 analytics -c "$(as_lines day "SELECT day, hll_union_agg(users) AS users FROM copied_$fmt GROUP BY day")" >"$work/copy_$fmt.daily"
    before=$passed failed_before=$failed
    compare "COPY $fmt" "$work/copy_$fmt.daily" "$work/ref.daily" >"$work/copy_$fmt.log"
    grep '^  FAIL' "$work/copy_$fmt.log" || true
    echo "  COPY ($fmt) from the shards, unioned: $((passed - before)) checks passed, $((failed - failed_before)) failed"
done

echo
echo "  elapsed: $((SECONDS - started)) s"
closing
[ "$failed" = 0 ]
