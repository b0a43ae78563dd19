//! List resources for `terraform query`, one module each.

pub mod jira_credential;
