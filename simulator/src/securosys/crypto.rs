//! Real cryptography of the simulated HSM: key generation (RSA, EC P-256/P-384, Ed25519),
//! signing and verification with the contract's `signatureAlgorithm` names (§12), and the
//! approvers' public keys (SPKI) used to check approvals.

use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
use ring::signature::KeyPair as _;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest as _, Sha224, Sha256, Sha384, Sha512};

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// Curve OIDs of contract §4.
pub(crate) const OID_P256: &str = "1.2.840.10045.3.1.7";
pub(crate) const OID_P384: &str = "1.3.132.0.34";
pub(crate) const OID_ED25519: &str = "1.3.101.112";

/// What kind of key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa(usize),
    P256,
    P384,
    Ed25519,
    /// AES, key size in bits (128/192/256).
    Aes(usize),
    /// HMAC-SHA-256 secret (`HMACSHA256`), key size in bits.
    Hmac(usize),
}

/// A private key held by the simulated HSM.
pub(crate) enum KeyMaterial {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ring::signature::Ed25519KeyPair),
    /// A secret key (AES or HMAC).
    Secret(Vec<u8>),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyMaterial::Rsa(_) => "KeyMaterial::Rsa(..)",
            KeyMaterial::P256(_) => "KeyMaterial::P256(..)",
            KeyMaterial::P384(_) => "KeyMaterial::P384(..)",
            KeyMaterial::Ed25519(_) => "KeyMaterial::Ed25519(..)",
            KeyMaterial::Secret(_) => "KeyMaterial::Secret(..)",
        })
    }
}

/// Hash of a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    /// No DigestInfo at all (`NONE_WITH_RSA`) or "whatever the caller hashed" (`NONE_WITH_ECDSA`).
    None,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::None => data.to_vec(),
            Hash::Sha224 => Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn len(self) -> Option<usize> {
        match self {
            Hash::None => None,
            Hash::Sha224 => Some(28),
            Hash::Sha256 => Some(32),
            Hash::Sha384 => Some(48),
            Hash::Sha512 => Some(64),
        }
    }

    /// Hash of an approver's digest-algorithm name (`SHA-256`, ...; `EdDSA` → `None`).
    pub fn from_digest_name(name: &str) -> Option<Hash> {
        match name.to_ascii_uppercase().replace('_', "-").as_str() {
            "SHA-224" | "SHA224" => Some(Hash::Sha224),
            "SHA-256" | "SHA256" => Some(Hash::Sha256),
            "SHA-384" | "SHA384" => Some(Hash::Sha384),
            "SHA-512" | "SHA512" => Some(Hash::Sha512),
            "EDDSA" | "ED25519" => Some(Hash::None),
            _ => None,
        }
    }
}

/// Signature scheme family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    RsaPkcs1,
    RsaPss,
    Ecdsa,
    EdDsa,
}

/// A parsed `signatureAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SigAlg {
    pub scheme: Scheme,
    pub hash: Hash,
    /// True when the payload is already the digest (`NONESHA256_WITH_RSA`, `NONE_WITH_ECDSA`).
    pub prehashed: bool,
}

/// Why a `signatureAlgorithm` was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlgError {
    /// A name of contract §12 the simulator does not implement.
    Unsupported,
    /// Not a name of contract §12 at all.
    Unknown,
}

fn hash_of(name: &str) -> Option<Hash> {
    match name {
        "SHA224" => Some(Hash::Sha224),
        "SHA256" => Some(Hash::Sha256),
        "SHA384" => Some(Hash::Sha384),
        "SHA512" => Some(Hash::Sha512),
        _ => None,
    }
}

/// Known names of contract §12 that the simulator does not implement.
const UNSUPPORTED: &[&str] = &[
    "SHA1_WITH_RSA",
    "SHA1_WITH_RSA_PSS",
    "NONE_WITH_RSA_PSS",
    "NONESHA1_WITH_RSA",
    "SHA1_WITH_ECDSA",
    "SHA3224_WITH_ECDSA",
    "SHA3256_WITH_ECDSA",
    "SHA3384_WITH_ECDSA",
    "SHA3512_WITH_ECDSA",
    "DOUBLE_SHA256_WITH_ECDSA",
    "KECCAK224_WITH_ECDSA",
    "KECCAK256_WITH_ECDSA",
    "KECCAK384_WITH_ECDSA",
    "KECCAK512_WITH_ECDSA",
    "NONE_WITH_EC_SCHNORR_BIP0340",
    "NONE_WITH_DSA",
    "SHA1_WITH_DSA",
    "SHA224_WITH_DSA",
    "SHA256_WITH_DSA",
    "SHA384_WITH_DSA",
    "SHA512_WITH_DSA",
    "BLS",
    "ISS_KERL",
    "DILITHIUM",
    "SPHINCS_PLUS",
];

