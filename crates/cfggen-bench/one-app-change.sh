#!/usr/bin/env bash
# A one-app change on the second fleet, measured so that every run really
# changes one app: each `render prod` sets the first app's image tag in
# prod to the other of two values (and must report one file written), and
# `check` then runs with one app drifted. Run it after
# `../shared/bench/cfggen_bench.sh CFGGEN N`, which leaves its fleet in
# /tmp/cfggen-bench-N.
#   bash crates/cfggen-bench/one-app-change.sh CFGGEN N [RUNS=5]
# Set CFGGEN_CACHE=off to measure without the cache of earlier runs.
set -euo pipefail
B=${1:?usage: one-app-change.sh CFGGEN N [RUNS]}; N=${2:?}; R=${3:-5}
cd "/tmp/cfggen-bench-$N"
T=$(mktemp -d)
git checkout -q -- environments
"$B" render --all > /dev/null
sleep 4 # the committed files settle, as they have on a developer's machine
"$B" check > /dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " s (min " a[1] ", max " a[NR] ")"}'; }
for i in $(seq "$R"); do
  sed -i "0,/:1.3.[23]$/s//:1.3.$((i % 2 + 2))/" environments/prod.yaml
  /usr/bin/time -f '%e %M' -o "$T/time" "$B" render prod > "$T/out" 2>&1
  grep -q "prod: 1 written" "$T/out" || { echo "expected one file written:"; cat "$T/out"; exit 1; }
  tail -n1 "$T/time" >> "$T/render"
done
echo "N=$N render prod, one app changed: $(cut -d' ' -f1 "$T/render" | median), peak $(cut -d' ' -f2 "$T/render" | sort -n | tail -n1) KiB"
sed -i "0,/:1.3.[23]$/s//:1.3.$(((R + 1) % 2 + 2))/" environments/prod.yaml
for _ in $(seq "$R"); do
  /usr/bin/time -f '%e %M' -o "$T/time" "$B" check > /dev/null 2>&1 || true
  tail -n1 "$T/time" >> "$T/check"
done
echo "N=$N check, one app drifted: $(cut -d' ' -f1 "$T/check" | median), peak $(cut -d' ' -f2 "$T/check" | sort -n | tail -n1) KiB"
git checkout -q -- environments
rm -rf "$T"
