#!/usr/bin/env bash
# The whole test suite: unit, property, transport, client and acceptance
# tests (real Terraform 1.11.4 and 1.15.5 against the real simulator), the
# quickstart, the benchmark harness at small N, the docs, then clippy and
# rustfmt checks. `.ci/run` calls exactly this. Prints the time of each
# stage and the slowest tests at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
log=$(mktemp)
junit="${CARGO_TARGET_DIR:-target}/nextest/default/junit.xml"
rm -f "$junit"
stages=""
stage_start=0
# Ends a stage: its name and wall time, for the table printed at the end.
stage() {
  stages+=$(printf '%-28s %5ds' "$1" $((SECONDS - stage_start)))$'\n'
  stage_start=$SECONDS
}
# The closing lines, printed on failure too (the exit status stays the one
# that ended the script): the stage times, the slowest tests, and one count
# for the whole suite from nextest's summary. A run that stopped before its
# summary (a build or a test listing that failed) counts as a failure.
closing() {
  local rc=$?
  printf '\nstage times:\n%s' "$stages"
  printf '%-28s %5ds\n' "total" "$SECONDS"
  if [ -f "$junit" ]; then
    printf '\nslowest tests:\n'
    python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = [(float(c.get("time", 0)), f'{c.get("classname")} {c.get("name")}') for c in ET.parse(sys.argv[1]).iter("testcase")]
for t, name in sorted(cases, reverse=True)[:15]:
    print(f"{t:7.1f}s  {name}")
PY
  fi
  awk -v rc="$rc" '
    / tests run: / {
      seen = 1
      if (match($0, /[0-9]+ passed/)) p = substr($0, RSTART, RLENGTH) + 0
      f = 0
      if (match($0, /[0-9]+ failed/)) f += substr($0, RSTART, RLENGTH) + 0
      if (match($0, /[0-9]+ timed out/)) f += substr($0, RSTART, RLENGTH) + 0
    }
    END {
      if (!seen && rc != 0) f = 1
      printf "tests: %d passed, %d failed\n", p, f
    }' "$log"
  rm -f "$log"
  exit "$rc"
}
trap closing EXIT

# The engines' install (pip, mostly waiting on the registry) runs beside the
# build (cargo, on every core).
engines_log=$(mktemp)
bash scripts/setup-engines.sh > "$engines_log" 2>&1 &
engines=$!
cargo build --workspace --all-targets
if ! wait "$engines"; then
  cat "$engines_log"
  echo "scripts/setup-engines.sh failed" >&2
  exit 1
fi
cat "$engines_log"
rm -f "$engines_log"
stage "engines and build"
# cargo-nextest (on the machine image; .ci/run installs it where missing):
# settings in .config/nextest.toml.
cargo nextest run --workspace --lib --bins --tests -j "${TEST_THREADS:-$(nproc)}" 2>&1 | tee "$log"
stage "tests (nextest)"
# The benchmark harness at small N: proves it works (figures: BENCHMARKS.md).
bash bench/run.sh --quick > target/bench-quick.log 2>&1 || { cat target/bench-quick.log; exit 1; }
echo "bench/run.sh --quick: ok (target/BENCHMARKS.quick.md)"
stage "bench --quick"
cargo clippy --workspace --all-targets -- -D warnings
cargo fmt --all -- --check
stage "clippy and rustfmt"
# After clippy: the dependencies' checks are the same, so only the
# workspace's own crates are documented here.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
stage "cargo doc"
