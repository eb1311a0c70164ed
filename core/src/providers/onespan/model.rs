//! OneSpan wire models (contract §5; unknown fields are ignored, `null` reads as empty) and the
//! builder types of a new transaction: [`NewPackage`], [`Signer`], [`DocumentSpec`],
//! [`SignatureField`].

use std::fmt;
use std::path::Path;

use bytes::Bytes;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::providers::{check_id, IdSyntax};

/// `null` or a missing field reads as the type's default.
pub(crate) fn nd<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)+
            /// A value this version does not know, as OneSpan spelled it.
            Other(String),
        }

        impl $name {
            /// Every named value, in order (not `Other`).
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// Parse the wire spelling (case-insensitive); unknown values are kept in `Other`.
            pub fn parse(s: &str) -> $name {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($s) { return $name::$v; })+
                $name::Other(t.to_string())
            }

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$v => $s,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::api::open_set_schema(&[$($s),*])
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                Ok($name::parse(&<String as serde::Deserialize>::deserialize(d)?))
            }
        }
    };
}
pub(crate) use open_enum;

open_enum! {
    /// A transaction's status (`PackageStatus`, contract §5).
    PackageStatus {
        /// Being prepared; can be edited.
        Draft = "DRAFT",
        /// Sent to the signers.
        Sent = "SENT",
        /// Every signer signed.
        Completed = "COMPLETED",
        /// Archived (after completion).
        Archived = "ARCHIVED",
        /// A signer declined.
        Declined = "DECLINED",
        /// A signer opted out of signing electronically.
        OptedOut = "OPTED_OUT",
        /// The expiry date passed.
        Expired = "EXPIRED",
    }
}

// The enum comes from a macro that derives no Default.
#[allow(clippy::derivable_impls)]
impl Default for PackageStatus {
    fn default() -> Self {
        PackageStatus::Draft
    }
}

impl PackageStatus {
    /// Whether the status can no longer change by signing (completed, declined, opted out,
    /// expired, archived).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            PackageStatus::Completed
                | PackageStatus::Archived
                | PackageStatus::Declined
                | PackageStatus::OptedOut
                | PackageStatus::Expired
        )
    }

    /// The provider-neutral status.
    pub fn session_status(&self) -> crate::session::SessionStatus {
        use crate::session::SessionStatus as S;
        match self {
            PackageStatus::Draft => S::Created,
            PackageStatus::Sent => S::Pending,
            PackageStatus::Completed | PackageStatus::Archived => S::Finished,
            PackageStatus::Declined | PackageStatus::OptedOut => S::Rejected,
            PackageStatus::Expired => S::Expired,
            PackageStatus::Other(s) => S::Other(s.clone()),
        }
    }
}

open_enum! {
    /// The answer of `signingStatus` (contract §5, `SigningStatus`).
    SigningStatus {
        /// The transaction is a draft.
        Draft = "DRAFT",
        /// Signing is complete.
        Completed = "COMPLETED",
        /// The transaction is archived.
        Archived = "ARCHIVED",
        /// A signer declined.
        Declined = "DECLINED",
        /// A signer opted out.
        OptedOut = "OPTED_OUT",
        /// The transaction expired.
        Expired = "EXPIRED",
        /// The transaction was cancelled.
        Canceled = "CANCELED",
        /// Signatures are still awaited (from the signer / in the document asked about).
        SigningPending = "SIGNING_PENDING",
        /// The signer / document asked about is done; others may still be pending.
        SigningCompleted = "SIGNING_COMPLETED",
        /// The transaction was deleted.
        Deleted = "DELETED",
    }
}

open_enum! {
    /// The kind of a signature field.
    SignatureKind {
        /// A click-to-sign signature showing the signer's full name (default).
        FullName = "FULLNAME",
        /// Initials.
        Initials = "INITIALS",
        /// A hand-drawn signature.
        Capture = "CAPTURE",
        /// A hand-drawn signature captured on a mobile device.
        MobileCapture = "MOBILE_CAPTURE",
    }
}

