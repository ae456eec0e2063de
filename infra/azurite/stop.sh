#!/usr/bin/env bash
# Stop the Azurite started by start.sh (idempotent).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PID_FILE="$DIR/.run/azurite.pid"

if [[ ! -f "$PID_FILE" ]]; then
  echo "azurite not running (no pid file)"
  exit 0
fi

PID="$(cat "$PID_FILE" 2>/dev/null || true)"
if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
  kill "$PID" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$PID" 2>/dev/null || true
fi
rm -f "$PID_FILE"
rm -rf "$DIR/.run/data"
echo "azurite stopped"
