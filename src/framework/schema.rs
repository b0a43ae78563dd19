//! Schemas: what attributes and nested blocks a provider, resource or data
//! source has, built with small chained constructors, and the value type
//! used to decode configurations (the plugin layer turns them into protocol
//! messages).

use std::collections::BTreeMap;

use std::sync::Arc;

use super::plan::{DefaultOnCreate, PlanModifier, RequiresReplace, UseStateForUnknown};
use super::value::{Type, Value};

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: bool,
    /// Why it is deprecated and what to use instead: warned of where a
    /// configuration sets it, and shown by Terraform 1.15+ where one refers
    /// to it.
    pub deprecation: Option<String>,
    /// The value used when the attribute is left out, for documentation.
    pub default: Option<String>,
    /// The value planned when the configuration leaves it out, on create
    /// and update alike ([`Attribute::default_value`]).
    pub default_value: Option<Value>,
    /// How the framework plans it beyond that (see [`super::plan`]).
    pub plan: Vec<Arc<dyn PlanModifier>>,
    /// The rules its configured value must follow (see [`super::validate`]).
    pub validators: Vec<std::sync::Arc<dyn super::validate::Validator>>,
    /// A setting of Terraform's alone (a timeout, a version that triggers
    /// a write-only send): never in the remote object, so never drift.
    pub terraform_only: bool,
}

