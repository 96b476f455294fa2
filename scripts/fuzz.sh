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

# Seeds: the hand-written ones in tests/fuzz/seeds, the examples' own files, the
# files flaskdock writes for them, and the template manifests; copied into the
# working corpus (git-ignored) so that they are not kept twice in the repository.
seed() {
    local target=$1
    shift
    mkdir -p "$FUZZ_DIR/corpus/$target"
    local file
    for file in "$@"; do
        [ -f "$file" ] && cp "$file" "$FUZZ_DIR/corpus/$target/seed-$(echo "$file" | tr '/ ' '__')"
    done
    return 0
}
cargo build --quiet --locked
FLASKDOCK="$REPO/target/debug/flaskdock"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for example in "$REPO"/examples/*/; do
    name=$(basename "$example")
    "$FLASKDOCK" init --yes --quiet -o "$OUT/$name" "$example" || true
done
"$FLASKDOCK" template eject "$OUT/ejected" >/dev/null
cd "$REPO"
seed requirements examples/*/requirements*.txt examples/*/requirements/*.txt
seed python_source $(find examples -name '*.py')
seed pyproject examples/*/pyproject.toml
seed pipfile examples/*/Pipfile
seed template_manifest tests/fixtures/acme-set/flaskdock-template.toml "$OUT/ejected/flaskdock-template.toml"
seed dockerfile "$OUT"/*/Dockerfile
seed compose "$OUT"/*/docker-compose.yml
run_one() {
    local target=$1
    mkdir -p "$FUZZ_DIR/corpus/$target"
    # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: a leak or a blow-up.
    local seeds=()
    [ -d "$FUZZ_DIR/seeds/$target" ] && seeds=("$FUZZ_DIR/seeds/$target")
    if cargo +nightly fuzz run --fuzz-dir "$FUZZ_DIR" "$target" \
        "$FUZZ_DIR/corpus/$target" "${seeds[@]}" -- \
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
