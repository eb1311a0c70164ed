//! The provider-neutral signing session (`client.signing()`): the same code signs with ZignSec
//! BankID Norway or OneSpan Sign, the provider chosen by the configuration. A thin translation of
//! `signbridge::signing::SigningService`: arguments are read from JavaScript, the core's future
//! runs on the core's runtime and settles a Promise ([`crate::promise`]).
//!
//! A session is named by a string such as `'zignsec:5b0e…'` or `'onespan:bw1F…='` (the core's
//! `SessionRef`): store it anywhere; any later call, from any language, finds the session and
//! its provider again.

use std::path::PathBuf;

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::signing as core;
use signbridge::Error as SbError;

use crate::args::{self, is_nullish, Obj};
use crate::errors::type_error;
use crate::promise;

// ---------------------------------------------------------------------------------------------
// Requests (typings; read field by field below, unknown fields refused).

/// A session to start: PDFs, signers and where each signs. The same object works for every
/// provider; `zignsec` and `onespan` hold the settings only one of them has.
#[napi(object, object_to_js = false)]
pub struct NewSession {
    /// A title for the whole session (the OneSpan transaction name; ZignSec has none). Default:
    /// the first document's name.
    pub title: Option<String>,
    /// The PDFs, in the order the signers see them. At least one.
    pub documents: Vec<SessionDocument>,
    /// Who signs, in order. At least one; ZignSec BankID Norway takes exactly one.
    pub signers: Vec<SessionSigner>,
    /// Where the signer's browser goes when done (ZignSec; OneSpan keeps the signer on its
    /// page).
    pub redirects: Option<Redirects>,
    /// The language of the signing pages (e.g. `'en'`, `'no'`), passed to the provider as given.
    pub locale: Option<String>,
    /// ZignSec-only settings.
    pub zignsec: Option<ZignsecSessionOptions>,
    /// OneSpan-only settings.
    pub onespan: Option<OnespanSessionOptions>,
}

/// One PDF of a session: `{ path }` (read when the session starts, named after the file) or
/// `{ name, data }`.
#[napi(object, object_to_js = false)]
pub struct SessionDocument {
    /// The name the signers see (default: the file name of `path`).
    pub name: Option<String>,
    /// The PDF bytes.
    #[napi(ts_type = "Buffer | Uint8Array")]
    pub data: Option<Buffer>,
    /// A PDF file to read instead of `data`.
    pub path: Option<String>,
    /// Where signatures go. None: the provider's default place.
    pub fields: Option<Vec<SignatureField>>,
}

/// Where a signature goes: a box on a page, in PDF points from the page's **top-left** corner.
#[napi(object, object_to_js = false)]
pub struct SignatureField {
    /// Whose signature: an index into `signers` or a signer id (default `0`, the first signer).
    #[napi(ts_type = "number | string")]
    pub signer: Option<serde_json::Value>,
    /// Page number, 1-based.
    pub page: u32,
    /// Distance from the left edge, in points.
    pub left: f64,
    /// Distance from the top edge, in points.
    pub top: f64,
    /// Box width in points (default 200). ZignSec draws its own stamp and uses only the corner.
    pub width: Option<f64>,
    /// Box height in points (default 50).
    pub height: Option<f64>,
}

/// A signer of a session.
#[napi(object, object_to_js = false)]
pub struct SessionSigner {
    /// Your id for this signer (letters, digits, `-`, `_`, `.`); default `'signer1'`,
    /// `'signer2'`… in order.
    pub id: Option<String>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address (OneSpan requires it; ZignSec does not use it).
    pub email: Option<String>,
}

/// Where the signer's browser goes after the signing pages.
#[napi(object, object_to_js = false)]
pub struct Redirects {
    /// After signing.
    pub success: Option<String>,
    /// After the signer cancelled or declined.
    pub cancel: Option<String>,
    /// After a failure.
    pub error: Option<String>,
}

