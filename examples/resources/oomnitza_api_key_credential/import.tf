# Import an existing API key credential by its Oomnitza id.
import {
  to = oomnitza_api_key_credential.okta
  id = "66f2a8c41b7e4d0012ab34cd"
}

# Terraform 1.12+ can name it by its identity instead:
# import {
#   to       = oomnitza_api_key_credential.okta
#   identity = { id = "66f2a8c41b7e4d0012ab34cd" }
# }
