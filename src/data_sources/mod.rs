//! Data source types, one file each.

pub mod jira_credential;
