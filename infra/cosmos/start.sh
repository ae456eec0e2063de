#!/usr/bin/env bash
# Start the local Cosmos DB emulator (infra/cosmos/server.js) in the background.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$DIR/.run"
PID_FILE="$RUN_DIR/cosmos.pid"
PORT_FILE="$RUN_DIR/cosmos.port"
LOG_FILE="$RUN_DIR/cosmos.log"
WAIT_SECONDS=30

usage() {
  cat <<EOF
Usage: $(basename "$0") [--port N] [--http] [--print-endpoint] [-h|--help]

Starts the in-memory Cosmos DB emulator in the background and waits until it
answers (at most ${WAIT_SECONDS} s). Installs its npm dependencies from
package-lock.json first (npm ci) if node_modules is missing.

  --port N, -p N, N   port to listen on (default: \$COSMOS_PORT or 8081)
  --http              serve plain HTTP instead of HTTPS (self-signed cert)
  --print-endpoint    accepted for scripts; stdout always carries only the
                      endpoint, e.g. ENDPOINT="\$(start.sh --print-endpoint)"
  -h, --help          show this help

Files: pid  $PID_FILE
       log  $LOG_FILE
Standard output is only the endpoint (e.g. https://127.0.0.1:8081/); progress
messages and errors go to standard error.
Idempotent: if the emulator is already running on the same port, it only
prints the endpoint. Stop it with stop.sh.
EOF
}

PORT="${COSMOS_PORT:-8081}"
SCHEME=https
EXTRA_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    -p|--port) [[ $# -ge 2 ]] || { echo "start.sh: $1 needs a value" >&2; exit 2; }; PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#--port=}"; shift ;;
    --http) SCHEME=http; EXTRA_ARGS+=(--http); shift ;;
    --print-endpoint) shift ;;
    [0-9]*) PORT="$1"; shift ;;
    *) echo "start.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  echo "start.sh: invalid port: $PORT" >&2
  exit 2
fi
ENDPOINT="$SCHEME://127.0.0.1:$PORT/"

die() {
  echo "start.sh: $*" >&2
  if [[ -f "$LOG_FILE" ]]; then
    echo "---- last lines of $LOG_FILE ----" >&2
    tail -n 40 "$LOG_FILE" >&2 || true
    echo "----" >&2
  fi
  exit 1
}

is_our_server() { # pid -> true if it is a live node process running our server.js
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "server.js"
}

probe() { # true once the emulator answers an HTTP(S) request on $PORT
  node -e '
    const [scheme, port] = process.argv.slice(1);
    const mod = require(scheme);
    const req = mod.get({ host: "127.0.0.1", port: Number(port), path: "/", rejectUnauthorized: false, timeout: 2000 },
      res => { res.resume(); process.exit(0); });
    req.on("timeout", () => req.destroy());
    req.on("error", () => process.exit(1));
  ' "$SCHEME" "$PORT" >/dev/null 2>&1
}

command -v node >/dev/null 2>&1 || die "node is not installed (Node.js 20+ required)"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
(( NODE_MAJOR >= 20 )) || die "Node.js 20+ required, found $(node --version)"

mkdir -p "$RUN_DIR"

# Already running?
if [[ -f "$PID_FILE" ]]; then
  OLD_PID="$(cat "$PID_FILE" 2>/dev/null || true)"
  if is_our_server "$OLD_PID"; then
    OLD_PORT="$(cat "$PORT_FILE" 2>/dev/null || echo "?")"
    if [[ "$OLD_PORT" == "$PORT" ]]; then
      echo "cosmos emulator already running (pid $OLD_PID), log: $LOG_FILE" >&2
      echo "$ENDPOINT"
      exit 0
    fi
    die "emulator already running on port $OLD_PORT (pid $OLD_PID); run stop.sh first"
  fi
  rm -f "$PID_FILE" "$PORT_FILE"   # stale
fi

if probe; then
  echo "start.sh: port $PORT is already in use by another process" >&2
  exit 1
fi

if [[ ! -d "$DIR/node_modules/@vercel/cosmosdb-server" ]]; then
  echo "installing emulator dependencies (npm ci) ..." >&2
  (cd "$DIR" && npm ci --no-audit --no-fund) 1>&2 || die "npm ci failed in $DIR"
fi

: > "$LOG_FILE"
# setsid: own session/process group, so the server outlives this shell and
# stop.sh can signal it cleanly.
setsid node "$DIR/server.js" --port "$PORT" "${EXTRA_ARGS[@]}" >>"$LOG_FILE" 2>&1 < /dev/null &
PID=$!
echo "$PID" > "$PID_FILE"
echo "$PORT" > "$PORT_FILE"

deadline=$((SECONDS + WAIT_SECONDS))
until grep -q "cosmos emulator listening" "$LOG_FILE" 2>/dev/null && probe; do
  if ! kill -0 "$PID" 2>/dev/null; then
    rm -f "$PID_FILE" "$PORT_FILE"
    die "emulator exited during start-up (port $PORT in use?)"
  fi
  if (( SECONDS >= deadline )); then
    kill "$PID" 2>/dev/null || true
    rm -f "$PID_FILE" "$PORT_FILE"
    die "emulator did not answer on port $PORT within ${WAIT_SECONDS} s"
  fi
  sleep 0.2
done

echo "cosmos emulator started (pid $PID), log: $LOG_FILE" >&2
echo "$ENDPOINT"
