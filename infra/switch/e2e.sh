#!/usr/bin/env bash
# Real SIP calls through Kamailio (kamailio.cfg) against the local host, driven by SIPp: the switch integration
# kit, end to end. Exits 0 only when every check holds; prints one line per check and a summary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  cat <<'USAGE'
Usage: infra/switch/e2e.sh [--capacity [RATES]] [--keep] [-h|--help]

Installs what is missing (Debian: kamailio, kamailio-utils-modules, kamailio-extra-modules, sip-tester, jq, curl,
python3), starts the local host (memory store, with keys), Kamailio and a SIPp UAS on free loopback ports, seeds
an account per scenario through the admin API, and checks:
  billed    100 calls: the balance moves by exactly 100 x the rated charge; reserved 0, activeSessions 0
  denied    a call the account cannot pay for gets 402, and nothing is charged
  cut-off   a call longer than its credit is cut by the proxy at the grant; the pre-paid balance ends at 0, not below
  suspended an account suspended mid-call: its interim is denied, the proxy ends the call with its grant, and the
            terminate (the report after the denied interim) charges the rest: the whole call once
  long      a call longer than one grant is carried by interim updates, not cut, and charged what terminate said
  retry     terminates that first meet billing answering 503, or billing that charges but whose answer is lost:
            Kamailio sends them again, and each call is charged exactly once
  lost      Kamailio killed mid-call and restarted: expiry releases every reservation, the balance is untouched
  down      billing answering 503, then unreachable: the caller gets 503 both times
Everything it started is stopped on exit.

  --capacity [RATES]  instead of the checks above: billed calls at each rate of RATES (calls/s, default
                      "250 500 750 1000 1250 1500"), 10 s each, through the proxy with billing and through the
                      same proxy with billing bypassed (-A NO_BILLING, the baseline); reports the highest rate with
                      no failed call (and exact money) for both, and the CPU seconds each process used per step.
                      Figures depend on the machine and its load.
  --keep              keep the work directory (logs, SIPp error files) and say where it is
  -h, --help          this text
USAGE
}

mode=checks
rates="250 500 750 1000 1250 1500"
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --capacity) mode=capacity; if [[ $# -gt 1 && "$2" =~ ^[0-9\ ]+$ ]]; then rates="$2"; shift; fi; shift ;;
    --keep) keep=1; shift ;;
    *) echo "e2e.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

say() { echo "==> switch e2e [${SECONDS}s]: $*"; }
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- packages -------------------------------------------------------------------------------------------------
modules=/usr/lib/x86_64-linux-gnu/kamailio/modules
missing=()
command -v kamailio >/dev/null || missing+=(kamailio)
[[ -f $modules/http_client.so ]] || missing+=(kamailio-utils-modules)
[[ -f $modules/jansson.so ]] || missing+=(kamailio-extra-modules)
command -v sipp >/dev/null || missing+=(sip-tester)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v ss >/dev/null || missing+=(iproute2)
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# ---- processes and clean-up ------------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/switch-e2e.XXXXXX")"
pids=()
kamailio_pids=()
stop_all() {
  local pid
  for pid in "${kamailio_pids[@]}"; do stop_kamailio "$pid"; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $keep -eq 1 ]]; then echo "switch e2e: logs kept in $work"; else rm -rf "$work"; fi
}
trap stop_all EXIT

# Kamailio forks its workers; stop the main process and the workers it forked, by their ids.
stop_kamailio() {
  local main="$1" signal="${2:-TERM}" children
  children="$(pgrep -P "$main" 2>/dev/null || true)"
  kill -s "$signal" "$main" $children 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$main" 2>/dev/null || break; sleep 0.1; done
}

# A loopback port no socket uses (TCP or UDP), picked at random below the kernel's ephemeral range, so that an
# outgoing connection cannot take it between this check and the bind.
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
used_ports=" "
free_port() { # VARIABLE: set to the port (not echoed: the ports handed out are remembered in this shell)
  local port
  while true; do
    port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    [[ "$used_ports" == *" $port "* ]] && continue
    if ! ss -Htuan "sport = :$port" | grep -q .; then used_ports+="$port "; printf -v "$1" '%s' "$port"; return; fi
  done
}

