//! Hierarchical deterministic keys (`/v1/importedKey` and `/v1/derivedKey`): SLIP-0010
//! master keys from a seed and private child derivation, for NIST P-256 (`Nist256p1 seed`) and
//! Ed25519 (`ed25519 seed`, hardened indices only). secp256k1 (BIP32 proper) is not offered:
//! the simulated HSM has no secp256k1 keys to sign with.
//!
//! Built on maintained primitives already in the simulator (HMAC-SHA-512 from `hmac`/`sha2`,
//! P-256 scalar arithmetic from `p256`, Ed25519 key pairs from a seed with `ring`) rather than a
//! BIP32 crate: the `bip32` crate covers secp256k1 only, and the SLIP-0010 steps are a few HMACs.
//! Checked against the published SLIP-0010 test vectors (tests below and `core/tests`).

use hmac::{Hmac, Mac as _};
use p256::elliptic_curve::ff::{Field as _, PrimeField as _};
use sha2::Sha512;

use super::crypto::{KeyKind, KeyMaterial};

/// The first index of the hardened range.
pub(crate) const HARDENED: u32 = 0x8000_0000;

/// The curves SLIP-0010 derivation is offered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HdCurve {
    P256,
    Ed25519,
}

impl HdCurve {
    fn hmac_key(self) -> &'static [u8] {
        match self {
            HdCurve::P256 => b"Nist256p1 seed",
            HdCurve::Ed25519 => b"ed25519 seed",
        }
    }

    /// The simulator's key kind of this curve.
    pub fn kind(self) -> KeyKind {
        match self {
            HdCurve::P256 => KeyKind::P256,
            HdCurve::Ed25519 => KeyKind::Ed25519,
        }
    }
}

/// An extended private key: the key bytes and the chain code.
#[derive(Clone)]
pub(crate) struct Node {
    pub curve: HdCurve,
    key: [u8; 32],
    pub chain_code: [u8; 32],
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({:?}, ..)", self.curve)
    }
}

fn hmac512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha512>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for p in parts {
        mac.update(p);
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

fn split(i: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let (mut l, mut r) = ([0u8; 32], [0u8; 32]);
    l.copy_from_slice(&i[..32]);
    r.copy_from_slice(&i[32..]);
    (l, r)
}

/// A P-256 scalar from 32 bytes, `None` if zero or not below the group order.
fn p256_scalar(bytes: &[u8; 32]) -> Option<p256::Scalar> {
    let s: Option<p256::Scalar> = p256::Scalar::from_repr((*bytes).into()).into();
    s.filter(|s| !bool::from(s.is_zero()))
}

impl Node {
    /// The master node of `seed` (16 to 64 bytes, checked by the caller).
    pub fn master(curve: HdCurve, seed: &[u8]) -> Node {
        let mut i = hmac512(curve.hmac_key(), &[seed]);
        loop {
            let (key, chain_code) = split(&i);
            if curve == HdCurve::Ed25519 || p256_scalar(&key).is_some() {
                return Node {
                    curve,
                    key,
                    chain_code,
                };
            }
            i = hmac512(curve.hmac_key(), &[&i]);
        }
    }

    /// The private key bytes (P-256 scalar or Ed25519 seed).
    pub fn key_bytes(&self) -> [u8; 32] {
        self.key
    }

    /// The child at `index`; `Err` for a non-hardened Ed25519 index.
    pub fn child(&self, index: u32) -> Result<Node, String> {
        let ser = index.to_be_bytes();
        let mut i = if index >= HARDENED {
            hmac512(&self.chain_code, &[&[0u8], &self.key, &ser])
        } else {
            match self.curve {
                HdCurve::Ed25519 => {
                    return Err(format!(
                        "Ed25519 derivation has hardened indices only (index {index} is not)"
                    ))
                }
                HdCurve::P256 => {
                    let sk = p256::SecretKey::from_slice(&self.key)
                        .map_err(|_| "the parent key is not a P-256 scalar".to_owned())?;
                    let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                        &sk.public_key(),
                        true,
                    );
                    hmac512(&self.chain_code, &[point.as_bytes(), &ser])
                }
            }
        };
        loop {
            let (il, ir) = split(&i);
            match self.curve {
                HdCurve::Ed25519 => {
                    return Ok(Node {
                        curve: self.curve,
                        key: il,
                        chain_code: ir,
                    })
                }
                HdCurve::P256 => {
                    let parent = p256_scalar(&self.key)
                        .ok_or_else(|| "the parent key is not a P-256 scalar".to_owned())?;
                    if let Some(tweak) = p256_scalar(&il) {
                        let k = tweak + parent;
                        if !bool::from(k.is_zero()) {
                            let mut key = [0u8; 32];
                            key.copy_from_slice(&k.to_repr());
                            return Ok(Node {
                                curve: self.curve,
                                key,
                                chain_code: ir,
                            });
                        }
                    }
                    i = hmac512(&self.chain_code, &[&[1u8], &ir, &ser]);
                }
            }
        }
    }

    /// The simulator's key material of this node.
    pub fn material(&self) -> Result<KeyMaterial, String> {
        match self.curve {
            HdCurve::P256 => p256::ecdsa::SigningKey::from_slice(&self.key)
                .map(KeyMaterial::P256)
                .map_err(|_| "the derived key is not a P-256 scalar".to_owned()),
            HdCurve::Ed25519 => ring::signature::Ed25519KeyPair::from_seed_unchecked(&self.key)
                .map(KeyMaterial::Ed25519)
                .map_err(|_| "the derived key is not an Ed25519 seed".to_owned()),
        }
    }
}

