#!/usr/bin/env bash
# Raft benchmark: IceFire's Raft library against etcd 3.4 (Debian's etcd-server), both as 3 members on loopback
# writing to disk with fsync, under the same closed-loop workload (1, 16 and 256 concurrent proposers), plus the
# cost of 1,000 idle groups on 3 nodes. Results are printed as Markdown and kept in bench/raft/results/.
#
#   bench/raft/run.sh                      # defaults
#   SECONDS_PER_ROW=10 IDLE_GROUPS=2000 bench/raft/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${SECONDS_PER_ROW:-5}
concurrency=${CONCURRENCY:-1,16,256}
payload=${PAYLOAD:-128}
idle_groups=${IDLE_GROUPS:-1000}
mkdir -p bench/raft/results
out=${OUT:-bench/raft/results/$(date -u +%Y-%m-%d-%H%M).md}
# On disk, not tmpfs, so that fsync costs what it costs.
work=$(mktemp -d /var/tmp/icefire-raft-bench.XXXXXX)
etcd_pids=()
cleanup() {
  for p in "${etcd_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release -v q -nologo bench/raft/RaftBench/RaftBench.csproj >/dev/null
bench() { dotnet bench/raft/RaftBench/bin/Release/net10.0/IceFire.Raft.Bench.dll "$@"; }

start_etcd() {
  local cluster="m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803"
  for i in 1 2 3; do
    etcd --name "m$i" --data-dir "$work/etcd$i" \
      --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
      --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token icefire-bench \
      >"$work/etcd$i.log" 2>&1 &
    etcd_pids+=($!)
  done
  for _ in $(seq 1 100); do
    if curl -sf http://127.0.0.1:23791/health | grep -q '"true"'; then return 0; fi
    sleep 0.2
  done
  echo "etcd did not become healthy; see $work/etcd1.log" >&2
  return 1
}

{
  echo "## Raft benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(nproc) cores, $(uname -sr), $(df -T /var/tmp | awk 'NR==2 {print $2}') at /var/tmp"
  echo
  bench commits "$seconds" "$concurrency" "$payload" "$work/icefire"
  echo
  if command -v etcd >/dev/null; then
    start_etcd
    bench etcd "$seconds" "$concurrency" "$payload" "http://127.0.0.1:23791,http://127.0.0.1:23792,http://127.0.0.1:23793"
    for p in "${etcd_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    etcd_pids=()
  else
    echo "(etcd not installed: apt-get install etcd-server to compare)"
  fi
  echo
  bench idle "$idle_groups" 10 "$work/idle"
  echo
  bench idle "$idle_groups" 10 "$work/idle-quiet" 10
} | tee "$out"