# ---- the local host --------------------------------------------------------------------------------------------
switch_key="switch-e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
admin_key="admin-e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
free_port host_port
api="http://127.0.0.1:$host_port/api"
dll="$root/src/ServerlessBilling.Local/bin/Release/net10.0/ServerlessBilling.Local.dll"
if [[ ! -f "$dll" ]]; then
  say "building the local host"
  dotnet build "$root/src/ServerlessBilling.Local/ServerlessBilling.Local.csproj" -c Release --nologo -clp:ErrorsOnly >/dev/null
fi
# Short validity and grace, and a sweep each second, so that the lost-dialog check sees expiry within seconds.
say "starting the local host on 127.0.0.1:$host_port"
dotnet "$dll" --urls "http://127.0.0.1:$host_port" --Store=memory --Local:SeedDemo=false \
  --Auth:SwitchKeys="$switch_key" --Auth:AdminKeys="$admin_key" \
  --Local:SweepInterval=00:00:01 --CreditControl:ValiditySeconds=1 --CreditControl:GraceSeconds=3 \
  --Logging:LogLevel:Default=Warning >"$work/host.log" 2>&1 &
pids+=($!)
host_pid=$!
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$host_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.log" >&2; echo "switch e2e: the local host did not start" >&2; exit 1; }
  sleep 0.2
done

admin() { # METHOD PATH [BODY [CONTENT-TYPE]]
  curl -fsS -X "$1" -H "x-functions-key: $admin_key" -H "Content-Type: ${4:-application/json}" \
    ${3:+--data-binary "$3"} "$api/$2"
}
# 44 (fixed): 0.60/min, 30/6, so every call up to 30 s costs 0.30. 4477 (mobile): 0.60/min, 6/6.
admin PUT ratedecks/e2e "$(printf 'prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n44,United Kingdom,0.60,0,30,6,,\n4477,United Kingdom mobile,0.60,0,6,6,,\n')" text/csv >/dev/null
run="$(date +%s)"
open_account() { # ID BALANCE
  admin PUT "accounts/$1" "{\"name\":\"$1\",\"mode\":\"prepaid\",\"currency\":\"GBP\",\"initialBalance\":$2,\"rateDeckId\":\"e2e\",\"billingDay\":1,\"timeZone\":\"UTC\",\"tax\":{\"treatment\":\"exempt\",\"rate\":0}}" >/dev/null
}
balance() { curl -fsS -H "x-functions-key: $switch_key" "$api/accounts/$1/balance"; }
field() { balance "$1" | jq -r ".$2"; }

# ---- Kamailio and the UAS --------------------------------------------------------------------------------------
free_port uas_port
# The interim is sent interim_lead seconds (default 5) before a grant runs out: set it on the call to change it.
start_kamailio() { # NAME PORT BILLING_URL REQUEST_SECONDS WORKERS [more kamailio args] -> sets kamailio_pid
  local name="$1" port="$2"
  mkdir -p "$work/$name"
  kamailio -f "$here/kamailio.cfg" -DD -E -m 256 -M 16 -Y "$work/$name" \
    -A "BILLING_URL=\"$3\"" -A "BILLING_KEY=\"$switch_key\"" -A "NEXT_HOP=\"sip:127.0.0.1:$uas_port\"" \
    -A "LISTEN=udp:127.0.0.1:$port" -A "REQUEST_SECONDS=$4" -A "INTERIM_LEAD=${interim_lead:-5}" -A BILLING_TIMEOUT=5 -A "WORKERS=$5" \
    "${@:6}" >>"$work/$name.log" 2>&1 &
  kamailio_pid=$!
  disown "$kamailio_pid"  # stopped by id (stop_kamailio), and no "Killed" notice from bash when the lost check kills it
  kamailio_pids+=("$kamailio_pid")
  for _ in $(seq 1 100); do
    if ss -Huln "sport = :$port" | grep -q .; then sleep 0.5; return 0; fi
    kill -0 "$kamailio_pid" 2>/dev/null || { tail -20 "$work/$name.log" >&2; echo "switch e2e: kamailio ($name) did not start" >&2; exit 1; }
    sleep 0.1
  done
}

