#!/usr/bin/env bash
# make slurm-test: a sweep on a real single-node Slurm (scripts/slurm-up.sh brings it up).
#
# 1. Runs SCRIPT once without Slurm (the reference).
# 2. 'adv submit SCRIPT --slurm --shards 4', waits for the merge job, and checks that the merged
#    results.json equals the reference's, timings aside.
# 3. Submits again into a fresh directory, cancels a running shard task once it has finished a
#    unit (scancel: the jobs that depend on it are cancelled with it), resubmits the same
#    command, and checks that the sweep completes with the reference's results, and that every
#    file the shards had written before the cancel (finished units, cached models) is still
#    there with its modification time unchanged: nothing lost, nothing recomputed.
#
# usage: scripts/slurm-test.sh
# environment: ADV (default .build/debug/adv), SCRIPT (default scripts/slurm-test.adv),
#              TIMEOUT (seconds to wait for a sweep; default 1800), KEEP=1 keeps the work directory
set -euo pipefail
ADV=${ADV:-.build/debug/adv}
SCRIPT=${SCRIPT:-scripts/slurm-test.adv}
TIMEOUT=${TIMEOUT:-1800}
SHARDS=4
[ -x "$ADV" ] || { echo "no adv executable at $ADV (swift build --product adv)" >&2; exit 2; }
command -v jq >/dev/null || { echo "the Slurm test needs jq (make deps installs it)" >&2; exit 2; }
if ! "$ADV" run --help 2>&1 | grep -q -- '--shard'; then
  echo "slurm-test: FAIL: adv run --shard is not available in this build" >&2
  exit 1
fi
if ! "$ADV" --help 2>&1 | grep -q '^  merge '; then
  echo "slurm-test: FAIL: adv merge is not available in this build" >&2
  exit 1
fi