impl SigAlg {
    /// Parses a contract §12 `signatureAlgorithm` name.
    pub fn parse(name: &str) -> Result<SigAlg, AlgError> {
        let alg = |scheme, hash, prehashed| {
            Ok(SigAlg {
                scheme,
                hash,
                prehashed,
            })
        };
        match name {
            "EDDSA" => return alg(Scheme::EdDsa, Hash::None, false),
            "NONE_WITH_ECDSA" => return alg(Scheme::Ecdsa, Hash::None, true),
            "SHA256_WITH_ECDSA_DETERMINISTIC" => return alg(Scheme::Ecdsa, Hash::Sha256, false),
            "NONE_WITH_RSA" => return alg(Scheme::RsaPkcs1, Hash::None, true),
            _ => {}
        }
        if UNSUPPORTED.contains(&name) {
            return Err(AlgError::Unsupported);
        }
        let (prehashed, rest) = match name.strip_prefix("NONE") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let (h, scheme) = if let Some(h) = rest.strip_suffix("_WITH_RSA_PSS") {
            (h, Scheme::RsaPss)
        } else if let Some(h) = rest.strip_suffix("_WITH_RSA") {
            (h, Scheme::RsaPkcs1)
        } else if let Some(h) = rest.strip_suffix("_WITH_ECDSA") {
            if prehashed {
                return Err(AlgError::Unknown);
            }
            (h, Scheme::Ecdsa)
        } else {
            return Err(AlgError::Unknown);
        };
        match hash_of(h) {
            Some(hash) => alg(scheme, hash, prehashed),
            None => Err(AlgError::Unknown),
        }
    }

    /// Whether this algorithm can be used with a key of `kind`.
    pub fn fits(&self, kind: KeyKind) -> bool {
        matches!(
            (self.scheme, kind),
            (Scheme::RsaPkcs1 | Scheme::RsaPss, KeyKind::Rsa(_))
                | (Scheme::Ecdsa, KeyKind::P256 | KeyKind::P384)
                | (Scheme::EdDsa, KeyKind::Ed25519)
        )
    }

    /// The digest that is signed, or an error text when a pre-hashed payload has the wrong size.
    fn digest_of(&self, payload: &[u8]) -> Result<Vec<u8>, String> {
        if !self.prehashed {
            return Ok(self.hash.digest(payload));
        }
        match self.hash.len() {
            Some(n) if payload.len() != n => Err(format!(
                "the payload must be a {n}-byte digest for this signature algorithm, got {} bytes",
                payload.len()
            )),
            _ if self.scheme == Scheme::Ecdsa && payload.len() < 16 => {
                Err("the digest for NONE_WITH_ECDSA must be at least 16 bytes".to_owned())
            }
            _ => Ok(payload.to_vec()),
        }
    }
}

fn rng_fill(buf: &mut [u8]) -> Result<(), String> {
    use ring::rand::SecureRandom as _;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| "no system randomness".to_owned())
}

