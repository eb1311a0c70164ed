//! The Securosys Primus HSM REST API (TSB / CloudHSM): keys, synchronous and asynchronous
//! (approval-based) signing, verification, request polling, and approvers.
//!
//! Each function converts its arguments, calls the matching method of the core's
//! `sbcore::blocking::Securosys` (or `ApproverKey`, `Policy`) and converts the result: nothing
//! else. Roles, keys, JWT and mutual TLS come from the client's configuration (its `securosys`
//! section).
//!
//! Certificates: a self-signed X.509 certificate or a PKCS#10 request for an HSM key, synchronous
//! or with approvals.
//!
//! Handles: `sb_key_info` (a key's description), `sb_request_status` (an asynchronous request),
//! `sb_approver_key` (an approver's private key) and `sb_approval_tasks` (an approver's pending
//! tasks), each with accessors and a `_free`.

use std::ffi::{c_char, c_void, CString};
use std::sync::{Arc, LazyLock};

use sbcore::blocking::Securosys;
use sbcore::providers::securosys::{
    ApprovalTask, ApproverKey, CertificateRequest, CreateKey, CsrRequest, KeyInfo, KeySpec,
    PayloadKind, Policy, RequestStatus, SignOptions, SignatureAlgorithm, TaskKind,
};
use sbcore::runtime::block_on;
use sbcore::Error;

use crate::args::{json_arg, opt_str_arg, out_arg, path_arg, put, slice_arg, str_arg};
use crate::boundary::FfiResult;
use crate::cancel::sb_cancel_token;
use crate::client::{client_of, sb_client};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::{cstring_lossy, give_string, sb_bytes, sb_strings};
use crate::wait::{sb_progress_fn, wait_options};

// ---- enumerations ---------------------------------------------------------------------------

/// A key type for `sb_securosys_create_key`: one of the `SB_KEY_*` values.
pub type sb_key_spec = u32;
/// RSA, 2048 bits.
pub const SB_KEY_RSA_2048: sb_key_spec = 1;
/// RSA, 3072 bits.
pub const SB_KEY_RSA_3072: sb_key_spec = 2;
/// RSA, 4096 bits.
pub const SB_KEY_RSA_4096: sb_key_spec = 3;
/// EC, NIST P-256 (ECDSA).
pub const SB_KEY_P256: sb_key_spec = 4;
/// EC, NIST P-384 (ECDSA).
pub const SB_KEY_P384: sb_key_spec = 5;
/// Ed25519 (EdDSA).
pub const SB_KEY_ED25519: sb_key_spec = 6;

/// What a payload to sign or verify is: one of the `SB_PAYLOAD_*` values.
pub type sb_payload_kind = u32;
/// The data itself; the signature algorithm hashes it.
pub const SB_PAYLOAD_RAW: sb_payload_kind = 0;
/// A digest you computed (e.g. SHA-256 of a document): a hashing algorithm such as
/// `SHA256_WITH_ECDSA` is sent as its pre-hashed counterpart (`NONE_WITH_ECDSA`), and the
/// digest's length is checked against it first.
pub const SB_PAYLOAD_DIGEST: sb_payload_kind = 1;

/// Which approval tasks to list: one of the `SB_TASKS_*` values.
pub type sb_task_kind = u32;
/// Sign requests.
pub const SB_TASKS_SIGN: sb_task_kind = 0;
/// Decrypt requests.
pub const SB_TASKS_DECRYPT: sb_task_kind = 1;
/// Policy modifications.
pub const SB_TASKS_MODIFY_KEY: sb_task_kind = 2;
/// Block requests.
pub const SB_TASKS_BLOCK_KEY: sb_task_kind = 3;
/// Unblock requests.
pub const SB_TASKS_UNBLOCK_KEY: sb_task_kind = 4;
/// Unwrap requests.
pub const SB_TASKS_UNWRAP_KEY: sb_task_kind = 5;
/// Every kind (TSB 2.0.1 and later).
pub const SB_TASKS_ALL: sb_task_kind = 6;

const KEY_SPECS: [(sb_key_spec, KeySpec); 6] = [
    (SB_KEY_RSA_2048, KeySpec::Rsa2048),
    (SB_KEY_RSA_3072, KeySpec::Rsa3072),
    (SB_KEY_RSA_4096, KeySpec::Rsa4096),
    (SB_KEY_P256, KeySpec::P256),
    (SB_KEY_P384, KeySpec::P384),
    (SB_KEY_ED25519, KeySpec::Ed25519),
];

fn key_spec_arg(spec: sb_key_spec) -> FfiResult<KeySpec> {
    KEY_SPECS
        .iter()
        .find(|(n, _)| *n == spec)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            Error::invalid_argument(format!(
                "key spec {spec} is unknown; use one of SB_KEY_RSA_2048, SB_KEY_RSA_3072, \
                 SB_KEY_RSA_4096, SB_KEY_P256, SB_KEY_P384, SB_KEY_ED25519"
            ))
        })
}

fn payload_kind_arg(kind: sb_payload_kind) -> FfiResult<PayloadKind> {
    match kind {
        SB_PAYLOAD_RAW => Ok(PayloadKind::Raw),
        SB_PAYLOAD_DIGEST => Ok(PayloadKind::Digest),
        _ => Err(Error::invalid_argument(format!(
            "payload kind {kind} is unknown; use SB_PAYLOAD_RAW or SB_PAYLOAD_DIGEST"
        ))),
    }
}

fn task_kind_arg(kind: sb_task_kind) -> FfiResult<TaskKind> {
    Ok(match kind {
        SB_TASKS_SIGN => TaskKind::Sign,
        SB_TASKS_DECRYPT => TaskKind::Decrypt,
        SB_TASKS_MODIFY_KEY => TaskKind::ModifyKey,
        SB_TASKS_BLOCK_KEY => TaskKind::BlockKey,
        SB_TASKS_UNBLOCK_KEY => TaskKind::UnblockKey,
        SB_TASKS_UNWRAP_KEY => TaskKind::UnwrapKey,
        SB_TASKS_ALL => TaskKind::All,
        _ => {
            return Err(Error::invalid_argument(format!(
                "task kind {kind} is unknown; use one of the SB_TASKS_* values"
            )))
        }
    })
}

/// A signature algorithm name (`SHA256_WITH_ECDSA`, ...), as the TSB spells it.
///
/// # Safety
///
/// As [`str_arg`].
unsafe fn algorithm_arg(p: *const c_char) -> FfiResult<SignatureAlgorithm> {
    // SAFETY: caller contract.
    Ok(SignatureAlgorithm::parse(unsafe {
        str_arg(p, "algorithm")
    }?))
}

/// NUL-terminated copies of each key type's default algorithm, built once.
static DEFAULT_ALGORITHMS: LazyLock<Vec<(sb_key_spec, CString)>> = LazyLock::new(|| {
    KEY_SPECS
        .iter()
        .map(|(n, s)| (*n, cstring_lossy(s.default_signature_algorithm().as_str())))
        .collect()
});