/// Parses `m/0'/1H/2` (also with `h`) into indices; at most 255 levels.
pub(crate) fn parse_path(path: &str) -> Result<Vec<u32>, String> {
    let mut parts = path.trim().split('/');
    if parts.next() != Some("m") {
        return Err(format!(
            "derivation path {path:?} must start with \"m/\" (e.g. m/44'/0'/0')"
        ));
    }
    let mut out = Vec::new();
    for p in parts {
        let (digits, hardened) = match p.strip_suffix(['\'', 'H', 'h']) {
            Some(d) => (d, true),
            None => (p, false),
        };
        let n: u32 = digits
            .parse()
            .ok()
            .filter(|n| *n < HARDENED && digits.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("derivation path {path:?}: {p:?} is not an index below 2^31"))?;
        out.push(if hardened { n | HARDENED } else { n });
    }
    if out.is_empty() || out.len() > 255 {
        return Err(format!(
            "derivation path {path:?} must have 1 to 255 levels below m"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    const SEED: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// SLIP-0010 "Test vector 1 for nist256p1".
    #[test]
    fn slip10_nist256p1_vector_1() {
        let m = Node::master(HdCurve::P256, &SEED);
        assert_eq!(
            hex(&m.chain_code),
            "beeb672fe4621673f722f38529c07392fecaa61015c80c34f29ce8b41b3cb6ea"
        );
        assert_eq!(
            hex(&m.key),
            "612091aaa12e22dd2abef664f8a01a82cae99ad7441b7ef8110424915c268bc2"
        );
        let c = m.child(HARDENED).expect("0H");
        assert_eq!(
            hex(&c.key),
            "6939694369114c67917a182c59ddb8cafc3004e63ca5d3b84403ba8613debc0c"
        );
        let c = c.child(1).expect("1");
        assert_eq!(
            hex(&c.chain_code),
            "4187afff1aafa8445010097fb99d23aee9f599450c7bd140b6826ac22ba21d0c"
        );
        assert_eq!(
            hex(&c.key),
            "284e9d38d07d21e4e281b645089a94f4cf5a5a81369acf151a1c3a57f18b2129"
        );
    }

    /// SLIP-0010 "Test vector 1 for ed25519".
    #[test]
    fn slip10_ed25519_vector_1() {
        let m = Node::master(HdCurve::Ed25519, &SEED);
        assert_eq!(
            hex(&m.key),
            "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7"
        );
        let c = m.child(HARDENED).expect("0H");
        assert_eq!(
            hex(&c.key),
            "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3"
        );
        let c = c.child(HARDENED | 1).expect("1H");
        assert_eq!(
            hex(&c.chain_code),
            "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14"
        );
        assert!(c.child(2).is_err(), "ed25519 has no non-hardened children");
    }

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("m/0'/1/2H/3h").expect("ok"),
            vec![HARDENED, 1, HARDENED | 2, HARDENED | 3]
        );
        for bad in [
            "",
            "m",
            "0/1",
            "m/x",
            "m/2147483648",
            "m/-1",
            "m//1",
            "m/+1",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}
