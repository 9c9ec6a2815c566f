#!/usr/bin/env bash
# Stops the single-node Slurm that scripts/slurm-up.sh started (slurmd, slurmctld, then munged),
# by the pids they recorded. Leaves packages, the munge key and the state directory in place.
# environment: SLURM_STATE (default /var/tmp/adv-slurm)
set -euo pipefail
STATE=${SLURM_STATE:-/var/tmp/adv-slurm}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Alive and not a zombie (a container's pid 1 may not reap the daemons, which leaves <defunct>).
alive() { local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]; }
stop() { # name pidfile
  [ -f "$2" ] || return 0
  local pid
  pid=$(cat "$2")
  if alive "$pid"; then
    echo "slurm-down: stopping $1 ($pid)" >&2
    $sudo kill "$pid"
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then $sudo kill -9 "$pid"; fi
  fi
  $sudo rm -f "$2"
}
stop slurmd "$STATE/run/slurmd.pid"
stop slurmctld "$STATE/run/slurmctld.pid"
# munged's pid file: /run/munge/munged.pid on Debian.
stop munged /run/munge/munged.pid
