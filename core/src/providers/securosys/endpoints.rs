//! Every endpoint of seed 003's role tables, with its role and the operations that call it.
//! `core/tests/securosys_endpoints.rs` renders
//! `docs/providers/securosys-endpoints.md` from [`ENDPOINTS`] and checks it against the
//! operation table: every name here is an operation, and every `securosys.*` operation is here.

use crate::auth::Role;

/// One endpoint (or endpoint family) of the seed's role tables.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// The path pattern exactly as seed 003 lists it (`/v1/key/**`).
    pub pattern: &'static str,
    /// What the client sends there (methods and concrete paths).
    pub calls: &'static str,
    /// The role whose API key the client sends (and the simulator requires).
    pub role: Role,
    /// Operations that run it synchronously (`securosys.<name>`).
    pub synchronous: &'static [&'static str],
    /// Operations of its asynchronous form: a request id approvers decide on, waited for with
    /// `wait_request` / `wait_request_done` / `wait_certificate…`.
    pub with_approvals: &'static [&'static str],
    /// Remarks: PROPOSAL wire shapes, what is not built.
    pub note: &'static str,
}

const KM: Role = Role::KeyManagement;
const KO: Role = Role::KeyOperation;
const AP: Role = Role::Approver;
const SV: Role = Role::Service;
const AKM: Role = Role::ApproverKeyManagement;

