//! cfggen's typed model of an environment. No I/O.
//!
//! * [`ImageRef`]: an OCI image reference.
//! * [`Database`]: an app's PostgreSQL database on a CloudNativePG cluster.
//! * [`SecretItem`]: a 1Password item and the fields an app reads.
//! * [`App`], [`Component`] and [`Environment`] tie them together.
//!
//! [`validate()`] applies the rules no JSON Schema can express;
//! [`schema`] makes the JSON Schemas from these same types.
//!
//! ```
//! use cfggen_model::ImageRef;
//! let image: ImageRef = "redis:7-alpine".parse().unwrap();
//! assert_eq!(image.to_string(), "docker.io/library/redis:7-alpine");
//! assert!(image.is_pinned());
//! ```

pub mod app;
pub mod argocd;
pub mod autoscaling;
pub mod backup;
pub mod certificate;
pub mod cilium;
pub mod cilium_bgp;
pub mod cilium_lb;
pub mod container;
pub mod dapr;
pub mod database;
pub mod elsewhere;
pub mod environment;
pub mod error;
pub mod flux;
pub mod gateway;
pub mod grafana;
pub mod grant;
pub mod grpc_route;
pub mod helm;
pub mod image;
pub mod issuer;
pub mod istio;
pub mod monitor;
pub mod names;
pub mod namespace;
pub mod network;
pub mod patch;
pub mod pod;
pub mod ports;
pub mod project;
pub mod prometheus;
pub mod rbac;
pub mod refs;
pub mod route;
pub mod schema;
pub mod secrets;
pub mod service;
pub mod storage;
pub mod stores;
pub mod suggest;
pub mod validate;
pub mod velero;
pub mod workload;

pub use app::{App, Component};
pub use container::{Container, EnvValue};
pub use database::Database;
pub use environment::{Environment, PostgresCluster, StoreProvider};
pub use image::{ImageRef, ImageRefError};
pub use refs::{ConfigMapKeyRef, SecretFieldRef};
pub use secrets::SecretItem;
pub use validate::{validate, FieldPath, Issue, Seg, Target, Validated};