/// The usual signature algorithm for keys of type `spec`: `"SHA256_WITH_RSA"` for RSA,
/// `"SHA256_WITH_ECDSA"` for P-256, `"SHA384_WITH_ECDSA"` for P-384, `"EDDSA"` for Ed25519.
/// NULL for an unknown `spec`. A static string (do not free).
///
/// Any other name of the TSB's list is accepted where an algorithm is asked for, e.g.
/// `"SHA512_WITH_RSA_PSS"`, `"SHA256_WITH_ECDSA_DETERMINISTIC"`, `"NONE_WITH_ECDSA"`.
#[no_mangle]
pub extern "C" fn sb_securosys_default_algorithm(spec: sb_key_spec) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        DEFAULT_ALGORITHMS
            .iter()
            .find(|(n, _)| *n == spec)
            .map_or(std::ptr::null(), |(_, s)| s.as_ptr())
    })
}

fn hsm_of(client: *const sb_client) -> FfiResult<Securosys> {
    client_of(client)?.securosys()
}

fn render<T: serde::Serialize>(v: &T, what: &str) -> FfiResult<String> {
    serde_json::to_string(v)
        .map_err(|e| Error::internal(format!("cannot render the {what} as JSON: {e}")))
}

// ---- sb_key_info ----------------------------------------------------------------------------

/// A key as the HSM describes it (opaque), returned by `sb_securosys_create_key` and
/// `sb_securosys_get_key`. Read it with the `sb_key_info_*` accessors; free it with
/// `sb_key_info_free`.
///
/// Immutable, so thread-safe. Strings returned by its accessors are owned by it and valid until
/// `sb_key_info_free`.
pub struct sb_key_info {
    info: Arc<KeyInfo>,
    label: CString,
    algorithm: Option<CString>,
    curve_oid: Option<CString>,
    json: CString,
}

impl sb_key_info {
    fn give(info: KeyInfo) -> FfiResult<*mut sb_key_info> {
        let json = cstring_lossy(&render(&info, "key")?);
        let b = Box::new(sb_key_info {
            label: cstring_lossy(&info.label),
            algorithm: info.algorithm.as_ref().map(|a| cstring_lossy(a.as_str())),
            curve_oid: info.curve_oid.as_deref().map(cstring_lossy),
            json,
            info: Arc::new(info),
        });
        Ok(handles::register(Box::into_raw(b), Kind::KeyInfo, 0))
    }
}

fn read_key<R>(p: *const sb_key_info, default: R, f: impl FnOnce(&sb_key_info) -> R) -> R {
    handles::with_live(p, Kind::KeyInfo, f).unwrap_or(default)
}

/// The key's label. NULL when `key` is NULL, freed or not an `sb_key_info` (as for every
/// accessor below).
#[no_mangle]
pub extern "C" fn sb_key_info_label(key: *const sb_key_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_key(key, std::ptr::null(), |k| k.label.as_ptr())
    })
}

/// The key's algorithm as the HSM names it: `"RSA"`, `"EC"`, `"ED"`, ...; NULL when not reported.
#[no_mangle]
pub extern "C" fn sb_key_info_algorithm(key: *const sb_key_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_key(key, std::ptr::null(), |k| {
            k.algorithm
                .as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// The key's size in bits (e.g. 2048, 256 for P-256); 0 when not reported or `key` is invalid.
#[no_mangle]
pub extern "C" fn sb_key_info_key_size(key: *const sb_key_info) -> u32 {
    ffi_guard!(0, { read_key(key, 0, |k| k.info.key_size.unwrap_or(0)) })
}

/// The curve OID of an EC or ED key (`"1.2.840.10045.3.1.7"` for P-256); NULL for others.
#[no_mangle]
pub extern "C" fn sb_key_info_curve_oid(key: *const sb_key_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_key(key, std::ptr::null(), |k| {
            k.curve_oid
                .as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// Whether the key has an approval policy (then it signs with `sb_securosys_sign` only). False
/// for an invalid handle.
#[no_mangle]
pub extern "C" fn sb_key_info_has_policy(key: *const sb_key_info) -> bool {
    ffi_guard!(false, {
        read_key(key, false, |k| {
            k.info.policy.as_ref().is_some_and(|p| p.rule_use.is_some())
        })
    })
}

/// The whole description as JSON (the core's schema: `label`, `id`, `algorithm`,
/// `algorithm_oid`, `curve_oid`, `key_size`, `create_time`, `public_key` (base64 DER), `attributes`,
/// `policy`).
#[no_mangle]
pub extern "C" fn sb_key_info_json(key: *const sb_key_info) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_key(key, std::ptr::null(), |k| k.json.as_ptr())
    })
}

/// The key's public key as PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo), e.g. for
/// `openssl dgst -verify`. Stores it in `*out_pem` (free with `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, NULL `out_pem`), `SB_ERR_INVALID_STATE` (the
/// key has no public key, e.g. a secret key), `SB_ERR_PROTOCOL` (the HSM's value is not base64).
///
/// # Safety
///
/// Out pointers must be NULL or writable; `key` is checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_key_info_public_key_pem(
    key: *const sb_key_info,
    out_pem: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_pem, "out_pem")?;
        // SAFETY: caller contract.
        unsafe { put(out_pem, std::ptr::null_mut()) };
        let info = handles::with_live(key, Kind::KeyInfo, |k| k.info.clone())
            .ok_or_else(|| Error::invalid_argument("key is NULL, freed, or not an sb_key_info"))?;
        let pem = info.public_key_pem()?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_pem, give_string(&pem)) };
        Ok(())
    })
}

/// Free a key description. NULL and pointers that are not live `sb_key_info` are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_key_info_free(key: *mut sb_key_info) {
    ffi_guard!((), {
        if handles::release(key, Kind::KeyInfo).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(key) });
        }
    })
}

// ---- service information --------------------------------------------------------------------

/// The TSB's version (`GET /v1/versionInfo`, service role). Stores the version (e.g. `"2.5.1"`)
/// in `*out_version` and, when `out_vendor` is not NULL, the vendor in `*out_vendor` (NULL when
/// not reported); free both with `sb_string_free`.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT`, `SB_ERR_AUTH_CONFIG_MISSING` (no `securosys` section or no
/// `service` key: nothing is sent), the auth, transport and provider codes.
///
/// # Safety
///
/// Out pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_version_info(
    client: *const sb_client,
    out_version: *mut *mut c_char,
    out_vendor: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_version, "out_version")?;
        // SAFETY: caller contract.
        unsafe {
            put(out_version, std::ptr::null_mut());
            put(out_vendor, std::ptr::null_mut());
        }
        let v = hsm_of(client)?.version_info()?;
        // SAFETY: checked non-NULL above; `out_vendor` is NULL or writable.
        unsafe {
            put(out_version, give_string(&v.version));
            if !out_vendor.is_null() {
                put(
                    out_vendor,
                    v.vendor
                        .as_deref()
                        .map_or(std::ptr::null_mut(), give_string),
                );
            }
        }
        Ok(())
    })
}

