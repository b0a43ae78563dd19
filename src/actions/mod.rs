//! Actions, one module each.

pub mod jira_credential_authorize;
