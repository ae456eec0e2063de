#!/usr/bin/env bash
# Start Azurite's Blob service (pinned in package-lock.json) on 127.0.0.1 in the background; print its connection string.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$DIR/.run"
PID_FILE="$RUN_DIR/azurite.pid"
LOG_FILE="$RUN_DIR/azurite.log"
WAIT_SECONDS=30
PORT="${AZURITE_BLOB_PORT:-10000}"
# Azurite's fixed development account (documented by Microsoft; not a secret).
ACCOUNT=devstoreaccount1
KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

case "${1:-}" in
  -h|--help)
    cat <<USAGE
Usage: $(basename "$0")

Starts Azurite's Blob service on http://127.0.0.1:\$AZURITE_BLOB_PORT (default 10000) with
--skipApiVersionCheck (current SDKs send newer API versions), data under $RUN_DIR.
Installs it from package-lock.json first (npm ci) when node_modules is missing.
Standard output is only the connection string; progress goes to standard error. Stop it with stop.sh.
USAGE
    exit 0 ;;
  "") ;;
  *) echo "start.sh: unknown argument: $1" >&2; exit 2 ;;
esac

connection_string() {
  echo "DefaultEndpointsProtocol=http;AccountName=$ACCOUNT;AccountKey=$KEY;BlobEndpoint=http://127.0.0.1:$PORT/$ACCOUNT;"
}

mkdir -p "$RUN_DIR"
if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "azurite already running (pid $(cat "$PID_FILE"))" >&2
  connection_string
  exit 0
fi

if [[ ! -x "$DIR/node_modules/.bin/azurite-blob" ]]; then
  echo "installing azurite (npm ci) ..." >&2
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

"$DIR/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$PORT" --skipApiVersionCheck \
  --location "$RUN_DIR/data" --silent >"$LOG_FILE" 2>&1 &
echo $! >"$PID_FILE"

for _ in $(seq 1 $((WAIT_SECONDS * 10))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "azurite started (pid $(cat "$PID_FILE")), log: $LOG_FILE" >&2
    connection_string
    exit 0
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    echo "azurite exited; see $LOG_FILE" >&2
    cat "$LOG_FILE" >&2
    exit 1
  fi
  sleep 0.1
done
echo "azurite did not answer on 127.0.0.1:$PORT within ${WAIT_SECONDS}s; see $LOG_FILE" >&2
exit 1
