#!/usr/bin/env bash
# The whole test suite: unit, property, transport, client and acceptance
# tests (real Terraform 1.11.4 and 1.15.5 against the real simulator), the
# quickstart, then clippy and rustfmt checks. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-engines.sh
cargo build --workspace --all-targets
cargo test --workspace -- --test-threads="${TEST_THREADS:-4}"
cargo clippy --workspace --all-targets -- -D warnings
cargo fmt --all -- --check
