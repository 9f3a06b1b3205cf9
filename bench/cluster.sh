#!/usr/bin/env bash
# Cluster benchmark, on demand: 12 clips (10 s, 720p, with audio) uploaded at once, and the
# time until all are ready with one worker node against two (`--concurrency 1` each); the
# dispatch latency (job stored by JetStream → started on an idle node: median, p99) over
# clips uploaded one at a time; and the CPU time of the NATS path (API node + broker +
# worker nodes, children included) against the in-process runner for the same 12 clips.
# Goals: dispatch median ≤ 50 ms; CPU overhead of the NATS path ≤ 3 %.
#   CLIPS  clips per run (default 12)   PROBES  clips for the dispatch latency (default 20)
# Needs (Debian): nats-server postgresql curl gstreamer1.0-tools (+ plugins).
set -euo pipefail
cd "$(dirname "$0")/.."
clips=${CLIPS:-12}
probes=${PROBES:-20}

for tool in nats-server curl gst-launch-1.0 python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing"; exit 1; }
done

work=$(mktemp -d /tmp/vf-bench-cluster.XXXXXX)
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
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release src/bin/videoflixd src/bin/videoflix-worker >/dev/null
bin=$(pwd)/build-release/src/bin

gst-launch-1.0 -q videotestsrc num-buffers=250 pattern=ball ! \
    video/x-raw,width=1280,height=720,framerate=25/1 ! x264enc speed-preset=ultrafast ! \
    h264parse ! mp4mux name=m ! filesink location="$work/clip.mp4" \
    audiotestsrc num-buffers=470 ! audioconvert ! avenc_aac ! m.
gst-launch-1.0 -q videotestsrc num-buffers=25 ! video/x-raw,width=320,height=180 ! \
    x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink location="$work/probe.mp4"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown nobody "$work/pg"
run_pg "$pg_bin/initdb" -A trust -U vf -E UTF8 --no-locale -D "$work/pg" --no-sync >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-k $work/pg -p $pg_port -h 127.0.0.1 -c fsync=off" start >/dev/null

