//! A rendered Kubernetes overlay (`kubectl kustomize k8s/overlays/dev`) split
//! into the files `podman kube play` is given, in the order they are played:
//!
//! - `services`: the StatefulSets (PostgreSQL, MySQL, Redis) as Pods of the
//!   same name, so the app reaches `db` and `redis`; their claims as
//!   PersistentVolumeClaims;
//! - `migrate`: each Job's pod template as a Pod;
//! - `processes`: the other Deployments (Celery, RQ, Procfile processes);
//! - `web`: the web Deployment.
//!
//! Every Deployment plays one replica. Each file carries the ConfigMaps and
//! Secrets its pods read. Where podman differs from a cluster the spec is
//! changed, and each change is listed: an `emptyDir` becomes a named volume
//! owned by the pod's fsGroup (podman 4.3 has no emptyDir), and Secrets are
//! played as ConfigMaps of the same data (podman 4.3 reads a Secret only from
//! its own store). Kinds podman does not run are listed as left to a cluster.
//! The app's image is replaced by the one `verify` built.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_norway::{Mapping, Value};

/// Kinds `podman kube play` does not run.
const LEFT: &[&str] = &[
    "Service",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Namespace",
];

/// One pod that is played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Workload {
    /// The Pod's name, or the Deployment's.
    pub(super) name: String,
    pub(super) deployment: bool,
    /// Its first container's name.
    pub(super) container: String,
    /// The container's readinessProbe as a command run inside it: its
    /// `exec`, or an `httpGet` as a Python request below 500.
    pub(super) ready: Option<Vec<String>>,
}

impl Workload {
    /// The names podman gives the container: `POD-CONTAINER` for a Pod;
    /// `NAME-pod-0-CONTAINER` (podman 4.3) or `NAME-pod-CONTAINER` for a
    /// Deployment.
    pub(super) fn container_names(&self) -> Vec<String> {
        if self.deployment {
            vec![
                format!("{}-pod-0-{}", self.name, self.container),
                format!("{}-pod-{}", self.name, self.container),
            ]
        } else {
            vec![format!("{}-{}", self.name, self.container)]
        }
    }

    /// The names podman gives the pod.
    pub(super) fn pod_names(&self) -> Vec<String> {
        if self.deployment {
            vec![format!("{}-pod-0", self.name), format!("{}-pod", self.name)]
        } else {
            vec![self.name.clone()]
        }
    }
}

