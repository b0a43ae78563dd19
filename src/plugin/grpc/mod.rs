//! The `tfplugin6.Provider` gRPC service: decodes each request, calls the
//! framework traits, and encodes the answer. This is the only place that
//! knows both the protocol messages and the provider's types.
//!
//! The trait impl below is the dispatch table: every RPC in one place. The
//! handlers of managed resources are in `resource`, those without state
//! (data sources, lists, actions) in `data`; the provider's own are here.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::RwLock;
use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::{debug, warn};

use super::convert::{decode, diags_to_proto};
use super::once::Once;
use super::proto::tfplugin6 as pb;
use super::registry::Registry;
use crate::framework::{Diagnostics, Provider, Type};

/// Unwraps a `Result<_, Diagnostics>` inside an RPC handler, answering
/// the diagnostics in the RPC's own response type on error.
macro_rules! answer_err {
    ($e:expr, $resp:ident) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                let mut resp = $resp::default();
                resp.diagnostics = diags_to_proto(d);
                return resp;
            }
        }
    };
}

mod data;
mod resource;

/// Serves one provider over the protocol. Schemas and their value types are
/// built once, at start-up, and shared by every request.
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_block: crate::framework::Block,
    provider_type: Type,
    types: Registry<P::Client>,
    schema_response: pb::get_provider_schema::Response,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: CancellationToken,
    /// The warnings this Terraform command was already given.
    once: Once,
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: true,
    }
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        let types = Registry::new(&provider);
        let provider_schema = provider.schema();
        let schema_response = types.schema_response(&provider_schema, capabilities());
        ProviderService {
            provider_type: provider_schema.value_type(),
            provider_block: provider_schema.block,
            provider,
            types,
            schema_response,
            client: RwLock::new(None),
            stop: CancellationToken::new(),
            once: Once::for_this_command(),
        }
    }

    pub(super) async fn validate_provider_config(
        &self,
        r: &pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        use pb::validate_provider_config::Response as R;
        let config = answer_err!(decode(r.config.as_ref(), &self.provider_type), R);
        let diags = crate::framework::validate::checked(&self.provider_block, &config, |d| {
            self.provider.validate(&config, d);
        });
        R { diagnostics: diags_to_proto(diags) }
    }

    pub(super) async fn configure_provider(
        &self,
        r: &pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        use pb::configure_provider::Response as R;
        debug!(terraform_version = %r.terraform_version, "configuring provider");
        let config = answer_err!(decode(r.config.as_ref(), &self.provider_type), R);
        let mut diags = Diagnostics::new();
        if let Some(client) = self.provider.configure(&config, self.stop.clone(), &mut diags).await {
            *self.client.write().await = Some(Arc::new(client));
        }
        R { diagnostics: diags_to_proto(diags) }
    }

    async fn client(&self) -> Result<Arc<P::Client>, Diagnostics> {
        self.client.read().await.clone().ok_or_else(|| {
            Diagnostics::single(
                "Provider not configured",
                "The provider was asked to reach its service before it was configured. This is a bug in Terraform or the provider; please report it.",
            )
        })
    }
}

type Rpc<T> = Result<Response<T>, Status>;

