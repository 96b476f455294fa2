#!/usr/bin/env bash
# The Kubernetes tier's static half: for every example (or those named),
# `flaskdock init --kubernetes` into a temporary folder, then for each overlay
# `kubectl kustomize` renders it, `kubernetes-validate --strict` accepts every
# object, and `checkov --framework kubernetes` reports no failed check (skips
# are written in the manifests, each with its reason). No cluster is needed;
# the pods themselves run in the container tier (`podman kube play`).
#
#   bash scripts/k8s-check.sh [EXAMPLE...]
#
# Installs what it lacks: kubectl from apt (kubernetes-client), the two
# validators (and pipenv, to lock the pipenv example) into virtualenvs under $FLASKDOCK_K8S_CACHE (default
# /var/cache/flaskdock-k8s, else ~/.cache/flaskdock-k8s).
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30
PIPENV_VERSION=2026.10.3

log() { printf '[k8s] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

cache=${FLASKDOCK_K8S_CACHE:-/var/cache/flaskdock-k8s}
mkdir -p "$cache" 2>/dev/null || cache="$HOME/.cache/flaskdock-k8s"
mkdir -p "$cache"
venv="$cache/venv-$KUBE_VALIDATE_VERSION-$CHECKOV_VERSION"
pipenv_venv="$cache/pipenv-$PIPENV_VERSION"   # apart: its pins conflict with checkov's

if ! command -v kubectl >/dev/null; then
    log "installing kubectl (Debian's kubernetes-client)"
    [ "$(id -u)" = 0 ] || die "kubectl is missing; install kubernetes-client"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kubernetes-client >/dev/null \
        || { timeout 300 apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kubernetes-client >/dev/null; } \
        || die "could not install kubernetes-client"
fi
if [ ! -x "$venv/bin/checkov" ] || [ ! -x "$venv/bin/kubernetes-validate" ]; then
    log "installing kubernetes-validate $KUBE_VALIDATE_VERSION and checkov $CHECKOV_VERSION into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    timeout 900 "$venv/bin/pip" install -q --disable-pip-version-check \
        "kubernetes-validate==$KUBE_VALIDATE_VERSION" "checkov==$CHECKOV_VERSION" \
        || die "could not install the validators"
fi
if [ ! -x "$pipenv_venv/bin/pipenv" ]; then
    log "installing pipenv $PIPENV_VERSION into $pipenv_venv"
    rm -rf "$pipenv_venv"
    python3 -m venv "$pipenv_venv"
    timeout 900 "$pipenv_venv/bin/pip" install -q --disable-pip-version-check "pipenv==$PIPENV_VERSION" \
        || die "could not install pipenv"
fi

cargo build --locked -q
flaskdock=$PWD/target/debug/flaskdock
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
    examples=("$@")
else
    examples=()
    for dir in examples/*/; do examples+=("$(basename "$dir")"); done
fi

failed=0
printf '%-22s %-5s %8s %10s %8s %8s\n' example tree objects validate passed skipped
for name in "${examples[@]}"; do
    project="$work/$name"
    cp -r "examples/$name" "$project"
    # Examples ship without Pipfile.lock (a lock names registry hosts), and init
    # refuses a Pipfile without one: lock it as the container tier does.
    if [ -f "$project/Pipfile" ] && [ ! -f "$project/Pipfile.lock" ]; then
        (cd "$project" && PIPENV_YES=1 PIPENV_VENV_IN_PROJECT=1 timeout 300 "$pipenv_venv/bin/pipenv" lock \
            >"$work/$name.lock.log" 2>&1 && rm -rf .venv) \
            || { cat "$work/$name.lock.log" >&2; log "$name: pipenv lock failed"; failed=1; continue; }
    fi
    if ! "$flaskdock" init "$project" --yes --quiet --kubernetes --ingress-host "$name.example.com" \
        >"$work/$name.init.log" 2>&1; then
        cat "$work/$name.init.log" >&2
        log "$name: flaskdock init --kubernetes failed"
        failed=1
        continue
    fi
    for overlay in dev prod; do
        dir="$project/k8s/overlays/$overlay"
        cp "$dir/secrets.env.example" "$dir/secrets.env"
        rendered="$work/$name-$overlay.yaml"
        if ! kubectl kustomize "$dir" >"$rendered" 2>"$work/err"; then
            log "$name/$overlay: kubectl kustomize failed: $(cat "$work/err")"
            failed=1
            continue
        fi
        objects=$(grep -c '^kind:' "$rendered" || true)
        if "$venv/bin/kubernetes-validate" --strict --quiet "$rendered" >"$work/err" 2>&1; then
            valid=ok
        else
            valid=FAILED
            failed=1
            cat "$work/err" >&2
        fi
        BC_SKIP_MAPPING=TRUE timeout 300 "$venv/bin/checkov" --framework kubernetes -f "$rendered" \
            --compact --quiet --skip-download --output json >"$work/checkov.json" 2>/dev/null || true
        read -r passed failures skipped < <(python3 -c '
import json, sys
data = json.load(open(sys.argv[1]))
s = (data[0] if isinstance(data, list) else data)["summary"]
print(s["passed"], s["failed"], s["skipped"])' "$work/checkov.json")
        if [ "$failures" != 0 ]; then
            failed=1
            BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" --framework kubernetes -f "$rendered" \
                --compact --quiet --skip-download 2>/dev/null | sed "s|^|    |" >&2 || true
        fi
        printf '%-22s %-5s %8s %10s %8s %8s\n' "$name" "$overlay" "$objects" "$valid" "$passed" \
            "$skipped$([ "$failures" = 0 ] || echo " ($failures FAILED)")"
    done
done
if [ "$failed" != 0 ]; then
    log "a check failed"
    exit 1
fi
log "every overlay rendered, validated strictly and passed checkov"
