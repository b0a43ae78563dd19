//! The RPCs without state: data sources, list resources (`terraform
//! query`) and actions, whose lists and invocations stream their answers.

use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt as _;

use super::{diags_to_proto, pb, EventStream, ProviderService};
use crate::framework::validate::checked;
use crate::framework::{self, action::ActionEvent, Diagnostics, Provider};
use crate::plugin::convert::{decode, encode, identity_data};

impl<P: Provider> ProviderService<P> {
    pub(super) async fn validate_ephemeral_resource_config(
        &self,
        r: &pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        use pb::validate_ephemeral_resource_config::Response as R;
        let e = answer_err!(self.types.ephemeral_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let diags = checked(&e.schema.block, &config, |d| e.imp.validate(&config, d));
        R { diagnostics: diags_to_proto(diags) }
    }

    /// Opens an ephemeral resource: validated again (values unknown at
    /// validate are known now); its result goes to Terraform, never to a
    /// plan or a state, and nothing of it is logged.
    pub(super) async fn open_ephemeral_resource(
        &self,
        r: &pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        use pb::open_ephemeral_resource::Response as R;
        let e = answer_err!(self.types.ephemeral_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = checked(&e.schema.block, &config, |d| e.imp.validate(&config, d));
        if diags.has_errors() {
            return R { diagnostics: diags_to_proto(diags), ..Default::default() };
        }
        let result = e.imp.open(&client, &config, &mut diags).await;
        let result = if diags.has_errors() { None } else { encode(&result, &e.ty) };
        R { diagnostics: diags_to_proto(diags), result, ..Default::default() }
    }

    pub(super) async fn validate_list_resource_config(
        &self,
        r: &pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        use pb::validate_list_resource_config::Response as R;
        let l = answer_err!(self.types.list_resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &l.ty), R);
        let diags = checked(&l.schema.block, &config, |d| l.imp.validate(&config, d));
        // The list resource's attributes sit in the `config` block of the
        // `list` block, and Terraform reads paths from the `list` block.
        R { diagnostics: diags_to_proto(diags.within("config")) }
    }

    pub(super) async fn validate_action_config(
        &self,
        r: &pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        use pb::validate_action_config::Response as R;
        let a = answer_err!(self.types.action(&r.action_type), R);
        let config = answer_err!(decode(r.config.as_ref(), &a.ty), R);
        let diags = checked(&a.schema.block, &config, |d| a.imp.validate(&config, d));
        R { diagnostics: diags_to_proto(diags) }
    }

    pub(super) async fn plan_action(&self, r: &pb::plan_action::Request) -> pb::plan_action::Response {
        use pb::plan_action::Response as R;
        let a = answer_err!(self.types.action(&r.action_type), R);
        let config = answer_err!(decode(r.config.as_ref(), &a.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = checked(&a.schema.block, &config, |d| a.imp.validate(&config, d));
        if !diags.has_errors() {
            a.imp.plan(&client, &config, &mut diags).await;
        }
        R { diagnostics: diags_to_proto(diags), deferred: None }
    }

    pub(super) async fn validate_data_resource_config(
        &self,
        r: &pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        use pb::validate_data_resource_config::Response as R;
        let e = answer_err!(self.types.data_source(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let diags = checked(&e.schema.block, &config, |d| e.imp.validate(&config, d));
        R { diagnostics: diags_to_proto(diags) }
    }

    pub(super) async fn read_data_source(&self, r: &pb::read_data_source::Request) -> pb::read_data_source::Response {
        use pb::read_data_source::Response as R;
        let e = answer_err!(self.types.data_source(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let state = e.imp.read(&client, &config, &mut diags).await;
        R { state: encode(&state, &e.ty), diagnostics: diags_to_proto(diags), deferred: None }
    }

    pub(super) async fn list_resource(&self, r: pb::list_resource::Request) -> EventStream<pb::list_resource::Event> {
        use pb::list_resource::Event;
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
                return Box::pin(tokio_stream::iter([Ok(event)]));
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
        Box::pin(stream)
    }

    pub(super) async fn invoke_action(&self, r: pb::invoke_action::Request) -> EventStream<pb::invoke_action::Event> {
        use pb::invoke_action::event::{Completed, Progress as P, Type as T};
        use pb::invoke_action::Event;
        let completed =
            |d: Diagnostics| Event { r#type: Some(T::Completed(Completed { diagnostics: diags_to_proto(d) })) };
        let setup = async {
            let a = self.types.action(&r.action_type)?;
            let config = decode(r.config.as_ref(), &a.ty)?;
            Ok::<_, Diagnostics>((a.imp.clone(), config, self.client().await?))
        };
        let (imp, config, client) = match setup.await {
            Ok(x) => x,
            Err(d) => return Box::pin(tokio_stream::iter([Ok(completed(d))])),
        };
        let events = ReceiverStream::new(framework::action::run(imp, client, config)).map(move |e| {
            Ok(match e {
                ActionEvent::Progress(message) => Event { r#type: Some(T::Progress(P { message })) },
                ActionEvent::Completed(d) => completed(d),
            })
        });
        Box::pin(events)
    }
}
