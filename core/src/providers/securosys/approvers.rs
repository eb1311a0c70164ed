//! Approver management (approverKeyManagementToken, `/v1/approverManagement/**`) and approver
//! onboarding (approverToken, `POST /v1/approver/onboard`), contract §10.
//!
//! The HSM makes an approver's key pair and certificate and answers a one-time code; the
//! approver (or the app standing in for it) onboards once with that code and a transport
//! password of 16 or 32 characters, and receives the key and certificate as a PKCS#12 file
//! encrypted with AES-GCM. [`SecurosysClient::onboard_approver`] decrypts and opens it: the
//! key PEM then approves tasks like any approver key, and policies can name the approver with
//! approval type `onboarded_approver_certificate`.
//!
//! PROPOSAL where the contract is silent: the AES key is the transport password's bytes, the
//! PKCS#12 password is the transport password, the renew/status/delete bodies (see
//! `shared/api/securosys.md` additions). `restoreFromBackup` is not built.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::api::{b64_decode, parse, pem};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The key type of a new approver.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ApproverAlgorithm {
    /// EC P-256 (the default).
    #[default]
    Ec,
    /// RSA-2048.
    Rsa,
}

/// A new approver (`POST /v1/approverManagement/create`).
pub struct NewApprover {
    /// The approver's name (e.g. an e-mail address); policies refer to it.
    pub name: String,
    /// Its key type.
    pub algorithm: ApproverAlgorithm,
    /// The password of the approver's key backup (at least 8 characters).
    pub backup_password: SecretString,
    /// Days the approver's certificate is valid (1 to 36500).
    pub validity_days: u32,
}

impl std::fmt::Debug for NewApprover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApprover")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("backup_password", &"[redacted]")
            .field("validity_days", &self.validity_days)
            .finish()
    }
}

/// Where an approver's onboarding stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproverStatus {
    /// The approver's name.
    pub name: String,
    /// Whether it has onboarded (its one-time code is used).
    pub onboarded: bool,
    /// Its public key, DER SubjectPublicKeyInfo.
    pub public_key_der: Vec<u8>,
}

/// The key and certificate an approver received at onboarding.
pub struct OnboardedApprover {
    /// The private key, PKCS#8 PEM (what `approver_key_pem` takes); never in `Debug` output.
    pub key_pem: SecretString,
    /// The approver's certificate, PEM.
    pub certificate_pem: String,
}

impl std::fmt::Debug for OnboardedApprover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnboardedApprover")
            .field("key_pem", &"[redacted]")
            .field("certificate_pem", &self.certificate_pem)
            .finish()
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.len() > 256 || name.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "approver name {name:?} is not valid: expected 1-256 characters without control \
             characters"
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Code {
    one_time_code: String,
}

impl SecurosysClient {
    /// Makes an approver (`POST /v1/approverManagement/create`, approver-key-management role):
    /// its one-time code, for [`Self::onboard_approver`]. An existing name is errorCode 632.
    pub async fn create_approver(&self, req: &NewApprover) -> Result<SecretString> {
        check_name(&req.name)?;
        if req.backup_password.expose_secret().chars().count() < 8 {
            return Err(Error::invalid_argument(
                "an approver's backup password needs at least 8 characters",
            ));
        }
        if !(1..=36_500).contains(&req.validity_days) {
            return Err(Error::invalid_argument(format!(
                "validity_days is 1 to 36500, got {}",
                req.validity_days
            )));
        }
        let (algorithm, key_size) = match req.algorithm {
            ApproverAlgorithm::Ec => ("EC", 256),
            ApproverAlgorithm::Rsa => ("RSA", 2048),
        };
        let what = "create approver";
        let body = json!({"approverName": req.name, "algorithm": algorithm, "keySize": key_size,
            "backupPassword": req.backup_password.expose_secret(), "validity": req.validity_days});
        let r = Request::post_json(self.url("v1/approverManagement/create")?, &body, what)?
            .with_role(Role::ApproverKeyManagement);
        let c: Code = parse(&self.send(r).await?, what)?;
        Ok(c.one_time_code.into())
    }

    /// A new one-time code for an approver not onboarded yet
    /// (`POST /v1/approverManagement/renewOneTimeCode`, approver-key-management role).
    pub async fn renew_approver_one_time_code(&self, name: &str) -> Result<SecretString> {
        check_name(name)?;
        let what = "renew approver one-time code";
        let r = Request::post_json(
            self.url("v1/approverManagement/renewOneTimeCode")?,
            &json!({"approverName": name}),
            what,
        )?
        .with_role(Role::ApproverKeyManagement);
        let c: Code = parse(&self.send(r).await?, what)?;
        Ok(c.one_time_code.into())
    }

