#!/usr/bin/env bash
# Installs the Debian packages adv builds against (and tmux and chromium, which the REPL's terminal
# tests and the HTML report test drive), when any is missing.
set -euo pipefail
packages=(libdnnl-dev libreadline-dev zlib1g-dev libhdf5-dev tmux chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
