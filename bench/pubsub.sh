#!/usr/bin/env bash
# PUBLISH to SUBSCRIBE delivery latency at a fixed rate: across silos of a 3-silo IceFire cluster, within one silo,
# and on redis-server in the same run. Prints Markdown and writes it to bench/results/DATE-pubsub.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=3
SECONDS_PER_ROW=5
RATE=10000
CHANNELS=1
SIZE=0
PORT=7501

usage() {
  cat <<'USAGE'
Usage: ./icefire bench pubsub [--runs N] [--seconds S] [--rate MSGS_PER_S] [--channels N] [--size BYTES] [--port PORT]

Starts a 3-silo cluster (./icefire cluster up, data under /var/tmp) and redis-server on loopback. One connection
PUBLISHes small messages at RATE a second for S seconds; another, SUBSCRIBEd to the channel, takes the time each
arrives (both in one process, one clock). With --channels N the messages go to N channels in turn, all of
which the subscriber subscribes to; --size pads each message to BYTES (by default it holds its time stamp alone). Rows: publisher on silo 1 and subscriber on silo 2 (the message crosses
silos through Orleans), both on silo 1, and both on redis-server. RUNS runs, the systems taking turns in each;
medians are reported. --port is silo 1's RESP port.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_ROW="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --channels) CHANNELS="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf 'bench: %s\n' "$*" >&2; }
source "$ROOT/bench/lib.sh"

WORK="$(mktemp -d /var/tmp/icefire-pubsub-bench.XXXXXX)"
CLUSTER="$WORK/cluster"
REDIS_PID=""
cleanup() {
  if [ -f "$CLUSTER/cluster.conf" ]; then "$ROOT/icefire" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true; fi
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_load_tool
start_cluster "$CLUSTER" "$PORT" "$WORK/cluster-up.log"
REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
wait_ping "$REDIS_PORT"

SILO1="127.0.0.1:$PORT"
SILO2="127.0.0.1:$((PORT + 1))"
mkdir -p "$WORK/rows"
for run in $(seq 1 "$RUNS"); do
  for s in across within redis; do
    say "run $run/$RUNS: $s, $RATE msg/s for ${SECONDS_PER_ROW}s"
    case "$s" in
      across) load pubsub "$SILO1" "$SILO2" "$RATE" "$SECONDS_PER_ROW" "$CHANNELS" "$SIZE" ;;
      within) load pubsub "$SILO1" "$SILO1" "$RATE" "$SECONDS_PER_ROW" "$CHANNELS" "$SIZE" ;;
      redis) load pubsub "127.0.0.1:$REDIS_PORT" "127.0.0.1:$REDIS_PORT" "$RATE" "$SECONDS_PER_ROW" "$CHANNELS" "$SIZE" ;;
    esac >>"$WORK/rows/$s" 2>>"$WORK/rows/$s.err" || {
      say "the $s row lost messages or failed:"
      tail -n 5 "$WORK/rows/$s" "$WORK/rows/$s.err" >&2
      exit 1
    }
  done
done

col() { awk -v k="$2" '{ print $k }' "$1" | median; }
STAMP="$(date +%F)"
SUFFIX=""
if [ "$CHANNELS" != 1 ] || [ "$SIZE" != 0 ]; then SUFFIX="-c$CHANNELS-s$SIZE"; fi
OUT="$ROOT/bench/results/$STAMP-pubsub$SUFFIX.md"
{
  echo "# PUBLISH to SUBSCRIBE delivery ($STAMP)"
  echo
  echo "$(nproc) cores, $RATE messages a second to $CHANNELS channel(s), $([ "$SIZE" -gt 0 ] && echo "$SIZE-byte" || echo "timestamp-sized") messages,"
  echo "${SECONDS_PER_ROW} s per row, median of $RUNS interleaved runs;"
  echo "latency from the PUBLISH written to the message read by the subscriber, in ms."
  echo
  echo "| system | delivered | p50 | p99 | p99.9 | max |"
  echo "|---|---:|---:|---:|---:|---:|"
  for s in across within redis; do
    case "$s" in
      across) name="IceFire, publisher on silo 1, subscriber on silo 2" ;;
      within) name="IceFire, both on silo 1" ;;
      redis) name="redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')" ;;
    esac
    echo "| $name | $(col "$WORK/rows/$s" 2) / $(col "$WORK/rows/$s" 1) | $(col "$WORK/rows/$s" 3) | $(col "$WORK/rows/$s" 4) | $(col "$WORK/rows/$s" 5) | $(col "$WORK/rows/$s" 6) |"
  done
} | tee "$OUT"
say "written to $OUT"
