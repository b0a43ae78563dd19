# Import an existing credential by its Oomnitza id. With
# `terraform plan -generate-config-out=generated.tf` Terraform also writes its
# resource block.
import {
  to = oomnitza_jira_credential.users
  id = "66f2a8c41b7e4d0012ab34cd"
}

# Terraform 1.12+ can name it by its identity instead:
# import {
#   to       = oomnitza_jira_credential.users
#   identity = { id = "66f2a8c41b7e4d0012ab34cd" }
# }
