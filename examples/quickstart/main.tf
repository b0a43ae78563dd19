# The quickstart: Oomnitza's Jira credentials for the user load, one with
# Basic Auth and one with OAuth 2.0 (3LO). scripts/quickstart.sh runs it
# against the local simulator; against a real instance, set OOMNITZA_URL and
# OOMNITZA_API_TOKEN and run terraform yourself.
terraform {
  required_providers {
    oomnitza = {
      source = "oomnitza/oomnitza"
    }
  }
}

# url and api_token come from OOMNITZA_URL and OOMNITZA_API_TOKEN.
provider "oomnitza" {}

variable "jira_api_token" {
  description = "A Jira API token of the Atlassian account below."
  type        = string
  sensitive   = true
}

variable "atlassian_client_id" {
  description = "The client ID of the Atlassian OAuth 2.0 (3LO) app."
  type        = string
}

variable "atlassian_client_secret" {
  description = "The client secret of that app."
  type        = string
  sensitive   = true
}

resource "oomnitza_jira_credential" "users" {
  name        = "Jira user load"
  description = "Reads Jira users nightly"

  basic {
    email     = "svc-jira@example.com"
    api_token = var.jira_api_token
  }
}

resource "oomnitza_jira_credential" "users_oauth" {
  name = "Jira user load (OAuth)"

  oauth {
    client_id     = var.atlassian_client_id
    client_secret = var.atlassian_client_secret
    scopes        = ["read:jira-user", "offline_access"]
    site          = "example.atlassian.net"
  }
}

output "credential_id" {
  value = oomnitza_jira_credential.users.id
}

output "consent_url" {
  description = "Where an Oomnitza admin gives consent for the OAuth credential."
  value       = oomnitza_jira_credential.users_oauth.oauth.authorization_url
}

output "oauth_status" {
  value = oomnitza_jira_credential.users_oauth.oauth.status
}