say "starting the SIPp UAS on 127.0.0.1:$uas_port"
(cd "$work" && exec sipp -sf "$here/sipp/uas.xml" -i 127.0.0.1 -p "$uas_port" -nostdin -buff_size 4194304 \
  -trace_err -error_file "$work/uas-errors.log" >"$work/uas.log" 2>&1) &
pids+=($!)
uas_pid=$!

# SIPp caller: NAME SCENARIO PORT ACCOUNT CALLED CALLS RATE DURATION_MS [extra sipp args]; returns SIPp's exit code.
# Call-IDs hold / ? \ " and % (RFC 3261 allows them): they reach billing percent-encoded in URL paths.
uac() {
  local name="$1" scenario="$2" port="$3" account="$4" called="$5" calls="$6" rate="$7" duration="$8"
  shift 8
  # timeout: a SIPp call that waits for a message that never comes must not hold the run forever.
  timeout -k 5 300 sipp "127.0.0.1:$port" -sf "$here/sipp/$scenario" -i 127.0.0.1 \
    -m "$calls" -r "$rate" -d "$duration" -s "$called" -key account "$account" \
    -cid_str "$name-%u-%p/a?b\\c\"d%%@%s" -nostdin -buff_size 4194304 -timeout 180s \
    -trace_err -error_file "$work/$name-errors.log" "$@" >"$work/$name.log" 2>&1
}

# ---- checks ----------------------------------------------------------------------------------------------------
results=()
failed=0
check() { # NAME CONDITION-TEXT (0/1) DETAIL
  if [[ "$2" == 1 ]]; then results+=("PASS  $1: $3"); else results+=("FAIL  $1: $3"); failed=1; fi
  echo "    ${results[-1]}"
}
# 1 when the jq expression holds, else 0. Amounts are compared as whole ten-thousandths (`| c`): jq computes in
# binary floating point, where 100 - 0.34 need not equal the 99.66 the API wrote.
is() { jq -n "def c: . * 10000 | round; $1" | grep -qx true && echo 1 || echo 0; }
# The sum of the charges terminate answered for calls whose Call-ID starts with NAME, from the Kamailio log.
charges() { grep -a "billing: terminate $1-.* charge " "$2" | sed -n 's/.* charge \([0-9.]*\)$/\1/p' | jq -s 'add // 0'; }

