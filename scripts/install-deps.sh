#!/usr/bin/env bash
# Installs what leadscore needs to build and test, from Debian's packages.
# Usage: scripts/install-deps.sh   (as root, or with sudo available)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
  libyaml-cpp-dev libsimdjson-dev nlohmann-json3-dev libre2-dev libcli11-dev libfmt-dev libxxhash-dev libjemalloc-dev
  libexpected-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev time python3
  postgresql libpq-dev libsqlite3-dev libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libboost-dev
  libeigen3-dev liblbfgspp-dev libxgboost-dev python3-sklearn python3-xgboost
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
