#!/usr/bin/env bash
# A 3-silo IceFire cluster on this machine: replicated SET throughput and latency through the tenant's leader and
# through a follower (forwarded), next to etcd 3.4 (3 members) and redis-server (appendfsync always) in the same run;
# then 1,000 tenants on the 3 silos: memory, idle CPU and the failover time after kill -9 of one silo.
# Prints Markdown and writes it to bench/results/DATE-cluster.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=3
SECONDS_PER_ROW=5
CONCURRENCY="1 16 64"
TENANTS=1000
PORT=7401
FAILOVER_TIMEOUT=60
KEEP=0

usage() {
  cat <<'USAGE'
Usage: ./icefire bench cluster [--runs N] [--seconds S] [--clients "1 16 64"] [--keyspace N] [--size BYTES]
                               [--tenants N] [--port PORT] [--keep]

Part 1: starts a 3-silo cluster (./icefire cluster up, data under /var/tmp), etcd 3.4 as 3 members and
redis-server with appendonly yes, appendfsync always, all on loopback and on disk. A closed-loop SET load
(128-byte values, one key per client, one request in flight per client) runs for S seconds per row against
the default tenant through its leader silo, through a follower silo, against etcd's leader (v3 JSON gateway)
and against redis-server, at each client count, RUNS times interleaved; medians are reported.
Part 2: creates N tenants through the admin API, writes a key to each, reports each silo's RSS and idle CPU
over 10 s, then kill -9s the silo leading the most tenants and times, per tenant it led, the first SET
that succeeds through a surviving silo.
--keyspace N writes a random key of N with each request (redis-benchmark -r) instead of one key per client, and
--size sets the value's bytes (128 by default); results with either go to their own file.
--tenants 0 leaves part 2 out.
--port is silo 1's RESP port (admin PORT+1000.., cluster PORT+10000..). --keep leaves the work directory
(data and logs) in /var/tmp.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_ROW="$2"; shift 2 ;;
    --clients) CONCURRENCY="$2"; shift 2 ;;
    --tenants) TENANTS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --keyspace) export BENCH_KEYSPACE="$2"; shift 2 ;;
    --size) export BENCH_VALUE_SIZE="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf 'bench: %s\n' "$*" >&2; }
source "$ROOT/bench/lib.sh"
port_busy() { python3 -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",int(sys.argv[1]))) != 0)' "$1"; }

for offset in 0 1 2 1000 1001 1002 10000 10001 10002; do
  if port_busy $((PORT + offset)); then
    say "port $((PORT + offset)) is in use; choose another base with --port"
    exit 1
  fi
done

# On disk, not tmpfs, so that fsync costs what it costs.
WORK="$(mktemp -d /var/tmp/icefire-cluster-bench.XXXXXX)"
CLUSTER="$WORK/cluster"
PIDS=()
cleanup() {
  if [ -f "$CLUSTER/cluster.conf" ]; then "$ROOT/icefire" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true; fi
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_load_tool
start_cluster "$CLUSTER" "$PORT" "$WORK/cluster-up.log"
ADMIN="127.0.0.1:$((PORT + 1000))"
RESP_ALL="127.0.0.1:$PORT,127.0.0.1:$((PORT + 1)),127.0.0.1:$((PORT + 2))"
cluster_json() { curl -fsS --max-time 10 "http://$1/cluster"; }

# The default tenant's leader and a follower, as RESP endpoints.
read -r LEADER FOLLOWER < <(cluster_json "$ADMIN" | python3 -c '
import json, sys
d = json.load(sys.stdin)
resp = {m["id"]: m["addresses"]["resp"] for m in d["members"]}
t = next(t for t in d["tenants"] if t["name"] == "default")
print(resp[t["leader"]], next(resp[r] for r in t["replicas"] if r != t["leader"]))')

say "starting etcd (3 members) and redis-server (appendfsync always)"
etcd_cluster=""; etcd_clients=""
for i in 1 2 3; do
  cp="$(free_port)"; pp="$(free_port)"
  eval "ETCD_CLIENT_$i=$cp ETCD_PEER_$i=$pp"
  etcd_cluster+="${etcd_cluster:+,}m$i=http://127.0.0.1:$pp"
  etcd_clients+="${etcd_clients:+,}http://127.0.0.1:$cp"
done
for i in 1 2 3; do
  cp="$(eval echo "\$ETCD_CLIENT_$i")"; pp="$(eval echo "\$ETCD_PEER_$i")"
  etcd --name "m$i" --data-dir "$WORK/etcd$i" \
    --listen-client-urls "http://127.0.0.1:$cp" --advertise-client-urls "http://127.0.0.1:$cp" \
    --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "$etcd_cluster" --initial-cluster-state new --initial-cluster-token icefire-cluster-bench \
    >"$WORK/etcd$i.log" 2>&1 &
  PIDS+=($!)
done
REDIS_PORT="$(free_port)"
mkdir -p "$WORK/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --save "" --appendonly yes --appendfsync always \
  --daemonize no >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 150); do
  if curl -sf "http://127.0.0.1:$ETCD_CLIENT_1/health" | grep -q '"true"' && [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; then
    break
  fi
  sleep 0.2
done
curl -sf "http://127.0.0.1:$ETCD_CLIENT_1/health" | grep -q '"true"' || { say "etcd did not become healthy; see $WORK/etcd1.log"; exit 1; }

# Part 1: the systems take turns within each run, so noise from other work on the machine spreads over all of them.
SYSTEMS="leader follower etcd redis"
mkdir -p "$WORK/rows"
for run in $(seq 1 "$RUNS"); do
  for c in $CONCURRENCY; do
    for s in $SYSTEMS; do
      say "run $run/$RUNS: $s, $c clients, ${SECONDS_PER_ROW}s"
      case "$s" in
        leader) load resp "$LEADER" "$c" "$SECONDS_PER_ROW" 1 ;;
        follower) load resp "$FOLLOWER" "$c" "$SECONDS_PER_ROW" 1 ;;
        etcd) load etcd "$etcd_clients" "$c" "$SECONDS_PER_ROW" 1 ;;
        redis) load resp "127.0.0.1:$REDIS_PORT" "$c" "$SECONDS_PER_ROW" 1 ;;
      esac >>"$WORK/rows/$s-$c" 2>>"$WORK/rows/$s-$c.err" || {
        say "the load on $s with $c clients failed:"
        tail -n 20 "$WORK/rows/$s-$c.err" >&2
        exit 1
      }
    done
  done