if [[ $mode == capacity ]]; then
  free_port sip_port
  free_port base_port
  say "capacity: Kamailio with billing on 127.0.0.1:$sip_port, the same without billing (NO_BILLING) on 127.0.0.1:$base_port, 32 workers each"
  start_kamailio kamailio "$sip_port" "$api" 300 32
  billing_kamailio=$kamailio_pid
  start_kamailio kamailio-nobilling "$base_port" "$api" 300 32 -A NO_BILLING
  baseline_kamailio=$kamailio_pid
  tick="$(getconf CLK_TCK)"
  # CPU ticks (user + system) used so far by a process and the processes it forked (Kamailio's workers).
  cpu_ticks() {
    local pid total=0 t
    for pid in "$1" $(pgrep -P "$1" || true); do
      t="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}' || true)"
      total=$((total + ${t:-0}))
    done
    echo "$total"
  }
  seconds() { jq -n "($1) / $tick * 10 | round / 10"; }
  # The children's CPU time bash's `times` printed (its second line, "0m1.230s 0m0.450s"), in seconds.
  times_seconds() { awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.1f", s }' "$1"; }
  # Warm-up, not counted: the host's first thousands of requests pay for JIT compilation (tiered: twice).
  open_account "warmup-$run" 1000
  uac warmup uac-call.xml "$sip_port" "warmup-$run" 442071234567 3000 300 200 -l 1200 || true
  declare -A best=([billing]=0 [baseline]=0) stopped=([billing]=0 [baseline]=0) reached_at cpu_at
  table=()
  for rate in $rates; do
    for kind in billing baseline; do
      [[ ${stopped[$kind]} -eq 1 ]] && continue
      if [[ $kind == billing ]]; then port=$sip_port; kpid=$billing_kamailio; else port=$base_port; kpid=$baseline_kamailio; fi
      account="cap-$rate-$kind-$run"
      open_account "$account" 1000000
      calls=$((rate * 10))
      k0="$(cpu_ticks "$kpid")"; u0="$(cpu_ticks "$uas_pid")"; h0="$(cpu_ticks "$host_pid")"
      status=0
      started=$SECONDS
      # In a subshell, so that `times` there reports this SIPp caller alone.
      ( s=0; uac "cap$rate$kind" uac-call.xml "$port" "$account" 442071234567 "$calls" "$rate" 1000 -l $((rate * 4)) \
          || s=$?; times >"$work/cap$rate$kind.times"; exit $s ) || status=$?
      # SIPp may not reach the rate asked for on a busy machine: report the rate it reached.
      reached="$(grep -a "Call Rate" "$work/cap$rate$kind.log" | tail -1 | awk -F'|' '{print $3}' | awk '{printf "%.0f", $1}' || true)"
      failed_calls="$(grep -a "Failed call" "$work/cap$rate$kind.log" | tail -1 | awk -F'|' '{print $3}' | tr -d ' ' || true)"
      ok=1
      money=""
      if [[ $kind == billing ]]; then
        for _ in $(seq 1 30); do
          b="$(balance "$account")"
          [[ "$(is "($b | .activeSessions) == 0")" == 1 ]] && break
          sleep 1
        done
        ok="$(is "($b | .balance | c) == (1000000 - 0.30 * $calls | c) and ($b | .reserved) == 0 and ($b | .activeSessions) == 0")"
        money=", balance $(jq -r .balance <<<"$b") (expected $(jq -n "1000000 - 0.30 * $calls")), reserved $(jq -r .reserved <<<"$b"), active $(jq -r .activeSessions <<<"$b")"
      fi
      k="$(seconds "$(cpu_ticks "$kpid") - $k0")"; u="$(seconds "$(cpu_ticks "$uas_pid") - $u0")"
      h="$(seconds "$(cpu_ticks "$host_pid") - $h0")"; c="$(times_seconds "$work/cap$rate$kind.times")"
      wall=$((SECONDS - started))
      cpu="CPU s: kamailio $k, sipp caller $c, sipp callee $u, host $h (of ${wall} s x $(nproc) cores)"
      ok_calls=$([[ $status -eq 0 ]] && echo 1 || echo 0)
      check "capacity $rate calls/s, $kind" "$((ok * ok_calls))" \
        "$calls calls in $wall s (SIPp reached ${reached:-?} calls/s), ${failed_calls:-?} failed, sipp exit $status$money; $cpu"
      table+=("$(printf '%6s  %-8s  %-4s  %7s  %6s  %8s  %11s  %11s  %6s' "$rate" "$kind" \
        "$([[ $((ok * ok_calls)) -eq 1 ]] && echo pass || echo FAIL)" "${reached:-?}" "${failed_calls:-?}" "$k" "$c" "$u" \
        "$([[ $kind == billing ]] && echo "$h" || echo "-")")")
      if [[ $((ok * ok_calls)) -eq 1 ]]; then
        best[$kind]=$rate; reached_at[$kind]="${reached:-?}"
        cpu_at[$rate$kind]="$(jq -n "($k + $c + $u + $([[ $kind == billing ]] && echo "$h" || echo 0)) * 10 | round / 10")"
      else
        stopped[$kind]=1
      fi
    done
    [[ ${stopped[billing]} -eq 1 && ${stopped[baseline]} -eq 1 ]] && break
  done
  echo
  echo "switch e2e capacity (load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)):"
  echo "  rate  proxy     ok    reached  failed  kamailio  sipp caller  sipp callee    host   (CPU seconds per 10 s step)"
  for row in "${table[@]}"; do echo "$row"; done
  echo
  ratio="$([[ ${best[baseline]} -gt 0 ]] && echo "$((100 * ${best[billing]} / ${best[baseline]})) %" || echo "-")"
  echo "highest rate with every call completed (and, with billing, money exact): with billing ${best[billing]} calls/s" \
    "(SIPp reached ${reached_at[billing]:-?}), without ${best[baseline]} calls/s (SIPp reached ${reached_at[baseline]:-?});" \
    "with / without: $ratio$([[ ${stopped[baseline]} -eq 0 ]] && echo " (without billing no rate tried failed)")"
  for rate in $rates; do
    if [[ -n "${cpu_at[${rate}billing]:-}" && -n "${cpu_at[${rate}baseline]:-}" ]]; then
      echo "  at $rate calls/s all processes used ${cpu_at[${rate}billing]} CPU s with billing, ${cpu_at[${rate}baseline]} without"
    fi
  done
  echo "(one run on this machine, under whatever else it is doing: a noisy figure, not a benchmark)"
  exit 0
fi

free_port sip_port
say "starting Kamailio on 127.0.0.1:$sip_port (grants of 10 s, interim 5 s before a grant ends)"
start_kamailio kamailio "$sip_port" "$api" 10 8
main_kamailio=$kamailio_pid
klog="$work/kamailio.log"

billed="billed-$run"; denied="denied-$run"; cutoff="cutoff-$run"; long="long-$run"; lost="lost-$run"
open_account "$billed" 100
open_account "$denied" 0
open_account "$cutoff" 0.06   # 6 s on 4477 (0.60/min, 6/6)
open_account "$long" 100
open_account "$lost" 100
retried="retried-$run"
open_account "$retried" 100
suspended="suspended-$run"
open_account "$suspended" 100

# Billing with faults, for the retry check: a proxy in front of the local host that answers the first terminate of
# a "refused-" call 503 without passing it on, and passes the first terminate of a "dropped-" call on to billing
# (which charges the call) but closes the connection instead of answering. Everything else it passes on.
free_port fault_port
python3 - "$fault_port" "http://127.0.0.1:$host_port" >"$work/faults.log" 2>&1 <<'PY' &
import http.server, sys, urllib.error, urllib.request
port, upstream = int(sys.argv[1]), sys.argv[2]
terminates = {}
class Faulty(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def answer(self, status, body, headers=()):
        self.send_response(status)
        for name, value in [("Content-Type", "application/json"), ("Content-Length", str(len(body)))] + list(headers):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        session = self.path.split("/sessions/", 1)[1].split("/", 1)[0] if "/sessions/" in self.path else ""
        fault = ""
        if self.path.endswith("/terminate"):
            terminates[self.path] = terminates.get(self.path, 0) + 1
            if terminates[self.path] == 1 and session.startswith(("refused-", "dropped-")):
                fault = session.split("-", 1)[0]
        if fault == "refused":
            print(f"terminate {session} #{terminates[self.path]}: 503, not passed on", flush=True)
            self.answer(503, b'{"status":503,"detail":"the store did not answer in time"}', [("Retry-After", "1")])
            return
        headers = {name: self.headers[name] for name in ("Content-Type", "x-functions-key") if self.headers[name]}
        try:
            with urllib.request.urlopen(urllib.request.Request(upstream + self.path, body, headers), timeout=30) as r:
                status, answer = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read()
        if session:
            print(f"{self.path.rsplit('/', 1)[1]} {session} #{terminates.get(self.path, 0)}: billing answered {status}"
                  + (", answer dropped" if fault else ""), flush=True)
        if fault:
            self.close_connection = True
            return
        self.answer(status, answer)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Faulty).serve_forever()
PY
pids+=($!)
for _ in $(seq 1 50); do ss -Htln "sport = :$fault_port" | grep -q . && break; sleep 0.1; done
free_port retry_port
start_kamailio kamailio-retry "$retry_port" "http://127.0.0.1:$fault_port/api" 10 2
rlog="$work/kamailio-retry.log"
# The long call on a proxy of its own that sends each interim 8 s before its 10 s grant ends (about every 3 s): a
# stall of up to about 6 s (the machine, billing) between two interims leaves the call up. With the 5 s of the proxy
# above, the slack is about 4 s (the expiry timer ticks each second), and one stall on a loaded machine cut the call.
free_port long_port
interim_lead=8 start_kamailio kamailio-long "$long_port" "$api" 10 2
llog="$work/kamailio-long.log"

say "billed, denied, cut-off, suspended, long and retried calls (in parallel, about 40 s)"
declare -A rc
# Suspended early in its call: the interim at 5 s reports 5 s and is denied (ACCOUNT_SUSPENDED); the proxy ends
# the call at its grant, 10 s, and the terminate reports the 5 s since that interim, with the next request number.
uac suspended uac-cutoff.xml "$sip_port" "$suspended" 447700900123 1 1 0 & p_suspended=$!
# Suspended as soon as its call holds a session (polled each 0.1 s, at most 4 s), not after a fixed sleep: on a loaded
# machine a fixed 2 s left about 3 s before the interim, and the interim granted first would bill a longer call.
( for _ in $(seq 1 40); do [[ "$(field "$suspended" activeSessions 2>/dev/null)" == 1 ]] && break; sleep 0.1; done
  admin POST "accounts/$suspended/suspend" '{"reason":"switch e2e: suspended mid-call"}' >/dev/null ) & p_suspend=$!
uac billed uac-call.xml "$sip_port" "$billed" 442071234567 100 20 2000 & p_billed=$!
uac denied uac-denied.xml "$sip_port" "$denied" 442071234567 1 1 0 & p_denied=$!
uac cutoff uac-cutoff.xml "$sip_port" "$cutoff" 447700900123 1 1 0 & p_cutoff=$!
uac long uac-call.xml "$long_port" "$long" 447700900123 1 1 32000 & p_long=$!
uac refused uac-call.xml "$retry_port" "$retried" 442071234567 1 1 2000 & p_refused=$!
uac dropped uac-call.xml "$retry_port" "$retried" 442071234567 1 1 2000 & p_dropped=$!
for n in billed denied cutoff suspended suspend long refused dropped; do p="p_$n"; rc[$n]=0; wait "${!p}" || rc[$n]=$?; done
sleep 1

b="$(balance "$billed")"
check "billed" "$(is "${rc[billed]} == 0 and ($b | .balance | c) == (70 | c) and ($b | .reserved) == 0 and ($b | .activeSessions) == 0")" \
  "100 calls of 2 s at 0.30 each: sipp exit ${rc[billed]}, balance $(jq -r .balance <<<"$b") (expected 70), reserved $(jq -r .reserved <<<"$b"), active $(jq -r .activeSessions <<<"$b")"
b="$(balance "$denied")"
check "denied" "$(is "${rc[denied]} == 0 and ($b | .balance) == 0 and ($b | .activeSessions) == 0")" \
  "402 to the caller: sipp exit ${rc[denied]}, balance $(jq -r .balance <<<"$b")"
# The terminate of a call the proxy cut is sent by the htable timer within 2 s of the BYE, and again 1, 2, 4 ... s
# later if billing does not answer: wait for its answer up to 20 s.
cut_used=""
for _ in $(seq 1 40); do
  cut_used="$(grep -a "billing: terminate cutoff-.* charge " "$klog" | sed -n 's/.* used \([0-9]*\) s .*/\1/p' | head -1 || true)"
  [[ -n "$cut_used" ]] && break
  sleep 0.5
done
b="$(balance "$cutoff")"
cut_ok="$(is "${rc[cutoff]} == 0 and ($b | .balance) >= 0 and ($b | .balance) == 0 and ($b | .reserved) == 0 and \"${cut_used:-x}\" == \"6\"")"
if [[ $cut_ok -ne 1 ]]; then
  echo "    cut-off call, what Kamailio logged:"; grep -a "cutoff-" "$klog" | sed 's/^/      /' || true
  if ! grep -aq "billing: authorize cutoff-.* granted" "$klog"; then why="the authorize was not granted"
  elif ! grep -aq "billing: grant of cutoff-" "$klog"; then why="the proxy did not cut the call at its grant (no dialog timeout; sipp exit ${rc[cutoff]})"
  elif [[ -z "$cut_used" ]]; then why="the terminate was queued but billing never answered it 200 ($(grep -ac "billing: terminate cutoff-.* answered" "$klog" || true) failed attempts)"
  elif [[ "$cut_used" != 6 ]]; then why="the terminate reported $cut_used s, not the 6 s granted"
  else why="billing answered the terminate, but the account shows balance $(jq -r .balance <<<"$b"), reserved $(jq -r .reserved <<<"$b")"; fi
  echo "    diagnosis: $why; load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
