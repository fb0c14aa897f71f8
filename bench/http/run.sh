#!/usr/bin/env bash
# HTTP benchmark of `capconf serve`: wrk against the configuration API of one subscription.
# Builds nothing.
#
#   bench/http/run.sh [--capconf PATH] [--duration S] [--connections N] [--threads N]
#                     [--put-rate R] [--server-threads N] [--keep DIR]
#
#   --capconf      release binary                        (default: build/release/capconf)
#   --duration     seconds of each wrk run                (default: 10)
#   --connections  wrk connections                        (default: 64)
#   --threads      wrk threads                            (default: 2)
#   --put-rate R   requests/s of the paced PUT runs       (default: 3000; 0: no paced runs)
#   --server-threads N  the server's --threads           (default: its own, one per core)
#   --keep DIR     copy the raw wrk outputs and the server's logs to DIR before cleaning up
#
# What it does: starts `capconf serve --demo` on 127.0.0.1 (a free port) with a fresh SQLite
# database and data dir in a temporary directory, waits for /readyz, mints a bearer token for
# buyer@demo.capconf.dev (`capconf token create`), subscribes that buyer to the demo
# customer-support-agent offering (default capabilities rag, widget, api) and builds a valid and
# an invalid configuration for it from ../shared/corpus/customer-support.{valid,invalid}.json
# (the sections of the enabled capabilities: branding, behavior, rag, widget, api; api.keys
# dropped). Then one wrk run (--latency) per scenario:
#
#   GET config           GET  /api/v1/subscriptions/{id}/config   expects 200
#   GET form             GET  /api/v1/subscriptions/{id}/form     expects 200
#   PUT config valid     PUT  /api/v1/subscriptions/{id}/config   expects 200 (If-Match: *)
#   PUT config invalid   PUT  /api/v1/subscriptions/{id}/config   expects 422 (If-Match: *)
#   PUT config valid,    PUT  /api/v1/subscriptions/{id}/config   expects 200 (If-Match: *), over
#     N subscriptions         one subscription per connection (N = --connections, all the
#                             buyer's): many tenants saving at once, each wrk thread cycling over
#                             its own share, rather than every connection saving one configuration
#   PUT config valid @ R/s,   the two valid PUT scenarios again, paced: the same connections send
#     (and over N subs)       R requests a second in all (--put-rate) instead of as many as the
#                             server answers
#
# Why paced runs too: with every connection waiting on the server (the other runs), the mean
# latency is connections ÷ throughput whatever the server does (Little's law), so those runs
# measure capacity and the queue in front of it. The paced runs measure the latency a request
# sees when the server is given a stated load (the issue's 3,000 saves a second) over the same 64
# connections. wrk has no rate option (wrk2 is not in Debian); common.lua paces with wrk's
# delay() hook on a fixed schedule and reports the slots it had to take late ("late" column):
# a paced figure stands only when that is near zero, otherwise the server did not keep up.
#
# The Lua scripts next to this file check every response's status; the table counts the
# others ("unexpected") and the socket errors (connect/read/write/timeout). The server runs with
# its access log (one line per request, on its stderr) going to a file in the temporary
# directory, as it would in production to a collector. The server is stopped (SIGTERM) and the
# temporary directory removed on exit, however the script ends.
#
# Exit status: 0 when every response had the expected status and no socket error happened, 1
# when any did (the table says which), 2 when the benchmark could not be set up.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CAPCONF="$ROOT/build/release/capconf"
DURATION=10
CONNECTIONS=64
THREADS=2
KEEP=""
SERVER_THREADS=""
PUT_RATE=3000
CORPUS="$ROOT/../shared/corpus"
BUYER="buyer@demo.capconf.dev"
TEMPLATE="customer-support-agent"

