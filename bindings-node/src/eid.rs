//! Browser-based eID sessions (`client.zignsecEid()`): BankID SE, MitID, Freja eID, BankID NO…
//! A thin translation of `signbridge::providers::zignsec::EidApi`: arguments are read from
//! JavaScript, the core's future runs on the core's runtime and settles a Promise
//! ([`crate::promise`]), like the signing API.
//!
//! Products are plain objects `{ createPath, resultPrefix }` made by the `EidProduct` functions
//! (`EidProduct.bankidSe()`, `EidProduct.core(category, product)`…), the core's `EidProduct`.

use napi::bindgen_prelude::{Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::providers::zignsec as core;

use crate::args::{self, Obj};
use crate::errors::{self, type_error, Kind};
use crate::promise;
use crate::types::{EidResult, EidSession, RedirectOutcome};

/// Which product an eID session is for: the paths that create and read it (the core's
/// `EidProduct`). Make one with the `EidProduct` functions, e.g. `EidProduct.bankidSe()`.
#[napi(object, js_name = "EidProduct")]
pub struct EidProductPaths {
    /// Path (under the gateway) that creates a session, e.g.
    /// `'core/api/sessions/identity_verification/bankid_se'`.
    pub create_path: String,
    /// Path prefix that reads a session: the id is appended.
    pub result_prefix: String,
}

impl From<core::EidProduct> for EidProductPaths {
    fn from(p: core::EidProduct) -> Self {
        EidProductPaths {
            create_path: p.create_path,
            result_prefix: p.result_prefix,
        }
    }
}

// The `EidProduct` namespace: the core's `EidProduct` constructors.

/// BankID Sweden identification (`identity_verification/bankid_se`).
#[napi(namespace = "EidProduct", js_name = "bankidSe")]
pub fn product_bankid_se() -> EidProductPaths {
    core::EidProduct::bankid_se().into()
}

/// MitID (Denmark) identification (`identity_verification/mitid`).
#[napi(namespace = "EidProduct", js_name = "mitid")]
pub fn product_mitid() -> EidProductPaths {
    core::EidProduct::mitid().into()
}

/// MitID identification with a CPR-number match (`match_cpr/mitid`).
#[napi(namespace = "EidProduct", js_name = "mitidCprMatch")]
pub fn product_mitid_cpr_match() -> EidProductPaths {
    core::EidProduct::mitid_cpr_match().into()
}

/// Freja eID identification by SSN (`identity_verification/freja_id_ssn`).
#[napi(namespace = "EidProduct", js_name = "freja")]
pub fn product_freja() -> EidProductPaths {
    core::EidProduct::freja().into()
}

/// BankID Norway identification (`/api/v5/sessions/bankidno/auth`).
#[napi(namespace = "EidProduct", js_name = "bankidNo")]
pub fn product_bankid_no() -> EidProductPaths {
    core::EidProduct::bankid_no().into()
}

/// A "core sessions" product: created at `/core/api/sessions/{category}/{product}`, read at
/// `/core/api/sessions/{id}`. A segment that is not a plain id throws `SB_ERR_INVALID_ARGUMENT`.
#[napi(
    namespace = "EidProduct",
    js_name = "core",
    ts_args_type = "category: string, product: string"
)]
pub fn product_core(
    env: Env,
    category: Unknown<'_>,
    product: Unknown<'_>,
) -> napi::Result<EidProductPaths> {
    let category = args::string(&env, category, "category")?;
    let product = args::string(&env, product, "product")?;
    core::EidProduct::core(&category, &product)
        .map(Into::into)
        .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
}

/// A newer-style product: created at `/api/v5/sessions/{provider}/{operation}`, read at
/// `/api/v5/sessions/{provider}/{id}`. A segment that is not a plain id throws
/// `SB_ERR_INVALID_ARGUMENT`.
#[napi(
    namespace = "EidProduct",
    js_name = "v5",
    ts_args_type = "provider: string, operation: string"
)]
pub fn product_v5(
    env: Env,
    provider: Unknown<'_>,
    operation: Unknown<'_>,
) -> napi::Result<EidProductPaths> {
    let provider = args::string(&env, provider, "provider")?;
    let operation = args::string(&env, operation, "operation")?;
    core::EidProduct::v5(&provider, &operation)
        .map(Into::into)
        .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
}

