//! What the transport asks of the credentials it carries. The transport decides *when* — before
//! each attempt, after each answer, on each refusal — and the [`Authenticator`] decides *what*:
//! which headers an attempt carries, and whether other credentials (the other subscription key,
//! the role's next API key, a fresh token) may turn a refusal around. The credentials of every
//! provider implement it in [`crate::auth`]; the transport knows none of them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use http::{HeaderName, HeaderValue};

use super::request::Response;
use super::role::Role;
use crate::error::{Error, Result};
use crate::scrub::Scrubber;

/// The headers of one attempt, as a future (fetching a token may take a request of its own).
pub(crate) type HeadersFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<(HeaderName, HeaderValue)>>> + Send + 'a>>;

/// The credentials of one provider, as the transport uses them.
pub(crate) trait Authenticator: Send + Sync + fmt::Debug {
    /// A scrubber that knows every secret these credentials send, in the forms they are sent in.
    fn scrubber(&self) -> Scrubber;

    /// Whether an attempt may first fetch a token (that fetch needs a request slot itself, so
    /// the transport must not hold one while asking for headers).
    fn fetches_tokens(&self) -> bool;

    /// How many alternative keys a request can try (named in the refusal message).
    fn key_count(&self) -> usize;

    /// Start authenticating one request that needs `role`. Fails before anything is sent when
    /// the credentials for that role are missing ([`crate::ErrorCode::AuthConfigMissing`]).
    fn begin<'a>(&'a self, role: Option<Role>, what: &str) -> Result<Box<dyn RequestAuth + 'a>>;
}

/// The credentials of one request across its attempts: which key, which role key, whether a
/// fresh token was already fetched.
pub(crate) trait RequestAuth: Send {
    /// The headers of the next attempt, every one marked sensitive.
    fn headers(&mut self) -> HeadersFuture<'_>;

    /// The provider did not refuse the last attempt's credentials (any answer but 401/403):
    /// later requests start with them.
    fn accepted(&self);

    /// The provider refused the last attempt with 401 or 403. `what` names the call; `scrub`
    /// removes the secrets the attempt carried from any text taken from the answer.
    fn refused(&mut self, resp: &Response, what: &str, scrub: &Scrubber) -> Refusal;
}

/// What to do after a refusal.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Other credentials are ready: send the request again.
    Retry,
    /// Nothing else to try, and the credentials know why: fail with this error.
    Fail(Error),
    /// Nothing else to try: the transport reports the refusal (its provider's error mapping).
    Report,
}
