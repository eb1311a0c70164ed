//! Every enum a wrapper shows its users, with all of its values, declared once: the name of each
//! value as a constant, its wire value, and whether the set is open (a value this version does
//! not know arrives as `OTHER`, the provider's spelling kept beside it). The Python `enum.Enum`s
//! are built from [`tables`]; a value added to a core enum and not listed here is a compile
//! error (each list below is checked by an exhaustive `match`).

use crate::providers::onespan::{CallbackEventName, PackageStatus, SigningStatus};
use crate::providers::securosys::{
    ExtendedKeyUsage, KeySpec, KeyUsage, PayloadKind, RequestState, SignatureAlgorithm, TaskKind,
};
use crate::session::SessionStatus;
use crate::signing::Provider;

/// One value of an enum as the wrappers show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// The constant's name (`RSA_2048`, `FINISHED`).
    pub constant: String,
    /// The value (`"rsa2048"`, `"Finished"`): what the core reads and writes.
    pub value: String,
}

/// An enum of the API and all of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumTable {
    /// Its name (`KeySpec`).
    pub name: &'static str,
    /// What it is, in words that fit every language.
    pub doc: &'static str,
    /// Every named value, in order.
    pub members: Vec<EnumMember>,
    /// An open set's member for a value this version does not know (the provider's own spelling
    /// is kept beside it, e.g. in `status_text`); `None` for a closed set.
    pub other: Option<EnumMember>,
}

fn member(constant: impl Into<String>, value: impl Into<String>) -> EnumMember {
    EnumMember {
        constant: constant.into(),
        value: value.into(),
    }
}

/// The wire (serde) spelling of a unit value.
fn wire<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl KeySpec {
    /// Every key type, in order.
    pub const ALL: &'static [KeySpec] = &[
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::Rsa4096,
        KeySpec::P256,
        KeySpec::P384,
        KeySpec::Ed25519,
    ];

    /// The name of this key type as a constant (`RSA_2048`).
    pub fn constant_name(self) -> &'static str {
        match self {
            KeySpec::Rsa2048 => "RSA_2048",
            KeySpec::Rsa3072 => "RSA_3072",
            KeySpec::Rsa4096 => "RSA_4096",
            KeySpec::P256 => "P256",
            KeySpec::P384 => "P384",
            KeySpec::Ed25519 => "ED25519",
        }
    }
}

impl PayloadKind {
    /// Both kinds of payload.
    pub const ALL: &'static [PayloadKind] = &[PayloadKind::Raw, PayloadKind::Digest];
}

impl TaskKind {
    /// Every kind of approval task, in order.
    pub const ALL: &'static [TaskKind] = &[
        TaskKind::Sign,
        TaskKind::Decrypt,
        TaskKind::ModifyKey,
        TaskKind::BlockKey,
        TaskKind::UnblockKey,
        TaskKind::UnwrapKey,
        TaskKind::All,
    ];
}

impl SessionStatus {
    /// Every named state of a signing session, in order (not `Other`).
    pub const ALL: &'static [SessionStatus] = &[
        SessionStatus::Created,
        SessionStatus::Pending,
        SessionStatus::Finished,
        SessionStatus::Cancelled,
        SessionStatus::Rejected,
        SessionStatus::Failed,
        SessionStatus::Expired,
    ];
}

/// Fails to compile when a value is added to one of the lists above and not listed there. (The
/// open Securosys sets — SignatureAlgorithm, RequestState, KeyUsage, ExtendedKeyUsage — and
/// OneSpan's — PackageStatus, SigningStatus, CallbackEventName — get their `ALL` from the macro
/// that declares them, complete by construction.)
#[allow(dead_code)]
fn listed_exhaustively(k: KeySpec, p: PayloadKind, t: TaskKind, s: SessionStatus, v: Provider) {
    match k {
        KeySpec::Rsa2048
        | KeySpec::Rsa3072
        | KeySpec::Rsa4096
        | KeySpec::P256
        | KeySpec::P384
        | KeySpec::Ed25519 => {}
    }
    match p {
        PayloadKind::Raw | PayloadKind::Digest => {}
    }
    match t {
        TaskKind::Sign
        | TaskKind::Decrypt
        | TaskKind::ModifyKey
        | TaskKind::BlockKey
        | TaskKind::UnblockKey
        | TaskKind::UnwrapKey
        | TaskKind::All => {}
    }
    match s {
        SessionStatus::Created
        | SessionStatus::Pending
        | SessionStatus::Finished
        | SessionStatus::Cancelled
        | SessionStatus::Rejected
        | SessionStatus::Failed
        | SessionStatus::Expired
        | SessionStatus::Other(_) => {}
    }
    match v {
        Provider::Zignsec | Provider::Onespan => {}
    }
}

