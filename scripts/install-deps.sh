#!/usr/bin/env bash
# Install everything Tessera needs to build, test and run on Debian 12 (bookworm).
# Idempotent: packages already installed are skipped; `apt-get update` runs at most once an hour.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ clang pkg-config git
  libasio-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libtomlplusplus-dev
  libcpp-httplib-dev libcli11-dev libxxhash-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format libgoogle-perftools-dev liburing-dev
  # test + runtime
  mariadb-server mariadb-client mariadb-test sysbench etcd-server etcd-client
  python3 python3-pymysql python3-cryptography python3-nacl
  procps
)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install packages" >&2; exit 1
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
STAMP=/var/lib/apt/periodic/tessera-update-stamp
if [[ -z $(find "$STAMP" -mmin -60 2>/dev/null) ]]; then
  echo "install-deps: apt-get update"
  $SUDO apt-get update -qq
  $SUDO mkdir -p "$(dirname "$STAMP")" && $SUDO touch "$STAMP"
fi
echo "install-deps: installing ${missing[*]}"
# policy-rc.d keeps Debian's mariadb-server package from starting a system service
# when it is installed for the first time: tests start their own servers.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && created_policy=1
fi
remove_policy() { if [[ $created_policy == 1 ]]; then $SUDO rm -f "$POLICY"; fi; }
trap remove_policy EXIT
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
