#!/usr/bin/env bash
# Builds the release artefacts the Terraform registry and `terraform init`
# expect, into dist/:
#
#   terraform-provider-oomnitza_VERSION_linux_amd64.zip   (the binary, named
#                                                           terraform-provider-oomnitza_vVERSION)
#   terraform-provider-oomnitza_VERSION_linux_arm64.zip   (when the aarch64 Rust target
#                                                           and Debian's cross linker are installed)
#   terraform-provider-oomnitza_VERSION_manifest.json     (plugin protocol 6.0)
#   terraform-provider-oomnitza_VERSION_SHA256SUMS
#   terraform-provider-oomnitza_VERSION_SHA256SUMS.sig    (with a signing key: the registry requires it)
#
#   bash scripts/release.sh VERSION [--gpg-key KEY_ID] [--out DIR] [--binary PATH]
#
# --out puts the artefacts in DIR instead of dist/ (the tests use a
# temporary directory, so that a test never rewrites the repository's dist/).
# --binary packages a linux_amd64 build made elsewhere instead of building
# one (a CI job's build, or the tests' own); it must say VERSION in its
# --version, so that an archive never holds another version than its name.
# The signing key may also come from GPG_KEY_ID; GNUPGHOME is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: bash scripts/release.sh VERSION [--gpg-key KEY_ID] [--out DIR] [--binary PATH]" >&2; exit 2; }
[ $# -ge 1 ] || usage
version=$1; shift
key="${GPG_KEY_ID:-}"
dist=dist
prebuilt=""
while [ $# -gt 0 ]; do
  case "$1" in
    --gpg-key) [ $# -ge 2 ] || usage; key=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; dist=$2; shift 2 ;;
    --binary) [ $# -ge 2 ] || usage; prebuilt=$2; shift 2 ;;
    *) usage ;;
  esac
done
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: $version is not a version such as 1.2.3 or 1.2.3-rc.1 (no leading v)" >&2
  exit 2
fi

name=terraform-provider-oomnitza
rm -rf "$dist"
mkdir -p "$dist"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

# One platform: build, name the binary as Terraform wants, zip it alone.
package() {
  local os_arch=$1 triple=$2 bin
  if [ -n "$prebuilt" ]; then
    echo "release: packaging $prebuilt as $version for $os_arch"
    local says
    says=$("$prebuilt" --version 2>&1 || true)
    if ! [[ "$says" =~ (^|[[:space:]])"$version"([[:space:]]|$) ]]; then
      echo "release: $prebuilt says '${says%%$'\n'*}', not version $version (build it with OOMNITZA_PROVIDER_VERSION=$version)" >&2
      exit 2
    fi
    bin=$prebuilt
  elif [ -n "$triple" ]; then
    echo "release: building $version for $os_arch"
    OOMNITZA_PROVIDER_VERSION="$version" cargo build --release --quiet --bin "$name" --target "$triple"
    bin="$target_dir/$triple/release/$name"
  else
    echo "release: building $version for $os_arch"
    OOMNITZA_PROVIDER_VERSION="$version" cargo build --release --quiet --bin "$name"
    bin="$target_dir/release/$name"
  fi
  local stage
  stage=$(mktemp -d)
  cp "$bin" "$stage/${name}_v$version"
  chmod 755 "$stage/${name}_v$version"
  # -X: no extra file attributes, so the zip depends on the binary alone.
  (cd "$stage" && zip -q -X "${name}_v$version.zip" "${name}_v$version")
  mv "$stage/${name}_v$version.zip" "$dist/${name}_${version}_${os_arch}.zip"
  rm -rf "$stage"
}

package linux_amd64 ""
if [ -n "$prebuilt" ]; then
  echo "release: --binary: linux_amd64 only"
elif rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu \
  && command -v aarch64-linux-gnu-gcc >/dev/null; then
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc package linux_arm64 aarch64-unknown-linux-gnu
else
  echo "release: skipping linux_arm64 (needs 'rustup target add aarch64-unknown-linux-gnu' and Debian's gcc-aarch64-linux-gnu)"
fi

printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["6.0"]\n  }\n}\n' > "$dist/${name}_${version}_manifest.json"
(cd "$dist" && sha256sum -- *.zip "${name}_${version}_manifest.json" > "${name}_${version}_SHA256SUMS")

if [ -n "$key" ]; then
  gpg --batch --yes --local-user "$key" --output "$dist/${name}_${version}_SHA256SUMS.sig" \
    --detach-sign "$dist/${name}_${version}_SHA256SUMS"
  echo "release: signed the sums with $key"
else
  echo "release: no signing key given (--gpg-key or GPG_KEY_ID): the registry needs ${name}_${version}_SHA256SUMS.sig"
fi
ls -1 "$dist"
