//! The provider-neutral signing session: one set of types and calls for document signing,
//! whichever provider does the work (ZignSec BankID Norway or OneSpan Sign).
//!
//! Flow: describe the session ([`NewSession`]: PDFs, signers, where each signs) →
//! [`SigningService::start`] (creates it, uploads the PDFs and starts it, in one call) → send each
//! signer to their URL → [`SigningService::wait`] (or [`status`](SigningService::status)) →
//! [`SigningService::save_all`] or [`download`](SigningService::download) the signed PDFs.
//!
//! A session is named by a [`SessionRef`], a plain string such as `"zignsec:5b0e…"` or
//! `"onespan:bw1F…="`: store it anywhere, and any later call (from any language binding) finds the
//! session and its provider again.
//!
//! ```no_run
//! use signbridge::signing::{NewSession, SessionDocument, SessionSigner, SignatureField};
//! use signbridge::{Client, Config, WaitOptions};
//!
//! # async fn run() -> signbridge::Result<()> {
//! let client = Client::new(Config::from_env()?)?;
//! let signing = client.signing()?;
//! let session = NewSession {
//!     documents: vec![SessionDocument::from_path("contract.pdf")
//!         .with_field(SignatureField::at(1, 60.0, 650.0))],
//!     signers: vec![SessionSigner::new("Kari", "Nordmann").with_email("kari@example.com")],
//!     ..NewSession::default()
//! };
//! let started = signing.start(&session).await?;
//! for s in &started.signers {
//!     println!("{} signs at {}", s.name, s.url);
//! }
//! let done = signing.wait(&started.id, &WaitOptions::default()).await?;
//! signing.save_all(&done, "signed/").await?;
//! # Ok(()) }
//! ```
//!
//! What differs between providers is stated where it matters: ZignSec BankID Norway has one
//! signer per session and no cancel call; OneSpan has several signers and a cancel (the
//! transaction is moved to the trash).

mod onespan;
mod verified;
mod zignsec;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::pdf::validate_pdf;
use crate::polling::WaitOptions;
use crate::providers::{check_id, IdSyntax};
use crate::session::SessionStatus;

pub use onespan::OnespanOptions;
pub use zignsec::ZignsecOptions;

// ---------------------------------------------------------------------------------------------
// Providers and session references

/// A document-signing provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// ZignSec gateway, BankID Norway signing (one signer per session).
    Zignsec,
    /// OneSpan Sign transactions (one or more signers).
    Onespan,
}

impl Provider {
    /// Every provider, in the order the CLI demo runs them.
    pub const ALL: [Provider; 2] = [Provider::Zignsec, Provider::Onespan];

    /// The lowercase name used in configuration and in [`SessionRef`]s (`"zignsec"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Zignsec => "zignsec",
            Provider::Onespan => "onespan",
        }
    }

    /// The provider's display name (`"ZignSec"`).
    pub const fn display_name(self) -> &'static str {
        match self {
            Provider::Zignsec => "ZignSec",
            Provider::Onespan => "OneSpan",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = Error;

    /// Parse `zignsec` or `onespan` (case-insensitive); anything else is
    /// [`ErrorCode::InvalidArgument`].
    fn from_str(s: &str) -> Result<Provider> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zignsec" => Ok(Provider::Zignsec),
            "onespan" => Ok(Provider::Onespan),
            _ => Err(Error::invalid_argument(format!(
                "unknown signing provider {s:?}: use \"zignsec\" or \"onespan\""
            ))),
        }
    }
}

/// The `signing` section of the configuration: which provider [`crate::Client::signing`] uses
/// when more than one document-signing provider is configured.
///
/// ```json
/// { "signing": { "provider": "onespan" } }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// The provider new sessions are started with.
    #[serde(default)]
    pub provider: Option<Provider>,
}

/// The name of a signing session: its provider and the provider's id, written
/// `"<provider>:<id>"` (`"zignsec:5b0e…"`, `"onespan:bw1F…="`).
///
/// Parse one with [`str::parse`] (a malformed string is [`ErrorCode::InvalidArgument`]) and print
/// it with `Display`; serde reads and writes the same string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionRef {
    provider: Provider,
    id: String,
}

impl schemars::JsonSchema for SessionRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SessionRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A signing session: `<provider>:<id>` (`zignsec:5b0e…`, `onespan:bw1F…=`).",
            "pattern": "^(zignsec|onespan):.+$"
        })
    }
}

impl SessionRef {
    /// A reference to session `id` of `provider`. The id is checked as the provider shapes them
    /// ([`ErrorCode::InvalidArgument`] otherwise).
    pub fn new(provider: Provider, id: impl Into<String>) -> Result<SessionRef> {
        let id = id.into();
        check_session_id(provider, &id)?;
        Ok(SessionRef { provider, id })
    }

