#!/usr/bin/env bash
# The DataSketches HLL codec (hll_core::datasketches) against the Apache DataSketches
# library itself (PyPI `datasketches`): library.py writes sketches of every variant
# (lg_k 4-21, HLL_4/6/8, LIST/SET/HLL, compact and updatable, in and out of order),
# unions and hashed sketches with the library's results; the Rust example
# core/examples/datasketches_check.rs reads them, compares estimates, bounds and bytes
# bit for bit and writes its unions, which library.py reads back with the library.
# No database is involved.
# Usage: bash tests/datasketches/run.sh
# Last line: `datasketches: N passed, M failed`, or `datasketches: skipped (why)` when
# the library cannot be installed (a skip is not a pass).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import datasketches' 2>/dev/null; then
    echo "==> pip install datasketches"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check datasketches 2>&1 |
        grep -v 'Running pip as the .root. user' || true
    if ! "$PYTHON" -c 'import datasketches' 2>/dev/null; then
        echo "datasketches: skipped (pip install datasketches failed)"
        exit 0
    fi
fi

work=$root/target/datasketches-check
rm -rf "$work" && mkdir -p "$work"
"$PYTHON" tests/datasketches/library.py gen "$work"
cargo build --release --quiet -p hll-core --example datasketches_check
rust_log=$work/rust.log
"$root/target/release/examples/datasketches_check" "$work" | tee "$rust_log" | grep -v '^rust codec:' || true
tail -1 "$rust_log"
lib_log=$work/library.log
"$PYTHON" tests/datasketches/library.py verify "$work" | tee "$lib_log"
count() { tail -1 "$1" | grep -Eo "[0-9]+ $2" | grep -Eo '[0-9]+' || echo 0; }
passed=$(($(count "$rust_log" passed) + $(count "$lib_log" passed)))
failed=$(($(count "$rust_log" failed) + $(count "$lib_log" failed)))
# A run that stopped early has no summary line: count it as a failure.
grep -q '^rust codec: ' "$rust_log" || failed=$((failed + 1))
grep -q '^library reads our unions: ' "$lib_log" || failed=$((failed + 1))
echo "datasketches: $passed passed, $failed failed"
[ "$failed" = 0 ]
