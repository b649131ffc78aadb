//! `ImageRef`: an OCI image reference, parsed and printed per the
//! distribution reference grammar, normalised the way Docker does.
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ registry "/" ] path
//! registry   := host [ ":" port ]        host: DNS name, IPv4 or [IPv6]
//! path       := component ( "/" component )*
//! component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := "sha256:" 64 hex | "sha512:" 128 hex   (lower case)
//! ```
//!
//! A first path part is a registry when it has a `.` or a `:` or is
//! `localhost`; otherwise the registry is `docker.io`, and a one-part path
//! on `docker.io` gets `library/` (`redis` → `docker.io/library/redis`).

use std::fmt;
use std::str::FromStr;

/// The registry short names resolve to.
pub const DEFAULT_REGISTRY: &str = "docker.io";
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed image reference: compared, printed and pinned in its
/// normalised form (`redis` is `docker.io/library/redis`), rendered as
/// the user wrote it.
#[derive(Clone, Debug)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
    /// The reference as written, which rendered manifests keep.
    written: String,
}

impl ImageRef {
    /// What identifies the image: everything but the spelling.
    fn key(&self) -> (&str, &str, Option<&str>, Option<&Digest>) {
        (
            &self.registry,
            &self.repository,
            self.tag.as_deref(),
            self.digest.as_ref(),
        )
    }
}

impl PartialEq for ImageRef {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for ImageRef {}

impl std::hash::Hash for ImageRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for ImageRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ImageRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// A content digest: algorithm and lower-case hex.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    hex: String,
}

/// The digest algorithms of the OCI image spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// SHA-256, 64 hex digits.
    Sha256,
    /// SHA-512, 128 hex digits.
    Sha512,
}

impl DigestAlgorithm {
    fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }
    fn hex_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 64,
            DigestAlgorithm::Sha512 => 128,
        }
    }
}

/// Why a string is not an image reference.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefError {
    /// Nothing to parse.
    #[error("the image reference is empty")]
    Empty,
    /// Spaces or control characters.
    #[error("an image reference cannot contain whitespace or control characters")]
    Whitespace,
    /// The registry host is not a valid host name, IPv4 or bracketed IPv6.
    #[error("`{0}` is not a valid registry host")]
    InvalidRegistry(String),
    /// The registry port is not a number from 1 to 65535.
    #[error("`{0}` is not a valid registry port (1-65535)")]
    InvalidPort(String),
    /// An empty repository path or `//`.
    #[error("the repository path has an empty component")]
    EmptyPathComponent,
    /// A path component with upper-case letters.
    #[error(
        "repository path component `{0}` has upper-case letters; repository names are lower case"
    )]
    UppercaseRepository(String),
    /// A path component outside the grammar.
    #[error("`{0}` is not a valid repository path component (lower-case letters and digits, separated by `.`, `_`, `__` or `-`)")]
    InvalidPathComponent(String),
    /// The name part is longer than 255 characters.
    #[error("the image name is {0} characters long; at most 255 are allowed")]
    NameTooLong(usize),
    /// An empty tag after `:`.
    #[error("the tag after `:` is empty")]
    EmptyTag,
    /// A tag outside the grammar.
    #[error("`{0}` is not a valid tag (letters, digits, `_`, `.` and `-`, not starting with `.` or `-`)")]
    InvalidTag(String),
    /// A tag longer than 128 characters.
    #[error("the tag is {0} characters long; at most 128 are allowed")]
    TagTooLong(usize),
    /// A digest without `algorithm:hex`.
    #[error("`{0}` is not a digest; expected `sha256:` followed by 64 hex digits")]
    InvalidDigest(String),
    /// A digest algorithm other than sha256 / sha512.
    #[error("digest algorithm `{0}` is not supported; use sha256 (or sha512)")]
    UnsupportedDigestAlgorithm(String),
    /// A digest with the wrong number of hex digits.
    #[error("a {algorithm} digest has {expected} hex digits, this one has {actual}")]
    DigestLength {
        /// The algorithm.
        algorithm: &'static str,
        /// Hex digits it needs.
        expected: usize,
        /// Hex digits given.
        actual: usize,
    },
    /// A digest with characters other than lower-case hex.
    #[error("the digest must be lower-case hex digits (0-9, a-f)")]
    DigestNotHex,
}

