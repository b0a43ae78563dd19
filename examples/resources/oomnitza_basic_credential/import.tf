# Import an existing Basic Auth credential by its Oomnitza id.
import {
  to = oomnitza_basic_credential.servicenow
  id = "66f2a8c41b7e4d0012ab34ce"
}

# Terraform 1.12+ can name it by its identity instead:
# import {
#   to       = oomnitza_basic_credential.servicenow
#   identity = { id = "66f2a8c41b7e4d0012ab34ce" }
# }
