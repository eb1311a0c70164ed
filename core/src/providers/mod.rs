//! Provider wire models and operations. Each provider hangs off [`crate::Client`].

pub mod onespan;
pub mod securosys;
pub mod zignsec;

/// How an id is written into a URL path, which decides what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdSyntax {
    /// Written as is (ZignSec, Securosys): 1–128 letters, digits, `-`, `_` or `.`, so a hostile
    /// or mistyped id cannot change which resource is addressed.
    Plain,
    /// Percent-encoded as one path segment (OneSpan, whose ids may hold any character): 1–255
    /// characters.
    Encoded,
}

/// Check an id that will be placed in a URL path, written as `syntax` says; never `.` or `..`.
/// The one id check of every provider.
pub(crate) fn check_id(kind: &str, id: &str, syntax: IdSyntax) -> crate::Result<()> {
    let ok = id != "."
        && id != ".."
        && match syntax {
            IdSyntax::Plain => {
                !id.is_empty()
                    && id.len() <= 128
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            }
            IdSyntax::Encoded => !id.is_empty() && id.chars().count() <= 255,
        };
    if ok {
        return Ok(());
    }
    let expected = match syntax {
        IdSyntax::Plain => "1-128 characters of letters, digits, '-', '_' or '.'",
        IdSyntax::Encoded => "1-255 characters",
    };
    Err(crate::Error::invalid_argument(format!(
        "{kind} {id:?} is not a valid id: expected {expected} as returned by the provider"
    )))
}

/// Read the answer to a request that changed something at the provider (`provider`, e.g. "the
/// TSB"). The provider said it succeeded, so an unreadable answer must not invite a blind
/// retry (that would do it twice): it becomes [`crate::ErrorCode::OutcomeUnknown`], saying how
/// to `look_up` what was done instead. The one such helper of every provider.
pub(crate) fn acted<T>(
    provider: &str,
    look_up: &str,
    what: &str,
    status: u16,
    parse: impl FnOnce() -> crate::Result<T>,
) -> crate::Result<T> {
    parse().map_err(|e| {
        if e.code() != crate::ErrorCode::Protocol {
            return e;
        }
        crate::Error::new(
            crate::ErrorCode::OutcomeUnknown,
            format!(
                "{what}: {provider} accepted the request (HTTP {status}) but its answer could \
                 not be read ({}); it was carried out — {look_up} instead of repeating it",
                e.message()
            ),
        )
        .with_http_status(status)
    })
}
