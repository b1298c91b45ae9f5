#!/usr/bin/env bash
# redis-benchmark against IceFire and against redis-server 7 on the same machine, in the same run,
# with matching durability; prints ops/s for both and the ratio, and writes the table to bench/results/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILO="${ICEFIRE_SILO:-$ROOT/.build/silo/IceFire.Silo.dll}"
MODES="always periodic"
RUNS=3
REQUESTS=100000
CLIENTS=50
TESTS="set get incr mset"
PIPELINES="1 16"
KEYSPACE=0
VALUE_SIZE=3
COMPARE=""

usage() {
  cat <<'USAGE'
Usage: ./icefire bench resp [--mode always|periodic|both] [--runs N] [-n REQUESTS] [-c CLIENTS] [--keyspace N]
                            [-d BYTES] [--tests set,get,...] [--pipelines "1 16"] [--compare DLL]

Starts IceFire and redis-server 7 (appendonly yes, appendfsync always or everysec to match) on free
loopback ports, runs redis-benchmark for SET GET INCR MSET at -P 1 and -P 16 with -c 50, RUNS times
each, and reports the median ops/s of both servers and the ratio IceFire/Redis. By default
redis-benchmark's own keyspace is used (one key per command); --keyspace N spreads the commands over
N random keys (redis-benchmark -r N), which makes each group commit touch many B-tree pages.
-d sets the value size (redis-benchmark -d, default 3 bytes); --tests and --pipelines narrow the run.
--compare DLL also runs another build's IceFire.Silo.dll (for instance main's .build/silo) beside this
one, interleaved, and adds its ops/s and the ratio this build/that build to the table: a before/after
in one run. ICEFIRE_SILO=PATH runs another build's IceFire.Silo.dll as the main one.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --mode) MODES="$2"; [ "$MODES" = both ] && MODES="always periodic"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    -n) REQUESTS="$2"; shift 2 ;;
    -c) CLIENTS="$2"; shift 2 ;;
    --keyspace) KEYSPACE="$2"; shift 2 ;;
    -d) VALUE_SIZE="$2"; shift 2 ;;
    --tests) TESTS="${2//,/ }"; shift 2 ;;
    --pipelines) PIPELINES="$2"; shift 2 ;;
    --compare) COMPARE="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

source "$ROOT/bench/lib.sh"

rps() {
  local port="$1" test="$2" pipeline="$3"
  local random=()
  [ "$KEYSPACE" -gt 0 ] && random=(-r "$KEYSPACE")
  redis-benchmark -p "$port" -t "$test" -n "$REQUESTS" -c "$CLIENTS" -P "$pipeline" -d "$VALUE_SIZE" "${random[@]}" --csv -q 2>/dev/null \
    | awk -F'","' 'NR > 1 || $1 !~ /test/ { gsub(/"/, "", $2); if ($2 + 0 > 0) print $2 }' | head -1
}

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$ROOT/bench/results"
STAMP="$(date -u +%Y-%m-%d)"
SUFFIX=""
[ "$KEYSPACE" -gt 0 ] && SUFFIX="-r$KEYSPACE"
[ "$VALUE_SIZE" != 3 ] && SUFFIX="$SUFFIX-d$VALUE_SIZE"
[ -n "$COMPARE" ] && SUFFIX="$SUFFIX-compare"
OUT="$ROOT/bench/results/$STAMP-resp$SUFFIX.md"
{
  echo "# RESP benchmark, $STAMP"
  echo
  keys="redis-benchmark's default key"; [ "$KEYSPACE" -gt 0 ] && keys="-r $KEYSPACE random keys"
  echo "redis-benchmark -c $CLIENTS -n $REQUESTS -d $VALUE_SIZE, $keys, median of $RUNS runs; $(nproc) cores; $(redis-server --version | awk '{print $3}')"
  echo
} > "$OUT"

for mode in $MODES; do
  fsync=always; [ "$mode" = periodic ] && fsync=everysec
  ip="$(free_port)"; rp="$(free_port)"
  rm -rf "$WORK/icefire" "$WORK/redis"; mkdir -p "$WORK/redis"
  echo "bench: starting IceFire (durability $mode) on $ip and redis-server (appendfsync $fsync) on $rp" >&2
  dotnet "$SILO" serve --data "$WORK/icefire" --resp-port "$ip" --sql-port off --durability "$mode" > "$WORK/icefire.log" 2>&1 &
  PIDS+=($!)
  if [ -n "$COMPARE" ]; then
    cp="$(free_port)"
    rm -rf "$WORK/compare"
    echo "bench: starting $COMPARE (durability $mode) on $cp" >&2
    dotnet "$COMPARE" serve --data "$WORK/compare" --resp-port "$cp" --sql-port off --durability "$mode" > "$WORK/compare.log" 2>&1 &
    PIDS+=($!)
  fi
  redis-server --port "$rp" --bind 127.0.0.1 --dir "$WORK/redis" --save "" --appendonly yes --appendfsync "$fsync" \
    --daemonize no > "$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  wait_ping "$ip"; wait_ping "$rp"
  [ -n "$COMPARE" ] && wait_ping "$cp"
  {
    echo "## durability $mode (redis: appendonly yes, appendfsync $fsync)"
    echo
    if [ -n "$COMPARE" ]; then
      echo "| command | pipeline | IceFire ops/s | compared build ops/s | IceFire/compared | Redis ops/s | IceFire/Redis |"
      echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    else
      echo "| command | pipeline | IceFire ops/s | Redis ops/s | IceFire/Redis |"
      echo "| --- | --- | ---: | ---: | ---: |"
    fi
  } >> "$OUT"
  for pipeline in $PIPELINES; do
    for test in $TESTS; do
      icefire_runs=(); redis_runs=(); cluster_runs=()
      for run in $(seq 1 "$RUNS"); do
        echo "bench: $mode $test -P $pipeline run $run/$RUNS" >&2
        icefire_runs+=("$(rps "$ip" "$test" "$pipeline")")
        [ -n "$COMPARE" ] && cluster_runs+=("$(rps "$cp" "$test" "$pipeline")")
        redis_runs+=("$(rps "$rp" "$test" "$pipeline")")
      done
      i="$(printf '%s\n' "${icefire_runs[@]}" | median)"
      r="$(printf '%s\n' "${redis_runs[@]}" | median)"
      ratio="$(awk -v a="$i" -v b="$r" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
      if [ -n "$COMPARE" ]; then
        c="$(printf '%s\n' "${cluster_runs[@]}" | median)"
        cratio="$(awk -v a="$i" -v b="$c" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
        printf '| %s | %s | %.0f | %.0f | %s | %.0f | %s |\n' "${test^^}" "$pipeline" "$i" "$c" "$cratio" "$r" "$ratio" >> "$OUT"
      else
        printf '| %s | %s | %.0f | %.0f | %s |\n' "${test^^}" "$pipeline" "$i" "$r" "$ratio" >> "$OUT"
      fi
    done
  done
  echo >> "$OUT"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
done

cat "$OUT"
echo "bench: table written to ${OUT#$ROOT/}" >&2