/// What is played, in order, and what was changed or left out.
#[derive(Debug, Default)]
pub(super) struct Play {
    /// (part, YAML) in playing order; parts without pods are left out.
    pub(super) files: Vec<(&'static str, String)>,
    pub(super) services: Vec<Workload>,
    pub(super) migrate: Vec<Workload>,
    pub(super) processes: Vec<Workload>,
    pub(super) web: Option<Workload>,
    /// The volumes the claims name (podman makes them; `verify` removes them).
    pub(super) volumes: Vec<String>,
    /// The ConfigMaps mounted as volumes: podman makes a volume of each,
    /// named as the ConfigMap, and `kube down` leaves it.
    pub(super) config_volumes: Vec<String>,
    pub(super) changes: Vec<String>,
    /// `Kind name` of what a cluster runs and podman does not.
    pub(super) left: Vec<String>,
}

const PARTS: [&str; 4] = ["services", "migrate", "processes", "web"];

/// Splits `rendered`; volumes are named `PREFIX-…`, the app's image (the
/// web Deployment's) becomes `image`.
pub(super) fn split(rendered: &str, prefix: &str, image: &str) -> Result<Play> {
    let mut docs = Vec::new();
    for doc in serde_norway::Deserializer::from_str(rendered) {
        let value = Value::deserialize(doc).context("the rendered overlay is not YAML")?;
        if value.is_mapping() {
            docs.push(value);
        }
    }
    let app_image = docs
        .iter()
        .find(|d| kind(d) == "Deployment" && name_of(d) == "web")
        .and_then(|d| first_container(&d["spec"]["template"]["spec"]))
        .and_then(|c| c["image"].as_str())
        .map(str::to_string)
        .context("the dev overlay has no web Deployment with an image")?;
    let mut config: Vec<Value> = docs
        .iter()
        .filter(|d| kind(d) == "ConfigMap")
        .cloned()
        .collect();
    for secret in docs.iter().filter(|d| kind(d) == "Secret") {
        config.push(secret_as_config_map(secret)?);
    }
    let mut play = Play::default();
    let mut objects: [Vec<Value>; 4] = Default::default();
    let mut claims: [Vec<Value>; 4] = Default::default();
    for doc in docs.iter().filter(|d| kind(d) != "Secret") {
        let doc = secrets_as_config_maps(doc);
        let (kind, name) = (kind(&doc), name_of(&doc));
        let part = match kind {
            "StatefulSet" => 0,
            "Job" => 1,
            "Deployment" if name == "web" => 3,
            "Deployment" => 2,
            _ => {
                if LEFT.contains(&kind) {
                    play.left.push(format!("{kind} {}", kubernetes_name(name)?));
                }
                continue;
            }
        };
        let (object, workload) = play.add(
            doc.clone(),
            part,
            prefix,
            (&app_image, image),
            &mut claims[part],
        )?;
        objects[part].push(object);
        match part {
            0 => play.services.push(workload),
            1 => play.migrate.push(workload),
            2 => play.processes.push(workload),
            _ => play.web = Some(workload),
        }
    }
    if !config.is_empty() && docs.iter().any(|d| kind(d) == "Secret") {
        play.changes
            .push("Secrets: played as ConfigMaps of the same data".to_string());
    }
    for (index, part) in PARTS.iter().enumerate() {
        if objects[index].is_empty() {
            continue;
        }
        let mut text = String::new();
        for doc in config.iter().chain(&claims[index]).chain(&objects[index]) {
            text.push_str("---\n");
            text.push_str(&serde_norway::to_string(doc)?);
        }
        play.files.push((part, text));
    }
    Ok(play)
}

impl Play {
    /// One workload of `part` as podman plays it (a StatefulSet's or Job's
    /// pod template as a Pod, a Deployment with one replica), its claims
    /// pushed to `claims`; `images` is (the app's image, the one to run).
    fn add(
        &mut self,
        mut doc: Value,
        part: usize,
        prefix: &str,
        images: (&str, &str),
        claims: &mut Vec<Value>,
    ) -> Result<(Value, Workload)> {
        let kind = kind(&doc).to_string();
        let name = kubernetes_name(name_of(&doc))?.to_string();
        let labels = doc["spec"]["template"]["metadata"]["labels"].clone();
        let mut spec = doc["spec"]["template"]["spec"].clone();
        if !spec.is_mapping() {
            bail!("{kind} {name} has no pod template");
        }
        if part == 0 {
            for template in doc["spec"]["volumeClaimTemplates"]
                .as_sequence()
                .cloned()
                .unwrap_or_default()
            {
                let volume = kubernetes_name(name_of(&template))?;
                let claim_name = format!("{prefix}-{name}-{volume}");
                push(&mut spec, "volumes", claim_volume(volume, &claim_name));
                claims.push(claim(&claim_name, fs_group(&spec))?);
                self.volumes.push(claim_name);
            }
        } else {
            use_image(&mut spec, images.0, images.1);
        }
        for (volume, claim_name) in empty_dirs_as_claims(&mut spec, &name, prefix)? {
            self.changes.push(format!(
                "{name}: emptyDir `{volume}` as the named volume {claim_name}"
            ));
            claims.push(claim(&claim_name, fs_group(&spec))?);
            self.volumes.push(claim_name);
        }
        for volume in spec["volumes"].as_sequence().into_iter().flatten() {
            if let Some(config) = volume["configMap"]["name"].as_str() {
                let config = kubernetes_name(config)?.to_string();
                if !self.config_volumes.contains(&config) {
                    self.config_volumes.push(config);
                }
            }
        }
        let container = first_container(&spec)
            .and_then(|c| c["name"].as_str())
            .with_context(|| format!("{kind} {name} has no named container"))?;
        let workload = Workload {
            name: name.clone(),
            deployment: kind == "Deployment",
            container: kubernetes_name(container)?.to_string(),
            ready: first_container(&spec).and_then(readiness),
        };
        let object = if kind == "Deployment" {
            doc["spec"]["replicas"] = Value::from(1);
            doc["spec"]["template"]["spec"] = spec;
            doc
        } else {
            self.changes
                .push(format!("{kind} {name}: played as the Pod {name}"));
            pod(&name, labels, spec)?
        };
        Ok((object, workload))
    }
}

/// `name`, when it is a Kubernetes name (a DNS label: lower-case letters,
/// digits and inner dashes, at most 63): it becomes engine names and lines
/// of the report.
fn kubernetes_name(name: &str) -> Result<&str> {
    let fits = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !fits {
        bail!(
            "the dev overlay names `{}`, which is not a Kubernetes name (lower-case letters, digits and dashes)",
            crate::safe::escaped(name)
        );
    }
    Ok(name)
}

/// A pod volume backed by the claim `claim_name`.
fn claim_volume(volume: &str, claim_name: &str) -> Value {
    let mut source = Mapping::new();
    source.insert("claimName".into(), claim_name.into());
    let mut map = Mapping::new();
    map.insert("name".into(), volume.into());
    map.insert("persistentVolumeClaim".into(), Value::Mapping(source));
    Value::Mapping(map)
}

fn kind(doc: &Value) -> &str {
    doc["kind"].as_str().unwrap_or("")
}

fn name_of(doc: &Value) -> &str {
    doc["metadata"]["name"].as_str().unwrap_or("")
}

fn first_container(spec: &Value) -> Option<&Value> {
    spec["containers"].as_sequence()?.first()
}

fn yaml(text: &str) -> Result<Value> {
    Ok(serde_norway::from_str(text)?)
}

fn push(spec: &mut Value, key: &str, item: Value) {
    if let Some(map) = spec.as_mapping_mut() {
        let list = map
            .entry(Value::from(key))
            .or_insert_with(|| Value::Sequence(Vec::new()));
        if let Some(list) = list.as_sequence_mut() {
            list.push(item);
        }
    }
}

/// The group a cluster gives the pod's volumes: its fsGroup, else its user.
fn fs_group(spec: &Value) -> i64 {
    let context = &spec["securityContext"];
    context["fsGroup"]
        .as_i64()
        .or(context["runAsUser"].as_i64())
        .unwrap_or(0)
}

/// A claim whose podman volume belongs to `owner`: a cluster gives the
/// pod's fsGroup its volumes; podman must be told.
fn claim(name: &str, owner: i64) -> Result<Value> {
    let mut claim = yaml(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}",
    )?;
    let mut annotations = Mapping::new();
    annotations.insert("volume.podman.io/uid".into(), owner.to_string().into());
    annotations.insert("volume.podman.io/gid".into(), owner.to_string().into());
    let mut metadata = Mapping::new();
    metadata.insert("name".into(), name.into());
    metadata.insert("annotations".into(), Value::Mapping(annotations));
    claim["metadata"] = Value::Mapping(metadata);
    Ok(claim)
}

