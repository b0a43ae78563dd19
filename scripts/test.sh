#!/usr/bin/env bash
# The whole test suite: unit, property, transport, client and acceptance
# tests (real Terraform 1.11.4 and 1.15.5 against the real simulator), the
# quickstart, the benchmark harness at small N, then clippy and rustfmt checks. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
bash scripts/setup-engines.sh
cargo build --workspace --all-targets
log=$(mktemp)
stages=""
stage_start=0
# Ends a stage: its name and wall time, for the table printed at the end.
stage() {
  stages+=$(printf '%-28s %5ds' "$1" $((SECONDS - stage_start)))$'\n'
  stage_start=$SECONDS
}
# One closing line for the whole run, printed on failure too (the exit
# status stays the one that ended the script). A test binary that crashed
# (no "test result" line of its own) counts as a failure.
closing() {
  local rc=$?
  printf '\nstage times:\n%s' "$stages"
  awk '
    /^test result:/ { p += $4; f += $6; if ($3 == "FAILED.") reported++ }
    /^error: test failed, to rerun/ { targets = 1 }
    /^error: [0-9]+ targets failed:/ { targets = $2 }
    END {
      crashed = targets - reported; if (crashed < 0) crashed = 0
      printf "tests: %d passed, %d failed\n", p, f + crashed
    }' "$log"
  rm -f "$log"
  exit "$rc"
}
trap closing EXIT
stage "engines and build"
# As many test threads as cores: the acceptance tests each run Terraform,
# the provider and the simulator, and more threads than cores makes the
# timing-sensitive ones (waits, kills) flaky on a busy machine. Every
# binary runs (--no-fail-fast), so the count is the whole suite's.
cargo test --workspace --no-fail-fast --lib --bins --tests -- --test-threads="${TEST_THREADS:-$(nproc)}" 2>&1 | tee "$log"
stage "cargo test"
# The benchmark harness at small N: proves it works (figures: BENCHMARKS.md).
bash bench/run.sh --quick > target/bench-quick.log 2>&1 || { cat target/bench-quick.log; exit 1; }
echo "bench/run.sh --quick: ok (target/BENCHMARKS.quick.md)"
stage "bench --quick"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
stage "cargo doc"
cargo clippy --workspace --all-targets -- -D warnings
cargo fmt --all -- --check
stage "clippy and rustfmt"
