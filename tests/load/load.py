"""Concurrent load with crashes: nothing committed is lost, every sketch stays exact.

Writers upsert events into hourly sketch rows, each transaction logging its events in
`events_log` (unique by client and sequence number) beside the sketches, half of them
with `INSERT .. ON CONFLICT DO UPDATE SET users = hll_union(..)` of a batch's sketch,
half with `hll_add` of one event at a time; readers run rollups meanwhile. In the middle
one backend is killed with SIGKILL (PostgreSQL restarts every backend), and later the
server is stopped in immediate mode and started again. Clients reconnect and retry; a
transaction whose COMMIT got no answer is looked up by its first sequence number before
it is retried, so each batch commits exactly once.

Afterwards: every acknowledged batch is in `events_log`; every hourly row equals, byte
for byte, the sketch rebuilt from the logged events (checked also right after each
recovery, in one snapshot, with the load running); a physical standby started from a
base backup before the load serves the same bytes.

Usage: load.py --primary-dir DIR --primary-options O --standby-host H --standby-port N --duration S --clients N --report F
(PGHOST, PGPORT, PGUSER name the primary; run by tests/load/run.sh)
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time

import psycopg

HOURS = 48
BASE = "2026-12-01 00:00:00+00"
# SQLSTATEs of failures a client meets while the server crashes, restarts or recovers,
# after which it reconnects and retries (documented in the README).
RETRYABLE = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"}

checks = {"passed": 0, "failed": 0}


def check(ok, what):
    checks["passed" if ok else "failed"] += 1
    print(f"  {'ok  ' if ok else 'FAIL'}  {what}", flush=True)


def connect(standby=None, application_name="load"):
    host, port = standby or (os.environ["PGHOST"], os.environ["PGPORT"])
    return psycopg.connect(
        host=host,
        port=port,
        user=os.environ.get("PGUSER", "postgres"),
        dbname="load",
        application_name=application_name,
        autocommit=False,
    )


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {"writer": [], "reader": []}
        self.statements = {"writer": 0, "reader": 0}
        self.retries = {}
        self.errors = []

    def record(self, kind, seconds, statements):
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statements[kind] += statements

    def retry(self, sqlstate):
        with self.lock:
            self.retries[sqlstate] = self.retries.get(sqlstate, 0) + 1

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def sqlstate_of(exc):
    state = getattr(exc, "sqlstate", None)
    if state:
        return state
    # A connection lost without an error message from the server.
    return "08006" if isinstance(exc, psycopg.OperationalError) else None


class Writer(threading.Thread):
    def __init__(self, client, stop, stats, acknowledged):
        super().__init__(daemon=True)
        self.client = client
        self.stop = stop
        self.stats = stats
        self.acknowledged = acknowledged
        self.rng = random.Random(client)
        self.seq = 0
        self.conn = None

    def batch(self):
        size = self.rng.randint(1, 20)
        events = []
        for _ in range(size):
            self.seq += 1
            # Skewed users: a few heavy users, a long tail.
            user = int(self.rng.paretovariate(1.1) * 50) % 300_000
            events.append((self.seq, self.rng.randrange(HOURS), user))
        return events

    def committed(self, first_seq):
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM events_log WHERE client = %s AND seq = %s",
                (self.client, first_seq),
            )
            found = cur.fetchone() is not None
        self.conn.rollback()
        return found

    def apply(self, events, by_union):
        statements = 0
        with self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO events_log (client, seq, hour, user_id) "
                "SELECT %s, s, %s::timestamptz + h * interval '1 hour', u "
                "FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS e(s, h, u)",
                (
                    self.client,
                    BASE,
                    [e[0] for e in events],
                    [e[1] for e in events],
                    [e[2] for e in events],
                ),
            )
            statements += 1
            # Rows in hour order, so that concurrent writers never deadlock.
            if by_union:
                by_hour = {}
                for _, hour, user in events:
                    by_hour.setdefault(hour, []).append(user)
                for hour in sorted(by_hour):
                    cur.execute(
                        "INSERT INTO hourly AS t (hour, users) "
                        "SELECT %s::timestamptz + %s * interval '1 hour', "
                        "hll_add_agg(hll_hash_bigint(u)) FROM unnest(%s::bigint[]) u "
                        "ON CONFLICT (hour) DO UPDATE SET users = hll_union(t.users, EXCLUDED.users)",
                        (BASE, hour, by_hour[hour]),
                    )
                    statements += 1
            else:
                for _, hour, user in sorted(events, key=lambda e: e[1]):
                    cur.execute(
                        "INSERT INTO hourly AS t (hour, users) "
                        "VALUES (%s::timestamptz + %s * interval '1 hour', "
                        "hll_add(hll_empty(), hll_hash_bigint(%s))) "
                        "ON CONFLICT (hour) DO UPDATE "
                        "SET users = hll_add(t.users, hll_hash_bigint(%s))",
                        (BASE, hour, user, user),
                    )
                    statements += 1
        self.conn.commit()
        return statements + 1

    def run(self):
        while not self.stop.is_set():
            events = self.batch()
            by_union = self.rng.random() < 0.5
            in_doubt = False
            while not self.stop.is_set():
                try:
                    if self.conn is None or self.conn.closed:
                        self.conn = connect(application_name="load-writer")
                    if in_doubt and self.committed(events[0][0]):
                        break
                    started = time.perf_counter()
                    statements = self.apply(events, by_union)
                    self.stats.record("writer", time.perf_counter() - started, statements)
                    break
                except psycopg.Error as exc:
                    state = sqlstate_of(exc)
                    if state not in RETRYABLE:
                        self.stats.error(f"writer {self.client}: {state} {exc}")
                        self.stop.set()
                        return
                    self.stats.retry(state)
                    # The COMMIT may have landed before the connection went away.
                    in_doubt = True
                    try:
                        self.conn.close()
                    except Exception:
                        pass
                    self.conn = None
                    time.sleep(0.05)
            else:
                return
            self.acknowledged.append((self.client, events[0][0], events[-1][0]))


class Reader(threading.Thread):
    QUERIES = [
        "SELECT hll_cardinality(hll_union_agg(users)) FROM hourly",
        "SELECT date_trunc('day', hour), hll_cardinality(hll_union_agg(users)) "
        "FROM hourly GROUP BY 1 ORDER BY 1",
        "SELECT hll_cardinality(hll_union_agg(users)) FROM hourly "
        "WHERE hour >= (SELECT max(hour) FROM hourly) - interval '24 hours'",
    ]

    def __init__(self, number, stop, stats):
        super().__init__(daemon=True)
        self.number = number
        self.stop = stop
        self.stats = stats
        self.conn = None

    def run(self):
        rng = random.Random(1000 + self.number)
        while not self.stop.is_set():
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = connect(application_name="load-reader")
                    self.conn.autocommit = True
                started = time.perf_counter()
                self.conn.execute(rng.choice(self.QUERIES)).fetchall()
                self.stats.record("reader", time.perf_counter() - started, 1)
            except psycopg.Error as exc:
                state = sqlstate_of(exc)
                if state not in RETRYABLE:
                    self.stats.error(f"reader {self.number}: {state} {exc}")
                    self.stop.set()
                    return
                self.stats.retry(state)
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
                time.sleep(0.05)


REBUILD_EQUALS = """
    SELECT count(*), count(*) FILTER (WHERE t.users::text = r.users::text)
    FROM hourly t
    FULL JOIN (SELECT hour, hll_add_agg(hll_hash_bigint(user_id)) AS users
               FROM events_log GROUP BY hour) r USING (hour)
