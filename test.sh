#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores packages, starts the emulators the
# integration tests need (and stops them again), runs `dotnet test`, and ends with one summary line:
#   tests: N passed, N failed, N skipped
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'USAGE'
Usage: ./test.sh [--no-emulators] [--filter EXPR]

Restores, builds (Release) and runs all test projects of ServerlessBilling.sln.
  --no-emulators   do not start the Cosmos-compatible emulator; its integration tests are skipped with a reason
  --filter EXPR    pass a dotnet test filter (e.g. "FullyQualifiedName~Rating"); skips the switch e2e
  -h, --help       this text
Environment: COSMOS_ENDPOINT / COSMOS_KEY point the integration tests at an existing Cosmos DB
(official emulator or Azure) instead of starting the local one.
USAGE
}

start_emulators=1
filter=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --no-emulators) start_emulators=0; shift ;;
    --filter) filter=(--filter "$2"); shift 2 ;;
    *) echo "test.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

results=".tmp/TestResults"
rm -rf "$results"
mkdir -p "$results"

stop_all() {
  if [[ -x infra/cosmos/stop.sh ]]; then infra/cosmos/stop.sh >/dev/null 2>&1 || true; fi
  if [[ -n "${started_azurite:-}" ]]; then infra/azurite/stop.sh >/dev/null 2>&1 || true; fi
}
trap stop_all EXIT

# The dashboard's browser tests drive Debian's chromium by its path (Playwright downloads no browser).
if [[ ! -x /usr/bin/chromium && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "==> installing chromium for the browser tests"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || echo "    chromium could not be installed: the browser tests will be skipped"
fi

echo "==> restore and build"
dotnet restore ServerlessBilling.sln --nologo --locked-mode
dotnet build ServerlessBilling.sln --no-restore -c Release --nologo -clp:ErrorsOnly

# The deployment checks: a failure fails the run, after the tests so that the summary line still comes last.
checks=0
echo "==> bicep build and lint (any warning fails)"
scripts/bicep-check.sh || { echo "==> bicep check FAILED"; checks=1; }
echo "==> publish the Functions app"
scripts/publish-functions.sh --no-build -clp:ErrorsOnly || { echo "==> Functions publish FAILED"; checks=1; }

if [[ $start_emulators -eq 1 && -z "${COSMOS_ENDPOINT:-}" && -x infra/cosmos/start.sh ]]; then
  echo "==> starting the Cosmos-compatible emulator"
  export COSMOS_ENDPOINT
  COSMOS_ENDPOINT="$(infra/cosmos/start.sh | tail -n 1)"
  echo "    $COSMOS_ENDPOINT"
  export COSMOS_EMULATOR=local
fi

if [[ $start_emulators -eq 1 && -z "${AZURITE_CONNECTION_STRING:-}" && -x infra/azurite/start.sh ]]; then
  echo "==> starting Azurite (Blob)"
  export AZURITE_CONNECTION_STRING; AZURITE_CONNECTION_STRING="$(infra/azurite/start.sh | tail -n 1)"; started_azurite=1
fi

echo "==> dotnet test"
# One run per test project, each with its own TRX file, so that no result overwrites another.
status=0
for project in tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  if [[ $start_emulators -eq 0 && "$name" == *Cosmos* && -z "${COSMOS_ENDPOINT:-}" ]]; then
    echo "==> $name: skipped (--no-emulators and no COSMOS_ENDPOINT)"
    continue
  fi
  echo "==> $name"
  dotnet test "$project" --no-build -c Release --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" "${filter[@]}" || status=1
done

if [[ ${#filter[@]} -eq 0 ]]; then
  echo "==> switch integration: Kamailio and SIPp against the local host"
  infra/switch/e2e.sh || { echo "==> switch e2e FAILED"; checks=1; }
else
  echo "==> switch integration: skipped (--filter)"
fi

scripts/summarize-trx.sh "$results"
if [[ $checks -ne 0 ]]; then
  echo "test.sh: the bicep check, the Functions publish or the switch e2e failed (see above)" >&2
  status=1
fi
exit $status
