#!/usr/bin/env bash
# Runs every fuzz target in tests/fuzz for a while, two at a time, and prints
# one line per target. Needs a nightly toolchain and cargo-fuzz (installed here
# when missing). Crashes land in tests/fuzz/artifacts/<target>/: copy each to
# tests/fuzz/regressions/<target>/ so `cargo test` replays it forever.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 600, all)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_PER_TARGET="${1:-600}"
shift || true
FUZZ_DIR="$REPO/tests/fuzz"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    mapfile -t TARGETS < <(cd "$FUZZ_DIR/fuzz_targets" && ls ./*.rs | sed 's|^\./||; s|\.rs$||')
fi

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cd "$REPO"
cargo +nightly fuzz build --fuzz-dir "$FUZZ_DIR" >/dev/null

LOGS="$REPO/target/fuzz-logs"
mkdir -p "$LOGS"
run_one() {
    local target=$1
    mkdir -p "$FUZZ_DIR/corpus/$target"
    # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: a leak or a blow-up.
    if cargo +nightly fuzz run --fuzz-dir "$FUZZ_DIR" "$target" \
        "$FUZZ_DIR/corpus/$target" "$FUZZ_DIR/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
        >"$LOGS/$target.log" 2>&1; then
        local runs
        runs=$(grep -o 'Done [0-9]* runs' "$LOGS/$target.log" | tail -1)
        echo "$target: clean after ${SECONDS_PER_TARGET}s (${runs:-?})"
    else
        echo "$target: FAILED, see $LOGS/$target.log and tests/fuzz/artifacts/$target/"
        return 1
    fi
}

status=0
pids=()
for target in "${TARGETS[@]}"; do
    run_one "$target" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
