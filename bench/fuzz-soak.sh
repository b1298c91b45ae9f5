#!/usr/bin/env bash
# Protocol fuzz soak: the RESP and PostgreSQL-wire fuzz tests of tests/Silo.Tests/Fuzz run for longer
# bursts than the suite's, so that millions of mutated inputs reach one silo. Every burst checks that
# other tenants' liveness probes stayed under 2 s, that nothing went unhandled, and that the silo's RSS
# came back down.
#
#   bench/fuzz-soak.sh [SECONDS_PER_BURST [BURSTS [SEED]]]     defaults: 300 s, 4 bursts, a random seed
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
export ICEFIRE_FUZZ_SECONDS="${1:-300}"
export ICEFIRE_FUZZ_BURSTS="${2:-4}"
[ -n "${3:-}" ] && export ICEFIRE_FUZZ_SEED="$3"
echo "fuzz soak: $ICEFIRE_FUZZ_BURSTS bursts of $ICEFIRE_FUZZ_SECONDS s per protocol${ICEFIRE_FUZZ_SEED:+, seed $ICEFIRE_FUZZ_SEED}"
dotnet build "$ROOT/tests/Silo.Tests" -c Release -nologo -v q
exec dotnet test "$ROOT/tests/Silo.Tests" -c Release --no-build -nologo \
  --filter "FullyQualifiedName~IceFire.Silo.Tests.Fuzz" --logger "console;verbosity=detailed"