# start_run NAME WORKERS (0 = in-process): a fresh database, media folder, broker and nodes
start_run() {
    local name=$1 workers=$2
    run_dir=$work/$name
    mkdir -p "$run_dir/media"
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U vf "$name"
    run_pids=()
    local nats_env=()
    if [ "$workers" -gt 0 ]; then
        local nats_port
        nats_port=$(free_port)
        nats-server -js -sd "$run_dir/nats" -a 127.0.0.1 -p "$nats_port" -l "$run_dir/nats.log" &
        run_pids+=($!)
        nats_env=(NATS_URL=nats://127.0.0.1:$nats_port)
        for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$nats_port") 2>/dev/null && break; sleep 0.1; done
    fi
    api_port=$(free_port)
    api=http://127.0.0.1:$api_port
    env SECRET_KEY=bench-secret-key-0123456789abcdefghijklmnop DB_HOST=127.0.0.1 DB_PORT=$pg_port \
        DB_USER=vf DB_NAME="$name" LISTEN=127.0.0.1:$api_port COOKIE_SECURE=False \
        EMAIL_BACKEND=file MAIL_DIR="$run_dir/mail" MEDIA_ROOT="$run_dir/media" \
        ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=bench-password LOGIN_FAILURES_PER_CLIENT=0 \
        WORKER_PATH="$bin/videoflix-worker" TRANSCODE_CONCURRENCY=1 "${nats_env[@]}" \
        G_MESSAGES_DEBUG=vf-jobs "$bin/videoflixd" >"$run_dir/videoflixd.log" 2>&1 &
    run_pids+=($!)
    for i in $(seq "$workers"); do
        "$bin/videoflix-worker" --nats "${nats_env[0]#NATS_URL=}" --media-root "$run_dir/media" \
            --name "node-$i" >"$run_dir/worker-$i.log" 2>&1 &
        run_pids+=($!)
    done
    pids+=("${run_pids[@]}")
    for _ in $(seq 300); do curl -fs "$api/readyz" >/dev/null && break; sleep 0.1; done
    curl -fs -c "$run_dir/cookies" "$api/api/login/" -H 'Content-Type: application/json' \
        -d '{"email":"admin@example.com","password":"bench-password"}' >/dev/null
    csrf=$(awk '$6 == "csrftoken" {print $7}' "$run_dir/cookies")
}

upload() {
    curl -fs -b "$run_dir/cookies" -H "X-CSRFToken: $csrf" "$api/api/admin/videos/" \
        -F title=Bench -F category=Bench -F "video_file=@$1" >/dev/null
}

# waits until N jobs succeeded (fails on a failed one)
wait_done() {
    local n=$1 counts
    while :; do
        counts=$(curl -fs -b "$run_dir/cookies" "$api/api/admin/jobs/" |
            json '" ".join(str(sum(1 for j in d if j["state"] == s)) for s in ("succeeded", "failed"))')
        if [ "${counts#* }" != 0 ]; then
            kept=$(mktemp -d /tmp/vf-bench-cluster-failed.XXXXXX)
            cp "$run_dir"/*.log "$kept"/
            curl -fs -b "$run_dir/cookies" "$api/api/admin/jobs/" >"$kept/jobs.json"
            echo "bench: a transcode failed (logs and jobs kept in $kept)"
            exit 1
        fi
        [ "${counts% *}" -ge "$n" ] && return
        sleep 0.2
    done
}

# CPU seconds of a process and of its children it has reaped (the transcodes)
cpu_of() {
    awk -v tck="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13 + $14 + $15) / tck}' "/proc/$1/stat"
}

# sums the CPU of the run's processes (every transcode has ended and was reaped), then
# stops them
stop_run() {
    run_cpu=0
    for pid in "${run_pids[@]}"; do
        run_cpu=$(python3 -c "print(f'{$run_cpu + $(cpu_of "$pid"):.1f}')")
    done
    for ((i = ${#run_pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${run_pids[i]}" 2>/dev/null || true
        wait "${run_pids[i]}" 2>/dev/null || true
    done
}

# 12 clips at once: wall seconds and CPU seconds
batch() {
    start_run "$1" "$2"
    local start uploads=()
    start=$(now)
    for _ in $(seq "$clips"); do
        upload "$work/clip.mp4" &
        uploads+=($!)
    done
    wait "${uploads[@]}"
    wait_done "$clips"
    batch_wall=$(python3 -c "print(f'{$(now) - $start:.1f}')")
    stop_run
    batch_cpu=$run_cpu
}

if [ -n "${ONLY_TWO:-}" ]; then
    batch twoworkers 2
    echo "NATS, 2 workers:    wall ${batch_wall} s, CPU ${batch_cpu} s"
    exit 0
fi
echo "== $clips clips of 10 s 720p, uploaded at once"
batch inprocess 0
local_wall=$batch_wall local_cpu=$batch_cpu
echo "in-process runner:  wall ${local_wall} s, CPU ${local_cpu} s"
batch oneworker 1
one_wall=$batch_wall one_cpu=$batch_cpu
echo "NATS, 1 worker:     wall ${one_wall} s, CPU ${one_cpu} s"
batch twoworkers 2
two_wall=$batch_wall two_cpu=$batch_cpu
echo "NATS, 2 workers:    wall ${two_wall} s, CPU ${two_cpu} s"

echo "== dispatch latency: $probes short clips one at a time, 2 idle workers"
start_run dispatch 2
for i in $(seq "$probes"); do
    upload "$work/probe.mp4"
    wait_done "$i"
done
stop_run
grep -o 'dispatched to [^ ]* in -\?[0-9]* ms' "$run_dir/videoflixd.log" | awk '{print $(NF-1)}' |
    sort -n >"$work/latency"
python3 - "$work/latency" <<'PY'
import statistics, sys
values = [int(v) for v in open(sys.argv[1]) if v.strip()]
if not values:
    sys.exit("bench: no dispatch lines in the log")
values.sort()
p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
print(f"dispatch: n={len(values)} median {statistics.median(values):.0f} ms, p99 {p99} ms "
      f"(goal: median ≤ 50 ms)")
PY

python3 - <<PY
one, two, local_cpu, one_cpu = $one_wall, $two_wall, $local_cpu, $one_cpu
print(f"ratio wall 1 worker / 2 workers: {one / two:.2f} (2 cores: both nodes share them)")
print(f"CPU NATS path / in-process: {one_cpu / local_cpu:.3f} "
      f"(overhead {100 * (one_cpu - local_cpu) / local_cpu:+.1f} %, goal ≤ 3 %)")
PY
