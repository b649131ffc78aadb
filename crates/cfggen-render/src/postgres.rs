//! Postgres: per CNPG cluster, the Cluster with the managed roles of every
//! app that uses it, a Database per app database, and the ExternalSecret
//! that gives CNPG each role's password.

use std::collections::BTreeMap;

use cfggen_model::environment::PostgresCluster;
use cfggen_model::{App, Database, Environment};

use crate::backup;
use crate::config::external_secret;
use crate::pod::resources;
use crate::{crds, file_name, managed_labels, meta, postgres_folder, waves, Output, RenderError};

/// The name of the Secret cfggen makes with a role's password.
pub fn role_secret_name(cluster: &str, role: &str) -> String {
    PostgresCluster::object_name(cluster, role)
}

/// Renders every cluster of `env` that runs here, and the objects of the
/// apps' databases on it.
pub(crate) fn render_clusters(out: &mut Output, env: &Environment) -> Result<(), RenderError> {
    // A remote cluster runs elsewhere: nothing of it is rendered here.
    for (cluster_name, cluster) in env.postgres.iter().filter(|(_, c)| !c.remote) {
        let ns = cluster.namespace.as_str();
        let labels = managed_labels([("cnpg.io/cluster".to_owned(), cluster_name.clone())]);
        let on = OnCluster {
            env,
            cluster: cluster_name,
            namespace: ns,
            labels: &labels,
        };
        let databases: Vec<(&String, &App, &Database)> = env
            .apps
            .iter()
            .filter_map(|(name, app)| {
                let db = app
                    .database
                    .as_ref()
                    .filter(|d| &d.cluster == cluster_name)?;
                Some((name, app, db))
            })
            .collect();
        let mut roles: Vec<_> = databases
            .iter()
            .map(|(app_name, _, db)| managed_role(cluster_name, app_name, db))
            .collect();
        for (app_name, app, db) in &databases {
            on.role_password(out, app, app_name, db)?;
            let name = db.name(app_name);
            let object = PostgresCluster::object_name(cluster_name, name);
            on.database(
                out,
                &object,
                name,
                db.owner(app_name),
                &db.extensions,
                db.creation.as_ref(),
            )?;
        }
        for (role_name, role) in &cluster.roles {
            roles.push(on.standalone_role(out, role_name, role)?);
        }
        for (name, db) in &cluster.databases {
            let object = db.object_name(cluster_name, name);
            on.database(
                out,
                &object,
                name,
                &db.owner,
                &db.extensions,
                db.creation.as_ref(),
            )?;
        }
        backup::render_backups(out, cluster_name, cluster, &labels)?;
        let postgresql = postgresql_settings(cluster);
        let services = managed_services(cluster_name, cluster);
        let object = crds::Cluster {
            api_version: "postgresql.cnpg.io/v1".into(),
            kind: "Cluster".into(),
            metadata: meta(cluster_name, ns, labels, waves::CLUSTERS),
            spec: crds::ClusterSpec {
                instances: cluster.instances,
                image_name: cluster.image.as_ref().map(|i| i.as_written().to_owned()),
                storage: cluster.storage.as_ref().map(storage).ok_or_else(|| {
                    RenderError::Unresolved(format!("the storage of cluster `{cluster_name}`"))
                })?,
                wal_storage: cluster.wal_storage.as_ref().map(storage),
                min_sync_replicas: cluster.min_sync_replicas,
                max_sync_replicas: cluster.max_sync_replicas,
                enable_pdb: cluster.enable_pdb,
                resources: cluster.resources.as_ref().map(resources),
                postgresql,
                managed: (!roles.is_empty() || services.is_some())
                    .then_some(crds::ClusterManaged { roles, services }),
                bootstrap: cluster.initdb.as_ref().map(|i| crds::ClusterBootstrap {
                    initdb: crds::ClusterInitDb {
                        database: i.database.clone(),
                        owner: i.owner.clone(),
                        post_init_sql: i.post_init_sql.clone(),
                        post_init_application_sql: i.post_init_application_sql.clone(),
                    },
                }),
                affinity: backup::affinity(cluster),
                monitoring: backup::monitoring(cluster),
                backup: backup::in_tree(cluster.backups.as_ref()),
                plugins: backup::plugins(cluster.backups.as_ref()),
                external_clusters: backup::external_clusters(cluster.backups.as_ref()),
            },
        };
        out.resource(
            &postgres_folder(ns),
            ns,
            file_name("Cluster", cluster_name),
            &object,
        )?;
    }
    Ok(())
}

