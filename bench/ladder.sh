#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark of the transcode ladder (on demand, not part of the test suites):
#   (a) videoflix-transcode: one GStreamer pipeline, decode once, tee to 3 x264enc
#   (b) one ffmpeg process: decode once, split=3, three libx264 encoders, HLS
#   (c) three ffmpeg processes, one per rendition (the replaced service's structure)
# on a busy 1080p30 clip with audio, interleaved over ROUNDS rounds. Prints median wall time,
# CPU time (user+sys) and peak RSS, then PSNR/SSIM and video bitrate per rendition (last
# round), and the ratios a/b and a/c.
#
# usage: bench/ladder.sh [BUILD_DIR]    env: ROUNDS (3), SECONDS_OF_VIDEO (30), WORK (tmp dir)
# needs: gst-launch-1.0, ffmpeg, ffprobe, GNU time (/usr/bin/time), python3
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
transcode=$build/src/bin/videoflix-transcode
ladder=$here/pipelines/ladder.ini
rounds=${ROUNDS:-3}
length=${SECONDS_OF_VIDEO:-30}
work=${WORK:-$(mktemp -d /tmp/vf-bench-XXXXXX)}
mkdir -p "$work"
[ -x "$transcode" ] || { echo "build first: $transcode is missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

# the settings of pipelines/ladder.ini, for ffmpeg
names=(480p 720p 1080p)
widths=(854 1280 1920)
heights=(480 720 1080)
rates=(1400 2800 5000)
gop=60            # 2 s at 30 fps
segment=6
preset=veryfast

src=$work/source.mp4
if [ ! -f "$src" ]; then
    echo "making a ${length} s busy 1080p30 clip with audio in $work"
    gst-launch-1.0 -q \
        videotestsrc num-buffers=$((length * 30)) pattern=zone-plate kt2=2 kx2=6 ky2=6 kxy=1 ! \
        video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! \
        x264enc speed-preset=ultrafast pass=qual quantizer=16 ! h264parse ! mp4mux name=m ! \
        filesink location="$src" \
        audiotestsrc num-buffers=$((length * 50)) samplesperbuffer=960 wave=pink-noise ! \
        audio/x-raw,rate=48000,channels=2 ! avenc_aac bitrate=192000 ! aacparse ! m.
fi

run_a() {
    "$transcode" "$src" "$1" --ladder "$ladder" >/dev/null 2>&1
}

run_b() {
    local out=$1 filter maps=() opts=()
    mkdir -p "$out"
    filter="[0:v]split=3[s0][s1][s2]"
    for i in 0 1 2; do
        filter+=";[s$i]scale=${widths[$i]}:${heights[$i]}:flags=lanczos[v$i]"
        maps+=(-map "[v$i]" -map 0:a)
        opts+=(-b:v:$i "${rates[$i]}k" -maxrate:v:$i "${rates[$i]}k" -bufsize:v:$i "$((rates[$i] * 2))k")
    done
    ffmpeg -nostdin -v error -y -i "$src" -filter_complex "$filter" "${maps[@]}" \
        -c:v libx264 -preset $preset -profile:v high -g $gop -keyint_min $gop -sc_threshold 0 \
        "${opts[@]}" -c:a aac -b:a 128k \
        -f hls -hls_time $segment -hls_playlist_type vod -hls_segment_type mpegts \
        -var_stream_map "v:0,a:0,name:480p v:1,a:1,name:720p v:2,a:2,name:1080p" \
        -hls_segment_filename "$out/%v/seg_%05d.ts" -master_pl_name master.m3u8 \
        "$out/%v/index.m3u8"
}

run_c_one() {
    local out=$1 i=$2
    mkdir -p "$out/${names[$i]}"
    ffmpeg -nostdin -v error -y -i "$src" -vf "scale=${widths[$i]}:${heights[$i]}:flags=lanczos" \
        -c:v libx264 -preset $preset -profile:v high -g $gop -keyint_min $gop -sc_threshold 0 \
        -b:v "${rates[$i]}k" -maxrate "${rates[$i]}k" -bufsize "$((rates[$i] * 2))k" \
        -c:a aac -b:a 128k -f hls -hls_time $segment -hls_playlist_type vod \
        -hls_segment_filename "$out/${names[$i]}/seg_%05d.ts" "$out/${names[$i]}/index.m3u8"
}

# measure METHOD ROUND: appends "wall cpu rss_kib" to $work/METHOD.times
measure() {
    local method=$1 round=$2 out=$work/out-$1-$2 stats wall=0 cpu=0 rss=0 w u s m
    rm -rf "$out"
    if [ "$method" = c ]; then
        for i in 0 1 2; do
            stats=$( { /usr/bin/time -f "%e %U %S %M" bash -c "$(declare -f run_c_one); \
                $(declare -p src widths heights rates names gop preset segment); run_c_one '$out' $i" ; } 2>&1 | tail -1)
            read -r w u s m <<<"$stats"
            wall=$(python3 -c "print($wall + $w)")
            cpu=$(python3 -c "print($cpu + $u + $s)")
            rss=$(( m > rss ? m : rss ))
        done
    else
        stats=$( { /usr/bin/time -f "%e %U %S %M" bash -c "$(declare -f run_$method); \
            $(declare -p src widths heights rates names gop preset segment transcode ladder); run_$method '$out'" ; } 2>&1 | tail -1)
        read -r w u s m <<<"$stats"
        wall=$w; cpu=$(python3 -c "print($u + $s)"); rss=$m
    fi
    echo "$wall $cpu $rss" >> "$work/$method.times"
    printf "round %d %s: wall %6.1f s  cpu %6.1f s  peak RSS %5d MiB\n" "$round" "$method" "$wall" "$cpu" $((rss / 1024))
}

rm -f "$work"/{a,b,c}.times
for round in $(seq 1 "$rounds"); do
    for method in a b c; do
        measure $method "$round"
    done
done

quality() {
    local out=$1 i=$2 playlist=$1/${names[$i]}/index.m3u8 log bytes dur
    log=$(ffmpeg -nostdin -hide_banner -i "$playlist" -i "$src" -lavfi \
        "[0:v]settb=1/30,setpts=N[d];[1:v]scale=${widths[$i]}:${heights[$i]}:flags=lanczos,settb=1/30,setpts=N[r];[d]split[d1][d2];[r]split[r1][r2];[d1][r1]psnr;[d2][r2]ssim" \
        -f null - 2>&1)
    bytes=$(ffprobe -v error -select_streams v:0 -show_entries packet=size -of default=nw=1:nk=1 \
        "$playlist" | python3 -c "import sys; print(sum(int(l) for l in sys.stdin if l.strip()))")
    dur=$(grep '^#EXTINF:' "$playlist" | cut -d: -f2 | tr -d , | python3 -c \
        "import sys; print(sum(float(l) for l in sys.stdin if l.strip()))")
    printf "%s PSNR-Y %s dB SSIM %s, video %.0f kbit/s" "${names[$i]}" \
        "$(grep -o 'PSNR y:[0-9.]*' <<<"$log" | cut -d: -f2)" \
        "$(grep -o 'SSIM Y:[0-9.]*' <<<"$log" | cut -d: -f2)" \
        "$(python3 -c "print($bytes * 8 / $dur / 1000)")"
}

python3 - "$work" <<'PY'
import statistics, sys
work = sys.argv[1]
med = {}
for m in "abc":
    rows = [list(map(float, l.split())) for l in open(f"{work}/{m}.times")]
    med[m] = [statistics.median(c) for c in zip(*rows)]
    print(f"{m}: median wall {med[m][0]:6.1f} s  cpu {med[m][1]:6.1f} s  peak RSS {med[m][2]/1024:5.0f} MiB")
for other in "bc":
    print(f"a/{other}: wall {med['a'][0]/med[other][0]:.2f}  cpu {med['a'][1]/med[other][1]:.2f}  "
          f"rss {med['a'][2]/med[other][2]:.2f}")
PY
for method in a b c; do
    for i in 0 1 2; do
        echo "$method $(quality "$work/out-$method-$rounds" $i)"
    done
done
echo "work dir: $work"
