#!/usr/bin/env bash
# A smoke test of the provider against a real Oomnitza instance: the first
# thing to run when pointing it at one, since the routes marked "modelled"
# in docs/oomnitza-api.md are our model of what Oomnitza does not publish.
#
#   OOMNITZA_URL=https://example.oomnitza.com OOMNITZA_API_TOKEN=... \
#     bash scripts/smoke-real.sh --i-understand-this-writes
#
# It writes to the instance: it creates one Basic Auth Jira credential named
# tf-smoke-<random> (its API token random and never printed), checks that the
# next plan is empty, renames it, imports it into a second state, reads it
# with the data source, and destroys it. Then it prints a report: each step,
# the HTTP routes the provider used and what Oomnitza answered.
#
# It always cleans up, on failure and on Ctrl-C too, and deletes nothing it
# did not create: only what its own first state holds is destroyed.
#
# Environment: OOMNITZA_URL and OOMNITZA_API_TOKEN (required);
# OOMNITZA_CA_CERT_FILE when the instance has a private CA; SMOKE_EMAIL (the
# credential's Atlassian email, default tf-smoke@example.com); TERRAFORM
# (default: terraform on PATH); PROFILE (debug|release, default debug);
# OOMNITZA_PROVIDER_DIR (a directory holding a built provider: no build).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

usage() {
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
}

writes=no
for arg in "$@"; do
  case "$arg" in
    --i-understand-this-writes) writes=yes ;;
    -h|--help) usage; exit 0 ;;
    *) echo "smoke-real: unknown argument $arg" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "${OOMNITZA_URL:-}" ] || [ -z "${OOMNITZA_API_TOKEN:-}" ]; then
  echo "smoke-real: set OOMNITZA_URL and OOMNITZA_API_TOKEN to the instance to test; nothing was done." >&2
  exit 2
fi
if [ "$writes" != yes ]; then
  echo "smoke-real: this creates, changes and deletes a credential in $OOMNITZA_URL." >&2
  echo "Run it again with --i-understand-this-writes to go ahead; nothing was done." >&2
  exit 2
fi

tf="${TERRAFORM:-terraform}"
profile="${PROFILE:-debug}"
email="${SMOKE_EMAIL:-tf-smoke@example.com}"
command -v "$tf" >/dev/null || { echo "smoke-real: $tf not found; set TERRAFORM" >&2; exit 2; }

if [ -n "${OOMNITZA_PROVIDER_DIR:-}" ]; then
  bin_dir=$OOMNITZA_PROVIDER_DIR
else
  echo "Building the provider ($profile)..."
  if [ "$profile" = release ]; then "${CARGO:-cargo}" build --release --quiet --bin terraform-provider-oomnitza
  else "${CARGO:-cargo}" build --quiet --bin terraform-provider-oomnitza; fi
  bin_dir="${CARGO_TARGET_DIR:-$repo/target}/$profile"
fi
[ -x "$bin_dir/terraform-provider-oomnitza" ] || { echo "smoke-real: no provider binary in $bin_dir" >&2; exit 2; }

work=$(mktemp -d)
first="$work/first" second="$work/second" lookup="$work/lookup"
mkdir -p "$first" "$second" "$lookup"
cat > "$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "oomnitza/oomnitza" = "$bin_dir"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 TF_INPUT=0
# The API token the credential holds: random, in the environment only.
TF_VAR_jira_token="smoke-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export TF_VAR_jira_token
name="tf-smoke-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"

report="$work/report"
: > "$report"
step_no=0
current=""
destroyed=no

# Runs one terraform command as step $1 in directory $2, keeping the
# provider's log of the HTTP routes it used and what answered.
step() {
  local title=$1 dir=$2
  shift 2
  step_no=$((step_no + 1))
  current=$title
  local log="$work/step-$step_no.log"
  echo "[$step_no] $title"
  local rc=0
  (cd "$dir" && TF_LOG_PROVIDER=debug TF_LOG_PATH="$log" "$tf" "$@" -no-color > "$work/step-$step_no.out" 2>&1) || rc=$?
  {
    printf '%s. %s (terraform %s): exit %s\n' "$step_no" "$title" "$1" "$rc"
    routes "$log"
  } >> "$report"
  return "$rc"
}