/// The TSB's licensed features (`GET /v1/licenseInfo`, service role), e.g. `KEY_AUTH`,
/// `REST_API`. Stores them in `*out_flags` (free with `sb_strings_free`).
///
/// # Safety
///
/// Out pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_license_info(
    client: *const sb_client,
    out_flags: *mut sb_strings,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_flags, "out_flags")?;
        // SAFETY: caller contract.
        unsafe { put(out_flags, sb_strings::EMPTY) };
        let l = hsm_of(client)?.license_info()?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_flags, sb_strings::give(&l.client_flags)) };
        Ok(())
    })
}

// ---- keys -----------------------------------------------------------------------------------

/// An approval policy for `sb_securosys_create_key`: `quorum` approvals needed among
/// `n_approvers` approvers (`names[i]` and `public_keys_b64[i]`, the base64 DER public key that
/// `sb_approver_key_public_key_b64` gives), valid for `timeout_s` seconds after each request
/// (0: no timeout; a multiple of 60). Stores the policy as JSON in `*out_policy_json` (free with
/// `sb_string_free`); nothing is sent. The quorum is checked when the key is created.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL arrays with `n_approvers` > 0, a NULL or non-UTF-8
/// name or key, NULL `out_policy_json`).
///
/// # Safety
///
/// `names` and `public_keys_b64` must be NULL or point to `n_approvers` string pointers; out
/// pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_quorum_policy(
    quorum: u32,
    names: *const *const c_char,
    public_keys_b64: *const *const c_char,
    n_approvers: usize,
    timeout_s: u32,
    out_policy_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_policy_json, "out_policy_json")?;
        // SAFETY: caller contract.
        unsafe { put(out_policy_json, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let (names, keys) = unsafe {
            (
                slice_arg(names, n_approvers, "names")?,
                slice_arg(public_keys_b64, n_approvers, "public_keys_b64")?,
            )
        };
        let mut approvers = Vec::with_capacity(n_approvers);
        for (i, (&n, &k)) in names.iter().zip(keys).enumerate() {
            // SAFETY: caller contract.
            let (n, k) = unsafe {
                (
                    str_arg(n, &format!("names[{i}]"))?,
                    str_arg(k, &format!("public_keys_b64[{i}]"))?,
                )
            };
            approvers.push((n.to_string(), k.to_string()));
        }
        let json = render(&Policy::quorum(quorum, &approvers, timeout_s), "policy")?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_policy_json, give_string(&json)) };
        Ok(())
    })
}

fn give_key(out_key: *mut *mut sb_key_info, info: KeyInfo) -> FfiResult {
    let k = sb_key_info::give(info)?;
    // SAFETY: every caller checked `out_key` non-NULL.
    unsafe { put(out_key, k) };
    Ok(())
}

/// Create a signing key `label` of type `spec` (`POST /v1/key`, key-management role) with the
/// default attributes of a signing key (sign and verify only, sensitive, not extractable,
/// destroyable). `policy_json` is NULL (a plain key, signing with `sb_securosys_synchronous_sign`)
/// or an approval policy (from `sb_securosys_quorum_policy`, or the TSB's own JSON: `ruleUse`,
/// `ruleBlock`, `ruleUnblock`, `ruleModify`, `keyStatus`; then the key signs with
/// `sb_securosys_sign` and approvals). Stores the new key in `*out_key` (free with
/// `sb_key_info_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, label, spec, malformed policy, a quorum above
/// the number of approvers, times not multiples of 60), `SB_ERR_AUTH_CONFIG_MISSING` (no
/// `key_management` key: nothing is sent), `SB_ERR_PROVIDER` (e.g. the label exists), the auth and
/// transport codes; `SB_ERR_OUTCOME_UNKNOWN` when the TSB accepted it but its answer was
/// unreadable (look the key up instead of creating it again).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_create_key(
    client: *const sb_client,
    label: *const c_char,
    spec: sb_key_spec,
    policy_json: *const c_char,
    out_key: *mut *mut sb_key_info,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_key, "out_key")?;
        // SAFETY: caller contract.
        unsafe { put(out_key, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let label = unsafe { str_arg(label, "label") }?;
        let spec = key_spec_arg(spec)?;
        let mut req = CreateKey::new(label, spec);
        // SAFETY: caller contract.
        if let Some(text) = unsafe { opt_str_arg(policy_json, "policy_json") }? {
            let policy: Policy = serde_json::from_str(text)
                .map_err(|e| Error::invalid_argument(format!("policy_json is not valid: {e}")))?;
            req = req.with_policy(policy);
        }
        give_key(out_key, hsm.create_key(&req)?)
    })
}

/// Create a key from a complete JSON request (the core's `CreateKey`): `{"label": "...",
/// "algorithm": "RSA"|"EC"|"ED", "key_size": 2048, "curve_oid": "1.2.840.10045.3.1.7",
/// "attributes": {"sign": true, "decrypt": false, "unwrap": false, ...}, "policy": {...}}`
/// (`attributes` defaults to a signing key's). Otherwise as `sb_securosys_create_key`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_create_key_json(
    client: *const sb_client,
    request_json: *const c_char,
    out_key: *mut *mut sb_key_info,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_key, "out_key")?;
        // SAFETY: caller contract.
        unsafe { put(out_key, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let text = unsafe { str_arg(request_json, "request_json") }?;
        let req: CreateKey = serde_json::from_str(text)
            .map_err(|e| Error::invalid_argument(format!("request_json is not valid: {e}")))?;
        give_key(out_key, hsm.create_key(&req)?)
    })
}

/// A key's description and public key (`POST /v1/key/attributes`, key-management role). Stores
/// it in `*out_key` (free with `sb_key_info_free`).
///
/// Errors: `SB_ERR_NOT_FOUND` (no key with this label), `SB_ERR_INVALID_ARGUMENT`,
/// `SB_ERR_AUTH_CONFIG_MISSING`, the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_get_key(
    client: *const sb_client,
    label: *const c_char,
    out_key: *mut *mut sb_key_info,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_key, "out_key")?;
        // SAFETY: caller contract.
        unsafe { put(out_key, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let label = unsafe { str_arg(label, "label") }?;
        give_key(out_key, hsm.get_key(label)?)
    })
}

/// A key's public key, DER SubjectPublicKeyInfo, in `*out_der` (free with `sb_bytes_free`).
/// `sb_key_info_public_key_pem` gives the PEM form. Errors as `sb_securosys_get_key`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_public_key(
    client: *const sb_client,
    label: *const c_char,
    out_der: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_der, "out_der")?;
        // SAFETY: caller contract.
        unsafe { put(out_der, sb_bytes::EMPTY) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let label = unsafe { str_arg(label, "label") }?;
        let der = hsm.public_key(label)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_der, sb_bytes::give(der)) };
        Ok(())
    })
}

/// The labels of all keys (`GET /v1/key`, key-management role) in `*out_labels` (free with
/// `sb_strings_free`).
///
/// # Safety
///
/// Out pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_list_keys(
    client: *const sb_client,
    out_labels: *mut sb_strings,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_labels, "out_labels")?;
        // SAFETY: caller contract.
        unsafe { put(out_labels, sb_strings::EMPTY) };
        let labels = hsm_of(client)?.list_keys()?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_labels, sb_strings::give(&labels)) };
        Ok(())
    })
}

