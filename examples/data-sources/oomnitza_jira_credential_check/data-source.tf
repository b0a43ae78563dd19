variable "user_load_credential_id" {
  type        = string
  description = "The credential's id, e.g. oomnitza_jira_credential.users.id."
}

# Every plan asks Jira whether it still accepts the credential, and warns
# (without failing the plan) when it does not.
check "jira_accepts_user_load" {
  data "oomnitza_jira_credential_check" "users" {
    credential_id = var.user_load_credential_id
    site          = "example.atlassian.net"
  }

  assert {
    condition     = data.oomnitza_jira_credential_check.users.accepted
    error_message = "Jira no longer accepts the user-load credential: ${data.oomnitza_jira_credential_check.users.reason}"
  }
}
