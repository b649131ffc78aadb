//! A Deployment, StatefulSet or DaemonSet → a component: its workload
//! settings, pod settings, main container and its peers (extra
//! containers), init containers and native
//! sidecars, and the mounts with what backs them. Anything the model has
//! no field for leaves the workload raw.

use serde_json::{json, Map, Value};

use crate::take::{Taker, Why};

/// What a component needs the app to declare beside it.
#[derive(Default)]
pub(crate) struct Needs {
    /// Secrets made elsewhere the pods read: name → keys (none: any key).
    pub external_secrets: Vec<(String, Option<String>)>,
    /// Service accounts made elsewhere.
    pub service_accounts: Vec<String>,
    /// ConfigMaps the pods read: name → key (none: any key).
    pub config_maps: Vec<(String, Option<String>)>,
    /// The claims the pods mount.
    pub claims: Vec<String>,
}

/// A converted workload.
pub(crate) struct Converted {
    /// The component's key.
    pub key: String,
    /// The component, in the environment file's form.
    pub component: Value,
    /// What it needs beside it.
    pub needs: Needs,
    /// Differences its rendering will show that are cfggen's normalisations.
    pub notes: Vec<String>,
}

/// A name Kubernetes takes as a label (RFC 1123): a component's name.
fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The component's key: as the workload's own component label says
/// (cfggen sets that label to the component's name), or after the
/// workload.
fn component_key(app: &str, name: &str, labels: &Map<String, Value>) -> String {
    labels
        .get(cfggen_model::names::LABEL_COMPONENT)
        .and_then(Value::as_str)
        .filter(|c| is_dns_label(c))
        .unwrap_or_else(|| {
            name.strip_prefix(&format!("{app}-"))
                .filter(|k| !k.is_empty())
                .unwrap_or(name)
        })
        .to_owned()
}

/// The component's key and its component label's value: both as
/// [`component_key`] says; for a second workload of a component label
/// the app has (`taken`), the key after its name, and the label it
/// carries.
fn keys(
    app: &str,
    name: &str,
    labels: &Map<String, Value>,
    taken: &dyn Fn(&str) -> bool,
) -> Result<(String, String), Why> {
    let key = component_key(app, name, labels);
    if !taken(&key) {
        return Ok((key.clone(), key));
    }
    let own = component_key(app, name, &Map::new());
    let carried =
        labels.get(cfggen_model::names::LABEL_COMPONENT) == Some(&Value::from(key.as_str()));
    if taken(&own) || !carried {
        return Err(format!("a second component `{key}`"));
    }
    Ok((own, key))
}

/// The name label a workload carries when it is not the app's `label`:
/// kept as its component's `nameLabel`.
fn own_name_label(labels: &Map<String, Value>, label: &str) -> Option<String> {
    labels
        .get(cfggen_model::names::LABEL_APP)
        .and_then(Value::as_str)
        .filter(|own| *own != label && cfggen_model::names::is_label_name(own))
        .map(str::to_owned)
}