# `METHOD /route -> status` for each answer in a provider log, counted.
routes() {
  [ -f "$1" ] || return 0
  awk '/oomnitza answered/ {
      m = r = s = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^method=/) m = substr($i, 8)
        if ($i ~ /^route=/) r = substr($i, 7)
        if ($i ~ /^status=/) s = substr($i, 8)
      }
      n[m " " r " -> " s]++
    }
    END { for (k in n) printf "     %s  (x%d)\n", k, n[k] }' "$1" | sort
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$destroyed" = no ] && [ -f "$first/terraform.tfstate" ] && grep -q '"oomnitza_jira_credential"' "$first/terraform.tfstate"; then
    echo "Cleaning up: destroying what this run created ($name)..."
    if ! (cd "$first" && "$tf" destroy -auto-approve -no-color > "$work/cleanup.out" 2>&1); then
      echo "smoke-real: CLEAN-UP FAILED; $name may be left in $OOMNITZA_URL. Terraform said:" >&2
      tail -n 20 "$work/cleanup.out" >&2
      rc=1
    fi
  fi
  echo
  echo "Report for $OOMNITZA_URL (credential $name):"
  cat "$report"
  if [ "$rc" -eq 0 ]; then
    echo "smoke-real: all steps passed."
  else
    echo "smoke-real: FAILED at step \"$current\". Its output:" >&2
    tail -n 30 "$work/step-$step_no.out" >&2 2>/dev/null || true
  fi
  [ -n "${SMOKE_KEEP:-}" ] || rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

header() {
  cat <<EOF
terraform {
  required_providers {
    oomnitza = { source = "oomnitza/oomnitza" }
  }
}
EOF
}

resource() { # name
  header
  cat <<EOF
variable "jira_token" {
  type      = string
  sensitive = true
}
resource "oomnitza_jira_credential" "smoke" {
  name        = "$1"
  description = "Made by scripts/smoke-real.sh of terraform-provider-oomnitza; safe to delete."
  basic {
    email     = "$email"
    api_token = var.jira_token
  }
}
output "id" {
  value = oomnitza_jira_credential.smoke.id
}
EOF
}

resource "$name" > "$first/main.tf"
step "create $name" "$first" apply -auto-approve
id=$(cd "$first" && "$tf" output -raw id)

step "a second plan is empty" "$first" plan -detailed-exitcode

resource "$name-renamed" > "$first/main.tf"
step "rename it to $name-renamed" "$first" apply -auto-approve

{ resource "$name-renamed"; printf 'import {\n  to = oomnitza_jira_credential.smoke\n  id = "%s"\n}\n' "$id"; } > "$second/main.tf"
step "import it into a second state" "$second" apply -auto-approve
# The second state lets go of it without deleting it: the first destroys it.
(cd "$second" && "$tf" state rm -no-color oomnitza_jira_credential.smoke > /dev/null)

{ header; cat <<EOF
data "oomnitza_jira_credential" "smoke" {
  id = "$id"
}
output "name" {
  value = data.oomnitza_jira_credential.smoke.name
}
EOF
} > "$lookup/main.tf"
step "read it with the data source" "$lookup" apply -auto-approve
read_name=$(cd "$lookup" && "$tf" output -raw name)
if [ "$read_name" != "$name-renamed" ]; then
  echo "the data source read the name $read_name, not $name-renamed" >> "$report"
  false
fi

step "destroy it" "$first" destroy -auto-approve
destroyed=yes
rm -f "$lookup/terraform.tfstate"
if step "the data source no longer finds it (an error is expected)" "$lookup" plan; then
  echo "the data source still finds $id after the destroy" >> "$report"
  false
fi
grep -q "no Jira credential with id" "$work/step-$step_no.out" || { echo "the data source did not say it is gone" >> "$report"; false; }
