#!/usr/bin/env bash
# The benchmark harness: rebuilds in release mode, measures the provider from
# outside as a user feels it (whole terraform commands, the provider
# process's own CPU and memory, exec to handshake), each figure beside its
# baseline from the same run, and writes BENCHMARKS.md.
#
#   bash bench/run.sh              # the full figures (N = 300 and 1000; ~15 minutes)
#   bash bench/run.sh --quick      # small N, on the debug build: proves the harness works (CI runs this)
#   bash bench/run.sh --profile    # also callgrind profiles of a no-change plan
#
# TERRAFORM picks the engine (default: terraform on PATH). --quick writes to
# target/BENCHMARKS.quick.md unless --out says otherwise, so that CI does not
# overwrite the committed figures.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
out=BENCHMARKS.md
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; args+=(--quick) ;;
    --profile) args+=(--profile) ;;
    --out) out=$2; shift ;;
    *) echo "usage: bash bench/run.sh [--quick] [--profile] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ] && [ "$out" = BENCHMARKS.md ]; then out=target/BENCHMARKS.quick.md; fi
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl; }
# The figures are of the shipped build (fat LTO). --quick proves only that
# the harness works, so it runs the debug build that the tests already made
# instead of spending minutes on a release build.
if [ "$quick" = 1 ]; then
  cargo build --quiet --workspace --bins
  args+=(--bin-dir "${CARGO_TARGET_DIR:-target}/debug")
else
  cargo build --release --quiet --workspace --bins
  args+=(--bin-dir "${CARGO_TARGET_DIR:-target}/release")
  # The same provider answering Validate, Read, Plan and Apply with no work:
  # the floor that the transport sets under the CPU share rows.
  cargo build --release --quiet --bin terraform-provider-oomnitza --features transport-floor --target-dir target/floor
  args+=(--floor-bin target/floor/release/terraform-provider-oomnitza)
fi
for a in "${args[@]}"; do
  if [ "$a" = --profile ]; then
    # The same code with symbols, for callgrind's function names.
    CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
      cargo build --release --quiet --bin terraform-provider-oomnitza --target-dir target/profiling
    args+=(--profile-bin target/profiling/release/terraform-provider-oomnitza)
  fi
done
python3 bench/bench.py --repo . --terraform "${TERRAFORM:-terraform}" --out "$out" "${args[@]}"
echo "bench: wrote $out"
