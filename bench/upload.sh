#!/usr/bin/env bash
# Upload benchmark, on demand: POST a 2 GiB multipart upload to /api/admin/videos/ on
# loopback and print MB/s and videoflixd's peak RSS growth during the upload (VmHWM).
# The payload is not a video, so the answer is 400 after the whole body was streamed
# to MEDIA_ROOT/tmp and probed; what is measured is the streaming path.
# Goals: ≥ 300 MB/s; peak RSS growth ≤ 16 MiB.   SIZE_MIB (default 2048)
# Needs (Debian): postgresql curl.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${SIZE_MIB:-2048}

work=$(mktemp -d /tmp/vf-bench-upload.XXXXXX)
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
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release src/bin/videoflixd src/bin/videoflix-worker >/dev/null

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown nobody "$work/pg"
run_pg "$pg_bin/initdb" -A trust -U vf -E UTF8 --no-locale -D "$work/pg" --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-k $work/pg -p $pg_port -h 127.0.0.1 -c fsync=off" start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U vf videoflix

api_port=$(free_port)
api=http://127.0.0.1:$api_port
SECRET_KEY=bench-secret-key-0123456789abcdefghijklmnop DB_HOST=127.0.0.1 DB_PORT=$pg_port \
DB_USER=vf DB_NAME=videoflix LISTEN=127.0.0.1:$api_port COOKIE_SECURE=False \
EMAIL_BACKEND=file MAIL_DIR="$work/mail" MEDIA_ROOT="$work/media" MAX_UPLOAD_SIZE=4G \
ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=bench-password \
WORKER_PATH="$(pwd)/build-release/src/bin/videoflix-worker" \
G_MESSAGES_DEBUG= build-release/src/bin/videoflixd >"$work/videoflixd.log" 2>&1 &
vf_pid=$!
pids+=("$vf_pid")
for _ in $(seq 100); do curl -fs "$api/healthz" >/dev/null && break; sleep 0.1; done

reply=$(curl -fs "$api/api/login/" -H 'Content-Type: application/json' \
    -d '{"email":"admin@example.com","password":"bench-password"}' -D - -o /dev/null)
access=$(printf '%s\n' "$reply" | sed -n 's/^[Ss]et-[Cc]ookie: access_token=\([^;]*\);.*/\1/p')

# a sparse file reads at memory speed, so the client is not what is measured
truncate -s "${size_mib}M" "$work/big.mp4"
rss_before=$(kib "$vf_pid" VmRSS)
# start VmHWM afresh: the admin's argon2id hash at start-up peaked at 64 MiB
echo 5 >"/proc/$vf_pid/clear_refs" 2>/dev/null || echo "bench: cannot reset VmHWM, peak includes start-up"
( while kill -0 "$vf_pid" 2>/dev/null; do echo "$(kib "$vf_pid" VmRSS)"; sleep 0.2; done > "$work/rss.log" ) &
sampler=$!
stats=$(curl -s -o "$work/answer" -w '%{http_code} %{speed_upload} %{time_total}' \
    -H "Authorization: Bearer $access" -H 'Expect:' \
    -F title=Big -F "video_file=@$work/big.mp4" "$api/api/admin/videos/")
peak=$(kib "$vf_pid" VmHWM)
kill "$sampler" 2>/dev/null || true
sampled=$(sort -n "$work/rss.log" | tail -n 1)
read -r code speed total <<<"$stats"
left=$(find "$work/media/tmp" -type f | wc -l)
echo "upload of $size_mib MiB: HTTP $code in ${total} s, $(python3 -c "print(f'{$speed / 1e6:.0f}')") MB/s"
echo "videoflixd RSS before $((rss_before / 1024)) MiB, peak $((peak / 1024)) MiB (growth $(( (peak - rss_before) / 1024 )) MiB; highest 0.2-s sample $((sampled / 1024)) MiB); temp files left: $left"
echo "answer: $(head -c 200 "$work/answer")"