/// A transaction ("package") as OneSpan returns it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// The package id (28 characters of base64, often with `=`).
    #[serde(default, deserialize_with = "nd")]
    pub id: String,
    /// The name.
    #[serde(default, deserialize_with = "nd")]
    pub name: String,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The status.
    #[serde(default, deserialize_with = "nd")]
    pub status: PackageStatus,
    /// `PACKAGE` or `TEMPLATE`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Whether the package completes itself when every signer is done.
    #[serde(default)]
    pub autocomplete: Option<bool>,
    /// The expiry date (UTC).
    #[serde(default)]
    pub due: Option<String>,
    /// The invitation message.
    #[serde(default)]
    pub email_message: Option<String>,
    /// The language.
    #[serde(default)]
    pub language: Option<String>,
    /// Whether it is in the trash.
    #[serde(default, deserialize_with = "nd")]
    pub trashed: bool,
    /// When it was created.
    #[serde(default)]
    pub created: Option<String>,
    /// When it was last updated.
    #[serde(default)]
    pub updated: Option<String>,
    /// The roles (signers), in signing order.
    #[serde(default, deserialize_with = "nd")]
    pub roles: Vec<Role>,
    /// The documents.
    #[serde(default, deserialize_with = "nd")]
    pub documents: Vec<Document>,
    /// Messages (e.g. a signer's decline or opt-out reason).
    #[serde(default, deserialize_with = "nd")]
    pub messages: Vec<Message>,
    /// The sender, as OneSpan describes it.
    #[serde(default)]
    pub sender: Option<Value>,
    /// Free data attached to the package.
    #[serde(default)]
    pub data: Option<Value>,
    /// Whether `status` can no longer change by signing (completed, declined, opted out,
    /// expired, archived). Derived from `status` by signbridge, never read from OneSpan.
    #[serde(default, skip_deserializing)]
    pub is_terminal: bool,
    /// `status` as a provider-neutral session status (`SENT` is `Pending`). Derived from
    /// `status` by signbridge, never read from OneSpan.
    #[serde(default, skip_deserializing)]
    pub session_status: crate::session::SessionStatus,
}

impl Package {
    /// The package with the fields derived from its status (`is_terminal`, `session_status`)
    /// set: what every read of a package returns.
    pub fn with_derived(mut self) -> Package {
        self.is_terminal = self.status.is_terminal();
        self.session_status = self.status.session_status();
        self
    }

    /// The role with this id.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The most recent message's text (OneSpan records a decline or opt-out reason as a
    /// message from the signer), when there is one.
    pub fn last_message(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .map(|m| m.content.trim())
            .find(|c| !c.is_empty())
    }
}

/// A role: a signing slot filled by one signer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// The role id (e.g. `Role1`, or the id you chose).
    #[serde(default, deserialize_with = "nd")]
    pub id: String,
    /// The role name.
    #[serde(default)]
    pub name: Option<String>,
    /// The signing order.
    #[serde(default)]
    pub index: Option<i64>,
    /// `SIGNER` or `SENDER`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The signer(s).
    #[serde(default, deserialize_with = "nd")]
    pub signers: Vec<SignerInfo>,
    /// Whether the signer is locked out (failed authentication).
    #[serde(default)]
    pub locked: Option<bool>,
    /// Free data.
    #[serde(default)]
    pub data: Option<Value>,
}

/// A signer as OneSpan returns it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "OnespanSignerInfo")]
pub struct SignerInfo {
    /// The signer id.
    #[serde(default)]
    pub id: Option<String>,
    /// The email.
    #[serde(default, deserialize_with = "nd")]
    pub email: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
}

/// A document of a package.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The document id.
    #[serde(default, deserialize_with = "nd")]
    pub id: String,
    /// The name.
    #[serde(default, deserialize_with = "nd")]
    pub name: String,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The position in the package.
    #[serde(default)]
    pub index: Option<i64>,
    /// The signature blocks.
    #[serde(default, deserialize_with = "nd")]
    pub approvals: Vec<Approval>,
    /// Fields not tied to a signature.
    #[serde(default, deserialize_with = "nd")]
    pub fields: Vec<Field>,
}