    /// The provider that holds the session.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The provider's own session id (without the `provider:` prefix).
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn check_session_id(provider: Provider, id: &str) -> Result<()> {
    match provider {
        Provider::Zignsec => check_id("ZignSec session id", id, IdSyntax::Plain),
        Provider::Onespan => {
            // OneSpan ids are base64-like (`bw1FGkfWT7tf0X4r6bHUfvIblKQ=`); they are escaped when
            // placed in a path, so only printable, unspaced text of sane length is required.
            let ok = !id.is_empty() && id.len() <= 256 && id.bytes().all(|b| b.is_ascii_graphic());
            if ok {
                Ok(())
            } else {
                Err(Error::invalid_argument(format!(
                    "OneSpan transaction id {id:?} is not valid: expected 1-256 printable \
                     characters without spaces, as OneSpan returns them"
                )))
            }
        }
    }
}

impl fmt::Display for SessionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider, self.id)
    }
}

impl FromStr for SessionRef {
    type Err = Error;

    fn from_str(s: &str) -> Result<SessionRef> {
        let t = s.trim();
        let Some((prefix, id)) = t.split_once(':') else {
            return Err(Error::invalid_argument(format!(
                "session reference {s:?} has no provider prefix: write it as \"zignsec:<id>\" or \
                 \"onespan:<id>\", as start() returned it"
            )));
        };
        let provider: Provider = prefix.parse().map_err(|_| {
            Error::invalid_argument(format!(
                "session reference {s:?} names an unknown provider {prefix:?}: write it as \
                 \"zignsec:<id>\" or \"onespan:<id>\""
            ))
        })?;
        SessionRef::new(provider, id).map_err(|e| {
            Error::invalid_argument(format!("session reference {s:?}: {}", e.message()))
        })
    }
}

impl Serialize for SessionRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SessionRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.message()))
    }
}

impl AsRef<SessionRef> for SessionRef {
    fn as_ref(&self) -> &SessionRef {
        self
    }
}

// ---------------------------------------------------------------------------------------------
// What to sign

/// A session to start: documents, signers and where each signs.
///
/// Deserializable from the JSON the bindings pass (`{"documents": [{"path": "a.pdf"}], ...}`);
/// unknown fields are refused.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewSession {
    /// A title for the whole session (the OneSpan transaction name; ZignSec has none). Default:
    /// the first document's name.
    pub title: Option<String>,
    /// The PDFs, in the order the signers see them. At least one.
    pub documents: Vec<SessionDocument>,
    /// Who signs. At least one; ZignSec BankID Norway takes exactly one.
    pub signers: Vec<SessionSigner>,
    /// Where the signer's browser goes when done.
    pub redirects: Redirects,
    /// The language of the signing pages (e.g. `"en"`, `"no"`), passed to the provider as given.
    pub locale: Option<String>,
    /// ZignSec-only settings (relay state, webhook, metadata).
    pub zignsec: Option<ZignsecOptions>,
    /// OneSpan-only settings (description, invitation message, expiry).
    pub onespan: Option<OnespanOptions>,
    /// The provider to start the session with, instead of the service's (the configuration's
    /// `signing.provider`, or the only document-signing provider configured).
    pub provider: Option<Provider>,
}

/// One PDF of a session.
///
/// In JSON: `{"name": "a.pdf", "path": "/tmp/a.pdf", "fields": [...]}` or
/// `{"name": "a.pdf", "data_base64": "JVBERi0…"}` (`base64` is read as `data_base64`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "WireDocument")]
pub struct SessionDocument {
    /// The name the signers see. When empty, the file name of a `path` content.
    pub name: String,
    /// The PDF.
    pub content: DocumentContent,
    /// Where signatures go. None: the provider's default place (ZignSec), or one signature
    /// per signer stacked near the top of the first page (OneSpan, which also gives a signer
    /// without any field in the session one on the first document).
    pub fields: Vec<SignatureField>,
}

/// A session's document as JSON gives it: exactly one of `path` and `data_base64`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SessionDocument")]
struct WireDocument {
    /// The name the signers see (default: the file name of `path`).
    #[serde(default)]
    name: String,
    /// A PDF file, read when the session starts.
    #[serde(default)]
    path: Option<PathBuf>,
    /// Or the PDF bytes, base64.
    #[serde(default, alias = "base64")]
    data_base64: Option<String>,
    /// Where signatures go (default: the provider's place).
    #[serde(default)]
    fields: Vec<SignatureField>,
}

impl schemars::JsonSchema for SessionDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        WireDocument::schema_name()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        WireDocument::json_schema(g)
    }
}

impl TryFrom<WireDocument> for SessionDocument {
    type Error = String;

