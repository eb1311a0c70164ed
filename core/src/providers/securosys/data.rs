//! Data objects: small opaque values kept in the HSM under a label, key-management
//! role (seed 003 lists `/v1/dataObject` and `/v1/dataObject/**` there).
//!
//! PROPOSAL: no public source shows these endpoints' bodies. The client sends
//! `POST /v1/dataObject {"label","value":b64}`, `GET /v1/dataObject/{label}` (answer
//! `{"label","value"}`) and `DELETE /v1/dataObject/{label}`, which the simulator serves; the
//! contract's codes 615/616/653 are mapped like every TSB error (653 → `SB_ERR_NOT_FOUND`).

use http::Method;
use serde_json::{json, Value};

use super::api::{acted, b64, b64_decode, check_label, parse};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The largest value [`SecurosysClient::create_data_object`] sends.
pub const MAX_DATA_OBJECT: usize = 64 * 1024;

impl SecurosysClient {
    /// `base/v1/dataObject/{label}` with the label as one escaped path segment.
    fn data_url(&self, label: &str) -> Result<url::Url> {
        check_label(label)?;
        let mut url = self.url("v1/dataObject/")?;
        url.path_segments_mut()
            .map_err(|_| Error::internal("the base URL cannot have path segments"))?
            .pop_if_empty()
            .push(label);
        Ok(url)
    }

    /// Store `value` (1 byte to [`MAX_DATA_OBJECT`]) as data object `label`
    /// (`POST /v1/dataObject`, key-management role). An existing label fails (errorCode 615).
    pub async fn create_data_object(&self, label: &str, value: &[u8]) -> Result<()> {
        check_label(label)?;
        if value.is_empty() || value.len() > MAX_DATA_OBJECT {
            return Err(Error::invalid_argument(format!(
                "a data object holds 1 to {MAX_DATA_OBJECT} bytes, got {}",
                value.len()
            )));
        }
        let what = "create data object";
        let body = json!({"label": label, "value": b64(value)});
        let r = Request::post_json(self.url("v1/dataObject")?, &body, what)?
            .with_role(Role::KeyManagement);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || Ok(()))
    }

    /// The value of data object `label` (`GET /v1/dataObject/{label}`, key-management role);
    /// unknown → [`crate::ErrorCode::NotFound`].
    pub async fn read_data_object(&self, label: &str) -> Result<Vec<u8>> {
        let what = "read data object";
        let r = Request::get(self.data_url(label)?, what).with_role(Role::KeyManagement);
        let v: Value = parse(&self.send(r).await?, what)?;
        let s = v
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("the answer to read data object has no value"))?;
        b64_decode(s, "value")
    }

    /// Delete data object `label` (`DELETE /v1/dataObject/{label}`, key-management role).
    pub async fn delete_data_object(&self, label: &str) -> Result<()> {
        let what = "delete data object";
        let r = Request::json::<()>(Method::DELETE, self.data_url(label)?, None, what)?
            .with_role(Role::KeyManagement);
        self.send(r).await?;
        Ok(())
    }
}
