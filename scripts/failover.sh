#!/usr/bin/env bash
# Failover on real engines, one command: bash scripts/failover.sh [seconds, default 12]
# Three service instances on loopback ports behind nginx (Debian package, installed when missing), wrk load through
# nginx, one instance killed (SIGKILL) half-way; passes when wrk saw zero failed requests and the survivors served.
# Loopback only, bounded in time; every process started here is stopped on exit.
set -euo pipefail
# The load client's API key (a throwaway, for loopback runs only) and its SHA-256 as the service is configured with it.
LOAD_KEY="load-test-key-loopback-only"
LOAD_KEY_SHA256="$(printf %s "$LOAD_KEY" | sha256sum | cut -d' ' -f1)"
cd "$(dirname "$0")/.."
DURATION="${1:-12}"
PORTS=(5191 5192 5193)
NGINX_PORT=5190
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true; rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

dotnet build src/DecisionApi -c Release -nologo -v q >/dev/null
SERVICE_DIR=src/DecisionApi/bin/Release/net10.0
for i in 0 1 2; do
  (cd "$SERVICE_DIR" && exec env ASPNETCORE_ENVIRONMENT=Production CdsHooks__PublicBaseUrl=http://127.0.0.1 CdsHooks__Authentication__Enabled=false RateLimiting__Enabled=false \
    ApiKeys__Keys__0__Name=load ApiKeys__Keys__0__Sha256="$LOAD_KEY_SHA256" \
    Logging__LogLevel__Default=Warning dotnet DecisionApi.dll --urls "http://127.0.0.1:${PORTS[$i]}" >"$WORK/instance$i.log" 2>&1) &
  PIDS+=($!)
done
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 400); do curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.025; done
done

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $WORK/access.log;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fcgi;
  uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  upstream decision_api {
    server 127.0.0.1:${PORTS[0]} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${PORTS[1]} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${PORTS[2]} max_fails=1 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://decision_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Retrying a POST on another instance is safe here: an evaluation and a CDS card are pure functions of the
      # request and the immutable rule store, and CDS feedback is idempotent (keyed by card and outcome), so a request
      # that an instance died while serving may be sent again; hence non_idempotent.
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 1s;
    }
  }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>/dev/null
sleep 0.3

cat > "$WORK/eval.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "$LOAD_KEY"
wrk.body = '{"age":62,"klGrade":3,"priorTreatments":["exercise-therapy","oral-nsaid","ia-corticosteroid"],"bmi":28.5,"jurisdiction":"US"}'
LUA
wrk -t2 -c16 -d"${DURATION}s" --latency -s "$WORK/eval.lua" "http://127.0.0.1:$NGINX_PORT/v1/evaluations" > "$WORK/wrk.out" &
WRK=$!
sleep "$(( DURATION / 2 ))"
echo "killing instance on port ${PORTS[0]} (pid ${PIDS[0]}) mid-run" >&2
pkill_target=$(pgrep -P "${PIDS[0]}" || true)
kill -9 ${pkill_target:-} "${PIDS[0]}" 2>/dev/null || true
wait "$WRK" || true
cat "$WORK/wrk.out"

total=$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")
failed=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$WORK/wrk.out")
after=$(awk '{ print $9 }' "$WORK/access.log" | sort | uniq -c | tr -s " \n" " ") # 499s: wrk closing its connections at the end
survivors=0
for port in "${PORTS[1]}" "${PORTS[2]}"; do curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && survivors=$((survivors + 1)); done
echo "requests: $total; failed (non-2xx or socket errors): $failed; nginx status counts: $after; survivors ready: $survivors/2"
[ "$failed" = 0 ] && [ "$survivors" = 2 ] && echo "PASS: zero failed requests across the kill" || { echo "FAIL"; exit 1; }
