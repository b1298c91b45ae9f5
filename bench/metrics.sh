#!/bin/bash
# The cost of the metrics on the RESP hot path: GET -P16 against two silo builds side by side, alternating runs
# (paired, so drifts in the machine's load hit both), with the silos' CPU time per run, which load on a shared
# machine disturbs less than throughput.
#
#   bench/metrics.sh BASE_BUILD_DIR NEW_BUILD_DIR [no|scrape] [PAIRS]
#
# Each BUILD_DIR holds an IceFire.Silo.dll (dotnet build Silo -c Release -o DIR, for example from the commit before).
# "scrape" starts both with --admin-port and scrapes /metrics every second, so every instrument is listened to.
set -euo pipefail
base=$1; new=$2; mode=${3:-no}; pairs=${4:-9}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
start() { # dir port name
  local args=(serve --data "$work/$3" --resp-port "$2" --sql-port off)
  [ "$mode" = scrape ] && args+=(--admin-port $(($2 + 1)))
  dotnet "$1/IceFire.Silo.dll" "${args[@]}" > "$work/$3.log" 2>&1 &
  pids+=($!)
}
start "$base" 16700 base; bpid=${pids[-1]}
start "$new" 16710 new; npid=${pids[-1]}
for _ in $(seq 1 240); do
  grep -q ready "$work/base.log" && grep -q ready "$work/new.log" && break
  sleep 0.25
done
if [ "$mode" = scrape ]; then
  for p in 16701 16711; do
    (while true; do curl -s "localhost:$p/metrics" > /dev/null; sleep 1; done) &
    pids+=($!)
  done
fi
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench() { redis-benchmark -p "$1" -t get -P 16 -c 50 -n 300000 -q 2> /dev/null | tr '\r' '\n' | grep -o 'GET: [0-9.]*' | tail -1 | awk '{print $2}'; }
bench 16700 > /dev/null
bench 16710 > /dev/null
echo "run  base-rps  new-rps  base-cpu-ticks  new-cpu-ticks"
for i in $(seq 1 "$pairs"); do
  c0=$(cpu "$bpid"); b=$(bench 16700); c1=$(cpu "$bpid")
  d0=$(cpu "$npid"); n=$(bench 16710); d1=$(cpu "$npid")
  echo "$i  $b  $n  $((c1 - c0))  $((d1 - d0))"
done