impl ImageRefError {
    /// A short hint on how to write the reference correctly.
    pub fn hint(&self) -> &'static str {
        match self {
            ImageRefError::UppercaseRepository(_) => "write the repository path in lower case",
            ImageRefError::InvalidDigest(_)
            | ImageRefError::UnsupportedDigestAlgorithm(_)
            | ImageRefError::DigestLength { .. }
            | ImageRefError::DigestNotHex => {
                "a digest looks like `@sha256:` + 64 hex digits, as `docker buildx imagetools inspect` prints it"
            }
            ImageRefError::EmptyTag | ImageRefError::InvalidTag(_) | ImageRefError::TagTooLong(_) => {
                "tags look like `v1.2.3` or `7-alpine`"
            }
            _ => "write it as `registry/path/name:tag`, e.g. `ghcr.io/org/app:v1.2.3`, or `name@sha256:<64 hex>`",
        }
    }
}

/// A reference as written, split into its parts without checking them:
/// `name[:tag][@digest]`. The one place the tag is told from a registry
/// port: a tag is after the last `:` that comes after the last `/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written<'a> {
    /// Everything before the tag and digest (registry, port and path).
    pub name: &'a str,
    /// The tag, without its `:`.
    pub tag: Option<&'a str>,
    /// The digest, without its `@`.
    pub digest: Option<&'a str>,
}

impl<'a> Written<'a> {
    /// Splits a reference as written.
    pub fn split(input: &'a str) -> Self {
        let (rest, digest) = match input.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (input, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(i) => Written {
                name: &rest[..last_slash + i],
                tag: rest.get(last_slash + i + 1..),
                digest,
            },
            None => Written {
                name: rest,
                tag: None,
                digest,
            },
        }
    }
}

/// A reference as the user wrote it, with a new tag. The digest is
/// dropped: it named the old tag's content.
pub fn with_tag(written: &str, tag: &str) -> String {
    format!("{}:{tag}", Written::split(written).name)
}

/// A reference as the user wrote it, with a new digest (its tag kept).
pub fn with_digest(written: &str, digest: &str) -> String {
    let w = Written::split(written);
    match w.tag {
        Some(tag) => format!("{}:{tag}@{digest}", w.name),
        None => format!("{}@{digest}", w.name),
    }
}

impl ImageRef {
    /// Parses and normalises a reference.
    pub fn parse(input: &str) -> Result<Self, ImageRefError> {
        if input.is_empty() {
            return Err(ImageRefError::Empty);
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ImageRefError::Whitespace);
        }
        let written = Written::split(input);
        let digest = written.digest.map(parse_digest).transpose()?;
        let tag = written.tag.map(parse_tag).transpose()?;
        let name = written.name;
        if name.is_empty() {
            return Err(ImageRefError::EmptyPathComponent);
        }
        if name.len() > MAX_NAME_LEN {
            return Err(ImageRefError::NameTooLong(name.len()));
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, rest)) if is_registry(first) => (first.to_owned(), rest.to_owned()),
            _ => (DEFAULT_REGISTRY.to_owned(), name.to_owned()),
        };
        let registry = if registry == "index.docker.io" {
            DEFAULT_REGISTRY.to_owned()
        } else {
            registry
        };
        validate_registry(&registry)?;
        for component in path.split('/') {
            validate_component(component)?;
        }
        let repository = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        // The limit holds for the name as printed (normalised), so that
        // every reference that parses prints as one that parses again.
        let full = registry.len() + 1 + repository.len();
        if full > MAX_NAME_LEN {
            return Err(ImageRefError::NameTooLong(full));
        }
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
            written: input.to_owned(),
        })
    }

    /// The registry host (and port), e.g. `ghcr.io` or `localhost:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path, e.g. `library/redis`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest as `algorithm:hex`, if any.
    pub fn digest(&self) -> Option<String> {
        self.digest.as_ref().map(|d| d.to_string())
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Whether the reference pins an image: it has a digest, or a tag
    /// other than `latest`.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some() || self.tag.as_deref().is_some_and(|t| t != "latest")
    }

    /// The same image with another tag (the digest is dropped), spelt as
    /// this one was.
    pub fn with_tag(&self, tag: &str) -> Result<Self, ImageRefError> {
        Ok(ImageRef {
            tag: Some(parse_tag(tag)?),
            digest: None,
            written: with_tag(&self.written, tag),
            ..self.clone()
        })
    }

    /// The reference as the user wrote it (`redis:7`), which rendered
    /// manifests keep; [`Display`](fmt::Display) prints the normalised
    /// form (`docker.io/library/redis:7`).
    pub fn as_written(&self) -> &str {
        &self.written
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

impl serde::Serialize for ImageRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.written)
    }
}