/// Delete key `label` (`DELETE /v1/key/{label}`, key-management role). Its pending requests
/// become CANCELLED. Signing with it afterwards fails with `SB_ERR_NOT_FOUND`.
///
/// Errors: `SB_ERR_NOT_FOUND`, `SB_ERR_PROVIDER` (e.g. a key that is not destroyable),
/// `SB_ERR_INVALID_ARGUMENT`, `SB_ERR_AUTH_CONFIG_MISSING`, the auth and transport codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; `out_error` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_delete_key(
    client: *const sb_client,
    label: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let label = unsafe { str_arg(label, "label") }?;
        hsm.delete_key(label)
    })
}

// ---- synchronous signing and verification ---------------------------------------------------

/// The arguments every sign and verify function shares.
///
/// # Safety
///
/// As theirs.
unsafe fn op_args<'a>(
    label: *const c_char,
    kind: sb_payload_kind,
    algorithm: *const c_char,
) -> FfiResult<(&'a str, PayloadKind, SignatureAlgorithm)> {
    // SAFETY: caller contract.
    unsafe {
        Ok((
            str_arg(label, "label")?,
            payload_kind_arg(kind)?,
            algorithm_arg(algorithm)?,
        ))
    }
}

/// Sign `len` bytes at `payload` with key `label` now (`POST /v1/synchronousSign`, key-operation
/// role). `kind` says whether the payload is the data (`SB_PAYLOAD_RAW`) or a digest you computed
/// (`SB_PAYLOAD_DIGEST`); `algorithm` is a TSB name such as `"SHA256_WITH_ECDSA"` (see
/// `sb_securosys_default_algorithm`). Stores the signature in `*out_signature` (DER for RSA and
/// ECDSA, 64 bytes for Ed25519; free with `sb_bytes_free`). Keys with an approval policy need
/// `sb_securosys_sign` instead.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, label, kind; empty payload; a digest of the
/// wrong length, or a digest for EDDSA), `SB_ERR_NOT_FOUND` (no such key),
/// `SB_ERR_AUTH_CONFIG_MISSING` (no `key_operation` key: nothing is sent), `SB_ERR_PROVIDER`
/// (e.g. an algorithm of another key type, a key with a policy), the auth and transport codes.
///
/// # Safety
///
/// `payload` must be NULL or point to `len` readable bytes; strings NULL or NUL-terminated; out
/// pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_synchronous_sign(
    client: *const sb_client,
    label: *const c_char,
    payload: *const u8,
    len: usize,
    kind: sb_payload_kind,
    algorithm: *const c_char,
    out_signature: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_signature, "out_signature")?;
        // SAFETY: caller contract.
        unsafe { put(out_signature, sb_bytes::EMPTY) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let ((label, kind, alg), payload) = unsafe {
            (
                op_args(label, kind, algorithm)?,
                slice_arg(payload, len, "payload")?,
            )
        };
        let sig = hsm.synchronous_sign(label, payload, kind, &alg)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_signature, sb_bytes::give(sig)) };
        Ok(())
    })
}

/// `sb_securosys_synchronous_sign` over the contents of the file at `path` (`SB_ERR_IO` when it
/// cannot be read).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_synchronous_sign_file(
    client: *const sb_client,
    label: *const c_char,
    path: *const c_char,
    kind: sb_payload_kind,
    algorithm: *const c_char,
    out_signature: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_signature, "out_signature")?;
        // SAFETY: caller contract.
        unsafe { put(out_signature, sb_bytes::EMPTY) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let ((label, kind, alg), path) =
            unsafe { (op_args(label, kind, algorithm)?, path_arg(path, "path")?) };
        let sig = hsm.synchronous_sign_file(label, path, kind, &alg)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_signature, sb_bytes::give(sig)) };
        Ok(())
    })
}

/// Verify `signature` (`sig_len` bytes) over `len` bytes at `payload` with key `label`
/// (`POST /v1/verify`, key-operation role); `kind` and `algorithm` as for signing. Stores whether
/// it is valid in `*out_valid`: `SB_OK` with `false` means the HSM checked it and it does not
/// match (a tampered payload or signature).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (as for signing; an empty signature), `SB_ERR_NOT_FOUND`,
/// `SB_ERR_AUTH_CONFIG_MISSING`, the auth, transport and provider codes.
///
/// # Safety
///
/// `payload` and `signature` must be NULL or point to `len` / `sig_len` readable bytes; strings
/// NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_verify(
    client: *const sb_client,
    label: *const c_char,
    payload: *const u8,
    len: usize,
    kind: sb_payload_kind,
    algorithm: *const c_char,
    signature: *const u8,
    sig_len: usize,
    out_valid: *mut bool,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_valid, "out_valid")?;
        // SAFETY: caller contract.
        unsafe { put(out_valid, false) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let ((label, kind, alg), payload, sig) = unsafe {
            (
                op_args(label, kind, algorithm)?,
                slice_arg(payload, len, "payload")?,
                slice_arg(signature, sig_len, "signature")?,
            )
        };
        let valid = hsm.verify(label, payload, kind, &alg, sig)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_valid, valid) };
        Ok(())
    })
}

/// `sb_securosys_verify` over the contents of the file at `path` (`SB_ERR_IO` when it cannot be
/// read).
///
/// # Safety
///
/// `signature` must be NULL or point to `sig_len` readable bytes; strings NULL or
/// NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_verify_file(
    client: *const sb_client,
    label: *const c_char,
    path: *const c_char,
    kind: sb_payload_kind,
    algorithm: *const c_char,
    signature: *const u8,
    sig_len: usize,
    out_valid: *mut bool,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_valid, "out_valid")?;
        // SAFETY: caller contract.
        unsafe { put(out_valid, false) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let ((label, kind, alg), path, sig) = unsafe {
            (
                op_args(label, kind, algorithm)?,
                path_arg(path, "path")?,
                slice_arg(signature, sig_len, "signature")?,
            )
        };
        let valid = hsm.verify_file(label, path, kind, &alg, sig)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_valid, valid) };
        Ok(())
    })
}

// ---- asynchronous signing with approvals ----------------------------------------------------

/// Submit a sign request that waits for the key's approvals (`POST /v1/sign`, key-operation
/// role); arguments as for `sb_securosys_synchronous_sign`. `options_json` is NULL (defaults) or
/// `{"metadata": {...}, "payload_type": "PDF"}`: `metadata` is a JSON object shown to approvers
/// (default `{"app": "signbridge", "type": "Sign"}`), `payload_type` the TSB's informational
/// type (`UNSPECIFIED` default, `ISO_20022`, `PDF`, `BTC`, `ETH`). Stores the request id in
/// `*out_request_id` (free with `sb_string_free`); then approvers approve
/// (`sb_securosys_approve`) and `sb_securosys_wait_request` returns the signature. A key
/// without a policy executes the request at once.
///
/// Errors: as `sb_securosys_synchronous_sign` (`SB_ERR_INVALID_ARGUMENT` also for options that
/// are not an object of these fields); `SB_ERR_OUTCOME_UNKNOWN` when the TSB accepted it but its
/// answer was unreadable.
///
/// # Safety
///
/// `payload` must be NULL or point to `len` readable bytes; strings NULL or NUL-terminated; out
/// pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_sign(
    client: *const sb_client,
    label: *const c_char,
    payload: *const u8,
    len: usize,
    kind: sb_payload_kind,
    algorithm: *const c_char,
    options_json: *const c_char,
    out_request_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_request_id, "out_request_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_request_id, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let ((label, kind, alg), payload, options) = unsafe {
            (
                op_args(label, kind, algorithm)?,
                slice_arg(payload, len, "payload")?,
                json_arg::<SignOptions>(options_json, "options_json")?,
            )
        };
        let id = hsm.sign(label, payload, kind, &alg, &options)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_request_id, give_string(&id)) };
        Ok(())
    })
}

