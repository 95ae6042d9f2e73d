#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, black-box,
# the dashboard's Vitest and end-to-end runs) twice: on the release build,
# and on the ASan + UBSan build, so that memory errors and undefined
# behaviour fail the run; then each fuzz target briefly.
#   GATEWATCH_TEST_PRESETS   presets to test (default "release sanitize")
#   GATEWATCH_FUZZ_SECONDS   seconds per fuzz target (default 15; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
for preset in ${GATEWATCH_TEST_PRESETS:-release sanitize}; do
  echo "== $preset"
  scripts/build.sh "$preset"
  ctest --preset "$preset" -j "$(nproc)"
done
fuzz_seconds=${GATEWATCH_FUZZ_SECONDS:-15}
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== fuzz (${fuzz_seconds}s a target)"
  scripts/fuzz.sh "$fuzz_seconds"
fi
