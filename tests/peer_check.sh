#!/usr/bin/env bash
# Byte-for-byte comparison with postgresql-hll (the peer, extension `hll`) on the same
# server: sketches built from the same hash values (so the hash function does not
# matter) in a database with the peer and in one with this extension must be
# identical, and every value the peer writes must load here with the same bytes and,
# in EXPLICIT form, the same exact count.
#
# Usage: tests/peer_check.sh OUR_DB PEER_DB   (PGHOST/PGPORT/PGUSER set by the caller)
set -euo pipefail
ours=$1
peer=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Deterministic 64-bit hash values from md5, computable in either database.
hv="(('x' || substr(md5(i::text), 1, 16))::bit(64)::bigint)::hll_hashval"

cases() {
    # name <TAB> expression yielding one hll
    printf '%s\t%s\n' "empty_default" "hll_empty()"
    for p in "11,5,-1,1" "12,6,0,0" "14,4,256,1" "4,1,-1,1" "17,7,8192,1" "10,3,1,0"; do
        printf '%s\t%s\n' "empty_$p" "hll_empty($p)"
    done
    for n in 1 3 100 159 160 161 300 639 640 1000 5000 100000; do
        printf '%s\t%s\n' "agg_default_$n" "(SELECT hll_add_agg($hv) FROM generate_series(1, $n) i)"
    done
    for log2m in 4 8 11 14 17; do
        for regwidth in 1 3 5 6 7; do
            for exp in -1 0 16; do
                for sparse in 0 1; do
                    for n in 5 40 3000; do
                        printf '%s\t%s\n' "agg_${log2m}_${regwidth}_${exp}_${sparse}_$n" "(SELECT hll_add_agg($hv, $log2m, $regwidth, $exp, $sparse) FROM generate_series(1, $n) i)"
                    done
                done
            done
        done
    done
    printf '%s\t%s\n' "add_sparse_vector" "hll_add(hll_empty(12,5,0,1), (-8604791237420463362)::hll_hashval)"
    printf '%s\t%s\n' "add_zero_hash" "hll_add(hll_empty(11,5,0,1), 0::hll_hashval)"
    printf '%s\t%s\n' "add_zero_explicit" "hll_add(hll_empty(), 0::hll_hashval)"
    printf '%s\t%s\n' "add_rank_cap" "hll_add(hll_empty(11,5,0,1), (7 + (1::bigint << 60))::hll_hashval)"
    for n in 10 200 2000 20000; do
        printf '%s\t%s\n' "union_agg_$n" "(SELECT hll_union_agg(h) FROM (SELECT hll_add_agg($hv) h FROM generate_series(1, $n) i GROUP BY i % 7) s)"
        printf '%s\t%s\n' "union_pair_$n" "(SELECT hll_union(a, b) FROM (SELECT hll_add_agg($hv) FILTER (WHERE i % 2 = 0) a, hll_add_agg($hv) FILTER (WHERE i % 2 = 1 OR i < 10) b FROM generate_series(1, $n) i) s)"
    done
}

cases >"$work/cases"
awk -F'\t' '{ printf "SELECT '\''%s|'\'' || (%s)::text;\n", $1, $2 }' "$work/cases" >"$work/build.sql"

psql -X -q -At -v ON_ERROR_STOP=1 -d "$peer" -f "$work/build.sql" >"$work/peer.out"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$ours" -f "$work/build.sql" >"$work/ours.out"

passed=0
failed=0
while IFS='|' read -r name peer_hex && IFS='|' read -r name2 our_hex <&3; do
    if [ "$name" = "$name2" ] && [ "$peer_hex" = "$our_hex" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "DIFFERENT $name: peer $peer_hex, ours $our_hex"
    fi
done <"$work/peer.out" 3<"$work/ours.out"

# Every value the peer wrote loads here unchanged; EXPLICIT counts agree exactly.
awk -F'|' '{ printf "SELECT '\''%s|'\'' || hll_type(h) || '\''|'\'' || coalesce(hll_cardinality(h)::text, '\''null'\'') FROM (SELECT '\''%s'\''::hll AS h) s;\n", $1, $2 }' \
    "$work/peer.out" >"$work/load.sql"
awk -F'|' '{ printf "SELECT '\''%s|'\'' || h::text FROM (SELECT '\''%s'\''::hll AS h) s;\n", $1, $2 }' \
    "$work/peer.out" >"$work/reload.sql"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$ours" -f "$work/reload.sql" >"$work/reloaded.out"
if cmp -s "$work/reloaded.out" "$work/peer.out"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "DIFFERENT: peer values do not load back unchanged"
    diff "$work/peer.out" "$work/reloaded.out" | head -5
fi
psql -X -q -At -v ON_ERROR_STOP=1 -d "$ours" -f "$work/load.sql" >"$work/ours_counts.out"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$peer" -f "$work/load.sql" >"$work/peer_counts.out"
while IFS='|' read -r name kind peer_count && IFS='|' read -r _ _ our_count <&3; do
    [ "$kind" = 2 ] || [ "$kind" = 1 ] || continue
    if [ "$peer_count" = "$our_count" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "DIFFERENT exact count $name: peer $peer_count, ours $our_count"
    fi
done <"$work/peer_counts.out" 3<"$work/ours_counts.out"

echo "peer check: $passed passed, $failed failed"
[ "$failed" = 0 ]
