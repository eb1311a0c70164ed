//! What a provider asks the transport to send, and what comes back.

use std::path::PathBuf;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;
use url::Url;

use super::role::Role;
use crate::error::{Error, Result};

/// A request body that can be sent again on retry.
#[derive(Clone)]
pub(crate) enum Body {
    Empty,
    Json(Bytes),
    /// `application/x-www-form-urlencoded` (token requests).
    Form(Bytes),
    Multipart {
        field: &'static str,
        file_name: String,
        content_type: &'static str,
        data: Bytes,
    },
    /// `multipart/form-data` with several parts, in order (OneSpan: a `payload` JSON part and
    /// one `file` part per document).
    Parts(Vec<Part>),
    /// `multipart/form-data` with one file part streamed from disk, never held in memory. The
    /// file is opened again for every attempt and must still be `len` bytes long.
    FileMultipart {
        field: &'static str,
        file_name: String,
        content_type: &'static str,
        path: PathBuf,
        len: u64,
    },
}

impl Body {
    /// The number of bytes the body sends (multipart framing aside).
    pub(crate) fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Json(b) | Body::Form(b) => b.len() as u64,
            Body::Multipart { data, .. } => data.len() as u64,
            Body::Parts(parts) => parts.iter().map(|p| p.data.len() as u64).sum(),
            Body::FileMultipart { len, .. } => *len,
        }
    }
}

/// One part of a [`Body::Parts`] body.
#[derive(Clone)]
pub(crate) struct Part {
    /// The form field name (`payload`, `file`).
    pub name: &'static str,
    /// The part's file name; `None` sends a plain form field.
    pub file_name: Option<String>,
    /// The part's content type; `None` sends none.
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// One logical call (possibly several attempts).
pub(crate) struct Request {
    pub method: Method,
    pub url: Url,
    pub body: Body,
    /// Safe to repeat when the outcome of an attempt is unknown.
    pub idempotent: bool,
    /// What the call does, for error messages ("create signing session").
    pub what: &'static str,
    /// Extra headers of this call (e.g. a token request's client authentication), marked
    /// sensitive by whoever adds a secret.
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The role whose API key the call needs (role-based API keys); `None` for none.
    pub role: Option<Role>,
}

impl Request {
    pub(crate) fn get(url: Url, what: &'static str) -> Request {
        Request {
            method: Method::GET,
            url,
            body: Body::Empty,
            idempotent: true,
            what,
            headers: Vec::new(),
            role: None,
        }
    }

    /// A request with a JSON body (or none, for `Value::Null`) and any method.
    pub(crate) fn json<T: Serialize>(
        method: Method,
        url: Url,
        body: Option<&T>,
        what: &'static str,
    ) -> Result<Request> {
        let body = match body {
            Some(b) => Body::Json(Bytes::from(serde_json::to_vec(b).map_err(|e| {
                Error::internal(format!("could not encode the {what} request: {e}"))
            })?)),
            None => Body::Empty,
        };
        Ok(Request {
            idempotent: method == Method::GET || method == Method::DELETE,
            method,
            url,
            body,
            what,
            headers: Vec::new(),
            role: None,
        })
    }

    /// The same request, needing `role`'s API key.
    pub(crate) fn with_role(mut self, role: Role) -> Request {
        self.role = Some(role);
        self
    }

    /// The same request, marked safe (or not) to repeat.
    pub(crate) fn idempotent(mut self, yes: bool) -> Request {
        self.idempotent = yes;
        self
    }

    pub(crate) fn post_json<T: Serialize>(
        url: Url,
        body: &T,
        what: &'static str,
    ) -> Result<Request> {
        let json = serde_json::to_vec(body)
            .map_err(|e| Error::internal(format!("could not encode the {what} request: {e}")))?;
        Ok(Request {
            method: Method::POST,
            url,
            body: Body::Json(Bytes::from(json)),
            idempotent: false,
            what,
            headers: Vec::new(),
            role: None,
        })
    }
}

/// A complete answer (2xx only; other answers become errors).
pub(crate) struct Response {
    pub status: StatusCode,
    #[allow(dead_code)]
    pub headers: HeaderMap,
    pub body: Bytes,
}
