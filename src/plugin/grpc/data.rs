//! The RPCs without state: data sources, list resources (`terraform
//! query`) and actions, whose lists and invocations stream their answers.

use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt as _;

use super::{diags_to_proto, pb, EventStream, ProviderService};
use crate::framework::{action::ActionEvent, Diagnostics, Provider};
use crate::plugin::convert::{decode, encode, identity_data};

impl<P: Provider> ProviderService<P> {
    pub(super) async fn validate_ephemeral_resource_config(
        &self,
        r: &pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        use pb::validate_ephemeral_resource_config::Response as R;
        let e = answer_err!(self.server.types().ephemeral_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        R { diagnostics: diags_to_proto(self.server.validate_ephemeral_resource_config(e, &config)) }
    }

    pub(super) async fn open_ephemeral_resource(
        &self,
        r: &pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        use pb::open_ephemeral_resource::Response as R;
        let e = answer_err!(self.server.types().ephemeral_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let (result, diags) = self.server.open_ephemeral_resource(e, &config).await;
        R { diagnostics: diags_to_proto(diags), result: result.and_then(|v| encode(&v, &e.ty)), ..Default::default() }
    }

    pub(super) async fn validate_list_resource_config(
        &self,
        r: &pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        use pb::validate_list_resource_config::Response as R;
        let l = answer_err!(self.server.types().list_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &l.ty), R);
        R { diagnostics: diags_to_proto(self.server.validate_list_resource_config(l, &config)) }
    }

    pub(super) async fn validate_action_config(
        &self,
        r: &pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        use pb::validate_action_config::Response as R;
        let a = answer_err!(self.server.types().action(&r.action_type), R);
        let config = answer_err!(decode(r.config.as_ref(), &a.ty), R);
        R { diagnostics: diags_to_proto(self.server.validate_action_config(a, &config)) }
    }

    pub(super) async fn plan_action(&self, r: &pb::plan_action::Request) -> pb::plan_action::Response {
        use pb::plan_action::Response as R;
        let a = answer_err!(self.server.types().action(&r.action_type), R);
        let config = answer_err!(decode(r.config.as_ref(), &a.ty), R);
        R { diagnostics: diags_to_proto(self.server.plan_action(a, &config).await), deferred: None }
    }

    pub(super) async fn validate_data_resource_config(
        &self,
        r: &pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        use pb::validate_data_resource_config::Response as R;
        let e = answer_err!(self.server.types().data_source(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        R { diagnostics: diags_to_proto(self.server.validate_data_resource_config(e, &config)) }
    }

    pub(super) async fn read_data_source(&self, r: &pb::read_data_source::Request) -> pb::read_data_source::Response {
        use pb::read_data_source::Response as R;
        let e = answer_err!(self.server.types().data_source(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let (state, diags) = self.server.read_data_source(e, &config).await;
        R { state: encode(&state, &e.ty), diagnostics: diags_to_proto(diags), deferred: None }
    }

    pub(super) async fn list_resource(&self, r: pb::list_resource::Request) -> EventStream<pb::list_resource::Event> {
        use pb::list_resource::Event;
        let types = self.server.types();
        let setup = async {
            let (l, resource) = (types.list_resource(&r.type_name)?, types.resource(&r.type_name)?);
            let config = decode(r.config.as_ref(), &l.ty)?;
            let found = self.server.list_resource((l, resource), config, r.include_resource_object, r.limit).await?;
            Ok::<_, Diagnostics>((resource, found))
        };
        let (resource, found) = match setup.await {
            Ok(x) => x,
            Err(d) => {
                let event = Event { diagnostic: diags_to_proto(d), ..Default::default() };
                return Box::pin(tokio_stream::iter([Ok(event)]));
            }
        };
        let resource_ty = Arc::new(resource.ty.clone());
        let identity_ty = resource.identity.as_ref().map(|(_, t)| t.clone());
        let stream = ReceiverStream::new(found).map(move |item| {
            Ok(Event {
                identity: identity_ty.as_ref().and_then(|t| identity_data(&item.identity, t)),
                display_name: item.display_name,
                resource_object: item.resource_object.as_ref().and_then(|o| encode(o, &resource_ty)),
                diagnostic: diags_to_proto(item.diagnostics),
            })
        });
        Box::pin(stream)
    }

    pub(super) async fn invoke_action(&self, r: pb::invoke_action::Request) -> EventStream<pb::invoke_action::Event> {
        use pb::invoke_action::event::{Completed, Progress as P, Type as T};
        use pb::invoke_action::Event;
        let completed =
            |d: Diagnostics| Event { r#type: Some(T::Completed(Completed { diagnostics: diags_to_proto(d) })) };
        let setup = async {
            let a = self.server.types().action(&r.action_type)?;
            let config = decode(r.config.as_ref(), &a.ty)?;
            self.server.invoke_action(a, config).await
        };
        let events = match setup.await {
            Ok(x) => x,
            Err(d) => return Box::pin(tokio_stream::iter([Ok(completed(d))])),
        };
        let events = ReceiverStream::new(events).map(move |e| {
            Ok(match e {
                ActionEvent::Progress(message) => Event { r#type: Some(T::Progress(P { message })) },
                ActionEvent::Completed(d) => completed(d),
            })
        });
        Box::pin(events)
    }
}
