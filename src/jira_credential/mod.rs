//! Oomnitza's Jira credentials, one concept in one folder: the resource
//! `oomnitza_jira_credential` (Basic Auth or Atlassian OAuth 2.0 3LO), its
//! data source, its list resource for `terraform query`, the credential
//! check, the consent waiter resource and the authorize action.
//!
//! - `model`: the names, the [`crate::credential::Kind`] and the state built
//!   from what Oomnitza answers, shared by all of them;
//! - `schema`, `plan`, `resource`, `validate`, `oauth` (the OAuth block's
//!   plan and warnings), `expiry`: the resource;
//! - `consent`: the wait for a person's consent (resource, waiter, action);
//! - `data_source`, `check`, `list`, `authorization`, `authorize`.

pub mod authorization;
pub mod authorize;
pub mod check;
pub mod consent;
pub mod data_source;
mod expiry;
pub mod list;
mod model;
mod oauth;
mod plan;
mod resource;
mod schema;
mod validate;

pub use model::{state_from, DEFAULT_CALLBACK_URL, DEFAULT_SCOPE, JIRA, TYPE_NAME};
pub use resource::JiraCredential;
pub use schema::{BASIC_SECRET, OAUTH_SECRET};
pub use validate::validate_config;