ADV=$(readlink -f "$ADV")
# Jobs run on this node as this user; a directory under /var/tmp outlives nothing but is seen
# by slurmd the same way it is seen here.
work=$(mktemp -d "${TMPDIR:-/var/tmp}/adv-slurm-test.XXXXXX")
cleanup() {
  # Jobs of ours still queued after a failure would run into a deleted directory.
  [ -n "${submitted:-}" ] && scancel $submitted 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "slurm-test: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
submitted=""

say() { echo "slurm-test: $*" >&2; }
fail() {
  say "FAIL: $*"
  for f in "$work"/*/slurm/logs/*.out; do
    [ -f "$f" ] || continue
    echo "--- $f (last lines)" >&2
    tail -n 15 "$f" >&2
  done
  squeue >&2 || true
  exit 1
}
# results.json without timings, keys sorted.
normalised() {
  jq -S 'walk(if type == "object" then with_entries(select(.key | test("seconds$|^elapsed|^started|^finished|_time$") | not)) else . end)' "$1"
}
job_state() { scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
# Waits for job $1 to complete; fails when it ends otherwise or the time runs out.
wait_job() {
  local id=$1 deadline=$((SECONDS + TIMEOUT)) state
  while :; do
    state=$(job_state "$id")
    case "$state" in
      COMPLETED) return 0 ;;
      FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED) fail "job $id ended $state" ;;
      "") fail "Slurm no longer knows job $id" ;;
    esac
    [ $SECONDS -lt $deadline ] || fail "job $id still $state after ${TIMEOUT}s"
    sleep 2
  done
}
# Submits the sweep into $1; sets merge_job and adds the ids to 'submitted'.
submit() {
  local out
  out=$("$ADV" submit "$SCRIPT" --slurm --shards $SHARDS --cpus 1 --adv "$ADV" --out "$1") || fail "adv submit into $1 failed"
  echo "$out" >&2
  train_job=$(echo "$out" | sed -n 's/^submitted train job \([0-9]*\).*/\1/p')
  merge_job=$(echo "$out" | sed -n 's/^submitted merge job \([0-9]*\).*/\1/p')
  [ -n "$train_job" ] && [ -n "$merge_job" ] || fail "no job ids in the output of adv submit"
  submitted="$submitted $(echo "$out" | sed -n 's/^submitted [a-z]* job \([0-9]*\).*/\1/p' | tr '\n' ' ')"
}
# Files under $1 that the shards write, with their modification times: finished units and cache
# entries. Not the batch scripts and logs (a resubmission writes them anew), not temporary files,
# and not results.json files, summaries that are rewritten by design when anything is added.
snapshot() {
  (cd "$1" && find . -path ./slurm/logs -prune -o -path './slurm/*.sbatch' -prune -o -type f ! -name '.*.tmp-*' \
    ! -name 'results.json' ! -name 'results-*.json' -printf "%p %T@\n" | LC_ALL=C sort)
}

scripts/slurm-up.sh

say "reference run of $SCRIPT without Slurm"
# One thread, as in the jobs (--cpus 1 sets OMP_NUM_THREADS=1): oneDNN's convolutions sum in an
# order that depends on the thread count, so a LeNet's L2 distances differ in the 4th digit
# between 1 and 2 threads (an MLP's do not).
OMP_NUM_THREADS=1 ADV_CACHE="$work/cache-a" "$ADV" run "$SCRIPT" --out "$work/a" >"$work/a.log" 2>&1 || { cat "$work/a.log" >&2; fail "the reference run failed"; }
normalised "$work/a/results.json" >"$work/a.json"

say "sweep of $SHARDS shards on Slurm"
start=$SECONDS
submit "$work/b"
wait_job "$merge_job"
[ -f "$work/b/results.json" ] || fail "the merge job left no results.json"
normalised "$work/b/results.json" >"$work/b.json"
diff -u "$work/a.json" "$work/b.json" >&2 || fail "the merged results.json differs from the single run's"
say "ok: merged results.json equals the single run's, timings aside ($((SECONDS - start)) s)"

say "cancel a shard mid-run, then resubmit"
submit "$work/c"
victim="" deadline=$((SECONDS + TIMEOUT))
while [ -z "$victim" ]; do
  [ $SECONDS -lt $deadline ] || fail "no shard task finished a unit within ${TIMEOUT}s"
  # A running task of the training array whose shard has written something besides the cache.
  for task in $(squeue -h -j "$train_job" -t RUNNING -o '%i' 2>/dev/null); do
    if [ -n "$(cd "$work/c" && find . -path ./slurm -prune -o -path ./cache -prune -o -type f -print -quit)" ]; then
      victim=$task
      break
    fi
  done
  [ -n "$victim" ] || sleep 0.5
done
scancel "$victim"
say "cancelled task $victim"
deadline=$((SECONDS + 120))
while [ -n "$(squeue -h -o '%A' -j "$(echo $submitted | tr ' ' ',')" 2>/dev/null)" ]; do
  [ $SECONDS -lt $deadline ] || fail "jobs still queued 120 s after cancelling one they depend on"
  sleep 1
done
[ "$(job_state "$merge_job")" = CANCELLED ] || fail "the merge job was not cancelled with the shard it depends on ($(job_state "$merge_job"))"
[ ! -f "$work/c/results.json" ] || fail "results.json exists although the merge never ran"
snapshot "$work/c" >"$work/c-before"
say "$(wc -l <"$work/c-before") files written before the cancel; resubmitting"
submitted=""
submit "$work/c"
wait_job "$merge_job"
snapshot "$work/c" >"$work/c-after"
# Every file from before, with the same time: join on the path, compare the times.
changed=$(LC_ALL=C join -a 1 "$work/c-before" "$work/c-after" | awk 'NF < 3 { print $1 " is gone"; next } $2 != $3 { print $1 " was rewritten" }')
[ -z "$changed" ] || fail "after resubmitting: $changed"
normalised "$work/c/results.json" >"$work/c.json"
diff -u "$work/a.json" "$work/c.json" >&2 || fail "the resubmitted sweep's results.json differs from the single run's"
say "ok: after the cancel and a resubmit, results.json equals the single run's; none of the $(wc -l <"$work/c-before") files written before was lost or rewritten"
submitted=""
say "passed"
