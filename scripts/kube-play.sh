# The Kubernetes tier's running half, sourced by container-tier.sh (podman only):
# the dev overlay flaskdock wrote for a project, rendered by kubectl and played
# by `podman kube play` with the image the tier built: the database and Redis
# (their StatefulSets as Pods), then the migration Job's pod to completion,
# then the background processes' Deployments (a page may wait on the Celery
# worker), then the web Deployment with its ConfigMap and Secret. The web pod must
# answer the health path below 500 and run as 10001 with a read-only root.
# Kinds podman does not run are listed (the validators of k8s-check.sh cover
# them). Every wait is bounded; everything played is torn down.

# The files played so far, for kube_down (and the tier's cleanup on exit).
KUBE_FILES=()
# What the last kube_play showed, for the results table: `served 200`,
# `FAILED` or `skipped`.
KUBE_RESULT="-"

# kube_play NAME DIR IMAGE
kube_play() {
    local name=$1 dir=$2 image=$3
    KUBE_RESULT=FAILED
    local overlay="$dir/k8s/overlays/dev" out="$WORK/kube-$name" net="$PREFIX-kube"
    if [ "$ENGINE" != podman ]; then
        log "$name: kube play skipped: it needs podman (the engine is $ENGINE)"
        KUBE_RESULT=skipped
        return
    fi
    [ -f "$overlay/kustomization.yaml" ] || { fail "$name: no k8s/overlays/dev (init --kubernetes)"; return; }
    if ! command -v kubectl >/dev/null; then
        log "installing kubectl (Debian's kubernetes-client)"
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kubernetes-client >/dev/null 2>&1 \
            || { fail "$name: kubectl is missing and could not be installed"; return; }
    fi
    cp "$overlay/secrets.env.example" "$overlay/secrets.env"
    # The tier's image instead of the tag a laptop cluster would load.
    if ! python3 - "$overlay/kustomization.yaml" "${image%:*}" "${image##*:}" <<'PY'
import sys
path, name, tag = sys.argv[1:]
text = open(path, encoding="utf-8").read()
assert "    newTag: dev\n" in text, "no dev image entry"
text = text.replace("    newTag: dev\n", f"    newName: {name}\n    newTag: {tag}\n", 1)
open(path, "w", encoding="utf-8").write(text)
PY
    then
        fail "$name: kube play: the dev overlay has no image entry to point at the tier's image"
        return
    fi
    mkdir -p "$out"
    if ! kubectl kustomize "$overlay" >"$out/rendered.yaml" 2>"$out/kustomize.err"; then
        fail "$name: kubectl kustomize failed: $(cat "$out/kustomize.err")"
        return
    fi
    "$TOOLS/bin/python" "$REPO/scripts/kube-play-prep.py" "$out/rendered.yaml" "$out" "$PREFIX-$name" \
        >"$out/prep.log" || { fail "$name: kube-play-prep failed"; return; }
    log "$name: kube play; left to the validators: $(sed -n 's/^left //p' "$out/prep.log" | paste -sd, -)"
    "$ENGINE" network exists "$net" || "$ENGINE" network create "$net" >/dev/null
    KUBE_FILES=()
    local part
    for part in services migrate processes web; do
        [ -f "$out/$part.yaml" ] || continue
        KUBE_FILES+=("$out/$part.yaml")
        if ! timeout 300 "$ENGINE" kube play --network "$net" "$out/$part.yaml" >"$out/$part.log" 2>&1; then
            fail "$name: podman kube play $part.yaml failed: $(tail -5 "$out/$part.log")"
            kube_down
            return
        fi
        case $part in
            services) kube_services_ready "$name" "$out" || { kube_down; return; } ;;
            migrate) kube_migrated "$name" || { kube_down; return; } ;;
            web) kube_web_serves "$name" "$dir" ;;
        esac
    done
    kube_down
}

# Removes every pod, container, volume and the network the plays made.
kube_down() {
    local file
    for file in "${KUBE_FILES[@]}"; do
        timeout 120 "$ENGINE" kube down "$file" >/dev/null 2>&1 || true
    done
    "$ENGINE" volume ls -q --filter "name=$PREFIX-" | xargs -r "$ENGINE" volume rm -f >/dev/null 2>&1 || true
    "$ENGINE" network rm -f "$PREFIX-kube" >/dev/null 2>&1 || true
    KUBE_FILES=()
}

