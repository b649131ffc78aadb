#!/usr/bin/env bash
# What each mechanism of the engine saves, on the command it serves: the
# command timed with the mechanism and without it (CFGGEN_WITHOUT=<name>),
# on the second fleet that `../shared/bench/cfggen_bench.sh CFGGEN N` leaves
# in /tmp/cfggen-bench-N. Prints one line per mechanism: median wall time
# and peak RSS on and off, and what it saves. A mechanism that saves less
# than 10 % on its command does not pay for itself (ARCHITECTURE.md).
#   bash crates/cfggen-bench/mechanisms.sh CFGGEN N [RUNS=3]
set -euo pipefail
B=${1:?usage: mechanisms.sh CFGGEN N [RUNS]}; N=${2:?}; R=${3:-3}
cd "/tmp/cfggen-bench-$N"
T=$(mktemp -d)
export CFGGEN_CACHE="$T/cache"
git checkout -q -- environments
"$B" render --all > /dev/null
sleep 4 # the committed files settle, as they have on a developer's machine

# One app of prod changed before each run (the image tag of the first app
# set to the other of two values), so that every run renders a change.
TAG=2
change() { TAG=$((5 - TAG)); sed -i "0,/:1.3.[23]$/s//:1.3.$TAG/" environments/prod.yaml; }

# measure NAME SETUP CMD...: R timed runs after one warm-up, with the
# mechanism on and off; prints medians and what the mechanism saves.
measure() {
  local name=$1 setup=$2; shift 2
  local on off
  on=$(runs "" "$setup" "$@"); off=$(runs "$name" "$setup" "$@")
  awk -v n="$name" -v N="$N" -v on="$on" -v off="$off" -v cmd="$*" 'BEGIN {
    split(on, a, " "); split(off, b, " ")
    printf "%-12s N=%-5s %-34s on %6.3f s %6.1f MiB | off %6.3f s %6.1f MiB | saves %5.1f %% time, %5.1f %% memory\n",
      n, N, cmd, a[1], a[2] / 1024, b[1], b[2] / 1024, 100 * (b[1] - a[1]) / b[1], 100 * (b[2] - a[2]) / b[2] }'
}

# runs WITHOUT SETUP CMD...: "median-wall peak-KiB" of R runs after one warm-up.
runs() {
  local without=$1 setup=$2; shift 2
  : > "$T/t"
  for i in $(seq 0 "$R"); do
    eval "$setup"
    local start=$EPOCHREALTIME
    CFGGEN_WITHOUT="$without" /usr/bin/time -f '%M' -o "$T/one" "$@" > /dev/null 2>&1 || true
    local end=$EPOCHREALTIME
    [ "$i" -gt 0 ] && echo "$(echo "$end - $start" | bc -l) $(tail -n1 "$T/one")" >> "$T/t"
  done
  sort -n "$T/t" | awk '{w[NR] = $1; if ($2 > m) m = $2} END {print w[int((NR + 1) / 2)], m}'
}

measure delta       change "$B" render prod
measure line-cut    change "$B" render prod
measure tree-store  change "$B" render prod
git checkout -q -- environments; "$B" render --all > /dev/null
measure survey-file :      "$B" check
# A lean platform is one too large for the memory budget (10,000 apps).
measure lean        :      env CFGGEN_CACHE=off "$B" check
git checkout -q -- environments; "$B" render --all > /dev/null
rm -rf "$T"
