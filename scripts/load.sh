#!/usr/bin/env bash
# Load test, one command: bash scripts/load.sh [seconds-per-run, default 5] [output.md, default artifacts/load/results.md]
# WARMUP_SECONDS (default 10) sets the warm-up per workload and app.
# SERVICE_LOG_LEVEL=Warning measures the service without its per-request Information logs (the logging cost).
# Loopback only (127.0.0.1), bounded: 2 calls x 4 workloads x 2 apps x N seconds (plus warm-up), every process it starts is
# killed on exit. Builds the service and the floor app (tests/DecisionApi.Floor) in Release, captures the service's
# answers as the floor's response bytes, then runs wrk against POST /v1/evaluations and the CDS Hooks order-sign call
# at 1, 16 and 64 connections (and at 16 with many different patients: 1,200 profiles, 350 charts), alternating service
# and floor, and writes a markdown table with the start-up to ready (median of five starts).
set -euo pipefail
# The load client's API key (a throwaway, for loopback runs only) and its SHA-256 as the service is configured with it.
LOAD_KEY="load-test-key-loopback-only"
LOAD_KEY_SHA256="$(printf %s "$LOAD_KEY" | sha256sum | cut -d' ' -f1)"
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-5}"
OUT="${2:-artifacts/load/results.md}"
SERVICE_PORT=5181
FLOOR_PORT=5182
WORK="$(mktemp -d)"
mkdir -p "$(dirname "$OUT")"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

# The service as the Dockerfile publishes it (Release, ReadyToRun); the floor app as a plain Release build.
case "$(uname -m)" in aarch64|arm64) ARCH=arm64 ;; *) ARCH=x64 ;; esac
dotnet publish src/DecisionApi -c Release -r "linux-$ARCH" --self-contained false -p:PublishReadyToRun=true -o "$WORK/service" -nologo -v q >/dev/null
dotnet build tests/DecisionApi.Floor -c Release -nologo -v q >/dev/null
SERVICE_DIR="$WORK/service"
FLOOR_DLL=tests/DecisionApi.Floor/bin/Release/net10.0/DecisionApi.Floor.dll

# Request bodies: the README's evaluation profile and order-sign call.
cat > "$WORK/eval.json" <<'JSON'
{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid","ia-corticosteroid"],"bmi":28.5,"jurisdiction":"US"}
JSON
cat > "$WORK/card.json" <<'JSON'
{"hook":"order-sign","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"userId":"Practitioner/example","patientId":"p1","draftOrders":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"ServiceRequest","id":"sr1","status":"draft","intent":"order","code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"0566T"}]}}}]}},"prefetch":{"patient":{"resourceType":"Patient","id":"p1","birthDate":"1961-05-02"},"kneeOaConditions":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"239873007"}]}}}]},"klGradeObservations":null,"procedures":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Procedure","status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"91251008"}]}}}]},"medicationStatements":{"resourceType":"Bundle","entry":[]},"medicationRequests":{"resourceType":"Bundle","entry":[]}}}
JSON
for name in eval card; do
  cat > "$WORK/$name.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "$LOAD_KEY"
