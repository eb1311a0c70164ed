//! Blocking twins of the operations of `keyops.rs`, `service.rs` and the paged approval task
//! lists, on [`crate::blocking::Securosys`] (each runs the async operation of the same name on
//! the shared runtime).

use super::approval::{ApprovalTask, ApproverSigner, TaskKind, TaskOrder};
use super::keyops::{
    CipherAlgorithm, CipherOptions, Encrypted, RequestSummary, UnwrapKey, WrapMethod,
};
use super::model::{KeyInfo, Policy, RequestState, RequestStatus, SignOptions};
use crate::blocking::Securosys;
use crate::error::Result;
use crate::runtime::block_on;
use crate::session::WaitOptions;

impl Securosys {
    /// See [`super::SecurosysClient::encrypt`].
    pub fn encrypt(
        &self,
        label: &str,
        payload: &[u8],
        algorithm: &CipherAlgorithm,
        opts: &CipherOptions,
    ) -> Result<Encrypted> {
        block_on(self.0.encrypt(label, payload, algorithm, opts))?
    }
    /// See [`super::SecurosysClient::synchronous_decrypt`].
    pub fn synchronous_decrypt(
        &self,
        label: &str,
        ciphertext: &[u8],
        algorithm: &CipherAlgorithm,
        iv: Option<&[u8]>,
        opts: &CipherOptions,
    ) -> Result<Vec<u8>> {
        block_on(
            self.0
                .synchronous_decrypt(label, ciphertext, algorithm, iv, opts),
        )?
    }
    /// See [`super::SecurosysClient::decrypt`].
    pub fn decrypt(
        &self,
        label: &str,
        ciphertext: &[u8],
        algorithm: &CipherAlgorithm,
        iv: Option<&[u8]>,
        opts: &CipherOptions,
        options: &SignOptions,
    ) -> Result<String> {
        block_on(
            self.0
                .decrypt(label, ciphertext, algorithm, iv, opts, options),
        )?
    }
    /// See [`super::SecurosysClient::synchronous_hmac`].
    pub fn synchronous_hmac(&self, label: &str, payload: &[u8]) -> Result<Vec<u8>> {
        block_on(self.0.synchronous_hmac(label, payload))?
    }
    /// See [`super::SecurosysClient::verify_hmac`].
    pub fn verify_hmac(&self, label: &str, payload: &[u8], mac: &[u8]) -> Result<bool> {
        block_on(self.0.verify_hmac(label, payload, mac))?
    }
    /// See [`super::SecurosysClient::generate_random`].
    pub fn generate_random(&self, length: usize) -> Result<Vec<u8>> {
        block_on(self.0.generate_random(length))?
    }
    /// See [`super::SecurosysClient::synchronous_block`].
    pub fn synchronous_block(&self, label: &str) -> Result<()> {
        block_on(self.0.synchronous_block(label))?
    }
    /// See [`super::SecurosysClient::synchronous_unblock`].
    pub fn synchronous_unblock(&self, label: &str) -> Result<()> {
        block_on(self.0.synchronous_unblock(label))?
    }
    /// See [`super::SecurosysClient::block`].
    pub fn block(&self, label: &str, options: &SignOptions) -> Result<String> {
        block_on(self.0.block(label, options))?
    }
    /// See [`super::SecurosysClient::unblock`].
    pub fn unblock(&self, label: &str, options: &SignOptions) -> Result<String> {
        block_on(self.0.unblock(label, options))?
    }
    /// See [`super::SecurosysClient::wait_request_done`].
    pub fn wait_request_done(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<RequestStatus> {
        block_on(self.0.wait_request_done(id, opts))?
    }
    /// See [`super::SecurosysClient::wrap_key`].
    pub fn wrap_key(&self, label: &str, wrap_key: &str, method: &WrapMethod) -> Result<Vec<u8>> {
        block_on(self.0.wrap_key(label, wrap_key, method))?
    }
    /// See [`super::SecurosysClient::synchronous_unwrap_key`].
    pub fn synchronous_unwrap_key(&self, req: &UnwrapKey) -> Result<KeyInfo> {
        block_on(self.0.synchronous_unwrap_key(req))?
    }
    /// See [`super::SecurosysClient::unwrap_key`].
    pub fn unwrap_key(&self, req: &UnwrapKey, options: &SignOptions) -> Result<String> {
        block_on(self.0.unwrap_key(req, options))?
    }
    /// See [`super::SecurosysClient::approval_tasks_page`].
    pub fn approval_tasks_page(
        &self,
        signer: &dyn ApproverSigner,
        kind: TaskKind,
        page_number: u32,
        page_size: u32,
        order: TaskOrder,
    ) -> Result<Vec<ApprovalTask>> {
        block_on(
            self.0
                .approval_tasks_page(signer, kind, page_number, page_size, order),
        )?
    }
    /// See [`super::SecurosysClient::all_approval_tasks`].
    pub fn all_approval_tasks(
        &self,
        signer: &dyn ApproverSigner,
        kind: TaskKind,
        page_size: u32,
    ) -> Result<Vec<ApprovalTask>> {
        block_on(self.0.all_approval_tasks(signer, kind, page_size))?
    }
    /// See [`super::SecurosysClient::keystore_statistics`].
    pub fn keystore_statistics(&self) -> Result<String> {
        block_on(self.0.keystore_statistics())?
    }
    /// See [`super::SecurosysClient::hsm_log`].
    pub fn hsm_log(&self) -> Result<String> {
        block_on(self.0.hsm_log())?
    }
    /// See [`super::SecurosysClient::hsm_log_page`].
    pub fn hsm_log_page(&self, page_number: u32, page_size: u32) -> Result<String> {
        block_on(self.0.hsm_log_page(page_number, page_size))?
    }
    /// See [`super::SecurosysClient::synchronous_modify`].
    pub fn synchronous_modify(&self, label: &str, policy: &Policy) -> Result<()> {
        block_on(self.0.synchronous_modify(label, policy))?
    }
    /// See [`super::SecurosysClient::modify`].
    pub fn modify(&self, label: &str, policy: &Policy, options: &SignOptions) -> Result<String> {
        block_on(self.0.modify(label, policy, options))?
    }
    /// See [`super::SecurosysClient::create_data_object`].
    pub fn create_data_object(&self, label: &str, value: &[u8]) -> Result<()> {
        block_on(self.0.create_data_object(label, value))?
    }
    /// See [`super::SecurosysClient::read_data_object`].
    pub fn read_data_object(&self, label: &str) -> Result<Vec<u8>> {
        block_on(self.0.read_data_object(label))?
    }
    /// See [`super::SecurosysClient::delete_data_object`].
    pub fn delete_data_object(&self, label: &str) -> Result<()> {
        block_on(self.0.delete_data_object(label))?
    }
    /// See [`super::SecurosysClient::filtered_requests`].
    pub fn filtered_requests(&self, statuses: &[RequestState]) -> Result<Vec<RequestSummary>> {
        block_on(self.0.filtered_requests(statuses))?
    }
    /// See [`super::SecurosysClient::create_rfc_timestamp`].
    pub fn create_rfc_timestamp(
        &self,
        data: &[u8],
        hash: super::timestamp::TimestampHash,
    ) -> Result<Vec<u8>> {
        block_on(self.0.create_rfc_timestamp(data, hash))?
    }
    /// See [`super::SecurosysClient::key_attestation`].
    pub fn key_attestation(&self, label: &str) -> Result<super::attestation::KeyAttestation> {
        block_on(self.0.key_attestation(label))?
    }
}
