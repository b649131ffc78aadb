//! Criterion benches of the hot inner functions: ImageRef parsing, the
//! render of one app, YAML emitting, and the semantic diff of one resource.
//!
//! cargo bench -p cfggen-bench

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

const ENV: &str = "name: bench
cluster: {name: bench, server: https://k8s.example.com:6443}
argocd: {repoURL: ssh://git@forge.example.com/gitops.git}
onepassword: {vault: bench, store: {name: op, provider: onepassword}}
postgres:
  pg: {namespace: databases, storage: {size: 1Gi}}
apps:
  web:
    image: registry.example.com/fleet/web:v1.2.3
    components:
      app:
        ports: {http: 8080}
        env:
          LOG_LEVEL: info
          API_TOKEN: {secret: web-secrets/api-token}
        probes:
          liveness: {http: {path: /healthz, port: http}}
          readiness: {http: {path: /ready, port: http}}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 256Mi}
    services:
      web: {component: app, ports: {http: 80}}
    database:
      cluster: pg
      password: web-secrets/db-password
      env: {password: DB_PASSWORD}
    secrets:
      web-secrets:
        item: Web
        fields: {api-token: {}, db-password: {}}
";

fn environment() -> cfggen_model::Validated {
    let node = cfggen_yaml::parse(cfggen_yaml::FileId(0), ENV, &cfggen_yaml::Limits::default())
        .expect("bench input parses");
    let env: cfggen_model::Environment =
        serde_json::from_value(node.to_json()).expect("bench input is an environment");
    let name = env.name.clone();
    cfggen_model::validate(env, &name).expect("bench input is valid")
}

fn benches(c: &mut Criterion) {
    c.bench_function("ImageRef::parse", |b| {
        b.iter(|| {
            cfggen_model::ImageRef::parse(black_box(
                "registry.example.com:5000/fleet/app-00001:v1.2.3",
            ))
        })
    });
    let env = environment();
    let sources = vec!["environments/bench.yaml".to_owned()];
    c.bench_function("render one app (all its files)", |b| {
        b.iter(|| cfggen_render::render(black_box(&env), &sources))
    });
    let rendered = cfggen_render::render_whole(&env, &sources).expect("renders");
    let deployment = rendered
        .objects
        .get("web/deployment-web-app.yaml")
        .cloned()
        .expect("a deployment");
    c.bench_function("emit one Deployment as YAML", |b| {
        b.iter(|| cfggen_yaml::emit(black_box(&deployment)))
    });
    let text = cfggen_yaml::emit(&deployment);
    let changed = text
        .replace("v1.2.3", "v1.2.4")
        .replace("replicas: 1", "replicas: 2");
    c.bench_function("semantic diff of one Deployment", |b| {
        b.iter(|| cfggen_diff::semantic_diff(black_box(&text), black_box(&changed)))
    });
}

criterion_group! {
    name = inner;
    config = Criterion::default();
    targets = benches
}
criterion_main!(inner);
