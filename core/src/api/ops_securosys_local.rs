//! Operation-table entries for the Securosys helpers that run locally (nothing is sent, no
//! client is needed): a key type's `securosys.create_key` fields and usual signature algorithm,
//! a quorum approval policy, and an approver's key pair. They are what a program needs before
//! it talks to the HSM, reached by name from every language like every other operation.

use serde::{Deserialize, Serialize};

use super::wire::Base64;
use crate::error::{Error, Result};
use crate::providers::securosys::{ApproverKey, KeyAlgorithm, KeySpec, Policy, SignatureAlgorithm};

/// A key type, by name.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySpecRequest {
    /// `rsa2048`, `rsa3072`, `rsa4096`, `p256`, `p384` or `ed25519`.
    pub key_spec: KeySpec,
}

impl KeySpecRequest {
    /// The key type's fields and algorithm.
    pub(super) fn run(self) -> KeySpecFields {
        let (algorithm, key_size, curve) = self.key_spec.parts();
        KeySpecFields {
            algorithm,
            key_size,
            curve_oid: curve.map(|c| c.oid().to_string()),
            signature_algorithm: self.key_spec.default_signature_algorithm(),
        }
    }
}

/// What `securosys.create_key` takes for a key type, and how such a key usually signs.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct KeySpecFields {
    /// The key algorithm (`RSA`, `EC`, `ED`): `securosys.create_key`'s `algorithm`.
    pub algorithm: KeyAlgorithm,
    /// RSA: the size in bits (`securosys.create_key`'s `key_size`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// EC and ED: the curve's OID (`securosys.create_key`'s `curve_oid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve_oid: Option<String>,
    /// The usual signature algorithm for such a key: `SHA256_WITH_RSA` (RSA),
    /// `SHA256_WITH_ECDSA` (P-256), `SHA384_WITH_ECDSA` (P-384), `EDDSA` (Ed25519). Any other
    /// algorithm of the TSB's list may be given where one is asked for.
    pub signature_algorithm: SignatureAlgorithm,
}

/// One approver of a quorum policy.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyApprover {
    /// The approver's name, shown in the policy.
    pub name: String,
    /// The approver's public key, base64 DER SubjectPublicKeyInfo (`securosys.approver_key`'s
    /// `public_key_base64`).
    pub public_key_base64: String,
}

/// A quorum approval policy to build.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuorumPolicyRequest {
    /// How many approvals a request needs (checked against the approvers when the key is
    /// created).
    pub quorum: u32,
    /// The approvers.
    pub approvers: Vec<PolicyApprover>,
    /// How long a request may wait for its approvals, in seconds (a multiple of 60; default 0:
    /// no limit).
    #[serde(default)]
    pub timeout_s: u32,
}

impl QuorumPolicyRequest {
    /// The policy.
    pub(super) fn run(self) -> QuorumPolicy {
        let approvers: Vec<(String, String)> = self
            .approvers
            .into_iter()
            .map(|a| (a.name, a.public_key_base64))
            .collect();
        QuorumPolicy {
            policy: Policy::quorum(self.quorum, &approvers, self.timeout_s),
        }
    }
}

/// An approval policy.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct QuorumPolicy {
    /// The policy, in the TSB's own JSON: give it as `securosys.create_key`'s `policy`.
    pub policy: Policy,
}

/// An approver's key to make or read. Give neither field to make a new ECDSA P-256 key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproverKeyRequest {
    /// A PKCS#8 private key, PEM (`-----BEGIN PRIVATE KEY-----`); never shown in `Debug`
    /// output or errors.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pem: Option<secrecy::SecretString>,
    /// Or the same key as PKCS#8 DER, base64.
    #[serde(default)]
    pub pkcs8_der_base64: Option<Base64>,
}

impl ApproverKeyRequest {
    /// The key pair, made or read.
    pub(super) fn run(self) -> Result<ApproverKeyPair> {
        use secrecy::ExposeSecret as _;
        let key = match (self.pem, self.pkcs8_der_base64) {
            (None, None) => ApproverKey::generate_p256()?.0,
            (Some(pem), None) => ApproverKey::from_pem(pem.expose_secret())?,
            (None, Some(der)) => ApproverKey::from_pkcs8_der(&der.0)?,
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "securosys.approver_key: give at most one of request.pem and \
                     request.pkcs8_der_base64",
                ))
            }
        };
        Ok(ApproverKeyPair {
            public_key_base64: key.public_key_b64(),
            pem: key.pkcs8_pem().expose_secret().to_string(),
        })
    }
}

/// An approver's key pair.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ApproverKeyPair {
    /// The public key, base64 DER SubjectPublicKeyInfo: what a policy names the approver by
    /// (`securosys.quorum_policy`) and what `securosys.request_status` lists.
    pub public_key_base64: String,
    /// The private key, PKCS#8 PEM: what `securosys.list_approval_tasks`, `securosys.approve`
    /// and `securosys.reject` take as `approver_key_pem`. Keep it secret.
    pub pem: String,
}

impl std::fmt::Debug for ApproverKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApproverKeyPair")
            .field("public_key_base64", &self.public_key_base64)
            .field("pem", &"<secret>")
            .finish()
    }
}