/// A signature block (approval) of one role on a document.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "OnespanApproval")]
pub struct Approval {
    /// The approval id.
    #[serde(default)]
    pub id: Option<String>,
    /// The role id that signs here.
    #[serde(default, deserialize_with = "nd")]
    pub role: String,
    /// The fields.
    #[serde(default, deserialize_with = "nd")]
    pub fields: Vec<Field>,
    /// When it was signed, if it was.
    #[serde(default)]
    pub signed: Option<String>,
    /// When it was accepted, if it was.
    #[serde(default)]
    pub accepted: Option<String>,
    /// Whether signing it is optional.
    #[serde(default)]
    pub optional: Option<bool>,
}

/// A field on a document page (coordinates in PDF points, page 0-based).
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// The field id.
    #[serde(default)]
    pub id: Option<String>,
    /// `SIGNATURE`, `INPUT` or `IMAGE`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `FULLNAME`, `INITIALS`, `CAPTURE`, `LABEL`, `TEXTFIELD`…
    #[serde(default)]
    pub subtype: Option<String>,
    /// The page (0-based).
    #[serde(default)]
    pub page: Option<i64>,
    /// Distance from the top of the page.
    #[serde(default)]
    pub top: Option<f64>,
    /// Distance from the left of the page.
    #[serde(default)]
    pub left: Option<f64>,
    /// Width.
    #[serde(default)]
    pub width: Option<f64>,
    /// Height.
    #[serde(default)]
    pub height: Option<f64>,
    /// The value.
    #[serde(default)]
    pub value: Option<Value>,
}

/// A message on a package (e.g. a signer's decline reason).
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The text.
    #[serde(default, deserialize_with = "nd")]
    pub content: String,
    /// `NEW`, `READ` or `TRASHED`.
    #[serde(default)]
    pub status: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub from: Option<Value>,
    /// When.
    #[serde(default)]
    pub created: Option<String>,
}

/// The answer of `signingUrl`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningUrl {
    /// The package id.
    #[serde(default)]
    pub package_id: Option<String>,
    /// The role id.
    #[serde(default)]
    pub role_id: Option<String>,
    /// The signing page for the signer's browser. It does not expire.
    #[serde(default, deserialize_with = "nd")]
    pub url: String,
}

/// A package's audit trail (`GET /packages/{id}/audit`), read in OneSpan's spelling or in the
/// snake_case it is written in (a saved audit reads back).
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Audit {
    /// The package id.
    #[serde(default, rename(deserialize = "package-id"), alias = "package_id")]
    pub package_id: Option<String>,
    /// The events, oldest first.
    #[serde(
        default,
        rename(deserialize = "audit-events"),
        alias = "events",
        deserialize_with = "nd"
    )]
    pub events: Vec<AuditEvent>,
}

/// One audit event.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEvent {
    /// What happened (`Sign`, `Decline`, `View`…).
    #[serde(
        default,
        rename(deserialize = "type"),
        alias = "kind",
        deserialize_with = "nd"
    )]
    pub kind: String,
    /// When.
    #[serde(default, rename(deserialize = "date-time"), alias = "date_time")]
    pub date_time: Option<String>,
    /// What it happened to (a document or package name).
    #[serde(default)]
    pub target: Option<String>,
    /// The kind of target.
    #[serde(default, rename(deserialize = "target-type"), alias = "target_type")]
    pub target_type: Option<String>,
    /// Who (name).
    #[serde(default)]
    pub user: Option<String>,
    /// Who (email).
    #[serde(default, rename(deserialize = "user-email"), alias = "user_email")]
    pub user_email: Option<String>,
    /// From which IP address.
    #[serde(default, rename(deserialize = "user-ip"), alias = "user_ip")]
    pub user_ip: Option<String>,
    /// Details (e.g. a decline reason).
    #[serde(default)]
    pub data: Option<String>,
}