# The services' own readiness command (pg_isready, mysqladmin ping, redis-cli
# ping, from the manifest's readinessProbe) passes within 180 s.
kube_services_ready() {
    local name=$1 out=$2 pod ready
    for pod in $(awk '/^kind: Pod$/ {p=1} p && /^  name:/ {print $2; p=0}' "$out/services.yaml"); do
        ready=$("$TOOLS/bin/python" - "$out/services.yaml" "$pod" <<'PY' || true
import shlex, sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc["kind"] == "Pod" and doc["metadata"]["name"] == sys.argv[2]:
        print(shlex.join(doc["spec"]["containers"][0]["readinessProbe"]["exec"]["command"]))
PY
        )
        [ -n "$ready" ] || { fail "$name: kube play: $pod has no exec readinessProbe"; return 1; }
        local i ok=""
        for i in $(seq 1 90); do
            if eval "timeout 10 $ENGINE exec $pod-$pod $ready" >/dev/null 2>&1; then ok=1; break; fi
            sleep 2
        done
        if [ -z "$ok" ]; then
            "$ENGINE" logs "$pod-$pod" 2>&1 | tail -15 >&2
            fail "$name: kube play: $pod never passed its readiness command ($ready)"
            return 1
        fi
        log "$name: kube play: $pod ready ($ready)"
    done
}

# The migration pod runs to completion, exit 0, within 300 s.
kube_migrated() {
    local name=$1 code
    code=$(timeout 300 "$ENGINE" wait migrate-migrate 2>/dev/null || echo timeout)
    if [ "$code" != 0 ]; then
        "$ENGINE" logs migrate-migrate 2>&1 | tail -15 >&2
        fail "$name: kube play: the migrate Job's pod ended with '$code'"
        return 1
    fi
    log "$name: kube play: the migrate Job's pod completed"
}

# The web pod answers its health path below 500 within 90 s, as uid 10001
# with a read-only root filesystem.
kube_web_serves() {
    local name=$1 dir=$2 container ip port path status="" i
    # podman names a Deployment's pod `NAME-pod-0` (4.3) or `NAME-pod`.
    container="" ip=""
    for i in $(seq 1 15); do
        container=$("$ENGINE" ps --format '{{.Names}}' | grep -E '^web-pod(-0)?-web$' | head -1 || true)
        [ -n "$container" ] && break
        sleep 2
    done
    [ -n "$container" ] || { fail "$name: kube play: no web container"; return; }
    # The pod's address is its infra container's.
    ip=$("$ENGINE" pod inspect "${container%-web}" --format '{{.InfraContainerID}}' 2>/dev/null \
        | xargs -r "$ENGINE" inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' || true)
    [ -n "$ip" ] || { fail "$name: kube play: no address for the web pod"; return; }
    port=$(awk '/^EXPOSE/ {print $2; exit}' "$dir/Dockerfile")
    path=$(grep -A1 'HEALTHCHECK' "$dir/Dockerfile" | grep -o '"/[^"]*"\]$' | tr -d '"]' || true)
    for i in $(seq 1 45); do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$ip:$port${path:-/}" || true)
        [ -n "$status" ] && [ "$status" != 000 ] && [ "$status" -lt 500 ] && break
        sleep 2
    done
    if [ -z "$status" ] || [ "$status" = 000 ] || [ "$status" -ge 500 ]; then
        "$ENGINE" logs "$container" 2>&1 | tail -20 >&2
        fail "$name: kube play: web answered ${path:-/} with '$status'"
        return
    fi
    local uid readonly
    uid=$("$ENGINE" exec "$container" id -u 2>/dev/null || echo "?")
    readonly=$("$ENGINE" inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container" 2>/dev/null || echo "?")
    [ "$uid" = 10001 ] || fail "$name: kube play: web runs as uid '$uid', expected 10001"
    [ "$readonly" = true ] || fail "$name: kube play: web's root filesystem is not read-only ($readonly)"
    "$ENGINE" exec "$container" sh -c 'touch /app/.kube-write-test' >/dev/null 2>&1 \
        && fail "$name: kube play: web could write under /app"
    log "$name: kube play: web answered ${path:-/} with $status as uid $uid, read-only root $readonly"
    if [ "$uid" = 10001 ] && [ "$readonly" = true ]; then
        KUBE_RESULT="served $status"
    fi
}
