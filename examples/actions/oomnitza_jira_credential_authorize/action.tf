variable "credential_id" {
  description = "The id of an OAuth Jira credential."
  type        = string
  default     = "66f2a8c41b7e4d0012ab34cd"
}

# Terraform 1.14+: restart consent for an OAuth credential and wait for it.
#   terraform apply -invoke=action.oomnitza_jira_credential_authorize.users
action "oomnitza_jira_credential_authorize" "users" {
  config {
    credential_id = var.credential_id
    wait          = "15m"
  }
}
