#!/usr/bin/env bash
# PostgreSQL owns the memory (tests/memory/check.py): hash aggregation spills within
# work_mem, allocation failures in an aggregate and in a function are ERROR 53200 and
# the session goes on. Runs on its own cluster under target/ with shared_buffers at
# 16 MB, so that the backend's peak RSS measures its private memory.
# Usage: tests/memory/run.sh   (prints "memory: N passed, M failed")
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tests/cluster.sh

work=$root/target/memory
rm -rf "$work" && mkdir -p "$work"
trap 'cluster_stop "$work/cluster"' EXIT
PGPORT_WANTED=56990 PG_EXTRA_OPTS="-c shared_buffers=16MB" cluster_start "$work/cluster"
psql -X -q -d postgres -c "CREATE DATABASE memory"
PGDATABASE=memory python3 tests/memory/check.py
