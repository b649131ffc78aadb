//! The editor experience, proven with the language server VS Code, Neovim
//! and Helix run: the real `yaml-language-server` (pinned in
//! `tests/editor/package.json`, installed by `npm ci` there) is driven over
//! stdio with LSP messages against the committed schemas, the way an editor
//! would through the files' `# yaml-language-server: $schema=` modelines.
//!
//! Where Node.js is installed and the server is not, the tests install it
//! (`npm ci`); where Node.js is not, they say so and skip; in CI (`CI`
//! set) they fail instead, since `.ci/run` installs it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{fixtures, workspace, TestRepo};

fn server_path() -> Option<PathBuf> {
    let dir = workspace().join("tests/editor");
    let bin = dir.join("node_modules/.bin/yaml-language-server");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    // Where Node.js is, the pinned server is installed as `.ci/run` does,
    // once for the tests that run at the same time.
    static INSTALL: std::sync::Once = std::sync::Once::new();
    if node && !bin.is_file() {
        INSTALL.call_once(|| {
            let _ = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .status();
        });
    }
    crate::support::available(
        bin.is_file() && node,
        "yaml-language-server (cd tests/editor && npm ci)",
    )
    .then_some(bin)
}

struct Lsp {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Diagnostics last published, by document URI.
    diagnostics: HashMap<String, Vec<Value>>,
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Lsp {
    fn start(server: &Path, root: &Path) -> Lsp {
        let mut child = Command::new(server)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("yaml-language-server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut lsp = Lsp {
            child,
            stdin,
            incoming,
            next_id: 1,
            diagnostics: HashMap::new(),
        };
        lsp.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri(root),
                "capabilities": {
                    "workspace": {"configuration": true},
                    "textDocument": {
                        "publishDiagnostics": {},
                        "completion": {"completionItem": {"snippetSupport": true}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]}
                    }
                }
            }),
        );
        lsp.notify("initialized", json!({}));
        lsp.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"yaml": settings()}}),
        );
        lsp
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .expect("write to server");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Handles one message from the server; returns it if it is the
    /// response to `id`.
    fn handle(&mut self, msg: Value, id: Option<i64>) -> Option<Value> {
        if let (Some(method), Some(req_id)) =
            (msg.get("method").and_then(Value::as_str), msg.get("id"))
        {
            // A request from the server: answer what an editor would.
            let result = match method {
                "workspace/configuration" => {
                    let n = msg
                        .pointer("/params/items")
                        .and_then(Value::as_array)
                        .map_or(1, Vec::len);
                    Value::Array(vec![settings(); n])
                }
                _ => Value::Null,
            };
            let reply = json!({"jsonrpc": "2.0", "id": req_id, "result": result});
            self.send(&reply);
            return None;
        }
        if msg.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics") {
            let u = msg
                .pointer("/params/uri")
                .and_then(Value::as_str)
                .unwrap()
                .to_owned();
            let d = msg
                .pointer("/params/diagnostics")
                .and_then(Value::as_array)
                .cloned()
                .unwrap();
            self.diagnostics.insert(u, d);
            return None;
        }
        match (id, msg.get("id").and_then(Value::as_i64)) {
            (Some(want), Some(got)) if want == got => Some(msg),
            _ => None,
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(msg) = self.incoming.recv_timeout(Duration::from_millis(200)) {
                if let Some(response) = self.handle(msg, Some(id)) {
                    return response.get("result").cloned().unwrap_or(Value::Null);
                }
            }
        }
        panic!("no response to {method}");
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let u = uri(path);
        self.diagnostics.remove(&u);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "yaml", "version": 1, "text": text}}),
        );
        u
    }

    /// Waits for the diagnostics of `u` (the server publishes them after
    /// validating, possibly more than once while schemas load).
    fn diagnostics_of(&mut self, u: &str) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut settled_at: Option<Instant> = None;
        while Instant::now() < deadline {
            if let Ok(msg) = self.incoming.recv_timeout(Duration::from_millis(100)) {
                if msg.get("method").and_then(Value::as_str)
                    == Some("textDocument/publishDiagnostics")
                {
                    settled_at = None;
                }
                self.handle(msg, None);
            }
            if self.diagnostics.contains_key(u) {
                let since = *settled_at.get_or_insert_with(Instant::now);
                // No newer publication for a while: that is the answer.
                if since.elapsed() > Duration::from_millis(700) {
                    break;
                }
            }
        }
        self.diagnostics
            .get(u)
            .cloned()
            .unwrap_or_else(|| panic!("no diagnostics for {u}"))
    }

    fn close(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

fn settings() -> Value {
    json!({"validate": true, "hover": true, "completion": true, "format": {"enable": false}, "schemaStore": {"enable": false}})
}

/// A repository copy with the committed schemas, and a server over it.
fn setup() -> Option<(TestRepo, Lsp)> {
    let server = server_path()?;
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    crate::support::copy_tree(&workspace().join("schemas"), &repo.path().join("schemas"));
    let lsp = Lsp::start(&server, repo.path());
    Some((repo, lsp))
}

fn lines_of(diagnostics: &[Value]) -> Vec<u64> {
    diagnostics
        .iter()
        .filter_map(|d| d.pointer("/range/start/line").and_then(Value::as_u64))
        .collect()
}

/// A complete environment file with the modeline, plus `extra` lines.
fn document(extra: &str) -> String {
    format!(
        "# yaml-language-server: $schema=../schemas/environment.schema.json\n\
         name: editor\n\
         cluster:\n  name: editor\n  server: https://k8s.example.com:6443\n\
         argocd:\n  repoURL: ssh://git@forge.example.com/gitops.git\n\
         onepassword:\n  vault: editor\n  store:\n    name: op\n    provider: onepassword\n\
         apps:\n  web:\n    image: ghcr.io/example/web:v1\n    components:\n      app:\n        replicas: 2\n{extra}"
    )
}

#[test]
fn the_language_server_validates_environment_files() {
    let Some((repo, mut lsp)) = setup() else {
        return;
    };
    let path = repo.path().join("environments/editor.yaml");

    // A valid file: no diagnostics. And a shipped file with its modeline.
    let u = lsp.open(&path, &document(""));
    assert_eq!(lsp.diagnostics_of(&u), Vec::<Value>::new());
    // The shipped files, through their own modelines.
    for file in [
        "environments/prod.yaml",
        "environments/dev.yaml",
        "environments/bases/platform.yaml",
    ] {
        let text = std::fs::read_to_string(workspace().join(file)).expect("shipped file");
        let u = lsp.open(&repo.path().join(file), &text);
        assert_eq!(
            lsp.diagnostics_of(&u),
            Vec::<Value>::new(),
            "{file} is valid in the editor"
        );
    }

    // The newcomer's shop, short and with Kubernetes list forms.
    for file in ["dev.yaml", "habits.yaml"] {
        let text = std::fs::read_to_string(fixtures().join("newcomer/environments").join(file))
            .expect("fixture file")
            .replace("../../../../schemas/", "../schemas/");
        let u = lsp.open(
            &repo.path().join(format!("environments/newcomer-{file}")),
            &text,
        );
        assert_eq!(
            lsp.diagnostics_of(&u),
            Vec::<Value>::new(),
            "newcomer {file} is valid in the editor"
        );
    }

    // One mistake each, on a known line (0-based).
    // What adoption of real repositories added: a Service selecting by
    // some of the pods' labels with one unnamed port, a claim's labels,
    // hostIPC, an optional envFrom, uncheckedKinds, a cluster's backups,
    // affinity and claim template, Velero schedules, monitors, certificates,
    // gateways, Cilium policies, Grafana dashboards, roles and bindings,
    // a Service's endpoints outside the cluster, issuers, TLS and TCP
    // routes, weighted and redirecting HTTPRoute rules, ReferenceGrants,
    // claims made elsewhere, Flux HelmReleases and their sources, Istio
    // VirtualServices, DestinationRules and Gateways, Cilium IP pools and L2
    // announcements, GatewayClasses, Grafana data sources, IngressClasses,
    // VolumeSnapshotClasses, AppProject roles and sync windows, an
    // account's rules in other namespaces, a monitor and a store secret
    // of another namespace, searched and generated store secrets, a
    // HelmRelease's post-renderers, a bare Pod, a ReplicationController
    // with a component label of its own, and a store's compression with a
    // cluster's PodMonitor relabelings.
    let adopted = document(
        "        pod: {hostIPC: true, enableServiceLinks: false}\n        tty: true\n        stdin: true\n        envFrom: [{configMap: settings, optional: true}]\n        env: {ADMIN_PASSWORD: {secret: admin/password, optional: true}, APP_TOML: {configMap: settings/app.toml, optional: true}}\n    ingresses:\n      web:\n        service: all\n        port: 80\n        hosts: [a.example.com, b.example.com]\n        tlsEntries: [{hosts: [a.example.com], secretName: a-tls}]\n        labels: {exposed: \"true\"}\n    services:\n      all:\n        selector: {app: web}\n        type: LoadBalancer\n        clusterIP: 10.96.0.53\n        loadBalancerIP: 192.168.1.53\n        externalTrafficPolicy: Local\n        internalTrafficPolicy: Cluster\n        ipFamilies: [IPv4, IPv6]\n        ipFamilyPolicy: PreferDualStack\n        ports: [{port: 80, targetPort: 8080}]\n      nas:\n        ports: [{name: smb, port: 445}]\n        endpoints: {addresses: [192.168.1.5], managedBy: storage}\n    httpRoutes:\n      web:\n        parentRefs: [{name: external, namespace: gateway, sectionName: https}]\n        hostnames: [a.example.com]\n        rules: [{path: /api, pathType: Exact, service: all, port: 80, timeouts: {request: 10s}}, {path: /v2, backends: [{service: all, port: 80, weight: 9}, {service: docs, namespace: docs, port: 8080, weight: 1}], requestHeaders: {set: {X-Env: prod}, remove: [X-Debug]}, rewrite: {path: {replacePrefixMatch: /}}}, {redirect: {scheme: https, statusCode: 301, path: {replaceFullPath: /}}, responseHeaders: {add: {Cache-Control: no-cache}}}]\n    ociRepositories:\n      app-template: {url: oci://ghcr.io/bjw-s-labs/helm/app-template, interval: 15m, ref: {tag: 4.2.0}, layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}}\n    helmRepositories:\n      bitnami: {url: oci://registry-1.docker.io/bitnamicharts, type: oci, interval: 1h}\n    helmReleases:\n      cache: {interval: 30m, chart: {spec: {chart: redis, version: 20.1.0, sourceRef: {kind: HelmRepository, name: bitnami}}}, install: {crds: CreateReplace, remediation: {retries: 3}}, upgrade: {remediation: {retries: 3, strategy: rollback}}, valuesFrom: [{kind: ConfigMap, name: settings, valuesKey: cache.yaml}], values: {architecture: standalone}}\n      site: {interval: 1h, chartRef: {kind: OCIRepository, name: app-template}, dependsOn: [{name: cache}], values: {controllers: {main: {replicas: 1}}}, postRenderers: [{kustomize: {patches: [{target: {kind: Deployment, name: site}, patch: \"- op: add\\n  path: /spec/template/spec/enableServiceLinks\\n  value: false\\n\"}], images: [{name: ghcr.io/example/site, newTag: v2}]}}]}\n    ingressClasses:\n      nginx: {controller: k8s.io/ingress-nginx, default: true, parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external, scope: Cluster}}\n    volumeSnapshotClasses:\n      zfs: {driver: zfs.csi.openebs.io, deletionPolicy: Retain, parameters: {snapshotPrefix: lab}, default: true}\n    gatewayClasses:\n      cilium: {controllerName: io.cilium/gateway-controller, description: Cilium's Envoy, parametersRef: {group: cilium.io, kind: CiliumGatewayClassConfig, name: default, namespace: kube-system}}\n    grafanaDatasources:\n      prometheus: {instanceSelector: {matchLabels: {dashboards: grafana}}, allowCrossNamespaceImport: true, datasource: {name: Prometheus, type: prometheus, access: proxy, url: 'http://prometheus-operated.monitoring:9090', isDefault: true, jsonData: {timeInterval: 30s}}}\n    ciliumLoadBalancerIPPools:\n      lan: {blocks: [{start: 192.168.10.220, stop: 192.168.10.250}, {cidr: 10.96.200.0/28}], serviceSelector: {matchLabels: {pool: lan}}, allowFirstLastIPs: 'No', version: v2alpha1}\n    ciliumL2AnnouncementPolicies:\n      lan: {serviceSelector: {matchLabels: {pool: lan}}, interfaces: ['^eth[0-9]+'], loadBalancerIPs: true, externalIPs: false}\n    ciliumBGPClusterConfigs:\n      lan: {nodeSelector: {matchLabels: {bgp: 'on'}}, bgpInstances: [{name: '65200', localASN: 65200, peers: [{name: router, peerASN: 65100, peerAddress: 192.168.1.1, peerConfigRef: {name: router}}]}]}\n    ciliumBGPPeerConfigs:\n      router: {authSecretRef: bgp-router, ebgpMultihop: 2, transport: {peerPort: 179}, timers: {holdTimeSeconds: 9}, gracefulRestart: {enabled: true}, families: [{afi: ipv4, safi: unicast, advertisements: {matchLabels: {advertise: lb}}}]}\n    ciliumBGPAdvertisements:\n      lb: {advertisements: [{advertisementType: Service, service: {addresses: [LoadBalancerIP]}, selector: {matchLabels: {bgp: announce}}}, {advertisementType: PodCIDR}], labels: {advertise: lb}}\n    istioGateways:\n      public: {selector: {istio: ingressgateway}, servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [web.example.com], tls: {mode: SIMPLE, credentialName: web-tls}}]}\n    destinationRules:\n      all: {host: all, trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}\n    virtualServices:\n      all: {hosts: [web.example.com], gateways: [public], http: [{name: api, match: [{uri: {prefix: /api/}}], rewrite: {uri: /}, timeout: 10s, retries: {attempts: 2, perTryTimeout: 4s, retryOn: 5xx}, route: [{destination: {host: all, subset: v1, port: {number: 80}}, weight: 90}, {destination: {host: all, subset: v2}, weight: 10}]}]}\n    referenceGrants:\n      shop-routes: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}], to: [{group: \"\", kind: Service, name: all}], labels: {tier: edge}}\n    tlsRoutes:\n      nas-admin: {parentRefs: [{name: internal, namespace: gateway, sectionName: tls}], hostnames: [nas.example.com], backends: [{service: nas, port: 443, weight: 2}], version: v1alpha2}\n    tcpRoutes:\n      nas-smb: {parentRefs: [{name: internal, namespace: gateway, port: 445}], backends: [{service: nas, port: smb}], labels: {share: \"true\"}}\n    grpcRoutes:\n      grpc: {parentRefs: [{name: internal, namespace: gateway}], hostnames: [grpc.example.com], rules: [{matches: [{method: {service: grpc.health.v1.Health, method: Check}}, {headers: [{name: Content-Type, value: application/grpc, type: Exact}]}], backends: [{service: all, port: 80}]}]}\n    claims:\n      data: {size: 1Gi, labels: {backup: daily}, annotations: {snapshot: daily}}\n    externalConfigMaps:\n      settings: {keys: [app.toml], madeBy: kustomize}\n    externalServices:\n      docs: {ports: [http, 443]}\n    externalClaims:\n      media-share: {madeBy: app media}\n    externalPersistentVolumes:\n      pv-media: {madeBy: storage team}\n    externalPods:\n      node-agent: {labels: {app.kubernetes.io/name: node-agent}, madeBy: a chart}\n    networkPolicies:\n      web-in: {podSelector: {matchLabels: {app.kubernetes.io/component: app}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}], ports: [{port: 8080, protocol: TCP}]}]}\n    veleroSchedules:\n      nightly: {schedule: '0 2 * * *', labels: {backup-tier: daily}, template: {includedNamespaces: [web], orLabelSelectors: [{matchLabels: {app: web}}], excludedResources: [events], ttl: 336h, metadata: {labels: {tier: daily}}}}\n    serviceMonitors:\n      web: {selector: {matchLabels: {app: web}}, endpoints: [{port: http, interval: 30s, scheme: https, tlsConfig: {insecureSkipVerify: true}, relabelings: [{sourceLabels: [__meta_kubernetes_pod_node_name], targetLabel: node}]}], labels: {release: prometheus}}\n    podMonitors:\n      web: {selector: {matchLabels: {app: web}}, podMetricsEndpoints: [{port: http}]}\n      falco: {namespace: falco, selector: {matchLabels: {app: falco}}, podMetricsEndpoints: [{port: metrics}]}\n    serviceAccounts:\n      scraper: {rulesIn: {kube-system: [{apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch]}]}}\n    daprComponents:\n      statestore: {type: state.redis, version: v1, metadata: {redisHost: 'redis:6379', redisPassword: {secret: admin/password}, redisDB: 2, enableTLS: false, clientName: {env: HOSTNAME}}, secretStore: kubernetes, scopes: [web], initTimeout: 30s, ignoreErrors: false}\n    daprConfigurations:\n      tracing: {tracing: {samplingRate: '1', stdout: true, zipkin: {endpointAddress: 'http://zipkin:9411/api/v2/spans'}}, metric: {enabled: true}, features: [{name: SchedulerReminders, enabled: true}]}\n    disruptionBudgets:\n      chart-pods: {selector: {matchLabels: {app.kubernetes.io/name: node-agent}}, minAvailable: 50%, labels: {tier: infra}}\n    prometheuses:\n      main: {version: v3.5.0, replicas: 2, serviceAccountName: web, serviceMonitorSelector: {matchLabels: {release: prometheus}}, serviceMonitorNamespaceSelector: {}, ruleSelector: {}, alerting: {alertmanagers: [{namespace: monitoring, name: alertmanager-main, port: web}]}, retention: 15d, retentionSize: 40GB, externalLabels: {cluster: prod}, enableFeatures: [], serviceDiscoveryRole: EndpointSlice, resources: {requests: {memory: 400Mi}}, securityContext: {runAsNonRoot: true, fsGroup: 2000}, nodeSelector: {kubernetes.io/os: linux}, podMetadata: {labels: {team: web}}}\n    certificates:\n      web-tls: {secretName: web-tls, issuerRef: {name: letsencrypt, kind: ClusterIssuer}, dnsNames: [web.example.com], duration: 2160h, renewBefore: 360h, privateKey: {algorithm: ECDSA, size: 256}, usages: [server auth], isCA: false}\n    gateways:\n      web: {gatewayClassName: cilium, addresses: [{type: IPAddress, value: 192.0.2.10}], infrastructure: {annotations: {lb: web}}, listeners: [{name: https, protocol: HTTPS, port: 443, hostname: '*.example.com', tls: {certificateRefs: [{kind: Secret, name: web-tls}]}, allowedRoutes: {namespaces: {from: All}}}]}\n    ciliumPolicies:\n      web-access: {description: web, endpointSelector: {matchLabels: {app: web}}, ingress: [{fromEntities: [world], toPorts: [{ports: [{port: 8080, protocol: TCP}], rules: {http: [{method: GET}]}}]}], egress: [{toFQDNs: [{matchName: api.github.com}]}, {toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]}]}\n    ciliumClusterwidePolicies:\n      dns: {endpointSelector: {}, egress: [{toEntities: [cluster], toPorts: [{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: '*'}]}}]}], enableDefaultDeny: {egress: false}}\n    grafanaDashboards:\n      web: {instanceSelector: {matchLabels: {dashboards: grafana}}, folder: Web, grafanaCom: {id: 1860, revision: 37}, datasources: [{inputName: DS_PROMETHEUS, datasourceName: Prometheus}], resyncPeriod: 1h}\n    roles:\n      web-leases: {rules: [{apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, update]}], bindings: {web-leases: {subjects: [{kind: Group, name: web-admins, apiGroup: rbac.authorization.k8s.io}]}}}\n    clusterRoles:\n      system:web-reader: {rules: [{apiGroups: [\"\"], resources: [nodes], verbs: [get]}], bindings: {system:web-reader: {subjects: [{kind: ServiceAccount, name: web, namespace: web}]}}}\n    roleBindings:\n      web-view: {roleRef: {kind: ClusterRole, name: view}, subjects: [{kind: User, name: dev@example.com, apiGroup: rbac.authorization.k8s.io}]}\n    clusterIssuers:\n      letsencrypt: {acme: {server: 'https://acme-v02.api.letsencrypt.org/directory', email: ops@example.com, privateKeySecretRef: {name: le-account}, solvers: [{dns01: {cloudflare: {apiTokenSecretRef: {name: cf, key: token}}}}]}}\n    storeSecrets:\n      upstream: {store: bitwarden, objectName: upstream-credentials, labels: {tier: backend}, keys: {TOKEN: {key: upstream-token, property: token}}}\n      broker: {store: bitwarden, extract: [{key: broker, property: kafka}]}\n      argocd-secret: {store: bitwarden, merge: true, keys: {dex.clientSecret: {key: argocd-client-secret}}}\n      found: {store: bitwarden, refreshInterval: 5m, find: [{path: env-config, name: {regexp: '^username$'}}, {tags: {team: ''}}]}\n      session: {password: {length: 64, digits: 10, symbols: 0, noUpper: false, allowRepeat: true}, refreshInterval: '0'}\n      falco-webhook: {store: bitwarden, namespace: falco, keys: {url: {key: falco-webhook}}}\n    secrets:\n      admin: {item: Admin (prod), refreshInterval: 12h, objectName: admin-secret, annotations: {owner: web-team}, fields: {password: {}, token: {item: Admin API, key: API_TOKEN}}}\n",
    )
    .replace(
        "apps:\n",
        "uncheckedKinds: error\nstorageClasses:\n  zfs: {provisioner: zfs.csi.openebs.io, parameters: {poolname: data-pool}, volumeBindingMode: WaitForFirstConsumer, default: true}\npersistentVolumes:\n  restored: {capacity: 20Gi, storageClassName: longhorn, csi: {driver: driver.longhorn.io, volumeHandle: restored, volumeAttributes: {numberOfReplicas: \"2\"}}}\nsecretStores:\n  bitwarden: {kind: SecretStore, refreshInterval: 15m, provider: Bitwarden}\nnamespaces:\n  media: {labels: {pod-security.kubernetes.io/enforce: baseline}, annotations: {owner: media-team}}\napps:\n",
    )
    .replace(
        "argocd:\n",
        "argocd:\n  projects:\n    apps: {sourceRepos: ['*'], destinations: [{server: '*', namespace: apps}], clusterResourceWhitelist: [{group: '', kind: Namespace}], roles: [{name: ci, description: CI syncs, policies: ['p, proj:apps:ci, applications, sync, apps/*, allow'], groups: [ci-bots]}], syncWindows: [{kind: deny, schedule: '0 22 * * *', duration: 8h, applications: ['*'], manualSync: true, timeZone: Europe/Paris}], orphanedResources: {warn: true, ignore: [{kind: ConfigMap, name: kube-root-ca.crt}]}}\n",
    )
    .replace(
        "onepassword:\n",
        "postgres:\n  pg:\n    namespace: db\n    instances: 2\n    minSyncReplicas: 1\n    maxSyncReplicas: 1\n    storage: {size: 1Gi, resizeInUseVolumes: false, pvcTemplate: {accessModes: [ReadWriteOnce]}}\n    walStorage: {size: 512Mi}\n    roles:\n      backup: {attributes: {replication: true, validUntil: '2027-12-31T00:00:00Z'}}\n    databases:\n      reports: {owner: backup, creation: {template: template0, encoding: UTF8, localeProvider: icu, icuLocale: en-US}}\n    disabledServices: [ro, r]\n    enablePDB: false\n    initdb: {postInitApplicationSQL: [CREATE EXTENSION vector]}\n    affinity: {enablePodAntiAffinity: true, podAntiAffinityType: required, topologyKey: kubernetes.io/hostname, tolerations: [{key: db, operator: Exists}]}\n    podMonitor: true\n    podMonitorRelabelings: [{sourceLabels: [__meta_kubernetes_pod_name], targetLabel: pod}]\n    backups:\n      stores:\n        minio: {destination: s3://backups/pg, endpoint: https://minio.storage.svc:9000, credentials: {secret: pg-s3}, retention: 14d, wal: {compression: zstd, maxParallel: 8}, data: {compression: bzip2, jobs: 2}}\n      walArchive: minio\n      schedules:\n        nightly: {schedule: 0 0 2 * * *, owner: self, immediate: true}\n      recoverySources:\n        pg-from-minio: minio\nonepassword:\n",
    )
    .replace("  web:\n    image:", "  web:\n    nameLabel: web-server\n    image:")
    .replace(
        "        replicas: 2\n",
        "        replicas: 2\n        nameLabel: web-frontend\n        disruptionBudget: {name: web-pdb, minAvailable: 1}\n        autoscaling: {minReplicas: 2, maxReplicas: 5, metrics: [{type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 512Mi}}}], behavior: {scaleDown: {stabilizationWindowSeconds: 300}}}\n        lifecycle: {preStop: {exec: {command: [sleep, \"5\"]}}}\n      probe:\n        kind: Pod\n      legacy:\n        kind: ReplicationController\n        replicas: 2\n        componentLabel: legacy-web\n",
    )
    .replace(
        "ports: [{port: 80, targetPort: 8080}]",
        "ports: [{port: 80, targetPort: 8080, appProtocol: http}]\n        sessionAffinity: ClientIP\n        sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}",
    );
    let u = lsp.open(&repo.path().join("environments/adopted.yaml"), &adopted);
    assert_eq!(lsp.diagnostics_of(&u), Vec::<Value>::new(), "{adopted}");

    let cases: [(&str, String, u64); 59] = [
        (
            "an account's rules in a namespace that is no DNS label",
            document("    serviceAccounts:\n      web: {rulesIn: {Kube_System: [{resources: [pods], verbs: [get]}]}}\n"),
            19,
        ),
        (
            "a component label that is no label value",
            document("        componentLabel: 'not a label!'\n"),
            18,
        ),
        (
            "a generated password of no length",
            document("    storeSecrets:\n      session: {password: {length: 0}}\n"),
            19,
        ),
        (
            "base backups compressed with xz, which only the log has",
            document("").replace("onepassword:\n", "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    backups:\n      stores:\n        s3: {destination: s3://b/pg, credentials: {secret: s}, data: {compression: xz}}\nonepassword:\n"),
            13,
        ),
        (
            "a disruption budget whose eviction policy is lower case",
            document("    disruptionBudgets:\n      chart: {selector: {matchLabels: {app: chart}}, minAvailable: 1, unhealthyPodEvictionPolicy: alwaysAllow}\n"),
            19,
        ),
        (
            "a BGP announcement of Services' node addresses",
            document("    ciliumBGPAdvertisements:\n      lb: {advertisements: [{advertisementType: Service, service: {addresses: [NodeIP]}}]}\n"),
            19,
        ),
        (
            "a Dapr setting read from a Secret written as a bare name",
            document("    daprComponents:\n      statestore: {type: state.redis, version: v1, metadata: {redisPassword: {secretKeyRef: redis}}}\n"),
            19,
        ),
        (
            "a remote secret read whole, written as its key alone",
            document("    storeSecrets:\n      broker: {store: vault, extract: [broker]}\n"),
            19,
        ),
        (
            "a Prometheus that finds Services' targets by a role it does not have",
            document("    prometheuses:\n      main: {serviceMonitorSelector: {}, serviceDiscoveryRole: Pods}\n"),
            19,
        ),
        (
            "a GRPCRoute match whose type is lower case",
            document("    grpcRoutes:\n      api:\n        parentRefs: [{name: internal}]\n        rules: [{matches: [{method: {service: a.B, type: exact}}], backends: [{service: all, port: 80}]}]\n"),
            21,
        ),
        (
            "a cluster that would go without its primary's Service",
            document("").replace("onepassword:\n", "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    disabledServices: [rw]\nonepassword:\n"),
            11,
        ),
        (
            "a sync window whose kind is capitalised",
            document("").replace("argocd:\n", "argocd:\n  projects:\n    apps: {sourceRepos: ['*'], destinations: [], syncWindows: [{kind: Allow, schedule: '* * * * *', duration: 1h, applications: ['*']}]}\n"),
            7,
        ),
        (
            "an ACME issuer's server over plain HTTP",
            document("    clusterIssuers:\n      le: {acme: {server: 'http://acme.example.com/directory', privateKeySecretRef: {name: le}}}\n"),
            19,
        ),
        (
            "a projected volume whose sources are a map",
            document("        volumes:\n          bundle:\n            mountPath: /etc/bundle\n            projected: {sources: {configMap: {name: settings}}}\n"),
            21,
        ),
        (
            "a Service's endpoints as a bare list of addresses",
            document("    services:\n      nas:\n        ports: [{name: smb, port: 445}]\n        endpoints: [192.168.1.5]\n"),
            21,
        ),
        (
            "a binding of a role of a kind RBAC does not have",
            document("    roleBindings:\n      web-view: {roleRef: {kind: Group, name: view}, subjects: []}\n"),
            19,
        ),
        (
            "a Grafana dashboard whose grafana.com ID is text",
            document("    grafanaDashboards:\n      web: {instanceSelector: {}, grafanaCom: {id: node-exporter}}\n"),
            19,
        ),
        (
            "a Cilium rule from an entity Cilium does not know",
            document("    ciliumPolicies:\n      web-in: {endpointSelector: {}, ingress: [{fromEntities: [internet]}]}\n"),
            19,
        ),
        (
            "a role's password expiry written as a date alone",
            document("").replace("onepassword:\n", "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    roles:\n      backup: {attributes: {validUntil: 2027-12-31}}\nonepassword:\n"),
            12,
        ),
        (
            "a snapshot class that keeps its snapshots in lower case",
            document("    volumeSnapshotClasses:\n      zfs: {driver: zfs.csi.openebs.io, deletionPolicy: retain}\n"),
            19,
        ),
        (
            "a Grafana data source reached some other way than proxy or direct",
            document("    grafanaDatasources:\n      prometheus: {instanceSelector: {}, datasource: {name: Prometheus, type: prometheus, access: server, url: 'http://p:9090'}}\n"),
            19,
        ),
        (
            "a Cilium IP pool of another API version",
            document("    ciliumLoadBalancerIPPools:\n      lan: {blocks: [{cidr: 10.0.0.0/24}], version: v3}\n"),
            19,
        ),
        (
            "an Istio gateway port of a protocol Istio does not know",
            document("    istioGateways:\n      public: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: WEB}, hosts: ['*']}]}\n"),
            19,
        ),
        (
            "a Flux interval written in words",
            document("    ociRepositories:\n      app-template: {url: oci://ghcr.io/bjw-s-labs/helm/app-template, interval: every hour}\n"),
            19,
        ),
        (
            "a redirect with a status code Gateway API does not take",
            document("    httpRoutes:\n      web: {parentRefs: [{name: gw}], rules: [{redirect: {scheme: https, statusCode: 308}}]}\n"),
            19,
        ),
        (
            "a ReferenceGrant that says nothing of who may refer",
            document("    referenceGrants:\n      shop: {to: [{group: \"\", kind: Service}]}\n"),
            19,
        ),
        (
            "a TLSRoute without the host names it takes",
            document("    tlsRoutes:\n      nas: {parentRefs: [{name: internal}], backends: [{service: nas, port: 443}]}\n"),
            19,
        ),
        (
            "a TCPRoute of a Gateway API version that has none",
            document("    tcpRoutes:\n      smb: {parentRefs: [{name: internal}], backends: [{service: nas, port: 445}], version: v1beta1}\n"),
            19,
        ),
        (
            "a Gateway listener on a port past the last",
            document("    gateways:\n      web: {gatewayClassName: cilium, listeners: [{name: http, protocol: HTTP, port: 80800}]}\n"),
            19,
        ),
        (
            "a certificate key of an algorithm cert-manager does not know",
            document("    certificates:\n      web-tls: {secretName: web-tls, issuerRef: {name: le}, dnsNames: [a.example.com], privateKey: {algorithm: DSA}}\n"),
            19,
        ),
        (
            "a monitor scraping every half minute, written in words",
            document("    serviceMonitors:\n      web: {selector: {matchLabels: {app: web}}, endpoints: [{port: http, interval: half a minute}]}\n"),
            19,
        ),
        (
            "a Velero backup kept for days, not hours",
            document("    veleroSchedules:\n      nightly: {schedule: '0 2 * * *', template: {ttl: 14d}}\n"),
            19,
        ),
        (
            "a StorageClass binding mode spelt otherwise",
            document("").replace("apps:\n", "storageClasses:\n  zfs:\n    provisioner: zfs.csi.openebs.io\n    volumeBindingMode: WaitForConsumer\napps:\n"),
            15,
        ),
        (
            "an autoscaler without its most pods",
            document("        autoscaling: {minReplicas: 2}\n"),
            18,
        ),
        (
            "a NetworkPolicy type in lower case",
            document("    networkPolicies:\n      web-in: {podSelector: {}, policyTypes: [ingress]}\n"),
            19,
        ),
        (
            "a CSI volume without its handle",
            document("").replace("apps:\n", "persistentVolumes:\n  restored:\n    capacity: 20Gi\n    csi: {driver: driver.longhorn.io}\napps:\n"),
            15,
        ),
        (
            "an ExternalSecret name with capitals",
            document("    storeSecrets:\n      upstream: {store: bitwarden, objectName: Upstream_Creds, keys: {TOKEN: {key: t}}}\n"),
            19,
        ),
        (
            "a secret's refresh interval in words",
            document("    secrets:\n      admin: {item: Admin, refreshInterval: twelve hours, fields: {password: {}}}\n"),
            19,
        ),
        (
            "a backup store's retention in hours",
            document("").replace(
                "apps:\n",
                "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    backups:\n      stores:\n        minio:\n          destination: s3://backups/pg\n          credentials: {secret: pg-s3}\n          retention: 48h\napps:\n",
            ),
            21,
        ),
        (
            "a backup schedule's owner that is no owner",
            document("").replace(
                "apps:\n",
                "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    backups:\n      stores: {}\n      schedules:\n        nightly: {schedule: 0 0 2 * * *, owner: backup}\napps:\n",
            ),
            19,
        ),
        (
            "a Secret of another store that reads a key of no name",
            document("    storeSecrets:\n      upstream: {store: bitwarden, keys: {TOKEN: {key: ''}}}\n"),
            19,
        ),
        (
            "pods made elsewhere with no labels to select them by",
            document("    externalPods:\n      agent: {labels: {}}\n"),
            19,
        ),
        (
            "invalid uncheckedKinds",
            document("").replace("apps:\n", "uncheckedKinds: ignore\napps:\n"),
            12,
        ),
        (
            "an HTTPRoute path type spelt as an Ingress's",
            document("    services:\n      all:\n        component: web\n        ports: {http: 80}\n    httpRoutes:\n      all:\n        parentRefs: [{name: gw}]\n        rules: [{path: /, pathType: Prefix, service: all, port: http}]\n"),
            25,
        ),
        (
            "a Namespace label value that is not text",
            document("").replace("apps:\n", "namespaces:\n  media: {labels: {team: [a]}}\napps:\n"),
            13,
        ),
        (
            "a Service selector value that is not text",
            document("    services:\n      all:\n        selector: {app: [web]}\n        ports: {http: 80}\n"),
            20,
        ),
        ("unknown key", document("        replicaz: 3\n"), 18),
        ("invalid workload kind", document("        kind: Statefulset\n"), 18),
        (
            "unknown key of an embedded Kubernetes type",
            document("        securityContext:\n          runAsNonRot: true\n"),
            19,
        ),
        (
            "invalid RBAC verb",
            document("    serviceAccounts:\n      web:\n        rules:\n          - resources: [pods]\n            verbs: [lsit]\n"),
            22,
        ),
        (
            "invalid termination message policy",
            document("        terminationMessagePolicy: OnError\n"),
            18,
        ),
        (
            "invalid ClusterRole name",
            document("    serviceAccounts:\n      web:\n        clusterRoleName: Web_Reader\n"),
            20,
        ),
        (
            "invalid synchronous replication method",
            document("").replace(
                "apps:\n",
                "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    synchronous: {method: all, number: 1}\napps:\n",
            ),
            16,
        ),
        (
            "invalid Database object name",
            document("").replace(
                "apps:\n",
                "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    databases:\n      keycloak:\n        owner: keycloak\n        objectName: Keycloak_DB\napps:\n",
            ),
            19,
        ),
        (
            "invalid role password Secret name",
            document("").replace(
                "apps:\n",
                "postgres:\n  pg:\n    namespace: db\n    storage: {size: 1Gi}\n    roles:\n      backup:\n        passwordSecret: Backup_Credentials\napps:\n",
            ),
            18,
        ),
        (
            "Ingress port out of range",
            document("    ingresses:\n      public:\n        service: web\n        port: 0\n"),
            21,
        ),
        (
            "wrong type",
            document("").replace("replicas: 2", "replicas: two"),
            17,
        ),
        (
            "invalid image reference",
            document("").replace("ghcr.io/example/web:v1", "ghcr.io/Example/web:v1"),
            14,
        ),
        (
            "missing required field",
            document("").replace("  vault: editor\n", ""),
            7,
        ),
    ];
    for (what, text, line) in cases {
        // A missing property is reported on the mapping: its key's line or
        // its first entry's.
        let lines_ok = |found: &[u64]| {
            found.contains(&line) || (what.starts_with("missing") && found.contains(&(line + 1)))
        };
        let u = lsp.open(
            &repo
                .path()
                .join(format!("environments/{}.yaml", what.replace(' ', "-"))),
            &text,
        );
        let diagnostics = lsp.diagnostics_of(&u);
        assert!(
            lines_ok(&lines_of(&diagnostics)),
            "{what}: expected a diagnostic on line {}, got {diagnostics:#?}",
            line + 1
        );
    }
    lsp.close();
}

/// The labels the server offers at a position.
fn completion_labels(lsp: &mut Lsp, uri: &str, line: u64, character: u64) -> Vec<String> {
    let completion = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    completion
        .get("items")
        .and_then(Value::as_array)
        .or_else(|| completion.as_array())
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("label").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

#[test]
fn the_language_server_completes_and_documents_properties() {
    let Some((repo, mut lsp)) = setup() else {
        return;
    };
    let path = repo.path().join("environments/editor.yaml");
    // The cursor on an empty line inside app `web` (0-based line 15).
    let text = document("").replace("    components:\n", "    \n    components:\n");
    let u = lsp.open(&path, &text);
    let _ = lsp.diagnostics_of(&u);
    let completion = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 15, "character": 4}}),
    );
    let items = completion
        .get("items")
        .and_then(Value::as_array)
        .or_else(|| completion.as_array())
        .cloned()
        .unwrap();
    let labels: Vec<&str> = items
        .iter()
        .filter_map(|i| i.get("label").and_then(Value::as_str))
        .collect();
    for want in [
        "database",
        "secrets",
        "services",
        "ingress",
        "ingresses",
        "namespace",
        "claims",
        "serviceAccounts",
    ] {
        assert!(
            labels.contains(&want),
            "completion inside an app offers `{want}`: {labels:?}"
        );
    }

    // Inside a component (0-based line 18): the workload, container and
    // pod fields; inside `pod` (line 19), the embedded Kubernetes ones.
    let text = document("        \n");
    let component = lsp.open(&repo.path().join("environments/component.yaml"), &text);
    let _ = lsp.diagnostics_of(&component);
    let labels = completion_labels(&mut lsp, &component, 18, 8);
    for want in [
        "kind",
        "sidecars",
        "extraContainers",
        "initContainers",
        "terminationMessagePolicy",
        "pod",
        "statefulSet",
        "cronJob",
        "securityContext",
        "disruptionBudget",
        "volumes",
    ] {
        assert!(
            labels.contains(&want.to_owned()),
            "completion inside a component offers `{want}`: {labels:?}"
        );
    }
    let text = document("        pod:\n          \n");
    let pod = lsp.open(&repo.path().join("environments/pod.yaml"), &text);
    let _ = lsp.diagnostics_of(&pod);
    let labels = completion_labels(&mut lsp, &pod, 19, 10);
    for want in [
        "serviceAccount",
        "tolerations",
        "securityContext",
        "runtimeClassName",
        "hostNetwork",
    ] {
        assert!(
            labels.contains(&want.to_owned()),
            "completion inside `pod` offers `{want}`: {labels:?}"
        );
    }

    // Hover on `replicas` (0-based line 18) shows its doc comment.
    let hover = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 18, "character": 10}}),
    );
    // MarkupContent (`{kind, value}`) or a plain string.
    let contents = hover
        .pointer("/contents/value")
        .or_else(|| hover.get("contents"))
        .and_then(Value::as_str)
        .expect("hover has contents")
        .to_owned();
    assert!(
        contents.contains("Number of pods"),
        "hover shows the description: {hover:#}"
    );
    lsp.close();
}