check "cut-off" "$cut_ok" \
  "credit for 6 s, cut by the proxy: sipp exit ${rc[cutoff]}, reported ${cut_used:-?} s, balance $(jq -r .balance <<<"$b") (expected 0, never below)"
sus_charged=""
for _ in $(seq 1 40); do
  sus_charged="$(grep -ac "billing: terminate suspended-.* charge " "$klog" || true)"
  [[ "$sus_charged" -ge 1 ]] && break
  sleep 0.5
done
sus_denied="$(grep -ac "billing: interim suspended-.* denied: ACCOUNT_SUSPENDED" "$klog" || true)"
sus_terminate="$(grep -a "billing: terminate suspended-" "$klog" | tail -1 | sed 's/.*billing: terminate [^ ]* //' || true)"
b="$(balance "$suspended")"
check "suspended" "$(is "${rc[suspended]} == 0 and ${rc[suspend]} == 0 and $sus_denied == 1 and $sus_charged == 1 and ($b | .balance | c) == (99.88 | c) and ($b | .reserved) == 0 and ($b | .activeSessions) == 0")" \
  "suspended mid-call: sipp exit ${rc[suspended]}, interim denied $sus_denied, terminate '${sus_terminate:-none}', balance $(jq -r .balance <<<"$b") (expected 99.88: 10 s on 6/6 at 0.01/s, once), active $(jq -r .activeSessions <<<"$b")"
