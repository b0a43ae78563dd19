variable "okta_api_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

# An Okta API token for Oomnitza's Okta integration. Oomnitza sends
# "Authorization: <token>" as given, so a scheme such as "SSWS " goes into
# the token's value.
resource "oomnitza_api_key_credential" "okta" {
  name        = "Okta user load"
  saas        = "okta"
  description = "Managed by Terraform"
  token_name  = "Authorization"
  add_to      = "header"

  # Write-only (Terraform 1.11+): never stored in state or plan. Raise the
  # version to send a new value.
  token_wo         = var.okta_api_token
  token_wo_version = 1

  expiration_date = "2027-06-30"
}
