//! What every kind of credential in Oomnitza's vault shares, whatever its
//! system or authorization: a [`Kind`] says which credentials are its own
//! and how to speak of them, and its methods do the reads, deletes,
//! imports and warnings that are the same for each kind. Its secret
//! ([`secret`]) and its drift in words ([`drift`]) are here too.

pub mod drift;
pub mod errors;
pub mod expiry;
pub mod flat;
pub mod leftover;
mod lookup;
pub mod private;
pub mod secret;
mod taken;
mod update;

pub use update::Updated;

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;

use oomnitza_api::Filter;
use tokio::time::Instant;

use self::errors::{api_diags_in, FieldNames};
use crate::framework::duration::parse_duration;
use crate::framework::validate::{self as rule, Date, NotBlank};
use crate::framework::{
    Attribute, Block, Diagnostics, Identity, IdentitySchema, Import, ImportTarget, PrivateState, Schema, Type, Value,
};
use crate::oomnitza::{ApiError, Client, Created, Credential, CredentialPatch, NewCredential};

/// Every kind a resource of this provider manages: an import of another
/// kind's credential names the resource to import it into.
pub static KINDS: [&Kind; 3] =
    [&crate::jira_credential::JIRA, &crate::api_key_credential::API_KEY, &crate::basic_credential::BASIC];

/// How long an operation may take unless `timeouts` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// A kind of credential, as one resource type manages it.
pub struct Kind {
    pub type_name: &'static str,
    /// How people call one, such as "Jira credential".
    pub noun: &'static str,
    /// The filter that lists only credentials of this kind.
    pub scope: fn() -> Filter,
    /// Whether a credential Oomnitza answered is of this kind.
    pub owns: fn(&Credential) -> bool,
    /// What a person can change outside Terraform, for drift in words:
    /// read from the resource's schema, where each attribute says whether
    /// it is secret or Terraform's own.
    pub drift: DriftWatch,
    /// The resource's state of a credential Oomnitza answered; what
    /// Oomnitza never answers (secrets, Terraform's own settings) comes from
    /// the second value, a plan or an earlier state (null on import).
    pub state: fn(&Credential, &Value) -> Value,
    /// How its secret's `expiration_date` is warned of ahead.
    pub expiry: &'static expiry::ExpiryWords,
    /// Its attributes as the API names them, for errors at a field.
    pub fields: FieldNames,
}

/// The attributes a refresh compares for drift: the schema's
/// [`Block::remote_paths`], worked out at first use.
pub struct DriftWatch {
    schema: fn() -> Schema,
    paths: OnceLock<Vec<String>>,
}

impl DriftWatch {
    /// Watches what the schema `schema` builds says a person can change.
    pub const fn of(schema: fn() -> Schema) -> Self {
        DriftWatch { schema, paths: OnceLock::new() }
    }

    /// The dotted paths watched (never a secret).
    pub fn paths(&self) -> &[String] {
        self.paths.get_or_init(|| (self.schema)().block.remote_paths())
    }
}

/// A plan's or state's values as model `T`; what must be known at apply
/// and is not is said.
pub fn typed<T: crate::framework::model::FromValue>(v: &Value, diags: &mut Diagnostics) -> Option<T> {
    T::from_value(v)
        .map_err(|e| diags.error("Incomplete configuration", format!("{e} at apply; it must be known.")))
        .ok()
}

/// `new` where it differs from `old` (everything when there is no `old`):
/// one field of a PATCH, for every kind's update and adoption.
pub fn set<T: PartialEq + Clone>(old: Option<&T>, new: &T) -> Option<T> {
    (old != Some(new)).then(|| new.clone())
}

/// What a failure after a create adds: the credential exists and is kept,
/// untainted, and what to do next.
pub fn kept_after_create(noun: &str, id: &str) -> String {
    format!("The {noun} was created all the same (id {id}) and is in the state, not tainted: it will not be replaced. Run terraform apply again to finish what failed; the next plan shows what still differs.")
}