"""


def wait_for_server(timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with connect() as conn:
                conn.execute("SELECT 1")
                return True
        except psycopg.Error:
            time.sleep(0.2)
    return False


def snapshot_check(what):
    """Every row equals its rebuild, in one snapshot, while the load goes on."""
    for _ in range(50):
        try:
            with connect() as conn:
                rows, identical = conn.execute(REBUILD_EQUALS).fetchone()
            check(rows > 0 and rows == identical,
                  f"{what}: {identical} of {rows} hourly sketches equal the rebuild from the committed events")
            return
        except psycopg.OperationalError:
            time.sleep(0.2)
    check(False, f"{what}: could not connect")


def kill_a_backend():
    with connect() as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'load-writer' "
            "AND state <> 'idle' ORDER BY random() LIMIT 1").fetchone() or conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'load-writer' LIMIT 1").fetchone()
    os.kill(row[0], signal.SIGKILL)
    return row[0]


def pg_ctl(args, primary_dir):
    bin_dir = os.environ["PG_BIN"]
    command = [f"{bin_dir}/pg_ctl", "-D", f"{primary_dir}/data", "-w"] + args
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--primary-dir", required=True)
    parser.add_argument("--primary-options", required=True)
    parser.add_argument("--standby-host", required=True)
    parser.add_argument("--standby-port", required=True)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--report", required=True)
    args = parser.parse_args()

    stats = Stats()
    stop = threading.Event()
    acknowledged = []
    writers = [Writer(c, stop, stats, acknowledged) for c in range(args.clients)]
    readers = [Reader(r, stop, stats) for r in range(args.readers)]
    started = time.time()
    for t in writers + readers:
        t.start()

    print(f"== {args.clients} writers and {args.readers} readers for {args.duration:.0f} s", flush=True)
    time.sleep(args.duration / 3)
    pid = kill_a_backend()
    print(f"  [{time.time() - started:5.1f} s] SIGKILL to backend {pid}", flush=True)
    time.sleep(1)
    check(wait_for_server(), "the server restarted its backends after the SIGKILL")
    snapshot_check("after the backend crash")

    time.sleep(max(0.0, started + 2 * args.duration / 3 - time.time()))
    print(f"  [{time.time() - started:5.1f} s] pg_ctl stop -m immediate", flush=True)
    pg_ctl(["-m", "immediate", "stop"], args.primary_dir)
    time.sleep(1)
    pg_ctl(["-l", f"{args.primary_dir}/server.log", "-o", args.primary_options, "start"],
           args.primary_dir)
    print(f"  [{time.time() - started:5.1f} s] started again", flush=True)
    check(wait_for_server(), "the server recovered after the immediate stop")
    snapshot_check("after the immediate stop and restart")

    time.sleep(max(0.0, started + args.duration - time.time()))
    stop.set()
    for t in writers + readers:
        t.join(timeout=30)
    elapsed = time.time() - started

    check(not stats.errors, "no error but the documented retries" +
          ("" if not stats.errors else ": " + "; ".join(stats.errors[:3])))
    check(all(not t.is_alive() for t in writers + readers), "every client finished")

    with connect() as conn:
        logged = {(c, s) for c, s in conn.execute("SELECT client, seq FROM events_log")}
        rows, identical = conn.execute(REBUILD_EQUALS).fetchone()
        events = conn.execute("SELECT count(*) FROM events_log").fetchone()[0]
        deadlocks = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = 'load'").fetchone()[0]
        primary_bytes = conn.execute(
            "SELECT md5(string_agg(hour::text || users::text, ',' ORDER BY hour)) FROM hourly").fetchone()[0]
        lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    lost = [a for a in acknowledged if any((a[0], s) not in logged for s in range(a[1], a[2] + 1))]
    check(acknowledged and not lost,
          f"every acknowledged batch is in the log ({len(acknowledged)} batches, {events} events; lost {len(lost)})")
    check(rows > 0 and rows == identical,
          f"every hourly sketch equals the rebuild from the committed events, byte for byte ({identical} of {rows})")
    check(deadlocks == 0, f"no deadlock ({deadlocks})")

    standby_bytes, standby_state = None, "not reached"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with connect(standby=(args.standby_host, args.standby_port)) as conn:
                replayed, standby_state = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn, "
                    "format('replayed %%s, receiver %%s', pg_last_wal_replay_lsn(), "
                    "coalesce((SELECT status FROM pg_stat_wal_receiver), 'not running'))",
                    (lsn,)).fetchone()
                if replayed:
                    standby_bytes = conn.execute(
                        "SELECT md5(string_agg(hour::text || users::text, ',' ORDER BY hour)) FROM hourly").fetchone()[0]
                    break
        except psycopg.OperationalError as exc:
            standby_state = str(exc).strip()
        time.sleep(0.5)
    check(standby_bytes == primary_bytes,
          f"the streaming standby serves byte-identical sketches ({standby_bytes} = {primary_bytes})" +
          ("" if standby_bytes else f"; primary at {lsn}, standby: {standby_state}"))

    w, r = stats.latencies["writer"], stats.latencies["reader"]
    retries = ", ".join(f"{k} x {v}" for k, v in sorted(stats.retries.items())) or "none"
    report = f"""# Load test: {args.clients} writers, {args.readers} readers, {elapsed:.0f} s, a backend SIGKILLed and an immediate stop

- command: `bash tests/load/run.sh --duration {args.duration:.0f} --clients {args.clients}`
- events committed: {events:,} in {len(acknowledged):,} batches into {rows} hourly sketches
- writer transactions: {len(w):,} ({len(w) / elapsed:,.0f}/s), statements {stats.statements['writer']:,} ({stats.statements['writer'] / elapsed:,.0f}/s); latency p50 {percentile(w, 50) * 1000:.1f} ms, p99 {percentile(w, 99) * 1000:.1f} ms
- reader rollups: {len(r):,} ({len(r) / elapsed:,.0f}/s); latency p50 {percentile(r, 50) * 1000:.1f} ms, p99 {percentile(r, 99) * 1000:.1f} ms
- retries (SQLSTATE x count): {retries}
- checks: {checks['passed']} passed, {checks['failed']} failed
"""
    with open(args.report, "w") as f:
        f.write(report)
    print(report, flush=True)
    print(f"load: {checks['passed']} passed, {checks['failed']} failed")
    sys.exit(1 if checks["failed"] else 0)


if __name__ == "__main__":
    main()
