//! Actions (Terraform 1.14+): an operation a configuration can invoke, by
//! `terraform apply -invoke=action.TYPE.NAME` or from a resource's
//! `lifecycle { action_trigger { ... } }`. It reports progress while it
//! runs and ends with diagnostics.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::schema::Schema;
use super::value::Value;

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

/// What a running action reports: progress messages, then its completion.
pub enum ActionEvent {
    Progress(String),
    Completed(Diagnostics),
}

/// Runs an action in a task of its own. Its progress arrives as it is said,
/// and once the action has ended, whatever progress is left and then one
/// completion with its diagnostics: nothing said is lost, nothing follows
/// the completion.
pub fn run<C: Send + Sync + 'static>(
    imp: Arc<dyn Action<C>>,
    client: Arc<C>,
    config: Value,
) -> mpsc::Receiver<ActionEvent> {
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        let (progress, mut said) = Progress::new();
        let mut diags = Diagnostics::new();
        {
            let invoked = imp.invoke(&client, &config, &progress, &mut diags);
            tokio::pin!(invoked);
            loop {
                tokio::select! {
                    () = &mut invoked => break,
                    Some(message) = said.recv() => {
                        let _ = tx.send(ActionEvent::Progress(message)).await;
                    }
                }
            }
        }
        drop(progress);
        while let Some(message) = said.recv().await {
            let _ = tx.send(ActionEvent::Progress(message)).await;
        }
        let _ = tx.send(ActionEvent::Completed(diags)).await;
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counts;

    #[async_trait]
    impl Action<()> for Counts {
        fn type_name(&self) -> &'static str {
            "test_counts"
        }
        fn schema(&self) -> Schema {
            Schema::new(0, super::super::Block::new(""))
        }
        async fn invoke(&self, _: &(), _: &Value, progress: &Progress, diags: &mut Diagnostics) {
            for i in 0..20 {
                progress.say(format!("step {i}")).await;
            }
            diags.warning_at(None, "done", "twenty steps");
        }
    }

    #[tokio::test]
    async fn every_progress_message_comes_before_the_one_completion() {
        let mut rx = run(Arc::new(Counts), Arc::new(()), Value::Null);
        let mut seen = Vec::new();
        while let Some(e) = rx.recv().await {
            seen.push(match e {
                ActionEvent::Progress(m) => m,
                ActionEvent::Completed(d) => format!("completed {}", d.len()),
            });
        }
        let expected: Vec<String> = (0..20).map(|i| format!("step {i}")).chain(["completed 1".to_string()]).collect();
        assert_eq!(seen, expected);
    }
}