/// Runs one call in the time left before `deadline`.
pub async fn within<T>(
    deadline: Instant,
    fut: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout_at(deadline, fut).await.unwrap_or(Err(ApiError::Timeout))
}

/// The `timeouts` block: one optional duration per operation in `ops`
/// (name, what it covers), each defaulting to five minutes.
pub fn timeouts_block(description: &str, ops: &[(&str, &str)]) -> Block {
    ops.iter().fold(Block::new(description), |b, (name, what)| {
        b.attr(
            Attribute::string(name)
                .optional()
                .terraform_only()
                .validate(rule::Duration)
                .default_is("\"5m\"")
                .describe(&format!("How long {what} may take, such as `2m`.")),
        )
    })
}

crate::model! {
    /// The `timeouts` block of a credential resource (create, update and
    /// delete), as [`timeouts_block`] declares it for each kind.
    #[derive(Clone, Debug)]
    pub struct Timeouts {
        pub create: Option<String>,
        pub update: Option<String>,
        pub delete: Option<String>,
    }
}

/// `timeouts.<op>` from a state or plan, else the default.
pub fn timeout_of(v: &Value, op: &str) -> Duration {
    v.get("timeouts").get(op).as_str().and_then(|s| parse_duration(s).ok()).unwrap_or(DEFAULT_TIMEOUT)
}

/// The deadline of `op` for the operation starting now.
pub fn deadline_of(v: &Value, op: &str) -> Instant {
    Instant::now() + timeout_of(v, op)
}

