//! cfggen's import stage: existing Kubernetes manifests (files, folders,
//! `kubectl kustomize` or `helm template` output) → typed apps of an
//! environment file, and the round-trip proof that rendering them gives
//! back the same objects. No I/O: the binary reads the files and writes
//! the environment.
//!
//! * [`read()`]: manifest text → [`Object`]s with their file and line, or an
//!   [`InputError`] at its place (not YAML, not a Kubernetes object); a
//!   live object (`kubectl get -o yaml`) without what the API server
//!   wrote into it (`live.rs`); [`substitute()`] first puts in the values
//!   of Flux post-build variables (`${CLUSTER_DOMAIN}`).
//! * [`plan()`]: objects → [`AppPlan`]s — one app per namespace, or all in
//!   one; each object typed where the model says everything it says
//!   (workloads, Services, Ingresses, ConfigMaps, claims, service
//!   accounts and the Role bound to each, ExternalSecrets of the
//!   environment's 1Password store, Namespaces as entries of the
//!   environment's `namespaces`), raw with
//!   the reason otherwise; a Secret holding data is an error.
//! * [`app_text`]: an app as YAML for the environment's `apps:`;
//!   [`namespace_text`] a Namespace for its `namespaces:`.
//! * [`compare()`]: an input object against its rendering, with cfggen's
//!   normalisations told from real differences.

mod autoscaling;
mod backup;
mod convert;
mod dapr;
mod endpoints;
mod live;
mod moved;
mod namespace;
mod network;
mod postgres;
mod project;
mod rbac;
mod read;
mod reads;
mod roundtrip;
mod route;
mod secret;
mod spec;
mod store;
mod substitute;
mod take;
mod text;
mod velero;
mod versions;
mod volume;
mod workload;

pub use convert::{made_by_controllers, plan, AppPlan, Options, Plan, Typed};
pub use moved::Moved;
pub use namespace::namespace_text;
pub use postgres::{cluster_text, ClusterPlan};
pub use project::project_text;
pub use read::{is_secret_with_data, read, InputError, Object, SecretAt};
pub use roundtrip::{compare, Difference};
pub use substitute::{substitute, variables_of, Unset, Variables};
pub use text::app_text;
