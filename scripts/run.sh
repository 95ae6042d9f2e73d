#!/usr/bin/env bash
# Installs what is missing, builds a release and starts `gatewatch serve`.
# Arguments go to `gatewatch serve` (see `gatewatch serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/release/src/gatewatch serve "$@"
