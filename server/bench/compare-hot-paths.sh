#!/usr/bin/env bash
# Measures the server in one run, against the same throwaway PostgreSQL 15 (fsync on): for each mode
# it starts the server, loads it with the load generator, server/bench/target/aigov-bench.jar (closed
# loop at 1, 8, 32, 64 in flight; open loop at 1000, 5000, 10000 calls/s), stops it; then prints the
# modes side by side with their ratio, and times how fast a pause and a token revocation reach a
# second server process on the same database. Against the jar before a change, in the same run:
# AIGOV_BASELINE_JAR=/path/to/earlier/aigov-server.jar server/bench/compare-hot-paths.sh --modes "baseline batched"
#
#   server/bench/compare-hot-paths.sh [--build] [--fsync on|off] [--warmup 5s] [--duration 10s]
#       [--concurrency 1,8,32,64] [--rates 1000,5000,10000] [--modes "batched"]
#       (modes: batched, baseline, telemetry-off, telemetry-on, limiter-off, limiter-on; see mode_env)
#       [--toggles 200] [--revocations 50] [--no-propagation] [--out DIR]
#       [--together "modeA modeB"]  (both servers at once, each loaded at each --rates; their CPU per decision)
#       [--protocols "grpc connect-json"]  (per mode, one server loaded over each protocol in turn: grpc,
#        connect-json, connect-proto; the table's ratio is the last protocol over the first)
#       (--rates "" runs no open loop)
#
# --build builds both jars first. AIGOV_SERVER_JAR and AIGOV_BENCH_JAR name other jars than this tree's.
# Everything it starts (PostgreSQL, servers, temp directories) is stopped and removed on exit.
# BENCH_JAVA_OPTS (e.g. -XX:StartFlightRecording=filename=/tmp/bench.jfr) go to the load generator's JVM,
# SERVER_JAVA_OPTS to the servers' JVMs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SERVER_JAR=${AIGOV_SERVER_JAR:-"$ROOT/server/target/aigov-server.jar"}
BENCH_JAR=${AIGOV_BENCH_JAR:-"$ROOT/server/bench/target/aigov-bench.jar"}

BUILD=no
FSYNC=on
WARMUP=5s
DURATION=10s
CONCURRENCY=1,8,32,64
RATES=1000,5000,10000
MODES="batched"
WORKSPACES=1000
TOGGLES=200
REVOCATIONS=50
PROPAGATION=yes
TOGETHER=
PROTOCOLS=grpc
OUT_DIR=

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD=yes; shift ;;
    --fsync) FSYNC=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --workspaces) WORKSPACES=$2; shift 2 ;;
    --toggles) TOGGLES=$2; shift 2 ;;
    --revocations) REVOCATIONS=$2; shift 2 ;;
    --no-propagation) PROPAGATION=no; shift ;;
    --out) OUT_DIR=$2; shift 2 ;;
    --together) TOGETHER=$2; shift 2 ;;
    --protocols) PROTOCOLS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $FSYNC == on || $FSYNC == off ]] || { echo "--fsync takes on or off" >&2; exit 2; }

if [[ $BUILD == yes ]]; then
  # The load generator's module, and through -am the server's.
  (cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -B -q -DskipTests package -pl server/bench -am)
fi
for jar in "$SERVER_JAR" "$BENCH_JAR"; do
  [[ -f $jar ]] || { echo "no $jar: build it first (or pass --build)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aigov-bench.XXXXXX")
SERVER_PIDS=()
CHILD_PID=
PG_DATA="$WORK/pg/data"

