#!/usr/bin/env bash
# Serving benchmark, on demand: an admin uploads a generated 30-s 1080p clip (prints the
# time from upload complete to the first playable master.m3u8), then wrk on loopback, in
# the same run: one HLS segment GET with a valid access cookie against nginx serving the
# same file without auth, and GET /api/video/ with 1 000 videos. Prints req/s, p99 and
# the ratios. Goals: segments ≥ 0.7× nginx req/s; catalogue p99 ≤ 20 ms.
#   DURATION  seconds per wrk run (default 10)   CONNECTIONS  (default 32)
#   NGINX_SENDFILE  off (nginx's built-in default, as bench/http.sh) or on
# Needs (Debian): wrk nginx-light postgresql curl gstreamer1.0-tools (+ plugins).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
sendfile=${NGINX_SENDFILE:-off}

for tool in wrk nginx curl gst-launch-1.0; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing"; exit 1; }
done

work=$(mktemp -d /tmp/vf-bench-serve.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -n "${pg_bin:-}" ] && run_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
now() { date +%s.%N; }

[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release src/bin/videoflixd src/bin/videoflix-worker >/dev/null

# the clip: 30 s of 1080p30 with audio
gst-launch-1.0 -q videotestsrc num-buffers=900 pattern=ball ! \
    video/x-raw,width=1920,height=1080,framerate=30/1 ! x264enc speed-preset=ultrafast ! \
    h264parse ! mp4mux name=m ! filesink location="$work/clip.mp4" \
    audiotestsrc num-buffers=1292 ! audioconvert ! avenc_aac ! m.

# PostgreSQL
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown nobody "$work/pg"
run_pg "$pg_bin/initdb" -A trust -U vf -E UTF8 --no-locale -D "$work/pg" --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-k $work/pg -p $pg_port -h 127.0.0.1 -c fsync=off" start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U vf videoflix

# videoflixd with a bootstrapped admin
api_port=$(free_port)
api=http://127.0.0.1:$api_port
SECRET_KEY=bench-secret-key-0123456789abcdefghijklmnop DB_HOST=127.0.0.1 DB_PORT=$pg_port \
DB_USER=vf DB_NAME=videoflix LISTEN=127.0.0.1:$api_port COOKIE_SECURE=False \
EMAIL_BACKEND=file MAIL_DIR="$work/mail" MEDIA_ROOT="$work/media" \
ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=bench-password LOGIN_FAILURES_PER_CLIENT=0 \
WORKER_PATH="$(pwd)/build-release/src/bin/videoflix-worker" \
G_MESSAGES_DEBUG= build-release/src/bin/videoflixd >"$work/videoflixd.log" 2>&1 &
vf_pid=$!
pids+=("$vf_pid")
for _ in $(seq 100); do curl -fs "$api/healthz" >/dev/null && break; sleep 0.1; done

curl -fs -c "$work/cookies" "$api/api/login/" -H 'Content-Type: application/json' \
    -d '{"email":"admin@example.com","password":"bench-password"}' >/dev/null
access=$(awk '$6 == "access_token" {print $7}' "$work/cookies")
csrf=$(awk '$6 == "csrftoken" {print $7}' "$work/cookies")

# upload, then time until master.m3u8 plays
reply=$(curl -fs -b "$work/cookies" -H "X-CSRFToken: $csrf" "$api/api/admin/videos/" \
    -F title=Bench -F category=Bench -F "video_file=@$work/clip.mp4")
uploaded=$(now)
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$reply")
until curl -fs -o /dev/null -b "$work/cookies" "$api/api/video/$id/master.m3u8"; do
    status=$(curl -fs -b "$work/cookies" "$api/api/video/$id/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$status" = failed ] && { echo "bench: the transcode failed"; exit 1; }
    sleep 0.1
done
playable=$(now)

# the segment: the first 720p one, also served by nginx from a copy
playlist=$(curl -s -b "$work/cookies" "$api/api/video/$id/720p/index.m3u8")
segment=$(printf "%s\n" "$playlist" | grep -v "^#" | grep -m 1 "ts$" || true)
[ -n "$segment" ] || { echo "bench: no segment in: $playlist"; exit 1; }
mkdir -p "$work/www"
curl -fs -b "$work/cookies" -o "$work/www/$segment" "$api/api/video/$id/720p/$segment"
nginx_port=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile $sendfile;
    server { listen 127.0.0.1:$nginx_port; root $work/www; location / { default_type video/MP2T; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.2
pids+=("$(cat "$work/nginx.pid")")

# 1 000 videos in the catalogue
"$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U vf videoflix -c "
    INSERT INTO videos (title, description, category, source, thumbnail, duration, status, resolutions)
    SELECT 'Video ' || g, 'Description of video ' || g, 'Bench', 'bench-' || g || '.mp4',
           'bench-' || g || '.jpg', 30, 'ready', '{480p,720p,1080p}'
    FROM generate_series(1, 999) g"

cat >"$work/cookie.lua" <<LUA
wrk.headers["Cookie"] = "access_token=$access"
LUA

# wrk → "req/s p99_ms"
measure() {
    local url=$1 script=${2:-}
    local args=(-t1 -c"$connections" -d"${duration}s" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" "$url" | awk '
        /Requests\/sec/ {rps=$2}
        /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
        END {printf "%s %s\n", rps, p99}'
}

size=$(stat -c %s "$work/www/$segment")
read -r nginx_rps nginx_p99 < <(measure "http://127.0.0.1:$nginx_port/$segment")
read -r seg_rps seg_p99 < <(measure "$api/api/video/$id/720p/$segment/" "$work/cookie.lua")
read -r list_rps list_p99 < <(measure "$api/api/video/" "$work/cookie.lua")

ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }
echo "upload complete → first playable master.m3u8: $(python3 -c "print(f'{$playable - $uploaded:.1f}')") s (30-s 1080p clip)"
printf '%-40s %12s %10s %8s\n' endpoint 'req/s' 'p99 ms' 'x nginx'
printf '%-40s %12s %10s %8s\n' "nginx segment ($((size / 1024)) KiB, sendfile $sendfile)" "$nginx_rps" "$nginx_p99" 1.00
printf '%-40s %12s %10s %8s\n' 'GET segment (access cookie)' "$seg_rps" "$seg_p99" "$(ratio "$seg_rps" "$nginx_rps")"
printf '%-40s %12s %10s %8s\n' 'GET /api/video/ (1 000 videos)' "$list_rps" "$list_p99" '-'
