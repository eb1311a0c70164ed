//! Operation-table entries of the Securosys keys made from a seed, derived keys and file
//! encryption. [`securosys_key_operations!`](super::ops_securosys) hands its entries
//! and those of `ops.rs` to [`securosys_key_management_operations!`], which appends these and
//! expands `operations!` once (the table stays one static slice).

use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};

use super::wire::Base64;
use crate::error::Result;
use crate::providers::securosys::{Curve, ImportSeedKey, KeyAttributes, Policy};

/// A master key to make from a seed.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSeedKeyRequest {
    /// The new key's label.
    pub label: String,
    /// The seed (16 to 64 bytes), base64; never shown in `Debug` output.
    #[schemars(with = "String")]
    pub seed_base64: secrecy::SecretString,
    /// `p256` or `ed25519` (SLIP-0010), `secp256k1` (BIP32) where the HSM offers it.
    pub curve: Curve,
    /// Attributes (default: a signing key).
    #[serde(default = "KeyAttributes::signing")]
    pub attributes: KeyAttributes,
    /// An approval policy (the TSB's camelCase).
    #[serde(default)]
    pub policy: Option<Policy>,
}

impl ImportSeedKeyRequest {
    /// The client's request (the seed decoded).
    pub fn import(&self) -> Result<ImportSeedKey> {
        use base64::Engine as _;
        let seed = base64::engine::general_purpose::STANDARD
            .decode(self.seed_base64.expose_secret().trim())
            .map_err(|_| {
                crate::Error::invalid_argument(
                    "securosys.import_seed_key: request.seed_base64 is not valid base64",
                )
            })?;
        Ok(ImportSeedKey {
            label: self.label.clone(),
            seed: seed.into(),
            curve: self.curve,
            attributes: self.attributes.clone(),
            policy: self.policy.clone(),
        })
    }
}

/// A key to derive from a master key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeriveKeyRequest {
    /// The master key's label (made by `securosys.import_seed_key`, or derived).
    pub master_label: String,
    /// `m/44'/0'/0'` (hardened: `'`, `H` or `h`).
    pub derivation_path: String,
    /// The derived key's attributes (default: the master's).
    #[serde(default)]
    pub attributes: Option<KeyAttributes>,
}

/// A file to encrypt.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileEncryptRequest {
    /// The key's label (AES or RSA, `encrypt` attribute).
    pub label: String,
    /// The file's name (kept inside the encrypted file).
    pub file_name: String,
    /// The file's content, base64 (at most 8 MiB).
    pub content_base64: Base64,
}

/// An encrypted file.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct EncryptedFile {
    /// The HSM's encrypted file, base64.
    pub encrypted_file_base64: Base64,
}

/// An encrypted file to decrypt.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileDecryptRequest {
    /// The key it was encrypted with.
    pub label: String,
    /// The encrypted file, base64.
    pub encrypted_file_base64: Base64,
}

/// A decrypted file.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FileContent {
    /// Its name.
    pub file_name: String,
    /// Its content, base64.
    pub content_base64: Base64,
}

/// A new approver.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApproverRequest {
    /// The approver's name (e.g. an e-mail address).
    pub name: String,
    /// `ec` (default, P-256) or `rsa` (2048).
    #[serde(default)]
    pub algorithm: crate::providers::securosys::ApproverAlgorithm,
    /// The password of the approver's key backup (at least 8 characters); never shown in
    /// `Debug` output.
    #[schemars(with = "String")]
    pub backup_password: secrecy::SecretString,
    /// Days its certificate is valid (default 3650).
    #[serde(default)]
    pub validity_days: Option<u32>,
}

/// An approver, by name.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproverName {
    /// The approver's name.
    pub name: String,
}

/// A one-time code for onboarding.
#[derive(Serialize, schemars::JsonSchema)]
pub struct OneTimeCode {
    /// The code, for `securosys.onboard_approver`.
    pub one_time_code: String,
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode([redacted])")
    }
}

/// Where an approver's onboarding stands.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApproverState {
    /// The approver's name.
    pub name: String,
    /// Whether it has onboarded.
    pub onboarded: bool,
    /// Its public key, DER SubjectPublicKeyInfo in base64.
    pub public_key_der_base64: Base64,
}

/// An onboarding.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardRequest {
    /// The approver's name.
    pub name: String,
    /// The one-time code `securosys.create_approver` gave; never shown in `Debug` output.
    #[schemars(with = "String")]
    pub one_time_code: secrecy::SecretString,
    /// 16 or 32 ASCII characters; never shown in `Debug` output.
    #[schemars(with = "String")]
    pub transport_password: secrecy::SecretString,
}

