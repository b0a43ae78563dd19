//! terraform-provider-oomnitza: Oomnitza's Jira integration credentials as
//! Terraform resources.
//!
//! The data path reads top to bottom: [`plugin`] (gRPC, go-plugin handshake,
//! mTLS, logs) -> [`framework`] (values, schemas, diagnostics, traits) ->
//! one folder per kind ([`jira_credential`]; the flat kinds
//! [`api_key_credential`] and [`basic_credential`], whose resources are
//! [`credential::flat`]'s), sharing [`credential`] -> [`oomnitza`] (HTTP).
//! The generated protobuf types are private to `plugin`, so nothing else
//! can know about gRPC; nothing above `oomnitza` knows about HTTP.

pub mod api_key_credential;
pub mod basic_credential;
pub mod credential;
pub mod credential_secret;
pub mod docs;
pub mod framework;
pub mod jira_credential;
pub mod oomnitza;
pub mod plugin;
pub mod provider;
pub mod secret;
pub mod settings;

/// The provider's version: `OOMNITZA_PROVIDER_VERSION` at build time (the
/// release script sets it), else the crate's.
pub const VERSION: &str = match option_env!("OOMNITZA_PROVIDER_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

/// The provider's source address, as Terraform configurations require it.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/oomnitza/oomnitza";