fn read_product(env: &Env, v: Unknown<'_>) -> napi::Result<core::EidProduct> {
    if v.get_type()? != ValueType::Object || v.is_array()? {
        return Err(type_error(
            env,
            format!(
                "product must be an EidProduct such as EidProduct.bankidSe(), got {}",
                args::describe(&v)
            ),
        ));
    }
    let o = Obj::new(env, v, "product", &["createPath", "resultPrefix"])?;
    Ok(core::EidProduct {
        create_path: o.string("createPath")?,
        result_prefix: o.string("resultPrefix")?,
    })
}

fn read_bankid_se(env: &Env, v: Option<Unknown<'_>>) -> napi::Result<core::BankIdSeOptions> {
    let mut out = core::BankIdSeOptions::default();
    if let Some(o) = Obj::opt(env, v, "options", &["personalNumber"])? {
        out.personal_number = o.opt_string("personalNumber")?;
    }
    Ok(out)
}

fn read_mitid(env: &Env, v: Option<Unknown<'_>>) -> napi::Result<core::MitIdOptions> {
    let mut out = core::MitIdOptions::default();
    if let Some(o) = Obj::opt(
        env,
        v,
        "options",
        &[
            "action",
            "level",
            "language",
            "requestedAttributes",
            "cprNumber",
        ],
    )? {
        out.action = o.opt_string("action")?;
        out.level = o.opt_string("level")?;
        out.language = o.opt_string("language")?;
        out.requested_attributes = o
            .opt_string_array("requestedAttributes")?
            .unwrap_or_default();
        out.cpr_number = o.opt_string("cprNumber")?;
    }
    Ok(out)
}

fn read_freja(env: &Env, v: Unknown<'_>) -> napi::Result<core::FrejaOptions> {
    let o = Obj::new(
        env,
        v,
        "options",
        &[
            "country",
            "ssn",
            "attributesToReturn",
            "minRegistrationLevel",
        ],
    )?;
    Ok(core::FrejaOptions {
        country: o.string("country")?,
        ssn: o.string("ssn")?,
        attributes_to_return: o
            .opt_string_array("attributesToReturn")?
            .unwrap_or_default(),
        min_registration_level: o.opt_string("minRegistrationLevel")?,
    })
}

/// Read the URL the browser came back to (your target URL, with ZignSec's query appended):
/// success with `relayState` and `sessionId`, or a cancel / error with `errorCode` and
/// `errorText` (OAuth-style `error=access_denied` + `error_description` too). A URL that cannot
/// be parsed throws `SB_ERR_INVALID_ARGUMENT`. Nothing is sent.
#[napi(ts_args_type = "returnedUrl: string")]
pub fn parse_redirect(env: Env, returned_url: Unknown<'_>) -> napi::Result<RedirectOutcome> {
    let url = args::string(&env, returned_url, "returnedUrl")?;
    core::RedirectOutcome::parse(&url)
        .map(Into::into)
        .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
}

/// Browser-based eID sessions through the ZignSec gateway: create a session, send the user to
/// `redirectUrl`, then get the result by polling (`wait`), from the browser's return
/// (`completeRedirect`) or from a verified webhook (`WebhookVerifier`). Every method returns a
/// Promise settled from the core's runtime; it rejects with an `Error` carrying `code` and
/// `errno`.
#[napi]
pub struct EidApi {
    inner: core::EidApi,
}

impl EidApi {
    pub(crate) fn new(inner: core::EidApi) -> EidApi {
        EidApi { inner }
    }
}

