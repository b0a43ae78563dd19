data "oomnitza_basic_credential" "servicenow" {
  name = "ServiceNow CMDB sync"
}

output "servicenow_user" {
  value = data.oomnitza_basic_credential.servicenow.username
}
