//! The `tfplugin6.Provider` gRPC service: decodes each request, calls the
//! framework's [`Server`], and encodes the answer. This is the only place
//! that knows both the protocol messages and the framework's types; what a
//! request means is decided by the server, not here.
//!
//! The trait impl below is the dispatch table: every RPC in one place. The
//! handlers of managed resources are in `resource`, those without state
//! (data sources, lists, actions) in `data`; the provider's own are here.

use std::collections::BTreeMap;
use std::pin::Pin;

use tokio_stream::Stream;
use tonic::{Request, Response, Status};
use tracing::debug;

use super::convert::{decode, diags_to_proto, schema};
use super::proto::tfplugin6 as pb;
use crate::framework::server::Server;
use crate::framework::{Diagnostics, Provider, Schema};

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
mod floor;
mod resource;

/// Serves one provider's [`Server`] over the protocol.
pub struct ProviderService<P: Provider> {
    server: Server<P>,
    /// The answer to `GetProviderSchema`, built once.
    schema_response: pb::get_provider_schema::Response,
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: true,
    }
}

/// The answer to `GetProviderSchema`: every served type's schema.
fn schema_response<P: Provider>(server: &Server<P>) -> pb::get_provider_schema::Response {
    fn each<E>(
        m: &BTreeMap<&'static str, E>,
        s: impl Fn(&E) -> &Schema,
    ) -> std::collections::HashMap<String, pb::Schema> {
        m.iter().map(|(k, e)| (k.to_string(), schema(s(e)))).collect()
    }
    let types = server.types();
    pb::get_provider_schema::Response {
        provider: Some(schema(server.provider_schema().0)),
        resource_schemas: each(&types.resources, |e| &e.schema),
        data_source_schemas: each(&types.data_sources, |e| &e.schema),
        list_resource_schemas: each(&types.list_resources, |e| &e.schema),
        ephemeral_resource_schemas: each(&types.ephemeral_resources, |e| &e.schema),
        action_schemas: types
            .actions
            .iter()
            .map(|(k, e)| (k.to_string(), pb::ActionSchema { schema: Some(schema(&e.schema)) }))
            .collect(),
        server_capabilities: Some(capabilities()),
        ..Default::default()
    }
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        let server = Server::new(provider);
        ProviderService { schema_response: schema_response(&server), server }
    }

    pub(super) async fn validate_provider_config(
        &self,
        r: &pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        use pb::validate_provider_config::Response as R;
        let config = answer_err!(decode(r.config.as_ref(), self.server.provider_schema().1), R);
        R { diagnostics: diags_to_proto(self.server.validate_provider_config(&config)) }
    }

    pub(super) async fn configure_provider(
        &self,
        r: &pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        use pb::configure_provider::Response as R;
        debug!(terraform_version = %r.terraform_version, "configuring provider");
        let config = answer_err!(decode(r.config.as_ref(), self.server.provider_schema().1), R);
        R { diagnostics: diags_to_proto(self.server.configure_provider(&config).await) }
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
            resources: self
                .server
                .types()
                .resources
                .keys()
                .map(|k| m::ResourceMetadata { type_name: k.to_string() })
                .collect(),
            data_sources: self
                .server
                .types()
                .data_sources
                .keys()
                .map(|k| m::DataSourceMetadata { type_name: k.to_string() })
                .collect(),
            list_resources: self
                .server
                .types()
                .list_resources
                .keys()
                .map(|k| m::ListResourceMetadata { type_name: k.to_string() })
                .collect(),
            actions: self
                .server
                .types()
                .actions
                .keys()
                .map(|k| m::ActionMetadata { type_name: k.to_string() })
                .collect(),
            ephemeral_resources: self
                .server
                .types()
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
        Ok(Response::new(self.validate_provider_config(req.get_ref()).await))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Rpc<pb::validate_resource_config::Response> {
        if floor::ON {
            return Ok(Response::new(Default::default()));
        }
        Ok(Response::new(self.validate_resource_config(req.get_ref()).await))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Rpc<pb::validate_data_resource_config::Response> {
        Ok(Response::new(self.validate_data_resource_config(req.get_ref()).await))
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
            .server
            .types()
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
        Ok(Response::new(self.configure_provider(req.get_ref()).await))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Rpc<pb::read_resource::Response> {
        if floor::ON {
            return Ok(Response::new(floor::read(req.into_inner())));
        }
        Ok(Response::new(self.read_resource(req.get_ref()).await))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        if floor::ON {
            return Ok(Response::new(floor::plan(req.into_inner())));
        }
        Ok(Response::new(self.plan_resource_change(req.get_ref()).await))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        if floor::ON {
            return Ok(Response::new(floor::apply(req.into_inner())));
        }
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
        Ok(Response::new(self.read_data_source(req.get_ref()).await))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Rpc<pb::validate_ephemeral_resource_config::Response> {
        Ok(Response::new(self.validate_ephemeral_resource_config(req.get_ref()).await))
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
        self.server.stop();
        Ok(Response::new(pb::stop_provider::Response { error: String::new() }))
    }
}

fn not_supported(what: &str) -> Diagnostics {
    Diagnostics::single(format!("{what} not supported"), format!("{what}: this provider does not offer it."))
}
