#!/usr/bin/env bash
# Runs a command inside a fresh network namespace that has only loopback:
# lo holds 127.0.0.1/32 and ::1, nothing else, and there is no route out.
# Every black-box test runs this way, so whatever addresses a test stores as
# devices, the monitor's probes cannot leave the machine; and an address like
# 127.0.0.66 stays unreachable until a test adds it to lo.
# Needs root (CAP_SYS_ADMIN), as CI and the README's test command have.
set -euo pipefail
ns="gwtest-$$-${RANDOM}"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr del 127.0.0.1/8 dev lo
ip netns exec "$ns" ip addr add 127.0.0.1/32 dev lo
ip netns exec "$ns" "$@"
