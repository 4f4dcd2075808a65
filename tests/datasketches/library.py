"""Sketches made by the Apache DataSketches library (PyPI `datasketches`), and checks of
what our Rust codec wrote, for tests/datasketches/run.sh.

    library.py gen DIR     write sketches, unions and hashed sketches with expected
                           results into DIR (manifest.txt lists the cases)
    library.py verify DIR  read the union results our codec wrote into DIR with the
                           library: they must deserialize and equal the library's own

Numbers are written with repr(), so the Rust side compares them bit for bit.
"""

import os
import sys

import datasketches as ds

TARGETS = {4: ds.tgt_hll_type.HLL_4, 6: ds.tgt_hll_type.HLL_6, 8: ds.tgt_hll_type.HLL_8}


def stats(s):
    """Estimate, lower bounds at 1-3 sd, upper bounds at 1-3 sd (sketch or union)."""
    vals = [s.get_estimate()]
    vals += [s.get_lower_bound(i) for i in (1, 2, 3)]
    vals += [s.get_upper_bound(i) for i in (1, 2, 3)]
    return " ".join(repr(v) for v in vals)


def build(lg_k, bits, start, n, step=1):
    s = ds.hll_sketch(lg_k, TARGETS[bits])
    for v in range(start, start + n * step, step):
        s.update(v)
    return s


