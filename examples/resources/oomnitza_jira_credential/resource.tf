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