usage() { sed -n '2,50p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "bench/http: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --capconf) [ $# -ge 2 ] || die "--capconf needs a path"; CAPCONF="$2"; shift 2 ;;
    --duration) [ $# -ge 2 ] || die "--duration needs seconds"; DURATION="$2"; shift 2 ;;
    --connections) [ $# -ge 2 ] || die "--connections needs a number"; CONNECTIONS="$2"; shift 2 ;;
    --threads) [ $# -ge 2 ] || die "--threads needs a number"; THREADS="$2"; shift 2 ;;
    --put-rate) [ $# -ge 2 ] || die "--put-rate needs a number"; PUT_RATE="$2"; shift 2 ;;
    --server-threads) [ $# -ge 2 ] || die "--server-threads needs a number"; SERVER_THREADS="$2"; shift 2 ;;
    --keep) [ $# -ge 2 ] || die "--keep needs a directory"; KEEP="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/http: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$DURATION" "$CONNECTIONS" "$THREADS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--duration, --connections and --threads take whole numbers > 0 (got '$n')"
done
[[ "$PUT_RATE" =~ ^[0-9]+$ ]] || die "--put-rate takes a whole number >= 0 (got '$PUT_RATE')"
[ -z "$SERVER_THREADS" ] || [[ "$SERVER_THREADS" =~ ^[1-9][0-9]*$ ]] || die "--server-threads takes a whole number > 0 (got '$SERVER_THREADS')"
[ "$CONNECTIONS" -ge "$THREADS" ] || die "wrk needs at least one connection per thread (--connections >= --threads)"

command -v wrk >/dev/null 2>&1 || die "wrk is missing (scripts/bootstrap installs it; or apt-get install wrk)"
command -v curl >/dev/null 2>&1 || die "curl is missing"
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
[ -x "$CAPCONF" ] || die "no capconf binary at $CAPCONF (cmake --preset release && cmake --build --preset release, or --capconf PATH)"
CAPCONF="$(cd "$(dirname "$CAPCONF")" && pwd)/$(basename "$CAPCONF")"
for f in customer-support.valid.json customer-support.invalid.json; do
  [ -f "$CORPUS/$f" ] || die "missing $CORPUS/$f"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/capconf-bench-http.XXXXXX")"
SERVER_PID=""
WRK_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$WRK_PID" ] && kill -0 "$WRK_PID" 2>/dev/null; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    # The server stops gracefully (it waits up to 10 s for requests in flight).
    for _ in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "bench/http: the server did not stop within 15 s of SIGTERM; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$KEEP" ] && [ -d "$WORK" ]; then
    mkdir -p "$KEEP" && cp "$WORK"/*.txt "$WORK"/server.* "$KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the server --------------------------------------------------------------------------------
DB="sqlite:$WORK/capconf.db"
DATA="$WORK/data"
# From inside $WORK so that no web/dist is picked up from the caller's directory.
(cd "$WORK" && exec "$CAPCONF" serve --demo --listen 127.0.0.1:0 --database "$DB" --data-dir "$DATA" \
   --insecure-cookies ${SERVER_THREADS:+--threads "$SERVER_THREADS"} >"$WORK/server.out" 2>"$WORK/server.log") &
SERVER_PID=$!

server_failed() {
  echo "bench/http: $1" >&2
  echo "--- server stdout" >&2; tail -n 20 "$WORK/server.out" >&2 || true
  echo "--- server stderr" >&2; tail -n 20 "$WORK/server.log" >&2 || true
  exit 2
}

PORT=""
for _ in $(seq 600); do
  PORT="$(sed -n 's/.*(port \([0-9][0-9]*\)).*/\1/p' "$WORK/server.out" | head -n 1)"
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || server_failed "the server exited before it listened"
  sleep 0.1
done
[ -n "$PORT" ] || server_failed "the server printed no '(port N)' line within 60 s"
BASE="http://127.0.0.1:$PORT"

ready=0
for _ in $(seq 300); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz" || true)" = 200 ]; then ready=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || server_failed "the server exited before it was ready"
  sleep 0.1
done
[ "$ready" = 1 ] || server_failed "GET /readyz did not answer 200 within 30 s"

# ---- the buyer, the subscription and the bodies ------------------------------------------------
TOKEN="$("$CAPCONF" token create --email "$BUYER" --name bench-http --database "$DB" --data-dir "$DATA")" ||
  die "capconf token create failed"
[ -n "$TOKEN" ] || die "capconf token create printed no token"

