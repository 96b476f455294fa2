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
trap '[ -n "${K8S_KEEP:-}" ] || rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
    examples=("$@")
else
    examples=()
    for dir in examples/*/; do examples+=("$(basename "$dir")"); done
fi

failed=0
# Render every overlay first; the validators then run once over all of them
# (checkov's start-up alone is seconds: once per overlay was most of this step).
rendered_files=()
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
        rendered="$work/rendered/$name--$overlay.yaml"
        mkdir -p "$work/rendered"
        if ! kubectl kustomize "$dir" >"$rendered" 2>"$work/err"; then
            log "$name/$overlay: kubectl kustomize failed: $(cat "$work/err")"
            rm -f "$rendered"
            failed=1
            continue
        fi
        rendered_files+=("$rendered")
    done
done
[ "${#rendered_files[@]}" -gt 0 ] || die "nothing rendered"

# kubernetes-validate over all; on a failure, each file again to say which.
invalid=()
if ! "$venv/bin/kubernetes-validate" --strict --quiet "${rendered_files[@]}" >"$work/err" 2>&1; then
    failed=1
    cat "$work/err" >&2
    for rendered in "${rendered_files[@]}"; do
        "$venv/bin/kubernetes-validate" --strict --quiet "$rendered" >/dev/null 2>&1 || invalid+=("$rendered")
    done
fi

# checkov over all, its results counted per file.
checkov_args=()
for rendered in "${rendered_files[@]}"; do checkov_args+=(-f "$rendered"); done
BC_SKIP_MAPPING=TRUE timeout 900 "$venv/bin/checkov" --framework kubernetes "${checkov_args[@]}" \
    --skip-download --output json >"$work/checkov.json" 2>"$work/checkov.err" \
    || [ -s "$work/checkov.json" ] || die "checkov did not run: $(tail -5 "$work/checkov.err")"

printf '%-22s %-5s %8s %10s %8s %8s\n' example tree objects validate passed skipped
python3 - "$work/checkov.json" "${#invalid[@]}" "${invalid[@]}" "--" "${rendered_files[@]}" <<'PY' || failed=1
import collections, json, os, sys

report = json.load(open(sys.argv[1]))
report = report[0] if isinstance(report, list) else report
count = int(sys.argv[2])
invalid = set(sys.argv[3:3 + count])
files = sys.argv[3 + count + 1:]
tally = collections.defaultdict(collections.Counter)
for kind in ("passed", "failed", "skipped"):
    for check in report.get("results", {}).get(f"{kind}_checks", []):
        tally[os.path.basename(check["file_path"])][kind] += 1
        if kind == "failed":
            print(f"    {check['file_path']}: {check['check_id']} {check['check_name']} "
                  f"({check['resource']})", file=sys.stderr)
bad = False
for path in files:
    name, overlay = os.path.basename(path)[: -len(".yaml")].split("--")
    objects = sum(1 for line in open(path) if line.startswith("kind:"))
    counts = tally[os.path.basename(path)]
    valid = "FAILED" if path in invalid else "ok"
    failures = f" ({counts['failed']} FAILED)" if counts["failed"] else ""
    bad = bad or bool(counts["failed"]) or not counts["passed"] or path in invalid
    print(f"{name:<22} {overlay:<5} {objects:>8} {valid:>10} {counts['passed']:>8} {counts['skipped']:>8}{failures}")
sys.exit(1 if bad else 0)
PY
if [ "$failed" != 0 ]; then
    log "a check failed"
    exit 1
fi
log "every overlay rendered, validated strictly and passed checkov"
