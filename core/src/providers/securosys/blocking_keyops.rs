//! Blocking twins of the key operations of `keyops.rs`, on [`crate::blocking::Securosys`] (each
//! runs the async operation of the same name on the shared runtime).

use super::keyops::{CipherAlgorithm, CipherOptions, Encrypted, UnwrapKey, WrapMethod};
use super::model::{KeyInfo, RequestStatus, SignOptions};
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
}
