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
# validators into a virtualenv under $FLASKDOCK_K8S_CACHE (default
# /var/cache/flaskdock-k8s, else ~/.cache/flaskdock-k8s).
set -euo pipefail
cd "$(dirname "$0")/.."

KUBE_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30

log() { printf '[k8s] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

cache=${FLASKDOCK_K8S_CACHE:-/var/cache/flaskdock-k8s}
mkdir -p "$cache" 2>/dev/null || cache="$HOME/.cache/flaskdock-k8s"
mkdir -p "$cache"
venv="$cache/venv-$KUBE_VALIDATE_VERSION-$CHECKOV_VERSION"

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
    # An example that needs a lock first (pipenv) is given the flags the
    # container tier would lock it for; init's own refusal is tested elsewhere.
    if ! "$flaskdock" init "$project" --yes --quiet --kubernetes --ingress-host "$name.example.com" \
        >"$work/$name.init.log" 2>&1; then
        if grep -q "has no \`Pipfile.lock\`" "$work/$name.init.log"; then
            printf '%-22s skipped: needs `pipenv lock` first (the container tier locks it)\n' "$name"
            continue
        fi
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
