//! A flat kind of credential: its attributes are all top-level (`name`,
//! `saas`, `owner`, `description`, `expiration_date`, the kind's own), its
//! secret is one attribute (`X`, or `X_wo` with `X_wo_version`), and
//! nothing follows a write. The kind says only what is its own
//! ([`FlatKind`]: its schema, its rules, its section of the API); its
//! resource ([`Managed`]), data source ([`Lookup`]) and list resource
//! ([`Listed`]) are here, once, on top of [`Kind`]'s create without
//! duplicates, read with drift, update in one call, delete and import.

use std::marker::PhantomData;

use async_trait::async_trait;
use oomnitza_api::Filter;

use super::drift::{self, Saying};
use super::private::Private;
use super::secret::SecretAttrs;
use super::{deadline_of, list_filter, set, Kind, Updated};
use crate::framework::model::FromValue;
use crate::framework::{
    Attribute, Block, CreateRequest, DataSource, DeleteRequest, Diagnostics, Identity, Import, ListRequest,
    ListResource, ListSink, PlanRequest, Planned, PrivateState, ReadRequest, Resource, Schema, StateResponse, Type,
    UpdateRequest, Value,
};
use crate::oomnitza::{Client, Created, Credential, CredentialPatch, NewCredential, Section, SectionPatch};
use crate::secret::Secret;

/// What one flat kind alone knows.
pub trait FlatKind: Send + Sync + 'static {
    /// The resource's values, one field per attribute of [`FlatKind::schema`].
    type Model: FromValue + Send + Sync;
    /// Its names, the credentials it owns, what drift watches, its state.
    const KIND: &'static Kind;
    /// Its secret's attributes.
    const SECRET: &'static SecretAttrs;
    /// Where a person gets a new secret, said when one is empty, such as
    /// "create one in the integration's admin console".
    const SECRET_FROM: &'static str;
    /// Why a plan replaces it, said beside drift, such as "saas cannot change".
    const REPLACED_BECAUSE: &'static str;

    fn schema() -> Schema;
    /// Its own rules, after the common ones and the secret's. Unknown
    /// values pass.
    fn validate(_config: &Value, _diags: &mut Diagnostics) {}
    /// Its section of a create, with the secret.
    fn section(m: &Self::Model, secret: Secret) -> Section;
    /// Its section of the PATCH that makes `old` (none: an adopted
    /// credential, which gets everything) into `new`, with the secret
    /// when it must be sent; `None` when nothing in it changes.
    fn section_patch(old: Option<&Self::Model>, new: &Self::Model, secret: Option<Secret>) -> Option<SectionPatch>;
}

crate::model! {
    /// What every flat kind's values have, read by attribute name.
    #[derive(Clone, Debug)]
    struct Common {
        name: String,
        saas: String,
        owner: Option<String>,
        description: Option<String>,
        expiration_date: Option<String>,
    }
}

/// A plan's or state's values, typed (see [`super::typed`]).
fn typed<K: FlatKind>(v: &Value, diags: &mut Diagnostics) -> Option<(Common, K::Model)> {
    Some((super::typed(v, diags)?, super::typed(v, diags)?))
}

/// The PATCH that makes `old` (none: an adopted credential) into `new`,
/// with the secret when it must be sent.
fn patch<K: FlatKind>(
    old: Option<&(Common, K::Model)>,
    new: &(Common, K::Model),
    secret: Option<Secret>,
) -> CredentialPatch {
    let (oc, nc) = (old.map(|o| &o.0), &new.0);
    CredentialPatch {
        name: set(oc.map(|o| &o.name), &nc.name),
        owner: set(oc.map(|o| &o.owner), &nc.owner).flatten(),
        description: set(oc.map(|o| &o.description), &nc.description).flatten(),
        expiration_date: set(oc.map(|o| &o.expiration_date), &nc.expiration_date),
        section: K::section_patch(old.map(|o| &o.1), &new.1, secret).and_then(SectionPatch::non_empty),
    }
}

