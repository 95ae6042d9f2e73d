#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang 14, ASan + UBSan) and runs
# each for SECONDS (default 60), starting from the seeds in fuzz/corpus/<target>
# and keeping what it learns in build/fuzz/corpus/<target>. Prints each
# target's executions; a crash stops the script with the failing input saved
# in build/fuzz/artifacts/ (reproduce: build/fuzz/fuzz/<target> <file>).
# Usage: scripts/fuzz.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_http_request fuzz_token fuzz_ip fuzz_icmp_reply fuzz_websocket fuzz_history_series fuzz_csv fuzz_config_document)

scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build/fuzz/artifacts
for target in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$target
  mkdir -p "$corpus"
  log=build/fuzz/$target.log
  # -rss_limit_mb: argon2id takes 19 MiB a hash; ASan's shadow adds more.
  if ! build/fuzz/fuzz/"$target" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 \
       -timeout=30 -artifact_prefix=build/fuzz/artifacts/"$target"- "$corpus" fuzz/corpus/"$target" >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz: $target FAILED; the input is in build/fuzz/artifacts/" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz: $target: $execs executions in ${seconds}s ($rate/s), corpus $(ls "$corpus" | wc -l) inputs, no crash"
done
