//! Securosys Primus HSM REST API (Transaction Security Broker, CloudHSM): configuration,
//! role-based authentication, keys, signing with and without approvals, request polling, and
//! certificates (self-signed and CSRs) made with a key.
//!
//! Wire contract: `shared/api/securosys.md` (seed 003 for authentication). Every call carries
//! only the API key of the role that protects its endpoint (`X-API-KEY`), plus the JWT
//! (`Authorization: Bearer`) when one is configured, over mutual TLS when a client certificate is
//! configured.
//!
//! ```no_run
//! use signbridge::{Client, Config};
//! use signbridge::providers::securosys::{CreateKey, KeySpec, PayloadKind};
//!
//! # async fn run() -> signbridge::Result<()> {
//! let client = Client::new(Config::from_json(r#"{"securosys": {
//!     "base_url": "https://tsb.example.com",
//!     "api_keys": {"key_management": ["<km>"], "key_operation": ["<op>"]}}}"#)?)?;
//! let hsm = client.securosys()?;
//! let key = hsm.create_key(&CreateKey::new("doc-signer", KeySpec::P256)).await?;
//! let alg = KeySpec::P256.default_signature_algorithm();
//! let sig = hsm.synchronous_sign("doc-signer", b"hello", PayloadKind::Raw, &alg).await?;
//! assert!(hsm.verify("doc-signer", b"hello", PayloadKind::Raw, &alg, &sig).await?);
//! # let _ = key; Ok(()) }
//! ```
//!
//! # Endpoints, roles and forms
//!
//! Each operation is also in the operation table (`securosys.<name>` for C, Python, Node and
//! the CLI). Asynchronous forms return a request id; `wait_request` gives its result bytes,
//! `wait_request_done` waits for one without (block, unblock, unwrap, modify).
//!
//! | endpoint(s) | role | synchronous | with approvals (async) |
//! |---|---|---|---|
//! | `versionInfo`, `licenseInfo` | service | `version_info`, `license_info` | — |
//! | `keystore/statistics`, `hsm/log[/**]` | service | `keystore_statistics`, `hsm_log`, `hsm_log_page` (PROPOSAL path) | — |
//! | `key`, `key/**` | key management | `create_key`, `get_key`, `public_key`, `list_keys`, `delete_key` | — |
//! | `synchronousModify` / `modify` | key management | `synchronous_modify` | `modify` |
//! | `attestation/key/{label}` | key management | `key_attestation` (PROPOSAL path; signature checked) | — |
//! | `dataObject[/**]` | key management | `create_data_object`, `read_data_object`, `delete_data_object` (PROPOSAL bodies) | — |
//! | `synchronousSign` / `sign`, `verify` | key operation | `synchronous_sign`, `verify` | `sign` |
//! | `encrypt` | key operation | `encrypt` | — |
//! | `synchronousDecrypt` / `decrypt` | key operation | `synchronous_decrypt` | `decrypt` |
//! | `synchronousHmac`, `verify` (HMAC) | key operation | `synchronous_hmac`, `verify_hmac` | — |
//! | `generateRandom/{n}` | key operation | `generate_random` | — |
//! | `createRfcTimestamp` | key operation | `create_rfc_timestamp` (PROPOSAL body) | — |
//! | `synchronousBlock`/`block`, `synchronousUnblock`/`unblock` | key operation | `synchronous_block`, `synchronous_unblock` | `block`, `unblock` |
//! | `wrap`, `synchronousUnwrap` / `unwrap` | key operation | `wrap_key`, `synchronous_unwrap_key` | `unwrap_key` |
//! | `request/{id}`, `filteredRequests` | key operation | `request_status`, `cancel_request`, `filtered_requests` | `wait_request`, `wait_request_done` |
//! | `certificate/**` | key operation (configurable) | `self_signed_certificate`, `certificate_signing_request` | `request_…`, `wait_certificate…` |
//! | `filtered{Sign,Decrypt,ModifyKey,BlockKey,UnblockKey,UnwrapKey,All}ApprovalTask`, `approval`, `task` | approver | `list_approval_tasks`, `approval_tasks_page`, `all_approval_tasks`, `approve`, `reject` | — |
//! | `importedKey`, `derivedKey` | key management | `import_seed_key`, `derive_key` (SLIP-0010; PROPOSAL: the derived key is stored as `<master>/<path>`) | — |
//! | `fileEncrypt`, `synchronousFileDecrypt` | key operation | `file_encrypt`, `synchronous_file_decrypt` (PROPOSAL bodies) | — |
//! | `approver/onboard` | approver | `onboard_approver` | — |
//! | `approverManagement/**` | approver key management | `create_approver`, `renew_approver_one_time_code`, `approver_status`, `delete_approver` (PROPOSAL bodies beyond create) | — |
//!
//! The full table, generated from [`endpoints::ENDPOINTS`] and checked against the operation
//! table, is `docs/providers/securosys-endpoints.md`. Not yet: `approverManagement/restoreFromBackup`,
//! `signedApprovals` (pre-collected approvals on synchronous calls).
//!
//! `securosys.profile = "cloudhsm"` requires a JWT (seed 003: mandatory on CloudHSM).