/// The registered callback (event notification) of the account.
#[derive(Clone, Default, Deserialize)]
pub struct Callback {
    /// Where events are posted.
    #[serde(default)]
    pub url: Option<String>,
    /// The events that are posted.
    #[serde(default, deserialize_with = "nd")]
    pub events: Vec<super::CallbackEventName>,
    /// The callback key sent as `Authorization: Basic <key>`, when OneSpan returns it.
    #[serde(default)]
    pub key: Option<SecretString>,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("key", &self.key.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

// ---- builders ------------------------------------------------------------------------------

/// A new transaction: signers, PDF documents with signature fields, and options.
///
/// Roles are created in the order the signers were added (that order is the signing order
/// unless [`Signer::order`] says otherwise).
#[derive(Debug, Clone)]
pub struct NewPackage {
    /// The name (shown to signers; also how to find it again with [`super::ListQuery::search`]).
    pub name: String,
    /// A description.
    pub description: Option<String>,
    /// The invitation email's message.
    pub email_message: Option<String>,
    /// Complete the transaction when every signer is done (default true).
    pub autocomplete: bool,
    /// Expiry, UTC, `yyyy-MM-ddTHH:mm:ss` (OneSpan reads it as GMT).
    pub due: Option<String>,
    /// Language (`en`, `fr`…).
    pub language: Option<String>,
    /// The signers.
    pub signers: Vec<Signer>,
    /// The documents.
    pub documents: Vec<DocumentSpec>,
    /// Send the transaction as soon as it is created (default false: it stays a draft until
    /// [`super::OnespanClient::send`]).
    pub send: bool,
    /// Where the signing page sends a signer who is done (`settings.ceremony.handOver.href`):
    /// an `https://` (or loopback `http://`) URL of your application.
    pub hand_over_url: Option<String>,
}

impl NewPackage {
    /// A new transaction named `name`, autocompleting, not sent on creation.
    pub fn new(name: impl Into<String>) -> NewPackage {
        NewPackage {
            name: name.into(),
            description: None,
            email_message: None,
            autocomplete: true,
            due: None,
            language: None,
            signers: Vec::new(),
            documents: Vec::new(),
            send: false,
            hand_over_url: None,
        }
    }

    /// Add a signer.
    pub fn signer(mut self, signer: Signer) -> NewPackage {
        self.signers.push(signer);
        self
    }

    /// Add a document.
    pub fn document(mut self, document: DocumentSpec) -> NewPackage {
        self.documents.push(document);
        self
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> NewPackage {
        self.description = Some(text.into());
        self
    }

    /// Set the invitation email's message.
    pub fn email_message(mut self, text: impl Into<String>) -> NewPackage {
        self.email_message = Some(text.into());
        self
    }

    /// Set the expiry (UTC, `yyyy-MM-ddTHH:mm:ss`).
    pub fn due(mut self, utc: impl Into<String>) -> NewPackage {
        self.due = Some(utc.into());
        self
    }

    /// Send signers who are done to `url` (the signing page's hand-over link).
    pub fn hand_over(mut self, url: impl Into<String>) -> NewPackage {
        self.hand_over_url = Some(url.into());
        self
    }

    /// Send on creation (`true`) or keep as a draft (`false`, default).
    pub fn send_on_create(mut self, send: bool) -> NewPackage {
        self.send = send;
        self
    }

    /// Check everything that can be checked locally, with messages naming the problem.
    pub fn validate(&self, need_documents: bool) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid_argument(
                "the transaction name is empty; give it a name (it is shown to signers)",
            ));
        }
        if self.name.chars().count() > 255 {
            return Err(Error::invalid_argument(
                "the transaction name is longer than 255 characters",
            ));
        }
        if self.signers.is_empty() {
            return Err(Error::invalid_argument(
                "the transaction has no signer; add one with NewPackage::signer",
            ));
        }
        let mut roles = std::collections::HashSet::new();
        for s in &self.signers {
            s.validate()?;
            if !roles.insert(s.role_id.as_str()) {
                return Err(Error::invalid_argument(format!(
                    "two signers use role id {:?}; each signer needs its own role id",
                    s.role_id
                )));
            }
        }
        if need_documents && self.documents.is_empty() {
            return Err(Error::invalid_argument(
                "the transaction has no document; add a PDF with NewPackage::document",
            ));
        }
        let mut names = std::collections::HashSet::new();
        for d in &self.documents {
            d.validate(&roles)?;
            if !names.insert(d.name.as_str()) {
                return Err(Error::invalid_argument(format!(
                    "two documents are named {:?}; document names must be unique within a \
                     transaction",
                    d.name
                )));
            }
        }
        if let Some(due) = &self.due {
            check_date("due", due)?;
        }
        if let Some(href) = &self.hand_over_url {
            let ok = url::Url::parse(href).is_ok_and(|u| {
                u.scheme() == "https"
                    || (u.scheme() == "http"
                        && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
            });
            if !ok {
                return Err(Error::invalid_argument(format!(
                    "hand_over_url {href:?} is not an https:// URL (plain http is allowed only \
                     for localhost)"
                )));
            }
        }
        Ok(())
    }

    /// The package JSON (documents without content; `with_documents` false leaves them out).
    pub(crate) fn wire(&self, with_documents: bool) -> Value {
        let mut v = json!({
            "name": self.name,
            "type": "PACKAGE",
            "status": if self.send { "SENT" } else { "DRAFT" },
            "autocomplete": self.autocomplete,
            "roles": self.signers.iter().enumerate().map(|(i, s)| s.wire(i)).collect::<Vec<_>>(),
        });
        let obj = v.as_object_mut();
        if let Some(o) = obj {
            if let Some(d) = &self.description {
                o.insert("description".into(), json!(d));
            }
            if let Some(m) = &self.email_message {
                o.insert("emailMessage".into(), json!(m));
            }
            if let Some(d) = &self.due {
                o.insert("due".into(), json!(d));
            }
            if let Some(l) = &self.language {
                o.insert("language".into(), json!(l));
            }
            if let Some(href) = &self.hand_over_url {
                o.insert(
                    "settings".into(),
                    json!({"ceremony": {"handOver": {
                        "href": href, "text": "Continue", "title": "Continue"}}}),
                );
            }
            if with_documents {
                o.insert(
                    "documents".into(),
                    Value::Array(
                        self.documents
                            .iter()
                            .enumerate()
                            .map(|(i, d)| d.wire(Some(i)))
                            .collect(),
                    ),
                );
            }
        }
        v
    }
}

fn check_date(field: &str, s: &str) -> Result<()> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let ok = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "{field} {s:?} is not a UTC date-time; write it as yyyy-MM-ddTHH:mm:ss (GMT)"
        )))
    }
}