/// The Cluster's `spec.postgresql`: its parameters, pg_hba lines, shared
/// libraries and synchronous replication, when it sets any.
fn postgresql_settings(cluster: &PostgresCluster) -> Option<crds::ClusterPostgresql> {
    (!cluster.parameters.is_empty()
        || !cluster.pg_hba.is_empty()
        || !cluster.shared_preload_libraries.is_empty()
        || cluster.synchronous.is_some())
    .then(|| crds::ClusterPostgresql {
        synchronous: cluster
            .synchronous
            .as_ref()
            .map(|s| crds::ClusterSynchronous {
                method: s.method.as_str().to_owned(),
                number: s.number,
                data_durability: s.data_durability.map(|d| d.as_str().to_owned()),
            }),
        parameters: cluster
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        pg_hba: cluster.pg_hba.clone(),
        shared_preload_libraries: cluster.shared_preload_libraries.clone(),
    })
}

/// The Cluster's extra Service and the default ones it goes without, as
/// `spec.managed.services`.
fn managed_services(
    cluster_name: &str,
    cluster: &PostgresCluster,
) -> Option<crds::ManagedServices> {
    let additional: Vec<crds::AdditionalService> = cluster
        .service
        .iter()
        .map(|svc| crds::AdditionalService {
            selector_type: "rw".into(),
            service_template: crds::ServiceTemplate {
                metadata: crds::ServiceTemplateMeta {
                    name: svc
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{cluster_name}-lb")),
                    annotations: svc
                        .annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                },
                spec: crds::ServiceTemplateSpec {
                    type_: svc.kind.map_or("LoadBalancer", |k| k.as_str()).to_owned(),
                    load_balancer_class: svc.load_balancer_class.clone(),
                },
            },
        })
        .collect();
    let disabled: Vec<String> = cluster
        .disabled_services
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    (!additional.is_empty() || !disabled.is_empty()).then_some(crds::ManagedServices {
        disabled_default_services: disabled,
        additional,
    })
}

/// The owner role of an app's database, for the Cluster's `spec.managed.roles`.
fn managed_role(cluster: &str, app_name: &str, db: &Database) -> crds::ManagedRole {
    let owner = db.owner(app_name);
    role_entry(
        owner,
        format!("owner of database {} (app {app_name})", db.name(app_name)),
        &db.role,
        Some(role_secret_name(cluster, owner)),
    )
}

/// An entry of the Cluster's `spec.managed.roles`.
fn role_entry(
    name: &str,
    comment: String,
    r: &cfggen_model::database::RoleAttributes,
    password_secret: Option<String>,
) -> crds::ManagedRole {
    crds::ManagedRole {
        name: name.to_owned(),
        ensure: "present".into(),
        comment,
        login: r.login,
        superuser: r.superuser,
        createdb: r.createdb,
        createrole: r.createrole,
        inherit: r.inherit,
        replication: r.replication,
        bypassrls: r.bypassrls,
        connection_limit: r.connection_limit,
        in_roles: r.in_roles.clone(),
        valid_until: r.valid_until.clone(),
        password_secret: password_secret.map(|name| crds::LocalObjectReference { name }),
    }
}

/// Where External Secrets finds a database password in 1Password.
pub(crate) fn password_remote_ref(
    env: &Environment,
    app: &App,
    r: &cfggen_model::SecretFieldRef,
) -> Result<(String, Option<String>), RenderError> {
    let (item, field) = app
        .secrets
        .get(r.secret())
        .and_then(|item| item.fields.get(r.field()).map(|f| (item, f)))
        .ok_or_else(|| RenderError::Unresolved(format!("database password `{r}`")))?;
    Ok(item.remote_ref(crate::onepassword(env)?.store.provider, r.field(), field))
}

/// What the objects of one Postgres cluster share.
struct OnCluster<'a> {
    env: &'a Environment,
    cluster: &'a str,
    namespace: &'a str,
    labels: &'a BTreeMap<String, String>,
}

