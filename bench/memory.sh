#!/usr/bin/env bash
# The silo's resident memory (VmRSS) before, during and after two clients that try to make a server hold a lot,
# next to redis-server measured the same way in the same run:
#   1. a client that pipelines 1,000 GETs of a 1 MiB value and never reads a reply, then closes;
#   2. a MULTI of 1,000,000 queued SETs, then DISCARD.
# Prints Markdown and writes it to bench/results/DATE-memory.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILO="${SILO:-$ROOT/.build/silo/IceFire.Silo.dll}"
GETS=1000
QUEUED=1000000
HOLD=5
IDLE=15

usage() {
  cat <<'USAGE'
Usage: ./icefire bench memory [--gets N] [--queued N] [--hold S] [--idle S]

Starts IceFire (one silo, durability always) and redis-server (appendonly yes) on free loopback ports, then per
server: RSS at rest; a client sends N (default 1000) GET of a 1 MiB value without reading and holds the
connection S seconds (default 5; peak RSS sampled every 0.2 s), then closes; RSS 1 s after and after S idle
seconds (default 15). Then MULTI with N (default 1,000,000) queued SETs (peak RSS), DISCARD, RSS after and
after idle. SILO=path/IceFire.Silo.dll picks the silo build.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --gets) GETS="$2"; shift 2 ;;
    --queued) QUEUED="$2"; shift 2 ;;
    --hold) HOLD="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench memory: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

source "$ROOT/bench/lib.sh"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The measuring client: python3 with sockets only. Prints "name MB" lines.
cat > "$WORK/measure.py" <<'PY'
import socket, sys, threading, time

port, pid, gets, queued, hold, idle = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])

def rss():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return -1

def call(sock, *args):
    frame = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    sock.sendall(frame)
    return read_reply(sock.makefile("rb"))

def read_reply(f):
    line = f.readline()
    if line[:1] == b"$":
        n = int(line[1:])
        return f.read(n + 2) if n >= 0 else None
    return line

def report(name, value):
    print(f"{name} {value}", flush=True)

admin = socket.create_connection(("127.0.0.1", port))
call(admin, b"SET", b"big", b"v" * (1 << 20))
time.sleep(1)
report("rest", rss())

# 1. pipelined GETs of 1 MiB, never read
client = socket.create_connection(("127.0.0.1", port))
pipeline = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * gets
sender = threading.Thread(target=lambda: client.sendall(pipeline), daemon=True)
sender.start()
peak, end = 0, time.time() + hold
while time.time() < end:
    peak = max(peak, rss())
    time.sleep(0.2)
report("get_peak", peak)
client.close()
time.sleep(1)
report("get_after", rss())
time.sleep(idle)
report("get_idle", rss())

# 2. MULTI with many queued SETs, replies read by a second thread
multi = socket.create_connection(("127.0.0.1", port))
counted = [0]
def drain():
    f = multi.makefile("rb")
    while counted[0] < queued + 1:
        if not f.readline():
            break
        counted[0] += 1
reader = threading.Thread(target=drain, daemon=True)
reader.start()
multi.sendall(b"*1\r\n$5\r\nMULTI\r\n")
chunk = []
peak = 0
for i in range(queued):
    key = b"key:%d" % i
    chunk.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n" % (len(key), key))
    if len(chunk) == 10000:
        multi.sendall(b"".join(chunk))
        chunk = []
        peak = max(peak, rss())
if chunk:
    multi.sendall(b"".join(chunk))
reader.join()
peak = max(peak, rss())
report("multi_peak", peak)
multi.sendall(b"*1\r\n$7\r\nDISCARD\r\n")
multi.recv(16)
multi.close()
time.sleep(1)
report("multi_after", rss())
time.sleep(idle)
report("multi_idle", rss())
PY

mkdir -p "$ROOT/bench/results"
STAMP="$(date -u +%Y-%m-%d)"
OUT="$ROOT/bench/results/$STAMP-memory.md"

ip="$(free_port)"; rp="$(free_port)"
mkdir -p "$WORK/redis"
echo "bench: starting IceFire on $ip and redis-server on $rp" >&2
dotnet "$SILO" serve --data "$WORK/icefire" --resp-port "$ip" --sql-port off > "$WORK/icefire.log" 2>&1 &
ipid=$!; PIDS+=("$ipid")
redis-server --port "$rp" --bind 127.0.0.1 --dir "$WORK/redis" --save "" --appendonly yes --daemonize no > "$WORK/redis.log" 2>&1 &
rpid=$!; PIDS+=("$rpid")
wait_ping "$ip"; wait_ping "$rp"
# dotnet may run the silo as a child process of its own.
silo_pid="$(pgrep -P "$ipid" -f IceFire.Silo.dll || echo "$ipid")"

echo "bench: IceFire" >&2
python3 "$WORK/measure.py" "$ip" "$silo_pid" "$GETS" "$QUEUED" "$HOLD" "$IDLE" > "$WORK/icefire.txt"
echo "bench: redis-server" >&2
python3 "$WORK/measure.py" "$rp" "$rpid" "$GETS" "$QUEUED" "$HOLD" "$IDLE" > "$WORK/redis.txt"

row() {
  local label="$1" key="$2"
  printf '| %s | %s | %s |\n' "$label" "$(awk -v k="$key" '$1 == k { print $2 }' "$WORK/icefire.txt")" \
    "$(awk -v k="$key" '$1 == k { print $2 }' "$WORK/redis.txt")"
}

{
  echo "# Memory under clients that hold a lot, $STAMP"
  echo
  echo "VmRSS in MB; $(nproc) cores; $(redis-server --version | awk '{print $3}'); default limits on both servers."
  echo
  echo "| moment | IceFire | redis-server |"
  echo "| --- | ---: | ---: |"
  row "at rest, 1 MiB value stored" rest
  row "peak while a client pipelines $GETS GET of it, never reading (${HOLD} s)" get_peak
  row "1 s after that client closed" get_after
  row "after ${IDLE} s idle" get_idle
  row "peak with MULTI of $QUEUED queued SETs" multi_peak
  row "1 s after DISCARD and close" multi_after
  row "after ${IDLE} s idle" multi_idle
} | tee "$OUT"
