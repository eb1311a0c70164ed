//! The one error vocabulary of signbridge.
//!
//! Every failure anywhere in the product — the Rust API, the C library, the Python wheel and the
//! Node addon — is an [`Error`] carrying one [`ErrorCode`]. The numbers are stable and grouped by
//! range (DESIGN.md principle 4):
//!
//! | range | meaning |
//! |-------|---------|
//! | 0     | success |
//! | 1xx   | bad input or bad use, found locally before anything was sent |
//! | 2xx   | authentication: missing, rejected or insufficient credentials |
//! | 3xx   | transport: network, TLS, timeouts, unreadable or corrupted answers |
//! | 4xx   | the provider answered with an error (rate limits included) |
//! | 5xx   | the signing session ended without success |
//! | 9xx   | a bug in signbridge |
//!
//! Numbers are never reused. A retired code stays listed in the reserved block below.
//!
//! Reserved (retired) numbers: none yet.

use std::fmt;
use std::time::Duration;

/// A stable, numbered error code. The numbers are part of the public ABI of every binding.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Success (never carried by an [`Error`]).
    Ok = 0,
    /// An argument is missing, empty, out of range or of the wrong type.
    InvalidArgument = 100,
    /// A document is not acceptable: empty, or not a PDF.
    InvalidDocument = 101,
    /// The configuration is malformed (unknown field, bad URL, unreadable CA file...).
    InvalidConfig = 102,
    /// A blocking call was made from inside the async runtime (use the async API there).
    WrongContext = 103,
    /// A local file could not be read or written.
    Io = 104,
    /// The provider rejected the credentials, after every configured key was tried.
    Auth = 200,
    /// No credentials are configured for the provider being called.
    AuthConfigMissing = 201,
    /// The credentials are valid but not allowed to do this.
    Forbidden = 202,
    /// A pushed delivery (webhook) failed verification: bad signature, wrong secret, tampered body.
    WebhookInvalid = 203,
    /// A pushed delivery is too old or was already accepted once (replay).
    WebhookReplay = 204,
    /// The connection failed: refused, reset, DNS, or closed mid-answer.
    Network = 300,
    /// The TLS handshake failed: untrusted or wrong certificate, or protocol mismatch.
    Tls = 301,
    /// The operation did not finish in the time allowed.
    Timeout = 302,
    /// The provider's answer could not be understood.
    Protocol = 303,
    /// A downloaded file does not match the checksum the provider reported.
    Integrity = 304,
    /// A request that creates something failed after it may have reached the provider; it was
    /// not resent (that could create it twice).
    OutcomeUnknown = 305,
    /// The provider refused the request (a 4xx answer not covered by a more precise code).
    Provider = 400,
    /// The provider does not know the session, file or resource.
    NotFound = 401,
    /// The provider is rate limiting this client.
    RateLimited = 402,
    /// The resource is in a state that does not allow this operation.
    InvalidState = 403,
    /// The provider failed or is unavailable (5xx answers).
    ProviderUnavailable = 404,
    /// The signer cancelled the signing session.
    Cancelled = 500,
    /// The signer or the provider declined the signing session.
    Rejected = 501,
    /// The session or its files expired at the provider.
    SessionExpired = 502,
    /// The signing session failed at the provider.
    SigningFailed = 503,
    /// The caller aborted the operation (cancel token, abort signal, interrupt).
    Aborted = 510,
    /// An internal error in signbridge.
    Internal = 900,
    /// signbridge panicked; the panic was contained.
    Panic = 901,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Ok,
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidDocument,
        ErrorCode::InvalidConfig,
        ErrorCode::WrongContext,
        ErrorCode::Io,
        ErrorCode::Auth,
        ErrorCode::AuthConfigMissing,
        ErrorCode::Forbidden,
        ErrorCode::WebhookInvalid,
        ErrorCode::WebhookReplay,
        ErrorCode::Network,
        ErrorCode::Tls,
        ErrorCode::Timeout,
        ErrorCode::Protocol,
        ErrorCode::Integrity,
        ErrorCode::OutcomeUnknown,
        ErrorCode::Provider,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::InvalidState,
        ErrorCode::ProviderUnavailable,
        ErrorCode::Cancelled,
        ErrorCode::Rejected,
        ErrorCode::SessionExpired,
        ErrorCode::SigningFailed,
        ErrorCode::Aborted,
        ErrorCode::Internal,
        ErrorCode::Panic,
    ];

    /// The stable number of this code.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code with this number, if there is one.
    pub fn from_i32(n: i32) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_i32() == n)
    }

    /// The code with this stable name (`"SB_ERR_AUTH"`), if there is one.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The stable name, as C macros, Python enum members and Node `err.code` spell it.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCode::Ok => "SB_OK",
            ErrorCode::InvalidArgument => "SB_ERR_INVALID_ARGUMENT",
            ErrorCode::InvalidDocument => "SB_ERR_INVALID_DOCUMENT",
            ErrorCode::InvalidConfig => "SB_ERR_INVALID_CONFIG",
            ErrorCode::WrongContext => "SB_ERR_WRONG_CONTEXT",
            ErrorCode::Io => "SB_ERR_IO",
            ErrorCode::Auth => "SB_ERR_AUTH",
            ErrorCode::AuthConfigMissing => "SB_ERR_AUTH_CONFIG_MISSING",
            ErrorCode::Forbidden => "SB_ERR_FORBIDDEN",
            ErrorCode::WebhookInvalid => "SB_ERR_WEBHOOK_INVALID",
            ErrorCode::WebhookReplay => "SB_ERR_WEBHOOK_REPLAY",
            ErrorCode::Network => "SB_ERR_NETWORK",
            ErrorCode::Tls => "SB_ERR_TLS",
            ErrorCode::Timeout => "SB_ERR_TIMEOUT",
            ErrorCode::Protocol => "SB_ERR_PROTOCOL",
            ErrorCode::Integrity => "SB_ERR_INTEGRITY",
            ErrorCode::OutcomeUnknown => "SB_ERR_OUTCOME_UNKNOWN",
            ErrorCode::Provider => "SB_ERR_PROVIDER",
            ErrorCode::NotFound => "SB_ERR_NOT_FOUND",
            ErrorCode::RateLimited => "SB_ERR_RATE_LIMITED",
            ErrorCode::InvalidState => "SB_ERR_INVALID_STATE",
            ErrorCode::ProviderUnavailable => "SB_ERR_PROVIDER_UNAVAILABLE",
            ErrorCode::Cancelled => "SB_ERR_CANCELLED",
            ErrorCode::Rejected => "SB_ERR_REJECTED",
            ErrorCode::SessionExpired => "SB_ERR_SESSION_EXPIRED",
            ErrorCode::SigningFailed => "SB_ERR_SIGNING_FAILED",
            ErrorCode::Aborted => "SB_ERR_ABORTED",
            ErrorCode::Internal => "SB_ERR_INTERNAL",
            ErrorCode::Panic => "SB_ERR_PANIC",
        }
    }

    /// A one-line description of the code that also says what to do about it.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::Ok => "success",
            ErrorCode::InvalidArgument => "an argument is missing or invalid; check the call's arguments",
            ErrorCode::InvalidDocument => "the document is empty or not a PDF; only non-empty PDF files can be signed",
            ErrorCode::InvalidConfig => "the configuration is invalid; fix the named field",
            ErrorCode::WrongContext => "a blocking call was made inside the async runtime; use the async API from async code",
            ErrorCode::Io => "a local file could not be read or written; check the path and its permissions",
            ErrorCode::Auth => "the provider rejected every configured credential; check or rotate your keys",
            ErrorCode::AuthConfigMissing => "no credentials are configured for this provider; add them to the configuration or environment",
            ErrorCode::Forbidden => "the credentials are not allowed to do this; ask the provider for the right role or product",
            ErrorCode::WebhookInvalid => "the delivery's signature does not verify; reject it (HTTP 401) and check the webhook secret",
            ErrorCode::WebhookReplay => "the delivery is too old or was already processed; reject it (HTTP 400) and do not act on it again",
            ErrorCode::Network => "the connection to the provider failed; check the URL and network, then retry",
            ErrorCode::Tls => "the TLS handshake failed; check the server certificate, the CA configured and the client certificate",
            ErrorCode::Timeout => "the operation timed out; retry, or allow more time",
            ErrorCode::Protocol => "the provider's answer could not be understood; report it with the request id if it persists",
            ErrorCode::Integrity => "a downloaded file does not match the provider's checksum; nothing was saved, download it again",
            ErrorCode::OutcomeUnknown => "the request may have been carried out although no answer arrived; check (e.g. by relay_state) before retrying",
            ErrorCode::Provider => "the provider refused the request; see the provider code and description",
            ErrorCode::NotFound => "the provider does not know this session or file; check the id",
            ErrorCode::RateLimited => "the provider is rate limiting; wait for retry-after, then retry",
            ErrorCode::InvalidState => "the session is not in a state that allows this; check its status first",
            ErrorCode::ProviderUnavailable => "the provider failed or is unavailable; retry later",
            ErrorCode::Cancelled => "the signer cancelled the signing session; start a new one if needed",
            ErrorCode::Rejected => "the signing session was declined; start a new one if needed",
            ErrorCode::SessionExpired => "the session or its files expired at the provider; start a new session",
            ErrorCode::SigningFailed => "the signing session failed at the provider; start a new one",
            ErrorCode::Aborted => "the operation was aborted by the caller",
            ErrorCode::Internal => "internal error in signbridge; please report it",
            ErrorCode::Panic => "signbridge panicked and contained it; please report it",
        }
    }

    /// Whether retrying the same call later can succeed without changing anything.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::Network
                | ErrorCode::Timeout
                | ErrorCode::RateLimited
                | ErrorCode::ProviderUnavailable
                | ErrorCode::Integrity
        )
    }
}

