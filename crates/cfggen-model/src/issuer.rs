//! cert-manager issuers: an `Issuer` of the app's namespace or a
//! `ClusterIssuer`, which signs the certificates that name it — by ACME
//! (Let's Encrypt, with DNS-01 through Cloudflare or HTTP-01 through an
//! Ingress), by a CA whose key pair is a Secret, or self-signed.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An issuer (cert-manager's `IssuerSpec`, for ACME, CA and self-signed
/// issuers; Vault and Venafi ones stay raw manifests).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Issuer {
    /// An ACME server's certificates (Let's Encrypt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acme: Option<Acme>,
    /// Certificates signed by a CA whose key pair is a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaIssuer>,
    /// Self-signed certificates (a CA's own, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_signed: Option<SelfSigned>,
    /// Labels of the issuer, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the issuer.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl Issuer {
    /// The kinds of issuer it sets, by field name.
    pub fn kinds(&self) -> Vec<&'static str> {
        [
            ("acme", self.acme.is_some()),
            ("ca", self.ca.is_some()),
            ("selfSigned", self.self_signed.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }
}

/// An ACME account and how its challenges are solved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Acme {
    /// The directory URL (`https://acme-v02.api.letsencrypt.org/directory`).
    #[schemars(regex(pattern = "^https://"))]
    pub server: String,
    /// The account's e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The Secret cert-manager keeps the account's private key in.
    pub private_key_secret_ref: SecretKeyRef,
    /// Which chain to ask for, by its root's common name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_chain: Option<String>,
    /// Do not check the server's certificate (a test server's).
    #[serde(
        default,
        rename = "skipTLSVerify",
        skip_serializing_if = "Option::is_none"
    )]
    pub skip_tls_verify: Option<bool>,
    /// Use the account key in `privateKeySecretRef`, never make one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_account_key_generation: Option<bool>,
    /// How challenges are solved, the first whose selector matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub solvers: Vec<Solver>,
}

/// A Secret, and the key of it (the issuer kind's default when absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyRef {
    /// The Secret.
    pub name: String,
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// One way to solve ACME challenges, for the names its selector picks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solver {
    /// Which certificates' names it solves for; every name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<SolverSelector>,
    /// DNS-01: a TXT record, through a DNS provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns01: Option<Dns01>,
    /// HTTP-01: a file served through an Ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http01: Option<Http01>,
}

/// The names a solver is for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SolverSelector {
    /// Exactly these names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
    /// Names in these zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_zones: Vec<String>,
    /// Certificates with these labels.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub match_labels: IndexMap<String, String>,
}

/// DNS-01 through a provider (Cloudflare; the others stay raw).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns01 {
    /// Cloudflare, with an API token (or a global API key and e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudflare: Option<Cloudflare>,
    /// `Follow` to follow a CNAME of `_acme-challenge` to the zone that
    /// answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["None", "Follow"]))]
    pub cname_strategy: Option<String>,
}

/// Cloudflare's credentials.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cloudflare {
    /// An API token with DNS edit rights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_token_secret_ref: Option<SecretKeyRef>,
    /// The global API key (with `email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_secret_ref: Option<SecretKeyRef>,
    /// The account's e-mail address, for the global API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// HTTP-01 through an Ingress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Http01 {
    /// The Ingress cert-manager makes (or edits) to serve the challenge.
    pub ingress: Http01Ingress,
}

/// The Ingress of an HTTP-01 challenge.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Http01Ingress {
    /// The IngressClass of the Ingress cert-manager makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_class_name: Option<String>,
    /// The `kubernetes.io/ingress.class` annotation, for older
    /// controllers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// An Ingress to edit instead of making one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The type of the Service cert-manager makes (`NodePort` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
}

/// A CA issuer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CaIssuer {
    /// The Secret of the CA's key pair (`tls.crt`, `tls.key`).
    pub secret_name: String,
    /// Where the CA publishes its revocation lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl_distribution_points: Vec<String>,
    /// Where the CA's certificate can be downloaded.
    #[serde(
        default,
        rename = "issuingCertificateURLs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub issuing_certificate_urls: Vec<String>,
    /// The CA's OCSP servers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocsp_servers: Vec<String>,
}

/// A self-signed issuer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelfSigned {
    /// Where revocation lists are published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl_distribution_points: Vec<String>,
}