/// The writes of every flat kind, compiled once: the generic resource
/// builds the request bodies (the kind's own) and hands them here, so that
/// a kind adds only its small code to the binary, not another copy of
/// these.
struct Flat<'a> {
    kind: &'static Kind,
    secret: &'static SecretAttrs,
    client: &'a Client,
}

impl Flat<'_> {
    /// Creates (or adopts) the credential `body` describes; `full` makes an
    /// adopted one what the plan says.
    async fn create(
        &self,
        (body, full): (NewCredential, CredentialPatch),
        (planned, config): (&Value, &Value),
        deadline: tokio::time::Instant,
        private: &mut PrivateState,
        diags: &mut Diagnostics,
    ) -> Value {
        let (kind, client) = (self.kind, self.client);
        let mut after = Diagnostics::new();
        let made = kind.create_adopting(client, (&body, full), deadline, diags, &mut after).await;
        let Some((Created { credential, entry, .. }, secret_held)) = made else { return Value::Null };
        if secret_held {
            let fingerprint = self.secret.fingerprint(config, client.config().fingerprints);
            Private::store(private, credential.secret_version, fingerprint);
        }
        // Kept, untainted: the next plan shows what still differs.
        diags.extend_as_warnings(after, &super::kept_after_create(kind.noun, &credential.id));
        entry.finish();
        (kind.state)(&credential, planned)
    }

    /// Writes `first` (with the secret when `sent`), and `back` what a
    /// hand edit after the plan changed (see [`Kind::update`]).
    async fn update(
        &self,
        (prior, planned, config): (&Value, &Value, &Value),
        (first, sent): (&CredentialPatch, bool),
        back: &(dyn Fn(&Value) -> Option<CredentialPatch> + Send + Sync),
        private: &mut PrivateState,
        diags: &mut Diagnostics,
    ) -> Value {
        let (kind, client) = (self.kind, self.client);
        let deadline = deadline_of(planned, "update");
        let written = kind.update(client, (prior, planned), (first, sent), back, deadline, diags).await;
        let Some(Updated { credential: c, replaced }) = written else { return Value::Null };
        let fingerprint = self.secret.fingerprint(config, client.config().fingerprints);
        Private::after_update(private, sent, replaced, c.secret_version, fingerprint);
        (kind.state)(&c, planned)
    }
}

/// A flat kind's resource.
pub struct Managed<K>(PhantomData<fn() -> K>);

impl<K> Managed<K> {
    pub const fn new() -> Self {
        Managed(PhantomData)
    }
}

