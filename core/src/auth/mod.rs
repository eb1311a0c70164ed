//! Credentials, and how each kind is applied to a request.
//!
//! The transport asks the provider's [`Credentials`] for the headers of an attempt and reports back
//! whether the provider accepted them. Credentials are only ever applied to requests for the
//! origin they were configured for: the transport checks the origin before it asks.

mod keys;

pub use keys::{KeyHeader, KeyRing};

use http::{HeaderName, HeaderValue};

/// Which credential an attempt used, so a rejection can be answered with another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialSlot(pub(crate) usize);

/// The credentials of one provider.
#[derive(Debug)]
pub enum Credentials {
    /// A set of subscription keys sent in a header, rotated on rejection (ZignSec).
    Keys(KeyRing),
}

impl Credentials {
    /// The slot to use for a new request.
    pub(crate) fn first_slot(&self) -> CredentialSlot {
        match self {
            Credentials::Keys(k) => k.active_slot(),
        }
    }

    /// Another slot to try after `rejected` was refused with 401/403, if any is left untried.
    pub(crate) fn next_slot(
        &self,
        rejected: CredentialSlot,
        tried: usize,
    ) -> Option<CredentialSlot> {
        match self {
            Credentials::Keys(k) => k.next_slot(rejected, tried),
        }
    }

    /// How many distinct credentials can be tried for one request.
    pub(crate) fn slots(&self) -> usize {
        match self {
            Credentials::Keys(k) => k.len(),
        }
    }

    /// Remember that `slot` was accepted, so later requests start with it.
    pub(crate) fn accepted(&self, slot: CredentialSlot) {
        match self {
            Credentials::Keys(k) => k.promote(slot),
        }
    }

    /// The headers that carry the credential in `slot` (marked sensitive).
    pub(crate) fn headers(&self, slot: CredentialSlot) -> Vec<(HeaderName, HeaderValue)> {
        match self {
            Credentials::Keys(k) => k.headers(slot),
        }
    }

    /// Header names that carry secrets, for redaction and origin checks.
    pub fn secret_header_names(&self) -> &'static [&'static str] {
        &["authorization", "zs-product-key"]
    }
}