/// `sb_securosys_sign` over the contents of the file at `path` (`SB_ERR_IO` when it cannot be
/// read).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_sign_file(
    client: *const sb_client,
    label: *const c_char,
    path: *const c_char,
    kind: sb_payload_kind,
    algorithm: *const c_char,
    options_json: *const c_char,
    out_request_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_request_id, "out_request_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_request_id, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let ((label, kind, alg), path, options) = unsafe {
            (
                op_args(label, kind, algorithm)?,
                path_arg(path, "path")?,
                json_arg::<SignOptions>(options_json, "options_json")?,
            )
        };
        // (The blocking facade has no `sign_file`: the async operation on the shared runtime.)
        let id = block_on(hsm.0.sign_file(label, path, kind, &alg, &options))??;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_request_id, give_string(&id)) };
        Ok(())
    })
}

/// The state of an asynchronous request (opaque), returned by `sb_securosys_request_status`.
/// Read it with the `sb_request_status_*` accessors; free it with `sb_request_status_free`.
///
/// Immutable, so thread-safe. Strings returned by its accessors are owned by it and valid until
/// `sb_request_status_free`.
pub struct sb_request_status {
    status: Arc<RequestStatus>,
    id: CString,
    state: CString,
    json: CString,
}

fn read_request<R>(
    p: *const sb_request_status,
    default: R,
    f: impl FnOnce(&sb_request_status) -> R,
) -> R {
    handles::with_live(p, Kind::RequestStatus, f).unwrap_or(default)
}

/// Read a request's state once (`GET /v1/request/{id}`, key-operation role). Stores it in
/// `*out_status` (free with `sb_request_status_free`). A rejected or expired request is a
/// successful call here (its state says so); `sb_securosys_wait_request` turns those into errors.
///
/// Errors: `SB_ERR_NOT_FOUND` (unknown id), `SB_ERR_INVALID_ARGUMENT`,
/// `SB_ERR_AUTH_CONFIG_MISSING`, the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_request_status(
    client: *const sb_client,
    request_id: *const c_char,
    out_status: *mut *mut sb_request_status,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_status, "out_status")?;
        // SAFETY: caller contract.
        unsafe { put(out_status, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(request_id, "request_id") }?;
        let st = hsm.request_status(id)?;
        let json = cstring_lossy(&render(&st, "request status")?);
        let b = Box::new(sb_request_status {
            id: cstring_lossy(&st.id),
            state: cstring_lossy(st.status.as_str()),
            json,
            status: Arc::new(st),
        });
        let p = handles::register(Box::into_raw(b), Kind::RequestStatus, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_status, p) };
        Ok(())
    })
}

/// Cancel a pending request (`DELETE /v1/request/{id}`, key-operation role); it becomes
/// CANCELLED.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; `out_error` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_cancel_request(
    client: *const sb_client,
    request_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(request_id, "request_id") }?;
        hsm.cancel_request(id)
    })
}

/// Poll a request every `interval_ms` (0: the default, 2000; at least 50) until it is final, for
/// at most `timeout_ms` (0: no limit), blocking the calling thread. `cancel` (may be NULL)
/// aborts the wait when another thread cancels it; `progress` (may be NULL) is called with each
/// state polled (as `sb_request_status_json` renders it) and `user_data`.
///
/// Returns `SB_OK` with the result (the signature of a sign request) in `*out_result` (free with
/// `sb_bytes_free`), or: `SB_ERR_REJECTED` (an approver rejected it), `SB_ERR_SESSION_EXPIRED`
/// (not enough approvals in time), `SB_ERR_SIGNING_FAILED` (the HSM failed it),
/// `SB_ERR_CANCELLED` (the request or its key was deleted) — the error's `provider_code` is the
/// TSB's state; `SB_ERR_TIMEOUT` after `timeout_ms`; `SB_ERR_ABORTED` when `cancel` was
/// cancelled (the request itself goes on); `SB_ERR_INVALID_ARGUMENT` for a bad handle, id or
/// interval; non-retryable errors of a poll. Retryable poll errors do not end the wait.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` and `cancel`
/// are checked before use; `progress`, when not NULL, must be a function of this signature.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_wait_request(
    client: *const sb_client,
    request_id: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
    out_result: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_result, "out_result")?;
        // SAFETY: caller contract.
        unsafe { put(out_result, sb_bytes::EMPTY) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(request_id, "request_id") }?;
        let opts =
            wait_options::<RequestStatus>(interval_ms, timeout_ms, cancel, progress, user_data)?;
        let result = hsm.wait_request(id, &opts)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_result, sb_bytes::give(result)) };
        Ok(())
    })
}

/// The request id. NULL when `status` is NULL, freed or not an `sb_request_status` (as for every
/// accessor below).
#[no_mangle]
pub extern "C" fn sb_request_status_id(status: *const sb_request_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_request(status, std::ptr::null(), |s| s.id.as_ptr())
    })
}

/// The request's state: `"PENDING"`, `"APPROVED"`, `"EXECUTED"`, `"FAILED"`, `"EXPIRED"`,
/// `"REJECTED"`, `"CANCELLED"`, or the TSB's own spelling of a state this version does not know.
#[no_mangle]
pub extern "C" fn sb_request_status_state(status: *const sb_request_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_request(status, std::ptr::null(), |s| s.state.as_ptr())
    })
}

/// Whether the state can no longer change (EXECUTED, FAILED, EXPIRED, REJECTED, CANCELLED).
/// False for an invalid handle.
#[no_mangle]
pub extern "C" fn sb_request_status_is_terminal(status: *const sb_request_status) -> bool {
    ffi_guard!(false, {
        read_request(status, false, |s| s.status.status.is_terminal())
    })
}

/// The number of approvers who approved (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_request_status_approved_count(status: *const sb_request_status) -> usize {
    ffi_guard!(0, {
        read_request(status, 0, |s| s.status.approved_by.len())
    })
}

/// The number of approvers who have not approved yet (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_request_status_pending_count(status: *const sb_request_status) -> usize {
    ffi_guard!(0, {
        read_request(status, 0, |s| s.status.not_yet_approved_by.len())
    })
}

/// The number of approvers who rejected (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_request_status_rejected_count(status: *const sb_request_status) -> usize {
    ffi_guard!(0, {
        read_request(status, 0, |s| s.status.rejected_by.len())
    })
}

/// The whole state as JSON (the core's schema: `id`, `status`, `execution_time`, `approved_by`,
/// `not_yet_approved_by`, `rejected_by` (base64 public keys of approvers), `result` (base64)).
#[no_mangle]
pub extern "C" fn sb_request_status_json(status: *const sb_request_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_request(status, std::ptr::null(), |s| s.json.as_ptr())
    })
}

