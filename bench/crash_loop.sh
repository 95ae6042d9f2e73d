#!/usr/bin/env bash
# Crash-loop benchmark (issue 5): the black-box crash test with 50 SIGKILLs
# (CI runs 3): concurrent writers, a kill at a random moment, a restart, and
# every acknowledged write checked, with PRAGMA integrity_check each cycle.
# Usage: bench/crash_loop.sh [cycles]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/release/src/gatewatch ] || scripts/build.sh release >/dev/null
cd tests/blackbox
GATEWATCH_CRASH_CYCLES=${1:-50} GATEWATCH_BIN=../../build/release/src/gatewatch PYTHONDONTWRITEBYTECODE=1 \
  ./in_netns.sh /usr/bin/python3 -m unittest test_crash
