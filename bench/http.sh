#!/usr/bin/env bash
# HTTP benchmark: videoflixd (release build) against nginx serving a small static JSON
# file, both driven by wrk on loopback in the same run. Prints req/s and p99 latency of
# /healthz, an authenticated POST /api/token/refresh/ and POST /api/login/, each with
# its ratio to nginx (median of interleaved rounds), and videoflixd's RSS idle, after
# a warm-up, and after 100 000 more requests.
#   DURATION  seconds per wrk run (default 10)   CONNECTIONS  (default 32)   ROUNDS (default 3)
# Needs (Debian): wrk nginx-light postgresql curl. Run as root or as a normal user.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx-light curl)"; exit 1; }
done

work=$(mktemp -d /tmp/vf-bench-http.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    [ -f "$work/nginx.conf" ] && nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -n "${pg_bin:-}" ] && run_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release src/bin/videoflixd >/dev/null

# PostgreSQL
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown nobody "$work/pg"
run_pg "$pg_bin/initdb" -A trust -U vf -E UTF8 --no-locale -D "$work/pg" --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-k $work/pg -p $pg_port -h 127.0.0.1 -c fsync=off" start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U vf videoflix

# videoflixd
api_port=$(free_port)
SECRET_KEY=bench-secret-key-0123456789abcdefghijklmnop DB_HOST=127.0.0.1 DB_PORT=$pg_port \
DB_USER=vf DB_NAME=videoflix LISTEN=127.0.0.1:$api_port COOKIE_SECURE=False \
EMAIL_BACKEND=file MAIL_DIR="$work/mail" MEDIA_ROOT="$work/media" \
LOGIN_FAILURES_PER_CLIENT=0 LOGIN_FAILURES_PER_ACCOUNT=0 REGISTER_PER_CLIENT=0 \
G_MESSAGES_DEBUG= build-release/src/bin/videoflixd >"$work/videoflixd.log" 2>&1 &
vf_pid=$!
pids+=("$vf_pid")
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null && break; sleep 0.1; done

# nginx with a small static JSON file
nginx_port=$(free_port)
mkdir -p "$work/www"
echo '{"status":"ok"}' >"$work/www/healthz.json"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen 127.0.0.1:$nginx_port; root $work/www; location / { default_type application/json; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

# a user with a session
body='{"email":"bench@example.com","password":"bench-password","confirmed_password":"bench-password"}'
reply=$(curl -fs "http://127.0.0.1:$api_port/api/register/" -H 'Content-Type: application/json' -d "$body")
uid=$(python3 -c 'import base64,json,sys; d=json.loads(sys.argv[1]); print(base64.urlsafe_b64encode(str(d["user"]["user_id"]).encode()).decode().rstrip("="))' "$reply")
token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$reply")
curl -fs "http://127.0.0.1:$api_port/api/activate/$uid/$token/" >/dev/null
curl -fs -c "$work/cookies" "http://127.0.0.1:$api_port/api/login/" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password"}' >/dev/null
refresh=$(awk '$6 == "refresh_token" {print $7}' "$work/cookies")

cat >"$work/refresh.lua" <<LUA
wrk.method = "POST"
wrk.headers["Cookie"] = "refresh_token=$refresh"
LUA
cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"bench-password"}'
LUA

# wrk → "req/s p99_ms requests"
measure() {
    local url=$1 script=${2:-}
    local args=(-t1 -c"$connections" -d"${duration}s" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" "$url" | awk '
        /Requests\/sec/ {rps=$2}
        /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
        / requests in / {n=$1}
        END {printf "%s %s %s\n", rps, p99, n}'
}

idle_rss=$(rss_kib "$vf_pid")
# warm-up: every endpoint once for a short while (thread pools, caches, arenas)
for target in "/healthz" "/api/token/refresh/ $work/refresh.lua" "/api/login/ $work/login.lua"; do
    set -- $target
    wrk -t1 -c"$connections" -d2s ${2:+-s "$2"} "http://127.0.0.1:$api_port$1" >/dev/null
done
warm_rss=$(rss_kib "$vf_pid")
# interleaved rounds: each videoflixd figure is compared with the nginx run just
# before it, so the shared machine's drift cancels out; medians are printed
rounds=${ROUNDS:-3}
: >"$work/rounds"
for round in $(seq "$rounds"); do
    read -r n_rps n_p99 _ < <(measure "http://127.0.0.1:$nginx_port/healthz.json")
    read -r h_rps h_p99 h_n < <(measure "http://127.0.0.1:$api_port/healthz")
    read -r r_rps r_p99 r_n < <(measure "http://127.0.0.1:$api_port/api/token/refresh/" "$work/refresh.lua")
    echo "$n_rps $n_p99 $h_rps $h_p99 $r_rps $r_p99" >>"$work/rounds"
    echo "round $round: nginx $n_rps req/s, /healthz $h_rps, refresh $r_rps" >&2
done
read -r nginx_rps nginx_p99 health_rps health_p99 refresh_rps refresh_p99 health_ratio refresh_ratio < <(python3 - "$work/rounds" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
med = lambda i: statistics.median(r[i] for r in rows)
print(med(0), med(1), med(2), med(3), med(4), med(5),
      f"{statistics.median(r[2] / r[0] for r in rows):.2f}",
      f"{statistics.median(r[4] / r[0] for r in rows):.2f}")
PY
)
read -r login_rps login_p99 login_n < <(measure "http://127.0.0.1:$api_port/api/login/" "$work/login.lua")
health_n=$(( ${h_n%.*} * rounds ))
refresh_n=$(( ${r_n%.*} * rounds ))
# top up to at least 100 000 requests after warm-up, then read RSS again
done_n=$(( ${health_n%.*} + ${refresh_n%.*} + ${login_n%.*} ))
while [ "$done_n" -lt 100000 ]; do
    read -r _ _ extra_n < <(measure "http://127.0.0.1:$api_port/healthz")
    done_n=$(( done_n + ${extra_n%.*} ))
done
after_rss=$(rss_kib "$vf_pid")

ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }
printf '%-28s %12s %10s %8s\n' endpoint 'req/s' 'p99 ms' 'x nginx'
printf '%-28s %12s %10s %8s\n' 'nginx static JSON' "$nginx_rps" "$nginx_p99" 1.00
printf '%-28s %12s %10s %8s\n' 'GET /healthz' "$health_rps" "$health_p99" "$health_ratio"
printf '%-28s %12s %10s %8s\n' 'POST /api/token/refresh/' "$refresh_rps" "$refresh_p99" "$refresh_ratio"
printf '%-28s %12s %10s %8s\n' 'POST /api/login/' "$login_rps" "$login_p99" "$(ratio "$login_rps" "$nginx_rps")"
echo "videoflixd RSS: idle $((idle_rss / 1024)) MiB, after warm-up $((warm_rss / 1024)) MiB, after $done_n more requests $((after_rss / 1024)) MiB (growth $(( (after_rss - warm_rss) / 1024 )) MiB)"