#[test]
fn cfggen_and_the_editor_agree_on_the_bad_input_corpus() {
    let Some((repo, mut lsp)) = setup() else {
        return;
    };
    // Complete environments (no bases), so the editor and cfggen judge the
    // same document; cases whose mistake only cfggen can see (semantic
    // rules, merging, YAML the editor reads differently) are listed.
    let corpus = fixtures().join("editor-agreement");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 8);
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap();
        let text = std::fs::read_to_string(&path).expect("read");
        let schema_judges = !text.contains("# schema: cannot tell");
        repo.write("environments/agree.yaml", &text);
        let cfggen = repo.run(&["validate", "agree"]);
        assert_eq!(cfggen.code, 2, "{name}: cfggen accepts it");
        // Each case under its own URI, so no diagnostics of an earlier
        // case can arrive for it.
        let u = lsp.open(
            &repo.path().join(format!("environments/agree-{name}")),
            &text,
        );
        let editor = lsp.diagnostics_of(&u);
        if schema_judges {
            assert!(
                !editor.is_empty(),
                "{name}: cfggen rejects it, the editor does not"
            );
        } else {
            assert!(
                editor.is_empty(),
                "{name}: marked as beyond the schema, but the editor rejects it: {editor:#?}"
            );
        }
    }
    lsp.close();
}