def counts_for(lg_k):
    k = 1 << lg_k
    # Empty, LIST, the LIST->SET/HLL edge, SET (from lg_k 8), just past the SET's
    # limit, and HLL well into estimation; capped so lg_k 21 stays quick.
    ns = [0, 1, 7, 8, 100, 1000, (3 * k) // 32 + 50, 3 * k, 20 * k]
    return sorted({n for n in ns if n <= 300_000})


def gen(out):
    os.makedirs(out, exist_ok=True)
    man = []
    seq = [0]

    def write(data):
        seq[0] += 1
        name = f"s{seq[0]}.bin"
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes(data))
        return name

    def sketch_case(s, what):
        for compact in (True, False):
            data = s.serialize_compact() if compact else s.serialize_updatable()
            again = ds.hll_sketch.deserialize(data)
            # The library rebuilds hash tables when reading (SET, HLL_4 exceptions), so
            # the bytes it writes back can order them differently: those are the
            # reference for our re-encoding.
            back = again.serialize_compact() if compact else again.serialize_updatable()
            man.append(
                f"sketch {write(data)} {write(back)} {stats(again)} # {what} {'compact' if compact else 'updatable'}"
            )

    # Every variant the library writes: lg_k 4..21, HLL_4/6/8, LIST/SET/HLL modes.
    for lg_k in range(4, 22):
        for bits in (4, 6, 8):
            for n in counts_for(lg_k):
                sketch_case(build(lg_k, bits, 0, n), f"lg_k {lg_k} HLL_{bits} n {n}")
            # Out of order: a union's result, estimated by the composite estimator.
            u = ds.hll_union(lg_k)
            u.update(build(lg_k, 8, 0, 3 << lg_k))
            u.update(build(lg_k, bits, 1 << lg_k, 3 << lg_k))
            sketch_case(u.get_result(TARGETS[bits]), f"lg_k {lg_k} HLL_{bits} union result")

    def union_case(lg_max, inputs, what):
        # The C++ library's union loses inputs after folding a larger sketch (its stale
        # register sums make the state look empty); when lg_k differ, the reference
        # is a chain of two-input unions, which the bug does not reach.
        same = all(s.lg_config_k == inputs[0].lg_config_k for s in inputs) and inputs[0].lg_config_k <= lg_max
        if same:
            u = ds.hll_union(lg_max)
            for s in inputs:
                u.update(s)
        else:
            acc = None
            for s in inputs:
                u = ds.hll_union(lg_max)
                if acc is not None:
                    u.update(acc)
                u.update(s)
                acc = u.get_result(ds.tgt_hll_type.HLL_8)
        names = [write(s.serialize_compact() if i % 2 else s.serialize_updatable()) for i, s in enumerate(inputs)]
        ustats = stats(u)
        for bits in (4, 6, 8):
            r = u.get_result(TARGETS[bits])
            for compact in (True, False):
                ref = write(r.serialize_compact() if compact else r.serialize_updatable())
                mine = f"u{seq[0]}.out"
                man.append(
                    f"union {mine} {ref} {lg_max} {bits} {int(compact)} {ustats} {stats(r)} {' '.join(names)} # {what}"
                )

    for lg_k in (4, 5, 7, 8, 10, 12, 14, 16, 21):
        k = 1 << lg_k
        small = (3 * k) // 32 + 10
        union_case(lg_k, [build(lg_k, 4, 0, 3)], f"lg_k {lg_k} one LIST")
        union_case(lg_k, [build(lg_k, 4, 0, 5), build(lg_k, 6, 3, 6)], f"lg_k {lg_k} LIST+LIST")
        union_case(lg_k, [build(lg_k, 8, 0, small), build(lg_k, 4, 7, 5)], f"lg_k {lg_k} SET+LIST")
        union_case(lg_k, [build(lg_k, 4, 0, 5), build(lg_k, 6, 100, 4 * k)], f"lg_k {lg_k} LIST+HLL")
        union_case(lg_k, [build(lg_k, 6, 0, 4 * k), build(lg_k, 8, 0, small)], f"lg_k {lg_k} HLL+SET")
        union_case(
            lg_k,
            [build(lg_k, 4, 0, 4 * k), build(lg_k, 6, 2 * k, 4 * k), build(lg_k, 8, 5 * k, 2 * k)],
            f"lg_k {lg_k} three HLL",
        )
    for lg_max, ks in ((12, (14, 10, 12)), (10, (12, 12)), (21, (8, 16, 11)), (8, (4, 9, 6))):
        inputs = [build(lg, (4, 6, 8)[i % 3], i * 50_000, 3 << lg) for i, lg in enumerate(ks)]
        union_case(lg_max, inputs, f"lg_max {lg_max} from lg_k {ks}")
    union_case(12, [build(14, 4, 0, 80_000)], "lg_max 12 one HLL of lg_k 14")

    # Hashing: the same values through the library's update and ours give the same
    # bytes (LIST, SET and HLL modes; HIP follows the insertion order, kept the same).
    def hash_case(kind, lg_k, bits, values, what):
        s = ds.hll_sketch(lg_k, TARGETS[bits])
        for v in values:
            s.update(v)
        vals = write(
            "\n".join(str(v) if kind == "int" else v.encode("utf-8").hex() for v in values).encode() + b"\n"
        )
        man.append(f"hash {write(s.serialize_updatable())} {lg_k} {bits} {kind} {vals} # {what}")

    ints = [0, 1, -1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 42, 1 << 40]
    hash_case("int", 12, 8, ints, "edge integers (LIST then SET)")
    hash_case("int", 10, 8, list(range(-20_000, 20_000, 3)), "integers into HLL mode")
    hash_case("int", 10, 4, list(range(-20_000, 20_000, 3)), "integers into HLL_4")
    words = ["a", "abc", "Straße", "日本語", "emoji 🎉", "x" * 300] + [f"user-{i}" for i in range(5000)]
    hash_case("str", 14, 8, words, "strings (UTF-8)")
    hash_case("str", 8, 6, words, "strings into HLL_6")

    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.write("\n".join(man) + "\n")
    print(f"datasketches library {getattr(ds, '__version__', '?')}: {len(man)} cases written to {out}")


def verify(out):
    passed = failed = 0
    with open(os.path.join(out, "manifest.txt")) as f:
        lines = [l.split("#")[0].split() for l in f if l.startswith("union ")]
    for fields in lines:
        mine, ref = fields[1], fields[2]
        path = os.path.join(out, mine)
        try:
            with open(path, "rb") as f:
                ours = ds.hll_sketch.deserialize(f.read())
            with open(os.path.join(out, ref), "rb") as f:
                theirs = ds.hll_sketch.deserialize(f.read())
            ok = stats(ours) == stats(theirs) and ours.tgt_type == theirs.tgt_type
            ok = ok and ours.lg_config_k == theirs.lg_config_k
        except Exception as e:  # a result the library cannot read is a failure
            print(f"FAIL verify {mine}: {e}")
            ok = False
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL verify {mine}: ours {stats(ours)} library {stats(theirs)}")
    print(f"library reads our unions: {passed} passed, {failed} failed")


if __name__ == "__main__":
    {"gen": gen, "verify": verify}[sys.argv[1]](sys.argv[2])
