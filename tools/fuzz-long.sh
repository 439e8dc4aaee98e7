#!/usr/bin/env bash
# Long randomized run of the engine property test (crates/engine/tests/fuzz.rs), release mode.
# Default: 200,000 flushed segments (well over 1M pushes), segments up to 1 s,
# a seed from the clock (printed, so a failure can be replayed with FUZZ_SEED=...).
#   tools/fuzz-long.sh                        # default long run
#   FUZZ_SEGMENTS=1000000 tools/fuzz-long.sh
#   FUZZ_SEED=123 tools/fuzz-long.sh          # replay a seed
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SEGMENTS="${FUZZ_SEGMENTS:-200000}"
export FUZZ_MAX_MS="${FUZZ_MAX_MS:-1000}"
export FUZZ_WORK="${FUZZ_WORK:-20000000}"
export FUZZ_SEED="${FUZZ_SEED:-$(date +%s)}"
echo "fuzz-long: FUZZ_SEGMENTS=$FUZZ_SEGMENTS FUZZ_MAX_MS=$FUZZ_MAX_MS FUZZ_WORK=$FUZZ_WORK FUZZ_SEED=$FUZZ_SEED"
exec cargo test --release -p rtc-resampler-engine --test fuzz -- --nocapture