    fn try_from(w: WireDocument) -> std::result::Result<Self, String> {
        use base64::Engine as _;
        let content = match (w.path, w.data_base64) {
            (Some(p), None) => DocumentContent::Path(p),
            (None, Some(b)) => DocumentContent::Bytes(Bytes::from(
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .map_err(|e| {
                        format!("document {:?}: base64 content is invalid: {e}", w.name)
                    })?,
            )),
            _ => {
                return Err(format!(
                    "document {:?} needs exactly one of path and data_base64",
                    w.name
                ))
            }
        };
        Ok(SessionDocument {
            name: w.name,
            content,
            fields: w.fields,
        })
    }
}

impl SessionDocument {
    /// A document read from `path` when the session starts (named after the file).
    pub fn from_path(path: impl Into<PathBuf>) -> SessionDocument {
        SessionDocument {
            name: String::new(),
            content: DocumentContent::Path(path.into()),
            fields: Vec::new(),
        }
    }

    /// A document from memory.
    pub fn from_bytes(name: impl Into<String>, data: impl Into<Bytes>) -> SessionDocument {
        SessionDocument {
            name: name.into(),
            content: DocumentContent::Bytes(data.into()),
            fields: Vec::new(),
        }
    }

    /// The same document with one more signature field.
    pub fn with_field(mut self, field: SignatureField) -> SessionDocument {
        self.fields.push(field);
        self
    }
}

/// The bytes of a document, or where to read them.
#[derive(Clone, PartialEq, Eq)]
pub enum DocumentContent {
    /// The PDF bytes.
    Bytes(Bytes),
    /// A PDF file, read when the session starts.
    Path(PathBuf),
}

impl fmt::Debug for DocumentContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentContent::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            DocumentContent::Path(p) => f.debug_tuple("Path").field(p).finish(),
        }
    }
}

/// A signer of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionSigner {
    /// Your id for this signer (letters, digits, `-`, `_`, `.`). Default `signer1`,
    /// `signer2`… in order. ZignSec keeps no signer ids: its one signer is always `signer1`.
    #[serde(default)]
    pub id: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// E-mail address (OneSpan requires it; ZignSec does not use it).
    #[serde(default)]
    pub email: Option<String>,
}

impl SessionSigner {
    /// A signer with this name.
    pub fn new(first_name: impl Into<String>, last_name: impl Into<String>) -> SessionSigner {
        SessionSigner {
            first_name: first_name.into(),
            last_name: last_name.into(),
            ..SessionSigner::default()
        }
    }

    /// The same signer with an e-mail address.
    pub fn with_email(mut self, email: impl Into<String>) -> SessionSigner {
        self.email = Some(email.into());
        self
    }

    /// The same signer with your id.
    pub fn with_id(mut self, id: impl Into<String>) -> SessionSigner {
        self.id = Some(id.into());
        self
    }

    /// `First Last`.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name.trim(), self.last_name.trim())
            .trim()
            .to_string()
    }
}

/// Which signer a [`SignatureField`] belongs to: an index into [`NewSession::signers`] or a
/// signer id. In JSON: `0` or `"buyer"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(untagged, expecting = "a signer index (number) or id (string)")]
pub enum SignerSelector {
    /// The n-th signer (0-based).
    Index(usize),
    /// The signer with this id.
    Id(String),
}

impl Default for SignerSelector {
    fn default() -> Self {
        SignerSelector::Index(0)
    }
}

/// Where a signature goes: a box on a page, in PDF points measured from the page's **top-left**
/// corner. `page` starts at 1.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureField {
    /// Whose signature (default: the first signer).
    #[serde(default)]
    pub signer: SignerSelector,
    /// Page number, 1-based.
    pub page: u32,
    /// Distance from the left edge, in points.
    pub left: f64,
    /// Distance from the top edge, in points.
    pub top: f64,
    /// Box width in points (default 200). ZignSec draws its own stamp and uses only the corner.
    #[serde(default = "default_width")]
    pub width: f64,
    /// Box height in points (default 50).
    #[serde(default = "default_height")]
    pub height: f64,
}

fn default_width() -> f64 {
    200.0
}

fn default_height() -> f64 {
    50.0
}

impl SignatureField {
    /// A 200×50 pt signature box for the first signer whose top-left corner is at
    /// (`left`, `top`) on `page` (1-based).
    pub fn at(page: u32, left: f64, top: f64) -> SignatureField {
        SignatureField {
            signer: SignerSelector::Index(0),
            page,
            left,
            top,
            width: default_width(),
            height: default_height(),
        }
    }

    /// The same field for another signer.
    pub fn for_signer(mut self, signer: SignerSelector) -> SignatureField {
        self.signer = signer;
        self
    }

    /// The same field with another size.
    pub fn sized(mut self, width: f64, height: f64) -> SignatureField {
        self.width = width;
        self.height = height;
        self
    }
}

