#!/usr/bin/env bash
# pgbench-style SQL transactions through IceFire's PostgreSQL-protocol gateway (a single silo, and a 3-silo cluster
# through the tenant's leader and a follower) next to a single-node PostgreSQL in the same run, with fsync on both.
# Prints Markdown and writes it to bench/results/DATE-sql.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SILO="$ROOT/.build/silo/IceFire.Silo.dll"
SCRIPTS="$ROOT/bench/sql"
RUNS=3
SECONDS_PER_ROW=5
CONCURRENCY="1 16 64"
TESTS="insert select update mixed"
MODE=prepared
ROWS=10000
PORT=7601
KEEP=0
CLUSTER_ON=1
PASSWORD="$(head -c 12 /dev/urandom | base64 | tr "+/" "-_")"

usage() {
  cat <<'USAGE'
Usage: ./icefire bench sql [--runs N] [--seconds S] [--clients "1 16 64"] [--tests "insert select update mixed"]
                           [--mode prepared|extended|simple] [--rows N] [--port PORT] [--skip-cluster] [--keep]

Runs pgbench with custom scripts (bench/sql/*.sql, valid for SQLite and PostgreSQL alike) against:
  - one IceFire silo (default durability: fsync before every reply), data under /var/tmp;
  - a 3-silo IceFire cluster (./icefire cluster up), through the default tenant's leader silo and through a
    follower silo; silo i serves SQL on PORT+2000+i-1. When the cluster's silos do not serve SQL, this is
    said and the cluster rows are skipped;
  - a private PostgreSQL (Debian's postgresql package: initdb and pg_ctl, run as the postgres user when
    started as root) on a free loopback port, data under /var/tmp, fsync and synchronous_commit on.
Each system gets the same schema: bench_accounts with N rows (--rows, default 10000, loaded by one INSERT in one
transaction) and an empty bench_history. The tests, one transaction each:
  insert   INSERT of one row into bench_history
  select   SELECT of one account by primary key
  update   UPDATE of one account's balance by primary key
  mixed    pgbench's simple-update: BEGIN; UPDATE; SELECT; INSERT; END
Each row runs S seconds (--seconds, default 5) at each client count (--clients, default "1 16 64"; pgbench -j is
the smaller of the clients and the cores), RUNS times (--runs, default 3), the systems taking turns within
each run; the medians of tx/s and of each run's p50 and p99 latency (from pgbench's per-transaction log) are
reported, with each system's tx/s over PostgreSQL's.
--mode is pgbench's -M (default prepared: Parse once, then Bind/Execute per statement).
--port is cluster silo 1's RESP port (admin PORT+1000.., SQL PORT+2000.., cluster PORT+10000..).
--skip-cluster measures the single silo and PostgreSQL only. --keep leaves the work directory (data, logs) in
/var/tmp.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_ROW="$2"; shift 2 ;;
    --clients) CONCURRENCY="$2"; shift 2 ;;
    --tests) TESTS="$2"; shift 2 ;;
    --mode) MODE="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --skip-cluster) CLUSTER_ON=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf 'bench: %s\n' "$*" >&2; }
case "$MODE" in simple|extended|prepared) ;; *) say "--mode must be simple, extended or prepared"; exit 2 ;; esac
for t in $TESTS; do
  [ -f "$SCRIPTS/$t.sql" ] || { say "unknown test '$t' (insert, select, update, mixed)"; exit 2; }
done
for n in "$RUNS" "$SECONDS_PER_ROW" "$ROWS" "$PORT" $CONCURRENCY; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { say "'$n' is not a positive whole number"; exit 2; }
done

source "$ROOT/bench/lib.sh"
port_busy() { python3 -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",int(sys.argv[1]))) != 0)' "$1"; }

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/pgbench" ] || { say "PostgreSQL's server and pgbench are missing (apt-get install postgresql)"; exit 1; }
PG_VERSION="$("$PG_BIN/postgres" --version | awk '{ print $3 }')"
PGBENCH="$PG_BIN/pgbench"
PSQL="$PG_BIN/psql"

if [ "$CLUSTER_ON" = 1 ]; then
  for offset in 0 1 2 1000 1001 1002 2000 2001 2002 10000 10001 10002; do
    if port_busy $((PORT + offset)); then
      say "port $((PORT + offset)) is in use; choose another base with --port (or --skip-cluster)"
      exit 1
    fi
  done
fi

# On disk, not tmpfs, so that fsync costs what it costs.
WORK="$(mktemp -d /var/tmp/icefire-sql-bench.XXXXXX)"
# PostgreSQL refuses to run as root; its own user must reach its data directory inside.
chmod 711 "$WORK"
CLUSTER="$WORK/cluster"
PG_DATA="$WORK/postgres/data"
PIDS=()
PG_STARTED=0
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "$PG_STARTED" = 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ -f "$CLUSTER/cluster.conf" ]; then "$ROOT/icefire" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true; fi
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10
# Where each system takes SQL: port, user, database. The follower and leader share the tenant's tables.
declare -A SQL_PORT SQL_USER SQL_DB
SQL_USER[single]=default; SQL_DB[single]=default
SQL_USER[leader]=default; SQL_DB[leader]=default
SQL_USER[follower]=default; SQL_DB[follower]=default
SQL_USER[postgres]=bench; SQL_DB[postgres]=postgres
CLUSTER_NOTE=""
FOLLOWER_PORT=""
MAX_CLIENTS="$(printf '%s\n' $CONCURRENCY | sort -n | tail -1)"

sql_ok() { "$PSQL" -X -q -h 127.0.0.1 -p "$1" -U "$2" -d "$3" -c 'SELECT 1' >/dev/null 2>&1; }

# wait_log LOG PID: waits for a silo's "ready" line; fails when the silo exits first.
wait_log() {
  local log="$1" pid="$2"
  for _ in $(seq 1 1200); do
    grep -q '^icefire: ready$' "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  say "the silo did not get ready; the end of $log:"
  tail -n 20 "$log" >&2
  exit 1
}

start_single() {
  local resp
  resp="$(free_port)"; SQL_PORT[single]="$(free_port)"
  say "starting one IceFire silo (SQL on ${SQL_PORT[single]}, data in $WORK/single)"
  # The default tenant's password goes through the environment, not the arguments, so it does not show in ps.
  ICEFIRE_REQUIREPASS="$PASSWORD" dotnet "$SILO" serve --data "$WORK/single" --resp-port "$resp" \
    --sql-port "${SQL_PORT[single]}" >"$WORK/single.log" 2>&1 &
  PIDS+=($!)
  wait_log "$WORK/single.log" "$!"
}

start_postgres() {
  local own="$WORK/postgres" max=$((MAX_CLIENTS + 10))
  [ "$max" -lt 100 ] && max=100
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    say "PostgreSQL does not run as root and there is no postgres user (apt-get install postgresql makes one)"
    exit 1
  fi
  mkdir -p "$own"
  printf '%s\n' "$PASSWORD" >"$own/password"
  chmod 600 "$own/password"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$own"; fi
  SQL_PORT[postgres]="$(free_port)"
  say "starting PostgreSQL $PG_VERSION (port ${SQL_PORT[postgres]}, data in $own/data, fsync on, synchronous_commit on)"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U bench --auth=scram-sha-256 --pwfile="$own/password" --no-locale -E UTF8 \
    >"$own/initdb.log" 2>&1 || { tail -n 20 "$own/initdb.log" >&2; exit 1; }
  PG_STARTED=1
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$own/server.log" -w -t 60 -o "-p ${SQL_PORT[postgres]} \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories=$own -c max_connections=$max \
    -c fsync=on -c synchronous_commit=on -c full_page_writes=on" start >/dev/null \
    || { say "PostgreSQL did not start; the end of its log:"; tail -n 20 "$own/server.log" >&2; exit 1; }
}

cluster_json() { curl -fsS --max-time 10 "http://127.0.0.1:$((PORT + 1000))/cluster"; }

# start_cluster: starts 3 silos and finds the default tenant's leader and a follower as SQL ports. Returns 1, with
# CLUSTER_NOTE saying why, when the silos do not serve SQL.
start_cluster() {
  say "starting a 3-silo cluster in $CLUSTER"
  ICEFIRE_REQUIREPASS="$PASSWORD" "$ROOT/icefire" cluster up --nodes 3 --dir "$CLUSTER" --port "$PORT" \
    >"$WORK/cluster-up.log" 2>&1 || { cat "$WORK/cluster-up.log" >&2; exit 1; }
  # Silo i serves SQL on the fifth column of cluster.conf when it has one, else on RESP port + 2000.
  declare -gA NODE_SQL
  local node resp rest sqlp
  while read -r node resp _ _ sqlp rest; do
    NODE_SQL[$node]="${sqlp:-$((resp + 2000))}"
  done < <(grep -v '^#' "$CLUSTER/cluster.conf")
  local leader="" follower="" _i
  for _i in $(seq 1 150); do
    read -r leader follower < <(cluster_json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = next((t for t in d["tenants"] if t["name"] == "default"), None)
if t and t.get("leader"):
    print(t["leader"], next((r for r in t["replicas"] if r != t["leader"]), ""))' 2>/dev/null) || true
    [ -n "$leader" ] && break
    sleep 0.2
  done
  [ -n "$leader" ] || { say "the cluster's default tenant got no leader within 30 s"; exit 1; }
  SQL_PORT[leader]="${NODE_SQL[$leader]}"
  if ! sql_ok "${SQL_PORT[leader]}" default default; then
    local why
    why="$(grep -h '^icefire: SQL' "$CLUSTER/n$leader.log" | head -1 | sed 's/^icefire: //')"
    CLUSTER_NOTE="The 3-silo cluster was not measured: its silos do not serve SQL (nothing answers on silo $leader's SQL port ${SQL_PORT[leader]}; its log says: \"${why:-nothing about SQL}\")."
    say "the cluster's silos do not serve SQL (nothing answers on silo $leader's SQL port ${SQL_PORT[leader]}; its log says: \"${why:-nothing about SQL}\"); skipping the cluster rows"
    "$ROOT/icefire" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
    rm -f "$CLUSTER/cluster.conf"
    return 1
  fi
  CLUSTER_LEADER="$leader"
  if [ -n "$follower" ] && sql_ok "${NODE_SQL[$follower]}" default default; then
    FOLLOWER_PORT="${NODE_SQL[$follower]}"
    SQL_PORT[follower]="$FOLLOWER_PORT"
    CLUSTER_FOLLOWER="$follower"
  else
    CLUSTER_NOTE="The cluster's follower silo ${follower:-(none)} did not answer SQL; only its leader was measured."
    say "$CLUSTER_NOTE"
  fi
}

load_schema() {
  local s="$1"
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -h 127.0.0.1 -p "${SQL_PORT[$s]}" -U "${SQL_USER[$s]}" \
    -d "${SQL_DB[$s]}" -f "$SCRIPTS/schema.sql" >"$WORK/load-$s.log" 2>&1 \
    || { say "loading the schema into $s failed:"; cat "$WORK/load-$s.log" >&2; exit 1; }
}

# run_pgbench SYSTEM TEST CLIENTS SECONDS LOG-DIR: one pgbench run, with a per-transaction latency log in LOG-DIR.
run_pgbench() {
  local s="$1" t="$2" c="$3" secs="$4" dir="$5" threads
  threads="$(nproc)"; [ "$c" -lt "$threads" ] && threads="$c"
  rm -rf "$dir"; mkdir -p "$dir"
  "$PGBENCH" -n -M "$MODE" -f "$SCRIPTS/$t.sql" -D rows="$ROWS" -c "$c" -j "$threads" -T "$secs" \
    -l --log-prefix="$dir/tx" -h 127.0.0.1 -p "${SQL_PORT[$s]}" -U "${SQL_USER[$s]}" "${SQL_DB[$s]}"
}

# measure SYSTEM TEST CLIENTS: prints "tx/s p50-ms p99-ms failed aborted" for one run; pgbench's own output and
# errors stay in the work directory, and the first error line is kept for the report.
measure() {
  local s="$1" t="$2" c="$3" out="$WORK/log/$1-$2-$3" rc=0
  run_pgbench "$s" "$t" "$c" "$SECONDS_PER_ROW" "$WORK/log/tx" >"$out.out" 2>"$out.last" || rc=$?
  if [ "$rc" -ne 0 ]; then
    say "pgbench on $s ($t, $c clients) exited with $rc: $(grep -v '^pgbench: warning' "$out.last" | head -n 1)"
  fi
  cat "$out.last" >>"$out.err"
  local tps failed
  tps="$(awk '/^tps = / { print $3; exit }' "$out.out")"
  failed="$(awk '/^number of failed transactions:/ { print $5; exit }' "$out.out")"
  # pgbench's log: client, transaction, latency in microseconds, ...; index as floor(n*p) over the sorted list.
  cat "$WORK/log/tx"/tx* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -n | awk -v tps="${tps:-0}" \
    -v failed="${failed:-0}" -v aborted="$([ "$rc" -ne 0 ] && echo 1 || echo 0)" '
    { a[NR] = $1 }
    END {
      i50 = int(NR * 0.50) + 1; if (i50 > NR) i50 = NR
      i99 = int(NR * 0.99) + 1; if (i99 > NR) i99 = NR
      printf "%s %.3f %.3f %d %d\n", tps, NR ? a[i50] / 1000 : 0, NR ? a[i99] / 1000 : 0, failed, aborted
    }'
  rm -rf "$WORK/log/tx"
}

system_name() {
  case "$1" in
    single) echo "IceFire, 1 silo" ;;
    leader) echo "IceFire, 3 silos, via leader (silo $CLUSTER_LEADER)" ;;
    follower) echo "IceFire, 3 silos, via follower (silo $CLUSTER_FOLLOWER)" ;;
    postgres) echo "PostgreSQL $PG_VERSION" ;;
  esac
}

test_title() {
  case "$1" in
    insert) echo 'insert: `INSERT INTO bench_history(id, delta, mtime) VALUES (:id, :delta, CURRENT_TIMESTAMP)`' ;;
    select) echo 'select: `SELECT balance FROM bench_accounts WHERE id = :id`' ;;
    update) echo 'update: `UPDATE bench_accounts SET balance = balance + :delta WHERE id = :id`' ;;
    mixed) echo 'mixed (pgbench simple-update): `BEGIN`; the update; the select; the insert; `END`' ;;
  esac
}

report() {
  col() { awk -v k="$2" '{ print $k }' "$1" | median; }
  echo "# SQL benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "$(nproc) cores, $(uname -sr), $(df -T /var/tmp | awk 'NR==2 {print $2}') at /var/tmp; PostgreSQL $PG_VERSION; pgbench -M $MODE"
  echo
  echo "pgbench with custom scripts (bench/sql/), one transaction per script run, $SECONDS_PER_ROW s per row,"
  echo "median of $RUNS interleaved runs (tx/s, and each run's p50 and p99 from pgbench's per-transaction log);"
  echo "pgbench -j is the smaller of the clients and the cores, on the same machine. bench_accounts holds $ROWS rows,"
  echo "picked at random. IceFire: the default tenant over the PostgreSQL protocol, durability always (fsync before"
  echo "each reply); \"via leader\" connects to the silo leading the tenant, \"via follower\" to another silo. PostgreSQL:"
  echo "one server, fsync on, synchronous_commit on. All on loopback, data on disk. The last column is the row's tx/s"
  echo "over PostgreSQL's at the same client count."
  if [ -n "$CLUSTER_NOTE" ]; then echo; echo "$CLUSTER_NOTE"; fi
  local t c s f
  for t in $TESTS; do
    echo
    echo "## $(test_title "$t")"
    echo
    echo "| system | clients | tx/s | p50 ms | p99 ms | ÷ PostgreSQL |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    for s in $SYSTEMS; do
      for c in $CONCURRENCY; do
        f="$WORK/rows/$s-$t-$c"
        local tps pg
        tps="$(col "$f" 1)"; pg="$(col "$WORK/rows/postgres-$t-$c" 1)"
        if awk '$1 > 0 { found = 1 } END { exit !found }' "$f"; then
          printf '| %s | %s | %.0f | %.2f | %.2f | %s |\n' "$(system_name "$s")" "$c" "$tps" "$(col "$f" 2)" "$(col "$f" 3)" \
            "$(awk -v a="$tps" -v b="$pg" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
        else
          printf '| %s | %s | failed | | | |\n' "$(system_name "$s")" "$c"
        fi
      done
    done
  done
  local notes=""
  for t in $TESTS; do
    for s in $SYSTEMS; do
      for c in $CONCURRENCY; do
        f="$WORK/rows/$s-$t-$c"
        local failed aborted
        failed="$(awk '{ n += $4 } END { print n + 0 }' "$f")"; aborted="$(awk '{ n += $5 } END { print n + 0 }' "$f")"
        if [ "$failed" -gt 0 ] || [ "$aborted" -gt 0 ]; then
          notes+="- $(system_name "$s"), $t, $c clients: $failed failed transactions, $aborted of $RUNS runs ended with an error"
          notes+="; first error: \`$(grep -v '^pgbench: warning' "$WORK/log/$s-$t-$c.err" | head -1)\`"$'\n'
        fi
      done
    done
  done
  if [ -n "$notes" ]; then echo; echo "Errors:"; echo; printf '%s' "$notes"; fi
  if [ -n "${CLUSTER_LEADER:-}" ]; then
    local now
    now="$(cluster_json 2>/dev/null | python3 -c '
import json, sys
print(next(t["leader"] for t in json.load(sys.stdin)["tenants"] if t["name"] == "default"))' 2>/dev/null || echo unknown)"
    if [ "$now" != "$CLUSTER_LEADER" ]; then
      echo; echo "The default tenant's leader moved from silo $CLUSTER_LEADER to silo $now during the run."
    fi
  fi
}
start_single
start_postgres
SYSTEMS="single"
if [ "$CLUSTER_ON" = 1 ]; then
  if start_cluster; then SYSTEMS+=" leader"; [ -n "$FOLLOWER_PORT" ] && SYSTEMS+=" follower"; fi
else
  CLUSTER_NOTE="The cluster was not measured (--skip-cluster)."
fi
SYSTEMS+=" postgres"

for s in $SYSTEMS; do
  [ "$s" = follower ] && continue # the follower serves the leader's tenant: loaded once through the leader
  say "loading $ROWS accounts into $s"
  load_schema "$s"
done

mkdir -p "$WORK/rows" "$WORK/log"
say "warming up each system (1 s of the mixed transaction)"
for s in $SYSTEMS; do run_pgbench "$s" mixed 4 1 "$WORK/log/tx" >/dev/null 2>&1 || true; done
# The systems take turns within each run, so noise from other work on the machine spreads over all of them.
for run in $(seq 1 "$RUNS"); do
  for t in $TESTS; do
    for c in $CONCURRENCY; do
      for s in $SYSTEMS; do
        say "run $run/$RUNS: $t on $s, $c clients, ${SECONDS_PER_ROW}s"
        measure "$s" "$t" "$c" >>"$WORK/rows/$s-$t-$c"
      done
    done
  done
done

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/$(date -u +%Y-%m-%d)-sql.md"
report >"$OUT"
cat "$OUT"
say "table written to ${OUT#$ROOT/}"
