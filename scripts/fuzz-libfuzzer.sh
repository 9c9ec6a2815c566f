#!/bin/sh
# make fuzz-libfuzzer: each fuzz target under libFuzzer with AddressSanitizer for its share of
# SECONDS, corpora in .build/fuzz-corpus/TARGET, logs and inputs in .build/fuzz-findings/.
#
#   scripts/fuzz-libfuzzer.sh SECONDS SEED TARGET...
#
# A single allocation over 1 GB is a finding (-malloc_limit_mb), and so is a leak, except in the
# hdf5 target (at exit too): libhdf5 1.10.8 itself loses memory in H5Dopen2 on some damaged files, asks for
# impossible sizes (ASan is told to answer those with NULL, as glibc does) and then crashes on
# some of them. libFuzzer stops at a crash; each crash input of the hdf5 target is replayed by
# adv-fuzz (release build), which tells a crash inside libhdf5 (adv survives it: it reads PCam in
# a reader process of its own and reports the file as damaged) from one in our code. A crash
# inside libhdf5 is counted, its input kept, and libFuzzer started again for the time left.
set -u
seconds=$1; seed=$2; shift 2
n=$#
each=$(( (seconds + n - 1) / n ))
findings=.build/fuzz-findings
mkdir -p "$findings"
total=0; found=0
for t in "$@"; do
  mkdir -p ".build/fuzz-corpus/$t"
  leaks=1; asan=""
  if [ "$t" = hdf5 ]; then leaks=0; asan="allocator_may_return_null=1:detect_leaks=0"; fi
  start=$(date +%s); runs=0; status=0; library=0; round=0
  while :; do
    left=$(( each - ($(date +%s) - start) ))
    [ "$left" -gt 0 ] || break
    round=$((round + 1))
    log="$findings/libfuzzer-$t.log"
    before=$(ls "$findings" | grep -c "^$t-crash-" || true)
    ASAN_OPTIONS="$asan" ADV_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no .build/libfuzzer/release/adv-libfuzzer \
      -max_total_time="$left" -seed=$((seed + round - 1)) -timeout=1 -rss_limit_mb=4096 -malloc_limit_mb=1024 \
      -detect_leaks=$leaks -print_final_stats=1 -artifact_prefix="$findings/$t-" ".build/fuzz-corpus/$t" > "$log" 2>&1
    status=$?
    r=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    runs=$((runs + ${r:-0}))
    [ "$status" -eq 0 ] && break
    # A crash of the hdf5 target: the library's, or ours?
    [ "$t" = hdf5 ] || break
    crash=$(ls -t "$findings" | grep "^$t-crash-" | head -1)
    after=$(ls "$findings" | grep -c "^$t-crash-" || true)
    [ -n "$crash" ] && [ "$after" -gt "$before" ] || break
    if .build/release/adv-fuzz replay "$t" "$findings/$crash" | grep -q "adv survives"; then
      library=$((library + 1)); status=0
      mv "$findings/$crash" "$findings/$t-libhdf5-${crash#$t-crash-}"
    else
      break
    fi
  done
  note=""; [ "$library" -gt 0 ] && note=", $library stops at crashes inside libhdf5 (kept as $t-libhdf5-*)"
  printf '%-13s %9s inputs in %5s s, exit %s%s\n' "$t" "$runs" "$each" "$status" "$note"
  total=$((total + runs)); [ "$status" -ne 0 ] && found=$((found + 1))
done
echo "total         $total inputs, $found targets with findings (logs and inputs in $findings/)"
[ "$found" -eq 0 ]
