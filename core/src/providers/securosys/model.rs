//! Typed requests and answers of the Securosys TSB API (contract §4–§6, §9, §12).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An open set of names: the known ones as variants, any other kept verbatim in `Other`.
macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $var,)*
            /// A name this version does not know, as spelled by the caller or the TSB.
            Other(String),
        }

        impl $name {
            /// Every named value, in the contract's order (not `Other`).
            pub const ALL: &'static [$name] = &[$($name::$var),*];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$var => $s,)*
                    $name::Other(s) => s,
                }
            }

            /// Parse a wire spelling (case-insensitive); unknown names become `Other`.
            pub fn parse(s: &str) -> $name {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($s) { return $name::$var; })*
                $name::Other(t.to_string())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::api::open_set_schema(&[$($s),*])
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}
pub(super) use open_enum;

open_enum! {
    /// A key algorithm (`algorithm` of a key).
    KeyAlgorithm {
        /// RSA.
        Rsa = "RSA",
        /// Elliptic curve (ECDSA); needs a curve.
        Ec = "EC",
        /// Edwards curve (EdDSA); needs a curve.
        Ed = "ED",
        /// DSA.
        Dsa = "DSA",
        /// AES (secret key).
        Aes = "AES",
    }
}

open_enum! {
    /// A signature algorithm (contract §12). `NONE…` / `NONESHA…` variants sign a digest the
    /// caller computed; the others hash the payload themselves.
    SignatureAlgorithm {
        /// RSA PKCS#1 v1.5 with SHA-224.
        Sha224WithRsa = "SHA224_WITH_RSA",
        /// RSA PKCS#1 v1.5 with SHA-256.
        Sha256WithRsa = "SHA256_WITH_RSA",
        /// RSA PKCS#1 v1.5 with SHA-384.
        Sha384WithRsa = "SHA384_WITH_RSA",
        /// RSA PKCS#1 v1.5 with SHA-512.
        Sha512WithRsa = "SHA512_WITH_RSA",
        /// RSA-PSS with SHA-224.
        Sha224WithRsaPss = "SHA224_WITH_RSA_PSS",
        /// RSA-PSS with SHA-256.
        Sha256WithRsaPss = "SHA256_WITH_RSA_PSS",
        /// RSA-PSS with SHA-384.
        Sha384WithRsaPss = "SHA384_WITH_RSA_PSS",
        /// RSA-PSS with SHA-512.
        Sha512WithRsaPss = "SHA512_WITH_RSA_PSS",
        /// RSA PKCS#1 v1.5 over a SHA-224 digest.
        NoneSha224WithRsa = "NONESHA224_WITH_RSA",
        /// RSA PKCS#1 v1.5 over a SHA-256 digest.
        NoneSha256WithRsa = "NONESHA256_WITH_RSA",
        /// RSA PKCS#1 v1.5 over a SHA-384 digest.
        NoneSha384WithRsa = "NONESHA384_WITH_RSA",
        /// RSA PKCS#1 v1.5 over a SHA-512 digest.
        NoneSha512WithRsa = "NONESHA512_WITH_RSA",
        /// RSA-PSS over a SHA-224 digest.
        NoneSha224WithRsaPss = "NONESHA224_WITH_RSA_PSS",
        /// RSA-PSS over a SHA-256 digest.
        NoneSha256WithRsaPss = "NONESHA256_WITH_RSA_PSS",
        /// RSA-PSS over a SHA-384 digest.
        NoneSha384WithRsaPss = "NONESHA384_WITH_RSA_PSS",
        /// RSA-PSS over a SHA-512 digest.
        NoneSha512WithRsaPss = "NONESHA512_WITH_RSA_PSS",
        /// Raw RSA PKCS#1 v1.5 over caller-encoded data.
        NoneWithRsa = "NONE_WITH_RSA",
        /// ECDSA with SHA-224.
        Sha224WithEcdsa = "SHA224_WITH_ECDSA",
        /// ECDSA with SHA-256.
        Sha256WithEcdsa = "SHA256_WITH_ECDSA",
        /// ECDSA with SHA-384.
        Sha384WithEcdsa = "SHA384_WITH_ECDSA",
        /// ECDSA with SHA-512.
        Sha512WithEcdsa = "SHA512_WITH_ECDSA",
        /// Deterministic ECDSA (RFC 6979) with SHA-256.
        Sha256WithEcdsaDeterministic = "SHA256_WITH_ECDSA_DETERMINISTIC",
        /// ECDSA over a digest.
        NoneWithEcdsa = "NONE_WITH_ECDSA",
        /// EdDSA (Ed25519) over the message.
        EdDsa = "EDDSA",
    }
}

