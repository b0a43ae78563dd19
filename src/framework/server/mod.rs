//! The framework's server: one method per protocol RPC, whatever the
//! transport. It owns what a provider process keeps between requests (the
//! registered types with their schemas, the configured client, the stop
//! signal, what this Terraform command was already told or already asked)
//! and the rules every request follows. The plugin layer only decodes a
//! request, calls the method, and encodes its answer; being free of gRPC,
//! the server is tested here directly.
//!
//! - `resource`: managed resources (validate, upgrade, read, plan, apply,
//!   import, generated configuration), on the rules in `rules`;
//! - `stateless`: data sources, ephemeral resources, list resources and
//!   actions;
//! - `once`: each warning once per Terraform command, and a create's checks
//!   asked by one walk only;
//! - `registry`: the types, with schemas and value types built once.

mod once;
mod registry;
mod resource;
mod rules;
mod stateless;

use std::sync::Arc;

use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

pub use registry::{ActionEntry, DataSourceEntry, EphemeralEntry, ListEntry, Registry, ResourceEntry};
pub use resource::{
    AppliedChange, ApplyResourceChange, ImportedState, PlanResourceChange, PlannedChange, ReadResource,
    ReadResourceResult,
};
pub use rules::validate;

use super::validate::checked;
use super::{Diagnostics, Provider, Schema, Type, Value};

/// Serves one provider: built once per process, shared by every request.
pub struct Server<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    types: Registry<P::Client>,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: CancellationToken,
    /// The warnings this Terraform command was already given, and the
    /// checks another of its processes already made.
    once: once::Once,
}

impl<P: Provider> Server<P> {
    /// A server for `provider`, noting what was said in this Terraform
    /// command's note (see `once`).
    pub fn new(provider: P) -> Self {
        Self::with_note(provider, once::Once::for_this_command())
    }

    fn with_note(provider: P, once: once::Once) -> Self {
        let types = Registry::new(&provider);
        let provider_schema = provider.schema();
        Server {
            provider_type: provider_schema.value_type(),
            provider_schema,
            types,
            provider,
            client: RwLock::new(None),
            stop: CancellationToken::new(),
            once,
        }
    }

    /// A server that remembers nothing between commands, for tests.
    #[cfg(test)]
    pub fn for_test(provider: P) -> Self {
        Self::with_note(provider, once::Once::at(None))
    }

    /// The provider's own schema and its value type.
    pub fn provider_schema(&self) -> (&Schema, &Type) {
        (&self.provider_schema, &self.provider_type)
    }

    /// Every type served, with its schema and value type.
    pub fn types(&self) -> &Registry<P::Client> {
        &self.types
    }

    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut diags = checked(&self.provider_schema.block, config, |d| self.provider.validate(config, d));
        self.once.keep_new("provider", &mut diags);
        diags
    }

    /// Configures the provider: the client every later request is given.
    pub async fn configure_provider(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(client) = self.provider.configure(config, self.stop.clone(), &mut diags).await {
            *self.client.write().await = Some(Arc::new(client));
        }
        self.once.keep_new("provider", &mut diags);
        diags
    }

    /// Terraform asked the provider to stop (Ctrl-C): requests in flight
    /// are cancelled.
    pub fn stop(&self) {
        warn!("Terraform asked the provider to stop; cancelling requests in flight");
        self.stop.cancel();
    }

    /// The configured client; an error before `configure_provider`.
    async fn client(&self) -> Result<Arc<P::Client>, Diagnostics> {
        self.client.read().await.clone().ok_or_else(|| {
            debug!("a request needed the client before the provider was configured");
            Diagnostics::single(
                "Provider not configured",
                "The provider was asked to reach its service before it was configured. This is a bug in Terraform or the provider; please report it.",
            )
        })
    }
}

#[cfg(test)]
mod tests;