#[napi]
impl EidApi {
    /// Create a session for any product with the common envelope (`locale`, `redirectSuccess`,
    /// `redirectFailure`, `relayState`, `gdprUserId`, `webhook`, `metadata`).
    #[napi(
        ts_args_type = "product: EidProduct, request?: EidRequest | null",
        ts_return_type = "Promise<EidSession>"
    )]
    pub fn create<'e>(
        &self,
        env: &'e Env,
        product: Unknown<'_>,
        request: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let product = read_product(env, product)?;
        let req = crate::read_create(env, request, "request")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.create(&product, &req).await },
            EidSession::from,
            None,
        )
    }

    /// BankID Sweden identification; `personalNumber` (12 digits) restricts who may identify.
    #[napi(
        ts_args_type = "request?: EidRequest | null, options?: BankIdSeOptions | null",
        ts_return_type = "Promise<EidSession>"
    )]
    pub fn bankid_se<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let req = crate::read_create(env, request, "request")?;
        let opts = read_bankid_se(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.bankid_se(&req, &opts).await },
            EidSession::from,
            None,
        )
    }

    /// MitID identification; with `cprNumber` the session is a CPR match
    /// (`EidProduct.mitidCprMatch()`).
    #[napi(
        ts_args_type = "request?: EidRequest | null, options?: MitIdOptions | null",
        ts_return_type = "Promise<EidSession>"
    )]
    pub fn mitid<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let req = crate::read_create(env, request, "request")?;
        let opts = read_mitid(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.mitid(&req, &opts).await },
            EidSession::from,
            None,
        )
    }

    /// Freja eID identification by SSN (`country` and `ssn` required).
    #[napi(
        ts_args_type = "request: EidRequest | null | undefined, options: FrejaOptions",
        ts_return_type = "Promise<EidSession>"
    )]
    pub fn freja<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
        options: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let req = crate::read_create(env, request, "request")?;
        let opts = read_freja(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.freja(&req, &opts).await },
            EidSession::from,
            None,
        )
    }

    /// BankID Norway identification.
    #[napi(
        ts_args_type = "request?: EidRequest | null",
        ts_return_type = "Promise<EidSession>"
    )]
    pub fn bankid_no<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let req = crate::read_create(env, request, "request")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.bankid_no(&req).await },
            EidSession::from,
            None,
        )
    }

    /// Read a session's state and result (one request; poll with `wait`).
    #[napi(
        ts_args_type = "product: EidProduct, sessionId: string",
        ts_return_type = "Promise<EidResult>"
    )]
    pub fn result<'e>(
        &self,
        env: &'e Env,
        product: Unknown<'_>,
        session_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let product = read_product(env, product)?;
        let session_id = args::string(env, session_id, "sessionId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.result(&product, &session_id).await },
            EidResult::from,
            None,
        )
    }

    /// Poll (every 2 s by default, as the provider recommends) until the session is final.
    /// `'Finished'` resolves with the result; `Cancelled`, `Failed` (MitID's `DECLINED`:
    /// `SB_ERR_REJECTED`) and `Expired` reject with their codes. `signal` aborts the wait
    /// (`SB_ERR_ABORTED`); `timeoutMs` bounds it (`SB_ERR_TIMEOUT`).
    #[napi(
        ts_args_type = "product: EidProduct, sessionId: string, options?: WaitOptions<EidResult> | null",
        ts_return_type = "Promise<EidResult>"
    )]
    pub fn wait<'e>(
        &self,
        env: &'e Env,
        product: Unknown<'_>,
        session_id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let product = read_product(env, product)?;
        let session_id = args::string(env, session_id, "sessionId")?;
        let (opts, cleanup) = crate::read_wait(env, options, EidResult::from)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait(&product, &session_id, &opts).await },
            EidResult::from,
            cleanup,
        )
    }

    /// Handle the browser's return to your target URL: a cancel or error in the URL rejects with
    /// its code (`SB_ERR_CANCELLED`, `SB_ERR_REJECTED`…) without a request; a `relay_state`
    /// other than `expectedRelayState`, or another session's id, rejects with
    /// `SB_ERR_INVALID_ARGUMENT`; otherwise the final result is fetched.
    #[napi(
        ts_args_type = "product: EidProduct, sessionId: string, returnedUrl: string, expectedRelayState?: string | null",
        ts_return_type = "Promise<EidResult>"
    )]
    pub fn complete_redirect<'e>(
        &self,
        env: &'e Env,
        product: Unknown<'_>,
        session_id: Unknown<'_>,
        returned_url: Unknown<'_>,
        expected_relay_state: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let product = read_product(env, product)?;
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
                api.complete_redirect(&product, &session_id, &returned_url, expected.as_deref())
                    .await
            },
            EidResult::from,
            None,
        )
    }
}