b="$(balance "$long")"
interims="$(grep -ac "billing: interim long-.* granted" "$llog" || true)"
long_charge="$(charges long "$llog")"
long_ok="$(is "${rc[long]} == 0 and $interims >= 3 and ($b | .balance | c) == (100 - $long_charge | c) and ($long_charge | c) >= (0.32 | c) and ($long_charge | c) <= (0.36 | c) and ($b | .reserved) == 0 and ($b | .activeSessions) == 0")"
if [[ $long_ok -ne 1 ]]; then
  echo "    long call, what Kamailio logged (each interim with the milliseconds since the report before):"
  grep -a "long-" "$llog" | sed 's/^/      /' || true
  echo "    SIPp: $(tail -1 "$work/long-errors.log" 2>/dev/null || echo 'no error logged'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
check "long" "$long_ok" \
  "a 32 s call on 10 s grants, interims 8 s before each ends: sipp exit ${rc[long]}, $interims interims, charged $long_charge (32-36 s at 0.01/s), balance $(jq -r .balance <<<"$b")"

# Each faulty first terminate is sent again after 1 s: wait for both answers.
for _ in $(seq 1 40); do
  [[ "$(grep -ac "billing: terminate \(refused\|dropped\)-.* (attempt 1) charge " "$rlog" || true)" -ge 2 ]] && break
  sleep 0.5
