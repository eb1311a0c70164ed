//! Blocking twins of the seed/derived key and file encryption operations (`hd.rs`,
//! `file_crypt.rs`), on [`crate::blocking::Securosys`] (each runs the async operation of the
//! same name on the shared runtime).

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
}
