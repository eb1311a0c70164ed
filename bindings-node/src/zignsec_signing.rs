//! BankID Norway document signing through the ZignSec gateway (`client.zignsec()`,
//! `SigningApi`): its requests read from JavaScript objects, each call run on the core's runtime
//! and settled as a Promise.

use std::path::PathBuf;

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, FromNapiValue, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::providers::zignsec as core;

use crate::args::{self, is_nullish, Obj};
use crate::errors::type_error;
use crate::promise;
use crate::types::*;

use crate::wait::read_wait;

/// BankID Norway signing through the ZignSec gateway. Every method returns a Promise settled
/// from the core's runtime; it rejects with an `Error` carrying `code` and `errno`.
#[napi]
pub struct SigningApi {
    pub(crate) inner: core::SigningApi,
}

const CREATE_FIELDS: &[&str] = &[
    "locale",
    "redirectSuccess",
    "redirectFailure",
    "relayState",
    "gdprUserId",
    "webhook",
    "metadata",
];

pub(crate) fn read_create(
    env: &Env,
    v: Option<Unknown<'_>>,
    what: &str,
) -> napi::Result<core::CreateSigning> {
    let mut req = core::CreateSigning::default();
    let Some(o) = Obj::opt(env, v, what, CREATE_FIELDS)? else {
        return Ok(req);
    };
    req.locale = o.opt_string("locale")?;
    req.redirect_success = o.opt_string("redirectSuccess")?;
    req.redirect_failure = o.opt_string("redirectFailure")?;
    req.relay_state = o.opt_string("relayState")?;
    req.gdpr_user_id = o.opt_string("gdprUserId")?;
    req.webhook = o.opt_string("webhook")?;
    if let Some(m) = o.opt_json("metadata")? {
        if !m.is_object() {
            return Err(type_error(
                env,
                format!("{} must be a plain object", o.path("metadata")),
            ));
        }
        req.metadata = m;
    }
    Ok(req)
}

fn read_placement(o: &Obj<'_>, key: &str) -> napi::Result<Option<core::Placement>> {
    let v = o.get(key)?;
    if is_nullish(&v) {
        return Ok(None);
    }
    let p = Obj::new(o.env(), v, &o.path(key), &["page", "x", "y"])?;
    let page = p.number("page")?;
    if page.fract() != 0.0 || page > f64::from(u32::MAX) {
        return Err(type_error(
            o.env(),
            format!("{} must be a whole page number", p.path("page")),
        ));
    }
    Ok(Some(core::Placement {
        page: page as u32,
        x: p.number("x")?,
        y: p.number("y")?,
    }))
}

fn read_start(env: &Env, v: Unknown<'_>) -> napi::Result<core::StartSigning> {
    let o = Obj::new(
        env,
        v,
        "request",
        &["files", "redirectSuccess", "redirectFailure"],
    )?;
    let files = o.opt_array("files")?.ok_or_else(|| {
        type_error(
            env,
            "request.files is required: an array of { fileId, placement? }",
        )
    })?;
    let mut out = Vec::with_capacity(files.len());
    for (i, f) in files.into_iter().enumerate() {
        let f = Obj::new(
            env,
            f,
            &format!("request.files[{i}]"),
            &["fileId", "placement"],
        )?;
        out.push(core::FileToSign {
            file_id: f.string("fileId")?,
            placement: read_placement(&f, "placement")?,
        });
    }
    Ok(core::StartSigning {
        files: out,
        redirect_success: o.opt_string("redirectSuccess")?,
        redirect_failure: o.opt_string("redirectFailure")?,
    })
}

/// A document as given to `signDocuments`: bytes now, or a path read on the runtime.
enum DocSource {
    Bytes(core::Document),
    Path(PathBuf, Option<String>, Option<core::Placement>),
}

