//! The types a provider serves, each with its schema and value type built
//! once at start-up: what the gRPC handlers look a request's type up in.

use std::collections::HashMap;
use std::sync::Arc;

use super::convert::{identity_data, schema};
use super::proto::tfplugin6 as pb;
use crate::framework::{
    Action, DataSource, Diagnostics, EphemeralResource, IdentitySchema, ListResource, Provider, Resource, Schema, Type,
    Value,
};

pub struct ResourceEntry<C> {
    pub imp: Arc<dyn Resource<C>>,
    pub schema: Schema,
    pub ty: Type,
    /// The identity schema and its value type, for resources that have one.
    pub identity: Option<(IdentitySchema, Type)>,
}

impl<C> ResourceEntry<C> {
    /// The identity of a state, for a response; none while not wholly known.
    pub fn identity_of(&self, state: &Value) -> Option<pb::ResourceIdentityData> {
        let (_, ty) = self.identity.as_ref()?;
        identity_data(&self.imp.identity()?.identity(state), ty)
    }

    pub fn identity_type(&self) -> Result<&Type, Diagnostics> {
        self.identity.as_ref().map(|(_, t)| t).ok_or_else(|| {
            Diagnostics::single(
                "Resource has no identity",
                "This resource type declares no identity; import it by id instead.",
            )
        })
    }
}

/// A type the provider serves, with its schema and value type built once.
pub struct Entry<T: ?Sized> {
    pub imp: Arc<T>,
    pub schema: Schema,
    pub ty: Type,
}

pub type DataSourceEntry<C> = Entry<dyn DataSource<C>>;
pub type ListEntry<C> = Entry<dyn ListResource<C>>;
pub type ActionEntry<C> = Entry<dyn Action<C>>;
pub type EphemeralEntry<C> = Entry<dyn EphemeralResource<C>>;

/// Every type of one provider, by type name.
pub struct Registry<C> {
    pub resources: HashMap<&'static str, ResourceEntry<C>>,
    pub data_sources: HashMap<&'static str, DataSourceEntry<C>>,
    pub list_resources: HashMap<&'static str, ListEntry<C>>,
    pub actions: HashMap<&'static str, ActionEntry<C>>,
    pub ephemeral_resources: HashMap<&'static str, EphemeralEntry<C>>,
}

fn entry<T: ?Sized>(imp: Arc<T>, schema_of: impl Fn(&T) -> Schema) -> Entry<T> {
    let schema = schema_of(&imp);
    let ty = schema.value_type();
    Entry { imp, schema, ty }
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    Diagnostics::single(
        format!("Unknown {kind} type"),
        format!(
            "This provider has no {kind} type {name:?}. Check the spelling, and that the provider version supports it."
        ),
    )
}

impl<C> Registry<C> {
    pub fn new<P: Provider<Client = C>>(provider: &P) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|imp| {
                let schema = imp.schema();
                let ty = schema.value_type();
                let identity = imp.identity().map(|i| {
                    let i = i.identity_schema();
                    let t = i.value_type();
                    (i, t)
                });
                (imp.type_name(), ResourceEntry { imp, schema, ty, identity })
            })
            .collect();
        Registry {
            resources,
            data_sources: provider
                .data_sources()
                .into_iter()
                .map(|i| (i.type_name(), entry(i, |i| i.schema())))
                .collect(),
            list_resources: provider
                .list_resources()
                .into_iter()
                .map(|i| (i.type_name(), entry(i, |i| i.schema())))
                .collect(),
            actions: provider.actions().into_iter().map(|i| (i.type_name(), entry(i, |i| i.schema()))).collect(),
            ephemeral_resources: provider
                .ephemeral_resources()
                .into_iter()
                .map(|i| (i.type_name(), entry(i, |i| i.schema())))
                .collect(),
        }
    }

    /// The answer to `GetProviderSchema`, built once.
    pub fn schema_response(
        &self,
        provider: &Schema,
        capabilities: pb::ServerCapabilities,
    ) -> pb::get_provider_schema::Response {
        fn each<E>(m: &HashMap<&'static str, E>, s: impl Fn(&E) -> &Schema) -> HashMap<String, pb::Schema> {
            m.iter().map(|(k, e)| (k.to_string(), schema(s(e)))).collect()
        }
        pb::get_provider_schema::Response {
            provider: Some(schema(provider)),
            resource_schemas: each(&self.resources, |e| &e.schema),
            data_source_schemas: each(&self.data_sources, |e| &e.schema),
            list_resource_schemas: each(&self.list_resources, |e| &e.schema),
            ephemeral_resource_schemas: each(&self.ephemeral_resources, |e| &e.schema),
            action_schemas: self
                .actions
                .iter()
                .map(|(k, e)| (k.to_string(), pb::ActionSchema { schema: Some(schema(&e.schema)) }))
                .collect(),
            server_capabilities: Some(capabilities),
            ..Default::default()
        }
    }

    pub fn resource(&self, name: &str) -> Result<&ResourceEntry<C>, Diagnostics> {
        self.resources.get(name).ok_or_else(|| unknown_type("resource", name))
    }

    pub fn data_source(&self, name: &str) -> Result<&DataSourceEntry<C>, Diagnostics> {
        self.data_sources.get(name).ok_or_else(|| unknown_type("data source", name))
    }

    pub fn list_resource(&self, name: &str) -> Result<&ListEntry<C>, Diagnostics> {
        self.list_resources.get(name).ok_or_else(|| unknown_type("list resource", name))
    }

    pub fn ephemeral_resource(&self, name: &str) -> Result<&EphemeralEntry<C>, Diagnostics> {
        self.ephemeral_resources.get(name).ok_or_else(|| unknown_type("ephemeral resource", name))
    }

    pub fn action(&self, name: &str) -> Result<&ActionEntry<C>, Diagnostics> {
        self.actions.get(name).ok_or_else(|| unknown_type("action", name))
    }
}
