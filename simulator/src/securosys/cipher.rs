//! Real symmetric and asymmetric encryption of the simulated HSM (contract §5): RSA-OAEP and
//! PKCS#1 v1.5 encryption, AES-GCM with the contract's tag lengths, HMAC-SHA-256, AES key wrap
//! (RFC 3394 `AES_WRAP`, RFC 5649 `AES_WRAP_PAD`) and random bytes. RustCrypto crates only
//! (`rsa`, `aes-gcm`, `aes-kw`, `hmac`); nothing hand-rolled.

use aes_gcm::aead::Payload;
use aes_gcm::aes::{Aes128, Aes192, Aes256};
use aes_gcm::AesGcm;
use hmac::Mac as _;
use rsa::{Oaep, Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use sha2::{Sha224, Sha256, Sha384, Sha512};

/// An RSA encryption scheme (`cipherAlgorithm` of an RSA key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaScheme {
    /// `RSA_PADDING_OAEP_WITH_SHA{1,224,256,384,512}` (`RSA_PADDING_OAEP` = SHA-1); MGF1 uses
    /// the same hash (PROPOSAL: what `openssl pkeyutl -pkeyopt rsa_oaep_md:...` does).
    Oaep(u16),
    /// `RSA_PADDING_PKCS` / `RSA`: PKCS#1 v1.5 encryption.
    Pkcs1,
}

/// A `cipherAlgorithm` the simulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CipherAlg {
    /// RSA encryption.
    Rsa(RsaScheme),
    /// `AES_GCM`.
    AesGcm,
}

/// Why a `cipherAlgorithm` cannot be used.
#[derive(Debug)]
pub(crate) enum CipherError {
    /// A name of the contract the simulator does not implement (→ 101).
    Unsupported,
    /// Not a name of the contract (→ 600).
    Unknown,
}

/// The contract's names (§12) that are not implemented.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "RSA_NO_PADDING",
    "AES",
    "AES_CTR",
    "AES_ECB",
    "AES_CBC_NO_PADDING",
    "CHACHA20",
    "CHACHA20_AEAD",
    "CAMELLIA",
    "CAMELLIA_CBC_NO_PADDING",
    "CAMELLIA_ECB",
    "TDEA_CBC",
    "TDEA_ECB",
    "TDEA_CBC_NO_PADDING",
];

impl CipherAlg {
    /// Parses a `cipherAlgorithm` name.
    pub fn parse(name: &str) -> Result<CipherAlg, CipherError> {
        Ok(match name {
            "RSA" | "RSA_PADDING_PKCS" => CipherAlg::Rsa(RsaScheme::Pkcs1),
            "RSA_PADDING_OAEP" | "RSA_PADDING_OAEP_WITH_SHA1" => CipherAlg::Rsa(RsaScheme::Oaep(1)),
            "RSA_PADDING_OAEP_WITH_SHA224" => CipherAlg::Rsa(RsaScheme::Oaep(224)),
            "RSA_PADDING_OAEP_WITH_SHA256" => CipherAlg::Rsa(RsaScheme::Oaep(256)),
            "RSA_PADDING_OAEP_WITH_SHA384" => CipherAlg::Rsa(RsaScheme::Oaep(384)),
            "RSA_PADDING_OAEP_WITH_SHA512" => CipherAlg::Rsa(RsaScheme::Oaep(512)),
            "AES_GCM" => CipherAlg::AesGcm,
            n if KNOWN_UNSUPPORTED.contains(&n) => return Err(CipherError::Unsupported),
            _ => return Err(CipherError::Unknown),
        })
    }
}

fn oaep(bits: u16) -> Oaep {
    match bits {
        1 => Oaep::new::<sha1::Sha1>(),
        224 => Oaep::new::<Sha224>(),
        384 => Oaep::new::<Sha384>(),
        512 => Oaep::new::<Sha512>(),
        _ => Oaep::new::<Sha256>(),
    }
}

/// RSA-encrypts `msg` with the public key.
pub(crate) fn rsa_encrypt(
    key: &RsaPublicKey,
    scheme: RsaScheme,
    msg: &[u8],
) -> Result<Vec<u8>, String> {
    let mut rng = rand_core::OsRng;
    match scheme {
        RsaScheme::Oaep(bits) => key.encrypt(&mut rng, oaep(bits), msg),
        RsaScheme::Pkcs1 => key.encrypt(&mut rng, Pkcs1v15Encrypt, msg),
    }
    .map_err(|e| format!("RSA encryption failed: {e}"))
}

/// RSA-decrypts `ct` with the private key.
pub(crate) fn rsa_decrypt(
    key: &RsaPrivateKey,
    scheme: RsaScheme,
    ct: &[u8],
) -> Result<Vec<u8>, String> {
    match scheme {
        RsaScheme::Oaep(bits) => key.decrypt(oaep(bits), ct),
        RsaScheme::Pkcs1 => key.decrypt(Pkcs1v15Encrypt, ct),
    }
    .map_err(|_| "decryption failed: wrong key, padding or ciphertext".to_owned())
}