/// The component of a workload object of app `app`, whose
/// `app.kubernetes.io/name` label is `label`; `taken` says which
/// component keys the app has already (a second workload of one
/// component label is keyed after its name, and keeps the label as its
/// `componentLabel`).
pub(crate) fn convert(
    app: &str,
    label: &str,
    object: &Value,
    taken: &dyn Fn(&str) -> bool,
) -> Result<Converted, Why> {
    let bare = object.get("kind").and_then(Value::as_str) == Some("Pod");
    let object = if bare {
        as_template(object)
    } else {
        object.clone()
    };
    let template_labels = object
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut o = Taker::new(object, "")?;
    let kind = o.string("kind")?.unwrap_or_default();
    o.take("apiVersion");
    let mut meta = o.sub("metadata")?;
    let name = meta.string("name")?.unwrap_or_default();
    meta.take("namespace");
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let (key, component_label) = keys(app, &name, &labels, taken)?;
    let mut c = Map::new();
    if kind != "Deployment" {
        c.insert("kind".into(), kind.clone().into());
    }
    if name != format!("{app}-{key}") {
        c.insert("name".into(), name.clone().into());
    }
    let label = match own_name_label(&labels, label) {
        Some(own) => {
            c.insert("nameLabel".into(), own.clone().into());
            own
        }
        None => label.to_owned(),
    };
    let label = label.as_str();
    if component_label != key {
        c.insert("componentLabel".into(), component_label.clone().into());
    }
    crate::take::cfggen_labels(&labels, label, Some(&component_label))?;
    // A bare Pod's labels are its pod's (`pod.labels`).
    if !labels.is_empty() && !bare {
        c.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        c.insert("annotations".into(), Value::Object(annotations));
    }
    let mut spec = o.sub("spec")?;
    o.done()?;
    let runs_to_completion = matches!(kind.as_str(), "Job" | "CronJob");
    let match_labels = selector(&kind, &mut spec, template_labels)?;
    if !runs_to_completion && !bare {
        let defaults = json!({"app.kubernetes.io/name": label, "app.kubernetes.io/component": component_label});
        if Value::Object(match_labels.clone()) != defaults {
            c.insert("selectorLabels".into(), Value::Object(match_labels.clone()));
        }
    }
    for key in [
        "replicas",
        "minReadySeconds",
        "revisionHistoryLimit",
        "progressDeadlineSeconds",
    ] {
        if let Some(v) = spec.take(key) {
            c.insert(key.into(), v);
        }
    }
    // A CronJob's Job spec is under its `jobTemplate`.
    let mut job_spec = kind_settings(&kind, &mut spec, &mut c)?;
    let mut job = match job_spec.take() {
        Some(inner) => {
            spec.done()?;
            inner
        }
        None => spec,
    };
    let mut job_settings = Map::new();
    if runs_to_completion {
        job_settings = settings(&mut job, JOB)?;
    }
    let mut template = job.sub("template")?;
    job.done()?;
    let mut needs = Needs::default();
    let mut notes = Vec::new();
    let mut restart = None;
    let container_name = pod(
        &mut template,
        &match_labels,
        &mut c,
        &mut Pod {
            needs: &mut needs,
            notes: &mut notes,
            restart: &mut restart,
        },
    )?;
    template.done()?;
    restart_policy(&kind, restart, &mut job_settings)?;
    if !job_settings.is_empty() {
        c.insert("job".into(), Value::Object(job_settings));
    }
    if container_name != key {
        c.insert("containerName".into(), container_name.into());
    }
    Ok(Converted {
        key,
        component: Value::Object(c),
        needs,
        notes,
    })
}

/// The pod's `restartPolicy`: a Job's (or a CronJob's) setting, else
/// Kubernetes' `Always`, the one policy cfggen writes for other kinds.
fn restart_policy(
    kind: &str,
    restart: Option<Value>,
    job_settings: &mut Map<String, Value>,
) -> Result<(), Why> {
    match restart {
        Some(policy) if matches!(kind, "Job" | "CronJob") => {
            job_settings.insert("restartPolicy".into(), policy);
        }
        Some(policy) if policy != "Always" => {
            return Err(format!("`restartPolicy: {policy}` in a {kind}"));
        }
        _ => {}
    }
    Ok(())
}

/// The labels a workload of `kind` selects its pods by: none for a Job,
/// a CronJob or a bare Pod; a ReplicationController's plain map (its
/// pod template's labels when absent, as Kubernetes takes it); else its
/// `matchLabels`.
fn selector(
    kind: &str,
    spec: &mut Taker,
    template_labels: Map<String, Value>,
) -> Result<Map<String, Value>, Why> {
    match kind {
        "Job" | "CronJob" | "Pod" => Ok(Map::new()),
        "ReplicationController" => Ok(match spec.strings("selector")? {
            m if m.is_empty() => template_labels,
            m => m,
        }),
        _ => {
            let mut selector = spec.sub("selector")?;
            let match_labels = selector.strings("matchLabels")?;
            selector.done()?;
            Ok(match_labels)
        }
    }
}

/// A bare Pod in the shape of a workload: its name (and labels, which
/// name its component) above a template of its labels, annotations and
/// spec.
fn as_template(pod: &Value) -> Value {
    let at = |p: &str| pod.pointer(p).cloned();
    let mut meta = Map::new();
    let mut template_meta = Map::new();
    for (key, value) in pod
        .get("metadata")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match key.as_str() {
            "labels" => {
                meta.insert(key.clone(), value.clone());
                template_meta.insert(key.clone(), value.clone());
            }
            "annotations" => {
                template_meta.insert(key.clone(), value.clone());
            }
            _ => {
                meta.insert(key.clone(), value.clone());
            }
        }
    }
    let mut template = Map::new();
    if !template_meta.is_empty() {
        template.insert("metadata".into(), Value::Object(template_meta));
    }
    if let Some(spec) = at("/spec") {
        template.insert("spec".into(), spec);
    }
    let mut out = Map::new();
    for key in ["apiVersion", "kind"] {
        if let Some(v) = pod.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert("metadata".into(), Value::Object(meta));
    out.insert("spec".into(), json!({ "template": template }));
    Value::Object(out)
}