impl<'de> serde::Deserialize<'de> for ImageRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ImageRef::parse(&s).map_err(|e| {
            serde::de::Error::custom(crate::error::tagged_message(&e.to_string(), e.hint()))
        })
    }
}

impl schemars::JsonSchema for ImageRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImageRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An OCI image reference: `[registry[:port]/]path[:tag][@sha256:<64 hex>]`. Short names mean the image Docker means (`redis` is `docker.io/library/redis`) and are rendered as written.",
            "pattern": IMAGE_PATTERN,
            "examples": [
                "registry.ops.eblu.me/blumeops/authentik:v2026.2.0-nix",
                "docker.io/library/redis:7-alpine",
                "ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            ]
        })
    }
}

/// A regular expression for editors; the parser is the real check.
pub const IMAGE_PATTERN: &str = r"^((([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha(256:[a-f0-9]{64}|512:[a-f0-9]{128}))?$";

fn is_registry(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost" || first.starts_with('[')
}

fn validate_registry(registry: &str) -> Result<(), ImageRefError> {
    let bad = || ImageRefError::InvalidRegistry(registry.to_owned());
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or_else(bad)?;
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(bad());
        }
        match after {
            "" => (None, None),
            p => (None, Some(p.strip_prefix(':').ok_or_else(bad)?)),
        }
    } else {
        match registry.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        let ok = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if !ok {
            return Err(bad());
        }
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 && port.chars().all(|c| c.is_ascii_digit()) => {}
            _ => return Err(ImageRefError::InvalidPort(port.to_owned())),
        }
    }
    Ok(())
}

fn validate_component(component: &str) -> Result<(), ImageRefError> {
    if component.is_empty() {
        return Err(ImageRefError::EmptyPathComponent);
    }
    if component.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(ImageRefError::UppercaseRepository(component.to_owned()));
    }
    let invalid = || ImageRefError::InvalidPathComponent(component.to_owned());
    let bytes = component.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    let mut expect_alnum = true;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            while i < bytes.len() && alnum(bytes[i]) {
                i += 1;
            }
            expect_alnum = false;
            continue;
        }
        if expect_alnum {
            return Err(invalid());
        }
        // A separator: ".", "_", "__" or one or more "-".
        match bytes[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if bytes.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while bytes.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return Err(invalid()),
        }
        expect_alnum = true;
    }
    if expect_alnum {
        return Err(invalid());
    }
    Ok(())
}

