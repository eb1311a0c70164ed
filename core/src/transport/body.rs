//! Bodies that stream: an upload read from a file as the connection takes it, and a download
//! written into a file with its md5 computed on the way (never held in memory).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use super::request::Response;
use crate::error::{Error, ErrorCode, Result};

/// Bytes read from a file per body chunk of a streamed upload.
const FILE_CHUNK: usize = 256 * 1024;

/// A request body of `len` bytes read from the file at `path` in chunks as the connection takes
/// them. The file is opened (and its length checked) before anything is sent, so a missing or
/// changed file is an error of its own that never reaches the provider; a file that becomes
/// shorter while it is read breaks the upload off with an error naming it.
pub(crate) async fn file_body(path: PathBuf, len: u64) -> Result<reqwest::Body> {
    use futures_util::StreamExt as _;
    use tokio::io::AsyncReadExt as _;
    let opened = path.clone();
    let file = crate::runtime::blocking_io(move || open_sized(&opened, len)).await?;
    let file = tokio::fs::File::from_std(file);
    let chunks = futures_util::stream::unfold(
        (file, len, path),
        |(mut file, remaining, path)| async move {
            if remaining == 0 {
                return None;
            }
            let want = (FILE_CHUNK as u64).min(remaining) as usize;
            let mut buf = vec![0u8; want];
            let read = match file.read(&mut buf).await {
                Ok(0) => Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!(
                        "{} became shorter while it was being uploaded",
                        path.display()
                    ),
                )),
                Ok(n) => Ok(n),
                Err(e) => Err(e),
            };
            match read {
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), (file, remaining - n as u64, path)))
                }
                // The error ends the body; nothing more is read.
                Err(e) => Some((Err(e), (file, 0, path))),
            }
        },
    );
    Ok(reqwest::Body::wrap_stream(chunks.boxed()))
}

/// Open `path` for reading and check it still has `len` bytes.
fn open_sized(path: &Path, len: u64) -> Result<std::fs::File> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let now = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if now != len {
        return Err(Error::new(
            ErrorCode::InvalidDocument,
            format!(
                "{} changed while it was being uploaded ({len} bytes, now {now}); upload it \
                 again once it is complete",
                path.display()
            ),
        ));
    }
    Ok(file)
}

/// A downloaded answer streamed into a file ([`Transport::download_to_file`]).
pub(crate) struct Downloaded {
    /// The answer's status.
    #[allow(dead_code)]
    pub status: StatusCode,
    /// The answer's headers (e.g. `Content-Disposition`).
    #[allow(dead_code)]
    pub headers: HeaderMap,
    /// Bytes written.
    pub len: u64,
    /// The md5 of the bytes written.
    pub md5: [u8; 16],
    /// The first bytes (up to 1 KiB), for content checks.
    #[allow(dead_code)]
    pub head: Vec<u8>,
    /// The last bytes (up to 1 KiB), for content checks.
    #[allow(dead_code)]
    pub tail: Vec<u8>,
}

/// Bytes of the start and of the end of a download kept for content checks.
const SNIFF_BYTES: usize = 1024;

/// Where one attempt writes a streamed download: the temporary file (truncated first), with the
/// md5 computed as the bytes go by.
pub(crate) struct FileSink {
    file: SinkFile,
    md5: md5::Md5,
    len: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

enum SinkFile {
    /// Plain blocking writes: the exchange runs on the blocked calling thread.
    Inline(std::fs::File),
    /// Writes through the runtime's blocking pool (buffered, at most one write in flight).
    Async(tokio::fs::File),
}

impl FileSink {
    /// A sink writing into `file` (emptied first): with plain blocking writes when the
    /// exchange runs on a blocked calling thread (`inline_io`), else through the runtime's
    /// blocking pool.
    pub(crate) fn new(file: &std::fs::File, inline_io: bool) -> Result<FileSink> {
        use md5::Digest as _;
        use std::io::Seek as _;
        let mut file = file
            .try_clone()
            .map_err(|e| Error::internal(format!("cannot reopen the download file: {e}")))?;
        file.set_len(0)
            .and_then(|()| file.rewind())
            .map_err(|e| Error::internal(format!("cannot reset the download file: {e}")))?;
        Ok(FileSink {
            file: if inline_io {
                SinkFile::Inline(file)
            } else {
                SinkFile::Async(tokio::fs::File::from_std(file))
            },
            md5: md5::Md5::new(),
            len: 0,
            head: Vec::new(),
            tail: Vec::new(),
        })
    }

    /// Write `chunk` and count it into the md5.
    pub(crate) async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        use md5::Digest as _;
        let written = match &mut self.file {
            SinkFile::Inline(f) => std::io::Write::write_all(f, chunk),
            SinkFile::Async(f) => tokio::io::AsyncWriteExt::write_all(f, chunk).await,
        };
        written.map_err(|e| {
            Error::new(
                ErrorCode::Io,
                format!("could not write the download to its temporary file: {e}"),
            )
        })?;
        self.md5.update(chunk);
        self.len += chunk.len() as u64;
        if self.head.len() < SNIFF_BYTES {
            let n = (SNIFF_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..n]);
        }
        if chunk.len() >= SNIFF_BYTES {
            self.tail.clear();
            self.tail
                .extend_from_slice(&chunk[chunk.len() - SNIFF_BYTES..]);
        } else {
            self.tail.extend_from_slice(chunk);
            let excess = self.tail.len().saturating_sub(SNIFF_BYTES);
            self.tail.drain(..excess);
        }
        Ok(())
    }

    /// Wait for the last write and describe what was written.
    pub(crate) async fn finish(mut self, resp: Response) -> Result<Downloaded> {
        use md5::Digest as _;
        if let SinkFile::Async(f) = &mut self.file {
            tokio::io::AsyncWriteExt::flush(f).await.map_err(|e| {
                Error::new(
                    ErrorCode::Io,
                    format!("could not write the download to its temporary file: {e}"),
                )
            })?;
        }
        Ok(Downloaded {
            status: resp.status,
            headers: resp.headers,
            len: self.len,
            md5: self.md5.finalize().into(),
            head: self.head,
            tail: self.tail,
        })
    }
}