/// The settings of the workload's kind; for a CronJob, also the Job spec
/// under its `jobTemplate`.
fn kind_settings(
    kind: &str,
    spec: &mut Taker,
    c: &mut Map<String, Value>,
) -> Result<Option<Taker>, Why> {
    let mut job_spec = None;
    match kind {
        "Deployment" => {
            if let Some(s) = spec.take("strategy") {
                c.insert("strategy".into(), s);
            }
        }
        "StatefulSet" => {
            c.insert("statefulSet".into(), stateful_set(spec)?);
        }
        "DaemonSet" => {
            if let Some(s) = spec.take("updateStrategy") {
                c.insert("daemonSet".into(), json!({ "updateStrategy": s }));
            }
        }
        "Job" | "Pod" | "ReplicationController" => {}
        "CronJob" => {
            c.insert("cronJob".into(), Value::Object(settings(spec, CRON_JOB)?));
            let mut template = spec.sub("jobTemplate")?;
            let meta = template.sub("metadata")?;
            meta.done()?;
            job_spec = Some(template.sub("spec")?);
            template.done()?;
        }
        other => return Err(format!("a {other} is not a workload cfggen types")),
    }
    Ok(job_spec)
}

/// A CronJob's own settings.
const CRON_JOB: &[&str] = &[
    "schedule",
    "timeZone",
    "concurrencyPolicy",
    "suspend",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "startingDeadlineSeconds",
];

/// A Job's own settings.
const JOB: &[&str] = &[
    "backoffLimit",
    "activeDeadlineSeconds",
    "ttlSecondsAfterFinished",
    "completions",
    "parallelism",
];

/// The fields `keys` of a spec, as they are.
fn settings(spec: &mut Taker, keys: &[&str]) -> Result<Map<String, Value>, Why> {
    let mut out = Map::new();
    for key in keys {
        match spec.take_any(key) {
            Some(Value::Bool(false)) | None => {}
            Some(v) => {
                out.insert((*key).into(), v);
            }
        }
    }
    Ok(out)
}

/// What taking a pod apart collects beside the component's fields.
struct Pod<'a> {
    needs: &'a mut Needs,
    notes: &'a mut Vec<String>,
    /// The pod's `restartPolicy`.
    restart: &'a mut Option<Value>,
}

/// A StatefulSet's own settings.
fn stateful_set(spec: &mut Taker) -> Result<Value, Why> {
    let mut s = Map::new();
    if let Some(n) = spec.take("serviceName") {
        s.insert("serviceName".into(), n);
    }
    for key in [
        "podManagementPolicy",
        "updateStrategy",
        "persistentVolumeClaimRetentionPolicy",
    ] {
        if let Some(v) = spec.take(key) {
            s.insert(key.into(), v);
        }
    }
    let mut templates = Map::new();
    for t in spec.list("volumeClaimTemplates")? {
        let mut t = Taker::new(t, "spec.volumeClaimTemplates[]")?;
        t.take("apiVersion");
        t.take("kind");
        let mut meta = t.sub("metadata")?;
        let name = meta.string("name")?.unwrap_or_default();
        let labels = meta.strings("labels")?;
        let annotations = meta.strings("annotations")?;
        meta.done()?;
        let mut claim = claim_spec(t.sub("spec")?)?;
        with_metadata(&mut claim, labels, annotations);
        t.done()?;
        templates.insert(name, claim);
    }
    if !templates.is_empty() {
        s.insert("volumeClaimTemplates".into(), Value::Object(templates));
    }
    Ok(Value::Object(s))
}

/// A claim's labels and annotations, when it has any.
pub(crate) fn with_metadata(
    claim: &mut Value,
    labels: Map<String, Value>,
    annotations: Map<String, Value>,
) {
    for (key, map) in [("labels", labels), ("annotations", annotations)] {
        if !map.is_empty() {
            claim[key] = Value::Object(map);
        }
    }
}

