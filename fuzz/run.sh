#!/usr/bin/env bash
# Fuzz backsim for a bounded time (not part of the default test run).
#
#   fuzz/run.sh [SECONDS]        # default 120
#
# With cargo-fuzz and a nightly toolchain, runs the libFuzzer targets in fuzz/fuzz_targets
# (half the time each); otherwise (or with FUZZ_ENGINE=stable) the stable-toolchain driver
# examples/fuzz_stable.rs, which feeds random and mutated inputs to the same bodies
# (fuzz/common.rs). Findings: fuzz/artifacts/. Exit status is non-zero on a finding.
set -euo pipefail
secs="${1:-120}"
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

engine="${FUZZ_ENGINE:-auto}"
if [[ "$engine" == auto ]]; then
  if cargo fuzz --version >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    engine=libfuzzer
  else
    engine=stable
  fi
fi

case "$engine" in
  libfuzzer)
    half=$(( secs / 2 ))
    for target in scenario_bytes params; do
      mkdir -p "fuzz/corpus/$target"
      if [[ "$target" == scenario_bytes ]]; then
        cp -n scenarios/*.toml tests/data/bad/*.toml "fuzz/corpus/$target/" 2>/dev/null || true
      fi
      echo "== cargo +nightly fuzz run $target for ${half}s"
      cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$half" -timeout=10 -rss_limit_mb=2048 -max_len=65536
    done
    ;;
  stable)
    echo "== stable driver for ${secs}s (cargo-fuzz or nightly unavailable, or FUZZ_ENGINE=stable)"
    cargo run --profile "${FUZZ_PROFILE:-release}" --example fuzz_stable -- --seconds "$secs" --seed "${FUZZ_SEED:-$RANDOM}"
    ;;
  *)
    echo "FUZZ_ENGINE must be auto, libfuzzer or stable" >&2
    exit 2
    ;;
esac
