variable "credential_id" {
  description = "The id of an OAuth Jira credential."
  type        = string
  default     = "3f6c2a0e-6a53-4a0e-9d59-2f2b8f0a6c11"
}

# Terraform 1.14+: restart consent for an OAuth credential and wait for it.
#   terraform apply -invoke=action.oomnitza_jira_credential_authorize.users
action "oomnitza_jira_credential_authorize" "users" {
  config {
    credential_id = var.credential_id
    wait          = "15m"
  }
}