/// Where the signer's browser goes after the signing pages.
///
/// ZignSec sends the browser to `success`, or to its one failure address (`cancel`, else
/// `error`; when both are given they must be the same URL — ZignSec adds `errorCode` to tell
/// them apart). OneSpan has one link for a signer who is done: `success` becomes the signing
/// page's hand-over link (`settings.ceremony.handOver`); `cancel` and `error` are not used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Redirects {
    /// After signing.
    pub success: Option<String>,
    /// After the signer cancelled or declined.
    pub cancel: Option<String>,
    /// After a failure.
    pub error: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Results

/// The answer to [`SigningService::start`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StartedSession {
    /// The session, for every later call.
    pub id: SessionRef,
    /// The provider that runs it.
    pub provider: Provider,
    /// Where to send each signer, in the order of [`NewSession::signers`].
    pub signers: Vec<SignerLink>,
}

/// Where one signer signs.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SignerLink {
    /// The signer's id (given, or `signer1`…).
    pub signer_id: String,
    /// The signer's full name.
    pub name: String,
    /// The signing page to open in the signer's browser.
    pub url: String,
}

/// The state of a session, as [`SigningService::status`] reads it. Written with `is_terminal`
/// too ([`SessionStatus::is_terminal`] of its status).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(into = "SessionStateOut")]
pub struct SessionState {
    /// The session.
    pub id: SessionRef,
    /// The provider's own id of the session (the part after `provider:` in [`SessionState::id`]),
    /// e.g. to find it in the provider's dashboard.
    pub provider_id: String,
    /// Its state.
    pub status: SessionStatus,
    /// Each signer and whether they have signed.
    pub signers: Vec<SignerState>,
}

/// A [`SessionState`] as results write it: its fields and `is_terminal`.
#[derive(Serialize, schemars::JsonSchema)]
struct SessionStateOut {
    /// The session.
    id: SessionRef,
    /// The provider's own id of the session (the part after `provider:` in `id`).
    provider_id: String,
    /// Its state.
    status: SessionStatus,
    /// Whether the state is final (`Finished`, `Cancelled`, `Rejected`, `Failed`, `Expired`):
    /// it will not change any more.
    is_terminal: bool,
    /// Each signer and whether they have signed.
    signers: Vec<SignerState>,
}

impl From<SessionState> for SessionStateOut {
    fn from(s: SessionState) -> SessionStateOut {
        SessionStateOut {
            is_terminal: s.status.is_terminal(),
            id: s.id,
            provider_id: s.provider_id,
            status: s.status,
            signers: s.signers,
        }
    }
}

/// Whether one signer has signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SignerState {
    /// The signer's id.
    pub signer_id: String,
    /// True once this signer has signed.
    pub signed: bool,
}

/// A finished session and its signed documents.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CompletedSession {
    /// The session.
    pub id: SessionRef,
    /// The signed documents, in order.
    pub files: Vec<SignedFile>,
}

/// One signed document of a [`CompletedSession`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SignedFile {
    /// The id to pass to [`SigningService::download`].
    pub document_id: String,
    /// The document's name (a file name once made safe by [`SigningService::save_all`]).
    pub name: String,
}

// ---------------------------------------------------------------------------------------------
// The service

/// Document signing over whichever provider is configured. Cheap to clone; obtained from
/// [`crate::Client::signing`] or [`crate::Client::signing_with`].
///
/// `start` uses the chosen provider; the other calls go to the provider named in the
/// [`SessionRef`] (when it is configured in the same client).
#[derive(Clone, Debug)]
pub struct SigningService {
    provider: Provider,
    zignsec: Option<zignsec::Backend>,
    onespan: Option<onespan::Backend>,
}

impl SigningService {
    /// Build the service for `provider` from the configured provider clients. Fails with
    /// [`ErrorCode::AuthConfigMissing`] when `provider` is not configured.
    pub(crate) fn new(
        provider: Provider,
        zignsec: Option<&crate::providers::zignsec::ZignsecClient>,
        onespan: Option<&crate::providers::onespan::OnespanClient>,
    ) -> Result<SigningService> {
        let svc = SigningService {
            provider,
            zignsec: zignsec.map(|z| zignsec::Backend::new(z.signing())),
            onespan: onespan.map(|o| onespan::Backend::new(o.clone())),
        };
        svc.require(provider)?;
        Ok(svc)
    }