/// The spec of a PersistentVolumeClaim → a cfggen claim.
pub(crate) fn claim_spec(mut spec: Taker) -> Result<Value, Why> {
    let mut c = Map::new();
    let mut resources = spec.sub("resources")?;
    let mut requests = resources.sub("requests")?;
    let size = requests
        .take("storage")
        .ok_or("a claim without `resources.requests.storage`")?;
    requests.done()?;
    resources.done()?;
    c.insert("size".into(), size);
    if let Some(v) = spec.take("storageClassName") {
        c.insert("storageClassName".into(), v);
    }
    for key in ["accessModes", "volumeMode", "volumeName"] {
        if let Some(v) = spec.take(key) {
            c.insert(key.into(), v);
        }
    }
    spec.done()?;
    Ok(Value::Object(c))
}

/// The pod template: its settings go to `pod`, its containers to the
/// component; returns the main container's name.
fn pod(
    template: &mut Taker,
    selector: &Map<String, Value>,
    c: &mut Map<String, Value>,
    p: &mut Pod<'_>,
) -> Result<String, Why> {
    let (needs, notes) = (&mut *p.needs, &mut *p.notes);
    let mut meta = template.sub("metadata")?;
    // Kubernetes takes a pod template's namespace only as the object's,
    // and names each pod itself.
    meta.take("namespace");
    meta.take("name");
    let mut labels = meta.strings("labels")?;
    for (k, v) in selector {
        if labels.get(k) != Some(v) {
            return Err("the pod template's labels do not include the selector's".into());
        }
        labels.shift_remove(k);
    }
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let mut pod = Map::new();
    if !labels.is_empty() {
        pod.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        pod.insert("annotations".into(), Value::Object(annotations));
    }
    let mut spec = template.sub("spec")?;
    *p.restart = spec.take("restartPolicy");
    let volumes = pod_volumes(spec.list("volumes")?, needs)?;
    let mut used = std::collections::BTreeSet::new();
    // The first container is the main one; the others are its peers.
    let mut containers = spec.list("containers")?.into_iter();
    let mut main = Taker::new(
        containers.next().ok_or("a pod without containers")?,
        "containers[0]",
    )?;
    let main_name = main.string("name")?.unwrap_or_default();
    let fields = container(main, &volumes, &mut used, needs, notes)?;
    c.extend(fields);
    // Every container's name, once: the typed form keys them by name.
    let mut names = std::collections::BTreeSet::from([main_name.clone()]);
    let mut named = |name: Option<String>| -> Result<String, Why> {
        let name = name
            .filter(|n| !n.is_empty())
            .ok_or("a container without a name")?;
        if !names.insert(name.clone()) {
            return Err(format!("two containers named `{name}` in the pod"));
        }
        Ok(name)
    };
    let mut extra = Map::new();
    for (i, ec) in containers.enumerate() {
        let mut ec = Taker::new(ec, &format!("containers[{}]", i + 1))?;
        let name = named(ec.string("name")?)?;
        let fields = container(ec, &volumes, &mut used, needs, notes)?;
        extra.insert(name, Value::Object(fields));
    }
    if !extra.is_empty() {
        c.insert("extraContainers".into(), Value::Object(extra));
    }
    let mut init = Map::new();
    let mut sidecars = Map::new();
    for (i, ic) in spec.list("initContainers")?.into_iter().enumerate() {
        let mut ic = Taker::new(ic, &format!("initContainers[{i}]"))?;
        let name = named(ic.string("name")?)?;
        let always = ic.string("restartPolicy")? == Some("Always".into());
        let fields = container(ic, &volumes, &mut used, needs, notes)?;
        if always {
            sidecars.insert(name, Value::Object(fields));
        } else {
            if !sidecars.is_empty() {
                return Err(
                    "an init container after a sidecar: cfggen runs init containers first".into(),
                );
            }
            init.insert(name, Value::Object(fields));
        }
    }
    if !sidecars.is_empty() {
        c.insert("sidecars".into(), Value::Object(sidecars));
    }
    if !init.is_empty() {
        c.insert("initContainers".into(), Value::Object(init));
    }
    if let Some(unused) = volumes.keys().find(|v| !used.contains(*v)) {
        return Err(format!(
            "the pod volume `{unused}` is mounted by no container"
        ));
    }
    pod_settings(&mut spec, &mut pod, needs)?;
    spec.done()?;
    if !pod.is_empty() {
        c.insert("pod".into(), Value::Object(pod));
    }
    Ok(main_name)
}

