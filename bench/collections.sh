#!/usr/bin/env bash
# Single-member operations on a 10-member and a 1,000,000-member collection, IceFire and redis-server
# side by side: ZADD, ZSCORE, LINDEX, HGET, SISMEMBER should cost about the same at both sizes,
# because every collection is stored as ordered members and each of these is one seek.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILO="$ROOT/.build/silo/IceFire.Silo.dll"
BIG=1000000
REQUESTS=100000
RUNS=3
DURABILITY=periodic

usage() {
  cat <<'USAGE'
Usage: bench/collections.sh [--size N] [--runs N] [-n REQUESTS] [--durability periodic|always]

Fills a sorted set, a list, a hash and a set with 10 and with N (default 1,000,000) members in IceFire
(durability periodic, or always) and in redis-server (appendfsync everysec, or always), then runs
redis-benchmark -c 50 -P 16 on single-member commands against each size and prints the median ops/s,
and the big/small ratio. Results go to bench/results/DATE-collections.md (DATE-collections-always.md
for durability always).
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size) BIG="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    -n) REQUESTS="$2"; shift 2 ;;
    --durability) DURABILITY="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "collections: unknown option $1" >&2; exit 2 ;;
  esac
done

case "$DURABILITY" in
  periodic) FSYNC=everysec; SUFFIX= ;;
  always) FSYNC=always; SUFFIX=-always ;;
  *) echo "collections: --durability must be periodic or always" >&2; exit 2 ;;
esac

source "$ROOT/bench/lib.sh"

# fill PORT PREFIX SIZE: zset, list, hash and set of SIZE members, 1000 members per command.
fill() {
  python3 - "$2" "$3" <<'PY' | redis-cli -p "$1" --pipe >/dev/null
import sys
prefix, size = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for start in range(0, size, 1000):
    chunk = range(start, min(size, start + 1000))
    z, l, h, s = [], [], [], []
    for i in chunk:
        m = "m:%012d" % i
        z += [i, m]; l.append(m); h += [m, i]; s.append(m)
    cmd("ZADD", prefix + ":z", *z); cmd("RPUSH", prefix + ":l", *l); cmd("HSET", prefix + ":h", *h); cmd("SADD", prefix + ":s", *s)
PY
}

rps() {
  local port="$1" range="$2"; shift 2
  redis-benchmark -p "$port" -n "$REQUESTS" -c 50 -P 16 -r "$range" --csv -q "$@" 2>/dev/null \
    | awk -F'","' 'NR > 1 { gsub(/"/, "", $2); print $2 }' | head -1
}

WORK="$(mktemp -d)"; PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

ip="$(free_port)"; rp="$(free_port)"; mkdir -p "$WORK/redis"
dotnet "$SILO" serve --data "$WORK/icefire" --resp-port "$ip" --durability "$DURABILITY" > "$WORK/icefire.log" 2>&1 & PIDS+=($!)
redis-server --port "$rp" --bind 127.0.0.1 --dir "$WORK/redis" --save "" --appendonly yes --appendfsync "$FSYNC" --daemonize no \
  > "$WORK/redis.log" 2>&1 & PIDS+=($!)
wait_ping "$ip"; wait_ping "$rp"
for port in "$ip" "$rp"; do
  echo "collections: filling port $port with 10 and $BIG members" >&2
  fill "$port" small 10
  fill "$port" big "$BIG"
done

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/$(date -u +%Y-%m-%d)-collections$SUFFIX.md"
{
  echo "# Single-member operations by collection size, $(date -u +%Y-%m-%d)"
  echo
  echo "redis-benchmark -c 50 -P 16 -n $REQUESTS, random members, median of $RUNS runs; IceFire durability $DURABILITY, redis appendfsync $FSYNC; $(nproc) cores"
  echo
  echo "| command | IceFire 10 | IceFire $BIG | big/small | Redis 10 | Redis $BIG | big/small |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
} > "$OUT"

run_case() {
  local name="$1"; shift
  local row="| $name"
  for port in "$ip" "$rp"; do
    local small big
    local small_args=("${@//PREFIX/small}") big_args=("${@//PREFIX/big}")
    # redis-benchmark pads __rand_int__ with zeros, which is no integer to LINDEX: index the middle instead.
    small_args=("${small_args[@]//MIDDLE/5}")
    big_args=("${big_args[@]//MIDDLE/$((BIG / 2))}")
    small="$(for _ in $(seq 1 "$RUNS"); do rps "$port" 10 "${small_args[@]}"; done | median)"
    big="$(for _ in $(seq 1 "$RUNS"); do rps "$port" "$BIG" "${big_args[@]}"; done | median)"
    row="$row | $(printf '%.0f' "$small") | $(printf '%.0f' "$big") | $(awk -v a="$big" -v b="$small" 'BEGIN { printf "%.2f", a / b }')"
  done
  echo "$row |" >> "$OUT"
  echo "collections: $name done" >&2
}

run_case "ZSCORE" ZSCORE PREFIX:z m:__rand_int__
run_case "ZADD (update)" ZADD PREFIX:z __rand_int__ m:__rand_int__
run_case "LINDEX (middle)" LINDEX PREFIX:l MIDDLE
run_case "HGET" HGET PREFIX:h m:__rand_int__
run_case "SISMEMBER" SISMEMBER PREFIX:s m:__rand_int__

cat "$OUT"