    /// The provider [`start`](Self::start) uses.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    fn zignsec(&self) -> Result<&zignsec::Backend> {
        self.zignsec
            .as_ref()
            .ok_or_else(|| not_configured(Provider::Zignsec))
    }

    fn onespan(&self) -> Result<&onespan::Backend> {
        self.onespan
            .as_ref()
            .ok_or_else(|| not_configured(Provider::Onespan))
    }

    fn require(&self, provider: Provider) -> Result<()> {
        match provider {
            Provider::Zignsec => self.zignsec().map(|_| ()),
            Provider::Onespan => self.onespan().map(|_| ()),
        }
    }

    /// Create the session at the provider, upload every PDF and start it, in one call; returns
    /// where to send each signer.
    ///
    /// Everything is checked locally first — every PDF (non-empty, `%PDF-` header, `%%EOF`
    /// trailer: [`ErrorCode::InvalidDocument`]), signers, fields, URLs and the provider's limits
    /// ([`ErrorCode::InvalidArgument`]) — so a bad session sends nothing. When a later step fails
    /// after the provider created the session, the error says so and names it: ZignSec has no
    /// delete call (the unstarted session expires unused); a OneSpan transaction (created and
    /// sent in one request) whose signing URLs cannot be read is deleted.
    pub async fn start(&self, session: &NewSession) -> Result<StartedSession> {
        let provider = session.provider.unwrap_or(self.provider);
        self.require(provider)?;
        let prepared = prepare(session, provider).await?;
        match provider {
            Provider::Zignsec => self.zignsec()?.start(&prepared).await,
            Provider::Onespan => self.onespan()?.start(&prepared).await,
        }
    }

    /// Read a session's state.
    pub async fn status(&self, session: &SessionRef) -> Result<SessionState> {
        match session.provider() {
            Provider::Zignsec => self.zignsec()?.status(session).await,
            Provider::Onespan => self.onespan()?.status(session).await,
        }
    }

    /// Poll until the session is final. A finished session returns its signed documents; the
    /// other final states are errors, the same for every provider: declined or rejected →
    /// [`ErrorCode::Rejected`] (with the signer's reason when the provider gives one), expired →
    /// [`ErrorCode::SessionExpired`], cancelled → [`ErrorCode::Cancelled`], failed →
    /// [`ErrorCode::SigningFailed`]. `opts.on_progress` sees every state polled.
    pub async fn wait(
        &self,
        session: &SessionRef,
        opts: &WaitOptions<SessionState>,
    ) -> Result<CompletedSession> {
        match session.provider() {
            Provider::Zignsec => self.zignsec()?.wait(session, opts).await,
            Provider::Onespan => self.onespan()?.wait(session, opts).await,
        }
    }

    /// The outcome of a session, read once without waiting: a finished session's signed
    /// documents, the error its unsuccessful final state maps to (as [`wait`](Self::wait)), or
    /// [`ErrorCode::InvalidState`] while it is still going on.
    pub async fn result(&self, session: &SessionRef) -> Result<CompletedSession> {
        match session.provider() {
            Provider::Zignsec => self.zignsec()?.result(session).await,
            Provider::Onespan => self.onespan()?.result(session).await,
        }
    }

    /// Download one signed document (`document_id` from [`CompletedSession::files`]), verified
    /// against the provider's checksum when it reports one.
    pub async fn download(&self, session: &SessionRef, document_id: &str) -> Result<Bytes> {
        check_document_id(document_id)?;
        match session.provider() {
            Provider::Zignsec => self.zignsec()?.download(session, document_id).await,
            Provider::Onespan => self.onespan()?.download(session, document_id).await,
        }
    }

    /// Save every signed document of a finished session into `dir` (created if missing), under
    /// the documents' names made safe (no directories, no clashes; a file already in `dir` is
    /// never replaced: a taken name gets `-2`, `-3`… before its extension, unless
    /// `transport.save_overwrite`; mode `transport.save_mode`, 0600). Each file is streamed to a
    /// temporary file beside its target (never held in memory), verified (the provider's
    /// checksum when it reports one; a complete PDF), then renamed into place: a failed file
    /// leaves nothing at its target and an existing file there untouched. Files saved before a
    /// failure stay. Returns the paths written, in order.
    pub async fn save_all(
        &self,
        done: &CompletedSession,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io("create directory", dir, e))?;
        let names = crate::files::unique_file_names(
            done.files.iter().map(|f| f.name.as_str()),
            crate::files::DEFAULT_DOCUMENT_NAME,
        );
        let (overwrite, mode) = match done.id.provider() {
            Provider::Zignsec => self.zignsec()?.save_options(),
            Provider::Onespan => self.onespan()?.save_options(),
        };
        let mut written = Vec::with_capacity(done.files.len());
        for (f, name) in done.files.iter().zip(names) {
            // Downloaded beside its target, then named without replacing an existing file.
            let staging = crate::files::reserve(dir, mode).await?;
            self.download_to(&done.id, &f.document_id, &staging).await?;
            let d = dir.to_path_buf();
            let path = crate::runtime::blocking_io(move || {
                crate::files::place(staging, &d, &name, overwrite)
            })
            .await?;
            written.push(path);
        }
        Ok(written)
    }

    /// [`download`](Self::download) streamed into `path`, atomically.
    async fn download_to(
        &self,
        session: &SessionRef,
        document_id: &str,
        path: &Path,
    ) -> Result<u64> {
        check_document_id(document_id)?;
        match session.provider() {
            Provider::Zignsec => {
                self.zignsec()?
                    .download_to(session, document_id, path)
                    .await
            }
            Provider::Onespan => {
                self.onespan()?
                    .download_to(session, document_id, path)
                    .await
            }
        }
    }

    /// Stop a session that is still waiting for signers, where the provider allows it: OneSpan
    /// moves the transaction to the trash (the signing links stop working). ZignSec has no cancel
    /// call ([`ErrorCode::InvalidArgument`]): its session ends when the signer cancels or
    /// expires unused.
    pub async fn cancel(&self, session: &SessionRef) -> Result<()> {
        match session.provider() {
            Provider::Zignsec => {
                self.zignsec()?;
                Err(Error::invalid_argument(format!(
                    "{session}: ZignSec BankID Norway has no call to cancel a signing session; \
                     it ends when the signer cancels on the signing page or when it expires"
                )))
            }
            Provider::Onespan => self.onespan()?.cancel(session).await,
        }
    }
}

