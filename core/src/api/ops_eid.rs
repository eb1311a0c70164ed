//! Operation-table entries of ZignSec's browser-based eID sessions (BankID SE, MitID, Freja eID,
//! BankID NO, or any product by its path): create, read, wait, complete from the browser's
//! return, and read a returned URL without a client. The last link of the macro chain that
//! builds the one [`super::OPERATIONS`] table ([`eid_operations!`]).

use serde::Deserialize;

use crate::error::{Error, ErrorCode, Result};
use crate::providers::zignsec::{
    BankIdSeOptions, CreateSigning, EidApi, EidProduct, EidSession, FrejaOptions, MitIdOptions,
};

/// An eID product signbridge knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EidPreset {
    /// BankID Sweden identification (options: `bankid_se`).
    BankidSe,
    /// MitID (Denmark) identification (options: `mitid`).
    Mitid,
    /// MitID identification with a CPR-number match.
    MitidCprMatch,
    /// Freja eID identification by SSN (options: `freja`, required).
    Freja,
    /// BankID Norway identification.
    BankidNo,
}

/// A "core sessions" product by its path: `POST /core/api/sessions/{category}/{product}`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoreProduct {
    /// e.g. `identity_verification`.
    pub category: String,
    /// e.g. `bankid_se`.
    pub product: String,
}

/// A newer-style product by its path: `POST /api/v5/sessions/{provider}/{operation}`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct V5Product {
    /// e.g. `bankidno`.
    pub provider: String,
    /// e.g. `auth`.
    pub operation: String,
}

/// Declares a request naming an eID product — exactly one of `product`, `core` and `v5` — with
/// the fields given, and its `product()`.
macro_rules! eid_request {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// A product by name (`bankid_se`, `mitid`, `mitid_cpr_match`, `freja`,
            /// `bankid_no`).
            #[serde(default)]
            pub product: Option<EidPreset>,
            /// Or a "core sessions" product by its path.
            #[serde(default)]
            pub core: Option<CoreProduct>,
            /// Or a v5 product by its path.
            #[serde(default)]
            pub v5: Option<V5Product>,
            $($(#[$fdoc])* pub $field: $ty,)*
        }

        impl $name {
            /// The product chosen (exactly one of `product`, `core` and `v5`).
            pub(super) fn product(&self, op: &str) -> Result<EidProduct> {
                resolve(op, self.product, self.core.as_ref(), self.v5.as_ref())
            }
        }
    };
}

fn resolve(
    op: &str,
    product: Option<EidPreset>,
    core: Option<&CoreProduct>,
    v5: Option<&V5Product>,
) -> Result<EidProduct> {
    match (product, core, v5) {
        (Some(p), None, None) => Ok(match p {
            EidPreset::BankidSe => EidProduct::bankid_se(),
            EidPreset::Mitid => EidProduct::mitid(),
            EidPreset::MitidCprMatch => EidProduct::mitid_cpr_match(),
            EidPreset::Freja => EidProduct::freja(),
            EidPreset::BankidNo => EidProduct::bankid_no(),
        }),
        (None, Some(c), None) => EidProduct::core(&c.category, &c.product),
        (None, None, Some(v)) => EidProduct::v5(&v.provider, &v.operation),
        _ => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{op}: give exactly one of request.product (e.g. \"bankid_se\"), request.core \
                 ({{\"category\", \"product\"}}) and request.v5 ({{\"provider\", \"operation\"}})"
            ),
        )),
    }
}

eid_request! {
    /// A new eID session.
    EidCreateRequest {
        /// The session envelope: locale, redirects, relay state, webhook, metadata.
        #[serde(default)]
        session: CreateSigning,
        /// Options of `bankid_se`.
        #[serde(default)]
        bankid_se: Option<BankIdSeOptions>,
        /// Options of `mitid` (a `cpr_number` makes it a CPR match).
        #[serde(default)]
        mitid: Option<MitIdOptions>,
        /// Options of `freja` (required for it).
        #[serde(default)]
        freja: Option<FrejaOptions>,
    }
}

