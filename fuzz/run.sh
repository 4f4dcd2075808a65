#!/usr/bin/env bash
# Runs every fuzz target of hll-core (fuzz/fuzz_targets) with cargo-fuzz and
# libFuzzer, from the seed corpus in fuzz/corpus, with overflow checks on (-a) and
# without a sanitizer (-s none: the core is safe Rust, #![forbid(unsafe_code)], and
# the sanitizers need a nightly toolchain). A crash, panic, timeout (10 s) or memory
# blow-up (2 GB) fails the run and leaves its input in fuzz/artifacts/TARGET/.
#
#   bash fuzz/run.sh                    about a minute per target (the short pass)
#   bash fuzz/run.sh --seconds 20       shorter (tests/run.sh)
#   bash fuzz/run.sh --runs 10000000    the recorded run: that many executions per
#                                       target, figures in fuzz/results/latest.md
#   bash fuzz/run.sh ... TARGET...      only these targets (two invocations with
#                                       different targets use two cores)
# Prints "fuzz: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")"

limit=(-max_total_time=60) record=
targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) limit=(-max_total_time="$2"); shift 2 ;;
        --runs) limit=(-runs="$2"); record=$2; shift 2 ;;
        -*) echo "usage: $0 [--seconds S | --runs N] [TARGET...]" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(decode_bytes decode_hex parameters operations state_flatten ull_coded datasketches_decode)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> cargo install cargo-fuzz (about 2 minutes)"
    cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi
cargo fuzz build -s none -O -a >/dev/null 2>&1 || cargo fuzz build -s none -O -a

mkdir -p ../target/fuzz
passed=0 failed=0
for t in "${targets[@]}"; do
    # New inputs go to a scratch corpus under target/; the seeds in fuzz/corpus stay.
    scratch=../target/fuzz/corpus-$t
    mkdir -p "corpus/$t" "$scratch"
    log=../target/fuzz/$t.log
    start=$SECONDS
    if cargo fuzz run -s none -O -a "$t" "$scratch" "corpus/$t" -- "${limit[@]}" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        status=ok passed=$((passed + 1))
    else
        status=FAILED failed=$((failed + 1))
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    corpus=$(ls "$scratch" "corpus/$t" | wc -l)
    printf '  %-6s %-14s %12s executions in %5d s (%s/s), peak RSS %s MB\n' \
        "$status" "$t" "$runs" $((SECONDS - start)) "$speed" "$rss"
    [ "$status" = ok ] || { grep -E 'panicked|ERROR|SUMMARY|left|right|artifact' "$log" | head -8; }
    [ -z "$record" ] || echo "| $t | $runs | $((SECONDS - start)) | $speed | $rss | $corpus | $status |" \
        >"../target/fuzz/$t.row-$record"
done

if [ -n "$record" ]; then
    mkdir -p results
    {
        echo "# Fuzzing hll-core: $record executions per target"
        echo
        echo "- command: \`bash fuzz/run.sh --runs $record\` ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(rustc --version | cut -d' ' -f1-2), $(cargo fuzz --version))"
        echo "- libFuzzer, overflow checks on, no sanitizer; limits: 10 s per input, 2048 MB RSS"
        echo "- repository at \`$(git log -1 --format='%h %s' | cut -c1-100)\`"
        echo
        echo "| target | executions | seconds | per second | peak RSS MB | corpus files | result |"
        echo "|---|---:|---:|---:|---:|---:|---|"
        # Every target's latest row of this size, also those run by another
        # invocation in parallel (one target per core).
        for t in decode_bytes decode_hex parameters operations state_flatten ull_coded datasketches_decode; do
            cat "../target/fuzz/$t.row-$record" 2>/dev/null || echo "| $t | not run | | | | | |"
        done
    } >results/latest.md
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