/// A SaaS name as Oomnitza's connectors write them (`okta`, `servicenow`).
fn is_saas(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `saas`, as a kind for any integration declares it: required, a SaaS
/// name, and fixed for the credential's life (a change replaces it).
pub fn saas_attribute(describe: &str) -> Attribute {
    let fix = "use the integration's name in lower case, such as \"okta\" or \"servicenow\"";
    Attribute::string("saas")
        .required()
        .requires_replace()
        .validate(rule::Matches { test: is_saas, fix })
        .describe(describe)
}

/// `name`, as every kind declares it: required, not blank.
pub fn name_attribute() -> Attribute {
    Attribute::string("name")
        .required()
        .validate(NotBlank("must not be empty: it is how the credential shows in Oomnitza."))
        .describe("The credential's name, as shown in Oomnitza.")
}

/// `expiration_date`, a date; `describe` says whose.
pub fn expiration_attribute(describe: &str) -> Attribute {
    Attribute::string("expiration_date").optional().validate(Date).describe(describe)
}

/// An optional filter of a list resource: left out matches everything,
/// so given empty it is a mistake.
pub fn list_filter(name: &str, describe: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .validate(NotBlank("is empty; leave it out to match every credential."))
        .describe(describe)
}

/// The configuration's `expiration_date`, when it is a date.
pub fn expiration_date(config: &Value) -> Option<time::Date> {
    time::Date::parse(config.get("expiration_date").as_str()?, expiry::DATE).ok()
}

/// A credential's identity (Terraform 1.12+): its Oomnitza id, which never
/// changes. Each kind's resource declares it; its list resource answers it.
impl Identity for Kind {
    fn identity_schema(&self) -> IdentitySchema {
        IdentitySchema::new(0).required("id", Type::String, "The credential's id in Oomnitza.")
    }

    fn identity(&self, state: &Value) -> Value {
        if state.is_null() {
            return Value::Null;
        }
        Kind::identity_of(state.get("id").clone())
    }
}

/// Import by id or identity, of a credential of this kind only.
#[async_trait]
impl Import<Client> for Kind {
    async fn import(&self, client: &Client, target: ImportTarget<'_>, diags: &mut Diagnostics) -> Value {
        self.find_for_import(client, target, diags).await.map_or(Value::Null, |c| (self.state)(&c, &Value::Null))
    }
}

impl Kind {
    /// An API error as diagnostics, a field's at this kind's attribute.
    pub fn api_diags(&self, e: &ApiError, doing: &str, diags: &mut Diagnostics) {
        api_diags_in(e, doing, self.fields, diags);
    }

    /// The identity value of a credential id (known, or unknown before create).
    pub fn identity_of(id: Value) -> Value {
        Value::Object([("id".to_string(), id)].into_iter().collect())
    }

    /// Reads the credential a state names, records what changed outside
    /// Terraform in the private state, says so when it is gone, and warns
    /// of an `expiration_date` ahead or past.
    pub async fn read(
        &self,
        client: &Client,
        state: &Value,
        private: &mut PrivateState,
        diags: &mut Diagnostics,
    ) -> Option<(Credential, Value)> {
        let id = state.get("id").as_str()?;
        match within(Instant::now() + DEFAULT_TIMEOUT, client.get(id)).await {
            Ok(Some(c)) => {
                // A state holds it: no create entry may name it as an orphan.
                client.held_by_state(id);
                let fresh = (self.state)(&c, state);
                let mut p = private::Private::load(private);
                p.drift = drift::between(self.drift.paths(), state, &fresh, &c.updated_at, c.updated_by.as_deref());
                if !client.config().fingerprints {
                    p.fingerprint = None;
                }
                p.save(private);
                let days = client.config().expiry_warning_days;
                expiry::warn(&fresh, days, time::OffsetDateTime::now_utc(), self.expiry, diags);
                Some((c, fresh))
            }
            Ok(None) => {
                drift::deleted(self.noun, state, diags);
                None
            }
            Err(e) => {
                self.api_diags(&e, &format!("read the {}", self.noun), diags);
                None
            }
        }
    }

    /// The error of an update whose credential was deleted meanwhile.
    fn gone(&self, id: &str, diags: &mut Diagnostics) {
        let mut noun = self.noun.chars();
        let title: String = noun.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(noun).collect();
        diags.error(
            format!("{title} is gone"),
            format!("Credential {id} was deleted outside Terraform during this apply. Run terraform apply again to create it."),
        );
    }

    /// Writes `patch` to credential `id`, or reads it when there is nothing
    /// to write: what Oomnitza then holds, or `None` with the error said
    /// (one deleted meanwhile by name, with what to do).
    pub async fn write(
        &self,
        client: &Client,
        id: &str,
        patch: Option<&(impl serde::Serialize + Sync)>,
        deadline: Instant,
        diags: &mut Diagnostics,
    ) -> Option<Credential> {
        let gone = || ApiError::NotFound { message: String::new() };
        let written = match patch {
            Some(p) => within(deadline, client.update(id, p)).await,
            None => within(deadline, client.get(id)).await.and_then(|c| c.ok_or_else(gone)),
        };
        match written {
            Ok(c) => Some(c),
            Err(ApiError::NotFound { .. }) => {
                self.gone(id, diags);
                None
            }
            Err(e) => {
                self.api_diags(&e, &format!("update the {}", self.noun), diags);
                None
            }
        }
    }

    /// Deletes the credential a state names; one already gone is deleted.
    pub async fn delete(&self, client: &Client, prior: &Value, diags: &mut Diagnostics) {
        let Some(id) = prior.get("id").as_str() else {
            return;
        };
        if let Err(e) = within(deadline_of(prior, "delete"), client.delete(id)).await {
            self.api_diags(&e, &format!("delete the {}", self.noun), diags);
        }
    }

    /// The credential an import names, when it exists and is of this kind.
    async fn find_for_import(
        &self,
        client: &Client,
        target: ImportTarget<'_>,
        diags: &mut Diagnostics,
    ) -> Option<Credential> {
        let id = match target {
            ImportTarget::Id(id) => id.trim(),
            ImportTarget::Identity(identity) => identity.get("id").as_str().unwrap_or_default().trim(),
        };
        if id.is_empty() {
            diags.error(
                "Missing import id",
                format!(
                    "Give the credential's Oomnitza id: terraform import {t}.NAME <id>, or import {{ to = {t}.NAME identity = {{ id = \"<id>\" }} }}.",
                    t = self.type_name
                ),
            );
            return None;
        }
        match within(Instant::now() + DEFAULT_TIMEOUT, client.get(id)).await {
            Ok(Some(c)) if (self.owns)(&c) => {
                client.held_by_state(id);
                Some(c)
            }
            Ok(Some(c)) => {
                let fix = match KINDS.iter().find(|k| (k.owns)(&c)) {
                    Some(k) => format!(
                        "Import it into {t} instead: import {{ to = {t}.NAME  id = \"{id}\" }}.",
                        t = k.type_name
                    ),
                    None => "No resource of this provider manages that kind; leave it out of Terraform.".to_string(),
                };
                diags.error(
                    "Wrong kind of credential",
                    format!(
                        "Credential {id} is a {} credential with auth_type {}; {} manages {}s only. {fix}",
                        c.saas,
                        c.auth_type.as_str(),
                        self.type_name,
                        self.noun
                    ),
                );
                None
            }
            Ok(None) => {
                diags.error("Cannot import non-existent remote object", format!("Oomnitza has no credential with id {id:?}. Check the id (Configuration > Security > Credentials)."));
                None
            }
            Err(e) => {
                self.api_diags(&e, &format!("import the {}", self.noun), diags);
                None
            }
        }
    }

    /// Creates the credential `new` describes, never twice: `Some` with
    /// what Oomnitza holds, whether it was `adopted` from an interrupted
    /// earlier create (then `create_adopting` makes it what the plan says), and
    /// the journal entry to finish once the state is in hand.
    async fn create(
        &self,
        client: &Client,
        new: &NewCredential,
        deadline: Instant,
        diags: &mut Diagnostics,
    ) -> Option<Created> {
        match within(deadline, client.create(new)).await {
            Ok(created) => {
                // A name Oomnitza already held was said at plan (see taken).
                if created.adopted {
                    self.adopted_warning(&created.credential, diags);
                }
                Some(created)
            }
            Err(ApiError::Timeout) => {
                diags.error(
                    format!("Could not create the {}", self.noun),
                    "The create did not finish within timeouts.create. Oomnitza may have made the credential all the same: the next terraform apply in this directory and workspace finds it through its create journal (.terraform/oomnitza-creates) and does not make a second one.",
                );
                None
            }
            Err(e) => {
                self.api_diags(&e, &format!("create the {}", self.noun), diags);
                None
            }
        }
    }

    /// Creates the credential `new` describes, never twice; one
    /// adopted from an interrupted create is then made what the plan says
    /// with `full` (everything, secret included). From the create on the
    /// credential exists, so what fails after it goes to `after`, for the
    /// caller to say as warnings ([`kept_after_create`]). The flag is
    /// whether Oomnitza now holds the configured secret (not so for an
    /// adopted credential whose update failed: the next plan sends it).
    pub async fn create_adopting(
        &self,
        client: &Client,
        (new, full): (&NewCredential, CredentialPatch),
        deadline: Instant,
        diags: &mut Diagnostics,
        after: &mut Diagnostics,
    ) -> Option<(Created, bool)> {
        let mut created = self.create(client, new, deadline, diags).await?;
        if !created.adopted {
            return Some((created, true));
        }
        match within(deadline, client.update(&created.credential.id, &full)).await {
            Ok(c) => {
                created.credential = c;
                Some((created, true))
            }
            Err(e) => {
                self.api_diags(&e, &format!("update the adopted {}", self.noun), after);
                Some((created, false))
            }
        }
    }

    /// The warning of a create that found, through its journal, the
    /// credential an interrupted earlier create made.
    pub fn adopted_warning(&self, c: &Credential, diags: &mut Diagnostics) {
        diags.warning_at(
            None,
            "Adopted a credential from an interrupted apply",
            format!(
                "An earlier apply in this directory and workspace asked Oomnitza to create this credential and stopped before Terraform recorded the answer (its record is in .terraform/oomnitza-creates). This apply resumed that create with its idempotency key, and Oomnitza answered with credential {} ({:?}, made at {}): it is tracked here instead of being created twice, and set to what the plan says, secret included.",
                c.id, c.name, c.created_at
            ),
        );
    }
}