pub(crate) mod api;
mod approval;
mod approvers;
mod attestation;
mod blocking;
mod blocking_keyops;
mod blocking_keys;
mod cert;
mod data;
pub mod endpoints;
pub(crate) mod errors;
mod file_crypt;
mod hd;
mod keyops;
mod manage;
mod model;
mod service;
mod timestamp;

pub use approval::{
    ApprovalTask, ApproverKey, ApproverSigner, TaskKind, TaskOrder, MAX_TASK_PAGES,
};
pub use approvers::{ApproverAlgorithm, ApproverStatus, NewApprover, OnboardedApprover};
pub use attestation::KeyAttestation;
pub use cert::{
    Certificate, CertificateRequest, Csr, CsrRequest, DistinguishedName, ExtendedKeyUsage,
    KeyUsage, DEFAULT_VALIDITY_DAYS,
};
pub use data::MAX_DATA_OBJECT;
pub use file_crypt::{DecryptedFile, MAX_FILE_ENCRYPT};
pub use hd::{check_derivation_path, ImportSeedKey};
pub use keyops::{
    CipherAlgorithm, CipherOptions, Encrypted, RequestSummary, UnwrapKey, WrapMethod,
    MAX_RANDOM_BYTES,
};
pub use model::{
    Approval, ApprovalType, CreateKey, Curve, KeyAlgorithm, KeyAttributes, KeyInfo, KeySpec,
    KeyStatus, LicenseInfo, PayloadKind, Policy, PolicyGroup, PolicyToken, RequestState,
    RequestStatus, Rule, SignOptions, SignatureAlgorithm, VersionInfo,
};
pub use service::MAX_LOG_PAGE;

/// A public key (SubjectPublicKeyInfo DER) as PEM, `-----BEGIN PUBLIC KEY-----`.
pub(crate) fn public_key_pem(der: &[u8]) -> String {
    api::pem("PUBLIC KEY", der)
}
pub use timestamp::TimestampHash;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{
    ClientCertConfig, ClientIdentity, Credentials, OAuth2Config, Role, RoleKeys, RoleKeysConfig,
    SecretSource, TokenSource,
};
use crate::error::{Error, Result};
use crate::transport::{Transport, TransportConfig};