/// Tag lengths in bits AES-GCM accepts here (contract: 0, 64, 96, 104, 112, 120, 128; the
/// simulator implements 96 to 128, as NIST SP 800-38D recommends for general use).
pub(crate) const GCM_TAG_BITS: [u32; 5] = [96, 104, 112, 120, 128];

/// One AES-GCM operation over (key size, tag size) chosen at run time.
macro_rules! gcm_dispatch {
    ($key:expr, $tag_bytes:expr, $f:ident, $($arg:expr),*) => {{
        use aes_gcm::aead::consts::{U12, U13, U14, U15, U16};
        macro_rules! by_tag {
            ($aes:ty) => {
                match $tag_bytes {
                    12 => $f::<AesGcm<$aes, U12, U12>>($key, $($arg),*),
                    13 => $f::<AesGcm<$aes, U12, U13>>($key, $($arg),*),
                    14 => $f::<AesGcm<$aes, U12, U14>>($key, $($arg),*),
                    15 => $f::<AesGcm<$aes, U12, U15>>($key, $($arg),*),
                    16 => $f::<AesGcm<$aes, U12, U16>>($key, $($arg),*),
                    _ => Err("unsupported tag length".to_owned()),
                }
            };
        }
        match $key.len() {
            16 => by_tag!(Aes128),
            24 => by_tag!(Aes192),
            32 => by_tag!(Aes256),
            _ => Err("AES keys are 128, 192 or 256 bits".to_owned()),
        }
    }};
}

fn seal<C: aes_gcm::aead::KeyInit + aes_gcm::aead::Aead>(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    msg: &[u8],
) -> Result<Vec<u8>, String> {
    let c = C::new_from_slice(key).map_err(|_| "bad AES key length".to_owned())?;
    let nonce = aes_gcm::aead::Nonce::<C>::try_from(iv).map_err(|_| "bad IV".to_owned())?;
    c.encrypt(&nonce, Payload { msg, aad })
        .map_err(|_| "AES-GCM encryption failed".to_owned())
}

fn open<C: aes_gcm::aead::KeyInit + aes_gcm::aead::Aead>(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, String> {
    let c = C::new_from_slice(key).map_err(|_| "bad AES key length".to_owned())?;
    let nonce = aes_gcm::aead::Nonce::<C>::try_from(iv).map_err(|_| "bad IV".to_owned())?;
    c.decrypt(&nonce, Payload { msg: ct, aad })
        .map_err(|_| "decryption failed: the authentication tag does not match".to_owned())
}

/// AES-GCM encryption with a fresh 12-byte IV: `(iv, ciphertext‖tag)`.
pub(crate) fn gcm_encrypt(
    key: &[u8],
    tag_bits: u32,
    aad: &[u8],
    msg: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut iv = vec![0u8; 12];
    random_fill(&mut iv)?;
    let tag_bytes = (tag_bits / 8) as usize;
    let ct = gcm_dispatch!(key, tag_bytes, seal, &iv, aad, msg)?;
    Ok((iv, ct))
}

/// AES-GCM encryption with a given 12-byte IV and a 128-bit tag: `ciphertext‖tag`.
pub(crate) fn gcm_encrypt_with_iv(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    msg: &[u8],
) -> Result<Vec<u8>, String> {
    let tag_bytes = 16usize;
    gcm_dispatch!(key, tag_bytes, seal, iv, aad, msg)
}

/// AES-GCM decryption of `ciphertext‖tag`.
pub(crate) fn gcm_decrypt(
    key: &[u8],
    tag_bits: u32,
    iv: &[u8],
    aad: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, String> {
    if iv.len() != 12 {
        return Err("the initializationVector must be 12 bytes".to_owned());
    }
    let tag_bytes = (tag_bits / 8) as usize;
    gcm_dispatch!(key, tag_bytes, open, iv, aad, ct)
}

/// HMAC-SHA-256 of `msg`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length: new_from_slice cannot fail.
    match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Whether `tag` is the HMAC-SHA-256 of `msg` (constant-time comparison).
pub(crate) fn hmac_sha256_verify(key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(msg);
            m.verify_slice(tag).is_ok()
        }
        Err(_) => false,
    }
}

/// A `wrapMethod` the simulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WrapMethod {
    /// `AES_WRAP`: RFC 3394 (secret keys whose length is a multiple of 8 bytes).
    AesWrap,
    /// `AES_WRAP_PAD`: RFC 5649 (secret keys of any length).
    AesWrapPad,
    /// `AES_WRAP_PAD_RSA` / `AES_WRAP_PAD_EC`: RFC 5649 over the private key's PKCS#8 DER.
    AesWrapPadPrivate,
    /// `RSA_WRAP_OAEP`: a secret key encrypted with an RSA key's public key, RSA-OAEP with
    /// SHA-256 and MGF1-SHA-256 (PROPOSAL: the hash is not documented).
    RsaWrapOaep,
}

