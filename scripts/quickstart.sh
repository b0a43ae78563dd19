#!/usr/bin/env bash
# The quickstart: builds the provider and the simulator, starts the simulator
# on a free loopback port, and walks a real Terraform through
# init / apply / OAuth consent / plan / drift / apply / destroy of
# examples/quickstart.
# Exits non-zero as soon as a step does not do what it should.
#
#   bash scripts/quickstart.sh
#
# Environment: TERRAFORM (default: terraform on PATH), PROFILE (release|debug,
# default release).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
profile="${PROFILE:-release}"
tf="${TERRAFORM:-terraform}"
version=$(sed -n '0,/^version = "\(.*\)"/s//\1/p' Cargo.toml)

say()  { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31mquickstart failed: %s\033[0m\n' "$*" >&2; exit 1; }

say "Building the provider and the simulator ($profile)"
if [ "$profile" = release ]; then cargo build --release --workspace --quiet; else cargo build --workspace --quiet; fi
bin="${CARGO_TARGET_DIR:-$repo/target}/$profile"

work=$(mktemp -d)
sim_pid=""
cleanup() {
  local rc=$?
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Starting the Oomnitza simulator on loopback"
token="quickstart-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
client_secret="quickstart-app-secret-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$bin/oomnitza-sim" --listen 127.0.0.1:0 --token "$token" --quiet \
  --atlassian-app "quickstart-app=$client_secret" > "$work/sim.out" &
sim_pid=$!
for _ in $(seq 50); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/sim.out")
[ -n "$url" ] || fail "the simulator did not start"
echo "Simulator: $url"
echo "Working directory: $work (removed at the end)"

# A filesystem mirror holding this build, so terraform init works offline.
mirror="$work/mirror/registry.terraform.io/oomnitza/oomnitza/$version/linux_amd64"
mkdir -p "$mirror"
cp "$bin/terraform-provider-oomnitza" "$mirror/terraform-provider-oomnitza_v$version"
cat > "$work/cli.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/oomnitza/oomnitza"]
  }
}
RC
mkdir "$work/tf"
cp examples/quickstart/main.tf "$work/tf/"
cd "$work/tf"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export OOMNITZA_URL="$url" OOMNITZA_API_TOKEN="$token" TF_VAR_jira_api_token="jira-token-quickstart"
export TF_VAR_atlassian_client_id="quickstart-app" TF_VAR_atlassian_client_secret="$client_secret"

sim() { curl -sf -H "Authorization2: $token" -H 'content-type: application/json' "$@"; }

say "terraform init: installs the provider from the local mirror"
"$tf" init -input=false -no-color >/dev/null || fail "terraform init"
tf_version=$("$tf" version); echo "${tf_version%%$'\n'*}"

say "terraform apply: creates both Jira credentials; the OAuth one ends with a consent warning"
"$tf" apply -auto-approve -input=false -no-color || fail "terraform apply"
id=$("$tf" output -raw credential_id)
consent_url=$("$tf" output -raw consent_url)
[ "$("$tf" output -raw oauth_status)" = pending_authorization ] || fail "the OAuth credential should wait for consent"

say "An Oomnitza admin opens the consent URL, picks example.atlassian.net and clicks Accept"
echo "$consent_url"
curl -sf "$consent_url" | grep -q 'Accept' || fail "the consent page did not show"
# The form carries the URL's parameters; the person adds the site and the click.
curl -sf -X POST "$url/_atlassian/authorize" --data "${consent_url#*\?}&site=example.atlassian.net&decision=accept" \
  | sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' | grep -q 'Consent complete' || fail "consent did not complete"
echo "Consent complete."

say "terraform apply -refresh-only: the OAuth credential is now authorized"
"$tf" apply -refresh-only -auto-approve -input=false -no-color >/dev/null || fail "terraform apply -refresh-only"
status=$("$tf" output -raw oauth_status)
echo "oauth.status = $status"
[ "$status" = authorized ] || fail "expected the OAuth credential to be authorized, got $status"

say "terraform plan: nothing changed, so the plan is empty (exit code 0)"
set +e; "$tf" plan -detailed-exitcode -input=false -no-color; code=$?; set -e
[ "$code" = 0 ] || fail "expected an empty plan, got exit code $code"

say "Someone renames the credential and rotates its secret in the Oomnitza UI"
sim -X PATCH -d '{"name":"Jira user load (edited by hand)"}' "$url/_sim/credentials/$id" >/dev/null || fail "out-of-band edit"
sim -X POST "$url/_sim/credentials/$id/rotate" >/dev/null || fail "out-of-band rotation"

say "terraform plan: shows the drift, explained in one warning: the name back and the secret re-sent (exit code 2)"
set +e; "$tf" plan -detailed-exitcode -input=false -no-color > "$work/drift-plan.txt" 2>&1; code=$?; set -e
cat "$work/drift-plan.txt"
[ "$code" = 2 ] || fail "expected the plan to show the drift (exit code 2), got $code"
warnings=$(grep -c 'was changed outside Terraform' "$work/drift-plan.txt" || true)
[ "$warnings" = 1 ] || fail "expected one drift warning in words, got $warnings"
words=$(tr -s ' \n' ' ' < "$work/drift-plan.txt")
for part in 'by jane.admin@example.com' 'renames it back to "Jira user load"' 'its secret was replaced in Oomnitza (version 1 -> 2)' 'sends the API token from your configuration again'; do
  [[ "$words" == *"$part"* ]] || fail "the drift warning does not say: $part"
done

say "terraform apply: converges Oomnitza back to the configuration"
"$tf" apply -auto-approve -input=false -no-color || fail "terraform apply (converge)"
set +e; "$tf" plan -detailed-exitcode -input=false -no-color >/dev/null; code=$?; set -e
[ "$code" = 0 ] || fail "expected an empty plan after converging, got $code"
echo "Plan after converging: empty."

say "terraform destroy: removes both credentials"
"$tf" destroy -auto-approve -input=false -no-color || fail "terraform destroy"
left=$(sim "$url/_sim/credentials")
[ "$left" = "[]" ] || fail "credentials left on the simulator: $left"
echo "The simulator holds no credentials."

say "Quickstart complete: apply, consent, empty plan, drift shown, converged, destroyed."
