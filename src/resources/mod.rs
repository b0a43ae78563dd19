//! Managed resource types, one module each.

pub mod jira_credential;
