#!/usr/bin/env bash
# The serve benchmark (issue 17): flaskdock's image against the baseline
# `docker init` writes for a Python app (one stage, `pip install -r
# requirements.txt`, `CMD gunicorn 'app:app' --bind=0.0.0.0:8000`), for one
# small app with an I/O-bound route (a 50 ms wait) and a light one, on the
# container tier's engine and stand-in base images.
#
# Each image runs alone with the same limits (--cpus 2 --memory 512m); wrk
# (64 connections, 20 s, 2 threads) loads each route from this machine. It
# prints requests per second and p99 latency per route, the time from `run`
# to the first 200, the image size, and the ratios. A benchmark, not a test:
# it fails only when something does not build or serve.
#
# Usage: scripts/serve-bench.sh [SECONDS]     (default 20 per route)
set -euo pipefail

DURATION="${1:-20}"
STARTS=25    # fresh starts of each image whose median is the time to the first 200
# shellcheck source=scripts/container-tier.sh
source "$(dirname "$0")/container-tier.sh"

BENCH_PORT_BASE=18180

# Writes the benchmark's app to DIR: `/` answers at once, `/io` waits 50 ms
# (a database or an API call), as most Flask views do.
write_app() {
    local dir=$1
    mkdir -p "$dir"
    printf 'Flask==3.1.3\ngunicorn==27.0.1\n' >"$dir/requirements.txt"
    cat >"$dir/app.py" <<'PY'
import time

from flask import Flask

app = Flask(__name__)


@app.get("/")
def light():
    return "ok\n"


@app.get("/io")
def io_bound():
    time.sleep(0.05)
    return "waited 50 ms\n"
PY
}

# The baseline: what `docker init` writes for a Python app, reduced to what
# decides serving (one stage, the requirements, gunicorn with its defaults).
write_baseline() {
    local dir=$1
    cat >"$dir/Dockerfile" <<'DOCKERFILE'
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN python -m pip install -r requirements.txt
COPY . .
USER 10001
EXPOSE 8000
CMD gunicorn 'app:app' --bind=0.0.0.0:8000
DOCKERFILE
}

# Seconds (with milliseconds) from START (a Unix time) to the first 200 on
# URL; bounded. One Python process polls every 5 ms: a `curl` started for each
# attempt costs a process start every few milliseconds on the same two cores
# the container's workers boot on, which measured the poller more than the
# image (about 100 ms more on both images, and more on the image that boots
# two workers at once).
first_200() {
    python3 - "$1" "$2" <<'PY'
import http.client, sys, time, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
start, deadline = float(sys.argv[2]), time.time() + 60
while time.time() < deadline:
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=1)
        conn.request("GET", url.path or "/")
        if conn.getresponse().status == 200:
            print(f"{time.time() - start:.3f}")
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.005)
sys.exit(1)
PY
}

# "requests/s p99_ms" of wrk on URL.
load() {
    local url=$1 out rps p99
    out=$(timeout $((DURATION + 30)) wrk -t2 -c64 -d"${DURATION}s" --latency "$url")
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; print v}')
    echo "$rps ${p99:-nan}"
}

# The seconds from `run` to the first 200 of one fresh container of IMAGE.
one_start() {
    local image=$1 port=$2 container=$3 start took
    start=$(python3 -c 'import time; print(time.time())')
    "$ENGINE" run -d --name "$container" --cpus 2 --memory 512m \
        -p "127.0.0.1:$port:8000" "$image" >/dev/null
    took=$(first_200 "http://127.0.0.1:$port/" "$start") \
        || { "$ENGINE" logs "$container" >&2; die "$image never answered"; }
    # (killed: the baseline's shell-form CMD never passes SIGTERM on)
    "$ENGINE" kill "$container" >/dev/null 2>&1 || true
    "$ENGINE" rm -f -v "$container" >/dev/null
    echo "$took"
}

# The median time to the first 200 of each image (baseline, flaskdock), over
# STARTS fresh containers each, the two taking turns so that the machine's
# drift falls on both alike. Sets STARTS_BASE, STARTS_OURS and STARTS_DIFF.
time_starts() {
    local base=$1 ours=$2 times_base=() times_ours=()
    # shellcheck disable=SC2016 # an awk program: its $1 is awk's
    local median='{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
    CONTAINERS+=("$PREFIX-bench-start")
    for _ in $(seq 1 "$STARTS"); do
        times_base+=("$(one_start "$base" "$BENCH_PORT_BASE" "$PREFIX-bench-start")")
        times_ours+=("$(one_start "$ours" "$BENCH_PORT_BASE" "$PREFIX-bench-start")")
    done
    log "first 200, baseline: $(printf '%s\n' "${times_base[@]}" | sort -n | paste -sd' ')"
    log "first 200, flaskdock: $(printf '%s\n' "${times_ours[@]}" | sort -n | paste -sd' ')"
    STARTS_BASE=$(printf '%s\n' "${times_base[@]}" | sort -n | awk "$median")
    STARTS_OURS=$(printf '%s\n' "${times_ours[@]}" | sort -n | awk "$median")
    # Each flaskdock start minus the baseline start of the same turn: the
    # median of those differences, with a 95% bootstrap interval (fixed seed).
    STARTS_DIFF=$(python3 - "${times_base[*]}" "${times_ours[*]}" <<'PY'
import random, statistics, sys
base, ours = ([float(x) for x in arg.split()] for arg in sys.argv[1:3])
diffs = [o - b for b, o in zip(base, ours)]
rng = random.Random(17)
boot = sorted(statistics.median(rng.choices(diffs, k=len(diffs))) for _ in range(2000))
print(f"{statistics.median(diffs) * 1000:+.0f} ms (95% interval {boot[50] * 1000:+.0f} to {boot[1949] * 1000:+.0f} ms)")
PY
)
}