/// The request's result (the signature of an executed sign request), decoded, in `*out_result`
/// (free with `sb_bytes_free`); `{NULL, 0}` while there is none.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, NULL `out_result`), `SB_ERR_PROTOCOL` (the
/// TSB's result is not base64).
///
/// # Safety
///
/// Out pointers must be NULL or writable; `status` is checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_request_status_result(
    status: *const sb_request_status,
    out_result: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_result, "out_result")?;
        // SAFETY: caller contract.
        unsafe { put(out_result, sb_bytes::EMPTY) };
        let st = handles::with_live(status, Kind::RequestStatus, |s| s.status.clone()).ok_or_else(
            || Error::invalid_argument("status is NULL, freed, or not an sb_request_status"),
        )?;
        if let Some(bytes) = st.result_bytes()? {
            // SAFETY: checked non-NULL above.
            unsafe { put(out_result, sb_bytes::give(bytes)) };
        }
        Ok(())
    })
}

/// Free a request state. NULL and pointers that are not live `sb_request_status` are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_request_status_free(status: *mut sb_request_status) {
    ffi_guard!((), {
        if handles::release(status, Kind::RequestStatus).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(status) });
        }
    })
}

// ---- approvers ------------------------------------------------------------------------------

/// An approver's private key (opaque): ECDSA P-256 / P-384, Ed25519 or RSA, held in memory. It
/// signs the approver's proof of possession and its approvals; it is never sent, printed or
/// put in an error. Create it with `sb_approver_key_generate_p256`, `sb_approver_key_from_pem`
/// or `sb_approver_key_from_pkcs8_der`; free it with `sb_approver_key_free`.
///
/// Thread-safe: one key may be used by any number of threads at once.
pub struct sb_approver_key {
    key: Arc<ApproverKey>,
    public_b64: CString,
}

fn give_approver(out_key: *mut *mut sb_approver_key, key: ApproverKey) {
    let b = Box::new(sb_approver_key {
        public_b64: cstring_lossy(&key.public_key_b64()),
        key: Arc::new(key),
    });
    let p = handles::register(Box::into_raw(b), Kind::ApproverKey, 0);
    // SAFETY: every caller checked `out_key` non-NULL.
    unsafe { put(out_key, p) };
}

fn approver_of(p: *const sb_approver_key) -> FfiResult<Arc<ApproverKey>> {
    handles::with_live(p, Kind::ApproverKey, |k| k.key.clone()).ok_or_else(|| {
        Error::invalid_argument("approver is NULL, freed, or not an sb_approver_key")
    })
}

/// A new random ECDSA P-256 approver key (for tests and tooling). Stores it in `*out_key` (free
/// with `sb_approver_key_free`) and, when `out_pkcs8_der` is not NULL, its private key as PKCS#8
/// DER in `*out_pkcs8_der` (keep it secret; free with `sb_bytes_free`, which zeroes it), to load
/// it again later with `sb_approver_key_from_pkcs8_der`.
///
/// # Safety
///
/// Out pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_approver_key_generate_p256(
    out_key: *mut *mut sb_approver_key,
    out_pkcs8_der: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_key, "out_key")?;
        // SAFETY: caller contract.
        unsafe {
            put(out_key, std::ptr::null_mut());
            put(out_pkcs8_der, sb_bytes::EMPTY);
        }
        let (key, der) = ApproverKey::generate_p256()?;
        give_approver(out_key, key);
        if !out_pkcs8_der.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { put(out_pkcs8_der, sb_bytes::give(der)) };
        }
        Ok(())
    })
}

/// Load an approver key from PEM text (`-----BEGIN PRIVATE KEY-----`, PKCS#8; convert others with
/// `openssl pkcs8 -topk8 -nocrypt`). Stores it in `*out_key` (free with `sb_approver_key_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL or non-UTF-8 text, not PEM, not PKCS#8, an unusable
/// key type; the message never contains the key).
///
/// # Safety
///
/// `pem` must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_approver_key_from_pem(
    pem: *const c_char,
    out_key: *mut *mut sb_approver_key,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_key, "out_key")?;
        // SAFETY: caller contract.
        unsafe { put(out_key, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let pem = unsafe { str_arg(pem, "pem") }?;
        give_approver(out_key, ApproverKey::from_pem(pem)?);
        Ok(())
    })
}

/// Load an approver key from PKCS#8 DER (`len` bytes at `der`). Otherwise as
/// `sb_approver_key_from_pem`.
///
/// # Safety
///
/// `der` must be NULL or point to `len` readable bytes; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_approver_key_from_pkcs8_der(
    der: *const u8,
    len: usize,
    out_key: *mut *mut sb_approver_key,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_key, "out_key")?;
        // SAFETY: caller contract.
        unsafe { put(out_key, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let der = unsafe { slice_arg(der, len, "der") }?;
        give_approver(out_key, ApproverKey::from_pkcs8_der(der)?);
        Ok(())
    })
}

/// The approver's public key as base64 DER SubjectPublicKeyInfo: what a policy names the
/// approver by (`sb_securosys_quorum_policy`) and what `sb_request_status_json` lists. NULL when
/// `key` is NULL, freed or not an `sb_approver_key`. Owned by the key.
#[no_mangle]
pub extern "C" fn sb_approver_key_public_key_b64(key: *const sb_approver_key) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        handles::with_live(key, Kind::ApproverKey, |k| k.public_b64.as_ptr())
            .unwrap_or(std::ptr::null())
    })
}

/// Free an approver key. NULL and pointers that are not live approver keys are ignored. Calls
/// still running on other threads finish normally (they hold their own reference).
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_approver_key_free(key: *mut sb_approver_key) {
    ffi_guard!((), {
        if handles::release(key, Kind::ApproverKey).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(key) });
        }
    })
}

/// An approver's pending approval tasks (opaque), returned by
/// `sb_securosys_list_approval_tasks`. Read them with the `sb_approval_tasks_*` accessors,
/// approve one with `sb_securosys_approve`; free with `sb_approval_tasks_free`.
///
/// Immutable, so thread-safe. Strings returned by its accessors are owned by it and valid until
/// `sb_approval_tasks_free`.
pub struct sb_approval_tasks {
    tasks: Arc<Vec<ApprovalTask>>,
    ids: Vec<CString>,
    payload_types: Vec<Option<CString>>,
    metadata: Vec<Option<CString>>,
    json: CString,
}

fn read_tasks<R>(
    p: *const sb_approval_tasks,
    default: R,
    f: impl FnOnce(&sb_approval_tasks) -> R,
) -> R {
    handles::with_live(p, Kind::ApprovalTasks, f).unwrap_or(default)
}