cleanup() {
  local status=$?
  if [[ -n $CHILD_PID ]]; then kill -TERM "$CHILD_PID" 2>/dev/null && wait "$CHILD_PID" 2>/dev/null || true; fi
  for pid in "${SERVER_PIDS[@]}"; do
    stop_server "$pid" || true
  done
  if [[ -f $PG_DATA/postmaster.pid ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null || true
  fi
  if [[ -n $OUT_DIR ]]; then
    mkdir -p "$OUT_DIR" && cp "$WORK"/*.json "$WORK"/*.log "$OUT_DIR"/ 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL refuses to run as root: run its binaries as postgres when we are root.
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free loopback port: nothing answers a connection to it.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}

# JDK 24+ warns at every start that protobuf uses sun.misc.Unsafe; say it is allowed where the flag exists.
JAVA_OPTS=()
if "$JAVA" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  JAVA_OPTS+=(--sun-misc-unsafe-memory-access=allow)
fi
JAVA=("$JAVA" "${JAVA_OPTS[@]}")

# Runs a command in the background and waits for it: bash runs a trap only once its foreground
# command ends, but `wait` returns at once on a signal, so Ctrl-C or SIGTERM stops a long run now.
foreground() {
  "$@" &
  CHILD_PID=$!
  local status=0
  wait "$CHILD_PID" || status=$?
  CHILD_PID=
  return "$status"
}
bench() { foreground "${JAVA[@]}" -jar "$BENCH_JAR" "$@"; }

# Stops a server with SIGTERM (in-flight calls finish) and waits for it, at most 60 s.
stop_server() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}

# ---- PostgreSQL 15, fsync on (the durability the targets are measured with) ----------------------
PG_PORT=$(free_port)
mkdir -p "$WORK/pg"
[[ $(id -u) -eq 0 ]] && chown postgres "$WORK" "$WORK/pg"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-instructions >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/postgres.log" -w -t 60 \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=$FSYNC -c synchronous_commit=on -c full_page_writes=on" \
  start >/dev/null
psql_admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
for setting in fsync synchronous_commit full_page_writes; do
  echo "postgres: $setting = $(psql_admin -c "SHOW $setting")"
done
[[ $(psql_admin -c "SHOW fsync") == "$FSYNC" ]] || { echo "PostgreSQL did not take fsync=$FSYNC" >&2; exit 1; }

# ---- Database roles and the servers' database environment ---------------------------------------
# As in production: the owner role migrates, the servers run as the runtime role (deploy/postgres/aigov-roles.sql).
psql_admin -c "CREATE DATABASE aigov"
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d aigov -v ON_ERROR_STOP=1 -q -v owner_password=aigov-bench-owner \
  -v runtime_password=aigov-bench -f "$ROOT/deploy/postgres/aigov-roles.sql"
DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/aigov"
DB_USER=aigov_runtime
DB_ENV=(AIGOV_DB_URL="$DB_URL" AIGOV_DB_USER="$DB_USER" AIGOV_DB_PASSWORD=aigov-bench
        AIGOV_DB_MIGRATION_USER=aigov_owner AIGOV_DB_MIGRATION_PASSWORD=aigov-bench-owner)
if [[ $FSYNC == off ]]; then
  # Only for the comparison run: the server refuses an undurable database unless told so.
  DB_ENV+=(AIGOV_ALLOW_UNDURABLE_DATABASE=true)
fi
env "${DB_ENV[@]}" "${JAVA[@]}" -jar "$SERVER_JAR" migrate >/dev/null
# --------------------------------------------------------------------------------------------------

# One token with every capability, minted straight into the database (this also migrates it).
AIGOV_BENCH_TOKEN=$(env "${DB_ENV[@]}" "${JAVA[@]}" -jar "$SERVER_JAR" token create --name "bench-$$" \
  --capability ai.decisions.evaluate --capability workspace.ai_policy.manage --capability ops.controls.manage \
  --capability audit.read | tail -n 1)
export AIGOV_BENCH_TOKEN

# The baseline jar gets a database of its own, migrated by that jar: an earlier build cannot run on a
# schema a later one migrated (it calls the functions and tables of its own migrations).
BASELINE_DB_ENV=()
BASELINE_TOKEN=
if [[ " $MODES $TOGETHER " == *" baseline "* ]]; then
  BASELINE_JAR=${AIGOV_BASELINE_JAR:?baseline mode needs AIGOV_BASELINE_JAR, the jar of the earlier build}
  psql_admin -c "CREATE DATABASE aigov_baseline"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d aigov_baseline -v ON_ERROR_STOP=1 -q <<'SQL'
ALTER SCHEMA public OWNER TO aigov_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO aigov_runtime;
REVOKE ALL ON DATABASE aigov_baseline FROM PUBLIC;
GRANT CONNECT ON DATABASE aigov_baseline TO aigov_owner, aigov_runtime;
SQL
  BASELINE_DB_ENV=("${DB_ENV[@]/#AIGOV_DB_URL=*/AIGOV_DB_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/aigov_baseline}")
  env "${BASELINE_DB_ENV[@]}" "${JAVA[@]}" -jar "$BASELINE_JAR" migrate >/dev/null
  BASELINE_TOKEN=$(env "${BASELINE_DB_ENV[@]}" "${JAVA[@]}" -jar "$BASELINE_JAR" token create --name "bench-$$" \
    --capability ai.decisions.evaluate --capability workspace.ai_policy.manage --capability ops.controls.manage \
    --capability audit.read | tail -n 1)
fi
# The database environment and the token of a mode's server.
db_env_of() { if [[ $1 == baseline ]]; then printf '%s\n' "${BASELINE_DB_ENV[@]}"; else printf '%s\n' "${DB_ENV[@]}"; fi; }
token_of() { if [[ $1 == baseline ]]; then echo "$BASELINE_TOKEN"; else echo "$AIGOV_BENCH_TOKEN"; fi; }

# An OTLP/HTTP sink on loopback that accepts every export (for the telemetry-on mode): spans and
# metrics are really serialised and sent, as to a collector.
OTLP_SINK_PID=
start_otlp_sink() {
  [[ -n $OTLP_SINK_PID ]] && return 0
  OTLP_SINK_PORT=$(free_port)
  python3 - "$OTLP_SINK_PORT" >/dev/null 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(200); self.send_header('Content-Type', 'application/x-protobuf'); self.send_header('Content-Length', '0'); self.end_headers()
    def log_message(self, *args): pass
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Sink).serve_forever()
PY
  OTLP_SINK_PID=$!
  SERVER_PIDS+=("$OTLP_SINK_PID")
}

# A mode's server settings. batched: this tree's server as deployed (metrics served, adaptive limit,
# no OTLP). baseline: the same settings, served by the jar in AIGOV_BASELINE_JAR (an earlier build;
# the load generator stays this one). telemetry-off / telemetry-on: no metrics port and no export,
# against metrics served (and scraped every 5 s) plus every span and metric exported by OTLP.
# limiter-off / limiter-on: without and with the adaptive concurrency limit.
mode_env() {
  local mode=$1 metrics_port=$2
  case "$mode" in
    batched|baseline|limiter-on) echo "AIGOV_METRICS_PORT=$metrics_port AIGOV_CONCURRENCY_LIMIT=adaptive" ;;
    limiter-off) echo "AIGOV_METRICS_PORT=$metrics_port AIGOV_CONCURRENCY_LIMIT=off" ;;
    telemetry-off) echo "AIGOV_METRICS_PORT=0" ;;
    telemetry-on) start_otlp_sink
      echo "AIGOV_METRICS_PORT=$metrics_port AIGOV_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_SINK_PORT OTEL_METRIC_EXPORT_INTERVAL=5000" ;;
    *) echo "unknown mode: $mode" >&2; return 2 ;;
  esac
}

