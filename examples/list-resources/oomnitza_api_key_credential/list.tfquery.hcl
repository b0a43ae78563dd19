# terraform query (Terraform 1.14+) lists the API key credentials in Oomnitza,
# managed by Terraform or not.
list "oomnitza_api_key_credential" "okta" {
  provider = oomnitza

  config {
    saas        = "okta"
    name_prefix = "Okta"
  }
}