done
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()

col() { awk -v k="$2" '{ print $k }' "$1" | median; }
declare -A OPS P50 P99 ERRS
for c in $CONCURRENCY; do
  for s in $SYSTEMS; do
    f="$WORK/rows/$s-$c"
    OPS[$s-$c]="$(col "$f" 1)"; P50[$s-$c]="$(col "$f" 2)"; P99[$s-$c]="$(col "$f" 3)"
    ERRS[$s-$c]="$(awk '{ n += $4 } END { print n + 0 }' "$f")"
  done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Part 2: many tenants (--tenants 0 leaves it out).
if [ "$TENANTS" -gt 0 ]; then
say "creating $TENANTS tenants and writing a key to each"
load tenants "$ADMIN" "$RESP_ALL" "$TENANTS" bench pw-bench 16 >"$WORK/tenants.out" || say "not every tenant was created and written; see below"
CREATED="$(awk '$1 == "created" { print $2 " in " $3 " s" }' "$WORK/tenants.out")"
WRITTEN="$(awk '$1 == "written" { print $2 " in " $3 " s" }' "$WORK/tenants.out")"

declare -A SILO_PID RSS CPU
for n in 1 2 3; do SILO_PID[$n]="$(cat "$CLUSTER/n$n.pid")"; done
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
declare -A T0
for n in 1 2 3; do T0[$n]="$(ticks "${SILO_PID[$n]}")"; done
sleep 10
HZ="$(getconf CLK_TCK)"
for n in 1 2 3; do
  CPU[$n]="$(awk -v a="${T0[$n]}" -v b="$(ticks "${SILO_PID[$n]}")" -v hz="$HZ" 'BEGIN { printf "%.1f", (b - a) / hz / 10 * 100 }')"
  RSS[$n]="$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/${SILO_PID[$n]}/status")"
done