# call METHOD PATH [BODY_FILE] [EXTRA_HEADER]: prints the body to $WORK/response.json, the status on stdout.
call() {
  local args=(-s -o "$WORK/response.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN")
  [ -n "${3:-}" ] && args+=(-H "Content-Type: application/json" --data-binary "@$3")
  [ -n "${4:-}" ] && args+=(-H "$4")
  curl "${args[@]}" "$BASE$2" || echo 000
}

status="$(call GET /api/v1/offerings)"
[ "$status" = 200 ] || die "GET /api/v1/offerings answered $status: $(head -c 400 "$WORK/response.json")"
OFFERING="$(python3 - "$WORK/response.json" "$TEMPLATE" <<'EOF'
import json, sys
offerings = json.load(open(sys.argv[1]))["offerings"]
print(next((o["id"] for o in offerings if o.get("template_id") == sys.argv[2]), ""))
EOF
)"
[ -n "$OFFERING" ] || die "no offering with template_id $TEMPLATE in GET /api/v1/offerings"

printf '{"offering_id": "%s"}' "$OFFERING" > "$WORK/subscribe.json"
status="$(call POST /api/v1/subscriptions "$WORK/subscribe.json")"
[ "$status" = 201 ] || die "POST /api/v1/subscriptions answered $status: $(head -c 400 "$WORK/response.json")"
SUB="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/response.json")"
[ -n "$SUB" ] || die "POST /api/v1/subscriptions returned no id"
CONFIG_PATH="/api/v1/subscriptions/$SUB/config"
FORM_PATH="/api/v1/subscriptions/$SUB/form"

# More subscriptions of the same buyer for the spread-out saves: one a connection.
: > "$WORK/spread-paths.txt"
for _ in $(seq "$CONNECTIONS"); do
  status="$(call POST /api/v1/subscriptions "$WORK/subscribe.json")"
  [ "$status" = 201 ] || die "POST /api/v1/subscriptions (spread) answered $status: $(head -c 400 "$WORK/response.json")"
  python3 -c 'import json,sys; print("/api/v1/subscriptions/" + json.load(open(sys.argv[1]))["id"] + "/config")' \
    "$WORK/response.json" >> "$WORK/spread-paths.txt"
done

status="$(call GET "$CONFIG_PATH")"
[ "$status" = 200 ] || die "GET $CONFIG_PATH answered $status: $(head -c 400 "$WORK/response.json")"
ENABLED="$(python3 -c 'import json,sys; print(",".join(sorted(json.load(open(sys.argv[1]))["enabled_capabilities"])))' "$WORK/response.json")"

python3 - "$CORPUS" "$WORK" <<'EOF'
import json, sys
corpus, work = sys.argv[1], sys.argv[2]
sections = ["branding", "behavior", "rag", "widget", "api"]  # the enabled capabilities' sections
for kind in ("valid", "invalid"):
    full = json.load(open(f"{corpus}/customer-support.{kind}.json"))
    config = {k: full[k] for k in sections if k in full}
    if isinstance(config.get("api"), dict):
        config["api"].pop("keys", None)  # write-only secrets are not part of the benchmark
    with open(f"{work}/{kind}.json", "w") as out:
        json.dump({"config": config}, out, separators=(",", ":"))
EOF

# One request of each kind before measuring: the statuses must already be the expected ones. The
# valid PUT also leaves a configured revision behind, which the GET scenarios then read.
setup_problems=()
status="$(call PUT "$CONFIG_PATH" "$WORK/valid.json" "If-Match: *")"
if [ "$status" != 200 ]; then
  detail="$(head -c 300 "$WORK/response.json")"
  if [ "$status" = 412 ]; then
    setup_problems+=("PUT config with If-Match: * answered 412: the server does not take '*' yet ($detail)")
  else
    setup_problems+=("PUT config (valid) answered $status, not 200: $detail")
  fi
fi
status="$(call PUT "$CONFIG_PATH" "$WORK/invalid.json" "If-Match: *")"
if [ "$status" = 422 ]; then
  INVALID_ERRORS="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("errors", [])))' "$WORK/response.json")"
else
  INVALID_ERRORS="?"
  setup_problems+=("PUT config (invalid) answered $status, not 422: $(head -c 300 "$WORK/response.json")")