/// ZignSec-only settings of a session.
#[napi(object, object_to_js = false)]
pub struct ZignsecSessionOptions {
    /// Your own reference, echoed back with the redirect and in webhooks.
    pub relay_state: Option<String>,
    /// Your GDPR user reference.
    pub gdpr_user_id: Option<String>,
    /// A URL the gateway POSTs results to.
    pub webhook: Option<String>,
    /// Product metadata (a plain object).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
}

/// OneSpan-only settings of a session.
#[napi(object, object_to_js = false)]
pub struct OnespanSessionOptions {
    /// The transaction's description.
    pub description: Option<String>,
    /// The message of the invitation e-mail.
    pub email_message: Option<String>,
    /// Expiry, UTC, `'yyyy-MM-ddTHH:mm:ss'`.
    pub due: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Results.

/// A started session (`start`).
#[napi(object, object_from_js = false)]
pub struct StartedSigningSession {
    /// The session reference (`'zignsec:…'` / `'onespan:…'`), for every later call.
    pub id: String,
    /// The provider that runs it.
    #[napi(ts_type = "SigningProvider")]
    pub provider: String,
    /// Where to send each signer, in the order of `signers`.
    pub signers: Vec<SignerLink>,
}

/// Where one signer signs.
#[napi(object, object_from_js = false)]
pub struct SignerLink {
    /// The signer's id (given, or `'signer1'`…).
    pub signer_id: String,
    /// The signer's full name.
    pub name: String,
    /// The signing page to open in the signer's browser.
    pub url: String,
}

/// The state of a session (`status`, and each state `onProgress` sees).
#[napi(object, object_from_js = false)]
pub struct SessionState {
    /// The session reference.
    pub id: String,
    /// Its state.
    #[napi(ts_type = "SessionStatus")]
    pub status: String,
    /// Each signer and whether they have signed.
    pub signers: Vec<SignerState>,
}

/// Whether one signer has signed.
#[napi(object, object_from_js = false)]
pub struct SignerState {
    /// The signer's id.
    pub signer_id: String,
    /// `true` once this signer has signed.
    pub signed: bool,
}

/// A finished session and its signed documents (`wait`, `result`); pass it to `saveAll`.
#[napi(object)]
pub struct CompletedSession {
    /// The session reference.
    pub id: String,
    /// The signed documents, in order.
    pub files: Vec<SignedFile>,
}

/// One signed document of a finished session.
#[napi(object)]
pub struct SignedFile {
    /// The id to pass to `download`.
    pub document_id: String,
    /// The document's name.
    pub name: String,
}

impl From<core::StartedSession> for StartedSigningSession {
    fn from(s: core::StartedSession) -> Self {
        StartedSigningSession {
            id: s.id.to_string(),
            provider: s.provider.as_str().to_string(),
            signers: s
                .signers
                .into_iter()
                .map(|l| SignerLink {
                    signer_id: l.signer_id,
                    name: l.name,
                    url: l.url,
                })
                .collect(),
        }
    }
}

impl From<core::SessionState> for SessionState {
    fn from(s: core::SessionState) -> Self {
        SessionState {
            id: s.id.to_string(),
            status: s.status.as_str().to_string(),
            signers: s
                .signers
                .into_iter()
                .map(|x| SignerState {
                    signer_id: x.signer_id,
                    signed: x.signed,
                })
                .collect(),
        }
    }
}

impl From<core::CompletedSession> for CompletedSession {
    fn from(c: core::CompletedSession) -> Self {
        CompletedSession {
            id: c.id.to_string(),
            files: c
                .files
                .into_iter()
                .map(|f| SignedFile {
                    document_id: f.document_id,
                    name: f.name,
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading arguments.

/// A session reference string; a malformed one is the core's `SB_ERR_INVALID_ARGUMENT` (to
/// reject the Promise with).
fn read_ref(
    env: &Env,
    v: Unknown<'_>,
    what: &str,
) -> napi::Result<Result<core::SessionRef, SbError>> {
    if v.get_type()? != ValueType::String {
        return Err(type_error(
            env,
            format!(
                "{what} must be a session reference string such as 'onespan:<id>' (the `id` \
                 start() returned), got {}",
                args::describe(&v)
            ),
        ));
    }
    let s = args::string(env, v, what)?;
    Ok(s.parse())
}

fn read_field(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<core::SignatureField> {
    let o = Obj::new(
        env,
        v,
        what,
        &["signer", "page", "left", "top", "width", "height"],
    )?;
    let page = o.number("page")?;
    if page.fract() != 0.0 || page > f64::from(u32::MAX) {
        return Err(type_error(
            env,
            format!("{} must be a whole page number", o.path("page")),
        ));
    }
    let mut field = core::SignatureField::at(page as u32, o.number("left")?, o.number("top")?);
    let signer = o.get("signer")?;
    if !is_nullish(&signer) {
        field.signer = match signer.get_type()? {
            ValueType::String => {
                core::SignerSelector::Id(args::string(env, signer, &o.path("signer"))?)
            }
            ValueType::Number => {
                let n = args::opt_number(env, signer, &o.path("signer"))?.unwrap_or_default();
                if n.fract() != 0.0 {
                    return Err(type_error(
                        env,
                        format!("{} must be a whole signer index", o.path("signer")),
                    ));
                }
                core::SignerSelector::Index(n as usize)
            }
            _ => {
                return Err(type_error(
                    env,
                    format!(
                        "{} must be a signer index (number) or id (string), got {}",
                        o.path("signer"),
                        args::describe(&signer)
                    ),
                ))
            }
        };
    }
    if let Some(w) = o.opt_number("width")? {
        field.width = w;
    }
    if let Some(h) = o.opt_number("height")? {
        field.height = h;
    }
    Ok(field)
}

fn read_document(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<core::SessionDocument> {
    let d = Obj::new(env, v, what, &["name", "data", "path", "fields"])?;
    let name = d.opt_string("name")?;
    let data = d.get("data")?;
    let path = d.opt_string("path")?;
    let mut doc = match (is_nullish(&data), path) {
        (false, None) => core::SessionDocument::from_bytes(
            name.unwrap_or_default(),
            Bytes::from(args::bytes(env, data, &d.path("data"))?),
        ),
        (true, Some(path)) => {
            let mut doc = core::SessionDocument::from_path(PathBuf::from(path));
            if let Some(name) = name {
                doc.name = name;
            }
            doc
        }
        _ => {
            return Err(type_error(
                env,
                format!("{what} needs exactly one of `data` (a Buffer) or `path` (a string)"),
            ))
        }
    };
    if let Some(fields) = d.opt_array("fields")? {
        for (i, f) in fields.into_iter().enumerate() {
            doc.fields
                .push(read_field(env, f, &format!("{}[{i}]", d.path("fields")))?);
        }
    }
    Ok(doc)
}

fn read_new_session(env: &Env, v: Unknown<'_>) -> napi::Result<core::NewSession> {
    let o = Obj::new(
        env,
        v,
        "session",
        &[
            "title",
            "documents",
            "signers",
            "redirects",
            "locale",
            "zignsec",
            "onespan",
        ],
    )?;
    let mut s = core::NewSession {
        title: o.opt_string("title")?,
        locale: o.opt_string("locale")?,
        ..core::NewSession::default()
    };
    let documents = o.opt_array("documents")?.ok_or_else(|| {
        type_error(
            env,
            "session.documents is required: an array of { path } or { name, data }",
        )
    })?;
    for (i, d) in documents.into_iter().enumerate() {
        s.documents
            .push(read_document(env, d, &format!("session.documents[{i}]"))?);
    }
    let signers = o.opt_array("signers")?.ok_or_else(|| {
        type_error(
            env,
            "session.signers is required: an array of { firstName, lastName, email }",
        )
    })?;
    for (i, x) in signers.into_iter().enumerate() {
        let what = format!("session.signers[{i}]");
        let x = Obj::new(env, x, &what, &["id", "firstName", "lastName", "email"])?;
        s.signers.push(core::SessionSigner {
            id: x.opt_string("id")?,
            first_name: x.string("firstName")?,
            last_name: x.string("lastName")?,
            email: x.opt_string("email")?,
        });
    }
    if let Some(r) = Obj::opt(
        env,
        Some(o.get("redirects")?),
        "session.redirects",
        &["success", "cancel", "error"],
    )? {
        s.redirects = core::Redirects {
            success: r.opt_string("success")?,
            cancel: r.opt_string("cancel")?,
            error: r.opt_string("error")?,
        };
    }
    if let Some(z) = Obj::opt(
        env,
        Some(o.get("zignsec")?),
        "session.zignsec",
        &["relayState", "gdprUserId", "webhook", "metadata"],
    )? {
        let metadata = match z.opt_json("metadata")? {
            Some(m) if !m.is_object() => {
                return Err(type_error(
                    env,
                    "session.zignsec.metadata must be a plain object",
                ))
            }
            m => m,
        };
        s.zignsec = Some(core::ZignsecOptions {
            relay_state: z.opt_string("relayState")?,
            gdpr_user_id: z.opt_string("gdprUserId")?,
            webhook: z.opt_string("webhook")?,
            metadata,
        });
    }
    if let Some(x) = Obj::opt(
        env,
        Some(o.get("onespan")?),
        "session.onespan",
        &["description", "emailMessage", "due"],
    )? {
        s.onespan = Some(core::OnespanOptions {
            description: x.opt_string("description")?,
            email_message: x.opt_string("emailMessage")?,
            due: x.opt_string("due")?,
        });
    }
    Ok(s)
}

fn read_completed(
    env: &Env,
    v: Unknown<'_>,
) -> napi::Result<Result<core::CompletedSession, SbError>> {
    let what = "done";
    if v.get_type()? != ValueType::Object || v.is_array()? {
        return Err(type_error(
            env,
            format!(
                "{what} must be the object wait() or result() resolved with, got {}",
                args::describe(&v)
            ),
        ));
    }
    let o = Obj::new(env, v, what, &["id", "files"])?;
    let id = o.string("id")?;
    let files = o.opt_array("files")?.ok_or_else(|| {
        type_error(
            env,
            "done.files is required: the object wait() resolved with has it",
        )
    })?;
    let mut out = Vec::with_capacity(files.len());
    for (i, f) in files.into_iter().enumerate() {
        let f = Obj::new(env, f, &format!("done.files[{i}]"), &["documentId", "name"])?;
        out.push(core::SignedFile {
            document_id: f.string("documentId")?,
            name: f.string("name")?,
        });
    }
    Ok(id
        .parse()
        .map(|id| core::CompletedSession { id, files: out }))
}

/// `'zignsec'` or `'onespan'`; anything else is the core's `SB_ERR_INVALID_ARGUMENT`.
pub(crate) fn read_provider(
    env: &Env,
    v: Unknown<'_>,
) -> napi::Result<Result<core::Provider, SbError>> {
    let s = args::string(env, v, "provider")?;
    Ok(s.parse())
}

// ---------------------------------------------------------------------------------------------
// The service.

/// Document signing over whichever provider is configured (`client.signing()`), or the one
/// named (`client.signingWith('onespan')`). `start` uses that provider; every other call goes to
/// the provider named in the session reference. Every method returns a Promise settled from the
/// core's runtime; it rejects with an `Error` carrying `code` and `errno`.
#[napi]
pub struct SigningService {
    inner: core::SigningService,
}

impl SigningService {
    pub(crate) fn new(inner: core::SigningService) -> SigningService {
        SigningService { inner }
    }
}

#[napi]
impl SigningService {
    /// The provider `start` uses: `'zignsec'` or `'onespan'`.
    #[napi(getter, ts_return_type = "SigningProvider")]
    pub fn provider(&self) -> String {
        self.inner.provider().as_str().to_string()
    }

    /// Create the session, upload every PDF and start it, in one call; resolves with where to
    /// send each signer. Everything is checked locally first (`SB_ERR_INVALID_DOCUMENT`,
    /// `SB_ERR_INVALID_ARGUMENT`), so a bad session sends nothing.
    #[napi(
        ts_args_type = "session: NewSession",
        ts_return_type = "Promise<StartedSigningSession>"
    )]
    pub fn start<'e>(&self, env: &'e Env, session: Unknown<'_>) -> napi::Result<Object<'e>> {
        let session = read_new_session(env, session)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.start(&session).await },
            StartedSigningSession::from,
            None,
        )
    }

    /// Read a session's state.
    #[napi(
        ts_args_type = "session: string",
        ts_return_type = "Promise<SessionState>"
    )]
    pub fn status<'e>(&self, env: &'e Env, session: Unknown<'_>) -> napi::Result<Object<'e>> {
        let session = read_ref(env, session, "session")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.status(&session?).await },
            SessionState::from,
            None,
        )
    }