done
b="$(balance "$retried")"
refused_retry="$(grep -ac "billing: terminate refused-.* answered 503: retry 1 " "$rlog" || true)"
dropped_retry="$(grep -ac "billing: terminate dropped-.* answered [0-9]*: retry 1 " "$rlog" || true)"
answered="$(grep -ac "billing: terminate \(refused\|dropped\)-.* (attempt 1) charge 0.3$" "$rlog" || true)"
dropped_seen="$(grep -ac "^terminate dropped-.*: billing answered 200" "$work/faults.log" || true)"
check "retry" "$(is "${rc[refused]} == 0 and ${rc[dropped]} == 0 and $refused_retry == 1 and $dropped_retry == 1 and $answered == 2 and $dropped_seen == 2 and ($b | .balance | c) == (99.4 | c) and ($b | .reserved) == 0 and ($b | .activeSessions) == 0")" \
  "2 calls whose first terminate failed (503; charged but the answer lost): retried $refused_retry + $dropped_retry, answered $answered, billing saw the dropped one $dropped_seen times, balance $(jq -r .balance <<<"$b") (expected 99.4: each call charged once), reserved $(jq -r .reserved <<<"$b"), active $(jq -r .activeSessions <<<"$b")"

say "lost dialogs: 10 calls, Kamailio killed mid-call and restarted"
uac lost uac-call.xml "$sip_port" "$lost" 447700900123 10 10 60000 & p_lost=$!
sleep 3
held="$(balance "$lost")"
stop_kamailio "$main_kamailio" KILL
kill $(pgrep -P "$p_lost") "$p_lost" 2>/dev/null || true; wait "$p_lost" 2>/dev/null || true
start_kamailio kamailio "$sip_port" "$api" 10 8
released=0
for _ in $(seq 1 40); do
  b="$(balance "$lost")"
  if [[ "$(is "($b | .reserved) == 0 and ($b | .activeSessions) == 0")" == 1 ]]; then released=1; break; fi
  sleep 1