/// One class of the error hierarchy the bindings expose (Python exception classes; the same
/// names serve as categories elsewhere): each code belongs to exactly one most precise class
/// ([`ErrorCode::class`]), whose ancestors are its range's class and [`ErrorClass::ROOT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorClass {
    /// The class name (`"InvalidDocument"`).
    pub name: &'static str,
    /// The parent class's name; `None` for the root.
    pub parent: Option<&'static str>,
    /// What errors of this class mean.
    pub doc: &'static str,
}

impl ErrorClass {
    /// The root class: every error signbridge raises.
    pub const ROOT: &'static str = "SignbridgeError";

    /// Every class, parents before their children.
    pub const ALL: &'static [ErrorClass] = &[
        ErrorClass::new("SignbridgeError", None, "Every error raised by signbridge."),
        ErrorClass::new("InvalidInput", Some("SignbridgeError"), "A bad argument, configuration or local file (codes 1xx); nothing was sent."),
        ErrorClass::new("InvalidDocument", Some("InvalidInput"), "A document is empty or not a PDF (SB_ERR_INVALID_DOCUMENT)."),
        ErrorClass::new("AuthError", Some("SignbridgeError"), "Credentials are missing, were rejected or are not allowed to do this (codes 2xx)."),
        ErrorClass::new("WebhookInvalid", Some("AuthError"), "A webhook delivery's signature does not verify, or its header is missing or malformed; answer 401 (SB_ERR_WEBHOOK_INVALID)."),
        ErrorClass::new("WebhookReplay", Some("AuthError"), "A webhook delivery was already accepted, or its timestamp is outside the tolerance; answer 400 (SB_ERR_WEBHOOK_REPLAY)."),
        ErrorClass::new("TransportError", Some("SignbridgeError"), "The network, TLS or the provider's answer failed (codes 3xx)."),
        ErrorClass::new("TimedOut", Some("TransportError"), "The operation did not finish in the time allowed (SB_ERR_TIMEOUT)."),
        ErrorClass::new("IntegrityError", Some("TransportError"), "A download does not match the checksum the provider reported (SB_ERR_INTEGRITY)."),
        ErrorClass::new("OutcomeUnknown", Some("TransportError"), "A request that creates something was sent but its answer was lost: it may or may not have taken effect, so it was not retried (SB_ERR_OUTCOME_UNKNOWN)."),
        ErrorClass::new("ProviderError", Some("SignbridgeError"), "The provider answered with an error (codes 4xx)."),
        ErrorClass::new("InvalidState", Some("SignbridgeError"), "The session, package or request is not in a state that allows this, whether signbridge or the provider found it so (SB_ERR_INVALID_STATE, the one 4xx code outside ProviderError); check its status first."),
        ErrorClass::new("NotFound", Some("ProviderError"), "The provider does not know the session, file, key or request (SB_ERR_NOT_FOUND)."),
        ErrorClass::new("RateLimited", Some("ProviderError"), "The provider is rate limiting; see retry_after (SB_ERR_RATE_LIMITED)."),
        ErrorClass::new("SessionError", Some("SignbridgeError"), "The signing session ended without success, or waiting for it was aborted (codes 5xx)."),
        ErrorClass::new("SessionCancelled", Some("SessionError"), "The signer cancelled the signing session, or an HSM request was cancelled (SB_ERR_CANCELLED)."),
        ErrorClass::new("SessionRejected", Some("SessionError"), "The signing session was declined, or the approvers rejected an HSM request (SB_ERR_REJECTED)."),
        ErrorClass::new("SessionExpired", Some("SessionError"), "The session, its files or an HSM request expired at the provider (SB_ERR_SESSION_EXPIRED)."),
        ErrorClass::new("SigningFailed", Some("SessionError"), "The signing session or HSM request failed at the provider (SB_ERR_SIGNING_FAILED)."),
        ErrorClass::new("Aborted", Some("SessionError"), "The caller aborted the operation (SB_ERR_ABORTED)."),
        ErrorClass::new("InternalError", Some("SignbridgeError"), "A bug in signbridge, including a contained panic (codes 9xx)."),
    ];

    const fn new(name: &'static str, parent: Option<&'static str>, doc: &'static str) -> Self {
        ErrorClass { name, parent, doc }
    }

    /// The class called `name`.
    pub fn named(name: &str) -> Option<&'static ErrorClass> {
        ErrorClass::ALL.iter().find(|c| c.name == name)
    }
}