/// The pod's own settings.
fn pod_settings(
    spec: &mut Taker,
    pod: &mut Map<String, Value>,
    needs: &mut Needs,
) -> Result<(), Why> {
    let account = spec
        .string("serviceAccountName")?
        .or(spec.string("serviceAccount")?);
    if let Some(sa) = account {
        needs.service_accounts.push(sa.clone());
        pod.insert("serviceAccount".into(), sa.into());
    }
    for (from, to) in [
        (
            "automountServiceAccountToken",
            "automountServiceAccountToken",
        ),
        ("securityContext", "securityContext"),
        ("nodeSelector", "nodeSelector"),
        ("tolerations", "tolerations"),
        ("affinity", "affinity"),
        ("topologySpreadConstraints", "topologySpreadConstraints"),
        ("runtimeClassName", "runtimeClassName"),
        ("priorityClassName", "priorityClassName"),
        ("dnsPolicy", "dnsPolicy"),
        ("enableServiceLinks", "enableServiceLinks"),
        (
            "terminationGracePeriodSeconds",
            "terminationGracePeriodSeconds",
        ),
    ] {
        if let Some(v) = spec.take(from) {
            pod.insert(to.into(), v);
        }
    }
    for flag in ["hostNetwork", "hostPID", "hostIPC"] {
        match spec.take(flag) {
            Some(Value::Bool(true)) => {
                pod.insert(flag.into(), true.into());
            }
            Some(Value::Bool(false)) | None => {}
            Some(_) => return Err(format!("`{flag}` is not `true` or `false`")),
        }
    }
    Ok(())
}

