//! Keys from a seed and derived keys, key-management role: `POST /v1/importedKey`
//! makes a hierarchical deterministic master key from a seed ([DTO] `ImportKeyDto`:
//! `{label, seed, curveOid, attributes, policy}`), `POST /v1/derivedKey` derives a child by a
//! BIP32 / SLIP-0010 path ([DTO] `DeriveKeyDto`: `{masterKeyLabel, masterKeyPassword,
//! derivationPath, attributes}`). Both answer the new key's signed attributes (201).
//!
//! PROPOSAL (not in public sources): the derived key is kept under the label
//! `<master>/<path below m>` (e.g. `wallet/44'/0'`), the `signKeyName` form the TSB documents
//! for derived keys, so it signs like any key; deriving the same path again answers the same
//! key. A curve or index the HSM cannot derive is errorCode 634
//! (`derivation.not.supported.by.algorithm`, [`crate::ErrorCode::Provider`]).

use secrecy::{ExposeSecret as _, SecretSlice};
use serde_json::json;

use super::api::{acted, b64, check_label, parse_key};
use super::model::{Curve, KeyAttributes, KeyInfo, Policy};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The first hardened index (`0'`).
const HARDENED: u32 = 0x8000_0000;

/// A master key to make from a seed (`POST /v1/importedKey`).
pub struct ImportSeedKey {
    /// The new key's label.
    pub label: String,
    /// The seed, 16 to 64 bytes (e.g. a BIP39 seed); never shown in `Debug` output.
    pub seed: SecretSlice<u8>,
    /// The curve (`P256` and `Ed25519` derive by SLIP-0010, `Secp256k1` by BIP32 where the HSM
    /// offers it).
    pub curve: Curve,
    /// Attributes; `sign`, `decrypt` and `unwrap` must be set.
    pub attributes: KeyAttributes,
    /// An approval policy for the key (and the keys derived from it).
    pub policy: Option<Policy>,
}

impl std::fmt::Debug for ImportSeedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSeedKey")
            .field("label", &self.label)
            .field("seed", &"[redacted]")
            .field("curve", &self.curve)
            .field("attributes", &self.attributes)
            .field("policy", &self.policy)
            .finish()
    }
}

/// Checks a derivation path `m/44'/0'/0/1` (hardened: `'`, `H` or `h`): 1 to 255 levels of
/// indices below 2^31.
pub fn check_derivation_path(path: &str) -> Result<()> {
    let bad = |why: &str| {
        Error::invalid_argument(format!(
            "derivation path {path:?} is not valid: {why} (expected e.g. m/44'/0'/0/1)"
        ))
    };
    let mut parts = path.split('/');
    if parts.next() != Some("m") {
        return Err(bad("it must start with m/"));
    }
    let mut levels = 0usize;
    for p in parts {
        let digits = p.strip_suffix(['\'', 'H', 'h']).unwrap_or(p);
        let ok = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.parse::<u32>().is_ok_and(|n| n < HARDENED);
        if !ok {
            return Err(bad(&format!("{p:?} is not an index below 2^31")));
        }
        levels += 1;
    }
    if levels == 0 || levels > 255 {
        return Err(bad("it needs 1 to 255 levels below m"));
    }
    Ok(())
}

impl SecurosysClient {
    /// Makes a hierarchical deterministic master key from a seed (`POST /v1/importedKey`,
    /// key-management role). The seed travels only in this request's body.
    pub async fn import_seed_key(&self, req: &ImportSeedKey) -> Result<KeyInfo> {
        check_label(&req.label)?;
        let seed = req.seed.expose_secret();
        if !(16..=64).contains(&seed.len()) {
            return Err(Error::invalid_argument(format!(
                "a seed has 16 to 64 bytes (128 to 512 bits), got {}",
                seed.len()
            )));
        }
        let what = "import key from seed";
        let body = json!({
            "label": req.label,
            "seed": b64(seed),
            "curveOid": req.curve.oid(),
            "attributes": req.attributes,
            "policy": req.policy,
        });
        let r = Request::post_json(self.url("v1/importedKey")?, &body, what)?
            .with_role(Role::KeyManagement);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || parse_key(&resp, what))
    }

    /// Derives the key at `path` (e.g. `m/44'/0'/0'`) below master key `master`
    /// (`POST /v1/derivedKey`, key-management role): the derived key, labelled
    /// `<master>/<path below m>`. `attributes`: the derived key's, default the master's.
    pub async fn derive_key(
        &self,
        master: &str,
        path: &str,
        attributes: Option<&KeyAttributes>,
    ) -> Result<KeyInfo> {
        check_label(master)?;
        check_derivation_path(path)?;
        let what = "derive key";
        let body = json!({
            "masterKeyLabel": master,
            "masterKeyPassword": null,
            "derivationPath": path,
            "attributes": attributes,
        });
        let r = Request::post_json(self.url("v1/derivedKey")?, &body, what)?
            .with_role(Role::KeyManagement);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || parse_key(&resp, what))
    }
}

#[cfg(test)]
mod tests {
    use super::check_derivation_path;

    #[test]
    fn derivation_paths() {
        for ok in ["m/0", "m/44'/0'/0/1", "m/0H/1h/2147483647"] {
            check_derivation_path(ok).expect(ok);
        }
        for bad in [
            "",
            "m",
            "m/",
            "0/1",
            "M/1",
            "m/+1",
            "m/2147483648",
            "m/1''",
            "m/x",
        ] {
            assert!(check_derivation_path(bad).is_err(), "{bad}");
        }
    }
}
