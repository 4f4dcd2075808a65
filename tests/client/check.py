#!/usr/bin/env python3
"""The extension from a real client, psycopg 3, used as a BI tool or a notebook would.

Parameterised rollups over the daily sketch table, hll values read as bytes, as text
and through the binary protocol (hll_send), written back from bytes, from text and as
binary parameters (hll_recv), unions done on the server, and every number compared
with what psql prints for the same query.

Connects with the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE) to a database
where tests/client/setup.sql was loaded; tests/client/run.sh sets all that up.
Prints `client: N passed, M failed` and exits non-zero on any failure.
"""

import datetime as dt
import subprocess
import sys

import psycopg
from psycopg import ClientCursor
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format

passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok    {what}")
    else:
        failed += 1
        print(f"  FAIL  {what}" + (f": {detail}" if detail else ""))
    return ok


def step(what):
    print(f"\n==> {what}")


def psql_rows(query):
    """The rows psql -At prints for a query, as tuples of strings."""
    out = subprocess.run(
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
        capture_output=True, text=True, check=True,
    ).stdout
    return [tuple(line.split("|")) for line in out.splitlines()]


def same_value(py, text):
    """Whether a value psycopg returned is the one psql printed as text."""
    if py is None:
        return text == ""
    if isinstance(py, bool):
        return text == ("t" if py else "f")
    if isinstance(py, float):
        return float(text) == py
    if isinstance(py, int):
        return int(text) == py
    if isinstance(py, dt.date):
        return text == py.isoformat()
    if isinstance(py, (bytes, bytearray, memoryview)):
        return text == "\\x" + bytes(py).hex()
    return text == str(py)


def same_rows(py_rows, psql):
    return len(py_rows) == len(psql) and all(
        len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
        for a, b in zip(py_rows, psql)
    )


# ---------------------------------------------------------------- storage format
TYPES = {0: "UNDEFINED", 1: "EMPTY", 2: "EXPLICIT", 3: "SPARSE", 4: "FULL"}