impl ErrorCode {
    /// The most precise class of this code (see [`ErrorClass`]): its own where it has one
    /// (`SB_ERR_NOT_FOUND` → `NotFound`), else its range's (`SB_ERR_FORBIDDEN` → `AuthError`).
    pub const fn class(self) -> &'static str {
        match self {
            ErrorCode::InvalidDocument => "InvalidDocument",
            ErrorCode::WebhookInvalid => "WebhookInvalid",
            ErrorCode::WebhookReplay => "WebhookReplay",
            ErrorCode::Timeout => "TimedOut",
            ErrorCode::Integrity => "IntegrityError",
            ErrorCode::OutcomeUnknown => "OutcomeUnknown",
            ErrorCode::NotFound => "NotFound",
            ErrorCode::RateLimited => "RateLimited",
            ErrorCode::Cancelled => "SessionCancelled",
            ErrorCode::Rejected => "SessionRejected",
            ErrorCode::SessionExpired => "SessionExpired",
            ErrorCode::SigningFailed => "SigningFailed",
            ErrorCode::Aborted => "Aborted",
            ErrorCode::Ok => ErrorClass::ROOT,
            ErrorCode::InvalidArgument
            | ErrorCode::InvalidConfig
            | ErrorCode::WrongContext
            | ErrorCode::Io => "InvalidInput",
            ErrorCode::Auth | ErrorCode::AuthConfigMissing | ErrorCode::Forbidden => "AuthError",
            ErrorCode::Network | ErrorCode::Tls | ErrorCode::Protocol => "TransportError",
            ErrorCode::InvalidState => "InvalidState",
            ErrorCode::Provider | ErrorCode::ProviderUnavailable => "ProviderError",
            ErrorCode::Internal | ErrorCode::Panic => "InternalError",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result type of every fallible signbridge call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A signbridge error: a stable code, a message saying what went wrong and what to do, and what
/// the provider said when it answered.
///
/// Messages never contain credentials: they are built from codes, ids, URLs without credentials
/// and provider error descriptions scrubbed of every secret the transport holds, with control
/// characters escaped and at most 2 KiB per field (see SECURITY.md).
pub struct Error {
    code: ErrorCode,
    message: String,
    http_status: Option<u16>,
    provider_code: Option<String>,
    provider_description: Option<String>,
    retry_after: Option<Duration>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            http_status: None,
            provider_code: None,
            provider_description: None,
            retry_after: None,
            source: None,
        }
    }