/// A signer of a new transaction, filling the role `role_id`.
#[derive(Debug, Clone, schemars::JsonSchema)]
pub struct Signer {
    /// The role id (your choice, e.g. `buyer`; signature fields refer to it).
    pub role_id: String,
    /// The signer's email (invitations go there).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Signing order (1 = first); default: the order signers were added.
    pub order: Option<u32>,
}

impl Signer {
    /// A signer for `role_id`.
    pub fn new(
        role_id: impl Into<String>,
        email: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
    ) -> Signer {
        Signer {
            role_id: role_id.into(),
            email: email.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            company: None,
            title: None,
            order: None,
        }
    }

    /// Set the company.
    pub fn company(mut self, company: impl Into<String>) -> Signer {
        self.company = Some(company.into());
        self
    }

    /// Set the title.
    pub fn title(mut self, title: impl Into<String>) -> Signer {
        self.title = Some(title.into());
        self
    }

    /// Set the signing order (1 = first; equal numbers sign in parallel).
    pub fn order(mut self, order: u32) -> Signer {
        self.order = Some(order);
        self
    }

    fn validate(&self) -> Result<()> {
        check_id("role id", &self.role_id, IdSyntax::Encoded)?;
        let e = self.email.trim();
        let at = e.find('@');
        if e.is_empty() || at.is_none_or(|i| i == 0 || i + 1 >= e.len()) || e.contains(' ') {
            return Err(Error::invalid_argument(format!(
                "signer {:?}: email {:?} is not an email address",
                self.role_id, self.email
            )));
        }
        if self.first_name.trim().is_empty() || self.last_name.trim().is_empty() {
            return Err(Error::invalid_argument(format!(
                "signer {:?}: first and last name are required",
                self.role_id
            )));
        }
        Ok(())
    }

