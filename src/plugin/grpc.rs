//! The `tfplugin6.Provider` gRPC service: decodes each request, calls the
//! framework traits, and encodes the answer. This is the only place that
//! knows both the protocol messages and the provider's types.

use std::pin::Pin;
use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt as _};

use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::{debug, warn};

use super::convert::{decode, diags_to_proto, encode, identity_data, path_to_proto};
use super::proto::tfplugin6 as pb;
use super::registry::Registry;
use crate::framework::{
    self, action::ActionEvent, diag::Step, server, Diagnostics, ImportTarget, PlanRequest, Provider, Type,
};

/// Serves one provider over the protocol. Schemas and their value types are
/// built once, at start-up, and shared by every request.
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_type: Type,
    types: Registry<P::Client>,
    schema_response: pb::get_provider_schema::Response,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: CancellationToken,
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
            provider,
            types,
            schema_response,
            client: RwLock::new(None),
            stop: CancellationToken::new(),
        }
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

/// Unwraps a `Result<_, Diagnostics>` inside an RPC, answering the
/// diagnostics in the RPC's own response type on error.
macro_rules! answer_err {
    ($e:expr, $resp:ident) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                let mut resp = $resp::default();
                resp.diagnostics = diags_to_proto(d);
                return Ok(Response::new(resp));
            }
        }
    };
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
        use pb::validate_provider_config::Response as R;
        let config = answer_err!(decode(req.get_ref().config.as_ref(), &self.provider_type), R);
        let mut diags = Diagnostics::new();
        self.provider.validate(&config, &mut diags);
        Ok(Response::new(R { diagnostics: diags_to_proto(diags) }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Rpc<pb::validate_resource_config::Response> {
        use pb::validate_resource_config::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let write_only_ok = r.client_capabilities.as_ref().is_some_and(|c| c.write_only_attributes_allowed);
        let diags = server::validate(e.imp.as_ref(), &e.schema, &config, write_only_ok);
        Ok(Response::new(R { diagnostics: diags_to_proto(diags) }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Rpc<pb::validate_data_resource_config::Response> {
        use pb::validate_data_resource_config::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.data_source(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let mut diags = Diagnostics::new();
        e.imp.validate(&config, &mut diags);
        Ok(Response::new(R { diagnostics: diags_to_proto(diags) }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        use pb::upgrade_resource_state::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let json = r.raw_state.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
        let flatmap = r.raw_state.as_ref().is_some_and(|s| !s.flatmap.is_empty());
        let mut diags = Diagnostics::new();
        let v = server::upgrade(e.imp.as_ref(), &e.schema, &e.ty, r.version, json, flatmap, &mut diags);
        let upgraded_state = if diags.has_errors() { None } else { encode(&v, &e.ty) };
        Ok(Response::new(R { upgraded_state, diagnostics: diags_to_proto(diags) }))
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
        use pb::upgrade_resource_identity::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let ty = answer_err!(e.identity_type(), R);
        let json = r.raw_identity.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
        let v = answer_err!(server::upgrade_identity(json, ty), R);
        Ok(Response::new(R {
            upgraded_identity: Some(pb::ResourceIdentityData { identity_data: encode(&v, ty) }),
            diagnostics: vec![],
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Rpc<pb::configure_provider::Response> {
        use pb::configure_provider::Response as R;
        let r = req.get_ref();
        debug!(terraform_version = %r.terraform_version, "configuring provider");
        let config = answer_err!(decode(r.config.as_ref(), &self.provider_type), R);
        let mut diags = Diagnostics::new();
        if let Some(client) = self.provider.configure(&config, self.stop.clone(), &mut diags).await {
            *self.client.write().await = Some(Arc::new(client));
        }
        Ok(Response::new(R { diagnostics: diags_to_proto(diags) }))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Rpc<pb::read_resource::Response> {
        use pb::read_resource::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let state = answer_err!(decode(r.current_state.as_ref(), &e.ty), R);
        if state.is_null() {
            return Ok(Response::new(R { new_state: encode(&state, &e.ty), ..Default::default() }));
        }
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let mut private = r.private.clone();
        let new_state = server::read(e.imp.as_ref(), &e.schema, client.as_ref(), state, &mut private, &mut diags).await;
        Ok(Response::new(R {
            new_identity: e.identity_of(&new_state),
            new_state: encode(&new_state, &e.ty),
            diagnostics: diags_to_proto(diags),
            private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        use pb::plan_resource_change::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let proposed = answer_err!(decode(r.proposed_new_state.as_ref(), &e.ty), R);
        if proposed.is_null() {
            // Destroy: nothing to plan.
            return Ok(Response::new(R {
                planned_state: encode(&proposed, &e.ty),
                planned_private: r.prior_private.clone(),
                ..Default::default()
            }));
        }
        let prior = answer_err!(decode(r.prior_state.as_ref(), &e.ty), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let mut diags = Diagnostics::new();
        if prior.is_null() {
            if let Ok(client) = self.client().await {
                self.provider.check_before_create(&client, &mut diags).await;
                if diags.has_errors() {
                    return Ok(Response::new(R { diagnostics: diags_to_proto(diags), ..Default::default() }));
                }
            }
        }
        let req = PlanRequest {
            prior: &prior,
            proposed: &proposed,
            config: &config,
            prior_private: &r.prior_private,
            schema: &e.schema,
        };
        let planned = server::plan(e.imp.as_ref(), req, &mut diags);
        Ok(Response::new(R {
            planned_identity: e.identity_of(&planned.state),
            planned_state: encode(&planned.state, &e.ty),
            requires_replace: planned.requires_replace.iter().map(path_to_proto).collect(),
            planned_private: planned.private,
            diagnostics: diags_to_proto(diags),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        use pb::apply_resource_change::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let prior = answer_err!(decode(r.prior_state.as_ref(), &e.ty), R);
        let planned = answer_err!(decode(r.planned_state.as_ref(), &e.ty), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let mut private = r.planned_private.clone();
        let change = server::Change { prior, planned: &planned, config: &config };
        let new_state =
            server::apply(e.imp.as_ref(), &e.schema, client.as_ref(), change, &mut private, &mut diags).await;
        Ok(Response::new(R {
            new_identity: e.identity_of(&new_state),
            new_state: encode(&new_state, &e.ty),
            private,
            diagnostics: diags_to_proto(diags),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Rpc<pb::import_resource_state::Response> {
        use pb::import_resource_state::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let identity = match r.identity.as_ref().and_then(|i| i.identity_data.as_ref()) {
            Some(dv) if r.id.is_empty() => Some(answer_err!(decode(Some(dv), answer_err!(e.identity_type(), R)), R)),
            _ => None,
        };
        let target = match &identity {
            Some(i) => ImportTarget::Identity(i),
            None => ImportTarget::Id(&r.id),
        };
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let state = server::import(e.imp.as_ref(), &e.schema, client.as_ref(), target, &mut diags).await;
        let imported = if state.is_null() {
            vec![]
        } else {
            vec![pb::import_resource_state::ImportedResource {
                type_name: r.type_name.clone(),
                identity: e.identity_of(&state),
                state: encode(&state, &e.ty),
                ..Default::default()
            }]
        };
        Ok(Response::new(R { imported_resources: imported, diagnostics: diags_to_proto(diags), deferred: None }))
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
        use pb::read_data_source::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.data_source(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let state = e.imp.read(&client, &config, &mut diags).await;
        Ok(Response::new(R { state: encode(&state, &e.ty), diagnostics: diags_to_proto(diags), deferred: None }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Rpc<pb::validate_ephemeral_resource_config::Response> {
        Ok(Response::new(pb::validate_ephemeral_resource_config::Response {
            diagnostics: diags_to_proto(not_supported("Ephemeral resources")),
        }))
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Rpc<pb::open_ephemeral_resource::Response> {
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diags_to_proto(not_supported("Ephemeral resources")),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Rpc<pb::renew_ephemeral_resource::Response> {
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diags_to_proto(not_supported("Ephemeral resources")),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Rpc<pb::close_ephemeral_resource::Response> {
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags_to_proto(not_supported("Ephemeral resources")),
        }))
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
        use pb::list_resource::Event;
        let r = req.into_inner();
        let setup = async {
            let l = self.types.list_resource(&r.type_name)?;
            let resource = self.types.resource(&r.type_name)?;
            let config = decode(r.config.as_ref(), &l.ty)?;
            Ok::<_, Diagnostics>((l, resource, config, self.client().await?))
        };
        let (l, resource, config, client) = match setup.await {
            Ok(x) => x,
            Err(d) => {
                let event = Event { diagnostic: diags_to_proto(d), ..Default::default() };
                return Ok(Response::new(Box::pin(tokio_stream::iter([Ok(event)]))));
            }
        };
        let resource_ty = Arc::new(resource.ty.clone());
        let found = framework::list::run(
            l.imp.clone(),
            client,
            config,
            r.include_resource_object,
            resource_ty.clone(),
            r.limit,
        );
        let identity_ty = resource.identity.as_ref().map(|(_, t)| t.clone());
        let stream = ReceiverStream::new(found).map(move |item| {
            Ok(Event {
                identity: identity_ty.as_ref().and_then(|t| identity_data(&item.identity, t)),
                display_name: item.display_name,
                resource_object: item.resource_object.as_ref().and_then(|o| encode(o, &resource_ty)),
                diagnostic: diags_to_proto(item.diagnostics),
            })
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Rpc<pb::validate_list_resource_config::Response> {
        use pb::validate_list_resource_config::Response as R;
        let r = req.get_ref();
        let l = answer_err!(self.types.list_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &l.ty), R);
        let mut diags = Diagnostics::new();
        l.imp.validate(&config, &mut diags);
        // The list resource's attributes sit in the `config` block of the
        // `list` block, and Terraform reads paths from the `list` block.
        for d in &mut diags.0 {
            if let Some(p) = &mut d.path {
                p.0.insert(0, Step::Attr("config".into()));
            }
        }
        Ok(Response::new(R { diagnostics: diags_to_proto(diags) }))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Rpc<pb::validate_action_config::Response> {
        use pb::validate_action_config::Response as R;
        let r = req.get_ref();
        let a = answer_err!(self.types.action(&r.action_type), R);
        let config = answer_err!(decode(r.config.as_ref(), &a.ty), R);
        let mut diags = Diagnostics::new();
        a.imp.validate(&config, &mut diags);
        Ok(Response::new(R { diagnostics: diags_to_proto(diags) }))
    }

    async fn plan_action(&self, req: Request<pb::plan_action::Request>) -> Rpc<pb::plan_action::Response> {
        use pb::plan_action::Response as R;
        let r = req.get_ref();
        let a = answer_err!(self.types.action(&r.action_type), R);
        let config = answer_err!(decode(r.config.as_ref(), &a.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        a.imp.validate(&config, &mut diags);
        if !diags.has_errors() {
            a.imp.plan(&client, &config, &mut diags).await;
        }
        Ok(Response::new(R { diagnostics: diags_to_proto(diags), deferred: None }))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(&self, req: Request<pb::invoke_action::Request>) -> Rpc<Self::InvokeActionStream> {
        use pb::invoke_action::event::{Completed, Progress as P, Type as T};
        use pb::invoke_action::Event;
        let r = req.into_inner();
        let completed =
            |d: Diagnostics| Event { r#type: Some(T::Completed(Completed { diagnostics: diags_to_proto(d) })) };
        let setup = async {
            let a = self.types.action(&r.action_type)?;
            let config = decode(r.config.as_ref(), &a.ty)?;
            Ok::<_, Diagnostics>((a.imp.clone(), config, self.client().await?))
        };
        let (imp, config, client) = match setup.await {
            Ok(x) => x,
            Err(d) => return Ok(Response::new(Box::pin(tokio_stream::iter([Ok(completed(d))])))),
        };
        let events = ReceiverStream::new(framework::action::run(imp, client, config)).map(move |e| {
            Ok(match e {
                ActionEvent::Progress(message) => Event { r#type: Some(T::Progress(P { message })) },
                ActionEvent::Completed(d) => completed(d),
            })
        });
        Ok(Response::new(Box::pin(events)))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Rpc<pb::generate_resource_config::Response> {
        use pb::generate_resource_config::Response as R;
        let r = req.get_ref();
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let state = answer_err!(decode(r.state.as_ref(), &e.ty), R);
        let config = framework::config_from_state(&e.schema.block, &state);
        debug!(type_name = %r.type_name, "generating configuration from state");
        Ok(Response::new(R { config: encode(&config, &e.ty), diagnostics: vec![] }))
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