    /// The same error with its message rewritten by `f` (e.g. field names spelt as the
    /// caller's language spells them); code, HTTP status and provider details are kept.
    pub fn map_message(mut self, f: impl FnOnce(&str) -> String) -> Error {
        self.message = f(&self.message);
        self
    }

    /// Shorthand for [`ErrorCode::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    /// Shorthand for [`ErrorCode::InvalidConfig`].
    pub fn invalid_config(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidConfig, message)
    }

    /// Shorthand for [`ErrorCode::Protocol`].
    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Protocol, message)
    }

    /// Shorthand for [`ErrorCode::Internal`].
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Internal, message)
    }

    /// An [`ErrorCode::Io`] error about `path`.
    pub fn io(what: &str, path: &std::path::Path, err: std::io::Error) -> Error {
        Error::new(
            ErrorCode::Io,
            format!("could not {what} {}: {err}", path.display()),
        )
        .with_source(err)
    }

    /// Attach the HTTP status the provider answered with.
    pub fn with_http_status(mut self, status: u16) -> Error {
        self.http_status = Some(status);
        self
    }

    /// Attach the provider's own error code and description.
    pub fn with_provider(mut self, code: Option<String>, description: Option<String>) -> Error {
        self.provider_code = code;
        self.provider_description = description;
        self
    }

    /// Attach how long the provider asked us to wait before retrying.
    pub fn with_retry_after(mut self, after: Duration) -> Error {
        self.retry_after = Some(after);
        self
    }

    /// Attach the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What went wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the provider's answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The provider's own error code (e.g. `CANCELLED_BY_USER`), when it gave one.
    pub fn provider_code(&self) -> Option<&str> {
        self.provider_code.as_deref()
    }

    /// The provider's own error description, when it gave one.
    pub fn provider_description(&self) -> Option<&str> {
        self.provider_description.as_deref()
    }

    /// How long the provider asked us to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether retrying later can succeed; see [`ErrorCode::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        self.code.is_retryable()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)?;
        if let Some(status) = self.http_status {
            write!(f, " (HTTP {status}")?;
            if let Some(code) = &self.provider_code {
                write!(f, ", {code}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code.name())
            .field("message", &self.message);
        if let Some(s) = self.http_status {
            d.field("http_status", &s);
        }
        if let Some(c) = &self.provider_code {
            d.field("provider_code", c);
        }
        if let Some(c) = &self.provider_description {
            d.field("provider_description", c);
        }
        if let Some(r) = &self.retry_after {
            d.field("retry_after", r);
        }
        if let Some(s) = &self.source {
            d.field("source", &s.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_round_trips_through_number_name_and_message() {
        let mut numbers = HashSet::new();
        let mut names = HashSet::new();
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_i32(code.as_i32()), Some(code));
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
            assert!(numbers.insert(code.as_i32()), "number reused: {code:?}");
            assert!(names.insert(code.name()), "name reused: {code:?}");
            assert!(!code.message().is_empty());
            let n = code.as_i32();
            let range_ok = match n {
                0 => code == ErrorCode::Ok,
                100..=199 | 200..=299 | 300..=399 | 400..=499 | 500..=599 | 900..=999 => true,
                _ => false,
            };
            assert!(range_ok, "{code:?} = {n} is outside the documented ranges");
            assert!(code.name().starts_with("SB_"));
        }
        assert_eq!(ErrorCode::from_i32(7), None);
        assert_eq!(ErrorCode::from_i32(-1), None);
        assert_eq!(ErrorCode::from_name("SB_ERR_NOPE"), None);
    }

    #[test]
    fn ranges_match_the_design() {
        assert_eq!(ErrorCode::InvalidDocument.as_i32() / 100, 1);
        assert_eq!(ErrorCode::Auth.as_i32() / 100, 2);
        assert_eq!(ErrorCode::Timeout.as_i32() / 100, 3);
        assert_eq!(ErrorCode::RateLimited.as_i32() / 100, 4);
        assert_eq!(ErrorCode::Cancelled.as_i32() / 100, 5);
        assert_eq!(ErrorCode::Panic.as_i32() / 100, 9);
        assert!(ErrorCode::RateLimited.is_retryable());
        assert!(!ErrorCode::Auth.is_retryable());
    }

    #[test]
    fn display_and_debug_carry_the_details() {
        let e = Error::new(ErrorCode::RateLimited, "slow down")
            .with_http_status(429)
            .with_provider(Some("TOO_MANY_REQUESTS".into()), Some("later".into()))
            .with_retry_after(Duration::from_secs(2));
        assert_eq!(
            e.to_string(),
            "SB_ERR_RATE_LIMITED: slow down (HTTP 429, TOO_MANY_REQUESTS)"
        );
        let d = format!("{e:?}");
        assert!(d.contains("SB_ERR_RATE_LIMITED") && d.contains("429"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn every_code_has_a_class_under_its_range() {
        for c in ErrorCode::ALL {
            let class = ErrorClass::named(c.class()).expect("a declared class");
            // Walk up to the root; the range's class is on the way.
            let mut chain = vec![class.name];
            let mut cur = class;
            while let Some(p) = cur.parent {
                cur = ErrorClass::named(p).expect("declared parent");
                chain.push(cur.name);
            }
            assert_eq!(chain.last(), Some(&ErrorClass::ROOT), "{c}");
            // A wrong state is found locally as often as by the provider: its own class.
            if *c == ErrorCode::InvalidState {
                assert_eq!(chain, ["InvalidState", ErrorClass::ROOT]);
                continue;
            }
            let range = match c.as_i32() / 100 {
                1 => "InvalidInput",
                2 => "AuthError",
                3 => "TransportError",
                4 => "ProviderError",
                5 => "SessionError",
                9 => "InternalError",
                _ => ErrorClass::ROOT,
            };
            assert!(chain.contains(&range), "{c}: {chain:?}");
        }
        // Parents come first.
        for (i, c) in ErrorClass::ALL.iter().enumerate() {
            if let Some(p) = c.parent {
                assert!(
                    ErrorClass::ALL[..i].iter().any(|x| x.name == p),
                    "{}",
                    c.name
                );
            }
        }
    }
}