/// Whether a payload is the data itself or a digest the caller already computed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PayloadKind {
    /// The data to sign; the algorithm hashes it.
    #[default]
    Raw,
    /// A pre-computed digest; the hashing algorithm is turned into its `NONE…` counterpart and
    /// the digest length is checked against it.
    Digest,
}

impl SignatureAlgorithm {
    /// The hash of this algorithm and its digest length in bytes (for hashing algorithms).
    fn hash_len(&self) -> Option<usize> {
        use SignatureAlgorithm::*;
        Some(match self {
            Sha224WithRsa | Sha224WithRsaPss | NoneSha224WithRsa | NoneSha224WithRsaPss
            | Sha224WithEcdsa => 28,
            Sha256WithRsa
            | Sha256WithRsaPss
            | NoneSha256WithRsa
            | NoneSha256WithRsaPss
            | Sha256WithEcdsa
            | Sha256WithEcdsaDeterministic => 32,
            Sha384WithRsa | Sha384WithRsaPss | NoneSha384WithRsa | NoneSha384WithRsaPss
            | Sha384WithEcdsa => 48,
            Sha512WithRsa | Sha512WithRsaPss | NoneSha512WithRsa | NoneSha512WithRsaPss
            | Sha512WithEcdsa => 64,
            _ => return None,
        })
    }

    /// The algorithm to send for a payload of `kind`, checking what can be checked locally: a
    /// digest is only accepted by algorithms that can sign one (a hashing algorithm is turned
    /// into its pre-hashed counterpart) and must have the hash's length.
    pub fn for_payload(&self, kind: PayloadKind, payload: &[u8]) -> Result<SignatureAlgorithm> {
        use SignatureAlgorithm::*;
        if payload.is_empty() {
            return Err(Error::invalid_argument("the payload to sign is empty"));
        }
        if kind == PayloadKind::Raw {
            return Ok(self.clone());
        }
        let pre =
            match self {
                Sha224WithRsa | NoneSha224WithRsa => NoneSha224WithRsa,
                Sha256WithRsa | NoneSha256WithRsa => NoneSha256WithRsa,
                Sha384WithRsa | NoneSha384WithRsa => NoneSha384WithRsa,
                Sha512WithRsa | NoneSha512WithRsa => NoneSha512WithRsa,
                Sha224WithRsaPss | NoneSha224WithRsaPss => NoneSha224WithRsaPss,
                Sha256WithRsaPss | NoneSha256WithRsaPss => NoneSha256WithRsaPss,
                Sha384WithRsaPss | NoneSha384WithRsaPss => NoneSha384WithRsaPss,
                Sha512WithRsaPss | NoneSha512WithRsaPss => NoneSha512WithRsaPss,
                Sha224WithEcdsa | Sha256WithEcdsa | Sha384WithEcdsa | Sha512WithEcdsa
                | NoneWithEcdsa => NoneWithEcdsa,
                NoneWithRsa | Other(_) => return Ok(self.clone()),
                EdDsa => return Err(Error::invalid_argument(
                    "EDDSA (Ed25519) signs the message itself, not a digest; pass the data with \
                     payload kind \"raw\"",
                )),
                Sha256WithEcdsaDeterministic => {
                    return Err(Error::invalid_argument(
                        "SHA256_WITH_ECDSA_DETERMINISTIC has no pre-hashed variant; pass the data \
                     with payload kind \"raw\", or use NONE_WITH_ECDSA for a digest",
                    ))
                }
            };
        if let Some(n) = self.hash_len() {
            if payload.len() != n {
                return Err(Error::invalid_argument(format!(
                    "a digest for {self} must be {n} bytes, got {}",
                    payload.len()
                )));
            }
        }
        Ok(pre)
    }
}

