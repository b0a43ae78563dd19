//! Actions (Terraform 1.14+): an operation a configuration can invoke, by
//! `terraform apply -invoke=action.TYPE.NAME` or from a resource's
//! `lifecycle { action_trigger { ... } }`. It reports progress while it
//! runs and ends with diagnostics.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Diagnostics, Schema, Value};

/// Where an action says what it is doing; each message is shown to the user.
pub struct Progress {
    tx: mpsc::Sender<String>,
}

impl Progress {
    pub fn new() -> (Progress, mpsc::Receiver<String>) {
        let (tx, rx) = mpsc::channel(8);
        (Progress { tx }, rx)
    }

    pub async fn say(&self, message: impl Into<String>) {
        let _ = self.tx.send(message.into()).await;
    }
}

#[async_trait]
pub trait Action<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Checks that need no remote call. Unknown values must be let through.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Checks at plan time, which may read remote objects.
    async fn plan(&self, _client: &C, _config: &Value, _diags: &mut Diagnostics) {}
    /// Runs the action.
    async fn invoke(&self, client: &C, config: &Value, progress: &Progress, diags: &mut Diagnostics);
}