fn read_documents(env: &Env, v: Unknown<'_>) -> napi::Result<Vec<DocSource>> {
    let items = args::array(env, v, "documents")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let what = format!("documents[{i}]");
        let d = Obj::new(env, item, &what, &["name", "data", "path", "placement"])?;
        let name = d.opt_string("name")?;
        let placement = read_placement(&d, "placement")?;
        let data = d.get("data")?;
        let path = d.opt_string("path")?;
        match (is_nullish(&data), path) {
            (false, None) => {
                let bytes = args::bytes(env, data, &d.path("data"))?;
                out.push(DocSource::Bytes(core::Document {
                    name: name.unwrap_or_else(|| "document.pdf".to_string()),
                    data: Bytes::from(bytes),
                    placement,
                }));
            }
            (true, Some(path)) => out.push(DocSource::Path(path.into(), name, placement)),
            _ => {
                return Err(type_error(
                    env,
                    format!("{what} needs exactly one of `data` (a Buffer) or `path` (a string)"),
                ))
            }
        }
    }
    Ok(out)
}

fn read_file_ref(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<core::FileRef> {
    if v.get_type()? != ValueType::Object {
        return Err(type_error(
            env,
            format!(
                "{what} must be a file object from status() or wait(), got {}",
                args::describe(&v)
            ),
        ));
    }
    // SAFETY: `v` is an object of this environment.
    let f = unsafe { FileRef::from_napi_value(env.raw(), v.raw()) }.map_err(|e| {
        type_error(
            env,
            format!(
                "{what} must be a file object ({{ id, name, url, md5 }}) from status() or wait(): {}",
                e.reason
            ),
        )
    })?;
    Ok(f.into())
}

fn read_status(env: &Env, v: Unknown<'_>) -> napi::Result<core::SigningStatus> {
    if v.get_type()? != ValueType::Object {
        return Err(type_error(
            env,
            format!(
                "state must be the object returned by status() or wait(), got {}",
                args::describe(&v)
            ),
        ));
    }
    // SAFETY: `v` is an object of this environment.
    let s = unsafe { SigningStatus::from_napi_value(env.raw(), v.raw()) }.map_err(|e| {
        type_error(
            env,
            format!(
                "state must be the object returned by status() or wait(): {}",
                e.reason
            ),
        )
    })?;
    Ok(s.into())
}

#[napi]
impl SigningApi {
    /// Create a signing session. Every field of `request` is optional.
    #[napi(
        ts_args_type = "request?: CreateSigning | null",
        ts_return_type = "Promise<SigningSession>"
    )]
    pub fn create<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let req = read_create(env, request, "request")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.create(&req).await },
            SigningSession::from,
            None,
        )
    }

    /// Upload one PDF from memory (checked locally first: a bad document rejects with
    /// `SB_ERR_INVALID_DOCUMENT` before anything is sent).
    #[napi(
        ts_args_type = "sessionId: string, name: string, data: Buffer | Uint8Array",
        ts_return_type = "Promise<UploadedFile>"
    )]
    pub fn upload_bytes<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        name: Unknown<'_>,
        data: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let name = args::string(env, name, "name")?;
        let data = args::bytes(env, data, "data")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.upload_bytes(&session_id, &name, data).await },
            UploadedFile::from,
            None,
        )
    }

    /// Upload one PDF from a file.
    #[napi(
        ts_args_type = "sessionId: string, path: string",
        ts_return_type = "Promise<UploadedFile>"
    )]
    pub fn upload_path<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        path: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let path = args::string(env, path, "path")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.upload_path(&session_id, path).await },
            UploadedFile::from,
            None,
        )
    }

    /// Start signing the uploaded files; resolves with the URL to send the signer to.
    #[napi(
        ts_args_type = "sessionId: string, request: StartSigning",
        ts_return_type = "Promise<StartedSigning>"
    )]
    pub fn start<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        request: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let req = read_start(env, request)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.start(&session_id, &req).await },
            StartedSigning::from,
            None,
        )
    }

    /// Create a session, upload every document and start signing, in one call. Each document
    /// is `{ data, name }` (a Buffer) or `{ path }`, with an optional `placement`.
    #[napi(
        ts_args_type = "request: CreateSigning | null | undefined, documents: Array<Document>",
        ts_return_type = "Promise<StartedSession>"
    )]
    pub fn sign_documents<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
        documents: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let req = read_create(env, request, "request")?;
        let docs = read_documents(env, documents)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                let mut ready = Vec::with_capacity(docs.len());
                for d in docs {
                    ready.push(match d {
                        DocSource::Bytes(doc) => doc,
                        DocSource::Path(path, name, placement) => {
                            let mut doc = core::Document::from_path(&path, placement).await?;
                            if let Some(name) = name {
                                doc.name = name;
                            }
                            doc
                        }
                    });
                }
                api.sign_documents(&req, &ready).await
            },
            StartedSession::from,
            None,
        )
    }

    /// Read the session's state.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<SigningStatus>"
    )]
    pub fn status<'e>(&self, env: &'e Env, session_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.status(&session_id).await },
            SigningStatus::from,
            None,
        )
    }

    /// Handle the signer's browser coming back to your redirect URL (like the eID
    /// `completeRedirect`): a cancel or error in the URL rejects with its code
    /// (`SB_ERR_CANCELLED`…) without a request; a `relay_state` other than
    /// `expectedRelayState`, or another session's id, rejects with `SB_ERR_INVALID_ARGUMENT`;
    /// otherwise the finished session's state.
    #[napi(
        ts_args_type = "sessionId: string, returnedUrl: string, expectedRelayState?: string | null",
        ts_return_type = "Promise<SigningStatus>"
    )]
    pub fn complete_redirect<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        returned_url: Unknown<'_>,
        expected_relay_state: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let returned_url = args::string(env, returned_url, "returnedUrl")?;
        let expected = match expected_relay_state {
            Some(v) => args::opt_string(env, v, "expectedRelayState")?,
            None => None,
        };
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.complete_redirect(&session_id, &returned_url, expected.as_deref())
                    .await
            },
            SigningStatus::from,
            None,
        )
    }

    /// Poll until the session is final. `'Finished'` resolves with the state; `Cancelled`,
    /// `Failed`, `Rejected` and `Expired` reject with the matching code (`SB_ERR_CANCELLED`...)
    /// and the gateway's `providerCode`. `signal` aborts the wait (`SB_ERR_ABORTED`); `timeoutMs`
    /// bounds it (`SB_ERR_TIMEOUT`). The session itself goes on at the provider either way.
    #[napi(
        ts_args_type = "sessionId: string, options?: WaitOptions<SigningStatus> | null",
        ts_return_type = "Promise<SigningStatus>"
    )]
    pub fn wait<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let (opts, cleanup) = read_wait(env, options, SigningStatus::from)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait(&session_id, &opts).await },
            SigningStatus::from,
            cleanup,
        )
    }

    /// Download a file (`FileRef` from `status`/`wait`) and verify it against the md5 the
    /// gateway reported (`SB_ERR_INTEGRITY` on mismatch).
    #[napi(ts_args_type = "file: FileRef", ts_return_type = "Promise<Buffer>")]
    pub fn download<'e>(&self, env: &'e Env, file: Unknown<'_>) -> napi::Result<Object<'e>> {
        let file = read_file_ref(env, file, "file")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download(&file).await },
            |b: Bytes| Buffer::from(b.to_vec()),
            None,
        )
    }

    /// Download a file to `path` atomically (verified, written beside it, then renamed);
    /// resolves with the number of bytes written.
    #[napi(
        ts_args_type = "file: FileRef, path: string",
        ts_return_type = "Promise<number>"
    )]
    pub fn download_to<'e>(
        &self,
        env: &'e Env,
        file: Unknown<'_>,
        path: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let file = read_file_ref(env, file, "file")?;
        let path = args::string(env, path, "path")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download_to(&file, path).await },
            |n: u64| n as f64,
            None,
        )
    }

    /// Download a file by ids, without md5 check.
    #[napi(
        ts_args_type = "sessionId: string, fileId: string",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn download_file<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        file_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let file_id = args::string(env, file_id, "fileId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download_file(&session_id, &file_id).await },
            |b: Bytes| Buffer::from(b.to_vec()),
            None,
        )
    }

    /// Save every signed file of a finished session into `dir` (created if missing); resolves
    /// with the paths written. A session that is not `'Finished'` rejects with
    /// `SB_ERR_INVALID_STATE`.
    #[napi(
        ts_args_type = "state: SigningStatus, dir: string",
        ts_return_type = "Promise<Array<string>>"
    )]
    pub fn save_signed_files<'e>(
        &self,
        env: &'e Env,
        state: Unknown<'_>,
        dir: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let state = read_status(env, state)?;
        let dir = args::string(env, dir, "dir")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.save_signed_files(&state, dir).await },
            |paths: Vec<PathBuf>| {
                paths
                    .into_iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect::<Vec<String>>()
            },
            None,
        )
    }
}