/// Named elliptic curves with their OIDs (contract §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    #[serde(alias = "p-256", alias = "secp256r1")]
    P256,
    /// NIST P-384 (secp384r1).
    #[serde(alias = "p-384", alias = "secp384r1")]
    P384,
    /// NIST P-521.
    #[serde(alias = "p-521", alias = "secp521r1")]
    P521,
    /// secp256k1 (Bitcoin).
    Secp256k1,
    /// Ed25519.
    Ed25519,
}

impl Curve {
    /// The curve's OID, as `curveOid` carries it.
    pub const fn oid(self) -> &'static str {
        match self {
            Curve::P256 => "1.2.840.10045.3.1.7",
            Curve::P384 => "1.3.132.0.34",
            Curve::P521 => "1.3.132.0.35",
            Curve::Secp256k1 => "1.3.132.0.10",
            Curve::Ed25519 => "1.3.101.112",
        }
    }
}

/// The signing key types the SDK knows how to create: algorithm, size or curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeySpec {
    /// RSA 2048.
    #[serde(alias = "rsa-2048", alias = "rsa_2048")]
    Rsa2048,
    /// RSA 3072.
    #[serde(alias = "rsa-3072", alias = "rsa_3072")]
    Rsa3072,
    /// RSA 4096.
    #[serde(alias = "rsa-4096", alias = "rsa_4096")]
    Rsa4096,
    /// EC P-256.
    #[serde(alias = "p-256", alias = "ec-p256")]
    P256,
    /// EC P-384.
    #[serde(alias = "p-384", alias = "ec-p384")]
    P384,
    /// Ed25519.
    Ed25519,
}

impl KeySpec {
    /// `(algorithm, keySize, curve)` as `POST /v1/key` takes them.
    pub fn parts(self) -> (KeyAlgorithm, Option<u32>, Option<Curve>) {
        match self {
            KeySpec::Rsa2048 => (KeyAlgorithm::Rsa, Some(2048), None),
            KeySpec::Rsa3072 => (KeyAlgorithm::Rsa, Some(3072), None),
            KeySpec::Rsa4096 => (KeyAlgorithm::Rsa, Some(4096), None),
            KeySpec::P256 => (KeyAlgorithm::Ec, None, Some(Curve::P256)),
            KeySpec::P384 => (KeyAlgorithm::Ec, None, Some(Curve::P384)),
            KeySpec::Ed25519 => (KeyAlgorithm::Ed, None, Some(Curve::Ed25519)),
        }
    }

    /// The usual signature algorithm for this key type (SHA-256 or SHA-384 based; EdDSA).
    pub fn default_signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => {
                SignatureAlgorithm::Sha256WithRsa
            }
            KeySpec::P256 => SignatureAlgorithm::Sha256WithEcdsa,
            KeySpec::P384 => SignatureAlgorithm::Sha384WithEcdsa,
            KeySpec::Ed25519 => SignatureAlgorithm::EdDsa,
        }
    }
}

/// Key attributes (`attributes` of `POST /v1/key` and of key answers). `None` = not sent /
/// not reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyAttributes {
    /// May encrypt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt: Option<bool>,
    /// May decrypt (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decrypt: Option<bool>,
    /// May verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    /// May sign (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<bool>,
    /// May wrap keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<bool>,
    /// May unwrap keys (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unwrap: Option<bool>,
    /// May derive keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derive: Option<bool>,
    /// BIP32 derivation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bip32: Option<bool>,
    /// SLIP-10 derivation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slip10: Option<bool>,
    /// May be exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extractable: Option<bool>,
    /// May be modified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifiable: Option<bool>,
    /// May be deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroyable: Option<bool>,
    /// Sensitive (never leaves the HSM in clear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// May be copied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyable: Option<bool>,
    /// Always was sensitive (answers only).
    #[serde(
        default,
        alias = "always_sensitive",
        skip_serializing_if = "Option::is_none"
    )]
    pub always_sensitive: Option<bool>,
    /// Never was extractable (answers only).
    #[serde(
        default,
        alias = "never_extractable",
        skip_serializing_if = "Option::is_none"
    )]
    pub never_extractable: Option<bool>,
}

