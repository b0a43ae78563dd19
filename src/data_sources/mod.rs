//! Data source types, one file each.

pub mod jira_credential;
pub mod jira_credential_check;