/// Securosys settings (the `securosys` object of the one config schema).
///
/// ```json
/// {"securosys": {
///   "base_url": "https://sbx-rest-api.cloudshsm.com",
///   "api_keys": {"key_management": ["<k1>", "<k1-next>"], "key_operation": [{"file": "/run/op"}],
///                "approver": [], "service": ["<s>"], "approver_key_management": []},
///   "jwt": {"file": "/run/secrets/tsb-jwt"},
///   "client_cert": {"cert": {"file": "client.pem"}, "key": {"file": "client.key"}}
/// }}
/// ```
///
/// Instead of `jwt`, `"oauth2": {"client_id": "...", "client_secret": {"file": "..."},
/// "token_url": "https://idp.example.com/oauth2/token"}` fetches and refreshes the JWT.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurosysConfig {
    /// The TSB base URL, including its path prefix if it has one (`https://host/tsb`); the
    /// `/v1/...` paths are appended. A trailing `/v1` is tolerated and removed.
    pub base_url: String,
    /// Role-based API keys (`X-API-KEY`), a list per role; later keys of a role are rolled over
    /// to when the TSB says a key is invalid (401, errorCode 631). When the object is present,
    /// a call whose role has no key fails before sending; when it is absent, no API key is sent
    /// (JWT and/or mTLS only, e.g. CloudHSM, or a TSB with API-key authentication disabled).
    #[serde(default)]
    pub api_keys: Option<RoleKeysConfig>,
    /// A JWT issued by Securosys, sent as `Authorization: Bearer` on every call (value or file).
    /// Not together with `oauth2`.
    #[serde(default)]
    pub jwt: Option<SecretSource>,
    /// A JWT source instead of a static `jwt`: an OAuth2 client-credentials grant (the same
    /// object as `zignsec.oauth2`; `token_url` or `discovery_url` is required). Its tokens are
    /// cached, refreshed before they expire (one token request however many calls wait), and a
    /// 401 from the TSB replaces the token and repeats the call once.
    #[serde(default)]
    pub oauth2: Option<OAuth2Config>,
    /// Mutual TLS: the client certificate and key the TSB trusts.
    #[serde(default)]
    pub client_cert: Option<ClientCertConfig>,
    /// The role whose API key the certificate endpoints (`/v1/certificate/**`) get:
    /// `key_operation` (default: seed 003 lists `/v1/certificate/**` first under Key Operation
    /// Endpoints) or `key_management` (the newer Securosys documentation's table, for TSBs
    /// configured that way).
    #[serde(default)]
    pub certificate_role: Option<Role>,
    /// The kind of installation: `on_premise` (default: JWT optional) or `cloudhsm`
    /// (Securosys CloudHSM / TSBaaS: seed 003 makes the JWT mandatory, so a client without
    /// `jwt` or `oauth2` refuses to start, and the base URL must be https unless it is a
    /// loopback address such as a local simulator).
    #[serde(default)]
    pub profile: SecurosysProfile,
}

/// The kind of Securosys installation a configuration is for (`securosys.profile`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SecurosysProfile {
    /// An on-premise TSB: JWT, mTLS and API keys as configured (JWT optional).
    #[default]
    #[serde(alias = "on-premise", alias = "onpremise")]
    OnPremise,
    /// Securosys CloudHSM (TSBaaS, e.g. `https://rest-api.cloudshsm.com`): a JWT is mandatory
    /// (seed 003), API keys and mTLS come on top.
    #[serde(rename = "cloudhsm", alias = "cloud_hsm", alias = "cloud-hsm")]
    CloudHsm,
}

impl SecurosysProfile {
    /// The CloudHSM production and sandbox base URLs (contract §1).
    pub const CLOUDHSM_URLS: [&'static str; 2] = [
        "https://rest-api.cloudshsm.com",
        "https://sbx-rest-api.cloudshsm.com",
    ];

