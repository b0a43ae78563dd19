variable "jira_credential_id" {
  type        = string
  description = "The id of a Jira credential in Oomnitza's vault."
}

# The Jira credential's authentication, opened at plan and apply, never
# stored: here handed to another integration's API key credential as a
# write-only value (Terraform 1.11+).
ephemeral "oomnitza_credential_secret" "jira" {
  credential_id = var.jira_credential_id
}

resource "oomnitza_api_key_credential" "relay" {
  name             = "Jira relay"
  saas             = "jira_relay"
  token_name       = "Authorization"
  token_wo         = ephemeral.oomnitza_credential_secret.jira.headers["Authorization"]
  token_wo_version = 1
}