/// A server stream of one RPC's events.
type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Rpc<pb::get_metadata::Response> {
        use pb::get_metadata as m;
        Ok(Response::new(m::Response {
            server_capabilities: Some(capabilities()),
            resources: self.types.resources.keys().map(|k| m::ResourceMetadata { type_name: k.to_string() }).collect(),
            data_sources: self
                .types
                .data_sources
                .keys()
                .map(|k| m::DataSourceMetadata { type_name: k.to_string() })
                .collect(),
            list_resources: self
                .types
                .list_resources
                .keys()
                .map(|k| m::ListResourceMetadata { type_name: k.to_string() })
                .collect(),
            actions: self.types.actions.keys().map(|k| m::ActionMetadata { type_name: k.to_string() }).collect(),
            ephemeral_resources: self
                .types
                .ephemeral_resources
                .keys()
                .map(|k| m::EphemeralMetadata { type_name: k.to_string() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Rpc<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Rpc<pb::validate_provider_config::Response> {
        let mut r = self.validate_provider_config(req.get_ref()).await;
        self.once.keep_new("provider", &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Rpc<pb::validate_resource_config::Response> {
        let mut r = self.validate_resource_config(req.get_ref()).await;
        self.once.keep_new(&req.get_ref().type_name, &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Rpc<pb::validate_data_resource_config::Response> {
        let mut r = self.validate_data_resource_config(req.get_ref()).await;
        self.once.keep_new(&req.get_ref().type_name, &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        Ok(Response::new(self.upgrade_resource_state(req.get_ref()).await))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Rpc<pb::get_resource_identity_schemas::Response> {
        let identity_schemas = self
            .types
            .resources
            .iter()
            .filter_map(|(k, e)| Some((k.to_string(), super::convert::identity_schema(&e.identity.as_ref()?.0))))
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response { identity_schemas, diagnostics: vec![] }))
    }

    /// Every identity so far is at its first version: stored identities are
    /// read with the current schema.
    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Rpc<pb::upgrade_resource_identity::Response> {
        Ok(Response::new(self.upgrade_resource_identity(req.get_ref()).await))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Rpc<pb::configure_provider::Response> {
        let mut r = self.configure_provider(req.get_ref()).await;
        self.once.keep_new("provider", &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Rpc<pb::read_resource::Response> {
        let mut r = self.read_resource(req.get_ref()).await;
        self.once.keep_new(&req.get_ref().type_name, &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        let mut r = self.plan_resource_change(req.get_ref()).await;
        self.once.keep_new(&req.get_ref().type_name, &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        Ok(Response::new(self.apply_resource_change(req.get_ref()).await))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Rpc<pb::import_resource_state::Response> {
        Ok(Response::new(self.import_resource_state(req.get_ref()).await))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Rpc<pb::move_resource_state::Response> {
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: diags_to_proto(not_supported("Moving resource state between types")),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Rpc<pb::read_data_source::Response> {
        let mut r = self.read_data_source(req.get_ref()).await;
        self.once.keep_new(&req.get_ref().type_name, &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Rpc<pb::validate_ephemeral_resource_config::Response> {
        let mut r = self.validate_ephemeral_resource_config(req.get_ref()).await;
        self.once.keep_new(&req.get_ref().type_name, &mut r.diagnostics);
        Ok(Response::new(r))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Rpc<pb::open_ephemeral_resource::Response> {
        Ok(Response::new(self.open_ephemeral_resource(req.get_ref()).await))
    }

    /// Nothing this provider opens has a lease to renew or close: each
    /// result is the authentication for requests made now.
    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Rpc<pb::renew_ephemeral_resource::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Rpc<pb::close_ephemeral_resource::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn get_functions(&self, _: Request<pb::get_functions::Request>) -> Rpc<pb::get_functions::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn call_function(&self, req: Request<pb::call_function::Request>) -> Rpc<pb::call_function::Response> {
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("This provider has no function {:?}.", req.get_ref().name),
                function_argument: None,
            }),
        }))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(&self, req: Request<pb::list_resource::Request>) -> Rpc<Self::ListResourceStream> {
        Ok(Response::new(self.list_resource(req.into_inner()).await))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Rpc<pb::validate_list_resource_config::Response> {
        Ok(Response::new(self.validate_list_resource_config(req.get_ref()).await))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Rpc<pb::validate_action_config::Response> {
        Ok(Response::new(self.validate_action_config(req.get_ref()).await))
    }

    async fn plan_action(&self, req: Request<pb::plan_action::Request>) -> Rpc<pb::plan_action::Response> {
        Ok(Response::new(self.plan_action(req.get_ref()).await))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(&self, req: Request<pb::invoke_action::Request>) -> Rpc<Self::InvokeActionStream> {
        Ok(Response::new(self.invoke_action(req.into_inner()).await))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Rpc<pb::generate_resource_config::Response> {
        Ok(Response::new(self.generate_resource_config(req.get_ref()).await))
    }

    async fn stop_provider(&self, _: Request<pb::stop_provider::Request>) -> Rpc<pb::stop_provider::Response> {
        warn!("Terraform asked the provider to stop; cancelling requests in flight");
        self.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response { error: String::new() }))
    }
}

fn not_supported(what: &str) -> Diagnostics {
    Diagnostics::single(format!("{what} not supported"), format!("{what}: this provider does not offer it."))
}
