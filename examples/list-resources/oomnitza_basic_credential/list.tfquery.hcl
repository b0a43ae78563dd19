# terraform query (Terraform 1.14+) lists the Basic Auth credentials in
# Oomnitza for systems other than Jira, managed by Terraform or not.
list "oomnitza_basic_credential" "servicenow" {
  provider = oomnitza

  config {
    saas        = "servicenow"
    name_prefix = "ServiceNow"
  }
}
