//! Cancellation handles for long operations such as [`wait`](crate::providers::zignsec::SigningApi::wait).

use tokio_util::sync::CancellationToken;

/// A handle that aborts the operations it was given to, from any thread.
///
/// Cheap to clone; all clones share one state. Once cancelled it stays cancelled. An operation
/// aborted this way fails with [`ErrorCode::Aborted`](crate::ErrorCode::Aborted); nothing is
/// cancelled at the provider.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(CancellationToken);

impl CancelToken {
    /// A new, not yet cancelled token.
    pub fn new() -> CancelToken {
        CancelToken(CancellationToken::new())
    }

    /// Cancel every operation using this token (and its clones).
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Completes when the token is cancelled.
    pub async fn cancelled(&self) {
        self.0.cancelled().await
    }
}
