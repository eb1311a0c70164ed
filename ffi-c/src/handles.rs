//! The registry of every pointer signbridge has handed to C and not yet taken back.
//!
//! A pointer received from C is looked up here before it is dereferenced, so a NULL, freed,
//! foreign or wrong-type pointer is refused instead of read. Lookups and frees are serialised by
//! one lock, and a handle's contents are copied out (cheap clones of `Arc`s) while the lock is
//! held: a handle freed by one thread while another uses it is therefore safe, the other thread
//! keeps its own reference until its call ends.
//!
//! Limit (documented in the header): once freed, an address can be reused by a newer object of
//! the same kind; a stale pointer that happens to equal it then refers to the newer object.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

/// What a registered pointer points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `Box<sb_client>`.
    Client,
    /// A `Box<sb_status>`.
    Status,
    /// A `Box<sb_cancel_token>`.
    CancelToken,
    /// A `Box<sb_webhook_verifier>`.
    WebhookVerifier,
    /// A `Box<sb_signing_session>`.
    SigningSession,
    /// A `Box<sb_signing_state>`.
    SigningState,
    /// A `Box<sb_signing_completed>`.
    SigningCompleted,
    /// A `Box<sb_onespan_callback_verifier>`.
    CallbackVerifier,
    /// A `Box<sb_error>`.
    Error,
    /// A `CString` given out with `into_raw`.
    String,
    /// A `Box<[u8]>` given out with `into_raw`; the entry's length is the slice length.
    Bytes,
    /// A `Box<[*const c_char]>` of `CString`s given out with `into_raw` (an `sb_strings`); the
    /// entry's length is the number of strings.
    Strings,
}

struct Entry {
    kind: Kind,
    len: usize,
}

static LIVE: LazyLock<Mutex<BTreeMap<usize, Entry>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

fn live() -> MutexGuard<'static, BTreeMap<usize, Entry>> {
    // The map is consistent after any panic (single inserts and removes), so poison is ignored.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Record `ptr` as a live object of `kind` (`len` is the length for [`Kind::Bytes`], else 0).
pub fn register<T>(ptr: *mut T, kind: Kind, len: usize) -> *mut T {
    if !ptr.is_null() {
        live().insert(ptr as usize, Entry { kind, len });
    }
    ptr
}

/// Forget `ptr` if it is a live object of `kind`; returns its length when it was. The caller then
/// owns the object and must drop it.
pub fn release<T>(ptr: *const T, kind: Kind) -> Option<usize> {
    if ptr.is_null() {
        return None;
    }
    let mut map = live();
    match map.get(&(ptr as usize)) {
        Some(e) if e.kind == kind => map.remove(&(ptr as usize)).map(|e| e.len),
        _ => None,
    }
}

/// Run `f` on the object behind `ptr` if it is a live object of `kind`, with the registry locked
/// (so it cannot be freed meanwhile). `f` must not call back into this module.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn with_live<T, R>(ptr: *const T, kind: Kind, f: impl FnOnce(&T) -> R) -> Option<R> {
    if ptr.is_null() {
        return None;
    }
    let map = live();
    match map.get(&(ptr as usize)) {
        // SAFETY: the pointer was registered from a live `Box<T>` of this kind and is removed
        // from the registry (under this lock) before that box is dropped.
        Some(e) if e.kind == kind => Some(f(unsafe { &*ptr })),
        _ => None,
    }
}

/// Number of live objects of every kind.
pub fn live_total() -> usize {
    live().len()
}

/// Number of live objects of `kind` (for tests).
pub fn live_count(kind: Kind) -> usize {
    live().values().filter(|e| e.kind == kind).count()
}