done
check "lost" "$(is "$released == 1 and ($held | .activeSessions) == 10 and ($b | .balance) == 100")" \
  "held before the kill: $(jq -r .activeSessions <<<"$held") sessions, $(jq -r .reserved <<<"$held") reserved; after expiry: reserved $(jq -r .reserved <<<"$b"), active $(jq -r .activeSessions <<<"$b"), balance $(jq -r .balance <<<"$b") (expected 100: the CDRs charge those calls)"
after="after-$run"
open_account "$after" 100
status=0; uac after uac-call.xml "$sip_port" "$after" 442071234567 5 5 1000 || status=$?
b="$(balance "$after")"
check "restart" "$(is "$status == 0 and ($b | .balance | c) == (98.5 | c) and ($b | .activeSessions) == 0")" \
  "5 calls after the restart: sipp exit $status, balance $(jq -r .balance <<<"$b") (expected 98.5)"

say "billing down: answering 503, then unreachable"
down="down-$run"
free_port stub_port
python3 - "$stub_port" >"$work/stub.log" 2>&1 <<'PY' &
import http.server, sys
class Unavailable(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"title":"Service Unavailable","status":503,"detail":"the store did not answer in time"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Unavailable).serve_forever()
PY
stub_pid=$!
pids+=("$stub_pid")
free_port down_port
start_kamailio kamailio-down "$down_port" "http://127.0.0.1:$stub_port/api" 10 2
for _ in $(seq 1 50); do ss -Htln "sport = :$stub_port" | grep -q . && break; sleep 0.1; done
status=0; uac down503 uac-unavailable.xml "$down_port" "$down" 442071234567 1 1 0 || status=$?
answered="$(grep -ac "billing: authorize down503-.* answered 503" "$work/kamailio-down.log" || true)"
check "billing 503" "$(is "$status == 0 and $answered == 1")" "billing answered 503: the caller got 503 (sipp exit $status)"
kill "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true
status=0; uac down uac-unavailable.xml "$down_port" "$down" 442071234567 1 1 0 || status=$?
check "billing unreachable" "$([[ $status -eq 0 ]] && echo 1 || echo 0)" "nothing listening: the caller got 503 (sipp exit $status)"

echo
echo "switch e2e summary (Kamailio $(kamailio -v | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p'), SIPp $(sipp -v 2>&1 | sed -n 's/.*SIPp v\([0-9.]*\).*/\1/p' | head -1)):"
for r in "${results[@]}"; do echo "  $r"; done
if [[ $failed -ne 0 ]]; then
  echo "switch e2e: FAILED (rerun with --keep for the logs)" >&2
  for f in "$work"/*-errors.log; do [[ -s "$f" ]] && { echo "--- $f" >&2; tail -5 "$f" >&2; }; done
  exit 1
fi
echo "switch e2e: all checks passed"
