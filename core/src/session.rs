//! Provider-neutral signing-session vocabulary: [`SessionStatus`]. The wait/poll engine
//! every provider's `wait` runs on is [`crate::polling`] (re-exported here).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

/// The state of a signing session. Providers spell states differently and add new ones, so this
/// is an open set compared case-insensitively: unknown states are kept verbatim in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Created; documents can be added.
    Created,
    /// Started; waiting for the signer.
    Pending,
    /// Signed; the signed documents can be downloaded.
    Finished,
    /// The signer cancelled.
    Cancelled,
    /// The signer or provider declined.
    Rejected,
    /// The provider failed the session.
    Failed,
    /// The session expired.
    Expired,
    /// A state this version does not know, as the provider spelled it.
    Other(String),
}

impl schemars::JsonSchema for SessionStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SessionStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::api::open_set_schema(&[
            "Created",
            "Pending",
            "Finished",
            "Cancelled",
            "Rejected",
            "Failed",
            "Expired",
        ])
    }
}

/// `Created`: a session that has not started yet.
impl Default for SessionStatus {
    fn default() -> Self {
        SessionStatus::Created
    }
}

impl SessionStatus {
    /// Parse a provider's status string (case-insensitive).
    pub fn parse(s: &str) -> SessionStatus {
        match s.trim().to_ascii_lowercase().as_str() {
            "created" | "readytostart" | "draft" => SessionStatus::Created,
            "pending" | "started" | "inprogress" | "in_progress" | "sent" => SessionStatus::Pending,
            "finished" | "completed" | "complete" | "accepted" | "signed" => {
                SessionStatus::Finished
            }
            "cancelled" | "canceled" => SessionStatus::Cancelled,
            "rejected" | "declined" | "opted_out" => SessionStatus::Rejected,
            "failed" | "error" => SessionStatus::Failed,
            "expired" | "timeout" => SessionStatus::Expired,
            _ => SessionStatus::Other(s.to_string()),
        }
    }

    /// The canonical spelling (`"Finished"`…), or the provider's own for `Other`.
    pub fn as_str(&self) -> &str {
        match self {
            SessionStatus::Created => "Created",
            SessionStatus::Pending => "Pending",
            SessionStatus::Finished => "Finished",
            SessionStatus::Cancelled => "Cancelled",
            SessionStatus::Rejected => "Rejected",
            SessionStatus::Failed => "Failed",
            SessionStatus::Expired => "Expired",
            SessionStatus::Other(s) => s,
        }
    }

    /// Whether the session can no longer change.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            SessionStatus::Finished
                | SessionStatus::Cancelled
                | SessionStatus::Rejected
                | SessionStatus::Failed
                | SessionStatus::Expired
        )
    }

    /// The error code a terminal, unsuccessful state maps to.
    pub fn failure_code(&self) -> Option<ErrorCode> {
        match self {
            SessionStatus::Cancelled => Some(ErrorCode::Cancelled),
            SessionStatus::Rejected => Some(ErrorCode::Rejected),
            SessionStatus::Failed => Some(ErrorCode::SigningFailed),
            SessionStatus::Expired => Some(ErrorCode::SessionExpired),
            _ => None,
        }
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SessionStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SessionStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(SessionStatus::parse(&s))
    }
}

pub use crate::polling::{
    default_poll_interval, ProgressFn, WaitOptions, DEFAULT_SESSION_LIFETIME,
    MAX_FIRST_POLL_JITTER, MIN_POLL_INTERVAL, RECOMMENDED_POLL_INTERVAL,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parsing_is_case_insensitive_and_open() {
        assert_eq!(SessionStatus::parse("FINISHED"), SessionStatus::Finished);
        assert_eq!(SessionStatus::parse("created"), SessionStatus::Created);
        assert_eq!(
            SessionStatus::parse("Weird"),
            SessionStatus::Other("Weird".into())
        );
        assert!(SessionStatus::Cancelled.is_terminal());
        assert_eq!(
            SessionStatus::Cancelled.failure_code(),
            Some(ErrorCode::Cancelled)
        );
        assert_eq!(SessionStatus::Finished.failure_code(), None);
    }
}
