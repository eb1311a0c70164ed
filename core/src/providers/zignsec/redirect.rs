//! The browser's return to your redirect URL, for eID sessions and signing sessions alike
//! (seed 002's target redirect; seed 001's cancel and error redirects with `access_denied` and
//! `error_description`): what it says, and whether it belongs to your session.

use super::eid::RedirectOutcome;
use crate::error::{Error, ErrorCode, Result};

/// What kind of session a return belongs to: the words its errors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// A browser-based eID session (identification).
    Identification,
    /// A BankID Norway signing session.
    Signing,
}

impl Flow {
    /// What a user's cancellation means in this flow.
    pub(crate) fn cancelled(self) -> &'static str {
        match self {
            Flow::Identification => "the user cancelled the identification",
            Flow::Signing => "the signer cancelled the signing",
        }
    }

    /// The session kind as messages name it.
    fn kind(self) -> &'static str {
        match self {
            Flow::Identification => "eID session",
            Flow::Signing => "signing session",
        }
    }

    /// What must not happen with a return that does not belong to the session.
    fn warning(self) -> &'static str {
        match self {
            Flow::Identification => "do not log the user in; start a new session",
            Flow::Signing => "do not treat the document as signed; start a new session",
        }
    }
}

/// Check a return before anything is fetched: with `expected` (the relay state the session was
/// created with) the URL must carry exactly it; a session id in the URL must be `session_id`; an
/// error in the URL is its error (a cancel: [`ErrorCode::Cancelled`] saying who cancelled what).
pub(crate) fn check_return(
    outcome: &RedirectOutcome,
    session_id: &str,
    expected: Option<&str>,
    flow: Flow,
) -> Result<()> {
    if let Some(expected) = expected {
        match outcome.relay_state.as_deref() {
            Some(got) if got == expected => {}
            Some(_) => {
                return Err(Error::invalid_argument(format!(
                    "the relay_state in the returned URL is not the one your session was \
                     created with; this return does not belong to your session ({})",
                    flow.warning()
                )))
            }
            None => {
                return Err(Error::invalid_argument(format!(
                    "the returned URL has no relay_state, but your session was created with \
                     one; this return cannot be tied to your session ({})",
                    flow.warning()
                )))
            }
        }
    }
    if let Some(sid) = outcome.session_id.as_deref() {
        if sid != session_id {
            return Err(Error::invalid_argument(format!(
                "the returned session id \"{}\" is not {session_id:?}",
                crate::scrub::Scrubber::new().text(sid)
            )));
        }
    }
    match outcome.error() {
        Some(e) if e.code() == ErrorCode::Cancelled => Err(Error::new(
            ErrorCode::Cancelled,
            format!("{}: {}", flow.cancelled(), e.message()),
        )
        .with_provider(
            e.provider_code().map(str::to_owned),
            e.provider_description().map(str::to_owned),
        )),
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// After the final state is fetched: the session's own relay state must be `expected` (the URL
/// can be forged, the session's relay state cannot).
pub(crate) fn check_final_relay(
    got: Option<&str>,
    expected: Option<&str>,
    session_id: &str,
    flow: Flow,
) -> Result<()> {
    let Some(expected) = expected else {
        return Ok(());
    };
    if got == Some(expected) {
        return Ok(());
    }
    Err(Error::invalid_argument(format!(
        "{} {session_id} was not created with the relay_state you expect ({}); this return \
         does not belong to your session ({})",
        flow.kind(),
        if got.is_some() {
            "it has another one"
        } else {
            "it has none"
        },
        flow.warning()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancels_say_who_cancelled_what_and_foreign_returns_are_refused() {
        let back = |q: &str| RedirectOutcome::parse(q).expect("parse");
        let e = check_return(
            &back("?error=access_denied&error_description=User+left"),
            "s",
            None,
            Flow::Signing,
        )
        .expect_err("cancelled");
        assert_eq!(e.code(), ErrorCode::Cancelled);
        assert!(
            e.message().contains("the signer cancelled the signing"),
            "{e}"
        );
        assert_eq!(e.provider_code(), Some("access_denied"));
        let e = check_return(
            &back("?errorCode=CANCELLED"),
            "s",
            None,
            Flow::Identification,
        )
        .expect_err("cancelled");
        assert!(
            e.message()
                .contains("the user cancelled the identification"),
            "{e}"
        );
        let e = check_return(&back("?error=server_error"), "s", None, Flow::Signing)
            .expect_err("error");
        assert_eq!(e.code(), ErrorCode::SigningFailed);
        for q in [
            "?relay_state=other",
            "?session_id=s",
            "?relay_state=r&session_id=t",
        ] {
            let e = check_return(&back(q), "s", Some("r"), Flow::Signing).expect_err(q);
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{q}");
        }
        assert!(check_return(
            &back("?relay_state=r&session_id=s"),
            "s",
            Some("r"),
            Flow::Signing
        )
        .is_ok());
        assert!(check_final_relay(Some("r"), Some("r"), "s", Flow::Signing).is_ok());
        assert!(check_final_relay(None, Some("r"), "s", Flow::Signing).is_err());
        assert!(check_final_relay(None, None, "s", Flow::Signing).is_ok());
    }
}