def decode(b):
    """Decodes storage format v1 from its specification, checking its length rules.

    byte 0: schema version << 4 | type; byte 1: (regwidth - 1) << 5 | log2m;
    byte 2: sparseon << 6 | cutoff (63 auto, 0 off, k: 2^(k-1)). Body: EXPLICIT 8-byte
    big-endian hashes ascending as signed; SPARSE (index << regwidth | value) words of
    log2m + regwidth bits, MSB first, zero padding; FULL 2^log2m registers of regwidth
    bits. Returns a dict, or raises ValueError.
    """
    if len(b) < 3:
        raise ValueError(f"{len(b)} bytes, shorter than the 3-byte header")
    d = {"version": b[0] >> 4, "type": b[0] & 0x0F, "log2m": b[1] & 0x1F,
         "regwidth": (b[1] >> 5) + 1, "sparseon": (b[2] >> 6) & 1}
    cutoff = b[2] & 0x3F
    d["expthresh"] = -1 if cutoff == 63 else 0 if cutoff == 0 else 1 << (cutoff - 1)
    if d["version"] != 1:
        raise ValueError(f"schema version {d['version']}")
    body, kind = b[3:], d["type"]
    if kind in (0, 1):
        if body:
            raise ValueError(f"{TYPES[kind]} with a body")
        d["count"] = 0
    elif kind == 2:
        if len(body) % 8:
            raise ValueError("EXPLICIT body not a multiple of 8 bytes")
        values = [int.from_bytes(body[i:i + 8], "big", signed=True) for i in range(0, len(body), 8)]
        if any(x >= y for x, y in zip(values, values[1:])):
            raise ValueError("EXPLICIT values not ascending and distinct")
        d["count"] = len(values)
    elif kind == 3:
        width = d["log2m"] + d["regwidth"]
        bits = int.from_bytes(body, "big") if body else 0
        nbits = 8 * len(body)
        words = [(bits >> (nbits - (i + 1) * width)) & ((1 << width) - 1)
                 for i in range(nbits // width)]
        while words and words[-1] == 0:  # zero words at the end are padding
            words.pop()
        if len(body) != (len(words) * width + 7) // 8:
            raise ValueError(f"SPARSE body of {len(body)} bytes for {len(words)} words")
        mask = (1 << d["regwidth"]) - 1
        index = [w >> d["regwidth"] for w in words]
        if any(w & mask == 0 for w in words) or any(x >= y for x, y in zip(index, index[1:])):
            raise ValueError("SPARSE words not ascending or with a zero value")
        d["count"] = len(words)
    elif kind == 4:
        want = ((1 << d["log2m"]) * d["regwidth"] + 7) // 8
        if len(body) != want:
            raise ValueError(f"FULL body of {len(body)} bytes, want {want}")
        d["count"] = 1 << d["log2m"]
    else:
        raise ValueError(f"unknown type {kind}")
    return d


# ---------------------------------------------------------------- an hll adapter
class Hll(bytes):
    """An hll value in the client: its storage bytes."""


def register_hll(conn):
    """Teaches psycopg the hll type: binary parameters (hll_recv on the server) and
    results loaded as Hll in both formats. Without it psycopg still works: hll comes
    back as str in text format and as bytes in binary format."""
    info = psycopg.types.TypeInfo.fetch(conn, "hll")

    class HllBinaryDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj):
            return bytes(obj)

    class HllBinaryLoader(Loader):
        format = Format.BINARY

        def load(self, data):
            return Hll(data)

    class HllTextLoader(Loader):
        def load(self, data):
            text = bytes(data).decode()
            assert text.startswith("\\x"), text
            return Hll(bytes.fromhex(text[2:]))

    conn.adapters.register_dumper(Hll, HllBinaryDumper)
    conn.adapters.register_loader(info.oid, HllBinaryLoader)
    conn.adapters.register_loader(info.oid, HllTextLoader)
    return info.oid


def main():
    conn = psycopg.connect(autocommit=True)
    cur = conn.cursor()
    hll_oid = cur.execute("SELECT 'hll'::regtype::oid").fetchone()[0]
    version = cur.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'hyperloglog'").fetchone()[0]
    print(f"  server {conn.info.server_version}, hyperloglog {version}, hll oid {hll_oid}")

    # ------------------------------------------------------------ rollups
    step("parameterised rollups: weekly uniques between two dates, per segment")
    weekly = """
        SELECT date_trunc('week', day)::date AS week,
               hll_cardinality(hll_union_agg(users)) AS uniques
        FROM daily_users
        WHERE day >= %s AND day < %s AND segment = ANY(%s)
        GROUP BY 1 ORDER BY 1"""
    from_events = """
        SELECT date_trunc('week', day)::date AS week,
               hll_add_agg(hll_hash_bigint(user_id))::bytea AS users,
               count(DISTINCT user_id) AS exact
        FROM events
        WHERE day >= %s AND day < %s AND segment = ANY(%s)
        GROUP BY 1 ORDER BY 1"""
    sketches = """
        SELECT date_trunc('week', day)::date AS week, hll_union_agg(users)::bytea AS users,
               (hll_cardinality_bounds(hll_union_agg(users), 0.999)).*
        FROM daily_users
        WHERE day >= %s AND day < %s AND segment = ANY(%s)
        GROUP BY 1 ORDER BY 1"""
    mogrify = ClientCursor(conn).mogrify
    cases = [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 29), ["enterprise"], 4),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 29), ["pro"], 4),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 29), ["free"], 4),
        (dt.date(2024, 1, 8), dt.date(2024, 1, 22), ["enterprise", "pro"], 2),
        (dt.date(2024, 1, 1), dt.date(2024, 2, 1), ["free", "pro", "enterprise"], 4),
    ]
    for start, end, segments, weeks in cases:
        label = f"{start}..{end} {'+'.join(segments)}"
        params = (start, end, segments)
        rows = cur.execute(weekly, params).fetchall()
        check(f"{label}: {len(rows)} weeks, uniques "
              f"{', '.join(f'{u:.0f}' for _, u in rows)}",
              len(rows) == weeks and all(isinstance(w, dt.date) and isinstance(u, float)
                                         for w, u in rows))
        literal = mogrify(weekly, params)
        check(f"{label}: psql -At prints the same numbers for the same query",
              same_rows(rows, psql_rows(literal)), literal)
        prepared = cur.execute(weekly, params, prepare=True).fetchall()
        binary = conn.cursor(binary=True).execute(weekly, params).fetchall()
        check(f"{label}: server-side prepared and binary-protocol results are the same",
              prepared == rows and binary == rows)
        union = cur.execute(sketches, params).fetchall()
        direct = cur.execute(from_events, params).fetchall()
        check(f"{label}: each week's union of daily sketches is byte-identical to the "
              "sketch of the week's events",
              [(w, bytes(u)) for w, u, *_ in union] == [(w, bytes(u)) for w, u, _ in direct])
        check(f"{label}: exact distinct counts ({', '.join(str(e) for *_, e in direct)}) "
              "within the 99.9% bounds",
              all(lo <= e <= hi for (_, _, _, lo, hi), (_, _, e) in zip(union, direct)))

    # ------------------------------------------------------------ bytes
    step("reading sketches as bytes (users::bytea) and checking the storage format")
    rows = cur.execute("""
        SELECT day, segment, users::bytea, hll_type(users), hll_log2m(users),
               hll_regwidth(users), hll_sparseon(users), (hll_expthresh(users)).specified,
               hll_cardinality(users)
        FROM daily_users ORDER BY day, segment""").fetchall()
    n = len(rows)
    check(f"{n} daily sketches come back as Python bytes",
          n == 84 and all(type(r[2]) is bytes for r in rows))
    decoded, errors = [], []
    for r in rows:
        try:
            decoded.append(decode(r[2]))
        except ValueError as e:
            decoded.append(None)
            errors.append(f"{r[0]} {r[1]}: {e}")
    check("all decode from the format's specification (3-byte header, length rules)",
          not errors, "; ".join(errors[:3]))
    good = [(r, d) for r, d in zip(rows, decoded) if d]
    check("byte 0: schema version 1 in the high nibble (0x1?), hll_type in the low one",
          all(r[2][0] >> 4 == 1 and d["type"] == r[3] for r, d in good))
    check("bytes 1 and 2: log2m, regwidth, sparseon and expthresh as the server reports",
          all((d["log2m"], d["regwidth"], d["sparseon"], d["expthresh"]) == tuple(r[4:8])
              for r, d in good))
    kinds = sorted({d["type"] for _, d in good})
    check(f"the table holds EXPLICIT, SPARSE and FULL sketches (types {kinds})", kinds == [2, 3, 4])
    explicit = [(r, d) for r, d in good if d["type"] == 2]
    check(f"EXPLICIT: 3 + 8 x n bytes, n = hll_cardinality exactly ({len(explicit)} sketches)",
          explicit and all(len(r[2]) == 3 + 8 * d["count"] == 3 + 8 * r[8] for r, d in explicit))
    sparse = [(r, d) for r, d in good if d["type"] == 3]
    check(f"SPARSE: 3 + ceil(n x (log2m + regwidth) / 8) bytes, ascending registers "
          f"({len(sparse)} sketches, {min(d['count'] for _, d in sparse)} to "
          f"{max(d['count'] for _, d in sparse)} registers)" if sparse else "SPARSE sketches",
          bool(sparse))
    full = [(r, d) for r, d in good if d["type"] == 4]
    check(f"FULL: 3 + 2^log2m x regwidth / 8 = {len(full[0][0][2]) if full else '?'} bytes "
          f"({len(full)} sketches)",
          full and all(len(r[2]) == 3 + (2 ** r[4] * r[5] + 7) // 8 for r, _ in full))
    empty = cur.execute("""SELECT hll_empty()::bytea,
        (SELECT hll_add_agg(hll_hash_bigint(user_id))::bytea FROM events WHERE false)""").fetchone()
    check(f"EMPTY: the 3-byte header alone ({empty[0].hex()}), also from hll_add_agg over no rows",
          empty[0] == empty[1] and len(empty[0]) == 3 and empty[0][0] == 0x11)

    # ------------------------------------------------------------ text
    step("reading sketches as text (users::text and the plain column in text format)")
    text_rows = cur.execute(
        "SELECT users::text, users FROM daily_users ORDER BY day, segment").fetchall()
    check("users::text is the string '\\x' + hex of the bytes",
          all(t == "\\x" + r[2].hex() for (t, _), r in zip(text_rows, rows)))
    check("the hll column itself arrives as that same str (text format, no adapter)",
          all(type(c) is str and c == t for t, c in text_rows))
    check("bytes.fromhex(text[2:]) gives the bytes back",
          all(bytes.fromhex(t[2:]) == r[2] for (t, _), r in zip(text_rows, rows)))

    # ------------------------------------------------------------ binary protocol
    step("binary protocol: a binary cursor gets hll_send's bytes")
    bcur = conn.cursor(binary=True)
    bin_rows = bcur.execute(
        "SELECT users, users::bytea FROM daily_users ORDER BY day, segment").fetchall()
    check(f"the result column's type is hll (oid {bcur.description[0].type_code})",
          bcur.description[0].type_code == hll_oid)
    check("each value arrives as bytes, equal to users::bytea",
          len(bin_rows) == n and all(type(b) is bytes and b == bytes(c) == r[2]
                                     for (b, c), r in zip(bin_rows, rows)))

    # ------------------------------------------------------------ writing
    step("writing sketches back: from bytes, from text, as binary hll parameters")
    samples = {}
    for r, d in good:
        samples.setdefault(d["type"], r)
    ins = "INSERT INTO sketch_inbox (name, users) VALUES (%s, {})"
    for kind, r in sorted(samples.items()):
        day, segment, b = r[0], r[1], r[2]
        name = TYPES[kind].lower()
        cur.execute(ins.format("%s::bytea::hll"), (f"{name}-bytes", b))
        cur.execute(ins.format("%s::hll"), (f"{name}-text", "\\x" + b.hex()))
        got = cur.execute("""
            SELECT bool_and(i.users = d.users AND i.users::text = d.users::text
                            AND hll_cardinality(i.users) = hll_cardinality(d.users)), count(*)
            FROM sketch_inbox i, daily_users d
            WHERE i.name IN (%s, %s) AND d.day = %s AND d.segment = %s""",
                          (f"{name}-bytes", f"{name}-text", day, segment)).fetchone()
        check(f"{TYPES[kind]} ({day} {segment}, {len(b)} bytes): written from a bytes "
              "parameter (%s::bytea::hll) and from a text one (%s::hll), both equal the "
              "original", got == (True, 2), str(got))

    register_hll(conn)
    acur = conn.cursor()  # cursors copy the connection's adapters when created
    for kind, r in sorted(samples.items()):
        name = TYPES[kind].lower()
        acur.execute(ins.format("%b"), (f"{name}-binary", Hll(r[2])))
    got = acur.execute("""SELECT i.users, i.users = d.users FROM sketch_inbox i
        JOIN daily_users d ON i.name LIKE '%%-binary' AND i.users = d.users
        ORDER BY i.name""").fetchall()
    check(f"with an Hll adapter, binary hll parameters (hll_recv) store the same sketches "
          f"({len(got)} of {len(samples)})",
          len(got) == len(samples) and all(ok for _, ok in got))
    check("and the adapter loads hll results as Hll in text and binary format",
          all(type(h) is Hll for h, _ in got)
          and conn.cursor(binary=True).execute("SELECT users FROM sketch_inbox ORDER BY name").fetchall()
          == acur.execute("SELECT users FROM sketch_inbox ORDER BY name").fetchall())

    # ------------------------------------------------------------ server-side unions
    step("unions on the server, from client-supplied sketches, against psql")
    a = next(r[2] for r in rows if r[0] == rows[0][0] and r[1] == "free")  # FULL
    b = next(r[2] for r in rows if r[0] == rows[0][0] and r[1] == "pro")  # SPARSE
    union_q = "SELECT hll_cardinality(%s::bytea::hll || %s::bytea::hll), hll_union(%s::hll, %s::hll)::text"
    params = (a, b, "\\x" + a.hex(), "\\x" + b.hex())
    got = cur.execute(union_q, params).fetchone()
    check(f"hll_union of two sketches sent as bytes and as text: {got[0]:.1f}",
          same_rows([got], psql_rows(mogrify(union_q, params))))
    want = cur.execute("""SELECT hll_union_agg(users)::text FROM daily_users
                          WHERE day = %s AND segment IN ('free', 'pro')""", (rows[0][0],)).fetchone()
    check("equals hll_union_agg of the stored ones, byte for byte", got[1] == want[0])
    inbox_q = """SELECT split_part(name, '-', 2) AS via, hll_cardinality(hll_union_agg(users)),
                        count(*) FROM sketch_inbox GROUP BY 1 ORDER BY 1"""
    got = cur.execute(inbox_q).fetchall()
    check(f"hll_union_agg over what the client wrote: "
          f"{', '.join(f'{v} {c:.1f}' for v, c, _ in got)}, same through psql",
          len(got) == 3 and len({c for _, c, _ in got}) == 1
          and same_rows(got, psql_rows(inbox_q)))

    # ------------------------------------------------------------ errors
    step("bad sketches from the client fail cleanly, with their SQLSTATE")
    probes = [
        ("corrupt bytes cast from bytea", "SELECT %s::bytea::hll", (b"\x15\x8b\x7f",), "22P03"),
        ("bad text input", "SELECT %s::hll", ("\\x12zz",), "22P02"),
        ("bad binary input (an EXPLICIT body of 5 bytes)", "SELECT %b",
         (Hll(b"\x12\x8b\x7f\x00\x00\x00\x00\x01"),), "22P03"),
    ]
    for what, q, params, state in probes:
        try:
            acur.execute(q, params)
            check(f"{what}: raises {state}", False, "no error")
        except psycopg.Error as e:
            check(f"{what}: raises {state} ({type(e).__name__})", e.sqlstate == state,
                  f"{e.sqlstate}: {e}")
    check("the connection is still usable",
          acur.execute("SELECT count(*) FROM daily_users").fetchone()[0] == n)

    conn.close()
    print(f"\nclient: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a crash is a failure, with the counts so far
        import traceback
        traceback.print_exc()
        print(f"\nclient: {passed} passed, {failed + 1} failed")
        sys.exit(1)