fn pod(name: &str, labels: Value, spec: Value) -> Result<Value> {
    let mut pod = yaml("apiVersion: v1\nkind: Pod")?;
    let mut metadata = Mapping::new();
    metadata.insert("name".into(), name.into());
    if labels.is_mapping() {
        metadata.insert("labels".into(), labels);
    }
    pod["metadata"] = Value::Mapping(metadata);
    pod["spec"] = spec;
    Ok(pod)
}

/// Every container (and init container) that runs `from` runs `to`, the
/// local image (never pulled: an `Always` policy would look for it in a
/// registry).
fn use_image(spec: &mut Value, from: &str, to: &str) {
    for key in ["containers", "initContainers"] {
        if let Some(list) = spec[key].as_sequence_mut() {
            for container in list {
                if container["image"].as_str() == Some(from) {
                    container["image"] = Value::from(to);
                    container["imagePullPolicy"] = Value::from("IfNotPresent");
                }
            }
        }
    }
}

/// Each `emptyDir` volume of `spec` as a claim `PREFIX-OWNER-VOLUME`:
/// (volume, claim) pairs.
fn empty_dirs_as_claims(
    spec: &mut Value,
    owner: &str,
    prefix: &str,
) -> Result<Vec<(String, String)>> {
    let mut changed = Vec::new();
    let Some(volumes) = spec["volumes"].as_sequence_mut() else {
        return Ok(changed);
    };
    for volume in volumes {
        let Some(map) = volume.as_mapping_mut() else {
            continue;
        };
        if map.remove("emptyDir").is_none() {
            continue;
        }
        let name = kubernetes_name(map.get("name").and_then(Value::as_str).unwrap_or(""))?;
        let claim_name = format!("{prefix}-{owner}-{name}");
        let mut source = Mapping::new();
        source.insert("claimName".into(), claim_name.clone().into());
        let name = name.to_string();
        map.insert("persistentVolumeClaim".into(), Value::Mapping(source));
        changed.push((name, claim_name));
    }
    Ok(changed)
}

