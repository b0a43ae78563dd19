#!/usr/bin/env bash
# Fails when Oomnitza holds a Jira credential that this Terraform
# configuration does not manage. Run it in the configuration's directory,
# beside a .tfquery.hcl file with a list "oomnitza_jira_credential" block
# (Terraform 1.14+), with OOMNITZA_URL and OOMNITZA_API_TOKEN set.
set -euo pipefail
terraform init -input=false >/dev/null
found=$(terraform query -no-color | awk '/^list\./ { sub("id=", "", $2); print $2 }' | sort)
managed=$(terraform state list | { grep '^oomnitza_jira_credential\.' || true; } \
  | xargs -r -n1 terraform state show -no-color | awk '$1 == "id" { gsub("\"", "", $3); print $3 }' | sort)
unmanaged=$(comm -23 <(echo "$found") <(echo "$managed"))
if [ -n "$unmanaged" ]; then
  echo "Jira credentials in Oomnitza that Terraform does not manage:"
  echo "$unmanaged"
  echo "Bring them in with: terraform query -generate-config-out=generated.tf"
  exit 1
fi
echo "Every Jira credential in Oomnitza is managed by Terraform."