fi
status="$(call GET "$FORM_PATH")"
[ "$status" = 200 ] || setup_problems+=("GET form answered $status, not 200: $(head -c 300 "$WORK/response.json")")
status="$(call GET "$CONFIG_PATH")"
[ "$status" = 200 ] || setup_problems+=("GET config answered $status, not 200: $(head -c 300 "$WORK/response.json")")
CONFIG_BYTES="$(wc -c < "$WORK/response.json")"
IS_CONFIGURED="$(python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
missing = ", ".join(m.get("capability", "?") + "/" + m.get("need", "?") for m in v.get("missing", []))
print(str(v.get("is_configured")).lower() + (" (missing: " + missing + ")" if missing else ""))' "$WORK/response.json" 2>/dev/null || echo '?')"
curl -s -o "$WORK/form.json" -H "Authorization: Bearer $TOKEN" "$BASE$FORM_PATH" || true
FORM_BYTES="$(wc -c < "$WORK/form.json")"
for p in "${setup_problems[@]}"; do echo "bench/http: WARNING: $p" >&2; done

# ---- the runs ----------------------------------------------------------------------------------
export CAPCONF_BENCH_TOKEN="$TOKEN"
export CAPCONF_BENCH_VALID_BODY="$WORK/valid.json"
export CAPCONF_BENCH_INVALID_BODY="$WORK/invalid.json"
export CAPCONF_BENCH_SPREAD_PATHS="$WORK/spread-paths.txt"
export CAPCONF_BENCH_THREADS="$THREADS"

NPROC="$(nproc)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
SCENARIOS=(
  "GET config|get_config.lua|$CONFIG_PATH"
  "GET form|get_form.lua|$FORM_PATH"
  "PUT config valid|put_config_valid.lua|$CONFIG_PATH"
  "PUT config invalid|put_config_invalid.lua|$CONFIG_PATH"
  "PUT config valid, $CONNECTIONS subs|put_config_valid_spread.lua|$CONFIG_PATH"
)
if [ "$PUT_RATE" -gt 0 ]; then
  SCENARIOS+=(
    "PUT config valid @ $PUT_RATE/s|put_config_valid.lua|$CONFIG_PATH|$PUT_RATE"
    "PUT valid, $CONNECTIONS subs @ $PUT_RATE/s|put_config_valid_spread.lua|$CONFIG_PATH|$PUT_RATE"
  )
fi
rows=()
commands=()
failed=0
failed_scenarios=()
i=0
for s in "${SCENARIOS[@]}"; do
  IFS='|' read -r name script path rate <<<"$s"
  expect="?"
  i=$((i + 1))
  load="$(cut -d' ' -f1 /proc/loadavg)"
  cmd=(env "CAPCONF_BENCH_RATE=${rate:-}" wrk "-t$THREADS" "-c$CONNECTIONS" "-d${DURATION}s" --latency -s "$HERE/$script" "$BASE$path")
  commands+=("${cmd[*]}")
  echo "bench/http: $name (${DURATION}s) ..." >&2
  out="$WORK/wrk-$i.txt"
  # In the background so that a signal to this script ends the run at once (see cleanup).
  "${cmd[@]}" >"$out" 2>&1 &
  WRK_PID=$!
  wrk_status=0
  wait "$WRK_PID" || wrk_status=$?
  WRK_PID=""
  if [ "$wrk_status" != 0 ]; then
    echo "bench/http: wrk failed for $name:" >&2; cat "$out" >&2
    rows+=("$name|-|-|-|wrk failed|-|$load|$expect|-|-")
    failed=1; failed_scenarios+=("$name")
    continue
  fi
  line="$(grep '^capconf-bench:' "$out" | tail -n 1)"
  if [ -z "$line" ]; then
    echo "bench/http: no result line from wrk for $name:" >&2; cat "$out" >&2
    rows+=("$name|-|-|-|no result|-|$load|$expect|-|-")
    failed=1; failed_scenarios+=("$name")
    continue
  fi
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  expect="$(field expect)"; rps="$(field rps)"; p50="$(field p50_us)"; p99="$(field p99_us)"; max="$(field max_us)"
  unexpected="$(field unexpected)"; by="$(field unexpected_by_status)"; sock="$(field socket_errors)"
  sock_detail="$(sed -n 's/.*socket_errors=[0-9]* (\(.*\))$/\1/p' <<<"$line")"
  unexpected_cell="$unexpected"
  [ "$unexpected" != 0 ] && unexpected_cell="UNEXPECTED $unexpected ($by)"
  sock_cell="$sock"
  [ "$sock" != 0 ] && sock_cell="$sock ($sock_detail)"
  if [ "$unexpected" != 0 ] || [ "$sock" != 0 ]; then failed=1; failed_scenarios+=("$name"); fi
  ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
  late_cell="-"
  if [ -n "$rate" ]; then
    late="$(field late)"
    late_cell="$late (max $(ms "$(field max_late_us)") ms)"
    [ "$late" = 0 ] || echo "bench/http: WARNING: $name: $late requests left more than 1 ms after their slot; the server did not keep up with $rate/s and this run's latency understates it" >&2
  fi
  rows+=("$name|$(printf '%.0f' "$rps")|$(ms "$p50")|$(ms "$p99")|$unexpected_cell|$sock_cell|$load|$expect|$(ms "$max")|$late_cell")
