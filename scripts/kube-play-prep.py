#!/usr/bin/env python3
"""Split a rendered dev overlay (`kubectl kustomize k8s/overlays/dev`) into the
files the container tier gives `podman kube play`, in the order it plays them:

  services.yaml  the StatefulSets (PostgreSQL/MySQL/Redis) as Pods of the same
                 name (so the app reaches `db` and `redis`), their claims as
                 PersistentVolumeClaims
  migrate.yaml   the migration Job's pod template as a Pod (restartPolicy Never)
  processes.yaml the other Deployments (Celery worker and beat, RQ, Procfile
                 processes), one replica each: the web pages may wait on them
  web.yaml       the web Deployment, one replica

Each file carries the ConfigMaps and Secrets its pods read. Kinds podman does
not run (Service, Ingress, HorizontalPodAutoscaler, PodDisruptionBudget,
NetworkPolicy, Namespace) are named on stdout: the validators cover them.
Pod templates are kept as rendered, with one change each where podman
differs from a cluster, printed too: an `emptyDir` volume becomes a named
volume (podman 4.3 has no emptyDir; its --read-only already mounts a tmpfs
under --read-only, nor a writable /tmp); its claims carry podman's uid/gid
annotations for the pod's fsGroup. Secrets are played as ConfigMaps of the same
data (podman 4.3 reads a Secret only from its own secret store, and a `secret`
volume crashes it): `secretRef`, `secretKeyRef` and `secret` volumes follow.

    kube-play-prep.py RENDERED.yaml OUT_DIR PREFIX
"""

import base64
import copy
import os
import sys

import yaml

UNSUPPORTED = {
    "Service",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Namespace",
}


def pod(name, spec, labels):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
    }


def claim(name, owner):
    """A claim whose podman volume belongs to `owner` (the pod's fsGroup):
    a cluster gives the pod's group its volumes; podman needs to be told."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": name,
            "annotations": {"volume.podman.io/uid": str(owner), "volume.podman.io/gid": str(owner)},
        },
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def fs_group(spec):
    context = spec.get("securityContext", {})
    return context.get("fsGroup", context.get("runAsUser", 0))


def adapt(spec, owner, prefix, claims, changes):
    """podman 4.3's differences from a cluster, applied to one pod spec."""
    for volume in spec.get("volumes", []):
        if "emptyDir" in volume:
            name = f"{prefix}-{owner}-{volume['name']}"
            del volume["emptyDir"]
            volume["persistentVolumeClaim"] = {"claimName": name}
            claims.append(claim(name, fs_group(spec)))
            changes.append(f"{owner}: emptyDir `{volume['name']}` as the named volume {name}")


def secret_as_config_map(doc):
    data = {k: base64.b64decode(v).decode("utf-8") for k, v in (doc.get("data") or {}).items()}
    data.update(doc.get("stringData") or {})
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": doc["metadata"]["name"]}, "data": data}


def secrets_as_config_maps(value):
    """Every reference to a Secret in a pod spec, as the same reference to a ConfigMap."""
    if isinstance(value, list):
        return [secrets_as_config_maps(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "secretRef":
            out["configMapRef"] = secrets_as_config_maps(item)
        elif key == "secretKeyRef":
            out["configMapKeyRef"] = secrets_as_config_maps(item)
        elif key == "secret" and isinstance(item, dict) and "secretName" in item:
            volume = {k: v for k, v in item.items() if k != "secretName"}
            volume["name"] = item["secretName"]
            out["configMap"] = secrets_as_config_maps(volume)
        else:
            out[key] = secrets_as_config_maps(item)
    return out


def main():
    rendered, out, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    docs = [d for d in yaml.safe_load_all(open(rendered, encoding="utf-8")) if d]
    config = [d for d in docs if d["kind"] == "ConfigMap"]
    config += [secret_as_config_map(d) for d in docs if d["kind"] == "Secret"]
    docs = [secrets_as_config_maps(d) if d["kind"] != "Secret" else d for d in docs]
    files = {"services": [], "migrate": [], "processes": [], "web": []}
    claims = {part: [] for part in files}
    changes, left = [], []
    for doc in docs:
        kind, name = doc["kind"], doc["metadata"]["name"]
        template = doc.get("spec", {}).get("template", {})
        labels = template.get("metadata", {}).get("labels")
        if kind == "StatefulSet":
            spec = copy.deepcopy(template["spec"])
            spec.setdefault("volumes", [])
            for vct in doc["spec"].get("volumeClaimTemplates", []):
                claim_name = f"{prefix}-{name}-{vct['metadata']['name']}"
                spec["volumes"].append(
                    {"name": vct["metadata"]["name"], "persistentVolumeClaim": {"claimName": claim_name}}
                )
                claims["services"].append(claim(claim_name, fs_group(spec)))
            adapt(spec, name, prefix, claims["services"], changes)
            files["services"].append(pod(name, spec, labels))
            changes.append(f"StatefulSet {name}: played as the Pod {name}")
        elif kind == "Job":
            spec = copy.deepcopy(template["spec"])
            adapt(spec, name, prefix, claims["migrate"], changes)
            files["migrate"].append(pod(name, spec, labels))
            changes.append(f"Job {name}: its pod template played as the Pod {name}")
        elif kind == "Deployment":
            part = "web" if name == "web" else "processes"
            doc = copy.deepcopy(doc)
            doc["spec"]["replicas"] = 1
            adapt(doc["spec"]["template"]["spec"], name, prefix, claims[part], changes)
            files[part].append(doc)
        elif kind in UNSUPPORTED:
            left.append(f"{kind} {name}")
    os.makedirs(out, exist_ok=True)
    for part, objects in files.items():
        if not objects:
            continue
        with open(os.path.join(out, f"{part}.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump_all(config + claims[part] + objects, f, sort_keys=False)
        print(f"play {part}.yaml")
    for change in changes:
        print(f"changed {change}")
    for kind in left:
        print(f"left {kind}")


if __name__ == "__main__":
    main()
