#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit and black-box)
# twice: on the release build, and on the ASan + UBSan build, so that memory
# errors and undefined behaviour fail the run. GATEWATCH_TEST_PRESETS picks
# others (e.g. "release" for a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
for preset in ${GATEWATCH_TEST_PRESETS:-release sanitize}; do
  echo "== $preset"
  scripts/build.sh "$preset"
  ctest --preset "$preset" -j "$(nproc)"
done
