#!/usr/bin/env bash
# make crash-test: kills 'adv run' with SIGKILL many times over a longer script, resumes it
# with --resume after every kill, and checks that the final results.json equals that of a run
# never killed (timings aside). After every kill results.json must read as JSON and hold at
# least the records it held before: nothing finished is lost.
#
# Besides the random kills, four land inside writes (ADV_KILL_DURING_WRITE: the process dies
# with half the bytes in the temporary file): a model cache entry, results.json, a journal
# entry and, last, the HTML report. Random kill times spread over the run: with n steps left
# and k kills, each is drawn uniformly from [0.05 s, start-up + the time the next 2n/k steps took
# in the uninterrupted run] (step times from its journal), so kills land in the replay, inside
# steps and between them, all along the script.
#
# usage: scripts/crash-test.sh [KILLS]      (default 50)
# environment: ADV (default .build/debug/adv), SCRIPT (default scripts/crash-test.adv),
#              SEED (the random kill times; default: random, printed)
set -euo pipefail
KILLS=${1:-50}
ADV=${ADV:-.build/debug/adv}
SCRIPT=${SCRIPT:-scripts/crash-test.adv}
SEED=${SEED:-$((RANDOM * 32768 + RANDOM))}
[ -x "$ADV" ] || { echo "no adv executable at $ADV (swift build --product adv)" >&2; exit 2; }
command -v jq >/dev/null || { echo "the crash test needs jq (make deps installs it)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/adv-crash-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
RANDOM=$SEED

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# results.json without timings, keys sorted.
normalised() { jq -S 'walk(if type == "object" then del(.wall_seconds, .train_seconds) else . end)' "$1"; }
# Records in $1/results.json (0 when there is none); fails when it does not parse.
records() {
  [ -f "$1/results.json" ] || { echo 0; return; }
  jq '[.models, .results, .surrogates, .transfers, .figures] | map(length) | add' "$1/results.json"
}
finished_steps() { { find "$1/.adv-journal" -maxdepth 1 -name 'step-*.json' 2>/dev/null || true; } | wc -l; }
temporaries() { { find "$@" -name '.*.tmp-*' 2>/dev/null || true; } | wc -l; }

steps=$("$ADV" check "$SCRIPT" | sed -n 's/.*ok (\([0-9]*\) steps)/\1/p')
echo "crash test: $SCRIPT ($steps steps), $KILLS kills, seed $SEED, $ADV"

# The uninterrupted run, each step's time (from its journal entries' modification times) and
# how long the start-up and a replay of every step take.
start=$(now)
ADV_CACHE="$work/cache-reference" "$ADV" run "$SCRIPT" --out "$work/reference" >"$work/reference.log" 2>&1
total=$(seconds "$start" "$(now)")
find "$work/reference/.adv-journal" -maxdepth 1 -name 'step-*.json' -printf '%f %T@\n' | sort |
  awk -v t0="$start" '{ printf "%.3f\n", $2 - t0; t0 = $2 }' >"$work/durations"
start=$(now)
ADV_CACHE="$work/cache-reference" "$ADV" run "$SCRIPT" --out "$work/reference" --resume >/dev/null 2>&1
startup=$(seconds "$start" "$(now)")
echo "uninterrupted run: $total s; start-up and replay of every step: $startup s"

out="$work/out" cache="$work/cache"
forced=("$cache/" "results.json" ".adv-journal/step-")
kills=0 random_kills=0 forced_kills=0 attempts=0 before=0 lost=0 replay_kills=0
while :; do
  attempts=$((attempts + 1))
  if [ "$attempts" -gt $((KILLS * 4 + 10)) ]; then echo "FAIL: no progress after $attempts attempts" >&2; exit 1; fi
  resume=(); [ "$attempts" -gt 1 ] && resume=(--resume)
  hook=""
  if [ "$kills" -lt "${#forced[@]}" ]; then hook=${forced[$kills]}
  elif [ "$kills" -eq $((KILLS - 1)) ]; then hook="report.html"
  fi
  done_before=$(finished_steps "$out")
  ADV_CACHE="$cache" ADV_KILL_DURING_WRITE="$hook" "$ADV" run "$SCRIPT" --out "$out" "${resume[@]}" \
    >>"$work/run.log" 2>>"$work/stderr.log" &
  pid=$!
  if [ -z "$hook" ] && [ "$kills" -lt "$KILLS" ]; then
    delay=$(awk -v r="$RANDOM" -v s="$startup" -v done="$done_before" -v steps="$steps" -v k=$((KILLS - kills)) '
      { d[NR - 1] = $1 }
      END {
        m = int((2 * (steps - done) + k - 1) / k); if (m < 1) m = 1
        hi = s; for (i = done; i < done + m && i < steps; i++) hi += d[i]
        printf "%.3f", 0.05 + (r / 32767) * (hi - 0.05)
      }' "$work/durations")
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
  fi
  # (Braces: bash's own "Killed" notice goes to /dev/null, not the summary.)
  status=0; { wait "$pid"; } 2>/dev/null || status=$?
  if [ "$status" -eq 0 ]; then break; fi
  if [ "$status" -ne 137 ]; then
    echo "FAIL: attempt $attempts exited with $status" >&2; tail -5 "$work/stderr.log" >&2; exit 1
  fi
  kills=$((kills + 1))
  if [ -n "$hook" ]; then forced_kills=$((forced_kills + 1)); else random_kills=$((random_kills + 1)); fi
  [ "$(finished_steps "$out")" -eq "$done_before" ] && [ "$done_before" -gt 0 ] && replay_kills=$((replay_kills + 1))
  count=$(records "$out") || { echo "FAIL: results.json does not parse after kill $kills" >&2; exit 1; }
  if [ "$count" -lt "$before" ]; then lost=$((lost + before - count)); fi
  before=$count
  printf 'kill %2d %-28s %2d of %d steps finished, %3d records in results.json\n' "$kills" \
    "$([ -n "$hook" ] && echo "inside a write to *$(basename "$hook")*" || echo "after $delay s")" \
    "$(finished_steps "$out")" "$steps" "$count"
done
final=$(records "$out")

status="ok"
if [ "$(normalised "$out/results.json")" != "$(normalised "$work/reference/results.json")" ]; then
  status="FAIL: results.json differs from the uninterrupted run's"
  diff <(normalised "$work/reference/results.json") <(normalised "$out/results.json") | head -20 >&2
fi
[ "$lost" -eq 0 ] || status="FAIL: $lost records vanished from results.json after a kill"
[ "$kills" -ge "$KILLS" ] || status="FAIL: the run finished after $kills of $KILLS kills"
left=$(temporaries "$out" "$cache")
[ "$left" -eq 0 ] || status="FAIL: $left temporary files left behind"
for f in report.html report.md bars.svg adversarials.png d.safetensors d-adv.safetensors; do
  [ -s "$out/$f" ] || status="FAIL: $f missing"
done
echo "kills: $kills ($random_kills at random times, $forced_kills inside writes: cache entry, results.json, journal entry, HTML report; $replay_kills before another step finished)"
echo "attempts: $attempts; records in results.json at the end: $final, never fewer after a kill than before it; temporary files left: $left"
echo "final results.json equals the uninterrupted run's (timings aside): $([ "${status#FAIL}" = "$status" ] && echo yes || echo no)"
echo "crash test: $status"
[ "${status#FAIL}" = "$status" ]
