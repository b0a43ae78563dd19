# The quickstart: one Jira credential for Oomnitza's user load, with Basic Auth.
# scripts/quickstart.sh runs it against the local simulator; against a real
# instance, set OOMNITZA_URL and OOMNITZA_API_TOKEN and run terraform yourself.
terraform {
  required_providers {
    oomnitza = {
      source = "oomnitza/oomnitza"
    }
  }
}

# url and api_token come from OOMNITZA_URL and OOMNITZA_API_TOKEN.
provider "oomnitza" {}

variable "jira_api_token" {
  description = "A Jira API token of the Atlassian account below."
  type        = string
  sensitive   = true
}

resource "oomnitza_jira_credential" "users" {
  name        = "Jira user load"
  description = "Reads Jira users nightly"

  basic {
    email     = "svc-jira@example.com"
    api_token = var.jira_api_token
  }
}

output "credential_id" {
  value = oomnitza_jira_credential.users.id
}
