//! The types a provider serves, each with its schema and value type built
//! once when the server starts: what every request's type is looked up in.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::framework::{
    Action, DataSource, Diagnostics, EphemeralResource, IdentitySchema, ListResource, Provider, Resource, Schema, Type,
    Value,
};

/// A managed resource type, with what its requests are read with.
pub struct ResourceEntry<C> {
    pub imp: Arc<dyn Resource<C>>,
    pub schema: Schema,
    pub ty: Type,
    /// The identity schema and its value type, for resources that have one.
    pub identity: Option<(IdentitySchema, Type)>,
}

impl<C> ResourceEntry<C> {
    /// The identity of the object a state describes; none for a resource
    /// without identity. Unknown parts stay unknown: the transport leaves
    /// out an identity that is not wholly known.
    pub fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(self.imp.identity()?.identity(state))
    }

    /// The identity's value type; an error for a resource without one.
    pub fn identity_type(&self) -> Result<&Type, Diagnostics> {
        self.identity.as_ref().map(|(_, t)| t).ok_or_else(|| {
            Diagnostics::single(
                "Resource has no identity",
                "This resource type declares no identity; import it by id instead.",
            )
        })
    }
}

/// A type without state the provider serves, with its schema and value
/// type built once.
pub struct Entry<T: ?Sized> {
    pub imp: Arc<T>,
    pub schema: Schema,
    pub ty: Type,
}

pub type DataSourceEntry<C> = Entry<dyn DataSource<C>>;
pub type ListEntry<C> = Entry<dyn ListResource<C>>;
pub type ActionEntry<C> = Entry<dyn Action<C>>;
pub type EphemeralEntry<C> = Entry<dyn EphemeralResource<C>>;

/// Every type of one provider, by type name (in name order, so that
/// schemas and metadata come out the same at every start).
pub struct Registry<C> {
    pub resources: BTreeMap<&'static str, ResourceEntry<C>>,
    pub data_sources: BTreeMap<&'static str, DataSourceEntry<C>>,
    pub list_resources: BTreeMap<&'static str, ListEntry<C>>,
    pub actions: BTreeMap<&'static str, ActionEntry<C>>,
    pub ephemeral_resources: BTreeMap<&'static str, EphemeralEntry<C>>,
}

fn entries<T: ?Sized>(
    all: Vec<Arc<T>>,
    name_of: impl Fn(&T) -> &'static str,
    schema_of: impl Fn(&T) -> Schema,
) -> BTreeMap<&'static str, Entry<T>> {
    all.into_iter()
        .map(|imp| {
            let schema = schema_of(&imp);
            let ty = schema.value_type();
            (name_of(&imp), Entry { imp, schema, ty })
        })
        .collect()
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
            data_sources: entries(provider.data_sources(), |i| i.type_name(), |i| i.schema()),
            list_resources: entries(provider.list_resources(), |i| i.type_name(), |i| i.schema()),
            actions: entries(provider.actions(), |i| i.type_name(), |i| i.schema()),
            ephemeral_resources: entries(provider.ephemeral_resources(), |i| i.type_name(), |i| i.schema()),
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