/// The key and certificate an approver received.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ApproverIdentity {
    /// The private key, PKCS#8 PEM (what `approver_key_pem` takes).
    pub key_pem: String,
    /// The certificate, PEM.
    pub certificate_pem: String,
}

impl std::fmt::Debug for ApproverIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApproverIdentity")
            .field("key_pem", &"[redacted]")
            .field("certificate_pem", &self.certificate_pem)
            .finish()
    }
}

/// Appends this file's entries to the table entries it is given and declares the table.
macro_rules! securosys_key_management_operations {
    ($($rest:tt)*) => {
        super::ops_onespan::onespan_operations! {
            $($rest)*

            // ---- Securosys seed and derived keys, file encryption ---------------

            /// Make a hierarchical deterministic master key from a seed
            /// (`POST /v1/importedKey`, key-management role).
            securosys_import_seed_key "securosys.import_seed_key" (ImportSeedKeyRequest) -> KeyInfo:
                |c, r, x| c.securosys()?.import_seed_key(&r.import()?).await?;
            /// Derive a key by a BIP32 / SLIP-0010 path from a master key
            /// (`POST /v1/derivedKey`, key-management role): the key `<master>/<path below m>`.
            securosys_derive_key "securosys.derive_key" (DeriveKeyRequest) -> KeyInfo:
                |c, r, x| c.securosys()?.derive_key(&r.master_label, &r.derivation_path, r.attributes.as_ref()).await?;
            /// Encrypt a file with an AES or RSA key (`POST /v1/fileEncrypt`, key-operation role).
            securosys_file_encrypt "securosys.file_encrypt" (FileEncryptRequest) -> EncryptedFile:
                |c, r, x| EncryptedFile { encrypted_file_base64: Base64(c.securosys()?.file_encrypt(&r.label, &r.file_name, &r.content_base64.0).await?) };
            /// Decrypt a file `securosys.file_encrypt` made (`POST /v1/synchronousFileDecrypt`,
            /// key-operation role).
            securosys_synchronous_file_decrypt "securosys.synchronous_file_decrypt" (FileDecryptRequest) -> FileContent:
                |c, r, x| {
                    let f = c.securosys()?.synchronous_file_decrypt(&r.label, &r.encrypted_file_base64.0).await?;
                    FileContent { file_name: f.file_name, content_base64: Base64(f.content) }
                };
            /// Make an approver (`POST /v1/approverManagement/create`,
            /// approver-key-management role): its one-time code for onboarding.
            securosys_create_approver "securosys.create_approver" (NewApproverRequest) -> OneTimeCode:
                |c, r, x| {
                    let req = crate::providers::securosys::NewApprover {
                        name: r.name.clone(),
                        algorithm: r.algorithm,
                        backup_password: r.backup_password.clone(),
                        validity_days: r.validity_days.unwrap_or(3650),
                    };
                    OneTimeCode { one_time_code: secrecy::ExposeSecret::expose_secret(&c.securosys()?.create_approver(&req).await?).to_owned() }
                };
            /// A new one-time code for an approver not onboarded yet
            /// (`POST /v1/approverManagement/renewOneTimeCode`).
            securosys_renew_approver_one_time_code "securosys.renew_approver_one_time_code" (ApproverName) -> OneTimeCode:
                |c, r, x| OneTimeCode { one_time_code: secrecy::ExposeSecret::expose_secret(&c.securosys()?.renew_approver_one_time_code(&r.name).await?).to_owned() };
            /// Whether an approver has onboarded (`GET /v1/approverManagement/onboarding/status`).
            securosys_approver_status "securosys.approver_status" (ApproverName) -> ApproverState:
                |c, r, x| {
                    let s = c.securosys()?.approver_status(&r.name).await?;
                    ApproverState { name: s.name, onboarded: s.onboarded, public_key_der_base64: Base64(s.public_key_der) }
                };
            /// Delete an approver (`DELETE /v1/approverManagement/delete/{name}`).
            securosys_delete_approver "securosys.delete_approver" (ApproverName) -> Done:
                |c, r, x| { c.securosys()?.delete_approver(&r.name).await?; Done {} };
            /// Onboard an approver with its one-time code (`POST /v1/approver/onboard`, approver
            /// role): its key and certificate, decrypted with the transport password.
            securosys_onboard_approver "securosys.onboard_approver" (OnboardRequest) -> ApproverIdentity:
                |c, r, x| {
                    let a = c.securosys()?.onboard_approver(&r.name, &r.one_time_code, &r.transport_password).await?;
                    ApproverIdentity { key_pem: secrecy::ExposeSecret::expose_secret(&a.key_pem).to_owned(), certificate_pem: a.certificate_pem }
                };
        }
    };
}
pub(super) use securosys_key_management_operations;