impl KeyMaterial {
    /// Generates a new key (RSA generation is slow in debug builds: call it off the runtime).
    pub fn generate(kind: KeyKind) -> Result<KeyMaterial, String> {
        match kind {
            KeyKind::Rsa(bits) => RsaPrivateKey::new(&mut rand_core::OsRng, bits)
                .map(|k| KeyMaterial::Rsa(Box::new(k)))
                .map_err(|e| format!("RSA key generation failed: {e}")),
            KeyKind::P256 => loop {
                let mut seed = [0u8; 32];
                rng_fill(&mut seed)?;
                if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&seed) {
                    break Ok(KeyMaterial::P256(k));
                }
            },
            KeyKind::P384 => loop {
                let mut seed = [0u8; 48];
                rng_fill(&mut seed)?;
                if let Ok(k) = p384::ecdsa::SigningKey::from_slice(&seed) {
                    break Ok(KeyMaterial::P384(k));
                }
            },
            KeyKind::Ed25519 => {
                let rng = ring::rand::SystemRandom::new();
                let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| "Ed25519 key generation failed".to_owned())?;
                ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
                    .map(KeyMaterial::Ed25519)
                    .map_err(|_| "Ed25519 key generation failed".to_owned())
            }
            KeyKind::Aes(bits) | KeyKind::Hmac(bits) => {
                let mut k = vec![0u8; bits / 8];
                rng_fill(&mut k)?;
                Ok(KeyMaterial::Secret(k))
            }
        }
    }

    /// DER SubjectPublicKeyInfo of the public key.
    pub fn public_spki(&self) -> Vec<u8> {
        let der = match self {
            KeyMaterial::Rsa(k) => k.to_public_key().to_public_key_der().map(|d| d.to_vec()),
            KeyMaterial::P256(k) => k.verifying_key().to_public_key_der().map(|d| d.to_vec()),
            KeyMaterial::P384(k) => k.verifying_key().to_public_key_der().map(|d| d.to_vec()),
            KeyMaterial::Ed25519(k) => {
                let mut v = ED25519_SPKI_PREFIX.to_vec();
                v.extend_from_slice(k.public_key().as_ref());
                Ok(v)
            }
            KeyMaterial::Secret(_) => return Vec::new(),
        };
        der.unwrap_or_default()
    }

    /// Signs `payload`; `raw` asks for `r‖s` instead of DER for ECDSA (`signatureType` `RAW`).
    pub fn sign(&self, alg: SigAlg, payload: &[u8], raw: bool) -> Result<Vec<u8>, String> {
        use p256::ecdsa::signature::hazmat::PrehashSigner as _;
        match self {
            KeyMaterial::Secret(_) => Err("a secret key cannot sign".to_owned()),
            KeyMaterial::Ed25519(k) => Ok(k.sign(payload).as_ref().to_vec()),
            KeyMaterial::Rsa(k) => {
                let digest = alg.digest_of(payload)?;
                let res = if alg.scheme == Scheme::RsaPss {
                    let pss = match alg.hash {
                        Hash::Sha224 => Pss::new::<Sha224>(),
                        Hash::Sha384 => Pss::new::<Sha384>(),
                        Hash::Sha512 => Pss::new::<Sha512>(),
                        _ => Pss::new::<Sha256>(),
                    };
                    k.sign_with_rng(&mut rand_core::OsRng, pss, &digest)
                } else {
                    k.sign(pkcs1(alg.hash), &digest)
                };
                res.map_err(|e| format!("RSA signing failed: {e}"))
            }
            KeyMaterial::P256(k) => {
                let digest = alg.digest_of(payload)?;
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash(&digest)
                    .map_err(|e| format!("ECDSA signing failed: {e}"))?;
                Ok(if raw {
                    sig.to_bytes().to_vec()
                } else {
                    sig.to_der().as_bytes().to_vec()
                })
            }
            KeyMaterial::P384(k) => {
                let digest = alg.digest_of(payload)?;
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash(&digest)
                    .map_err(|e| format!("ECDSA signing failed: {e}"))?;
                Ok(if raw {
                    sig.to_bytes().to_vec()
                } else {
                    sig.to_der().as_bytes().to_vec()
                })
            }
        }
    }
}

fn pkcs1(hash: Hash) -> Pkcs1v15Sign {
    match hash {
        Hash::None => Pkcs1v15Sign::new_unprefixed(),
        Hash::Sha224 => Pkcs1v15Sign::new::<Sha224>(),
        Hash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        Hash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        Hash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    }
}

/// A public key from a DER SubjectPublicKeyInfo (an HSM key's or an approver's).
#[derive(Debug, Clone)]
pub(crate) enum PublicKey {
    Rsa(Box<RsaPublicKey>),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519([u8; 32]),
}