# Runs IMAGE alone and loads it; sets BENCH_RESULT to "LABEL rps_io p99_io
# rps_light p99_light first_200_s size_mb" (the first 200 given). Not in a
# subshell: the containers it starts must reach the cleanup.
bench_image() {
    local label=$1 image=$2 index=$3 up=$4 port container io light size
    port=$((BENCH_PORT_BASE + 1 + index))
    container="$PREFIX-bench-$index"
    CONTAINERS+=("$container")
    "$ENGINE" run -d --name "$container" --cpus 2 --memory 512m \
        -p "127.0.0.1:$port:8000" "$image" >/dev/null
    first_200 "http://127.0.0.1:$port/" "$(python3 -c 'import time; print(time.time())')" >/dev/null \
        || { "$ENGINE" logs "$container" >&2; die "$label never answered"; }
    io=$(load "http://127.0.0.1:$port/io")
    light=$(load "http://127.0.0.1:$port/")
    size=$("$ENGINE" image inspect --format '{{.Size}}' "$image")
    "$ENGINE" rm -f -v "$container" >/dev/null
    BENCH_RESULT="$label $io $light $up $((size / 1000000))"
}

bench_main() {
    command -v curl >/dev/null || die "curl is needed"
    mkdir -p "$LOGS"
    setup_engine
    IMAGES_BEFORE=$("$ENGINE" images -qa | sort -u)
    if ! command -v wrk >/dev/null; then
        [ "$(id -u)" = 0 ] || die "wrk is missing; install it (apt-get install wrk)"
        log "installing wrk"
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq wrk >/dev/null
    fi
    ensure_python_image
    log "building flaskdock"
    (cd "$REPO" && cargo build --locked --quiet)
    FLASKDOCK="$REPO/target/debug/flaskdock"

    local ours="$WORK/bench-flaskdock" base="$WORK/bench-baseline"
    write_app "$ours"
    write_app "$base"
    write_baseline "$base"
    "$FLASKDOCK" init "$ours" --yes -q
    build_args "$ours"
    local image_ours="localhost/$PREFIX-bench-flaskdock:latest" image_base="localhost/$PREFIX-bench-baseline:latest"
    IMAGES+=("$image_ours" "$image_base")
    log "building flaskdock's image"
    timeout 1800 "$ENGINE" build "${BUILD_FLAGS[@]}" "${BUILD_ARGS[@]}" -t "$image_ours" "$ours" \
        >"$LOGS/bench-flaskdock-build.log" 2>&1 || die "flaskdock's image did not build ($LOGS/bench-flaskdock-build.log)"
    log "building the baseline image"
    timeout 1800 "$ENGINE" build "${BUILD_FLAGS[@]}" --build-arg PYTHON_VERSION="$PY_STANDIN" -t "$image_base" "$base" \
        >"$LOGS/bench-baseline-build.log" 2>&1 || die "the baseline image did not build ($LOGS/bench-baseline-build.log)"

    log "loading each image for ${DURATION}s a route"
    local a b
    log "timing $STARTS fresh starts of each image, in turns"
    time_starts "$image_base" "$image_ours"
    bench_image baseline "$image_base" 0 "$STARTS_BASE"
    b=$BENCH_RESULT
    bench_image flaskdock "$image_ours" 1 "$STARTS_OURS"
    a=$BENCH_RESULT
    python3 - "$a" "$b" "$DURATION" <<'PY'
import sys
names = ["rps /io", "p99 /io ms", "rps /", "p99 / ms", "first 200 s", "image MB"]
ours = [float(x) for x in sys.argv[1].split()[1:]]
base = [float(x) for x in sys.argv[2].split()[1:]]
print(f"\nserve benchmark: --cpus 2 --memory 512m, wrk -t2 -c64 -d{sys.argv[3]}s from the same 2-core machine")
print(f"{'':<14}{'baseline':>12}{'flaskdock':>12}{'ratio':>9}")
for name, b, a in zip(names, base, ours):
    ratio = a / b if b else float("nan")
    digits = 3 if name.startswith("first") else 2
    print(f"{name:<14}{b:>12.{digits}f}{a:>12.{digits}f}{ratio:>8.2f}x")
PY
    echo "first 200, flaskdock's start minus the baseline's of the same turn (median of $STARTS): $STARTS_DIFF"
}

bench_main
