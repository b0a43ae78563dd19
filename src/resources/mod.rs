//! Managed resource types, one module each.

pub mod jira_credential;
pub mod jira_credential_authorization;