# The silo leading the most bench tenants dies; a survivor serves the failover writes.
cluster_json "$ADMIN" >"$WORK/cluster-before.json"
read -r VICTIM SURVIVOR < <(python3 -c '
import json, sys, collections
d = json.load(open(sys.argv[1]))
led = collections.Counter(t["leader"] for t in d["tenants"] if t["name"].startswith("bench"))
victim = led.most_common(1)[0][0]
resp = {m["id"]: m["addresses"]["resp"] for m in d["members"]}
print(victim, next(r for i, r in resp.items() if i != victim))' "$WORK/cluster-before.json")
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for t in d["tenants"]:
    if t["name"].startswith("bench") and t["leader"] == sys.argv[2]: print(t["name"])' "$WORK/cluster-before.json" "$VICTIM" >"$WORK/moved.txt"
LEADERS_BEFORE="$(python3 -c '
import json, sys, collections
d = json.load(open(sys.argv[1]))
led = collections.Counter(t["leader"] for t in d["tenants"] if t["name"].startswith("bench"))
print(", ".join(f"silo {k}: {v}" for k, v in sorted(led.items())))' "$WORK/cluster-before.json")"
say "kill -9 silo $VICTIM (pid ${SILO_PID[$VICTIM]}), leader of $(wc -l <"$WORK/moved.txt") tenants; polling SET through $SURVIVOR"
load failover "${SILO_PID[$VICTIM]}" "$SURVIVOR" pw-bench "$FAILOVER_TIMEOUT" <"$WORK/moved.txt" >"$WORK/failover.out"
MOVED="$(awk '$1 == "tenant"' "$WORK/failover.out" | wc -l)"
STUCK="$(awk '$1 == "tenant" && $3 < 0' "$WORK/failover.out" | wc -l)"
FO_MEDIAN="$(awk '$1 == "tenant" && $3 >= 0 { print $3 }' "$WORK/failover.out" | median)"
FO_MAX="$(awk '$1 == "tenant" && $3 >= 0 { print $3 }' "$WORK/failover.out" | sort -g | tail -1)"
fi

mkdir -p "$ROOT/bench/results"
STAMP="$(date -u +%Y-%m-%d)"
KEYSPACE="${BENCH_KEYSPACE:-0}"
SIZE="${BENCH_VALUE_SIZE:-128}"
SUFFIX=""
if [ "$KEYSPACE" != 0 ]; then SUFFIX="$SUFFIX-r$KEYSPACE"; fi
if [ "$SIZE" != 128 ]; then SUFFIX="$SUFFIX-d$SIZE"; fi
OUT="$ROOT/bench/results/$STAMP-cluster$SUFFIX.md"
{
  echo "# Cluster benchmark, $STAMP"
  echo
  echo "$(nproc) cores, $(uname -sr), $(df -T /var/tmp | awk 'NR==2 {print $2}') at /var/tmp; $(etcd --version | awk 'NR==1 {print "etcd", $3}'), $(redis-server --version | awk '{print "redis-server", substr($3, 3)}')"
  echo
  echo "## Replicated writes"
  echo
  if [ "$KEYSPACE" = 0 ]; then keys="one key"; else keys="a random key of $KEYSPACE each time"; fi
  echo "Closed-loop SET of a $SIZE-byte value (etcd: put), $keys and one request in flight per client, ${SECONDS_PER_ROW} s per row,"
  echo "median of $RUNS interleaved runs. IceFire: 3 silos, the default tenant's 3 replicas, fsync on commit; \"leader\" sends"
  echo "to the silo leading the tenant, \"follower\" to another silo, which forwards. etcd 3.4: 3 members, puts to the leader"
  echo "through the v3 JSON gateway (a lower bound for etcd's gRPC path). Redis: one redis-server, appendonly yes,"
  echo "appendfsync always. All on loopback, data on disk; the last two columns are IceFire's ops/s over the row's."
  echo
  echo "| system | clients | ops/s | p50 ms | p99 ms | IceFire via leader ÷ this | IceFire via follower ÷ this |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for s in $SYSTEMS; do
    case "$s" in
      leader) name="IceFire, via leader" ;; follower) name="IceFire, via follower" ;;
      etcd) name="etcd 3.4, 3 members" ;; redis) name="redis-server, 1 node" ;;
    esac
    for c in $CONCURRENCY; do
      printf '| %s | %s | %.0f | %.2f | %.2f | %s | %s |\n' "$name" "$c" "${OPS[$s-$c]}" "${P50[$s-$c]}" "${P99[$s-$c]}" \
        "$(ratio "${OPS[leader-$c]}" "${OPS[$s-$c]}")" "$(ratio "${OPS[follower-$c]}" "${OPS[$s-$c]}")"
    done
  done
  for c in $CONCURRENCY; do
    for s in $SYSTEMS; do
      if [ "${ERRS[$s-$c]}" -gt 0 ]; then
        echo
        echo "$s, $c clients: ${ERRS[$s-$c]} error replies, first: $(head -1 "$WORK/rows/$s-$c.err")"
      fi
    done
  done
  if [ "$TENANTS" -gt 0 ]; then
    echo
    echo "## $TENANTS tenants on 3 silos"
    echo
    echo "Tenants created through the admin API (16 requests in flight): $CREATED; one SET each through the three silos"
    echo "in turn: $WRITTEN. Leaders of the tenants: $LEADERS_BEFORE. Idle CPU is measured over the 10 s after the writes."
    echo
    echo "| silo | RSS MB | idle CPU % of one core |"
    echo "| ---: | ---: | ---: |"
    for n in 1 2 3; do echo "| $n | ${RSS[$n]} | ${CPU[$n]} |"; done
    echo
    echo "Failover: kill -9 of silo $VICTIM, which led $MOVED tenants; each was polled with SET through a surviving silo"
    echo "($SURVIVOR) from the kill until the first +OK."
    echo
    echo "| tenants moved | median s | max s | not answering after ${FAILOVER_TIMEOUT} s |"
    echo "| ---: | ---: | ---: | ---: |"
    printf '| %s | %.2f | %.2f | %s |\n' "$MOVED" "${FO_MEDIAN:-0}" "${FO_MAX:-0}" "$STUCK"
    if grep -q '^error ' "$WORK/tenants.out"; then
      echo
      echo "Replies other than +OK while writing the first keys (count, text; tenant names shown as NAME):"
      echo
      grep -h '^error ' "$WORK/tenants.out" | sed 's/^error \([0-9]*\) /- \1 × `/; s/$/`/' | head -12
    fi
    if grep -q '^error ' "$WORK/failover.out"; then
      echo
      echo "Replies other than +OK while polling after the kill (count, text; tenant names shown as NAME):"
      echo
      grep -h '^error ' "$WORK/failover.out" | sed 's/^error \([0-9]*\) /- \1 × `/; s/$/`/' | head -12
    fi
  fi
} >"$OUT"

cat "$OUT"
say "table written to ${OUT#$ROOT/}"
