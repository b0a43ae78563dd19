#!/usr/bin/env bash
# The whole test suite: unit, property, transport, client and acceptance
# tests (real Terraform 1.11.4 and 1.15.5 against the real simulator), the
# quickstart, the benchmark harness at small N, then clippy and rustfmt checks. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-engines.sh
cargo build --workspace --all-targets
log=$(mktemp)
# One closing line for the whole run, printed on failure too (the exit
# status stays the one that ended the script).
closing() {
  local rc=$?
  awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
  rm -f "$log"
  exit "$rc"
}
trap closing EXIT
# As many test threads as cores: the acceptance tests each run Terraform,
# the provider and the simulator, and more threads than cores makes the
# timing-sensitive ones (waits, kills) flaky on a busy machine.
cargo test --workspace --lib --bins --tests -- --test-threads="${TEST_THREADS:-$(nproc)}" 2>&1 | tee "$log"
# The benchmark harness at small N: proves it works (figures: BENCHMARKS.md).
bash bench/run.sh --quick > target/bench-quick.log 2>&1 || { cat target/bench-quick.log; exit 1; }
echo "bench/run.sh --quick: ok (target/BENCHMARKS.quick.md)"
cargo clippy --workspace --all-targets -- -D warnings
cargo fmt --all -- --check

