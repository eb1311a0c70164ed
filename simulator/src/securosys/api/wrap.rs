//! Wrapping and unwrapping keys (contract §5, §6): `POST /v1/wrap`,
//! `/v1/synchronousUnwrap` and `/v1/unwrap` (with approvals under the unwrapping key's
//! `ruleUse`). AES key wrap (RFC 3394/5649) with an AES key, or RSA-OAEP with an RSA key.

use std::sync::Arc;

use axum::extract::State;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::super::cipher::{self, RsaScheme, WrapMethod};
use super::keyops::{created, label_of, no_approvals_needed, required, usable, Job};
use super::{
    attributes_of, b64_decode, key_not_found, ok_json, parse_rule, rfc3339, submit_request,
    AsyncOp, HsmKey, Token,
};
use crate::securosys::crypto::{KeyKind, KeyMaterial};
use crate::securosys::{parse_body, AppState, SecError, SecInner, SecResult};

// ---- wrap / unwrap ------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WrapInner {
    key_to_be_wrapped: Option<String>,
    key_to_be_wrapped_password: Option<Value>,
    wrap_key_name: Option<String>,
    wrap_key_password: Option<Value>,
    wrap_method: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WrapEnvelope {
    wrap_key_request: Option<WrapInner>,
}

fn wrap_method(name: Option<&str>) -> Result<WrapMethod, SecError> {
    let name = name.ok_or_else(|| SecError::validation("\"wrapMethod\" is required"))?;
    WrapMethod::parse(name).map_err(|known| {
        if known {
            SecError::new(
                101,
                format!("wrapMethod {name} is not supported by the simulator"),
            )
        } else {
            SecError::new(501, format!("unknown wrapMethod {name}"))
        }
    })
}

/// Checks that `key` can wrap or unwrap with `method`: an AES key for the AES methods, an
/// RSA key for `RSA_WRAP_OAEP`.
fn kek_fits(key: &HsmKey, method: WrapMethod) -> Result<(), SecError> {
    match (method, &*key.material, key.kind) {
        (WrapMethod::RsaWrapOaep, KeyMaterial::Rsa(_), _) => Ok(()),
        (WrapMethod::RsaWrapOaep, _, _) => Err(SecError::new(
            613,
            format!(
                "Key {} is not an RSA key: RSA_WRAP_OAEP needs one",
                key.label
            ),
        )),
        (_, KeyMaterial::Secret(_), KeyKind::Aes(_)) => Ok(()),
        _ => Err(SecError::new(
            613,
            format!("Key {} is not an AES key: AES_WRAP needs one", key.label),
        )),
    }
}

/// Wraps `plain` with key `kek` (checked with [`kek_fits`]).
fn wrap_with(kek: &HsmKey, method: WrapMethod, plain: &[u8]) -> Result<Vec<u8>, SecError> {
    kek_fits(kek, method)?;
    match &*kek.material {
        KeyMaterial::Rsa(k) => cipher::rsa_encrypt(&k.to_public_key(), RsaScheme::Oaep(256), plain),
        KeyMaterial::Secret(k) => cipher::wrap(k, method, plain),
        _ => Err("not a wrapping key".to_owned()),
    }
    .map_err(|e| SecError::new(612, e))
}

/// Unwraps `wrapped` with key `kek` (checked with [`kek_fits`]).
fn unwrap_with(kek: &HsmKey, method: WrapMethod, wrapped: &[u8]) -> Result<Vec<u8>, SecError> {
    kek_fits(kek, method)?;
    match &*kek.material {
        KeyMaterial::Rsa(k) => cipher::rsa_decrypt(k, RsaScheme::Oaep(256), wrapped),
        KeyMaterial::Secret(k) => cipher::unwrap(k, method, wrapped),
        _ => Err("not an unwrapping key".to_owned()),
    }
    .map_err(|e| SecError::new(410, e))
}

pub(super) async fn wrap(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: WrapEnvelope = parse_body(&body)?;
    let r = env
        .wrap_key_request
        .ok_or_else(|| SecError::validation("\"wrapKeyRequest\" is required"))?;
    let target = label_of(&r.key_to_be_wrapped, "keyToBeWrapped")?;
    let wrapper = label_of(&r.wrap_key_name, "wrapKeyName")?;
    let method = wrap_method(r.wrap_method.as_deref())?;
    let sec = shared.securosys.lock();
    let kek = usable(&sec, &wrapper, &r.wrap_key_password, "wrap")?;
    let key = usable(&sec, &target, &r.key_to_be_wrapped_password, "extractable")?;
    let plain = match (method, &*key.material) {
        (
            WrapMethod::AesWrap | WrapMethod::AesWrapPad | WrapMethod::RsaWrapOaep,
            KeyMaterial::Secret(k),
        ) => k.clone(),
        (WrapMethod::AesWrapPadPrivate, KeyMaterial::Rsa(k)) => k
            .to_pkcs8_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| SecError::new(701, e.to_string()))?,
        (WrapMethod::AesWrapPadPrivate, KeyMaterial::P256(k)) => {
            p256::pkcs8::EncodePrivateKey::to_pkcs8_der(k)
                .map(|d| d.as_bytes().to_vec())
                .map_err(|e| SecError::new(701, e.to_string()))?
        }
        _ => {
            return Err(SecError::new(
                607,
                format!("wrapMethod {method:?} cannot wrap key {target}"),
            ))
        }
    };
    let wrapped = wrap_with(kek, method, &plain)?;
    ok_json(json!({"wrappedKey": STANDARD.encode(wrapped)}))
}