fn not_configured(p: Provider) -> Error {
    let hint = match p {
        Provider::Zignsec => {
            "add a \"zignsec\" section (or set SIGNBRIDGE_ZIGNSEC_KEY and SIGNBRIDGE_ZIGNSEC_URL)"
        }
        Provider::Onespan => "add an \"onespan\" section with base_url and api_key",
    };
    Error::new(
        ErrorCode::AuthConfigMissing,
        format!(
            "{} is not configured in this client, so it cannot sign documents; {hint}",
            p.display_name()
        ),
    )
}

/// Which provider [`crate::Client::signing`] uses: the configured choice, else the only
/// configured document-signing provider.
pub(crate) fn choose_provider(
    configured: Option<Provider>,
    available: &[Provider],
) -> Result<Provider> {
    if let Some(p) = configured {
        return Ok(p);
    }
    match available {
        [only] => Ok(*only),
        [] => Err(Error::new(
            ErrorCode::AuthConfigMissing,
            "no document-signing provider is configured: add a \"zignsec\" or an \"onespan\" \
             section",
        )),
        several => Err(Error::invalid_config(format!(
            "{} document-signing providers are configured ({}); choose one with \
             {{\"signing\": {{\"provider\": \"{}\"}}}} in the configuration, or call \
             signing_with(Provider::...)",
            several.len(),
            several
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            several[0]
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Local preparation, shared by every provider

/// A session checked and read, ready for a provider.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub title: String,
    pub documents: Vec<PreparedDocument>,
    pub signers: Vec<PreparedSigner>,
    pub redirects: Redirects,
    pub locale: Option<String>,
    pub zignsec: Option<ZignsecOptions>,
    pub onespan: Option<OnespanOptions>,
}

#[derive(Debug, Clone)]
pub(crate) struct PreparedDocument {
    pub name: String,
    pub data: Bytes,
    pub fields: Vec<PreparedField>,
}

#[derive(Debug, Clone)]
pub(crate) struct PreparedSigner {
    pub id: String,
    pub name: String,
    pub signer: SessionSigner,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PreparedField {
    /// Index into `Prepared::signers`.
    pub signer: usize,
    /// 1-based.
    pub page: u32,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// The largest page size accepted (PDF's own limit is 14 400 points).
const MAX_POINTS: f64 = 14_400.0;

async fn prepare(s: &NewSession, provider: Provider) -> Result<Prepared> {
    if s.documents.is_empty() {
        return Err(Error::invalid_argument(
            "the session has no documents: add at least one PDF",
        ));
    }
    if s.signers.is_empty() {
        return Err(Error::invalid_argument(
            "the session has no signers: add at least one",
        ));
    }
    if provider == Provider::Zignsec && s.signers.len() > 1 {
        return Err(Error::invalid_argument(format!(
            "ZignSec BankID Norway signing has one signer per session, {} were given: start one \
             session per signer, or use OneSpan for several signers on one transaction",
            s.signers.len()
        )));
    }
    // Signers: ids given or signer1..n, unique and usable in URLs.
    let mut signers = Vec::with_capacity(s.signers.len());
    let mut ids = HashSet::new();
    for (i, signer) in s.signers.iter().enumerate() {
        let id = match signer.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => format!("signer{}", i + 1),
        };
        check_id(&format!("signers[{i}].id"), &id, IdSyntax::Plain)?;
        if !ids.insert(id.clone()) {
            return Err(Error::invalid_argument(format!(
                "signers[{i}].id {id:?} is used twice: each signer needs its own id"
            )));
        }
        if provider == Provider::Zignsec && id != "signer1" {
            return Err(Error::invalid_argument(format!(
                "signers[{i}].id {id:?}: ZignSec keeps no signer ids, its one signer is always \
                 \"signer1\"; leave the id empty"
            )));
        }
        if let Some(email) = &signer.email {
            let e = email.trim();
            if e.is_empty() || !e.contains('@') || e.chars().any(char::is_whitespace) {
                return Err(Error::invalid_argument(format!(
                    "signers[{i}].email {email:?} is not an e-mail address"
                )));
            }
        }
        signers.push(PreparedSigner {
            id,
            name: signer.full_name(),
            signer: signer.clone(),
        });
    }
    // Documents: read, checked as PDFs, fields resolved to signers.
    let mut documents = Vec::with_capacity(s.documents.len());
    for (i, d) in s.documents.iter().enumerate() {
        let (name, data) = match &d.content {
            DocumentContent::Bytes(b) => (d.name.clone(), b.clone()),
            DocumentContent::Path(p) => {
                let data = tokio::fs::read(p)
                    .await
                    .map_err(|e| Error::io("read", p, e))?;
                let name = if d.name.trim().is_empty() {
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                } else {
                    d.name.clone()
                };
                (name, Bytes::from(data))
            }
        };
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().any(char::is_control) || name.len() > 255 {
            return Err(Error::invalid_argument(format!(
                "documents[{i}] needs a name of 1-255 printable characters (the name the signers \
                 see), got {name:?}"
            )));
        }
        validate_pdf(&name, &data)?;
        let mut fields = Vec::with_capacity(d.fields.len());
        for (j, f) in d.fields.iter().enumerate() {
            let at = format!("documents[{i}].fields[{j}]");
            let signer = match &f.signer {
                SignerSelector::Index(n) if *n < signers.len() => *n,
                SignerSelector::Index(n) => {
                    return Err(Error::invalid_argument(format!(
                        "{at}.signer {n} is not a signer: there are {} (counted from 0)",
                        signers.len()
                    )))
                }
                SignerSelector::Id(id) => {
                    signers.iter().position(|s| s.id == *id).ok_or_else(|| {
                        Error::invalid_argument(format!(
                            "{at}.signer {id:?} is not the id of a signer of this session"
                        ))
                    })?
                }
            };
            if f.page == 0 {
                return Err(Error::invalid_argument(format!(
                    "{at}.page starts at 1 (the first page)"
                )));
            }
            for (what, v, min) in [
                ("left", f.left, 0.0),
                ("top", f.top, 0.0),
                ("width", f.width, f64::MIN_POSITIVE),
                ("height", f.height, f64::MIN_POSITIVE),
            ] {
                if !v.is_finite() || v < min || v > MAX_POINTS {
                    return Err(Error::invalid_argument(format!(
                        "{at}.{what} = {v} is out of range: points on a page, 0..{MAX_POINTS}{}",
                        if min > 0.0 { " and above 0" } else { "" }
                    )));
                }
            }
            fields.push(PreparedField {
                signer,
                page: f.page,
                left: f.left,
                top: f.top,
                width: f.width,
                height: f.height,
            });
        }
        documents.push(PreparedDocument { name, data, fields });
    }
    // Redirects: absolute http(s) URLs.
    for (what, u) in [
        ("redirects.success", &s.redirects.success),
        ("redirects.cancel", &s.redirects.cancel),
        ("redirects.error", &s.redirects.error),
    ] {
        if let Some(u) = u {
            match url::Url::parse(u) {
                Ok(p) if matches!(p.scheme(), "http" | "https") => {}
                _ => {
                    return Err(Error::invalid_argument(format!(
                        "{what} must be an absolute http(s) URL, got {u:?}"
                    )))
                }
            }
        }
    }
    let title = match s.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => documents[0].name.clone(),
    };
    Ok(Prepared {
        title,
        documents,
        signers,
        redirects: s.redirects.clone(),
        locale: s.locale.clone().filter(|l| !l.trim().is_empty()),
        zignsec: s.zignsec.clone(),
        onespan: s.onespan.clone(),
    })
}

/// Rebuild `e` with `note` appended to its message, keeping its code and provider details.
pub(crate) fn annotate(e: Error, note: &str) -> Error {
    let mut out = Error::new(e.code(), format!("{}; {note}", e.message()));
    if let Some(s) = e.http_status() {
        out = out.with_http_status(s);
    }
    if e.provider_code().is_some() || e.provider_description().is_some() {
        out = out.with_provider(
            e.provider_code().map(str::to_string),
            e.provider_description().map(str::to_string),
        );
    }
    if let Some(after) = e.retry_after() {
        out = out.with_retry_after(after);
    }
    out.with_source(e)
}

fn check_document_id(document_id: &str) -> Result<()> {
    if document_id.trim().is_empty() {
        return Err(Error::invalid_argument(
            "document_id is empty: use one from CompletedSession.files",
        ));
    }
    Ok(())
}

/// The height in points of the document's pages, read from the first `/MediaBox` found (A4,
/// 842 pt, when none is readable, e.g. inside compressed object streams).
pub(crate) fn page_height(pdf: &[u8]) -> f64 {
    const A4_HEIGHT: f64 = 842.0;
    let key = b"/MediaBox";
    let Some(at) = pdf.windows(key.len()).position(|w| w == key) else {
        return A4_HEIGHT;
    };
    let rest = &pdf[at + key.len()..pdf.len().min(at + key.len() + 120)];
    let text = String::from_utf8_lossy(rest);
    let Some(open) = text.find('[') else {
        return A4_HEIGHT;
    };
    let Some(close) = text[open..].find(']') else {
        return A4_HEIGHT;
    };
    let nums: Vec<f64> = text[open + 1..open + close]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match nums.as_slice() {
        [_, y0, _, y1] if (y1 - y0).abs() > 1.0 && (y1 - y0).abs() <= MAX_POINTS => (y1 - y0).abs(),
        _ => A4_HEIGHT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_refs_round_trip_and_refuse_garbage() {
        let r: SessionRef = "zignsec:5b0e7c1a-0000-4000-8000-000000000001"
            .parse()
            .expect("valid");
        assert_eq!(r.provider(), Provider::Zignsec);
        assert_eq!(
            r.to_string(),
            "zignsec:5b0e7c1a-0000-4000-8000-000000000001"
        );
        let r: SessionRef = "OneSpan:bw1FGkfWT7tf0X4r6bHUfvIblKQ="
            .parse()
            .expect("valid");
        assert_eq!(r.to_string(), "onespan:bw1FGkfWT7tf0X4r6bHUfvIblKQ=");
        for bad in [
            "",
            "abc",
            "docusign:1",
            "zignsec:",
            "zignsec:../x",
            "onespan:a b",
        ] {
            let e = bad.parse::<SessionRef>().expect_err(bad);
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}");
        }
        let json = serde_json::to_string(&r).expect("json");
        assert_eq!(json, "\"onespan:bw1FGkfWT7tf0X4r6bHUfvIblKQ=\"");
        let back: SessionRef = serde_json::from_str(&json).expect("back");
        assert_eq!(back, r);
    }

    #[test]
    fn provider_choice() {
        use Provider::*;
        assert_eq!(choose_provider(None, &[Zignsec]).ok(), Some(Zignsec));
        assert_eq!(
            choose_provider(Some(Onespan), &[Zignsec]).ok(),
            Some(Onespan)
        );
        let e = choose_provider(None, &[Zignsec, Onespan]).expect_err("ambiguous");
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(e.message().contains("\"signing\""), "{}", e.message());
        let e = choose_provider(None, &[]).expect_err("none");
        assert_eq!(e.code(), ErrorCode::AuthConfigMissing);
    }

    #[test]
    fn new_session_from_json() {
        let s: NewSession = serde_json::from_value(serde_json::json!({
            "title": "Deal",
            "documents": [
                {"path": "a.pdf", "fields": [{"page": 1, "left": 10, "top": 20}]},
                {"name": "b.pdf", "base64": "JVBERi0=", "fields": [{"signer": "buyer", "page": 2, "left": 1, "top": 2, "width": 3, "height": 4}]}
            ],
            "signers": [{"id": "buyer", "first_name": "A", "last_name": "B", "email": "a@example.com"}],
            "redirects": {"success": "https://example.com/ok"},
            "onespan": {"due": "2030-01-01T00:00:00"},
            "zignsec": {"relay_state": "r1"}
        }))
        .expect("valid");
        assert_eq!(
            s.documents[0].content,
            DocumentContent::Path("a.pdf".into())
        );
        assert_eq!(
            s.documents[1].content,
            DocumentContent::Bytes(Bytes::from_static(b"%PDF-"))
        );
        assert_eq!(s.documents[0].fields[0].width, 200.0);
        assert_eq!(
            s.documents[1].fields[0].signer,
            SignerSelector::Id("buyer".into())
        );
        assert!(
            serde_json::from_value::<NewSession>(serde_json::json!({"documnets": []})).is_err()
        );
    }

    #[test]
    fn names_and_page_heights() {
        assert_eq!(
            crate::files::unique_file_names(["a.pdf", "../A.pdf", "..", "x/"], "document.pdf"),
            vec!["a.pdf", "A-2.pdf", "document.pdf", "document-2.pdf"]
        );
        assert_eq!(page_height(b"<< /MediaBox [0 0 595 842] >>"), 842.0);
        assert_eq!(page_height(b"<< /MediaBox [ 0 0 612.0 792.0 ] >>"), 792.0);
        assert_eq!(page_height(b"no box"), 842.0);
    }
}
