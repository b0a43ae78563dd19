data "oomnitza_api_key_credential" "okta" {
  name = "Okta user load"
}

output "okta_key_header" {
  value = data.oomnitza_api_key_credential.okta.token_name
}
