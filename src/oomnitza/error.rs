//! What can go wrong talking to Oomnitza, one variant per thing a person
//! would do differently.

use std::time::Duration;

use super::model::FieldError;

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Oomnitza rejected the credentials (401{}): {message}", route_text(.route))]
    Unauthorized { message: String, route: Option<String> },
    #[error("Oomnitza refused the request (403): {message}")]
    Forbidden { message: String },
    #[error("not found (404): {message}")]
    NotFound { message: String },
    #[error("Oomnitza refused the change (409): {message}")]
    Conflict { message: String },
    #[error("Oomnitza found invalid input ({status}): {}", summarize(.errors))]
    Validation { status: u16, errors: Vec<FieldError> },
    #[error("Oomnitza is rate limiting requests (429) and retries ran out")]
    RateLimited { retry_after: Option<Duration> },
    #[error("Oomnitza answered {status}: {message}")]
    Server { status: u16, message: String },
    /// No answer from Oomnitza: the connection or the TLS handshake failed,
    /// or the answer did not come in time.
    #[error("could not reach Oomnitza at {url}: {cause} ({}): {detail}", attempts_text(*.attempts))]
    Unreachable { cause: Cause, url: String, attempts: u32, detail: String },
    #[error("the request was cancelled because Terraform asked the provider to stop")]
    Cancelled,
    #[error("the operation ran out of time")]
    Timeout,
    /// A 3xx: never followed, so no secret reaches another host.
    #[error("Oomnitza answered {status}, a redirect to {to}, which the provider does not follow")]
    Redirected { status: u16, to: String },
    #[error("unexpected answer from Oomnitza: {0}")]
    Decode(String),
}

/// Why Oomnitza could not be reached, as a person would fix it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The host name does not resolve (a typo in `url`, or no DNS).
    NameNotResolved,
    /// Nothing listens there (a restarting server, a wrong port).
    ConnectionRefused,
    /// The server's certificate is not trusted (TLS inspection, a private CA).
    CertificateNotTrusted,
    /// Another TLS failure (protocol, expired or mismatched certificate).
    Tls,
    TimedOut,
    /// The connection broke (reset, closed mid-answer).
    Connection,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cause::NameNotResolved => "the host name does not resolve",
            Cause::ConnectionRefused => "the connection was refused",
            Cause::CertificateNotTrusted => "its TLS certificate is not trusted",
            Cause::Tls => "the TLS handshake failed",
            Cause::TimedOut => "no answer in time",
            Cause::Connection => "the connection broke",
        })
    }
}

impl Cause {
    /// Whether trying again can help: a name that does not resolve or a
    /// certificate that is not trusted stays so; the rest may pass.
    pub fn is_transient(self) -> bool {
        !matches!(self, Cause::NameNotResolved | Cause::CertificateNotTrusted | Cause::Tls)
    }
}

fn route_text(route: &Option<String>) -> String {
    route.as_ref().map(|r| format!(" to {r}")).unwrap_or_default()
}

fn attempts_text(n: u32) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}

fn summarize(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl ApiError {
    /// Whether the same request may be sent again.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::RateLimited { .. } | ApiError::Server { .. } => true,
            ApiError::Unreachable { cause, .. } => cause.is_transient(),
            _ => false,
        }
    }

    /// Names the route that answered a 401 (sign-in's own, not the request
    /// it was made for).
    pub fn at_route(self, label: String) -> ApiError {
        match self {
            ApiError::Unauthorized { message, .. } => ApiError::Unauthorized { message, route: Some(label) },
            other => other,
        }
    }

    /// Records how many attempts were made, for the message.
    pub fn after_attempts(self, n: u32) -> ApiError {
        match self {
            ApiError::Unreachable { cause, url, detail, .. } => {
                ApiError::Unreachable { cause, url, attempts: n, detail }
            }
            other => other,
        }
    }
}
