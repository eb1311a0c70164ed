//! # signbridge
//!
//! One client for Nordic eID and e-signature services. This crate is the core that the C
//! library, the Python wheel and the Node addon wrap: all logic lives here.
//!
//! ```no_run
//! use signbridge::{Client, Config};
//! use signbridge::providers::zignsec::{CreateSigning, Document};
//! use signbridge::session::WaitOptions;
//!
//! # async fn run() -> signbridge::Result<()> {
//! let client = Client::new(Config::from_env()?)?;
//! let signing = client.zignsec()?.signing();
//! let doc = Document::from_path("contract.pdf", None).await?;
//! let started = signing.sign_documents(&CreateSigning::default(), &[doc]).await?;
//! println!("send the signer to {}", started.redirect_url);
//! let done = signing.wait(&started.id, &WaitOptions::default()).await?;
//! signing.save_signed_files(&done, "signed/").await?;
//! # Ok(()) }
//! ```
//!
//! For document flows that should not depend on the provider, [`signing`] offers one
//! provider-neutral session (ZignSec BankID Norway or OneSpan Sign): `client.signing()?.start(..)`
//! returns a [`signing::SessionRef`] such as `"zignsec:<id>"` that every later call takes.
//!
//! Every async operation has a blocking twin in [`blocking`], which runs the same future on the
//! one shared runtime ([`runtime`]).

pub mod api;
pub mod auth;
pub mod blocking;
pub mod cancel;
pub mod client;
pub mod config;
pub mod enums;
pub mod error;
pub(crate) mod files;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod naming;
pub mod numbers;
pub mod pdf;
pub mod polling;
pub mod providers;
pub mod replay;
pub mod runtime;
pub(crate) mod scrub;
pub mod session;
pub mod signing;
pub mod transport;
pub mod verify;
/// ZignSec's pushed results (webhooks); lives with the provider, re-exported here.
pub use providers::zignsec::webhook;

pub use cancel::CancelToken;
pub use client::Client;
pub use config::Config;
pub use error::{Error, ErrorClass, ErrorCode, Result};
pub use session::{SessionStatus, WaitOptions};

/// The version of this library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
