//! cert-manager Certificates: a `cert-manager.io/v1` Certificate of the
//! app, which an Issuer or ClusterIssuer signs into the Secret it names
//! (the Secret an Ingress's TLS or a pod then reads).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A Certificate (cert-manager's `CertificateSpec`, but for keystores,
/// other output formats, name constraints, other names and a literal
/// subject), rendered in the app's namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Certificate {
    /// The Secret the signed certificate and its key are written to.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub secret_name: String,
    /// Who signs it.
    pub issuer_ref: IssuerRef,
    /// The DNS names it is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
    /// The common name (deprecated for TLS in favour of `dnsNames`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// The IP addresses it is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_addresses: Vec<String>,
    /// The URIs it is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uris: Vec<String>,
    /// The e-mail addresses it is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<String>,
    /// How long it is valid, a Go duration (`2160h`: 90 days, the
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub duration: Option<String>,
    /// How long before it expires it is renewed (a third of `duration`
    /// when absent); less than `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub renew_before: Option<String>,
    /// How long before it expires it is renewed, as a share of
    /// `duration` in per cent (not beside `renewBefore`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 99))]
    pub renew_before_percentage: Option<u32>,
    /// What the key may be used for, e.g. `server auth`, `digital
    /// signature`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"type": "string", "enum": ["signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"]}))]
    pub usages: Vec<String>,
    /// The private key's algorithm, size, encoding and rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<PrivateKey>,
    /// The subject's other fields (organisations, countries, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// A certificate authority's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "isCA")]
    pub is_ca: Option<bool>,
    /// How many CertificateRequests are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<u32>,
    /// Labels and annotations of the Secret it writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_template: Option<SecretTemplate>,
    /// Labels of the Certificate, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Certificate.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// The issuer of a Certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    /// The Issuer's (in the app's namespace) or ClusterIssuer's name.
    pub name: String,
    /// `Issuer` (the default), `ClusterIssuer`, or an external issuer's
    /// kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The issuer's API group; `cert-manager.io` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A Certificate's private key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PrivateKey {
    /// `RSA` (the default), `ECDSA` or `Ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["RSA", "ECDSA", "Ed25519"]))]
    pub algorithm: Option<String>,
    /// The key size: 2048, 4096 or 8192 bits for RSA; 256, 384 or 521 for
    /// ECDSA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// `PKCS1` (the default) or `PKCS8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["PKCS1", "PKCS8"]))]
    pub encoding: Option<String>,
    /// `Always` (a new key each renewal, the default) or `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["Never", "Always"]))]
    pub rotation_policy: Option<String>,
}

/// The fields of a Certificate's subject beside its common name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subject {
    /// Organisations (O).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<String>,
    /// Organisational units (OU).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizational_units: Vec<String>,
    /// Countries (C).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// States or provinces (ST).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provinces: Vec<String>,
    /// Cities (L).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub localities: Vec<String>,
    /// Street addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub street_addresses: Vec<String>,
    /// Postal codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postal_codes: Vec<String>,
    /// The subject's serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
}

/// Labels and annotations of the Secret a Certificate writes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretTemplate {
    /// Labels of the Secret.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Secret.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl Certificate {
    /// Whether it names what it is for: cert-manager refuses a
    /// Certificate without a common name, DNS name, IP address, URI or
    /// e-mail address.
    pub fn names_something(&self) -> bool {
        self.common_name.is_some()
            || !self.dns_names.is_empty()
            || !self.ip_addresses.is_empty()
            || !self.uris.is_empty()
            || !self.email_addresses.is_empty()
    }
}
