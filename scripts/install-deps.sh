#!/usr/bin/env bash
# Installs the Debian 12 packages Strata needs to build, test and run.
# Idempotent: installs only what is missing. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang ccache make
  libzstd-dev libxxhash-dev libabsl-dev libcpp-httplib-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsnappy-dev libprotobuf-dev
  protobuf-compiler libre2-dev libcli11-dev prometheus-cpp-dev
  nlohmann-json3-dev rapidjson-dev libclang-rt-14-dev
  prometheus prometheus-node-exporter victoria-metrics
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
