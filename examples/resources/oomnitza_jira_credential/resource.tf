variable "jira_api_token" {
  type      = string
  sensitive = true
}

# Basic Auth, token stored in state (sensitive).
resource "oomnitza_jira_credential" "users" {
  name            = "Jira user load"
  owner           = "svc-oomnitza"
  description     = "Reads Jira users nightly"
  expiration_date = "2027-06-30"

  basic {
    email     = "svc-jira@example.com"
    api_token = var.jira_api_token
  }

  timeouts {
    create = "2m"
    update = "2m"
    delete = "2m"
  }
}

variable "jira_api_token_wo" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Terraform 1.11+: the token never enters state or plan. Bump the version to send a new one.
resource "oomnitza_jira_credential" "write_only" {
  name = "Jira user load (write-only token)"

  basic {
    email                = "svc-jira@example.com"
    api_token_wo         = var.jira_api_token_wo
    api_token_wo_version = 1
  }
}

variable "atlassian_client_id" {
  type = string
}

variable "atlassian_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# OAuth 2.0 (3LO) with an Atlassian app. After apply, an Oomnitza admin opens
# oauth.authorization_url, picks the Jira site and clicks Accept; plans show
# oauth.status until then, and restart consent if it is revoked or expires.
resource "oomnitza_jira_credential" "users_oauth" {
  name = "Jira user load (OAuth)"

  oauth {
    client_id                = var.atlassian_client_id
    client_secret_wo         = var.atlassian_client_secret
    client_secret_wo_version = 1
    scopes                   = ["read:jira-user", "offline_access"]
    site                     = "example.atlassian.net"
    wait_for_authorization   = true
  }

  timeouts {
    create = "30m"
    update = "30m"
  }
}

output "consent_url" {
  value = oomnitza_jira_credential.users_oauth.oauth.authorization_url
}
