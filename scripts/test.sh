#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit and black-box).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
ctest --preset release -j "$(nproc)"