fn parse_tag(tag: &str) -> Result<String, ImageRefError> {
    if tag.is_empty() {
        return Err(ImageRefError::EmptyTag);
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(ImageRefError::TagTooLong(tag.len()));
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    let first_ok = chars.next().is_some_and(word);
    if !first_ok || !chars.all(|c| word(c) || c == '.' || c == '-') {
        return Err(ImageRefError::InvalidTag(tag.to_owned()));
    }
    Ok(tag.to_owned())
}

fn parse_digest(digest: &str) -> Result<Digest, ImageRefError> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(ImageRefError::InvalidDigest(digest.to_owned()));
    };
    let algorithm = match algorithm {
        "sha256" => DigestAlgorithm::Sha256,
        "sha512" => DigestAlgorithm::Sha512,
        "" => return Err(ImageRefError::InvalidDigest(digest.to_owned())),
        other => return Err(ImageRefError::UnsupportedDigestAlgorithm(other.to_owned())),
    };
    if !hex
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    {
        return Err(ImageRefError::DigestNotHex);
    }
    if hex.len() != algorithm.hex_len() {
        return Err(ImageRefError::DigestLength {
            algorithm: algorithm.name(),
            expected: algorithm.hex_len(),
            actual: hex.len(),
        });
    }
    Ok(Digest {
        algorithm,
        hex: hex.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::{with_digest, with_tag, Written};

    #[test]
    fn tags_and_digests_as_written() {
        assert_eq!(with_tag("redis:7-alpine", "7.2-alpine"), "redis:7.2-alpine");
        assert_eq!(
            with_tag("localhost:5000/a/b", "v2"),
            "localhost:5000/a/b:v2"
        );
        assert_eq!(with_tag("r/x:v1@sha256:abc", "v2"), "r/x:v2");
        assert_eq!(with_digest("r/x:v1", "sha256:abc"), "r/x:v1@sha256:abc");
        assert_eq!(
            with_digest("r/x:v1@sha256:old", "sha256:new"),
            "r/x:v1@sha256:new"
        );
        assert_eq!(
            Written::split("localhost:5000/a"),
            Written {
                name: "localhost:5000/a",
                tag: None,
                digest: None
            }
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> ImageRef {
        match ImageRef::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn short_names_are_the_same_image_and_keep_their_spelling() {
        let short = ok("redis:7");
        let long = ok("docker.io/library/redis:7");
        assert_eq!(short, long);
        assert_eq!(short.to_string(), long.to_string());
        assert_eq!(short.as_written(), "redis:7");
        assert_eq!(long.as_written(), "docker.io/library/redis:7");
        assert_eq!(serde_json::to_value(&short).unwrap(), "redis:7");
        let bumped = short.with_tag("7.4").unwrap();
        assert_eq!(bumped.as_written(), "redis:7.4");
        assert_eq!(bumped, ok("docker.io/library/redis:7.4"));
    }

    fn err(s: &str) -> ImageRefError {
        match ImageRef::parse(s) {
            Ok(r) => panic!("{s} parsed as {r}"),
            Err(e) => e,
        }
    }

    const D: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_the_documented_forms() {
        let r = ok("registry.ops.eblu.me/blumeops/authentik:v1.0.0-nix");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            (
                "registry.ops.eblu.me",
                "blumeops/authentik",
                Some("v1.0.0-nix")
            )
        );
        let r = ok("docker.io/library/redis:7-alpine");
        assert_eq!(r.to_string(), "docker.io/library/redis:7-alpine");
        let r = ok(&format!("ghcr.io/x/y@sha256:{D}"));
        assert_eq!(r.digest(), Some(format!("sha256:{D}")));
        assert_eq!(r.tag(), None);
        let r = ok("localhost:5000/a/b:c");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("localhost:5000", "a/b", Some("c"))
        );
        let r = ok(&format!("ghcr.io/x/y:v1@sha256:{D}"));
        assert_eq!(r.tag(), Some("v1"));
        assert!(r.digest().is_some());
        let r = ok("[::1]:5000/app:v1");
        assert_eq!(r.registry(), "[::1]:5000");
    }

    #[test]
    fn normalises_short_names_like_docker() {
        assert_eq!(ok("redis").to_string(), "docker.io/library/redis");
        assert_eq!(ok("redis:7").to_string(), "docker.io/library/redis:7");
        assert_eq!(ok("bitnami/redis").to_string(), "docker.io/bitnami/redis");
        assert_eq!(
            ok("index.docker.io/redis").to_string(),
            "docker.io/library/redis"
        );
        assert_eq!(ok("localhost/app").registry(), "localhost");
    }

    #[test]
    fn pinning() {
        assert!(!ok("redis").is_pinned());
        assert!(!ok("redis:latest").is_pinned());
        assert!(ok("redis:7").is_pinned());
        assert!(ok(&format!("redis@sha256:{D}")).is_pinned());
        assert!(ok(&format!("redis:latest@sha256:{D}")).is_pinned());
    }

    #[test]
    fn names_each_malformed_form() {
        assert_eq!(err(""), ImageRefError::Empty);
        assert_eq!(err("a b"), ImageRefError::Whitespace);
        assert_eq!(
            err("ghcr.io/Org/app"),
            ImageRefError::UppercaseRepository("Org".into())
        );
        assert_eq!(err("ghcr.io//app"), ImageRefError::EmptyPathComponent);
        assert_eq!(
            err("ghcr.io/app-"),
            ImageRefError::InvalidPathComponent("app-".into())
        );
        assert_eq!(
            err("ghcr.io/a...b"),
            ImageRefError::InvalidPathComponent("a...b".into())
        );
        assert_eq!(err("ghcr.io/app:"), ImageRefError::EmptyTag);
        assert_eq!(
            err("ghcr.io/app:-x"),
            ImageRefError::InvalidTag("-x".into())
        );
        assert!(matches!(
            err(&format!("app:{}", "a".repeat(129))),
            ImageRefError::TagTooLong(129)
        ));
        assert_eq!(
            err("localhost:99999/app"),
            ImageRefError::InvalidPort("99999".into())
        );
        assert_eq!(
            err("bad_host.io:1/app"),
            ImageRefError::InvalidRegistry("bad_host.io:1".into())
        );
        assert_eq!(
            err("app@sha256"),
            ImageRefError::InvalidDigest("sha256".into())
        );
        assert_eq!(
            err("app@md5:abc"),
            ImageRefError::UnsupportedDigestAlgorithm("md5".into())
        );
        assert_eq!(
            err("app@sha256:abc"),
            ImageRefError::DigestLength {
                algorithm: "sha256",
                expected: 64,
                actual: 3
            }
        );
        assert_eq!(
            err(&format!("app@sha256:{}", D.to_uppercase())),
            ImageRefError::DigestNotHex
        );
        assert!(matches!(
            err(&format!("ghcr.io/{}", "a".repeat(300))),
            ImageRefError::NameTooLong(_)
        ));
    }

    #[test]
    fn editor_pattern_agrees_on_examples() {
        // The pattern is only for editors; make sure it at least has no
        // syntax that differs between regex dialects.
        assert!(IMAGE_PATTERN.starts_with('^') && IMAGE_PATTERN.ends_with('$'));
    }

    fn component() -> impl Strategy<Value = String> {
        "[a-z0-9]{1,5}(([._]|__|-{1,2})[a-z0-9]{1,5}){0,2}"
    }

    fn registry() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("docker.io".to_owned()),
            Just("localhost".to_owned()),
            "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){1,2}",
            ("[a-z]{1,8}\\.[a-z]{2,3}", 1u16..).prop_map(|(h, p)| format!("{h}:{p}")),
            ("localhost", 1u16..).prop_map(|(h, p)| format!("{h}:{p}")),
        ]
    }

    prop_compose! {
        fn image_ref()(
            registry in registry(),
            path in prop::collection::vec(component(), 1..4),
            tag in prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
            digest in prop::option::of("[a-f0-9]{64}"),
        ) -> String {
            let mut s = format!("{registry}/{}", path.join("/"));
            if let Some(t) = tag { s.push(':'); s.push_str(&t); }
            if let Some(d) = digest { s.push_str("@sha256:"); s.push_str(&d); }
            s
        }
    }

    proptest! {
        #[test]
        fn print_parse_round_trips(s in image_ref()) {
            let parsed = ImageRef::parse(&s);
            prop_assert!(parsed.is_ok(), "{s}: {parsed:?}");
            let Ok(parsed) = parsed else { return Ok(()) };
            let printed = parsed.to_string();
            let reparsed = ImageRef::parse(&printed);
            prop_assert_eq!(reparsed.as_ref().ok(), Some(&parsed));
            prop_assert_eq!(reparsed.map(|r| r.to_string()).ok(), Some(printed));
        }

        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = ImageRef::parse(&s);
        }
    }
}