impl WrapMethod {
    /// Parses a `wrapMethod` name: `Err(true)` = a contract name not implemented, `Err(false)`
    /// = unknown.
    pub fn parse(name: &str) -> Result<WrapMethod, bool> {
        match name {
            "AES_WRAP" => Ok(WrapMethod::AesWrap),
            "AES_WRAP_PAD" => Ok(WrapMethod::AesWrapPad),
            "AES_WRAP_PAD_RSA" | "AES_WRAP_PAD_EC" => Ok(WrapMethod::AesWrapPadPrivate),
            "RSA_WRAP_OAEP" => Ok(WrapMethod::RsaWrapOaep),
            n if n.starts_with("AES_WRAP")
                || n.starts_with("RSA_WRAP")
                || n.starts_with("ML_KEM")
                || n.starts_with("ML-KEM") =>
            {
                Err(true)
            }
            _ => Err(false),
        }
    }
}

macro_rules! kw_by_key {
    ($kek:expr, $kw:ident, $method:ident, $($arg:expr),*) => {{
        use aes_kw::KeyInit as _;
        match $kek.len() {
            16 => aes_kw::$kw::<Aes128>::new_from_slice($kek).map(|k| k.$method($($arg),*)),
            24 => aes_kw::$kw::<Aes192>::new_from_slice($kek).map(|k| k.$method($($arg),*)),
            32 => aes_kw::$kw::<Aes256>::new_from_slice($kek).map(|k| k.$method($($arg),*)),
            _ => return Err("the wrapping key must be an AES key".to_owned()),
        }
        .map_err(|_| "bad wrapping key".to_owned())?
    }};
}

/// Wraps `key` with the AES key `kek`.
pub(crate) fn wrap(kek: &[u8], method: WrapMethod, key: &[u8]) -> Result<Vec<u8>, String> {
    let mut buf = vec![0u8; key.len() + 16];
    let out = match method {
        WrapMethod::AesWrap => {
            if key.len() < 16 || key.len() % 8 != 0 {
                return Err(
                    "AES_WRAP needs a key of a multiple of 8 bytes (16 or more); use \
                     AES_WRAP_PAD"
                        .to_owned(),
                );
            }
            kw_by_key!(kek, AesKw, wrap_key, key, &mut buf)
        }
        _ => kw_by_key!(kek, AesKwp, wrap_key, key, &mut buf),
    };
    out.map(<[u8]>::to_vec)
        .map_err(|e| format!("key wrap failed: {e}"))
}

/// Unwraps `wrapped` with the AES key `kek` (integrity checked).
pub(crate) fn unwrap(kek: &[u8], method: WrapMethod, wrapped: &[u8]) -> Result<Vec<u8>, String> {
    let mut buf = vec![0u8; wrapped.len()];
    let out = match method {
        WrapMethod::AesWrap => kw_by_key!(kek, AesKw, unwrap_key, wrapped, &mut buf),
        _ => kw_by_key!(kek, AesKwp, unwrap_key, wrapped, &mut buf),
    };
    out.map(<[u8]>::to_vec)
        .map_err(|_| "unwrap failed: the wrapped key does not match the unwrapping key".to_owned())
}

/// Fills `buf` with system randomness.
pub(crate) fn random_fill(buf: &mut [u8]) -> Result<(), String> {
    use ring::rand::SecureRandom as _;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| "no system randomness".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trips_and_detects_tampering() {
        for key_len in [16, 24, 32] {
            for tag in GCM_TAG_BITS {
                let key = vec![7u8; key_len];
                let (iv, ct) = gcm_encrypt(&key, tag, b"aad", b"hello").expect("seal");
                assert_eq!(ct.len(), 5 + (tag / 8) as usize);
                let pt = gcm_decrypt(&key, tag, &iv, b"aad", &ct).expect("open");
                assert_eq!(pt, b"hello");
                assert!(gcm_decrypt(&key, tag, &iv, b"aaD", &ct).is_err());
            }
        }
    }

    #[test]
    fn rfc3394_vector() {
        // RFC 3394 §4.1: 128-bit KEK wraps 128-bit key data.
        let kek: Vec<u8> = (0u8..16).collect();
        let data: Vec<u8> = (0u8..16).map(|i| i * 0x11).collect();
        let w = wrap(&kek, WrapMethod::AesWrap, &data).expect("wrap");
        let expect = [
            0x1F, 0xA6, 0x8B, 0x0A, 0x81, 0x12, 0xB4, 0x47, 0xAE, 0xF3, 0x4B, 0xD8, 0xFB, 0x5A,
            0x7B, 0x82, 0x9D, 0x3E, 0x86, 0x23, 0x71, 0xD2, 0xCF, 0xE5,
        ];
        assert_eq!(w, expect);
        assert_eq!(unwrap(&kek, WrapMethod::AesWrap, &w).expect("unwrap"), data);
        let p = wrap(&kek, WrapMethod::AesWrapPad, b"seven b").expect("kwp");
        assert_eq!(
            unwrap(&kek, WrapMethod::AesWrapPad, &p).expect("unkwp"),
            b"seven b"
        );
    }
}
