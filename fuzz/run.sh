#!/usr/bin/env bash
# Run each fuzz target for a set time, seeded from ../shared, and keep cumulative execution counts.
#
#   fuzz/run.sh SECONDS [TARGET...]        # default: every target; from anywhere in the workspace
#   nohup fuzz/run.sh 900 parse archive > /tmp/fuzz.out 2>&1 &
#
# For each target: writes its seeds from ../shared into fuzz/seeds/<target>/ (read only by the
# fuzzer), builds the target with `cargo +nightly fuzz build` and runs its libFuzzer binary on
# fuzz/corpus/<target> (new inputs) and fuzz/seeds/<target> for SECONDS, appends a line to
# fuzz/executions.tsv (target, date, seconds actually run (a crash stops a run early),
# executions, crashes, the build flags; executions from libFuzzer's
# final `stat::number_of_executed_units`, else its last `#N` line), then prints the cumulative
# totals per target. Logs go to fuzz/logs/, crashes to fuzz/artifacts/<target>/ (replayed by
# the stable tests).
#
# Environment:
#   JOBS=2          targets run at the same time (each uses one core)
#   MAX_LEN_<target>=N   libFuzzer -max_len (defaults below: small inputs keep a fuzzer fast)
#   FUZZ_BUILD_FLAGS="-s none"   flags for `cargo fuzz build/run` (no ASan: the code is safe Rust;
#                   debug assertions and overflow checks stay on)
#   CABLES_SHARED   where ../shared is (default: beside the workspace)
set -euo pipefail

usage() { echo "usage: $0 SECONDS [TARGET...]   (targets: ${ALL_TARGETS[*]})" >&2; exit 2; }
ALL_TARGETS=(parse html cables_csv archive query)

[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
SECONDS_PER_RUN=$1
shift
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "unknown target: $t" >&2; usage; }
done

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FUZZ_DIR")
cd "$ROOT"
JOBS=${JOBS:-2}
read -r -a BUILD_FLAGS <<< "${FUZZ_BUILD_FLAGS--s none}"
TSV=$FUZZ_DIR/executions.tsv
mkdir -p "$FUZZ_DIR/logs"

max_len() {
    local var="MAX_LEN_$1"
    if [[ -n ${!var:-} ]]; then echo "${!var}"; return; fi
    case $1 in
        parse) echo 8192 ;;       # a cable heading and its first paragraphs
        html) echo 16384 ;;       # the head of a page: metadata table and heading block
        cables_csv) echo 16384 ;; # seeds are 3-record chunks of cables.csv
        archive) echo 32768 ;;
        query) echo 4200 ;;       # just past cable_query::MAX_QUERY_LEN (4096)
    esac
}

echo "== seeds from ../shared"
for t in "${TARGETS[@]}"; do
    rm -rf "$FUZZ_DIR/seeds/$t"
    cargo run --quiet -p cable-testdata --example fuzz_seeds -- "$t" "$FUZZ_DIR/seeds/$t"
    mkdir -p "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/artifacts/$t"
done

echo "== build"
for t in "${TARGETS[@]}"; do
    # Into fuzz/target whatever CARGO_TARGET_DIR says: the binaries are run from there.
    CARGO_TARGET_DIR=$FUZZ_DIR/target \
        cargo +nightly fuzz build "${BUILD_FLAGS[@]}" "$t" > "$FUZZ_DIR/logs/build-$t.log" 2>&1 \
        || { tail -n 20 "$FUZZ_DIR/logs/build-$t.log" >&2; echo "build of $t failed" >&2; exit 1; }
done
BIN_DIR=$FUZZ_DIR/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release

[[ -s $TSV ]] || printf 'target\tdate\tseconds\texecutions\tcrashes\tbuild\n' > "$TSV"

run_one() {
    local t=$1 stamp log before after execs crashes start elapsed
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    log=$FUZZ_DIR/logs/$t-$stamp.log
    before=$(find "$FUZZ_DIR/artifacts/$t" -type f | wc -l)
    echo "-- $t: ${SECONDS_PER_RUN}s, log $log"
    # The binary `cargo fuzz run` would start, started directly so that its pid is known.
    # libFuzzer exits non-zero on a crash; the count is still recorded.
    start=$(date +%s)
    "$BIN_DIR/$t" -artifact_prefix="$FUZZ_DIR/artifacts/$t/" \
        -max_total_time="$SECONDS_PER_RUN" -max_len="$(max_len "$t")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/seeds/$t" > "$log" 2>&1 &
    echo $! > "$FUZZ_DIR/logs/$t.pid"
    wait $! || true
    rm -f "$FUZZ_DIR/logs/$t.pid"
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    if [[ -z $execs ]]; then
        execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n 1)
    fi
    after=$(find "$FUZZ_DIR/artifacts/$t" -type f | wc -l)
    crashes=$((after - before))
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$elapsed" \
        "${execs:-0}" "$crashes" "${BUILD_FLAGS[*]}" >> "$TSV"
    echo "-- $t: ${execs:-0} executions in ${elapsed}s, $crashes crash(es)"
    if [[ $crashes -gt 0 ]]; then
        grep -m 5 -E 'panicked at|ERROR: libFuzzer|deadly signal|Test unit written' "$log" || true
    fi
}

cleanup() {
    local f
    for f in "$FUZZ_DIR"/logs/*.pid; do
        [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true
    done
}
trap 'cleanup; exit 130' INT TERM

echo "== run (${JOBS} at a time)"
for t in "${TARGETS[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $JOBS ]]; do wait -n || true; done
    run_one "$t" &
done
wait

echo "== cumulative executions (fuzz/executions.tsv)"
printf "%-12s %6s %8s %14s %8s\n" target runs seconds executions crashes
awk -F'\t' 'NR > 1 { runs[$1]++; secs[$1] += $3; ex[$1] += $4; cr[$1] += $5 }
    END { for (t in ex) printf "%-12s %6d %8d %14d %8d\n", t, runs[t], secs[t], ex[t], cr[t] }' \
    "$TSV" | sort
