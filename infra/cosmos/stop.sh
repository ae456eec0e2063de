#!/usr/bin/env bash
# Stop the local Cosmos DB emulator started by start.sh.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$DIR/.run"
PID_FILE="$RUN_DIR/cosmos.pid"
PORT_FILE="$RUN_DIR/cosmos.port"

usage() {
  cat <<EOF
Usage: $(basename "$0") [-h|--help]

Stops the emulator whose pid is in $PID_FILE (and any child processes),
then removes the pid file. Does nothing if it is not running (idempotent).
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "stop.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
esac

if [[ ! -f "$PID_FILE" ]]; then
  echo "cosmos emulator not running (no pid file)"
  exit 0
fi

PID="$(cat "$PID_FILE" 2>/dev/null || true)"
if [[ -z "$PID" ]] || ! kill -0 "$PID" 2>/dev/null; then
  echo "cosmos emulator not running (stale pid file removed)"
  rm -f "$PID_FILE" "$PORT_FILE"
  exit 0
fi
if ! tr '\0' ' ' < "/proc/$PID/cmdline" 2>/dev/null | grep -q "server.js"; then
  echo "pid $PID is not the emulator (pid reused?); removing stale pid file"
  rm -f "$PID_FILE" "$PORT_FILE"
  exit 0
fi

# children first (the server spawns none today, but be thorough), then the server
CHILDREN="$(pgrep -P "$PID" 2>/dev/null || true)"
for c in $CHILDREN; do kill -TERM "$c" 2>/dev/null || true; done
kill -TERM "$PID" 2>/dev/null || true

for _ in $(seq 1 50); do
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$PID" 2>/dev/null; then
  echo "emulator (pid $PID) did not exit on SIGTERM; sending SIGKILL"
  for c in $CHILDREN; do kill -KILL "$c" 2>/dev/null || true; done
  kill -KILL "$PID" 2>/dev/null || true
fi

rm -f "$PID_FILE" "$PORT_FILE"
echo "cosmos emulator stopped (pid $PID)"
