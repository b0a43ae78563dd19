variable "servicenow_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The ServiceNow user Oomnitza's ServiceNow integration signs in as.
resource "oomnitza_basic_credential" "servicenow" {
  name        = "ServiceNow CMDB sync"
  saas        = "servicenow"
  description = "Managed by Terraform"
  username    = "svc-oomnitza"

  # Write-only (Terraform 1.11+): never stored in state or plan. Raise the
  # version to send a new value.
  password_wo         = var.servicenow_password
  password_wo_version = 1

  expiration_date = "2027-06-30"
}