done

SERVER_ALIVE=yes
kill -0 "$SERVER_PID" 2>/dev/null || SERVER_ALIVE="NO (it died during the runs)"
# The access log is JSON lines with "status":N; anything else on stderr is worth a look.
ACCESS_5XX="$(grep -c '"status":5[0-9][0-9]' "$WORK/server.log" || true)"
OTHER_LOG="$(grep -vc '"status":[0-9]' "$WORK/server.log" || true)"

# ---- the report --------------------------------------------------------------------------------
echo
echo "capconf HTTP benchmark: $CAPCONF (built $(date -r "$CAPCONF" '+%Y-%m-%d %H:%M:%S'))"
echo "machine: $(uname -m), nproc $NPROC, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); load average before the runs: $LOAD_BEFORE"
echo "server: capconf serve --demo on $BASE (${SERVER_THREADS:-its default} worker threads), SQLite in a temp dir; wrk on the same host"
echo "subscription: $TEMPLATE, enabled capabilities $ENABLED; config body $(wc -c < "$WORK/valid.json") B valid, $(wc -c < "$WORK/invalid.json") B invalid ($INVALID_ERRORS errors); GET config answer $CONFIG_BYTES B (is_configured $IS_CONFIGURED), GET form answer $FORM_BYTES B"
echo
printf '%-46s %11s %8s %8s %8s  %-20s %-14s %-13s %s\n' scenario "requests/s" "p50 ms" "p99 ms" "max ms" "unexpected statuses" "socket errors" "load1 before" "late (paced)"
for r in "${rows[@]}"; do
  IFS='|' read -r name rps p50 p99 unexpected sock load expect max late_cell <<<"$r"
  printf '%-46s %11s %8s %8s %8s  %-20s %-14s %-13s %s\n' "$name (expect $expect)" "$rps" "$p50" "$p99" "${max:--}" "$unexpected" "$sock" "$load" "${late_cell:--}"
done
echo
echo "wrk command lines (CAPCONF_BENCH_RATE paces a run when not empty; CAPCONF_BENCH_TOKEN, CAPCONF_BENCH_VALID_BODY, CAPCONF_BENCH_INVALID_BODY, CAPCONF_BENCH_SPREAD_PATHS and CAPCONF_BENCH_THREADS in the environment; the spread scenario takes its paths from the file):"
for c in "${commands[@]}"; do echo "  $c"; done
echo
echo "server: still running after the runs: $SERVER_ALIVE; 5xx in its access log: $ACCESS_5XX; other stderr lines: $OTHER_LOG"
if ((${#setup_problems[@]})); then
  echo "setup problems:"
  for p in "${setup_problems[@]}"; do echo "  $p"; done
  failed=1
fi
[ "$SERVER_ALIVE" = yes ] || failed=1
if [ "$failed" = 1 ]; then
  if ((${#failed_scenarios[@]})); then
    echo "RESULT: FAILED: unexpected statuses, socket errors or no wrk result in: $(IFS=';'; echo "${failed_scenarios[*]}" | sed 's/;/, /g')"
  else
    echo "RESULT: FAILED: see the problems above"
  fi
  exit 1
fi
echo "RESULT: every response had the expected status"