/// The pod's volumes by name, each as the source a cfggen volume writes.
fn pod_volumes(list: Vec<Value>, needs: &mut Needs) -> Result<Map<String, Value>, Why> {
    let mut out = Map::new();
    for (i, v) in list.into_iter().enumerate() {
        let mut v = Taker::new(v, &format!("volumes[{i}]"))?;
        let name = v.string("name")?.unwrap_or_default();
        let mut source = Map::new();
        if let Some(cm) = v.take("configMap") {
            let source_value = keys_source(cm, "name")?;
            let name = source_value
                .as_str()
                .or_else(|| source_value.get("name").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            needs.config_maps.push((name, None));
            source.insert("configMap".into(), source_value);
        } else if let Some(s) = v.take("secret") {
            let source_value = keys_source(s, "secretName")?;
            let secret = source_value
                .as_str()
                .or_else(|| source_value.get("name").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            needs.external_secrets.push((secret, None));
            source.insert("secret".into(), source_value);
        } else if let Some(e) = v.take_any("emptyDir") {
            let e = if crate::take::is_empty(&e) {
                Value::Bool(true)
            } else {
                e
            };
            source.insert("emptyDir".into(), e);
        } else if let Some(pvc) = v.take("persistentVolumeClaim") {
            let mut pvc = Taker::new(pvc, "persistentVolumeClaim")?;
            let claim = pvc.string("claimName")?.unwrap_or_default();
            pvc.done()?;
            needs.claims.push(claim.clone());
            source.insert("persistentVolumeClaim".into(), claim.into());
        } else if let Some(h) = v.take("hostPath") {
            source.insert("hostPath".into(), h);
        } else if let Some(n) = v.take("nfs") {
            source.insert("nfs".into(), n);
        } else if let Some(p) = v.take("projected") {
            // The ConfigMaps and secrets it reads, as a volume of each.
            for s in p
                .pointer("/sources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = |kind: &str| s.pointer(&format!("/{kind}/name")).and_then(Value::as_str);
                if let Some(cm) = name("configMap") {
                    needs.config_maps.push((cm.to_owned(), None));
                }
                if let Some(secret) = name("secret") {
                    needs.external_secrets.push((secret.to_owned(), None));
                }
            }
            source.insert("projected".into(), p);
        } else {
            // The long tail, in Kubernetes' own types.
            for key in ["downwardAPI", "csi", "ephemeral", "image"] {
                if let Some(s) = v.take(key) {
                    source.insert(key.into(), s);
                    break;
                }
            }
        }
        v.done()?;
        out.insert(name, Value::Object(source));
    }
    Ok(out)
}

/// A ConfigMap or Secret volume source: the name alone, or with items,
/// mode and optional.
fn keys_source(value: Value, name_key: &str) -> Result<Value, Why> {
    let mut t = Taker::new(value, name_key)?;
    let name = t.string(name_key)?.unwrap_or_default();
    let mut spec = Map::new();
    let items = t.list("items")?;
    if !items.is_empty() {
        let mut m = Map::new();
        for item in items {
            let mut it = Taker::new(item, "items[]")?;
            let key = it.string("key")?.unwrap_or_default();
            let path = it.string("path")?.unwrap_or_default();
            it.done()?;
            m.insert(key, path.into());
        }
        spec.insert("items".into(), Value::Object(m));
    }
    if let Some(mode) = t.take("defaultMode") {
        // A file mode reads best in octal: `0755`, not 493.
        let mode = match mode.as_u64() {
            Some(n) => Value::String(format!("0{n:o}")),
            None => mode,
        };
        spec.insert("defaultMode".into(), mode);
    }
    if let Some(o) = t.take("optional") {
        spec.insert("optional".into(), o);
    }
    t.done()?;
    if spec.is_empty() {
        return Ok(name.into());
    }
    let mut full = Map::new();
    full.insert("name".into(), name.into());
    full.extend(spec);
    Ok(Value::Object(full))
}

/// One container's fields in cfggen's form.
fn container(
    mut t: Taker,
    volumes: &Map<String, Value>,
    used: &mut std::collections::BTreeSet<String>,
    needs: &mut Needs,
    notes: &mut Vec<String>,
) -> Result<Map<String, Value>, Why> {
    let mut c = Map::new();
    for key in [
        "image",
        "imagePullPolicy",
        "command",
        "args",
        "workingDir",
        "terminationMessagePath",
        "terminationMessagePolicy",
    ] {
        if let Some(v) = t.take(key) {
            c.insert(key.into(), v);
        }
    }
    for flag in ["tty", "stdin"] {
        match t.take(flag) {
            Some(Value::Bool(true)) => {
                c.insert(flag.into(), true.into());
            }
            Some(Value::Bool(false)) | None => {}
            Some(_) => return Err(format!("`{flag}` is not `true` or `false`")),
        }
    }
    let ports = ports(t.list("ports")?, notes)?;
    if !ports.is_empty() {
        c.insert("ports".into(), Value::Object(ports));
    }
    let env = env(t.list("env")?, needs)?;
    if !env.is_empty() {
        c.insert("env".into(), Value::Object(env));
    }
    let env_from = env_from(t.list("envFrom")?, needs)?;
    if !env_from.is_empty() {
        c.insert("envFrom".into(), Value::Array(env_from));
    }
    let mut probes = Map::new();
    for (from, to) in [
        ("livenessProbe", "liveness"),
        ("readinessProbe", "readiness"),
        ("startupProbe", "startup"),
    ] {
        if let Some(p) = t.take(from) {
            probes.insert(to.into(), probe(p)?);
        }
    }
    if !probes.is_empty() {
        c.insert("probes".into(), Value::Object(probes));
    }
    if let Some(r) = t.take("resources") {
        c.insert("resources".into(), r);
    }
    if let Some(s) = t.take("securityContext") {
        c.insert("securityContext".into(), s);
    }
    if let Some(l) = t.take("lifecycle") {
        c.insert("lifecycle".into(), l);
    }
    let mounts = mounts(t.list("volumeMounts")?, volumes, used)?;
    if !mounts.is_empty() {
        c.insert("volumes".into(), Value::Object(mounts));
    }
    t.done()?;
    Ok(c)
}

/// Container ports → `{name: number}` or `{name: {port, protocol, hostPort}}`.
fn ports(list: Vec<Value>, notes: &mut Vec<String>) -> Result<Map<String, Value>, Why> {
    let mut out = Map::new();
    for p in list {
        let mut p = Taker::new(p, "ports[]")?;
        let number = p
            .take("containerPort")
            .ok_or("a port without `containerPort`")?;
        let name = match p.string("name")? {
            Some(n) => n,
            None => {
                let n = format!("p{number}");
                notes.push(format!("container port {number} is named `{n}`"));
                n
            }
        };
        let protocol = p.string("protocol")?.filter(|proto| proto != "TCP");
        let host_port = p.take("hostPort");
        p.done()?;
        let value = if protocol.is_none() && host_port.is_none() {
            number
        } else {
            let mut s = Map::new();
            s.insert("port".into(), number);
            if let Some(proto) = protocol {
                s.insert("protocol".into(), proto.into());
            }
            if let Some(h) = host_port {
                s.insert("hostPort".into(), h);
            }
            Value::Object(s)
        };
        if out.insert(name.clone(), value).is_some() {
            return Err(format!("two container ports are named `{name}`"));
        }
    }
    Ok(out)
}

/// Environment variables by name.
fn env(list: Vec<Value>, needs: &mut Needs) -> Result<Map<String, Value>, Why> {
    let mut out = Map::new();
    for v in list {
        let mut v = Taker::new(v, "env[]")?;
        let name = v.string("name")?.unwrap_or_default();
        let value = match (v.take("value"), v.take("valueFrom")) {
            (Some(Value::String(s)), None) => Value::String(s),
            (None, None) => Value::String(String::new()),
            (None, Some(from)) => value_from(from, needs)?,
            _ => return Err(format!("env `{name}` has a value of another form")),
        };
        v.done()?;
        if out.insert(name.clone(), value).is_some() {
            return Err(format!("env `{name}` is set twice"));
        }
    }
    Ok(out)
}

/// `valueFrom` → `{field}`, `{resource}`, `{configMap}` or `{secret}`.
fn value_from(from: Value, needs: &mut Needs) -> Result<Value, Why> {
    let mut f = Taker::new(from, "valueFrom")?;
    let out = if let Some(r) = f.take("fieldRef") {
        let mut r = Taker::new(r, "fieldRef")?;
        r.take("apiVersion");
        let path = r.string("fieldPath")?.unwrap_or_default();
        r.done()?;
        json!({ "field": path })
    } else if let Some(r) = f.take("resourceFieldRef") {
        let mut r = Taker::new(r, "resourceFieldRef")?;
        let resource = r.string("resource")?.unwrap_or_default();
        let mut out = json!({ "resource": resource });
        if let Some(d) = r.take("divisor") {
            out["divisor"] = d;
        }
        r.done()?;
        out
    } else if let Some(r) = f.take("configMapKeyRef") {
        let mut r = Taker::new(r, "configMapKeyRef")?;
        let name = r.string("name")?.unwrap_or_default();
        let key = r.string("key")?.unwrap_or_default();
        let optional = r.take("optional");
        r.done()?;
        needs.config_maps.push((name.clone(), Some(key.clone())));
        with_optional(json!({ "configMap": format!("{name}/{key}") }), optional)
    } else if let Some(r) = f.take("secretKeyRef") {
        let mut r = Taker::new(r, "secretKeyRef")?;
        let name = r.string("name")?.unwrap_or_default();
        let key = r.string("key")?.unwrap_or_default();
        let optional = r.take("optional");
        r.done()?;
        needs
            .external_secrets
            .push((name.clone(), Some(key.clone())));
        with_optional(json!({ "secret": format!("{name}/{key}") }), optional)
    } else {
        return Err("an env value from a source cfggen has no form for".into());
    };
    f.done()?;
    Ok(out)
}

/// `envFrom` → `[{configMap: …}, {secret: …}]`.
fn env_from(list: Vec<Value>, needs: &mut Needs) -> Result<Vec<Value>, Why> {
    let mut out = Vec::new();
    for e in list {
        let mut e = Taker::new(e, "envFrom[]")?;
        let prefix = e.take("prefix");
        let mut item = if let Some(r) = e.take("configMapRef") {
            let mut r = Taker::new(r, "configMapRef")?;
            let name = r.string("name")?.unwrap_or_default();
            let optional = r.take("optional");
            r.done()?;
            needs.config_maps.push((name.clone(), None));
            with_optional(json!({ "configMap": name }), optional)
        } else if let Some(r) = e.take("secretRef") {
            let mut r = Taker::new(r, "secretRef")?;
            let name = r.string("name")?.unwrap_or_default();
            let optional = r.take("optional");
            r.done()?;
            needs.external_secrets.push((name.clone(), None));
            with_optional(json!({ "secret": name }), optional)
        } else {
            return Err("an `envFrom` entry of another form".into());
        };
        if let Some(p) = prefix {
            item["prefix"] = p;
        }
        e.done()?;
        out.push(item);
    }
    Ok(out)
}

/// An `envFrom` entry with its `optional: true`, if set.
fn with_optional(mut item: Value, optional: Option<Value>) -> Value {
    if optional == Some(Value::Bool(true)) {
        item["optional"] = Value::Bool(true);
    }
    item
}

/// A probe.
fn probe(value: Value) -> Result<Value, Why> {
    let mut p = Taker::new(value, "probe")?;
    let mut out = Map::new();
    if let Some(h) = p.take("httpGet") {
        let mut h = Taker::new(h, "httpGet")?;
        let mut http = Map::new();
        http.insert("path".into(), h.take("path").unwrap_or_else(|| "/".into()));
        http.insert(
            "port".into(),
            h.take("port").ok_or("an HTTP probe without a port")?,
        );
        if let Some(s) = h.take("scheme").filter(|s| s != "HTTP") {
            http.insert("scheme".into(), s);
        }
        let headers = h.list("httpHeaders")?;
        if !headers.is_empty() {
            let mut m = Map::new();
            for hd in headers {
                let mut hd = Taker::new(hd, "httpHeaders[]")?;
                let name = hd.string("name")?.unwrap_or_default();
                let value = hd.take("value").unwrap_or_else(|| "".into());
                hd.done()?;
                m.insert(name, value);
            }
            http.insert("headers".into(), Value::Object(m));
        }
        h.done()?;
        out.insert("http".into(), Value::Object(http));
    } else if let Some(t) = p.take("tcpSocket") {
        let mut t = Taker::new(t, "tcpSocket")?;
        out.insert(
            "tcp".into(),
            t.take("port").ok_or("a TCP probe without a port")?,
        );
        t.done()?;
    } else if let Some(g) = p.take("grpc") {
        out.insert("grpc".into(), g);
    } else if let Some(e) = p.take("exec") {
        let mut e = Taker::new(e, "exec")?;
        out.insert(
            "exec".into(),
            e.take("command").unwrap_or_else(|| json!([])),
        );
        e.done()?;
    }
    for key in [
        "initialDelaySeconds",
        "periodSeconds",
        "timeoutSeconds",
        "failureThreshold",
        "successThreshold",
    ] {
        if let Some(v) = p.take(key) {
            out.insert(key.into(), v);
        }
    }
    p.done()?;
    Ok(Value::Object(out))
}

/// `volumeMounts` → cfggen volumes: each mounted volume with its source
/// and where it is mounted.
fn mounts(
    list: Vec<Value>,
    volumes: &Map<String, Value>,
    used: &mut std::collections::BTreeSet<String>,
) -> Result<Map<String, Value>, Why> {
    let mut out: Map<String, Value> = Map::new();
    for m in list {
        let mut m = Taker::new(m, "volumeMounts[]")?;
        let name = m.string("name")?.unwrap_or_default();
        let mut mount = Map::new();
        mount.insert("mountPath".into(), m.take("mountPath").unwrap_or_default());
        if let Some(s) = m.take("subPath") {
            mount.insert("subPath".into(), s);
        }
        let read_only = matches!(m.take("readOnly"), Some(Value::Bool(true)));
        let propagation = m.take("mountPropagation");
        m.done()?;
        used.insert(name.clone());
        let entry = out.entry(name.clone()).or_insert_with(|| {
            let mut v = volumes
                .get(&name)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if read_only {
                v.insert("readOnly".into(), true.into());
            }
            if let Some(p) = &propagation {
                v.insert("mountPropagation".into(), p.clone());
            }
            Value::Object(v)
        });
        let Some(entry) = entry.as_object_mut() else {
            continue;
        };
        if entry.contains_key("mountPath") || entry.contains_key("mounts") {
            // A second mount of the volume: every mount goes to `mounts`,
            // each with its own `subPath` and `readOnly`.
            let mut all = Vec::new();
            if let Some(path) = entry.shift_remove("mountPath") {
                let mut first = Map::new();
                first.insert("mountPath".into(), path);
                if let Some(s) = entry.shift_remove("subPath") {
                    first.insert("subPath".into(), s);
                }
                if let Some(r) = entry.shift_remove("readOnly") {
                    first.insert("readOnly".into(), r);
                }
                all.push(Value::Object(first));
            }
            if let Some(Value::Array(more)) = entry.shift_remove("mounts") {
                all.extend(more);
            }
            if read_only {
                mount.insert("readOnly".into(), true.into());
            }
            all.push(Value::Object(mount));
            entry.insert("mounts".into(), Value::Array(all));
        } else {
            entry.extend(mount);
        }
    }
    Ok(out)
}
