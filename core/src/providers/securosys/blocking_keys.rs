//! Blocking twins of the seed/derived key and file encryption operations (`hd.rs`,
//! `file_crypt.rs`), on [`crate::blocking::Securosys`] (each runs the async operation of the
//! same name on the shared runtime).

use secrecy::SecretString;

use super::approvers::{ApproverStatus, NewApprover, OnboardedApprover};
use super::file_crypt::DecryptedFile;
use super::hd::ImportSeedKey;
use super::model::{KeyAttributes, KeyInfo};
use crate::blocking::Securosys;
use crate::error::Result;
use crate::runtime::block_on;

impl Securosys {
    /// See [`super::SecurosysClient::import_seed_key`].
    pub fn import_seed_key(&self, req: &ImportSeedKey) -> Result<KeyInfo> {
        block_on(self.0.import_seed_key(req))?
    }
    /// See [`super::SecurosysClient::derive_key`].
    pub fn derive_key(
        &self,
        master: &str,
        path: &str,
        attributes: Option<&KeyAttributes>,
    ) -> Result<KeyInfo> {
        block_on(self.0.derive_key(master, path, attributes))?
    }
    /// See [`super::SecurosysClient::file_encrypt`].
    pub fn file_encrypt(&self, label: &str, file_name: &str, content: &[u8]) -> Result<Vec<u8>> {
        block_on(self.0.file_encrypt(label, file_name, content))?
    }
    /// See [`super::SecurosysClient::synchronous_file_decrypt`].
    pub fn synchronous_file_decrypt(&self, label: &str, encrypted: &[u8]) -> Result<DecryptedFile> {
        block_on(self.0.synchronous_file_decrypt(label, encrypted))?
    }
    /// See [`super::SecurosysClient::create_approver`].
    pub fn create_approver(&self, req: &NewApprover) -> Result<SecretString> {
        block_on(self.0.create_approver(req))?
    }
    /// See [`super::SecurosysClient::renew_approver_one_time_code`].
    pub fn renew_approver_one_time_code(&self, name: &str) -> Result<SecretString> {
        block_on(self.0.renew_approver_one_time_code(name))?
    }
    /// See [`super::SecurosysClient::approver_status`].
    pub fn approver_status(&self, name: &str) -> Result<ApproverStatus> {
        block_on(self.0.approver_status(name))?
    }
    /// See [`super::SecurosysClient::delete_approver`].
    pub fn delete_approver(&self, name: &str) -> Result<()> {
        block_on(self.0.delete_approver(name))?
    }
    /// See [`super::SecurosysClient::onboard_approver`].
    pub fn onboard_approver(
        &self,
        name: &str,
        one_time_code: &SecretString,
        transport_password: &SecretString,
    ) -> Result<OnboardedApprover> {
        block_on(
            self.0
                .onboard_approver(name, one_time_code, transport_password),
        )?
    }
}
