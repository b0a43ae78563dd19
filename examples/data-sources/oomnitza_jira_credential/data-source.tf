data "oomnitza_jira_credential" "users" {
  name = "Jira user load"
}

output "jira_account" {
  value = data.oomnitza_jira_credential.users.basic.email
}
