//! Service role endpoints beyond version and license (contract §9): the key store's
//! statistics (a health check) and the HSM log, whole or a page at a time. Every call here
//! sends only the service role's API key (`serviceToken`).

use serde_json::Value;

use super::api::parse;
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The most lines [`SecurosysClient::hsm_log_page`] asks for at once.
pub const MAX_LOG_PAGE: u32 = 10_000;

fn text_field(v: &Value, field: &str, what: &str) -> Result<String> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::protocol(format!("the answer to {what} has no {field}")))
}

impl SecurosysClient {
    /// The key store's statistics as the TSB words them (`GET /v1/keystore/statistics`,
    /// service role; Securosys' Go client uses it as its health check).
    pub async fn keystore_statistics(&self) -> Result<String> {
        let what = "read key store statistics";
        let r = Request::get(self.url("v1/keystore/statistics")?, what).with_role(Role::Service);
        let v: Value = parse(&self.send(r).await?, what)?;
        text_field(&v, "keyStoreStatistics", what)
    }

    /// The HSM log, whole (`GET /v1/hsm/log`, service role).
    pub async fn hsm_log(&self) -> Result<String> {
        let what = "read HSM log";
        let r = Request::get(self.url("v1/hsm/log")?, what).with_role(Role::Service);
        let v: Value = parse(&self.send(r).await?, what)?;
        text_field(&v, "log", what)
    }

    /// One page of the HSM log: lines `page_number * page_size ..` (at most `page_size`,
    /// 1 to [`MAX_LOG_PAGE`]). PROPOSAL: the role table protects `/v1/hsm/log/**` but no
    /// public source shows its sub-paths; this asks `GET /v1/hsm/log/{pageNumber}/{pageSize}`
    /// (what the simulator serves) — an empty text is past the end.
    pub async fn hsm_log_page(&self, page_number: u32, page_size: u32) -> Result<String> {
        if !(1..=MAX_LOG_PAGE).contains(&page_size) {
            return Err(Error::invalid_argument(format!(
                "page_size must be between 1 and {MAX_LOG_PAGE}, got {page_size}"
            )));
        }
        let what = "read HSM log page";
        let url = self.url(&format!("v1/hsm/log/{page_number}/{page_size}"))?;
        let r = Request::get(url, what).with_role(Role::Service);
        let v: Value = parse(&self.send(r).await?, what)?;
        text_field(&v, "log", what)
    }
}