wrk.headers["Accept-Language"] = "en"
local f = io.open("$WORK/$name.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
done

# Varied workloads: many different patients instead of one repeated. 1,200 evaluation profiles (age 20-99 x KL 0-4 x
# three treatment histories; their answers, ~115 KB each, far exceed the answer memo) and 350 charts (birth year
# 1930-1999 x KL 0-4) for the card, one body per line, cycled by each wrk thread.
for age in $(seq 20 99); do for kl in 0 1 2 3 4; do
  for tried in '' '"exercise-therapy"' '"exercise-therapy","oral-nsaid","ia-corticosteroid"'; do
    echo "{\"age\":$age,\"klGrade\":$kl,\"priorTreatments\":[$tried],\"bmi\":28.5,\"jurisdiction\":\"US\"}"
  done
done; done > "$WORK/eval-varied.lines"
for year in $(seq 1930 1999); do for kl in 0 1 2 3 4; do
  sed -e "s/\"birthDate\":\"1961-05-02\"/\"birthDate\":\"$year-05-02\"/" \
      -e "s/\"klGradeObservations\":null/\"klGradeObservations\":{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"urn:decision-api:knee-oa-grading\",\"code\":\"kl-grade\"}]},\"valueInteger\":$kl,\"effectiveDateTime\":\"2026-06-01\"}}]}/" "$WORK/card.json"
done; done > "$WORK/card-varied.lines"
for name in eval-varied card-varied; do
  cat > "$WORK/$name.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "$LOAD_KEY"
wrk.headers["Accept-Language"] = "en"
local bodies, i = {}, 0
for line in io.lines("$WORK/$name.lines") do bodies[#bodies + 1] = line end
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
LUA
done

now_ms() { date +%s%3N; }
# Readiness polled with bash built-ins only (/dev/tcp, read -t): a curl or sleep process every few milliseconds would
# take CPU from the start-up it measures on a 2-core machine.
exec 9<> <(:)
ready_once() { # port -> 0 when /health/ready answers 200
  { exec 8<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&8
  local status=""; read -r -t 2 _ status _ <&8 || true; exec 8<&- 8>&-
  [ "$status" = 200 ]
}
wait_ready() { # port -> prints ms waited
  local start; start=$(now_ms)
  for _ in $(seq 1 5000); do
    if ready_once "$1"; then echo $(( $(now_ms) - start )); return 0; fi
    read -r -t 0.002 -u 9 _ || true
  done
  echo "not ready on port $1" >&2; return 1
}

# The service as in production (compact JSON logs to a file), with CDS JWT authentication off for the load.
SERVICE_ENV=(ASPNETCORE_ENVIRONMENT=Production CdsHooks__PublicBaseUrl=http://127.0.0.1 CdsHooks__Authentication__Enabled=false RateLimiting__Enabled=false
  ApiKeys__Keys__0__Name=load ApiKeys__Keys__0__Sha256="$LOAD_KEY_SHA256" Logging__LogLevel__Default="${SERVICE_LOG_LEVEL:-Information}")
start_service() {
  (cd "$SERVICE_DIR" && exec env "${SERVICE_ENV[@]}" dotnet DecisionApi.dll --urls "http://127.0.0.1:$SERVICE_PORT" >"$WORK/service.log" 2>&1) &
  SERVICE_PID=$!; PIDS+=("$SERVICE_PID")
  wait_ready $SERVICE_PORT >/dev/null
}
# Start-up to ready: five starts of their own (process launch to the first 200 from /health/ready), each killed after.
STARTUPS=()
for _ in 1 2 3 4 5; do
  start=$(now_ms)
  (cd "$SERVICE_DIR" && exec env "${SERVICE_ENV[@]}" dotnet DecisionApi.dll --urls "http://127.0.0.1:$SERVICE_PORT" >/dev/null 2>&1) &
  probe=$!
  wait_ready $SERVICE_PORT >/dev/null
  STARTUPS+=($(( $(now_ms) - start )))
  kill -KILL "$probe"; wait "$probe" 2>/dev/null || true
done
STARTUP_SORTED=$(printf '%s\n' "${STARTUPS[@]}" | sort -n | tr '\n' ' ')
STARTUP_MEDIAN=$(printf '%s\n' "${STARTUPS[@]}" | sort -n | sed -n 3p)
start_service
curl -fs -X POST -H 'Content-Type: application/json' -H "X-Api-Key: $LOAD_KEY" -H 'Accept-Language: en' --data-binary @"$WORK/eval.json" \
  "http://127.0.0.1:$SERVICE_PORT/v1/evaluations" -o "$WORK/eval.response"
curl -fs -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/card.json" \
  "http://127.0.0.1:$SERVICE_PORT/cds-services/msc-knee-oa" -o "$WORK/card.response"

dotnet "$FLOOR_DLL" --urls "http://127.0.0.1:$FLOOR_PORT" --evaluation-body "$WORK/eval.response" \
  --card-body "$WORK/card.response" >/dev/null 2>&1 &
FLOOR_PID=$!; PIDS+=("$FLOOR_PID")
wait_ready $FLOOR_PORT >/dev/null

rss_mb() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
# ms value of a wrk latency line such as "50%  1.23ms" / "99%  850.00us" / "2.1s"
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
run_wrk() { # port lua connections -> "rps p50 p99 errors"
  local threads=$(( $3 < 2 ? 1 : 2 )) out
  out=$(wrk -t"$threads" -c"$3" -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/$2.lua" "http://127.0.0.1:$1$4")
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ { printf "%d", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errs=$(awk '/Non-2xx|Socket errors/ { e = 1 } END { print e + 0 }' <<<"$out")
  echo "$rps $p50 $p99 $errs"
}

# Warm both on every workload before measuring (WARMUP_SECONDS each, default 10): tiered compilation with dynamic PGO
# re-compiles the hot paths during the first 10-15 s under load, and a run measured then shows the JIT, not the service.
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
warm() { # port lua path
  wrk -t2 -c16 -d"${WARMUP_SECONDS}s" -s "$WORK/$2.lua" "http://127.0.0.1:$1$3" >/dev/null
}
for workload in "eval /v1/evaluations" "eval-varied /v1/evaluations" "card /cds-services/msc-knee-oa" "card-varied /cds-services/msc-knee-oa"; do
  set -- $workload
  warm $SERVICE_PORT "$1" "$2"; warm $FLOOR_PORT "$1" "$2"
done

{
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), $(uname -sr); .NET $(dotnet --version); $(date -u +%Y-%m-%dT%H:%MZ); ${SECONDS_PER_RUN}s per run after ${WARMUP_SECONDS}s warm-up per workload; service log level ${SERVICE_LOG_LEVEL:-Information}; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| call | conns | service req/s | floor req/s | ratio | service p50 ms | service p99 ms | floor p99 ms | service RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$OUT"
MAX_RSS=0
measure() { # lua path label connections
  local s_rps s_p50 s_p99 s_err f_rps f_p50 f_p99 f_err rss ratio label=$3
  read -r s_rps s_p50 s_p99 s_err <<<"$(run_wrk $SERVICE_PORT "$1" "$4" "$2")"
  rss=$(rss_mb "$SERVICE_PID"); (( rss > MAX_RSS )) && MAX_RSS=$rss
  read -r f_rps f_p50 f_p99 f_err <<<"$(run_wrk $FLOOR_PORT "$1" "$4" "$2")"
  ratio=$(awk -v a="$s_rps" -v b="$f_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  [ "$s_err$f_err" = "00" ] || label="$label (errors!)"
  echo "| $label | $4 | $s_rps | $f_rps | **$ratio** | $s_p50 | $s_p99 | $f_p99 | $rss |" >> "$OUT"
}
for c in 1 16 64; do measure eval /v1/evaluations "POST /v1/evaluations" "$c"; done
measure eval-varied /v1/evaluations "POST /v1/evaluations, 1,200 profiles" 16
for c in 1 16 64; do measure card /cds-services/msc-knee-oa "order-sign card" "$c"; done
measure card-varied /cds-services/msc-knee-oa "order-sign card, 350 charts" 16
{
  echo
  echo "Service start-up to ready (process launch to first 200 from /health/ready, 5 starts): median ${STARTUP_MEDIAN} ms (${STARTUP_SORTED% }); highest RSS under load: ${MAX_RSS} MB."
  echo "Response sizes: evaluation $(stat -c %s "$WORK/eval.response") bytes, card $(stat -c %s "$WORK/card.response") bytes; service log written: $(stat -c %s "$WORK/service.log") bytes."
} >> "$OUT"
cat "$OUT"