    /// Checks `cfg` against the profile: CloudHSM needs a JWT (`jwt` or `oauth2`) and an
    /// https base URL (a loopback URL is allowed for local simulators).
    fn check(self, cfg: &SecurosysConfig, base: &Url) -> Result<()> {
        if self != SecurosysProfile::CloudHsm {
            return Ok(());
        }
        if cfg.jwt.is_none() && cfg.oauth2.is_none() {
            return Err(Error::invalid_config(
                "securosys.profile is \"cloudhsm\", and CloudHSM requires a JWT on every call \
                 (Securosys documents JWT authentication as mandatory on CloudHSM): set \
                 securosys.jwt to the token from your CloudHSM credentials file (JWT-TOKEN), as \
                 a value or {\"file\": \"...\"}, or securosys.oauth2 to fetch tokens",
            ));
        }
        if base.scheme() != "https" && !crate::transport::is_loopback(base) {
            return Err(Error::invalid_config(format!(
                "securosys.profile is \"cloudhsm\" but securosys.base_url is {}: CloudHSM is \
                 reached over https (e.g. {})",
                base.scheme(),
                Self::CLOUDHSM_URLS[0]
            )));
        }
        Ok(())
    }
}

impl SecurosysConfig {
    /// The effective base URL (always ending with `/`, without a trailing `/v1`).
    pub fn base(&self) -> Result<Url> {
        let raw = self.base_url.trim();
        let mut url = Url::parse(raw).map_err(|e| {
            Error::invalid_config(format!(
                "securosys.base_url is not a URL ({e}); give an absolute URL such as \
                 https://sbx-rest-api.cloudshsm.com"
            ))
        })?;
        if url.cannot_be_a_base() {
            return Err(Error::invalid_config(
                "securosys.base_url is not an absolute https:// URL; give e.g. \
                 https://sbx-rest-api.cloudshsm.com",
            ));
        }
        let mut path = url.path().trim_end_matches('/').to_string();
        if path.ends_with("/v1") {
            path.truncate(path.len() - 3);
        }
        path.push('/');
        url.set_path(&path);
        Ok(url)
    }
}

/// The Securosys part of a [`crate::Client`]. Cheap to clone; every operation is a method.
#[derive(Clone, Debug)]
pub struct SecurosysClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    /// The role of `/v1/certificate/**`.
    certificate_role: Role,
}

impl SecurosysClient {
    pub(crate) fn new(
        cfg: &SecurosysConfig,
        transport: &TransportConfig,
    ) -> Result<SecurosysClient> {
        let base = cfg.base()?;
        cfg.profile.check(cfg, &base)?;
        let identity = cfg
            .client_cert
            .as_ref()
            .map(|c| ClientIdentity::load(c, "securosys.client_cert"))
            .transpose()?;
        let roles = cfg
            .api_keys
            .as_ref()
            .map(|k| RoleKeys::load(k, "securosys.api_keys"))
            .transpose()?;
        if cfg.jwt.is_some() && cfg.oauth2.is_some() {
            return Err(Error::invalid_config(
                "securosys.jwt and securosys.oauth2 are both set; keep one: jwt for a token \
                 Securosys issued, oauth2 to fetch tokens from a token endpoint",
            ));
        }
        let jwt = cfg
            .jwt
            .as_ref()
            .map(|j| j.resolve("securosys.jwt"))
            .transpose()?;
        let certificate_role = cfg.certificate_role.unwrap_or(Role::KeyOperation);
        if !matches!(certificate_role, Role::KeyManagement | Role::KeyOperation) {
            return Err(Error::invalid_config(format!(
                "securosys.certificate_role {:?} is not a role the certificate endpoints use; \
                 use \"key_management\" (default) or \"key_operation\"",
                certificate_role.config_name()
            )));
        }
        let mut creds = Credentials::role_based(roles, jwt)?;
        if let Some(o) = &cfg.oauth2 {
            let grant = o.grant("securosys.oauth2", None)?;
            creds = creds.with_bearer(TokenSource::new(grant, transport, identity.as_ref())?);
        }
        let transport = Transport::new(base, Some(Arc::new(creds)), transport, identity.as_ref())?
            .with_error_mapper(errors::map_error);
        Ok(SecurosysClient {
            inner: Arc::new(Inner {
                transport,
                certificate_role,
            }),
        })
    }

    /// The TSB base URL in use.
    pub fn base_url(&self) -> &str {
        self.inner.transport.base().as_str()
    }
}

#[cfg(test)]
mod tests;