# Starts a server in the given mode on a free port; prints "PID PORT".
start_server() {
  local mode=$1 name=$2 port metrics_port http_port settings
  port=$(free_port)
  metrics_port=$(free_port)
  http_port=$(free_port)
  settings="$(mode_env "$mode" "$metrics_port") AIGOV_HTTP_PORT=$http_port"
  # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of JVM options (e.g. a JFR recording); settings are words
  local server_jar=$SERVER_JAR
  if [[ $mode == baseline ]]; then
    server_jar=${AIGOV_BASELINE_JAR:?baseline mode needs AIGOV_BASELINE_JAR, the jar of the earlier build}
  fi
  local db_env
  mapfile -t db_env < <(db_env_of "$mode")
  env "${db_env[@]}" $settings "${JAVA[@]}" ${SERVER_JAVA_OPTS:-} -jar "$server_jar" serve --bind 127.0.0.1 --port "$port" \
    >"$WORK/$name.log" 2>&1 &
  local pid=$!
  SERVER_PIDS+=("$pid")
  if [[ $mode == telemetry-on ]]; then
    # Scraped as Prometheus would, every 5 s, for as long as the server runs.
    (while kill -0 "$pid" 2>/dev/null; do curl -s -o /dev/null "http://127.0.0.1:$metrics_port/metrics" || true; sleep 5; done) &
  fi
  if ! bench health --target "127.0.0.1:$port" --wait 90s >/dev/null; then
    echo "server $name ($mode) did not become SERVING; its log:" >&2
    tail -n 40 "$WORK/$name.log" >&2
    exit 1
  fi
  STARTED_PID=$pid
  STARTED_PORT=$port
  STARTED_HTTP_PORT=$http_port
}

