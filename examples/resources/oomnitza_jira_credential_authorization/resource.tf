resource "oomnitza_jira_credential" "users_oauth" {
  name = "Jira user load (OAuth)"
  oauth {
    client_id     = var.atlassian_client_id
    client_secret = var.atlassian_client_secret
    scopes        = ["read:jira-user", "offline_access"]
  }
}

# The apply waits here until a person has consented at the URL that the
# credential's warning gives (also in its oauth.authorization_url), and fails
# after 30 minutes if nobody has. A failed wait leaves the credential as it
# is: run terraform apply again to wait again.
resource "oomnitza_jira_credential_authorization" "users_oauth" {
  credential_id = oomnitza_jira_credential.users_oauth.id
  timeouts {
    create = "30m"
  }
}

variable "atlassian_client_id" {
  type = string
}

variable "atlassian_client_secret" {
  type      = string
  sensitive = true
}