impl EidCreateRequest {
    pub(super) async fn run(&self, api: EidApi) -> Result<EidSession> {
        const OP: &str = "zignsec.eid_create";
        let product = self.product(OP)?;
        let options = [
            ("bankid_se", self.bankid_se.is_some(), EidPreset::BankidSe),
            ("mitid", self.mitid.is_some(), EidPreset::Mitid),
            ("freja", self.freja.is_some(), EidPreset::Freja),
        ];
        for (name, given, preset) in options {
            if given && self.product != Some(preset) {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("{OP}: request.{name} holds options of the product {name:?} only"),
                ));
            }
        }
        match self.product {
            Some(EidPreset::BankidSe) => {
                let opts = self.bankid_se.clone().unwrap_or_default();
                api.bankid_se(&self.session, &opts).await
            }
            Some(EidPreset::Mitid) => {
                let opts = self.mitid.clone().unwrap_or_default();
                api.mitid(&self.session, &opts).await
            }
            Some(EidPreset::Freja) => match &self.freja {
                Some(f) => api.freja(&self.session, f).await,
                None => Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "{OP}: request.freja is required for the product \"freja\" \
                         ({{\"country\", \"ssn\"}})"
                    ),
                )),
            },
            _ => api.create(&product, &self.session).await,
        }
    }
}

eid_request! {
    /// An eID session, by its product and id.
    EidSessionRequest {
        /// The session id.
        session_id: String,
    }
}

eid_request! {
    /// Waiting for an eID session.
    EidWaitRequest {
        /// The session id.
        session_id: String,
        /// Time between two polls, in milliseconds (default 2 s).
        #[serde(default)]
        interval_ms: Option<u64>,
        /// Give up after this long, in milliseconds.
        #[serde(default)]
        timeout_ms: Option<u64>,
    }
}

eid_request! {
    /// The browser's return to your target URL, for an eID session.
    EidRedirectRequest {
        /// The session id.
        session_id: String,
        /// The URL the browser came back to (whole, or its `?query`).
        returned_url: String,
        /// The relay state you created the session with (a different one in the URL is
        /// refused).
        #[serde(default)]
        expected_relay_state: Option<String>,
    }
}

/// A URL the browser came back to.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnedUrl {
    /// The whole URL, or just its `?query`.
    pub returned_url: String,
}

/// Appends the eID entries to the entries it is given and expands `operations!` once (the last
/// link of the chain `ops.rs` starts).
macro_rules! eid_operations {
    ($($rest:tt)*) => {
        operations! {
            $($rest)*

            // ---- ZignSec browser-based eID ----------------------------------------------

            /// Create an eID session (a product by name with its options, or any product by
            /// its path): send the user's browser to its `redirect_url`.
            zignsec_eid_create "zignsec.eid_create" (EidCreateRequest) -> crate::providers::zignsec::EidSession:
                |c, r, x| r.run(c.zignsec()?.eid()).await?;
            /// An eID session's state and result (one read).
            zignsec_eid_result "zignsec.eid_result" (EidSessionRequest) -> crate::providers::zignsec::EidResult:
                |c, r, x| c.zignsec()?.eid().result(&r.product("zignsec.eid_result")?, &r.session_id).await?;
            /// Wait until an eID session is final: the identified person once `Finished`; a
            /// cancel, rejection or expiry is its error.
            zignsec_eid_wait "zignsec.eid_wait" (EidWaitRequest) -> crate::providers::zignsec::EidResult [long_running]:
                |c, r, x| {
                    let opts = wait("zignsec.eid_wait", r.interval_ms, r.timeout_ms, x)?;
                    c.zignsec()?.eid().wait(&r.product("zignsec.eid_wait")?, &r.session_id, &opts).await?
                };
            /// Handle the user's browser coming back to your target URL: an error in it is its
            /// error without a request; a foreign relay state or session id is refused; else
            /// the session's result.
            zignsec_eid_complete_redirect "zignsec.eid_complete_redirect" (EidRedirectRequest) -> crate::providers::zignsec::EidResult:
                |c, r, x| {
                    let op = "zignsec.eid_complete_redirect";
                    c.zignsec()?.eid().complete_redirect(&r.product(op)?, &r.session_id, &r.returned_url, r.expected_relay_state.as_deref()).await?
                };
            /// Read the URL a browser came back to (no request is sent; needs no client):
            /// success, relay state, session id, the error it carries.
            zignsec_parse_redirect "zignsec.parse_redirect" (ReturnedUrl) -> crate::providers::zignsec::RedirectOutcome:
                |c, r, x| crate::providers::zignsec::RedirectOutcome::parse(&r.returned_url)?;
        }
    };
}

pub(super) use eid_operations;