impl KeyAttributes {
    /// The attributes of a signing key: sign + verify, nothing else, sensitive, not extractable,
    /// destroyable (so it can be deleted).
    pub fn signing() -> KeyAttributes {
        KeyAttributes {
            encrypt: Some(false),
            decrypt: Some(false),
            verify: Some(true),
            sign: Some(true),
            wrap: Some(false),
            unwrap: Some(false),
            derive: Some(false),
            bip32: Some(false),
            slip10: Some(false),
            extractable: Some(false),
            modifiable: Some(true),
            destroyable: Some(true),
            sensitive: Some(true),
            copyable: Some(false),
            always_sensitive: None,
            never_extractable: None,
        }
    }
}

open_enum! {
    /// How an approver is identified in a policy group.
    ApprovalType {
        /// `value` = base64 DER SubjectPublicKeyInfo.
        PublicKey = "public_key",
        /// `value` = base64 DER certificate.
        Certificate = "certificate",
        /// An approver onboarded with the Authorization App (`name` = e-mail).
        OnboardedApproverCertificate = "onboarded_approver_certificate",
    }
}

/// One approver of a policy group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Approval {
    /// How the approver is identified.
    #[serde(rename = "type")]
    pub kind: ApprovalType,
    /// The approver's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Base64 public key (SPKI DER) or certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A group of approvers of which `quorum` must approve (groups of a token are AND-ed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PolicyGroup {
    /// Group name.
    pub name: String,
    /// Approvals needed.
    pub quorum: u32,
    /// Who may approve.
    pub approvals: Vec<Approval>,
}

/// A token of a rule (tokens are OR-ed). Times in seconds, multiples of 60, `0` = off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PolicyToken {
    /// Token name.
    pub name: String,
    /// Earliest time (after the request) the token can be fulfilled.
    #[serde(default)]
    pub timelock: u32,
    /// End of validity (after the request).
    #[serde(default)]
    pub timeout: u32,
    /// The groups, all of which must reach quorum.
    pub groups: Vec<PolicyGroup>,
}

/// A rule: any one token fulfilled allows the operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rule {
    /// The tokens.
    pub tokens: Vec<PolicyToken>,
}

/// Whether the key is blocked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KeyStatus {
    /// Blocked keys cannot be used.
    #[serde(default)]
    pub blocked: bool,
}

/// A Smart Key Attributes approval policy (contract §4). Serialised in the TSB's own camelCase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Rule for using the key (sign, decrypt…).
    #[serde(default, alias = "rule_use")]
    pub rule_use: Option<Rule>,
    /// Rule for blocking the key.
    #[serde(default, alias = "rule_block")]
    pub rule_block: Option<Rule>,
    /// Rule for unblocking the key.
    #[serde(default, alias = "rule_unblock")]
    pub rule_unblock: Option<Rule>,
    /// Rule for modifying the policy.
    #[serde(default, alias = "rule_modify")]
    pub rule_modify: Option<Rule>,
    /// Key status.
    #[serde(default = "unblocked", alias = "key_status")]
    pub key_status: Option<KeyStatus>,
}

fn unblocked() -> Option<KeyStatus> {
    Some(KeyStatus::default())
}

impl Policy {
    /// A use rule needing `quorum` approvals among `approvers` (`(name, base64 SPKI)` pairs),
    /// valid for `timeout_s` seconds after each request (`0` = no timeout).
    pub fn quorum(quorum: u32, approvers: &[(String, String)], timeout_s: u32) -> Policy {
        Policy {
            rule_use: Some(Rule {
                tokens: vec![PolicyToken {
                    name: "Token1".into(),
                    timelock: 0,
                    timeout: timeout_s,
                    groups: vec![PolicyGroup {
                        name: "Group1".into(),
                        quorum,
                        approvals: approvers
                            .iter()
                            .map(|(n, v)| Approval {
                                kind: ApprovalType::PublicKey,
                                name: Some(n.clone()),
                                value: Some(v.clone()),
                            })
                            .collect(),
                    }],
                }],
            }),
            rule_block: None,
            rule_unblock: None,
            rule_modify: None,
            key_status: unblocked(),
        }
    }

