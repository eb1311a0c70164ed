//! Blocking twins of the certificate operations, on [`crate::blocking::Securosys`] (each runs the
//! async operation of the same name on the shared runtime; nothing here has logic of its own).

use super::cert::{Certificate, CertificateRequest, Csr, CsrRequest};
use super::model::{RequestStatus, SignOptions};
use crate::blocking::Securosys;
use crate::error::Result;
use crate::runtime::block_on;
use crate::session::WaitOptions;

impl Securosys {
    /// See [`super::SecurosysClient::self_signed_certificate`].
    pub fn self_signed_certificate(
        &self,
        label: &str,
        req: &CertificateRequest,
    ) -> Result<Certificate> {
        block_on(self.0.self_signed_certificate(label, req))?
    }
    /// See [`super::SecurosysClient::certificate_signing_request`].
    pub fn certificate_signing_request(&self, label: &str, req: &CsrRequest) -> Result<Csr> {
        block_on(self.0.certificate_signing_request(label, req))?
    }
    /// See [`super::SecurosysClient::request_self_signed_certificate`].
    pub fn request_self_signed_certificate(
        &self,
        label: &str,
        req: &CertificateRequest,
        options: &SignOptions,
    ) -> Result<String> {
        block_on(self.0.request_self_signed_certificate(label, req, options))?
    }
    /// See [`super::SecurosysClient::request_certificate_signing_request`].
    pub fn request_certificate_signing_request(
        &self,
        label: &str,
        req: &CsrRequest,
        options: &SignOptions,
    ) -> Result<String> {
        block_on(
            self.0
                .request_certificate_signing_request(label, req, options),
        )?
    }
    /// See [`super::SecurosysClient::wait_certificate`].
    pub fn wait_certificate(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<Certificate> {
        block_on(self.0.wait_certificate(id, opts))?
    }
    /// See [`super::SecurosysClient::wait_certificate_signing_request`].
    pub fn wait_certificate_signing_request(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<Csr> {
        block_on(self.0.wait_certificate_signing_request(id, opts))?
    }
}