impl<K> Default for Managed<K> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl<K: FlatKind> Resource<Client> for Managed<K> {
    fn type_name(&self) -> &'static str {
        K::KIND.type_name
    }

    /// The kind's schema, with its secret's rule (the stored and the
    /// write-only form are not both set) on the block that holds it.
    fn schema(&self) -> Schema {
        let mut s = K::schema();
        s.block.rules.push(std::sync::Arc::new(K::SECRET.conflict()));
        s
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        K::SECRET.validate(config, K::SECRET_FROM, diags);
        K::validate(config, diags);
    }

    fn modify_plan(&self, req: &PlanRequest<'_>, planned: &mut Planned, diags: &mut Diagnostics) {
        let (prior, config, secret) = (req.prior, req.config, K::SECRET);
        if prior.is_null() {
            let now = time::OffsetDateTime::now_utc();
            super::expiry::warn_past_at_create(config, now, K::KIND.expiry, diags);
            return secret.plan_create(config, diags);
        }
        let private = Private::load(req.prior_private);
        if secret.changes(prior, config, &private) {
            secret.plan_resend((prior, config), &private, &mut planned.state, diags);
        }
        if let Some(d) = &private.drift {
            let replacing = (!planned.requires_replace.is_empty()).then_some(K::REPLACED_BECAUSE);
            let say = Saying { noun: K::KIND.noun, secret: secret.noun, ends_consent: false, replacing };
            drift::warn(d, prior, &planned.state, &say, diags);
        }
    }

    async fn plan_remote(&self, client: &Client, req: &PlanRequest<'_>, planned: &Planned, diags: &mut Diagnostics) {
        K::KIND.plan_remote(client, req, planned, diags).await;
    }

    async fn create(&self, client: &Client, req: CreateRequest<'_>, resp: &mut StateResponse) {
        let CreateRequest { planned, config } = req;
        let (kind, deadline, diags) = (K::KIND, deadline_of(planned, "create"), &mut resp.diagnostics);
        let Some(secret) = K::SECRET.configured(config) else {
            return K::SECRET.missing(&format!("A new credential needs its {}", K::SECRET.noun), diags);
        };
        let Some(new) = typed::<K>(planned, diags) else { return };
        let c = &new.0;
        let body = NewCredential {
            name: c.name.clone(),
            owner: c.owner.clone(),
            description: c.description.clone(),
            saas: c.saas.clone(),
            expiration_date: c.expiration_date.clone(),
            section: K::section(&new.1, secret.clone()),
        };
        // One adopted from an interrupted earlier create of this
        // configuration is made what the plan says now, secret included.
        let full = patch::<K>(None, &new, Some(secret));
        let flat = Flat { kind, secret: K::SECRET, client };
        resp.state = flat.create((body, full), (planned, config), deadline, &mut resp.private, diags).await;
    }

    async fn read(&self, client: &Client, req: ReadRequest<'_>, resp: &mut StateResponse) {
        let read = K::KIND.read(client, req.state, &mut resp.private, &mut resp.diagnostics).await;
        resp.state = read.map_or(Value::Null, |(_, fresh)| fresh);
    }

    async fn update(&self, client: &Client, req: UpdateRequest<'_>, resp: &mut StateResponse) {
        let UpdateRequest { prior, planned, config } = req;
        let (kind, secret, diags) = (K::KIND, K::SECRET, &mut resp.diagnostics);
        let Some(new) = typed::<K>(planned, diags) else { return };
        let Some(sending) = secret.to_send(planned, config, diags) else { return };
        let Some(old) = typed::<K>(prior, diags) else { return };
        let first = patch::<K>(Some(&old), &new, sending);
        let sent = first.sends_secret();
        if first.is_empty() {
            // Only Terraform's own settings changed: nothing to write.
            let version = prior.get("secret_version").as_f64().unwrap_or_default() as i64;
            Private::after_update(&mut resp.private, false, false, version, None);
            resp.state = prior.clone();
            return;
        }
        // The plan's change in one call; what was changed by hand since the
        // plan is written back (see Kind::update).
        let back = move |answered: &Value| {
            let p = patch::<K>(Some(&typed::<K>(answered, &mut Diagnostics::new())?), &new, None);
            (!p.is_empty()).then_some(p)
        };
        let flat = Flat { kind, secret, client };
        let (private, diags) = (&mut resp.private, &mut resp.diagnostics);
        resp.state = flat.update((prior, planned, config), (&first, sent), &back, private, diags).await;
    }

    async fn delete(&self, client: &Client, req: DeleteRequest<'_>, diags: &mut Diagnostics) {
        K::KIND.delete(client, req.prior, diags).await;
    }

    fn importer(&self) -> Option<&dyn Import<Client>> {
        Some(K::KIND)
    }

    fn identity(&self) -> Option<&dyn Identity> {
        Some(K::KIND)
    }
}

/// What a flat kind brings a provider.
pub struct Family {
    pub resource: std::sync::Arc<dyn Resource<Client>>,
    pub data_source: std::sync::Arc<dyn DataSource<Client>>,
    pub list: std::sync::Arc<dyn ListResource<Client>>,
}

/// Kind `K`'s resource, data source and list resource.
pub fn family<K: FlatKind>() -> Family {
    use std::sync::Arc;
    Family {
        resource: Arc::new(Managed::<K>::new()),
        data_source: Arc::new(Lookup::<K>::new()),
        list: Arc::new(Listed::<K>::new()),
    }
}

/// "an API key credential", "a Basic Auth credential".
fn with_article(noun: &str) -> String {
    let an = noun.starts_with(|c: char| "AEIOUaeiou".contains(c));
    format!("{} {noun}", if an { "an" } else { "a" })
}

