#!/usr/bin/env bash
# Installs every Debian package that gatewatch's build, tests and benchmarks
# need. The one list of system dependencies; safe to run any number of times.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libsodium-dev libcrypt-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libcurl4-openssl-dev libyaml-cpp-dev
  libpq-dev
  # tests
  libgtest-dev googletest python3 python3-aiosmtpd python3-yaml iproute2 iputils-ping nftables curl sqlite3 procps
  # a private PostgreSQL for the store's tests on PostgreSQL and the cluster tests
  postgresql-15
  # fuzzing (libFuzzer comes with clang's runtime)
  clang-14 libclang-rt-14-dev
  # the dashboard's end-to-end test (playwright-core drives Debian's chromium)
  chromium fonts-dejavu-core
  # metrics checks (promtool)
  prometheus
  # benchmarks
  wrk fping nginx-light
  # the Debian package (help2man writes its man page) and its test; systemd
  # brings systemd-analyze (nothing is started), man-db its man lookup
  help2man lintian systemd man-db
)
# Node.js and npm build the dashboard. Debian's nodejs is taken only when no
# node is installed; Vite 8 needs 20.19 or later (checked below).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_version=$(node -p 'process.versions.node')
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "install-deps: Node.js ${node_version} is too old for the dashboard's build (Vite 8 needs 20.19 or later)" >&2
  exit 1
fi