    /// Poll until the session is final. Finished resolves with its signed documents; the other
    /// final states reject, the same for every provider: declined → `SB_ERR_REJECTED` (the
    /// signer's reason as `providerDescription` when the provider gives one), expired →
    /// `SB_ERR_SESSION_EXPIRED`, cancelled → `SB_ERR_CANCELLED`, failed →
    /// `SB_ERR_SIGNING_FAILED`. `signal` aborts the wait (`SB_ERR_ABORTED`), `timeoutMs` bounds
    /// it, `onProgress` sees each state.
    #[napi(
        ts_args_type = "session: string, options?: WaitOptions<SessionState> | null",
        ts_return_type = "Promise<CompletedSession>"
    )]
    pub fn wait<'e>(
        &self,
        env: &'e Env,
        session: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let session = read_ref(env, session, "session")?;
        let (opts, cleanup) = crate::read_wait(env, options, SessionState::from)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait(&session?, &opts).await },
            CompletedSession::from,
            cleanup,
        )
    }

    /// The outcome, read once without waiting: a finished session's documents, the error its
    /// final state maps to (as `wait`), or `SB_ERR_INVALID_STATE` while it goes on.
    #[napi(
        ts_args_type = "session: string",
        ts_return_type = "Promise<CompletedSession>"
    )]
    pub fn result<'e>(&self, env: &'e Env, session: Unknown<'_>) -> napi::Result<Object<'e>> {
        let session = read_ref(env, session, "session")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.result(&session?).await },
            CompletedSession::from,
            None,
        )
    }

    /// Download one signed document (`documentId` from `files`), verified against the
    /// provider's checksum when it reports one.
    #[napi(
        ts_args_type = "session: string, documentId: string",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn download<'e>(
        &self,
        env: &'e Env,
        session: Unknown<'_>,
        document_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session = read_ref(env, session, "session")?;
        let document_id = args::string(env, document_id, "documentId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download(&session?, &document_id).await },
            |b: Bytes| Buffer::from(b.to_vec()),
            None,
        )
    }

    /// Save every signed document of a finished session into `dir` (created if missing) under
    /// the documents' names made safe, each verified and written atomically; resolves with the
    /// paths written.
    #[napi(
        ts_args_type = "done: CompletedSession, dir: string",
        ts_return_type = "Promise<Array<string>>"
    )]
    pub fn save_all<'e>(
        &self,
        env: &'e Env,
        done: Unknown<'_>,
        dir: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let done = read_completed(env, done)?;
        let dir = args::string(env, dir, "dir")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.save_all(&done?, dir).await },
            |paths: Vec<PathBuf>| {
                paths
                    .into_iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect::<Vec<String>>()
            },
            None,
        )
    }

    /// Stop a session still waiting for signers, where the provider allows it: OneSpan moves
    /// the transaction to the trash. ZignSec has no cancel call (`SB_ERR_INVALID_ARGUMENT`).
    #[napi(ts_args_type = "session: string", ts_return_type = "Promise<void>")]
    pub fn cancel<'e>(&self, env: &'e Env, session: Unknown<'_>) -> napi::Result<Object<'e>> {
        let session = read_ref(env, session, "session")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.cancel(&session?).await },
            |()| (),
            None,
        )
    }
}