/// The pending tasks of `approver` (`POST /v1/filtered...ApprovalTask`, approver role): the
/// first page of up to `page_size` tasks (at least 1), oldest first, of kind `kind` (an
/// `SB_TASKS_*` value). The approver proves possession of its key by signing the current time.
/// Stores them in `*out_tasks` (free with `sb_approval_tasks_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handles, kind, `page_size` 0),
/// `SB_ERR_AUTH_CONFIG_MISSING` (no `approver` key: nothing is sent), `SB_ERR_PROVIDER` (e.g. the
/// TSB does not accept the approver's proof), the auth and transport codes.
///
/// # Safety
///
/// Out pointers must be NULL or writable; handles are checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_list_approval_tasks(
    client: *const sb_client,
    approver: *const sb_approver_key,
    kind: sb_task_kind,
    page_size: u32,
    out_tasks: *mut *mut sb_approval_tasks,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_tasks, "out_tasks")?;
        // SAFETY: caller contract.
        unsafe { put(out_tasks, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        let approver = approver_of(approver)?;
        let kind = task_kind_arg(kind)?;
        let tasks = hsm.list_approval_tasks(approver.as_ref(), kind, page_size)?;
        let json = cstring_lossy(&render(&tasks, "approval tasks")?);
        let b = Box::new(sb_approval_tasks {
            ids: tasks.iter().map(|t| cstring_lossy(&t.id)).collect(),
            payload_types: tasks
                .iter()
                .map(|t| t.payload_type.as_deref().map(cstring_lossy))
                .collect(),
            metadata: tasks
                .iter()
                .map(|t| t.metadata().map(|m| cstring_lossy(&m.to_string())))
                .collect(),
            json,
            tasks: Arc::new(tasks),
        });
        let p = handles::register(Box::into_raw(b), Kind::ApprovalTasks, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_tasks, p) };
        Ok(())
    })
}

/// The number of tasks (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_approval_tasks_count(tasks: *const sb_approval_tasks) -> usize {
    ffi_guard!(0, { read_tasks(tasks, 0, |t| t.ids.len()) })
}

/// The id of task `index` (0-based): the id to reject it with. For sign requests it names the
/// request (compare it with the id `sb_securosys_sign` returned). NULL when out of range or
/// `tasks` is invalid.
#[no_mangle]
pub extern "C" fn sb_approval_tasks_id(
    tasks: *const sb_approval_tasks,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_tasks(tasks, std::ptr::null(), |t| {
            t.ids.get(index).map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// The payload type of task `index` (`"UNSPECIFIED"`, `"PDF"`, ...); NULL when not reported,
/// out of range, or `tasks` is invalid.
#[no_mangle]
pub extern "C" fn sb_approval_tasks_payload_type(
    tasks: *const sb_approval_tasks,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_tasks(tasks, std::ptr::null(), |t| {
            t.payload_types
                .get(index)
                .and_then(|s| s.as_ref())
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// The metadata the requester attached to task `index` (the `metadata` of
/// `sb_securosys_sign`'s options), as JSON text; NULL when absent or unreadable, out of range,
/// or `tasks` is invalid. Show it to the approver before approving.
#[no_mangle]
pub extern "C" fn sb_approval_tasks_metadata_json(
    tasks: *const sb_approval_tasks,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_tasks(tasks, std::ptr::null(), |t| {
            t.metadata
                .get(index)
                .and_then(|s| s.as_ref())
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// All tasks as a JSON array (the core's schema: `id`, `approval_to_be_signed`,
/// `approver_public_key`, `meta_data`, `payload`, `payload_type`; base64 values). NULL when
/// `tasks` is invalid.
#[no_mangle]
pub extern "C" fn sb_approval_tasks_json(tasks: *const sb_approval_tasks) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_tasks(tasks, std::ptr::null(), |t| t.json.as_ptr())
    })
}

/// Free a task list. NULL and pointers that are not live task lists are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_approval_tasks_free(tasks: *mut sb_approval_tasks) {
    ffi_guard!((), {
        if handles::release(tasks, Kind::ApprovalTasks).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(tasks) });
        }
    })
}

/// Approve task `index` of `tasks` as `approver` (`POST /v1/approval`, approver role): signs the
/// task's `approvalToBeSigned` bytes with the approver's key. Once a policy's quorum is reached,
/// the request executes.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handles, `index` out of range), `SB_ERR_NOT_FOUND` (the
/// task is gone: the request is no longer open, or this approver rejected it),
/// `SB_ERR_AUTH_CONFIG_MISSING`, the auth, transport and provider codes.
///
/// # Safety
///
/// `out_error` must be NULL or writable; handles are checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_approve(
    client: *const sb_client,
    approver: *const sb_approver_key,
    tasks: *const sb_approval_tasks,
    index: usize,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        let hsm = hsm_of(client)?;
        let approver = approver_of(approver)?;
        let list = handles::with_live(tasks, Kind::ApprovalTasks, |t| t.tasks.clone()).ok_or_else(
            || Error::invalid_argument("tasks is NULL, freed, or not an sb_approval_tasks"),
        )?;
        let task = list.get(index).ok_or_else(|| {
            Error::invalid_argument(format!(
                "index {index} is out of range: the list has {} tasks",
                list.len()
            ))
        })?;
        hsm.approve(approver.as_ref(), task)
    })
}

/// Reject task `task_id` as `approver` (`DELETE /v1/task`, approver role). When rejections leave
/// no way to reach the quorum, the request becomes REJECTED and its wait returns
/// `SB_ERR_REJECTED`.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handles, NULL or malformed id), `SB_ERR_NOT_FOUND`,
/// `SB_ERR_AUTH_CONFIG_MISSING`, the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; `out_error` NULL or writable; handles are checked.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_reject(
    client: *const sb_client,
    approver: *const sb_approver_key,
    task_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        let hsm = hsm_of(client)?;
        let approver = approver_of(approver)?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(task_id, "task_id") }?;
        hsm.reject(approver.as_ref(), id)
    })
}

// ---- certificates ---------------------------------------------------------------------------

/// A JSON request argument for the certificate functions (required; unknown fields refused).
///
/// # Safety
///
/// As [`str_arg`].
unsafe fn request_arg<T: serde::de::DeserializeOwned>(p: *const c_char) -> FfiResult<T> {
    // SAFETY: caller contract.
    let text = unsafe { str_arg(p, "request_json") }?;
    serde_json::from_str(text)
        .map_err(|e| Error::invalid_argument(format!("request_json is not valid: {e}")))
}

/// Store a certificate or CSR: DER in `*out_der`, PEM in `*out_pem` when that is not NULL.
///
/// # Safety
///
/// `out_der` must be writable (checked non-NULL by the caller); `out_pem` NULL or writable.
unsafe fn give_der_pem(
    out_der: *mut sb_bytes,
    out_pem: *mut *mut c_char,
    der: Vec<u8>,
    pem: String,
) {
    // SAFETY: caller contract.
    unsafe {
        put(out_der, sb_bytes::give(der));
        if !out_pem.is_null() {
            put(out_pem, give_string(&pem));
        }
    }
}

/// Clear the outputs of a certificate function and check the required one.
///
/// # Safety
///
/// As [`give_der_pem`], except that `out_der` may be NULL (refused).
unsafe fn clear_der_pem(out_der: *mut sb_bytes, out_pem: *mut *mut c_char) -> FfiResult {
    out_arg(out_der, "out_der")?;
    // SAFETY: caller contract.
    unsafe {
        put(out_der, sb_bytes::EMPTY);
        put(out_pem, std::ptr::null_mut());
    }
    Ok(())
}