/// Every enum the wrappers show, with all of its values.
pub fn tables() -> Vec<EnumTable> {
    let upper = |v: String| member(v.to_ascii_uppercase(), v);
    let same = |v: &str| member(v, v);
    vec![
        EnumTable {
            name: "SessionStatus",
            doc: "The state of a signing session. OTHER is a state this version does not know; \
                  the provider's spelling is kept in status_text.",
            members: SessionStatus::ALL
                .iter()
                .map(|s| upper(s.as_str().to_string()))
                .collect(),
            other: Some(member("OTHER", "Other")),
        },
        EnumTable {
            name: "Provider",
            doc: "A document-signing provider.",
            members: Provider::ALL
                .iter()
                .map(|p| upper(p.as_str().to_string()))
                .collect(),
            other: None,
        },
        EnumTable {
            name: "KeySpec",
            doc: "The key types the HSM creates: RSA 2048/3072/4096, EC P-256/P-384 and \
                  Ed25519. Where a KeySpec is expected, its value (\"p256\") or name (\"P256\") \
                  works too.",
            members: KeySpec::ALL
                .iter()
                .map(|k| member(k.constant_name(), wire(k)))
                .collect(),
            other: None,
        },
        EnumTable {
            name: "SignatureAlgorithm",
            doc: "Signature algorithms of the TSB. NONE... variants sign a digest the caller \
                  computed; the others hash the payload. Where one is expected, any string works \
                  too (a name this version does not know is sent as given).",
            members: SignatureAlgorithm::ALL
                .iter()
                .map(|a| same(a.as_str()))
                .collect(),
            other: None,
        },
        EnumTable {
            name: "PayloadKind",
            doc: "Whether a payload is the data itself (RAW: the algorithm hashes it) or a digest \
                  the caller computed (DIGEST: a hashing algorithm becomes its NONE... \
                  counterpart and the digest's length is checked).",
            members: PayloadKind::ALL.iter().map(|k| upper(wire(k))).collect(),
            other: None,
        },
        EnumTable {
            name: "RequestState",
            doc: "The state of an asynchronous Securosys request. OTHER is a state this version \
                  does not know; the TSB's spelling is in the status's status_text.",
            members: RequestState::ALL.iter().map(|s| same(s.as_str())).collect(),
            other: Some(member("OTHER", "OTHER")),
        },
        EnumTable {
            name: "TaskKind",
            doc: "Which approval tasks a listing returns (ALL needs TSB 2.0.1 or later).",
            members: TaskKind::ALL.iter().map(|k| upper(wire(k))).collect(),
            other: None,
        },
        EnumTable {
            name: "KeyUsage",
            doc: "X.509 key usages of a certificate made by the HSM. Where one is expected, any \
                  string works too (a name this version does not know is sent as given).",
            members: KeyUsage::ALL.iter().map(|u| same(u.as_str())).collect(),
            other: None,
        },
        EnumTable {
            name: "ExtendedKeyUsage",
            doc: "X.509 extended key usages of a certificate made by the HSM. Where one is \
                  expected, any string works too.",
            members: ExtendedKeyUsage::ALL
                .iter()
                .map(|u| same(u.as_str()))
                .collect(),
            other: None,
        },
        EnumTable {
            name: "PackageStatus",
            doc: "The status of a OneSpan transaction (package). OTHER is a status this version \
                  does not know.",
            members: PackageStatus::ALL
                .iter()
                .map(|s| same(s.as_str()))
                .collect(),
            other: Some(member("OTHER", "OTHER")),
        },
        EnumTable {
            name: "PackageSigningStatus",
            doc: "OneSpan's signing status of a package, or of one signer or document of it \
                  (onespan.signing_status). OTHER is a value this version does not know.",
            members: SigningStatus::ALL
                .iter()
                .map(|s| same(s.as_str()))
                .collect(),
            other: Some(member("OTHER", "OTHER")),
        },
        EnumTable {
            name: "CallbackEventName",
            doc: "A OneSpan callback event. Where one is expected, any str works too; OTHER (in a \
                  CallbackEvent) is an event this version does not know (see name_text).",
            members: CallbackEventName::ALL
                .iter()
                .map(|s| same(s.as_str()))
                .collect(),
            other: Some(member("OTHER", "OTHER")),
        },
    ]
}

/// The table of the enum called `name`.
pub fn table(name: &str) -> Option<EnumTable> {
    tables().into_iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_complete_and_unambiguous() {
        for t in tables() {
            assert!(!t.members.is_empty(), "{}", t.name);
            let mut names = std::collections::BTreeSet::new();
            let mut values = std::collections::BTreeSet::new();
            for m in t.members.iter().chain(t.other.iter()) {
                assert!(
                    names.insert(m.constant.clone()),
                    "{}.{} twice",
                    t.name,
                    m.constant
                );
                assert!(
                    values.insert(m.value.clone()),
                    "{} value {} twice",
                    t.name,
                    m.value
                );
                assert!(!m.value.is_empty(), "{}.{}", t.name, m.constant);
            }
        }
        let k = table("KeySpec").expect("KeySpec");
        assert_eq!(k.members[0], member("RSA_2048", "rsa2048"));
        let s = table("SessionStatus").expect("SessionStatus");
        assert_eq!(s.members[2], member("FINISHED", "Finished"));
        assert_eq!(s.other, Some(member("OTHER", "Other")));
        assert_eq!(
            table("TaskKind").expect("t").members[2],
            member("MODIFY_KEY", "modify_key")
        );
    }
}
