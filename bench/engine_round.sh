#!/usr/bin/env bash
# Engine round benchmark (issue 3): one full round over N = 1,000, 10,000 and
# 100,000 targets spread over 127.0.0.0/8, pacing off, inside a network
# namespace of its own (lo holds 127.0.0.0/8: every target answers, and no
# packet can leave). In the same run, fping on the same target list at its
# fastest setting that loses nothing; the ratio is of probes per second.
# And the floor: bench/icmp_floor.c, built here, sends the same echoes with
# sendmmsg from one thread while a second reads them with recvmmsg, nothing
# else, on the kind of socket gatewatch chose; gatewatch's whole round, and
# its probing time (from the first probe, while later pages of the device
# list still load), are printed as multiples of it.
# Usage: bench/engine_round.sh [N ...]   (root; GATEWATCH_ENGINE_ROUND=another build's engine_round to compare)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000 100000}")
[ -x build/release/bench/engine_round ] || scripts/build.sh release >/dev/null
command -v fping >/dev/null || scripts/install-deps.sh

source bench/netns.sh
bench_netns gwround
cc -O2 -pthread -o "$work/icmp_floor" bench/icmp_floor.c

for n in ${sizes[*]}; do
  echo "== N=$n"
  gatewatch=$(in_ns "${GATEWATCH_ENGINE_ROUND:-build/release/bench/engine_round}" "$n" 1 | grep '^gatewatch ')
  echo "   $gatewatch"
  method=$(sed -n 's/.*method=\([a-z]*\).*/\1/p' <<<"$gatewatch")
  probing=$(sed -n 's/.*probing \([0-9.]*\) s.*/\1/p' <<<"$gatewatch")
  floor=$(in_ns "$work/icmp_floor" "$n" "$method" || true)
  floor_s=$(sed -n 's/.*round_s=\([0-9.]*\).*/\1/p' <<<"$floor")
  echo "   $floor"
  if [ -n "$floor_s" ] && [ -n "$probing" ]; then
    round=$(sed -n 's/.*round_s=\([0-9.]*\).*/\1/p' <<<"$gatewatch")
    /usr/bin/python3 -c "print(f'   gatewatch probing / floor = {$probing / $floor_s:.2f}x, whole round (loading too) / floor = {$round / $floor_s:.2f}x')"
  else
    echo "   no floor to compare with (icmp_floor failed)"
  fi
  /usr/bin/python3 -c "
n=$n
for i in range(1, n + 1):
    print(f'127.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}')" > "$work/targets"
  # fping: its fastest interval that loses nothing (-i in ms between sends, 0 = flat out as root)
  for interval in 0 0.1 0.2 0.5 1 2 5 10; do
    TIMEFORMAT='%R %U %S'
    { time in_ns fping -q -c 1 -t 1000 -i "$interval" -f "$work/targets" 2>"$work/fping.err" ; } 2>"$work/fping.time" || true
    read -r real user sys < <(tail -1 "$work/fping.time")
    received=$(grep -c 'xmt/rcv/%loss = 1/1/0%' "$work/fping.err" || true)
    if [ "$received" -eq "$n" ]; then
      /usr/bin/python3 -c "
n, real, cpu = $n, $real, $user + $sys
print(f'   fping -i $interval targets={n} replies=$received lost=0 round_s={real:.3f} probes_per_s={n / real:.0f} cpu_s_per_10k={cpu / n * 10000:.3f}')"
      break
    fi
    why=$(grep -m1 'fping error' "$work/fping.err" | cut -c1-70 || true)
    echo "   fping -i $interval: $((n - received)) of $n not answered${why:+ ($why)}: slower"
  done
done