    /// Local checks: times are multiples of 60 and quorums reachable.
    pub(crate) fn validate(&self) -> Result<()> {
        for (rname, rule) in [
            ("rule_use", &self.rule_use),
            ("rule_block", &self.rule_block),
            ("rule_unblock", &self.rule_unblock),
            ("rule_modify", &self.rule_modify),
        ] {
            let Some(rule) = rule else { continue };
            for t in &rule.tokens {
                for (f, v) in [("timelock", t.timelock), ("timeout", t.timeout)] {
                    if v % 60 != 0 {
                        return Err(Error::invalid_argument(format!(
                            "policy.{rname} token {:?}: {f} = {v} s must be a multiple of 60",
                            t.name
                        )));
                    }
                }
                for g in &t.groups {
                    if g.quorum == 0 || g.quorum as usize > g.approvals.len() {
                        return Err(Error::invalid_argument(format!(
                            "policy.{rname} group {:?}: quorum {} needs between 1 and {} \
                             approvers",
                            g.name,
                            g.quorum,
                            g.approvals.len()
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// `POST /v1/key`: create a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    /// Unique key label.
    pub label: String,
    /// Key algorithm.
    pub algorithm: KeyAlgorithm,
    /// Size in bits (RSA, DSA, AES).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// Curve OID (EC, ED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve_oid: Option<String>,
    /// Attributes; default: a signing key ([`KeyAttributes::signing`]).
    #[serde(default = "KeyAttributes::signing")]
    pub attributes: KeyAttributes,
    /// An approval policy (SKA key); `None` = a plain key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
}

impl CreateKey {
    /// A signing key of type `spec` with default attributes and no policy.
    pub fn new(label: impl Into<String>, spec: KeySpec) -> CreateKey {
        let (algorithm, key_size, curve) = spec.parts();
        CreateKey {
            label: label.into(),
            algorithm,
            key_size,
            curve_oid: curve.map(|c| c.oid().to_string()),
            attributes: KeyAttributes::signing(),
            policy: None,
        }
    }

    /// The same request with an approval policy.
    pub fn with_policy(mut self, policy: Policy) -> CreateKey {
        self.policy = Some(policy);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        super::api::check_label(&self.label)?;
        match self.algorithm {
            KeyAlgorithm::Rsa | KeyAlgorithm::Dsa | KeyAlgorithm::Aes
                if self.key_size.is_none() =>
            {
                return Err(Error::invalid_argument(format!(
                    "key_size is required for {} keys",
                    self.algorithm
                )))
            }
            KeyAlgorithm::Ec | KeyAlgorithm::Ed if self.curve_oid.is_none() => {
                return Err(Error::invalid_argument(format!(
                    "curve_oid is required for {} keys",
                    self.algorithm
                )))
            }
            _ => {}
        }
        if self.attributes.sign.is_none()
            || self.attributes.decrypt.is_none()
            || self.attributes.unwrap.is_none()
        {
            return Err(Error::invalid_argument(
                "attributes.sign, attributes.decrypt and attributes.unwrap must be set",
            ));
        }
        if let Some(p) = &self.policy {
            if self.attributes.extractable == Some(true) {
                return Err(Error::invalid_argument(
                    "a key with an approval policy cannot be extractable",
                ));
            }
            p.validate()?;
        }
        Ok(())
    }

    /// The wire body.
    pub(crate) fn wire(&self) -> serde_json::Value {
        serde_json::json!({
            "label": self.label,
            "password": null,
            "algorithm": self.algorithm,
            "keySize": self.key_size,
            "curveOid": self.curve_oid,
            "attributes": self.attributes,
            "policy": self.policy,
        })
    }
}

/// A key as the TSB describes it (the `json` part of a key answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all(serialize = "snake_case", deserialize = "camelCase"))]
pub struct KeyInfo {
    /// The label.
    pub label: String,
    /// The key id, if any.
    #[serde(default)]
    pub id: Option<String>,
    /// The algorithm.
    #[serde(default)]
    pub algorithm: Option<KeyAlgorithm>,
    /// The algorithm OID.
    #[serde(default)]
    pub algorithm_oid: Option<String>,
    /// The curve OID (EC, ED).
    #[serde(default)]
    pub curve_oid: Option<String>,
    /// Size in bits.
    #[serde(default)]
    pub key_size: Option<u32>,
    /// Creation time (ISO 8601).
    #[serde(default)]
    pub create_time: Option<String>,
    /// The public key, base64 DER SubjectPublicKeyInfo.
    #[serde(default)]
    pub public_key: Option<String>,
    /// The attributes.
    #[serde(default)]
    pub attributes: Option<KeyAttributes>,
    /// The approval policy (SKA keys).
    #[serde(default)]
    pub policy: Option<Policy>,
}

impl KeyInfo {
    /// The public key as DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        let b64 = self.public_key.as_deref().ok_or_else(|| {
            Error::new(
                crate::ErrorCode::InvalidState,
                format!("key {:?} has no public key (a secret key?)", self.label),
            )
        })?;
        super::api::b64_decode(b64, "publicKey")
    }

    /// The public key as PEM (`-----BEGIN PUBLIC KEY-----`), e.g. for `openssl`.
    pub fn public_key_pem(&self) -> Result<String> {
        let der = self.public_key_der()?;
        Ok(super::api::pem("PUBLIC KEY", &der))
    }
}

open_enum! {
    /// The state of an asynchronous request (`GET /v1/request/{id}`).
    RequestState {
        /// Waiting for approvals.
        Pending = "PENDING",
        /// Approved, not yet executed by the HSM.
        Approved = "APPROVED",
        /// Done; `result` holds the signature.
        Executed = "EXECUTED",
        /// The HSM failed it.
        Failed = "FAILED",
        /// No token was fulfilled in time.
        Expired = "EXPIRED",
        /// Approvers rejected it.
        Rejected = "REJECTED",
        /// Cancelled (deleted request or key).
        Cancelled = "CANCELLED",
    }
}

impl RequestState {
    /// Whether the request can no longer change.
    pub fn is_terminal(&self) -> bool {
        !matches!(
            self,
            RequestState::Pending | RequestState::Approved | RequestState::Other(_)
        )
    }
}

/// An asynchronous request's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all(serialize = "snake_case", deserialize = "camelCase"))]
pub struct RequestStatus {
    /// The request id.
    pub id: String,
    /// Its state.
    pub status: RequestState,
    /// When the HSM executed it.
    #[serde(default)]
    pub execution_time: Option<String>,
    /// Public keys (base64) of approvers who approved.
    #[serde(default)]
    pub approved_by: Vec<String>,
    /// Public keys (base64) of approvers who have not approved yet.
    #[serde(default)]
    pub not_yet_approved_by: Vec<String>,
    /// Public keys (base64) of approvers who rejected.
    #[serde(default)]
    pub rejected_by: Vec<String>,
    /// The result, base64 (the signature of a sign request).
    #[serde(default)]
    pub result: Option<String>,
}

impl RequestStatus {
    /// Whether waiting is over: a terminal state, except EXECUTED without a result yet.
    pub(crate) fn is_final(&self) -> bool {
        match self.status {
            RequestState::Executed => self.result.as_deref().is_some_and(|r| !r.is_empty()),
            ref s => s.is_terminal(),
        }
    }

    /// The decoded result, when there is one.
    pub fn result_bytes(&self) -> Result<Option<Vec<u8>>> {
        match self.result.as_deref() {
            Some(r) if !r.is_empty() => Ok(Some(super::api::b64_decode(r, "result")?)),
            _ => Ok(None),
        }
    }
}

/// Options of an asynchronous sign request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOptions {
    /// A JSON object shown to approvers (sent base64 as `metaData`); default
    /// `{"app":"signbridge","type":"Sign"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// The TSB's `payloadType` (`UNSPECIFIED` default, `ISO_20022`, `PDF`, `BTC`, `ETH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_type: Option<String>,
}

/// `GET /v1/versionInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VersionInfo {
    /// TSB version, e.g. `2.5.1`.
    #[serde(alias = "Version")]
    pub version: String,
    /// Vendor, when reported.
    #[serde(default, alias = "Vendor")]
    pub vendor: Option<String>,
}

/// `GET /v1/licenseInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all(serialize = "snake_case", deserialize = "camelCase"))]
pub struct LicenseInfo {
    /// Licensed features (`KEY_AUTH`, `REST_API`…).
    #[serde(default)]
    pub client_flags: Vec<String>,
}