    /// Whether approver `name` has onboarded
    /// (`GET /v1/approverManagement/onboarding/status`, approver-key-management role).
    pub async fn approver_status(&self, name: &str) -> Result<ApproverStatus> {
        check_name(name)?;
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            approver_name: String,
            status: String,
            public_key: String,
        }
        let mut url = self.url("v1/approverManagement/onboarding/status")?;
        url.query_pairs_mut().append_pair("approverName", name);
        let what = "read approver status";
        let r = Request::get(url, what).with_role(Role::ApproverKeyManagement);
        let a: Answer = parse(&self.send(r).await?, what)?;
        Ok(ApproverStatus {
            name: a.approver_name,
            onboarded: a.status == "ONBOARDED",
            public_key_der: b64_decode(&a.public_key, "publicKey")?,
        })
    }

    /// Deletes approver `name` (`DELETE /v1/approverManagement/delete/{name}`,
    /// approver-key-management role); unknown is errorCode 413.
    pub async fn delete_approver(&self, name: &str) -> Result<()> {
        check_name(name)?;
        let mut url = self.url("v1/approverManagement/delete/")?;
        url.path_segments_mut()
            .map_err(|_| Error::internal("the base URL cannot have path segments"))?
            .pop_if_empty()
            .push(name);
        let what = "delete approver";
        let r = Request::json::<()>(http::Method::DELETE, url, None, what)?
            .with_role(Role::ApproverKeyManagement);
        self.send(r).await?;
        Ok(())
    }

    /// Onboards approver `name` with its one-time code (`POST /v1/approver/onboard`, approver
    /// role): its key and certificate, decrypted with `transport_password` (16 or 32 ASCII
    /// characters; it never leaves this process except inside the request).
    pub async fn onboard_approver(
        &self,
        name: &str,
        one_time_code: &SecretString,
        transport_password: &SecretString,
    ) -> Result<OnboardedApprover> {
        check_name(name)?;
        let tp = transport_password.expose_secret();
        if !matches!(tp.len(), 16 | 32) || !tp.is_ascii() {
            return Err(Error::invalid_argument(
                "the transport password must be 16 or 32 ASCII characters",
            ));
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            encrypted_payload: String,
            initialization_vector: String,
        }
        let what = "onboard approver";
        let body = json!({"approverName": name, "oneTimeCode": one_time_code.expose_secret(),
            "transportPassword": tp});
        let r = Request::post_json(self.url("v1/approver/onboard")?, &body, what)?
            .with_role(Role::Approver);
        let a: Answer = parse(&self.send(r).await?, what)?;
        let mut sealed = b64_decode(&a.encrypted_payload, "encryptedPayload")?;
        let iv = b64_decode(&a.initialization_vector, "initializationVector")?;
        let p12 = open_payload(tp.as_bytes(), &iv, &mut sealed)?;
        open_pkcs12(p12, tp)
    }
}

/// AES-GCM (128-bit tag) decryption of the onboarding payload with the transport password.
fn open_payload<'a>(key: &[u8], iv: &[u8], sealed: &'a mut [u8]) -> Result<&'a [u8]> {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};
    let alg = if key.len() == 16 {
        &AES_128_GCM
    } else {
        &AES_256_GCM
    };
    let bad = || {
        Error::protocol(
            "the onboarding payload does not decrypt with the transport password (altered, or \
             not AES-GCM under it)",
        )
    };
    let key = UnboundKey::new(alg, key).map_err(|_| bad())?;
    let nonce = Nonce::try_assume_unique_for_key(iv).map_err(|_| bad())?;
    LessSafeKey::new(key)
        .open_in_place(nonce, Aad::empty(), sealed)
        .map(|p| &*p)
        .map_err(|_| bad())
}

/// The key (PKCS#8 PEM) and certificate (PEM) of the onboarding PKCS#12.
fn open_pkcs12(p12: &[u8], password: &str) -> Result<OnboardedApprover> {
    use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
    let store = KeyStore::from_pkcs12(p12, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| {
        Error::protocol(format!(
            "the onboarding payload is not a readable PKCS#12 file ({e})"
        ))
    })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| Error::protocol("the onboarding PKCS#12 holds no key with a certificate"))?;
    let cert = chain
        .certs()
        .first()
        .ok_or_else(|| Error::protocol("the onboarding PKCS#12 holds no certificate"))?;
    Ok(OnboardedApprover {
        key_pem: pem("PRIVATE KEY", chain.key().as_der()).into(),
        certificate_pem: pem("CERTIFICATE", cert.as_der()),
    })
}