/// A Secret as a ConfigMap of the same name and (decoded) data.
fn secret_as_config_map(secret: &Value) -> Result<Value> {
    let mut data = Mapping::new();
    if let Some(encoded) = secret["data"].as_mapping() {
        for (key, value) in encoded {
            let text = value.as_str().unwrap_or("");
            let decoded = base64_decode(text)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .with_context(|| {
                    format!(
                        "Secret {}: the value of {} is not base64 text",
                        name_of(secret),
                        key.as_str().unwrap_or("?")
                    )
                })?;
            data.insert(key.clone(), decoded.into());
        }
    }
    if let Some(plain) = secret["stringData"].as_mapping() {
        for (key, value) in plain {
            data.insert(key.clone(), value.clone());
        }
    }
    let mut map = yaml("apiVersion: v1\nkind: ConfigMap")?;
    let mut metadata = Mapping::new();
    metadata.insert("name".into(), name_of(secret).into());
    map["metadata"] = Value::Mapping(metadata);
    map["data"] = Value::Mapping(data);
    Ok(map)
}

/// Every reference to a Secret in `value` as the same reference to a ConfigMap.
fn secrets_as_config_maps(value: &Value) -> Value {
    match value {
        Value::Sequence(items) => items.iter().map(secrets_as_config_maps).collect(),
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (key, item) in map {
                match key.as_str() {
                    Some("secretRef") => {
                        out.insert("configMapRef".into(), secrets_as_config_maps(item));
                    }
                    Some("secretKeyRef") => {
                        out.insert("configMapKeyRef".into(), secrets_as_config_maps(item));
                    }
                    Some("secret") if item.get("secretName").is_some() => {
                        let mut volume = secrets_as_config_maps(item);
                        if let Some(map) = volume.as_mapping_mut() {
                            let name = map.remove("secretName").unwrap_or(Value::Null);
                            map.insert("name".into(), name);
                        }
                        out.insert("configMap".into(), volume);
                    }
                    _ => {
                        out.insert(key.clone(), secrets_as_config_maps(item));
                    }
                }
            }
            Value::Mapping(out)
        }
        other => other.clone(),
    }
}

