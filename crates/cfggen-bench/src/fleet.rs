//! The synthetic fleet: N apps × E environments, in cfggen's format and as
//! an ordinary Kustomize layout (a base per app, an overlay per
//! environment) with the same Deployment, Service, ExternalSecret and
//! Database per app.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// Name of app `i` (1-based).
pub fn app(i: usize) -> String {
    format!("app-{i:05}")
}

/// Name of environment `e` (1-based).
pub fn env(e: usize) -> String {
    format!("env-{e}")
}

fn image(i: usize) -> String {
    format!("registry.example.com/fleet/{}", app(i))
}

fn tag(e: usize) -> String {
    format!("v1.{e}.0")
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Writes the cfggen repository (`environments/`) under `root`.
pub fn write_cfggen(root: &Path, apps: usize, envs: usize) -> io::Result<()> {
    let mut base = String::from(
        "# yaml-language-server: $schema=../../schemas/partial-environment.schema.json\n\
         argocd:\n  repoURL: ssh://git@forge.example.com/fleet/gitops.git\n\
         onepassword:\n  store:\n    name: onepassword-fleet\n    provider: onepassword\n\
         postgres:\n  fleet-pg:\n    namespace: databases\n    storage:\n      size: 100Gi\n\
         apps:\n",
    );
    for i in 1..=apps {
        let a = app(i);
        let db = a.replace('-', "_");
        let _ = write!(
            base,
            "  {a}:\n\
             \x20   components:\n\
             \x20     web:\n\
             \x20       ports: {{http: 8080}}\n\
             \x20       env:\n\
             \x20         LOG_LEVEL: info\n\
             \x20         API_TOKEN: {{secret: {a}-secrets/api-token}}\n\
             \x20       probes:\n\
             \x20         liveness: {{http: {{path: /healthz, port: http}}}}\n\
             \x20         readiness: {{http: {{path: /ready, port: http}}}}\n\
             \x20       resources:\n\
             \x20         requests: {{cpu: 100m, memory: 128Mi}}\n\
             \x20         limits: {{cpu: 500m, memory: 256Mi}}\n\
             \x20   services:\n\
             \x20     {a}: {{component: web, ports: {{http: 80}}}}\n\
             \x20   database:\n\
             \x20     cluster: fleet-pg\n\
             \x20     name: {db}\n\
             \x20     owner: {db}\n\
             \x20     password: {a}-secrets/db-password\n\
             \x20     env: {{password: DB_PASSWORD}}\n\
             \x20   secrets:\n\
             \x20     {a}-secrets:\n\
             \x20       item: App {i}\n\
             \x20       fields: {{api-token: {{}}, db-password: {{}}}}\n"
        );
    }
    write(&root.join("environments/bases/fleet.yaml"), &base)?;
    for e in 1..=envs {
        let name = env(e);
        let mut text = format!(
            "# yaml-language-server: $schema=../schemas/partial-environment.schema.json\n\
             name: {name}\nextends: [fleet]\n\
             cluster:\n  name: {name}\n  server: https://{name}.k8s.example.com:6443\n\
             onepassword:\n  vault: fleet-{name}\n\
             apps:\n"
        );
        for i in 1..=apps {
            let _ = writeln!(text, "  {}: {{image: \"{}:{}\"}}", app(i), image(i), tag(e));
        }
        write(&root.join(format!("environments/{name}.yaml")), &text)?;
    }
    Ok(())
}

/// Writes the Kustomize layout under `root/kustomize`: one base per app,
/// one overlay per environment and app (setting the image tag and the
/// vault), one kustomization per environment listing them.
pub fn write_kustomize(root: &Path, apps: usize, envs: usize) -> io::Result<()> {
    let k = root.join("kustomize");
    for i in 1..=apps {
        let a = app(i);
        let db = a.replace('-', "_");
        let dir = k.join("base").join(&a);
        write(
            &dir.join("deployment.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {a}-web\n  labels:\n    app.kubernetes.io/name: {a}\n    app.kubernetes.io/component: web\n  annotations:\n    argocd.argoproj.io/sync-wave: \"0\"\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {a}\n      app.kubernetes.io/component: web\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {a}\n        app.kubernetes.io/component: web\n    spec:\n      containers:\n      - name: web\n        image: {img}:latest\n        ports:\n        - name: http\n          containerPort: 8080\n          protocol: TCP\n        env:\n        - name: LOG_LEVEL\n          value: info\n        - name: API_TOKEN\n          valueFrom:\n            secretKeyRef:\n              name: {a}-secrets\n              key: api-token\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: {a}-secrets\n              key: db-password\n        livenessProbe:\n          httpGet:\n            path: /healthz\n            port: http\n        readinessProbe:\n          httpGet:\n            path: /ready\n            port: http\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            cpu: 500m\n            memory: 256Mi\n",
                img = image(i)
            ),
        )?;
        write(
            &dir.join("service.yaml"),
            &format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {a}\n  annotations:\n    argocd.argoproj.io/sync-wave: \"0\"\nspec:\n  selector:\n    app.kubernetes.io/name: {a}\n    app.kubernetes.io/component: web\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n    protocol: TCP\n"
            ),
        )?;
        write(
            &dir.join("externalsecret.yaml"),
            &format!(
                "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: {a}-secrets\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\nspec:\n  refreshInterval: 1h\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: onepassword-fleet\n  target:\n    name: {a}-secrets\n    creationPolicy: Owner\n  data:\n  - secretKey: api-token\n    remoteRef:\n      key: App {i}\n      property: api-token\n  - secretKey: db-password\n    remoteRef:\n      key: App {i}\n      property: db-password\n"
            ),
        )?;
        write(
            &dir.join("database.yaml"),
            &format!(
                "apiVersion: postgresql.cnpg.io/v1\nkind: Database\nmetadata:\n  name: fleet-pg-{a}\n  namespace: databases\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\nspec:\n  name: {db}\n  owner: {db}\n  cluster:\n    name: fleet-pg\n  ensure: present\n"
            ),
        )?;
        write(
            &dir.join("kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n- service.yaml\n- externalsecret.yaml\n- database.yaml\n",
        )?;
    }
    for e in 1..=envs {
        let name = env(e);
        let dir = k.join("overlays").join(&name);
        let mut list = String::from(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
        );
        for i in 1..=apps {
            let a = app(i);
            let _ = writeln!(list, "- {a}");
            write(
                &dir.join(&a).join("kustomization.yaml"),
                &format!(
                    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {a}\nresources:\n- ../../../base/{a}\nimages:\n- name: {img}\n  newTag: {t}\nlabels:\n- pairs:\n    cfggen.dev/environment: {name}\n",
                    img = image(i),
                    t = tag(e)
                ),
            )?;
        }
        write(&dir.join("kustomization.yaml"), &list)?;
    }
    Ok(())
}