/// The endpoints, in the seed's order (role by role).
#[rustfmt::skip]
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint { pattern: "/v1/key", calls: "POST, GET /v1/key", role: KM,
        synchronous: &["create_key", "list_keys"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/key/**", calls: "POST /v1/key/attributes, DELETE /v1/key/{label}", role: KM,
        synchronous: &["get_key", "public_key", "delete_key"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/key/**/attributes", calls: "GET /v1/key/{label}/attributes", role: KM,
        synchronous: &["get_key"], with_approvals: &[],
        note: "the client reads attributes with POST /v1/key/attributes; the simulator serves both" },
    Endpoint { pattern: "/v1/importedKey", calls: "POST /v1/importedKey", role: KM,
        synchronous: &["import_seed_key"], with_approvals: &[],
        note: "a SLIP-0010 master key from a seed (P-256, Ed25519 in the simulator)" },
    Endpoint { pattern: "/v1/derivedKey", calls: "POST /v1/derivedKey", role: KM,
        synchronous: &["derive_key"], with_approvals: &[],
        note: "PROPOSAL: the derived key is stored as `<master>/<path>`" },
    Endpoint { pattern: "/v1/dataObject", calls: "POST /v1/dataObject", role: KM,
        synchronous: &["create_data_object"], with_approvals: &[], note: "PROPOSAL body" },
    Endpoint { pattern: "/v1/dataObject/**", calls: "GET, DELETE /v1/dataObject/{label}", role: KM,
        synchronous: &["read_data_object", "delete_data_object"], with_approvals: &[],
        note: "PROPOSAL body" },
    Endpoint { pattern: "/v1/attestation/**", calls: "GET /v1/attestation/key/{label}", role: KM,
        synchronous: &["key_attestation"], with_approvals: &[], note: "PROPOSAL path; signature checked" },
    Endpoint { pattern: "/v1/modify", calls: "POST /v1/modify", role: KM,
        synchronous: &[], with_approvals: &["modify"], note: "" },
    Endpoint { pattern: "/v1/synchronousModify", calls: "POST /v1/synchronousModify", role: KM,
        synchronous: &["synchronous_modify"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/certificate/**", calls: "POST /v1/certificate/{synchronous/,}{selfsign,request}", role: KO,
        synchronous: &["self_signed_certificate", "certificate_signing_request"],
        with_approvals: &["request_self_signed_certificate", "request_certificate_signing_request",
            "wait_certificate", "wait_certificate_signing_request"],
        note: "role per seed 003 (newer docs: key management; configurable)" },
    Endpoint { pattern: "/v1/synchronousUnwrap", calls: "POST /v1/synchronousUnwrap", role: KO,
        synchronous: &["synchronous_unwrap_key"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/synchronousUnblock", calls: "POST /v1/synchronousUnblock", role: KO,
        synchronous: &["synchronous_unblock"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/synchronousSign", calls: "POST /v1/synchronousSign", role: KO,
        synchronous: &["synchronous_sign"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/synchronousFileDecrypt", calls: "POST /v1/synchronousFileDecrypt", role: KO,
        synchronous: &["synchronous_file_decrypt"], with_approvals: &[], note: "PROPOSAL body and file format" },
    Endpoint { pattern: "/v1/synchronousDecrypt", calls: "POST /v1/synchronousDecrypt", role: KO,
        synchronous: &["synchronous_decrypt"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/synchronousBlock", calls: "POST /v1/synchronousBlock", role: KO,
        synchronous: &["synchronous_block"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/synchronousHmac", calls: "POST /v1/synchronousHmac", role: KO,
        synchronous: &["synchronous_hmac"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/fileEncrypt", calls: "POST /v1/fileEncrypt", role: KO,
        synchronous: &["file_encrypt"], with_approvals: &[], note: "PROPOSAL body and file format" },
    Endpoint { pattern: "/v1/wrap", calls: "POST /v1/wrap", role: KO,
        synchronous: &["wrap_key"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/verify", calls: "POST /v1/verify", role: KO,
        synchronous: &["verify", "verify_hmac"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/encrypt", calls: "POST /v1/encrypt", role: KO,
        synchronous: &["encrypt"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/createRfcTimestamp", calls: "POST /v1/createRfcTimestamp", role: KO,
        synchronous: &["create_rfc_timestamp"], with_approvals: &[], note: "PROPOSAL body" },
    Endpoint { pattern: "/v1/generateRandom/**", calls: "GET /v1/generateRandom/{length}", role: KO,
        synchronous: &["generate_random"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/unwrap", calls: "POST /v1/unwrap", role: KO,
        synchronous: &[], with_approvals: &["unwrap_key"], note: "" },
    Endpoint { pattern: "/v1/unblock", calls: "POST /v1/unblock", role: KO,
        synchronous: &[], with_approvals: &["unblock"], note: "" },
    Endpoint { pattern: "/v1/sign", calls: "POST /v1/sign", role: KO,
        synchronous: &[], with_approvals: &["sign"], note: "" },
    Endpoint { pattern: "/v1/decrypt", calls: "POST /v1/decrypt", role: KO,
        synchronous: &[], with_approvals: &["decrypt"], note: "" },
    Endpoint { pattern: "/v1/block", calls: "POST /v1/block", role: KO,
        synchronous: &[], with_approvals: &["block"], note: "" },
    Endpoint { pattern: "/v1/request/**", calls: "GET, DELETE /v1/request/{id}", role: KO,
        synchronous: &["request_status", "cancel_request"],
        with_approvals: &["wait_request", "wait_request_done"], note: "" },
    Endpoint { pattern: "/v1/filteredRequests", calls: "POST /v1/filteredRequests", role: KO,
        synchronous: &["filtered_requests"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/filtered**ApprovalTask",
        calls: "POST /v1/filtered{Sign,Decrypt,ModifyKey,BlockKey,UnblockKey,UnwrapKey,All}ApprovalTask",
        role: AP, synchronous: &["list_approval_tasks", "approval_tasks_page", "all_approval_tasks"],
        with_approvals: &[], note: "every kind, paged; the JWT is not sent (the TSB ignores it)" },
    Endpoint { pattern: "/v1/approval", calls: "POST /v1/approval", role: AP,
        synchronous: &["approve"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/task", calls: "DELETE /v1/task", role: AP,
        synchronous: &["reject"], with_approvals: &[], note: "method is a PROPOSAL" },
    Endpoint { pattern: "/v1/approver/onboard", calls: "POST /v1/approver/onboard", role: AP,
        synchronous: &["onboard_approver"], with_approvals: &[],
        note: "PROPOSAL: AES key and PKCS#12 password = the transport password" },
    Endpoint { pattern: "/v1/versionInfo", calls: "GET /v1/versionInfo", role: SV,
        synchronous: &["version_info"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/licenseInfo", calls: "GET /v1/licenseInfo", role: SV,
        synchronous: &["license_info"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/keystore/statistics", calls: "GET /v1/keystore/statistics", role: SV,
        synchronous: &["keystore_statistics"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/hsm/log", calls: "GET /v1/hsm/log", role: SV,
        synchronous: &["hsm_log"], with_approvals: &[], note: "" },
    Endpoint { pattern: "/v1/hsm/log/**", calls: "GET /v1/hsm/log/{page}/{size}", role: SV,
        synchronous: &["hsm_log"], with_approvals: &[], note: "PROPOSAL path (page_number, page_size)" },
    Endpoint { pattern: "/v1/approverManagement/**",
        calls: "POST create, POST renewOneTimeCode, GET onboarding/status, DELETE delete/{name}", role: AKM,
        synchronous: &["create_approver", "renew_approver_one_time_code", "approver_status", "delete_approver"],
        with_approvals: &[],
        note: "PROPOSAL bodies of renew, status and delete; restoreFromBackup not built" },
];