/// The readinessProbe of `container` as a command run inside it.
fn readiness(container: &Value) -> Option<Vec<String>> {
    let probe = &container["readinessProbe"];
    if let Some(command) = probe["exec"]["command"].as_sequence() {
        return command
            .iter()
            .map(|w| match w {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect();
    }
    let get = &probe["httpGet"];
    let path = get["path"].as_str().unwrap_or("/");
    let port = match &get["port"] {
        Value::Number(n) => n.as_u64(),
        Value::String(named) => container["ports"]
            .as_sequence()?
            .iter()
            .find(|p| p["name"].as_str() == Some(named))
            .and_then(|p| p["containerPort"].as_u64()),
        _ => None,
    }?;
    Some(http_below_500(path, port))
}

/// A command that exits 0 when `GET path` on the container's own `port`
/// answers below 500: what a cluster's httpGet probe asks.
pub(super) fn http_below_500(path: &str, port: u64) -> Vec<String> {
    vec![
        "python".to_string(),
        "-c".to_string(),
        "import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', int(sys.argv[2]), timeout=4); c.request('GET', sys.argv[1]); raise SystemExit(c.getresponse().status >= 500)".to_string(),
        path.to_string(),
        port.to_string(),
    ]
}

/// Standard base64, padding optional; `None` on any other byte.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for byte in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENDERED: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: config-abc}
data: {FLASK_ENV: production}
---
apiVersion: v1
kind: Secret
metadata: {name: secrets-xyz}
data: {SECRET_KEY: c2VjcmV0LXZhbHVl}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {fsGroup: 10001, runAsUser: 10001}
      containers:
        - name: web
          image: shop:dev
          envFrom: [{configMapRef: {name: config-abc}}, {secretRef: {name: secrets-xyz}}]
          ports: [{name: http, containerPort: 8000}]
          readinessProbe: {httpGet: {path: /health, port: http}}
      volumes:
        - {name: tmp, emptyDir: {medium: Memory}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - {name: worker, image: shop:dev}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: shop:dev
          env: [{name: DB, valueFrom: {secretKeyRef: {name: secrets-xyz, key: DATABASE_URL}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      securityContext: {fsGroup: 999}
      containers:
        - name: db
          image: postgres:16
          readinessProbe: {exec: {command: [pg_isready, -U, app]}}
      volumes:
        - {name: password, secret: {secretName: secrets-xyz, items: [{key: DB_PASSWORD, path: password}]}}
  volumeClaimTemplates:
    - metadata: {name: data}
"#;

    fn docs(text: &str) -> Vec<Value> {
        serde_norway::Deserializer::from_str(text)
            .map(|d| Value::deserialize(d).unwrap())
            .filter(|v| v.is_mapping())
            .collect()
    }

    #[test]
    fn splits_an_overlay_into_the_parts_podman_plays_in_order() {
        let play = split(RENDERED, "fv-1", "localhost/fv:1").unwrap();
        let parts: Vec<&str> = play.files.iter().map(|(p, _)| *p).collect();
        assert_eq!(parts, ["services", "migrate", "processes", "web"]);
        assert_eq!(play.left, ["Namespace shop", "Service web"]);
        assert_eq!(play.volumes, ["fv-1-web-tmp", "fv-1-db-data"]);
        assert_eq!(play.config_volumes, ["secrets-xyz"]);

        let db = &play.services[0];
        assert_eq!(db.container_names(), ["db-db"]);
        assert_eq!(db.ready.as_deref().unwrap(), ["pg_isready", "-U", "app"]);
        let web = play.web.as_ref().unwrap();
        assert_eq!(web.container_names()[0], "web-pod-0-web");
        let ready = web.ready.as_ref().unwrap();
        assert_eq!(ready[3..], ["/health", "8000"]);
        assert_eq!(play.migrate[0].container_names(), ["migrate-migrate"]);
        assert_eq!(play.processes[0].name, "worker");

        let services = docs(&play.files[0].1);
        let db_pod = services.iter().find(|d| kind(d) == "Pod").unwrap();
        assert_eq!(db_pod["metadata"]["name"], "db");
        assert_eq!(db_pod["spec"]["containers"][0]["image"], "postgres:16");
        assert_eq!(
            db_pod["spec"]["volumes"][0]["configMap"]["name"],
            "secrets-xyz"
        );
        assert_eq!(
            db_pod["spec"]["volumes"][0]["configMap"]["items"][0]["key"],
            "DB_PASSWORD"
        );
        assert_eq!(
            db_pod["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"],
            "fv-1-db-data"
        );
        let claim = services
            .iter()
            .find(|d| kind(d) == "PersistentVolumeClaim")
            .unwrap();
        assert_eq!(
            claim["metadata"]["annotations"]["volume.podman.io/uid"],
            "999"
        );

        let web_docs = docs(&play.files[3].1);
        let secret = web_docs
            .iter()
            .find(|d| name_of(d) == "secrets-xyz")
            .unwrap();
        assert_eq!(kind(secret), "ConfigMap");
        assert_eq!(secret["data"]["SECRET_KEY"], "secret-value");
        let deployment = web_docs.iter().find(|d| kind(d) == "Deployment").unwrap();
        assert_eq!(deployment["spec"]["replicas"], 1);
        let spec = &deployment["spec"]["template"]["spec"];
        assert_eq!(spec["containers"][0]["image"], "localhost/fv:1");
        assert_eq!(spec["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(
            spec["containers"][0]["envFrom"][1]["configMapRef"]["name"],
            "secrets-xyz"
        );
        assert!(spec["volumes"][0].get("emptyDir").is_none());
        assert_eq!(
            spec["volumes"][0]["persistentVolumeClaim"]["claimName"],
            "fv-1-web-tmp"
        );

        let migrate = docs(&play.files[1].1);
        let job_pod = migrate.iter().find(|d| kind(d) == "Pod").unwrap();
        assert_eq!(
            job_pod["spec"]["containers"][0]["env"][0]["valueFrom"]["configMapKeyRef"]["key"],
            "DATABASE_URL"
        );
        assert_eq!(job_pod["spec"]["containers"][0]["image"], "localhost/fv:1");
        assert!(
            !play
                .files
                .iter()
                .any(|(_, text)| text.contains("kind: Secret"))
        );
    }

    #[test]
    fn an_overlay_without_a_web_deployment_or_with_bad_secret_data_is_refused() {
        let no_web = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let err = split(no_web, "p", "i").unwrap_err().to_string();
        assert!(err.contains("no web Deployment"), "{err}");
        let bad = RENDERED.replace("c2VjcmV0LXZhbHVl", "not*base64");
        let err = format!("{:#}", split(&bad, "p", "i").unwrap_err());
        assert!(err.contains("SECRET_KEY is not base64"), "{err}");
        // Names become engine names and report lines: a hostile one is refused, escaped.
        let hostile = RENDERED.replace(
            "metadata: {name: worker}",
            "metadata: {name: \"w\\e[31m; rm\"}",
        );
        let err = split(&hostile, "p", "i").unwrap_err().to_string();
        assert!(
            err.contains("names `w\\u{1b}[31m; rm`, which is not a Kubernetes name"),
            "{err}"
        );
    }

    #[test]
    fn decodes_base64_with_and_without_padding() {
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGk").unwrap(), b"hi");
        assert_eq!(
            base64_decode("cG9zdGdyZXM6Ly91OnBAZGIvYXBw").unwrap(),
            b"postgres://u:p@db/app"
        );
        assert!(base64_decode("a!b").is_none());
    }
}
