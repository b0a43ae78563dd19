//! The Oomnitza client: the one place that knows Oomnitza's HTTP routes,
//! headers and error bodies (see `docs/oomnitza-api.md`).
//!
//! One `Client` per configured provider shares one connection pool. Idempotent
//! calls retry on 429 (honouring `Retry-After`), 5xx and connection errors with
//! exponential backoff and full jitter. Each create carries an
//! `Idempotency-Key` of its own, reused only by its own retries, and is
//! written to the working directory's create journal first (`journal`), so
//! that a flaky network leaves no duplicate and a crash leaves nothing that
//! a later create of the same configuration cannot prove is its own.
//!
//! `http` is the transport (sign-in, one request, retries and backoff);
//! `credentials` the credential endpoints, with the SaaS and the secret
//! fields in the caller's hands.

mod credentials;
pub mod error;
mod http;
pub mod journal;
pub mod model;
pub mod swagger;

use std::time::Duration;

use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use url::Url;

pub use error::{ApiError, Cause};
pub use http::origin;
pub use model::*;

use crate::secret::Secret;

/// How the client proves who it is.
#[derive(Clone, Debug)]
pub enum Auth {
    /// An API token, sent as `Authorization2: <token>`.
    Token(Secret),
    /// Exchanged once for a token at `POST /api/request_token`.
    Login { username: String, password: Secret },
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The instance, e.g. `https://example.oomnitza.com`.
    pub base_url: Url,
    pub auth: Auth,
    /// Limit for one HTTP exchange.
    pub request_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff step; doubles each retry, capped at `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Fires when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
    /// Extra CA certificates (PEM) to trust, for Oomnitza behind TLS inspection.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// The create journal's directory (this working directory's and
    /// workspace's); `None` keeps no journal.
    pub journal_dir: Option<std::path::PathBuf>,
    /// Not for HTTP: the provider's `expiry_warning_days`, which the
    /// resources read through the client they are given.
    pub expiry_warning_days: u32,
    /// Not for HTTP: the provider's `write_only_fingerprints`: whether a
    /// write-only secret sent is remembered as a salted fingerprint.
    pub fingerprints: bool,
}

impl ClientConfig {
    pub fn new(base_url: Url, auth: Auth) -> Self {
        ClientConfig {
            base_url,
            auth,
            request_timeout: Duration::from_secs(30),
            max_retries: 5,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            cancel: CancellationToken::new(),
            extra_ca_pem: None,
            journal_dir: None,
            expiry_warning_days: 30,
            fingerprints: true,
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
    token: OnceCell<Secret>,
    /// Set once Oomnitza has answered this client's token with a success.
    signed_in: std::sync::atomic::AtomicBool,
    /// The answer of [`Client::check_sign_in`]'s one request.
    sign_in_check: OnceCell<Result<(), ApiError>>,
    journal: journal::Journal,
    /// Credentials a state of this command holds or will hold, as this
    /// process met them: read, planned, imported, created or adopted. A
    /// same-name credential among them is no stranger.
    held: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Every credential of each kind (by its filter), listed at most once
    /// per process: what a plan of creates checks their names against.
    listed: std::sync::Mutex<std::collections::HashMap<String, Listing>>,
}

/// One kind's listing, shared by every plan of this process that needs it;
/// a failure is kept too, so that a broken listing is not repeated per
/// credential.
type Listing = std::sync::Arc<OnceCell<Result<std::sync::Arc<Vec<Credential>>, ApiError>>>;

impl Client {
    /// This working directory's and workspace's create journal.
    pub fn journal(&self) -> &journal::Journal {
        &self.journal
    }
}

/// What [`Client::create`] made, or took over from an earlier create of this
/// working directory and workspace that died before Terraform heard of it.
#[derive(Debug)]
pub struct Created {
    pub credential: Credential,
    /// Made by an interrupted earlier create (proven by its journal entry):
    /// adopted, not made twice.
    pub adopted: bool,
    /// The create's journal entry: [`journal::Entry::finish`] it once the
    /// answer is handed to Terraform.
    pub entry: journal::Entry,
}

/// Page size for listing credentials.
pub const PAGE: usize = 100;
