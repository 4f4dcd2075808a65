#!/usr/bin/env bash
# No error carries Rust internals (issue 23), whatever the server's environment: one
# cluster whose postmaster runs with RUST_BACKTRACE=full (and RUST_LIB_BACKTRACE=1), with
# both extensions (a private copy of the installation, tests/private_tree.sh, as
# tests/compat does). Checks:
#   regression files  setup, types and hostile (hyperloglog), differences and
#                     postgresql-hll's own refusal files (hll) give their usual expected
#                     output: messages and SQLSTATEs unchanged
#   caught errors     hostile, types and differences run again with a sqlstate_of that
#                     records each caught error's message, DETAIL and HINT: none holds a
#                     backtrace frame, a Rust path or panic text
#   every path        native.sql and compat.sql raise errors uncaught from functions,
#                     casts, typmod input, aggregates, a setting's check hook, constant
#                     folding at plan time (also as a session's first statement) and the
#                     planner hook; psql shows SQLSTATE, message, DETAIL and HINT, which
#                     must equal expected/*.out (LOCATION lines dropped) and hold none
# Usage: tests/rust_internals/run.sh   (after tests/setup.sh; prints
#        "rust internals: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh
source tests/private_tree.sh

work=$root/target/rust_internals
rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
expect() { # expect NAME ACTUAL WANTED
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}
# What Rust internals look like in a message: a backtrace's frames ("  12: name" and
# "at src/x.rs:3:5"), a Rust path (a::b::c), a source file, a panic's words.
internals='backtrace|panick|RUST_(LIB_)?BACKTRACE|[A-Za-z_][A-Za-z0-9_]*::[A-Za-z_][A-Za-z0-9_]*::|\.rs:[0-9]|^ *[0-9]+: [A-Za-z_<]|^ *at [^ ]+:[0-9]+'

pg_config_private=$(private_tree "$root/target/pg15-private")
bash install.sh --pg-config "$pg_config_private" >"$work/install.log" 2>&1 ||
    { tail -20 "$work/install.log"; exit 1; }
PG_BIN=$(dirname "$pg_config_private")
trap 'cluster_stop "$work/cluster"' EXIT
RUST_BACKTRACE=full RUST_LIB_BACKTRACE=1 PGPORT_WANTED=56500 cluster_start "$work/cluster"
postmaster=$(head -1 "$work/cluster/data/postmaster.pid")
expect "the postmaster's environment has RUST_BACKTRACE=full" \
    "$(tr '\0' '\n' <"/proc/$postmaster/environ" | grep -cx 'RUST_BACKTRACE=full')" 1

# pg_regress DB INPUTDIR TEST...: the files of INPUTDIR against a new database.
pg_regress() {
    local db=$1 inputdir=$2
    shift 2
    psql -X -q -d postgres -c "CREATE DATABASE $db"
    "$PG_BIN/../lib/pgxs/src/test/regress/pg_regress" --use-existing --host="$PGHOST" \
        --port="$PGPORT" --user=postgres --dbname="$db" --inputdir="$inputdir" \
        --outputdir="$work/$db" "$@" >"$work/$db.log" 2>&1
}

echo "== regression files, their expected output unchanged"
tests=(setup types hostile)
if pg_regress regress tests/pg_regress "${tests[@]}"; then
    ok "hyperloglog: ${tests[*]} match their expected output"
else
    bad "hyperloglog: ${tests[*]}:"; head -60 "$work/regress/regression.diffs"
fi
if pg_regress differences tests/compat differences; then
    ok "hll: differences matches its expected output"
else
    bad "hll: differences:"; head -60 "$work/differences/regression.diffs"
fi
if PG_BIN=$PG_BIN bash tests/compat/peer/check.sh ours "$PGHOST" "$PGPORT" "$work/peer_files"; then
    ok "hll: postgresql-hll's cast_shape, typmod, typmod_insert, explicit_thresh as recorded"
else
    bad "hll: postgresql-hll's files:"; head -40 "$work/peer_files/found.diff"
fi

echo "== caught errors: message, DETAIL and HINT of every error the files catch"
# sqlstate_of as the files define it, which also records what it caught (the handler
# runs after the failed statement is rolled back, so the row stays).
recorder="CREATE TABLE caught (query text, state text, message text, detail text, hint text);
CREATE FUNCTION sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE d text; h text;
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    INSERT INTO caught VALUES (query, SQLSTATE, SQLERRM, d, h);
    RETURN SQLSTATE || ': ' || SQLERRM;
END \$\$;"
caught() { # caught DB EXTENSION FILE...: run the files after the recorder; print counts
    local db=$1 extension=$2
    shift 2
    psql -X -q -d postgres -c "CREATE DATABASE $db"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION $extension" -c "$recorder"
    # differences.sql creates its own sqlstate_of: that one statement fails, the
    # recorder stays.
    for file in "$@"; do psql -X -q -d "$db" -f "$file" >>"$work/$db.out" 2>&1 || true; done
    psql -X -At -F' ' -d "$db" -c "
        SELECT count(*), count(*) FILTER (WHERE concat_ws(E'\n', message, detail, hint) ~* '(?n)$internals')
        FROM caught"
}
read -r n dirty <<<"$(caught caught_native hyperloglog tests/pg_regress/sql/types.sql tests/pg_regress/sql/hostile.sql)"
expect "hyperloglog: types and hostile catch over 100 errors ($n)" "$([ "$n" -gt 100 ] && echo yes)" yes
expect "hyperloglog: none of them with Rust internals" "$dirty" 0
read -r n dirty <<<"$(caught caught_compat hll tests/compat/sql/differences.sql)"
expect "hll: differences catches over 5 errors ($n)" "$([ "$n" -gt 5 ] && echo yes)" yes
expect "hll: none of them with Rust internals" "$dirty" 0

echo "== every path, errors uncaught (tests/rust_internals/*.sql)"
for file in native compat; do
    psql -X -q -d postgres -c "CREATE DATABASE $file"
    psql -X -a -d "$file" -f "tests/rust_internals/$file.sql" >"$work/$file.raw" 2>&1 || true
    grep -v '^LOCATION:  ' "$work/$file.raw" >"$work/$file.out" || true
    if diff "tests/rust_internals/expected/$file.out" "$work/$file.out" >"$work/$file.diff"; then
        ok "$file.sql: $(grep -c 'ERROR:  ' "$work/$file.out") errors, SQLSTATE, message and DETAIL as expected"
    else
        bad "$file.sql differs from its expected output:"; head -40 "$work/$file.diff"
    fi
    expect "$file.sql: no message, DETAIL or HINT holds Rust internals" \
        "$(grep -Ev '^(LOCATION:  |--)' "$work/$file.raw" | grep -Eic "$internals" || true)" 0
done

echo "rust internals: $passed passed, $failed failed"
[ "$failed" = 0 ]
