//! File encryption, key-operation role: `POST /v1/fileEncrypt` and
//! `POST /v1/synchronousFileDecrypt` (seed 003 lists both; the bodies are a PROPOSAL, see
//! `shared/api/securosys.md` additions): `{"fileEncryptRequest":{"encryptKeyName",
//! "fileName","payload"}}` → `{"encryptedFile"}` and `{"fileDecryptRequest":{"decryptKeyName",
//! "encryptedFile"}}` → `{"fileName","payload"}`. The encrypted file is the HSM's own
//! authenticated container (opaque here): an AES key encrypts it directly, an RSA key wraps a
//! fresh content key. A file altered or made for another key fails (errorCodes 410, 623).

use serde::Deserialize;
use serde_json::json;

use super::api::{b64, b64_decode, check_label, parse};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The largest file [`SecurosysClient::file_encrypt`] sends (8 MiB).
pub const MAX_FILE_ENCRYPT: usize = 8 * 1024 * 1024;

/// A decrypted file.
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptedFile {
    /// The file name given when it was encrypted.
    pub file_name: String,
    /// The file's content.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for DecryptedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptedFile")
            .field("file_name", &self.file_name)
            .field("content", &format_args!("[{} bytes]", self.content.len()))
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encrypted {
    encrypted_file: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Decrypted {
    file_name: String,
    payload: String,
}

fn check_file_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 255 || name.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "file name {name:?} is not valid: expected 1-255 characters without control \
             characters"
        )));
    }
    Ok(())
}

impl SecurosysClient {
    /// Encrypts `content` (at most [`MAX_FILE_ENCRYPT`] bytes) named `file_name` with key
    /// `label` (AES or RSA, `encrypt` attribute) (`POST /v1/fileEncrypt`, key-operation role):
    /// the encrypted file, which only [`Self::synchronous_file_decrypt`] with the same key opens.
    pub async fn file_encrypt(
        &self,
        label: &str,
        file_name: &str,
        content: &[u8],
    ) -> Result<Vec<u8>> {
        check_label(label)?;
        check_file_name(file_name)?;
        if content.len() > MAX_FILE_ENCRYPT {
            return Err(Error::invalid_argument(format!(
                "a file to encrypt has at most {MAX_FILE_ENCRYPT} bytes, got {}",
                content.len()
            )));
        }
        let what = "encrypt file";
        let body = json!({"fileEncryptRequest": {
            "encryptKeyName": label, "keyPassword": null, "fileName": file_name,
            "payload": b64(content)}});
        let r = Request::post_json(self.url("v1/fileEncrypt")?, &body, what)?
            .with_role(Role::KeyOperation);
        let e: Encrypted = parse(&self.send(r).await?, what)?;
        b64_decode(&e.encrypted_file, "encryptedFile")
    }

    /// Decrypts a file [`Self::file_encrypt`] made with key `label` (`decrypt` attribute, no
    /// approval policy) (`POST /v1/synchronousFileDecrypt`, key-operation role).
    pub async fn synchronous_file_decrypt(
        &self,
        label: &str,
        encrypted: &[u8],
    ) -> Result<DecryptedFile> {
        check_label(label)?;
        if encrypted.is_empty() {
            return Err(Error::invalid_argument("the encrypted file is empty"));
        }
        let what = "decrypt file";
        let body = json!({"fileDecryptRequest": {
            "decryptKeyName": label, "keyPassword": null, "encryptedFile": b64(encrypted)}});
        let r = Request::post_json(self.url("v1/synchronousFileDecrypt")?, &body, what)?
            .with_role(Role::KeyOperation);
        let d: Decrypted = parse(&self.send(r).await?, what)?;
        Ok(DecryptedFile {
            file_name: d.file_name,
            content: b64_decode(&d.payload, "payload")?,
        })
    }
}