impl Attribute {
    pub fn of(name: &str, ty: Type) -> Self {
        Attribute {
            name: name.to_string(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            deprecation: None,
            default: None,
            default_value: None,
            plan: Vec::new(),
            validators: Vec::new(),
            terraform_only: false,
        }
    }
    pub fn string(name: &str) -> Self {
        Self::of(name, Type::String)
    }
    pub fn number(name: &str) -> Self {
        Self::of(name, Type::Number)
    }
    pub fn bool(name: &str) -> Self {
        Self::of(name, Type::Bool)
    }
    pub fn list(name: &str, elem: Type) -> Self {
        Self::of(name, Type::List(Box::new(elem)))
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    /// Optional, and filled in by the provider when left out.
    pub fn optional_computed(self) -> Self {
        self.optional().computed()
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Sent by Terraform at validate, plan and apply; never stored in state or plan.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    /// A setting of Terraform's alone, kept in no remote object (see
    /// [`Block::remote_paths`]).
    pub fn terraform_only(mut self) -> Self {
        self.terraform_only = true;
        self
    }
    /// Documents the value used when the attribute is left out (HCL syntax).
    pub fn default_is(mut self, hcl: &str) -> Self {
        self.default = Some(hcl.to_string());
        self
    }
    /// Keeps the state's value on update when the configuration leaves it
    /// out (for values that never change once assigned, such as an id).
    pub fn use_state_for_unknown(self) -> Self {
        self.plan_with(UseStateForUnknown)
    }
    /// Unknown in an update's plan when one of the named attributes of its
    /// block changes (see [`super::plan::UnknownWhenChanged`]).
    pub fn unknown_when_changed(self, siblings: &'static [&'static str]) -> Self {
        self.plan_with(super::plan::UnknownWhenChanged(siblings))
    }
    /// A change of this attribute replaces the resource.
    pub fn requires_replace(self) -> Self {
        self.plan_with(RequiresReplace)
    }
    /// A rule of its plan, run in the order declared after the framework's
    /// own (see [`super::plan`]).
    pub fn plan_with(mut self, m: impl PlanModifier + 'static) -> Self {
        self.plan.push(Arc::new(m));
        self
    }
    /// Planned when left out, and documented as the default. The attribute
    /// must be computed, since the plan holds a value the configuration
    /// does not.
    pub fn default_value(mut self, v: Value) -> Self {
        self.default = Some(v.to_string());
        self.default_value = Some(v);
        self
    }
    /// Planned when left out of a create only (an update keeps what the
    /// remote system holds), and documented as the default.
    pub fn default_on_create(mut self, v: Value) -> Self {
        self.default = Some(v.to_string());
        self.plan_with(DefaultOnCreate(v))
    }
    pub fn default_of(&self) -> Option<&Value> {
        self.default_value.as_ref()
    }
    /// A rule its configured value must follow, checked by the framework
    /// before the type's own `validate`.
    pub fn validate(mut self, v: impl super::validate::Validator + 'static) -> Self {
        self.validators.push(std::sync::Arc::new(v));
        self
    }
    pub fn describe(mut self, markdown: &str) -> Self {
        self.description = markdown.to_string();
        self
    }
    /// Deprecated, with what to do instead (one sentence): the provider
    /// warns where a configuration sets it; Terraform 1.15+ warns where an
    /// expression refers to it, with the same words.
    pub fn deprecated(mut self, instead: &str) -> Self {
        self.deprecated = true;
        self.deprecation = Some(instead.to_string());
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
    Group,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    /// Rules over several of its attributes and blocks together, such as
    /// "exactly one of" (see [`super::validate`]).
    pub rules: Vec<Arc<dyn super::validate::BlockValidator>>,
}

impl Block {
    pub fn new(description: &str) -> Self {
        Block { description: description.to_string(), ..Default::default() }
    }
    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    /// Several attributes, in order (such as a secret's three forms).
    pub fn attrs(mut self, all: impl IntoIterator<Item = Attribute>) -> Self {
        self.attributes.extend(all);
        self
    }
    /// A rule over several of its members together.
    pub fn rule(mut self, r: impl super::validate::BlockValidator + 'static) -> Self {
        self.rules.push(Arc::new(r));
        self
    }
    pub fn block(mut self, name: &str, nesting: Nesting, block: Block) -> Self {
        // Terraform wants min = max for single blocks: 0/0 means optional.
        self.blocks.push(NestedBlock { name: name.to_string(), block, nesting, min_items: 0, max_items: 0 });
        self
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn nested(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }
    /// The names of the attributes, then of the nested blocks, in order:
    /// what a typed model's `ATTRIBUTES` must list.
    /// The dotted paths of what a person can change in the remote object
    /// outside Terraform, and so what a refresh can find changed: the
    /// attributes a configuration sets that are neither secret (sensitive,
    /// write-only) nor Terraform's own settings, in single nested blocks
    /// too.
    pub fn remote_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .attributes
            .iter()
            .filter(|a| (a.required || a.optional) && !a.sensitive && !a.write_only && !a.terraform_only)
            .map(|a| a.name.clone())
            .collect();
        for b in self.blocks.iter().filter(|b| matches!(b.nesting, Nesting::Single | Nesting::Group)) {
            out.extend(b.block.remote_paths().into_iter().map(|p| format!("{}.{p}", b.name)));
        }
        out
    }

    pub fn names(&self) -> Vec<&str> {
        self.attributes.iter().map(|a| a.name.as_str()).chain(self.blocks.iter().map(|b| b.name.as_str())).collect()
    }

    /// The object type that values of this block decode to.
    pub fn value_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.blocks {
            let inner = b.block.value_type();
            let t = match b.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::List(Box::new(inner)),
                Nesting::Set => Type::Set(Box::new(inner)),
                Nesting::Map => Type::Map(Box::new(inner)),
            };
            attrs.insert(b.name.clone(), t);
        }
        Type::Object(attrs)
    }
}

/// A versioned schema: the version goes up when stored state needs upgrading.
#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

/// A resource's identity (Terraform 1.12+): the few attributes that name one
/// remote object, kept by Terraform beside the state, used by `import`
/// blocks and by `terraform query` results.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// An `import { identity = {...} }` block must give it.
    pub required_for_import: bool,
}

impl IdentitySchema {
    pub fn new(version: i64) -> Self {
        IdentitySchema { version, attributes: Vec::new() }
    }

    /// Adds an attribute that import needs.
    pub fn required(mut self, name: &str, ty: Type, description: &str) -> Self {
        self.attributes.push(IdentityAttribute {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            required_for_import: true,
        });
        self
    }

    pub fn value_type(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect())
    }
}