/// An unwrap, checked and ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Unwrap {
    wrapped: Vec<u8>,
    method: WrapMethod,
    label: String,
    attributes: Map<String, Value>,
    policy: Value,
    rules: [Vec<Token>; 4],
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct UnwrapInner {
    wrapped_key: Option<String>,
    label: Option<String>,
    unwrap_key_name: Option<String>,
    unwrap_key_password: Option<Value>,
    wrap_method: Option<String>,
    attributes: Option<Map<String, Value>>,
    policy: Option<Value>,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct UnwrapEnvelope {
    unwrap_key_request: Option<UnwrapInner>,
}

fn prepare_unwrap(sec: &SecInner, r: &UnwrapInner) -> Result<(String, Unwrap), SecError> {
    let wrapper = label_of(&r.unwrap_key_name, "unwrapKeyName")?;
    let label = label_of(&r.label, "label")?;
    let wrapped = b64_decode("wrappedKey", required(&r.wrapped_key, "wrappedKey")?)?;
    let method = wrap_method(r.wrap_method.as_deref())?;
    let attributes = attributes_of(
        r.attributes
            .as_ref()
            .ok_or_else(|| SecError::validation("\"attributes\" is required"))?,
    )?;
    let policy = r.policy.clone().unwrap_or(Value::Null);
    let rule = |name: &str| parse_rule(policy.get(name).unwrap_or(&Value::Null));
    let rules = [
        rule("ruleUse")?,
        rule("ruleBlock")?,
        rule("ruleUnblock")?,
        rule("ruleModify")?,
    ];
    kek_fits(
        usable(sec, &wrapper, &r.unwrap_key_password, "unwrap")?,
        method,
    )?;
    if sec.keys.contains_key(&label) {
        return Err(SecError::new(
            608,
            format!("A key with label {label} already exists"),
        ));
    }
    Ok((
        wrapper,
        Unwrap {
            wrapped,
            method,
            label,
            attributes,
            policy,
            rules,
        },
    ))
}

/// Unwraps `u` with key `wrapper` and stores the new key; its attributes document.
pub(super) fn unwrap_into(
    sec: &mut SecInner,
    wrapper: &str,
    u: &Unwrap,
    now: f64,
) -> Result<Value, SecError> {
    let kek_key = sec
        .keys
        .get(wrapper)
        .ok_or_else(|| key_not_found(wrapper))?;
    let plain = unwrap_with(kek_key, u.method, &u.wrapped)?;
    let (kind, material) = match u.method {
        WrapMethod::AesWrap | WrapMethod::AesWrapPad | WrapMethod::RsaWrapOaep => match plain.len()
        {
            16 | 24 | 32 => (KeyKind::Aes(plain.len() * 8), KeyMaterial::Secret(plain)),
            n => {
                return Err(SecError::new(
                    612,
                    format!("the unwrapped secret is {n} bytes: not an AES key"),
                ))
            }
        },
        WrapMethod::AesWrapPadPrivate => {
            if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(&plain) {
                let bits = rsa::traits::PublicKeyParts::size(&k) * 8;
                (KeyKind::Rsa(bits), KeyMaterial::Rsa(Box::new(k)))
            } else if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(&plain) {
                (KeyKind::P256, KeyMaterial::P256(k))
            } else {
                return Err(SecError::new(
                    612,
                    "the unwrapped key is not an RSA or P-256 private key (PKCS#8)",
                ));
            }
        }
    };
    if sec.keys.contains_key(&u.label) {
        return Err(SecError::new(
            608,
            format!("A key with label {} already exists", u.label),
        ));
    }
    let [rule_use, rule_block, rule_unblock, rule_modify] = u.rules.clone();
    let blocked = u
        .policy
        .pointer("/keyStatus/blocked")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let key = HsmKey {
        label: u.label.clone(),
        id: None,
        kind,
        spki: material.public_spki(),
        material: Arc::new(material),
        create_time: rfc3339(now),
        attributes: u.attributes.clone(),
        policy: u.policy.clone(),
        rule_use,
        rule_block,
        rule_unblock,
        rule_modify,
        blocked,
        password: None,
    };
    let doc = key.to_json();
    sec.keys.insert(u.label.clone(), key);
    Ok(doc)
}

pub(super) async fn synchronous_unwrap(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: UnwrapEnvelope = parse_body(&body)?;
    let r = env
        .unwrap_key_request
        .ok_or_else(|| SecError::validation("\"unwrapKeyRequest\" is required"))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let (wrapper, u) = prepare_unwrap(&sec, &r)?;
    let kek_key = sec
        .keys
        .get(&wrapper)
        .ok_or_else(|| key_not_found(&wrapper))?;
    no_approvals_needed(&kek_key.rule_use, &wrapper, "/v1/unwrap")?;
    ok_json(unwrap_into(&mut sec, &wrapper, &u, now)?)
}

pub(super) async fn async_unwrap(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: UnwrapEnvelope = parse_body(&body)?;
    let r = env
        .unwrap_key_request
        .ok_or_else(|| SecError::validation("\"unwrapKeyRequest\" is required"))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let (wrapper, u) = prepare_unwrap(&sec, &r)?;
    let shown = u.wrapped.clone();
    let id = submit_request(
        &mut sec,
        now,
        &wrapper,
        AsyncOp::Key(Job::Unwrap(u)),
        shown,
        "UNSPECIFIED".to_owned(),
        r.meta_data,
        r.meta_data_signature,
    )?;
    created("unwrapRequestId", id)
}
