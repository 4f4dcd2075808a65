#!/usr/bin/env bash
# Scenario 6 with several concurrent writers: four psql sessions merge interleaved
# micro-batches into the same hourly rows at once (INSERT ... ON CONFLICT DO UPDATE
# with hll_union); the result must equal, byte for byte, the sketches built in one pass.
# Usage: tests/concurrent_ingest.sh DB   (PGHOST/PGPORT/PGUSER set; examples loaded)
set -euo pipefail
db=$1
writers=4
batches=40
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "TRUNCATE live_hourly"
writers_pids=()
for w in $(seq 0 $((writers - 1))); do
    # Writer w takes batches w, w + writers, ...; each batch is its own transaction.
    (
        for b in $(seq "$w" "$writers" $((batches - 1))); do
            echo "SELECT ingest_batch($b, $batches);"
        done | psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" >/dev/null
    ) &
    writers_pids+=($!)
done
wait "${writers_pids[@]}"
read -r hours identical < <(psql -X -At -F ' ' -v ON_ERROR_STOP=1 -d "$db" -c "
    SELECT count(*), count(*) FILTER (WHERE l.users::text = b.users::text)
    FROM live_hourly l
    FULL JOIN (SELECT date_trunc('hour', ts) AS hour, hll_add_agg(hll_hash_bigint(user_id)) AS users
               FROM events GROUP BY 1) b USING (hour)")
echo "concurrent ingest: $writers writers, $batches batches, $identical of $hours hours byte-identical"
if [ "$hours" -gt 0 ] && [ "$hours" = "$identical" ]; then
    echo "concurrent ingest: 1 passed, 0 failed"
else
    echo "concurrent ingest: 0 passed, 1 failed"
    exit 1
fi
