# Import an existing credential by its Oomnitza id. With
# `terraform plan -generate-config-out=generated.tf` Terraform also writes its
# resource block.
import {
  to = oomnitza_jira_credential.users
  id = "3f6c2a0e-6a53-4a0e-9d59-2f2b8f0a6c11"
}

# Terraform 1.12+ can name it by its identity instead:
# import {
#   to       = oomnitza_jira_credential.users
#   identity = { id = "3f6c2a0e-6a53-4a0e-9d59-2f2b8f0a6c11" }
# }