impl OnCluster<'_> {
    /// A role of no app: its managed-role entry, and the ExternalSecret of
    /// its password when it has one.
    fn standalone_role(
        &self,
        out: &mut Output,
        role_name: &str,
        role: &cfggen_model::environment::StandaloneRole,
    ) -> Result<crds::ManagedRole, RenderError> {
        let secret_name = role_secret_name(self.cluster, role_name);
        if let Some(password) = &role.password {
            let item = password.as_item();
            // `as_item` makes a one-field item whose field has no options.
            let field = cfggen_model::secrets::SecretField::default();
            let remote = item.remote_ref(
                crate::onepassword(self.env)?.store.provider,
                &password.field,
                &field,
            );
            self.role_secret(out, role_name, remote)?;
        }
        // A password Secret made elsewhere, or the one made here.
        let password_secret = role
            .password_secret
            .clone()
            .or_else(|| role.password.as_ref().map(|_| secret_name));
        Ok(role_entry(
            role_name,
            role.comment
                .clone()
                .unwrap_or_else(|| format!("role {role_name} (no app)")),
            &role.attributes,
            password_secret,
        ))
    }

    /// The role's password, from the same 1Password field the app reads.
    fn role_password(
        &self,
        out: &mut Output,
        app: &App,
        app_name: &str,
        db: &Database,
    ) -> Result<(), RenderError> {
        let remote = password_remote_ref(self.env, app, &db.password)?;
        self.role_secret(out, db.owner(app_name), remote)
    }

    /// The basic-auth Secret CNPG reads a role's password from: the
    /// username, and the password External Secrets takes from 1Password.
    fn role_secret(
        &self,
        out: &mut Output,
        role: &str,
        (key, property): (String, Option<String>),
    ) -> Result<(), RenderError> {
        let secret_name = role_secret_name(self.cluster, role);
        let mut template = BTreeMap::new();
        template.insert("username".to_owned(), role.to_owned());
        template.insert("password".to_owned(), "{{ .password }}".to_owned());
        let object = external_secret(
            self.env,
            meta(
                &secret_name,
                self.namespace,
                self.labels.clone(),
                waves::ROLE_SECRETS,
            ),
            &secret_name,
            Some(crds::ExternalSecretTemplate {
                type_: "kubernetes.io/basic-auth".into(),
                merge_policy: None,
                data: template,
            }),
            vec![crds::ExternalSecretData {
                secret_key: "password".into(),
                remote_ref: crds::RemoteRef { key, property },
            }],
            None,
        )?;
        out.resource(
            &postgres_folder(self.namespace),
            self.namespace,
            file_name("ExternalSecret", &secret_name),
            &object,
        )
    }

    /// A declarative `Database`: its object's name, its name in
    /// PostgreSQL, its owner and extensions.
    fn database(
        &self,
        out: &mut Output,
        object_name: &str,
        name: &str,
        owner: &str,
        extensions: &[String],
        creation: Option<&cfggen_model::database::DatabaseCreation>,
    ) -> Result<(), RenderError> {
        let database = crds::Database {
            api_version: "postgresql.cnpg.io/v1".into(),
            kind: "Database".into(),
            metadata: meta(
                object_name,
                self.namespace,
                self.labels.clone(),
                waves::PREREQUISITES,
            ),
            spec: crds::DatabaseSpec {
                name: name.to_owned(),
                owner: owner.to_owned(),
                cluster: crds::LocalObjectReference {
                    name: self.cluster.to_owned(),
                },
                ensure: "present".into(),
                creation: creation.cloned(),
                extensions: extensions
                    .iter()
                    .map(|e| crds::DatabaseExtension {
                        name: e.clone(),
                        ensure: "present".into(),
                    })
                    .collect(),
            },
        };
        out.resource(
            &postgres_folder(self.namespace),
            self.namespace,
            file_name("Database", object_name),
            &database,
        )
    }
}

/// A volume of each instance (`storage`, `walStorage`).
fn storage(st: &cfggen_model::environment::Storage) -> crds::ClusterStorage {
    crds::ClusterStorage {
        size: st.size.clone(),
        storage_class: st.storage_class.clone(),
        resize_in_use_volumes: st.resize_in_use_volumes,
        pvc_template: st.pvc_template.clone(),
    }
}