/// A flat kind's data source: one credential by `id` or exact `name`,
/// every attribute of the resource but the secret and Terraform's own.
pub struct Lookup<K> {
    /// Its schema's value type, built at the first read and kept.
    ty: std::sync::OnceLock<Type>,
    kind: PhantomData<fn() -> K>,
}

impl<K> Lookup<K> {
    pub const fn new() -> Self {
        Lookup { ty: std::sync::OnceLock::new(), kind: PhantomData }
    }
}

impl<K> Default for Lookup<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: FlatKind> Lookup<K> {
    /// The resource's schema, read-only; `id` or `name` picks one.
    pub fn read_only_schema() -> Schema {
        let (noun, secret) = (K::KIND.noun, K::SECRET);
        let mut block = Block::new(&format!(
            "Looks up {} in Oomnitza by `id` or exact `name` (exactly one). Its {} is never read.",
            with_article(noun),
            secret.noun
        ));
        let shown = |a: &Attribute| !a.sensitive && a.name != secret.version;
        for a in K::schema().block.attributes.into_iter().filter(shown) {
            let lookup = matches!(a.name.as_str(), "id" | "name");
            let mut a = Attribute {
                required: false,
                optional: lookup,
                computed: true,
                default: None,
                default_value: None,
                plan: Vec::new(),
                ..a
            };
            if a.name == "name" {
                a.description = format!("The exact name; it must match one {noun}.");
            }
            block = block.attr(a);
        }
        Schema::new(0, block)
    }
}

#[async_trait]
impl<K: FlatKind> DataSource<Client> for Lookup<K> {
    fn type_name(&self) -> &'static str {
        K::KIND.type_name
    }

    fn schema(&self) -> Schema {
        Self::read_only_schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        K::KIND.validate_id_or_name(config, diags);
    }

    /// The resource's state of the credential, through this schema.
    async fn read(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(c) = K::KIND.find(client, config, diags).await else { return Value::Null };
        let ty = self.ty.get_or_init(|| Self::read_only_schema().value_type());
        (K::KIND.state)(&c, &Value::Null).project(ty)
    }
}

crate::model! {
    /// A flat kind's list resource's configuration.
    #[derive(Clone, Debug, Default)]
    struct Filters {
        saas: Option<String>,
        name_prefix: Option<String>,
    }
}

/// A flat kind's list resource for `terraform query` (Terraform 1.14+):
/// by SaaS and name prefix.
pub struct Listed<K>(PhantomData<fn() -> K>);

impl<K> Listed<K> {
    pub const fn new() -> Self {
        Listed(PhantomData)
    }
}

impl<K> Default for Listed<K> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl<K: FlatKind> ListResource<Client> for Listed<K> {
    fn type_name(&self) -> &'static str {
        K::KIND.type_name
    }

    fn schema(&self) -> Schema {
        let about = format!(
            "Finds {}s in Oomnitza, whether Terraform manages them or not. Every filter is optional; all given must match.",
            K::KIND.noun
        );
        Schema::new(
            0,
            Block::new(&about)
                .attr(list_filter("saas", "Only credentials for this integration, such as `okta`."))
                .attr(list_filter(
                    "name_prefix",
                    "Only credentials whose name starts with this text (case-sensitive).",
                )),
        )
    }

    async fn list(&self, client: &Client, req: ListRequest<'_>, sink: &mut ListSink) {
        let Filters { saas, name_prefix } = Filters::from_value(req.config).unwrap_or_default();
        let saas = saas.map_or(Filter::new(), |s| Filter::new().eq("saas", &s));
        let prefix = name_prefix.unwrap_or_default();
        let keep = |c: &Credential| c.name.starts_with(&prefix);
        K::KIND.list(client, saas, &keep, req, sink).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_config_and_its_schema_agree() {
        let list = Listed::<crate::api_key_credential::ApiKey>::new();
        assert_eq!(list.schema().block.names(), Filters::ATTRIBUTES);
    }
}
