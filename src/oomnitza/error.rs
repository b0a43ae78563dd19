//! What can go wrong talking to Oomnitza, one variant per thing a person
//! would do differently.

use std::time::Duration;

use super::model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Oomnitza rejected the credentials (401): {message}")]
    Unauthorized { message: String },
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
    #[error("could not reach Oomnitza: {0}")]
    Transport(String),
    #[error("the request was cancelled because Terraform asked the provider to stop")]
    Cancelled,
    #[error("the operation ran out of time")]
    Timeout,
    #[error("unexpected answer from Oomnitza: {0}")]
    Decode(String),
}

fn summarize(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl ApiError {
    /// Whether the same request may be sent again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ApiError::RateLimited { .. } | ApiError::Server { .. } | ApiError::Transport(_))
    }
}