    fn wire(&self, position: usize) -> Value {
        let mut signer = json!({
            "email": self.email.trim(),
            "firstName": self.first_name,
            "lastName": self.last_name,
        });
        if let Some(o) = signer.as_object_mut() {
            if let Some(c) = &self.company {
                o.insert("company".into(), json!(c));
            }
            if let Some(t) = &self.title {
                o.insert("title".into(), json!(t));
            }
        }
        json!({
            "id": self.role_id,
            "name": self.role_id,
            "type": "SIGNER",
            "index": self.order.map_or(position as u64 + 1, u64::from),
            "signers": [signer],
        })
    }
}

/// A PDF document of a new transaction, with its signature fields.
#[derive(Clone)]
pub struct DocumentSpec {
    /// The document id (your choice; OneSpan makes one when `None`).
    pub id: Option<String>,
    /// The name shown to signers (also the upload's file name).
    pub name: String,
    /// The PDF.
    pub data: Bytes,
    /// Signature fields.
    pub fields: Vec<SignatureField>,
}

impl fmt::Debug for DocumentSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentSpec")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("bytes", &self.data.len())
            .field("fields", &self.fields)
            .finish()
    }
}

impl DocumentSpec {
    /// A document from PDF bytes. Fails with [`ErrorCode::InvalidDocument`] when `data` is not a
    /// complete PDF, [`ErrorCode::InvalidArgument`] when the name is empty.
    pub fn from_bytes(name: impl Into<String>, data: impl Into<Bytes>) -> Result<DocumentSpec> {
        let name = name.into();
        let data = data.into();
        check_document_name(&name)?;
        crate::pdf::validate_pdf(&name, &data)?;
        Ok(DocumentSpec {
            id: None,
            name,
            data,
            fields: Vec::new(),
        })
    }

    /// A document read from a PDF file, named after the file (without `.pdf`).
    pub async fn from_path(path: impl AsRef<Path>) -> Result<DocumentSpec> {
        let path = path.as_ref();
        let data = tokio::fs::read(path)
            .await
            .map_err(|e| Error::io("read", path, e))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "document".to_string());
        DocumentSpec::from_bytes(name, data)
    }

    /// Choose the document id.
    pub fn id(mut self, id: impl Into<String>) -> DocumentSpec {
        self.id = Some(id.into());
        self
    }

    /// Add a signature field.
    pub fn field(mut self, field: SignatureField) -> DocumentSpec {
        self.fields.push(field);
        self
    }

    fn validate(&self, roles: &std::collections::HashSet<&str>) -> Result<()> {
        check_document_name(&self.name)?;
        if let Some(id) = &self.id {
            check_id("document id", id, IdSyntax::Encoded)?;
            if id.eq_ignore_ascii_case("zip") {
                return Err(Error::invalid_argument(
                    "document id \"zip\" is taken by the ZIP download path; choose another id",
                ));
            }
        }
        crate::pdf::validate_pdf(&self.name, &self.data)?;
        for f in &self.fields {
            f.validate(&self.name)?;
            if !roles.contains(f.role_id.as_str()) {
                return Err(Error::invalid_argument(format!(
                    "document {:?} has a signature field for role {:?}, but no signer has that \
                     role id",
                    self.name, f.role_id
                )));
            }
        }
        Ok(())
    }

    /// The document JSON (no content); `index` its position in the package.
    pub(crate) fn wire(&self, index: Option<usize>) -> Value {
        let approvals: Vec<Value> = self
            .fields
            .iter()
            .map(|f| json!({"role": f.role_id, "fields": [f.wire()]}))
            .collect();
        let mut v = json!({"name": self.name, "approvals": approvals});
        if let Some(o) = v.as_object_mut() {
            if let Some(id) = &self.id {
                o.insert("id".into(), json!(id));
            }
            if let Some(i) = index {
                o.insert("index".into(), json!(i));
            }
        }
        v
    }
}

