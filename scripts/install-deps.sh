#!/usr/bin/env bash
# Installs the Debian packages adv builds against (and tmux, chromium and jq, which the REPL's
# terminal tests, the HTML report test and the crash test use), when any is missing.
set -euo pipefail
packages=(libdnnl-dev libreadline-dev zlib1g-dev libhdf5-dev tmux chromium jq)
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