impl PublicKey {
    /// Parses a DER SPKI holding an RSA, EC P-256/P-384 or Ed25519 key.
    pub fn from_spki(der: &[u8]) -> Option<PublicKey> {
        if let Some(rest) = der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
            return <[u8; 32]>::try_from(rest).ok().map(PublicKey::Ed25519);
        }
        if let Ok(k) = RsaPublicKey::from_public_key_der(der) {
            return Some(PublicKey::Rsa(Box::new(k)));
        }
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Some(PublicKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Some(PublicKey::P384(k));
        }
        None
    }

    /// Verifies `sig` over `payload` with a contract `signatureAlgorithm` (DER or raw ECDSA).
    pub fn verify(&self, alg: SigAlg, payload: &[u8], sig: &[u8]) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        match self {
            PublicKey::Ed25519(k) => {
                alg.scheme == Scheme::EdDsa
                    && ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, k)
                        .verify(payload, sig)
                        .is_ok()
            }
            PublicKey::Rsa(k) => {
                let Ok(digest) = alg.digest_of(payload) else {
                    return false;
                };
                match alg.scheme {
                    Scheme::RsaPss => {
                        let pss = match alg.hash {
                            Hash::Sha224 => Pss::new::<Sha224>(),
                            Hash::Sha384 => Pss::new::<Sha384>(),
                            Hash::Sha512 => Pss::new::<Sha512>(),
                            _ => Pss::new::<Sha256>(),
                        };
                        k.verify(pss, &digest, sig).is_ok()
                    }
                    Scheme::RsaPkcs1 => k.verify(pkcs1(alg.hash), &digest, sig).is_ok(),
                    _ => false,
                }
            }
            PublicKey::P256(k) => {
                let Ok(digest) = alg.digest_of(payload) else {
                    return false;
                };
                let parsed = p256::ecdsa::Signature::from_der(sig)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(sig));
                alg.scheme == Scheme::Ecdsa
                    && parsed.is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok())
            }
            PublicKey::P384(k) => {
                let Ok(digest) = alg.digest_of(payload) else {
                    return false;
                };
                let parsed = p384::ecdsa::Signature::from_der(sig)
                    .or_else(|_| p384::ecdsa::Signature::from_slice(sig));
                alg.scheme == Scheme::Ecdsa
                    && parsed.is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok())
            }
        }
    }

    /// Verifies an approver's signature over `msg` with digest `hash` (`SHA-256`, ...; `EdDSA`
    /// for Ed25519): RSA PKCS#1 v1.5, ECDSA (DER) or Ed25519, by the key's type.
    pub fn verify_approver(&self, hash: Hash, msg: &[u8], sig: &[u8]) -> bool {
        let scheme = match self {
            PublicKey::Rsa(_) => Scheme::RsaPkcs1,
            PublicKey::P256(_) | PublicKey::P384(_) => Scheme::Ecdsa,
            PublicKey::Ed25519(_) => Scheme::EdDsa,
        };
        if (scheme == Scheme::EdDsa) != (hash == Hash::None) {
            return false;
        }
        self.verify(
            SigAlg {
                scheme,
                hash,
                prehashed: false,
            },
            msg,
            sig,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names() {
        let a = SigAlg::parse("NONESHA256_WITH_RSA_PSS").expect("parse");
        assert_eq!(
            (a.scheme, a.hash, a.prehashed),
            (Scheme::RsaPss, Hash::Sha256, true)
        );
        let a = SigAlg::parse("SHA384_WITH_ECDSA").expect("parse");
        assert_eq!(
            (a.scheme, a.hash, a.prehashed),
            (Scheme::Ecdsa, Hash::Sha384, false)
        );
        assert_eq!(SigAlg::parse("SHA1_WITH_RSA"), Err(AlgError::Unsupported));
        assert_eq!(SigAlg::parse("FOO"), Err(AlgError::Unknown));
        assert_eq!(
            SigAlg::parse("NONESHA256_WITH_ECDSA"),
            Err(AlgError::Unknown)
        );
    }

    #[test]
    fn ec_and_ed_round_trip() {
        for (kind, name) in [
            (KeyKind::P256, "SHA256_WITH_ECDSA"),
            (KeyKind::P384, "SHA512_WITH_ECDSA"),
            (KeyKind::Ed25519, "EDDSA"),
        ] {
            let k = KeyMaterial::generate(kind).expect("generate");
            let alg = SigAlg::parse(name).expect("alg");
            let sig = k.sign(alg, b"hello", false).expect("sign");
            let public = PublicKey::from_spki(&k.public_spki()).expect("spki");
            assert!(public.verify(alg, b"hello", &sig), "{name}");
            assert!(!public.verify(alg, b"hellO", &sig), "{name}");
        }
    }
}
