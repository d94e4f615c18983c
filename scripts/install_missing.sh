#!/usr/bin/env bash
# Install, with apt-get, the Debian packages whose command is missing.
# Usage: scripts/install_missing.sh command:package [command:package ...]
# (the command "python3-venv" stands for "python3 can make a virtual environment").
set -euo pipefail

has() {
  if [ "$1" = python3-venv ]; then python3 -c 'import venv, ensurepip' 2>/dev/null
  else command -v "$1" >/dev/null; fi
}

missing=()
for pair in "$@"; do
  has "${pair%%:*}" || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
