# Helpers the benchmark scripts share; sourced, not run.

# A free TCP port on the loopback interface.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_ping PORT: waits up to 30 s for a RESP server on PORT to answer PING; exits the script otherwise.
wait_ping() {
  local port="$1"
  for _ in $(seq 1 300); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.1
  done
  echo "bench: server on port $port did not answer" >&2
  exit 1
}

# The median of the numbers on stdin (0 when there are none).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# build_load_tool: builds bench/cluster/ClusterBench and defines load ARGS... to run it. Needs ROOT and say.
build_load_tool() {
  say "building the load tool"
  dotnet build "$ROOT/bench/cluster/ClusterBench/ClusterBench.csproj" -c Release -o "$ROOT/.build/cluster-bench" -nologo -v quiet -clp:ErrorsOnly >&2
  load() { dotnet "$ROOT/.build/cluster-bench/IceFire.Cluster.Bench.dll" "$@"; }
}

# start_cluster DIR PORT LOG: ./icefire cluster up with 3 silos in DIR, silo 1's RESP on PORT; exits the script on failure.
start_cluster() {
  say "starting a 3-silo cluster in $1"
  "$ROOT/icefire" cluster up --nodes 3 --dir "$1" --port "$2" >"$3" 2>&1 || { cat "$3" >&2; exit 1; }
}