/// A self-signed X.509 certificate for key `label`, made and signed by the HSM now
/// (`POST /v1/certificate/synchronous/selfsign`; key-management role by default, see the
/// configuration's `securosys.certificate_role`). `request_json`: `{"common_name": "Example CA",
/// "signature_algorithm": "SHA256_WITH_ECDSA", "validity_days": 365, "key_usage":
/// ["DIGITAL_SIGNATURE"], "extended_key_usage": [], "certificate_authority": false}` (only
/// `common_name` and `signature_algorithm` are required; a CA needs `KEY_CERT_SIGN`). Stores the
/// certificate as DER in `*out_der` (free with `sb_bytes_free`) and, when `out_pem` is not NULL,
/// as PEM (`-----BEGIN CERTIFICATE-----`) in `*out_pem` (free with `sb_string_free`). Keys with
/// an approval policy need `sb_securosys_request_self_signed_certificate`.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle or label; malformed request, unknown field, a
/// common name over 64 characters, validity outside 1-36500 days, an algorithm that cannot sign
/// a certificate), `SB_ERR_NOT_FOUND` (no such key), `SB_ERR_AUTH_CONFIG_MISSING` (no key of the
/// certificate role: nothing is sent), the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_self_signed_certificate(
    client: *const sb_client,
    label: *const c_char,
    request_json: *const c_char,
    out_der: *mut sb_bytes,
    out_pem: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { clear_der_pem(out_der, out_pem) }?;
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let (label, req) = unsafe {
            (
                str_arg(label, "label")?,
                request_arg::<CertificateRequest>(request_json)?,
            )
        };
        let cert = hsm.self_signed_certificate(label, &req)?;
        let pem = cert.pem();
        // SAFETY: checked above.
        unsafe { give_der_pem(out_der, out_pem, cert.der, pem) };
        Ok(())
    })
}

/// A PKCS#10 certificate signing request for key `label`, made and signed by the HSM now
/// (`POST /v1/certificate/synchronous/request`), to send to a CA. `request_json`: `{"subject":
/// {"common_name": "Doc Signer", "country": "CH", "organization_name": "Example AG", ...},
/// "signature_algorithm": "SHA256_WITH_RSA", "validity_days": 365, "key_usage": [...],
/// "extended_key_usage": [...]}` (subject fields: `common_name` (required), `country`,
/// `state_or_province_name`, `locality`, `organization_name`, `organization_unit_name`, `email`,
/// `title`, `surname`, `given_name`, `initials`, `pseudonym`, `generation_qualifier`). Stores the
/// request as DER and, when `out_pem` is not NULL, PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
/// Otherwise as `sb_securosys_self_signed_certificate`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_certificate_signing_request(
    client: *const sb_client,
    label: *const c_char,
    request_json: *const c_char,
    out_der: *mut sb_bytes,
    out_pem: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { clear_der_pem(out_der, out_pem) }?;
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let (label, req) = unsafe {
            (
                str_arg(label, "label")?,
                request_arg::<CsrRequest>(request_json)?,
            )
        };
        let csr = hsm.certificate_signing_request(label, &req)?;
        let pem = csr.pem();
        // SAFETY: checked above.
        unsafe { give_der_pem(out_der, out_pem, csr.der, pem) };
        Ok(())
    })
}

/// Submit a self-signed certificate for a key with an approval policy
/// (`POST /v1/certificate/selfsign`); `request_json` as for
/// `sb_securosys_self_signed_certificate`, `options_json` as for `sb_securosys_sign`. Stores the
/// request id in `*out_request_id` (free with `sb_string_free`); approvers approve it like a sign
/// request, then `sb_securosys_wait_certificate` returns the certificate.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_request_self_signed_certificate(
    client: *const sb_client,
    label: *const c_char,
    request_json: *const c_char,
    options_json: *const c_char,
    out_request_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_request_id, "out_request_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_request_id, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let (label, req, options) = unsafe {
            (
                str_arg(label, "label")?,
                request_arg::<CertificateRequest>(request_json)?,
                json_arg::<SignOptions>(options_json, "options_json")?,
            )
        };
        let id = hsm.request_self_signed_certificate(label, &req, &options)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_request_id, give_string(&id)) };
        Ok(())
    })
}

/// Submit a certificate signing request for a key with an approval policy
/// (`POST /v1/certificate/request`); `request_json` as for
/// `sb_securosys_certificate_signing_request`. Then
/// `sb_securosys_wait_certificate_signing_request`. Otherwise as
/// `sb_securosys_request_self_signed_certificate`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_request_certificate_signing_request(
    client: *const sb_client,
    label: *const c_char,
    request_json: *const c_char,
    options_json: *const c_char,
    out_request_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_request_id, "out_request_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_request_id, std::ptr::null_mut()) };
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let (label, req, options) = unsafe {
            (
                str_arg(label, "label")?,
                request_arg::<CsrRequest>(request_json)?,
                json_arg::<SignOptions>(options_json, "options_json")?,
            )
        };
        let id = hsm.request_certificate_signing_request(label, &req, &options)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_request_id, give_string(&id)) };
        Ok(())
    })
}

/// `sb_securosys_wait_request` for a `sb_securosys_request_self_signed_certificate`: stores the
/// approved certificate as DER in `*out_der` and, when `out_pem` is not NULL, as PEM. Returns
/// and waits as `sb_securosys_wait_request` (also `SB_ERR_PROTOCOL` when the result is not a
/// DER structure).
///
/// # Safety
///
/// As `sb_securosys_wait_request`.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_wait_certificate(
    client: *const sb_client,
    request_id: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
    out_der: *mut sb_bytes,
    out_pem: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { clear_der_pem(out_der, out_pem) }?;
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(request_id, "request_id") }?;
        let opts =
            wait_options::<RequestStatus>(interval_ms, timeout_ms, cancel, progress, user_data)?;
        let cert = hsm.wait_certificate(id, &opts)?;
        let pem = cert.pem();
        // SAFETY: checked above.
        unsafe { give_der_pem(out_der, out_pem, cert.der, pem) };
        Ok(())
    })
}

/// `sb_securosys_wait_request` for a `sb_securosys_request_certificate_signing_request`: stores
/// the approved CSR as DER and, when `out_pem` is not NULL, as PEM. Otherwise as
/// `sb_securosys_wait_certificate`.
///
/// # Safety
///
/// As `sb_securosys_wait_request`.
#[no_mangle]
pub unsafe extern "C" fn sb_securosys_wait_certificate_signing_request(
    client: *const sb_client,
    request_id: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
    out_der: *mut sb_bytes,
    out_pem: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { clear_der_pem(out_der, out_pem) }?;
        let hsm = hsm_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(request_id, "request_id") }?;
        let opts =
            wait_options::<RequestStatus>(interval_ms, timeout_ms, cancel, progress, user_data)?;
        let csr = hsm.wait_certificate_signing_request(id, &opts)?;
        let pem = csr.pem();
        // SAFETY: checked above.
        unsafe { give_der_pem(out_der, out_pem, csr.der, pem) };
        Ok(())
    })
}
