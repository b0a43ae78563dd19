# terraform query (Terraform 1.14+) lists the Jira credentials in Oomnitza,
# managed by Terraform or not.
list "oomnitza_jira_credential" "oauth" {
  provider = oomnitza
  limit    = 500

  config {
    name_prefix = "Jira"
    auth_type   = "oauth"
  }
}