/// OneSpan's document name rules: 1–256 characters, none of `\ / : * ? " < > |` or control
/// characters (the service would replace them).
fn check_document_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 256 {
        return Err(Error::invalid_argument(format!(
            "document name {name:?} must be 1-256 characters"
        )));
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || "\\/:*?\"<>|".contains(*c))
    {
        return Err(Error::invalid_argument(format!(
            "document name {name:?} contains {c:?}; names cannot contain \\ / : * ? \" < > | or \
             control characters"
        )));
    }
    Ok(())
}

/// A signature field: where `role_id` signs, on `page` (0-based), in PDF points from the top
/// left corner.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct SignatureField {
    /// The role that signs here.
    pub role_id: String,
    /// The page, 0-based.
    pub page: u32,
    /// Distance from the top of the page.
    pub top: f64,
    /// Distance from the left of the page.
    pub left: f64,
    /// Width (default 200).
    pub width: f64,
    /// Height (default 50).
    pub height: f64,
    /// The kind of signature (default full name).
    pub kind: SignatureKind,
}

impl SignatureField {
    /// A 200 × 50 full-name signature for `role_id` at (`top`, `left`) on `page` (0-based).
    pub fn new(role_id: impl Into<String>, page: u32, top: f64, left: f64) -> SignatureField {
        SignatureField {
            role_id: role_id.into(),
            page,
            top,
            left,
            width: 200.0,
            height: 50.0,
            kind: SignatureKind::FullName,
        }
    }

    /// Set the size.
    pub fn size(mut self, width: f64, height: f64) -> SignatureField {
        self.width = width;
        self.height = height;
        self
    }

    /// Set the kind of signature.
    pub fn kind(mut self, kind: SignatureKind) -> SignatureField {
        self.kind = kind;
        self
    }

    fn validate(&self, document: &str) -> Result<()> {
        let ok = [self.top, self.left]
            .iter()
            .all(|v| v.is_finite() && *v >= 0.0)
            && [self.width, self.height]
                .iter()
                .all(|v| v.is_finite() && *v > 0.0);
        if !ok {
            return Err(Error::invalid_argument(format!(
                "document {document:?}: the signature field of role {:?} has an invalid position \
                 or size (top/left must be >= 0, width/height > 0)",
                self.role_id
            )));
        }
        Ok(())
    }

    fn wire(&self) -> Value {
        json!({
            "type": "SIGNATURE",
            "subtype": self.kind.as_str(),
            "page": self.page,
            "top": self.top,
            "left": self.left,
            "width": self.width,
            "height": self.height,
        })
    }
}

/// A sparse update of a draft transaction (`PUT /packages/{id}`); only the fields set are sent.
/// OneSpan refuses updates once the transaction is sent ([`ErrorCode::InvalidState`]).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New invitation message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    /// New expiry (UTC, `yyyy-MM-ddTHH:mm:ss`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// New autocomplete setting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<bool>,
}

impl PackageUpdate {
    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(n) = &self.name {
            if n.trim().is_empty() {
                return Err(Error::invalid_argument("the new name is empty"));
            }
        }
        if let Some(d) = &self.due {
            check_date("due", d)?;
        }
        if self.name.is_none()
            && self.description.is_none()
            && self.email_message.is_none()
            && self.due.is_none()
            && self.autocomplete.is_none()
        {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "the update changes nothing; set at least one field",
            ));
        }
        Ok(())
    }
}