echo "aigov hot paths, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), fsync=$FSYNC"
echo "each point: warm-up $WARMUP, measured $DURATION; $WORKSPACES workspaces"
RESULTS=()
UNSAFE=no

# CPU seconds (user + system) a process has used so far, from /proc.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

if [[ -n $TOGETHER ]]; then
  # Two servers at once on the same machine and database, each under its own open-loop generator at the
  # same rate: whatever the machine does to one (a slower moment, another tenant), it does to the other.
  # Compared by the server's CPU per decision, which a fixed rate leaves as the only thing that differs.
  read -r MODE_A MODE_B <<<"$TOGETHER"
  start_server "$MODE_A" "server-$MODE_A"; PID_A=$STARTED_PID; PORT_A=$STARTED_PORT
  start_server "$MODE_B" "server-$MODE_B"; PID_B=$STARTED_PID; PORT_B=$STARTED_PORT
  echo "together: $MODE_A (pid $PID_A) and $MODE_B (pid $PID_B), each at ${RATES} decisions/s offered"
  for rate in ${RATES//,/ }; do
    env AIGOV_BENCH_TOKEN="$(token_of "$MODE_A")" "${JAVA[@]}" -jar "$BENCH_JAR" --target "127.0.0.1:$PORT_A" --label "$MODE_A" --workspaces "$WORKSPACES" \
      --workspace-prefix "a-" --rate "$rate" --warmup "$WARMUP" --duration 1s --json "$WORK/warm-a.json" >/dev/null &
    WA=$!
    env AIGOV_BENCH_TOKEN="$(token_of "$MODE_B")" "${JAVA[@]}" -jar "$BENCH_JAR" --target "127.0.0.1:$PORT_B" --label "$MODE_B" --workspaces "$WORKSPACES" \
      --workspace-prefix "b-" --rate "$rate" --warmup "$WARMUP" --duration 1s --json "$WORK/warm-b.json" >/dev/null &
    WB=$!
    wait "$WA" "$WB"
    A0=$(cpu_seconds "$PID_A"); B0=$(cpu_seconds "$PID_B")
    env AIGOV_BENCH_TOKEN="$(token_of "$MODE_A")" "${JAVA[@]}" -jar "$BENCH_JAR" --target "127.0.0.1:$PORT_A" --label "$MODE_A" --workspaces "$WORKSPACES" \
      --workspace-prefix "a-" --rate "$rate" --warmup 1s --duration "$DURATION" --json "$WORK/$MODE_A-$rate.json" >"$WORK/$MODE_A-$rate.txt" &
    WA=$!
    env AIGOV_BENCH_TOKEN="$(token_of "$MODE_B")" "${JAVA[@]}" -jar "$BENCH_JAR" --target "127.0.0.1:$PORT_B" --label "$MODE_B" --workspaces "$WORKSPACES" \
      --workspace-prefix "b-" --rate "$rate" --warmup 1s --duration "$DURATION" --json "$WORK/$MODE_B-$rate.json" >"$WORK/$MODE_B-$rate.txt" &
    WB=$!
    wait "$WA" "$WB"
    A1=$(cpu_seconds "$PID_A"); B1=$(cpu_seconds "$PID_B")
    python3 - "$WORK/$MODE_A-$rate.json" "$WORK/$MODE_B-$rate.json" "$A0" "$A1" "$B0" "$B1" "$MODE_A" "$MODE_B" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a, b = (r[0] if isinstance(r, list) else r.get('runs', [r])[0] for r in (a, b))
a0, a1, b0, b1 = map(float, sys.argv[3:7])
calls_a = a['answered'] + a['errorCount']; calls_b = b['answered'] + b['errorCount']
cpu_a = (a1 - a0) * 1e6 / max(1, calls_a); cpu_b = (b1 - b0) * 1e6 / max(1, calls_b)
print(f"{sys.argv[7]:>14}: {a['achievedRate']:,.0f}/s sent, p50 {a['latencyMs']['p50']:.2f} ms, p99 {a['latencyMs']['p99']:.2f} ms, "
      f"{a['errorCount']} errors {a['errors'] or ''}, server CPU {cpu_a:.1f} us per call")
print(f"{sys.argv[8]:>14}: {b['achievedRate']:,.0f}/s sent, p50 {b['latencyMs']['p50']:.2f} ms, p99 {b['latencyMs']['p99']:.2f} ms, "
      f"{b['errorCount']} errors {b['errors'] or ''}, server CPU {cpu_b:.1f} us per call")
print(f"{'':>14}  {sys.argv[8]} / {sys.argv[7]}: {cpu_b / cpu_a:.3f}x the CPU per call")
PY
  done
  exit 0
fi

LOADS=()
[[ -n $CONCURRENCY ]] && LOADS+=(--concurrency "$CONCURRENCY")
[[ -n $RATES ]] && LOADS+=(--rate "$RATES")
read -r -a PROTOCOL_LIST <<<"$PROTOCOLS"
for mode in $MODES; do
  echo
  echo "== $mode =="
  start_server "$mode" "server-$mode"
  # One server, loaded over each protocol in turn (the Connect port is the same server's HTTP port).
  for protocol in "${PROTOCOL_LIST[@]}"; do
    label=$mode
    if ((${#PROTOCOL_LIST[@]} > 1)); then
      label="$mode/$protocol"
      echo "-- $protocol --"
    fi
    # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of JVM options
    foreground env AIGOV_BENCH_TOKEN="$(token_of "$mode")" "${JAVA[@]}" ${BENCH_JAVA_OPTS:-} -jar "$BENCH_JAR" --target "127.0.0.1:$STARTED_PORT" \
      --protocol "$protocol" --connect-target "127.0.0.1:$STARTED_HTTP_PORT" --label "$label" --workspaces "$WORKSPACES" \
      "${LOADS[@]}" --warmup "$WARMUP" --duration "$DURATION" --json "$WORK/$mode-$protocol.json" \
      || { status=$?; [[ $status -eq 3 ]] || exit "$status"; UNSAFE=yes; }   # 3: an unsafe ALLOW; report it, go on
    RESULTS+=("$WORK/$mode-$protocol.json")
  done
  stop_server "$STARTED_PID"
done

echo
echo "== side by side (ratio: the last over the first) =="
bench report "${RESULTS[@]}"

if [[ $PROPAGATION == yes ]]; then
  echo
  echo "== propagation: two batched servers on the same PostgreSQL =="
  start_server batched server-a
  A_PORT=$STARTED_PORT
  start_server batched server-b
  B_PORT=$STARTED_PORT
  # Tokens are minted and revoked straight in the database, as the token command does (as the owner role,
  # which may also run the migration check that opening the database does).
  foreground env "${DB_ENV[@]}" AIGOV_DB_PASSWORD=aigov-bench-owner "${JAVA[@]}" -jar "$BENCH_JAR" propagation \
    --target-a "127.0.0.1:$A_PORT" --target-b "127.0.0.1:$B_PORT" --db-url "$DB_URL" --db-user aigov_owner --toggles "$TOGGLES" --revocations "$REVOCATIONS" --json "$WORK/propagation.json"
fi

if [[ $UNSAFE == yes ]]; then
  echo "!!! a server answered ALLOW where BLOCK was expected: see the tables above !!!" >&2
  exit 3
fi
