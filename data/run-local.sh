#!/usr/bin/env bash
# Installs, builds and runs Videoflix locally on Debian 12 with working defaults:
# a private PostgreSQL cluster in the state directory (as an unprivileged user when
# run as root), a private nats-server with JetStream and one transcoding worker
# node, a bootstrapped admin, mail written to .eml files, and videoflixd on
# 127.0.0.1:8000 in the foreground (Ctrl-C stops it, the worker and the servers).
#   STATE_DIR  where the cluster, broker, mails, media and logs live (default: ./state)
#   PG_PORT    the private cluster's port (default: 54329)
#   NATS_PORT  the private nats-server's port (default: 54222); NATS=no runs the
#              transcodes inside videoflixd instead (no broker, no worker node)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
state=${STATE_DIR:-$top/state}
pg_port=${PG_PORT:-54329}
nats_port=${NATS_PORT:-54222}
use_nats=${NATS:-yes}

if [ "$(id -u)" = 0 ]; then
    mapfile -t packages < <(grep -v '^#' .ci/debian-packages)
    if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${packages[@]}"
    fi
    if ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
        localedef -i de_DE -f UTF-8 de_DE.UTF-8
    fi
fi

if [ ! -f build-run/build.ninja ]; then
    meson setup build-run --buildtype=release
fi
ninja -C build-run

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p "$state"/{pg,nats,mail,media,log}
run_pg() {
    if [ "$(id -u)" = 0 ]; then
        chown -R nobody:nogroup "$state/pg"
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}
if [ ! -f "$state/pg/data/PG_VERSION" ]; then
    run_pg "$pg_bin/initdb" -A trust -U videoflix -E UTF8 --no-locale -D "$state/pg/data" >"$state/log/initdb.log"
fi
run_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -l "$state/pg/postgres.log" -w \
    -o "-k $state/pg -p $pg_port -h 127.0.0.1" start >/dev/null
stop_all() {
    [ -n "${worker_pid:-}" ] && kill -TERM "$worker_pid" 2>/dev/null && wait "$worker_pid" || true
    [ -n "${nats_pid:-}" ] && kill -TERM "$nats_pid" 2>/dev/null && wait "$nats_pid" || true
    run_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -m fast stop >/dev/null
}
trap stop_all EXIT
"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U videoflix -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'videoflix'" | grep -q 1 ||
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U videoflix videoflix

[ -f "$state/secret_key" ] || head -c 48 /dev/urandom | base64 -w0 >"$state/secret_key"
[ -f "$state/admin_password" ] || head -c 12 /dev/urandom | base64 -w0 | tr '+/' '-_' >"$state/admin_password"

export SECRET_KEY DB_HOST=127.0.0.1 DB_PORT=$pg_port DB_NAME=videoflix DB_USER=videoflix
SECRET_KEY=$(cat "$state/secret_key")
export LISTEN=${LISTEN:-127.0.0.1:8000} COOKIE_SECURE=False
export EMAIL_BACKEND=file MAIL_DIR="$state/mail" MEDIA_ROOT="$state/media"
export ADMIN_EMAIL=${ADMIN_EMAIL:-admin@videoflix.local}
ADMIN_PASSWORD=$(cat "$state/admin_password")
export ADMIN_PASSWORD

if [ "$use_nats" != no ]; then
    nats-server -js -sd "$state/nats" -a 127.0.0.1 -p "$nats_port" -l "$state/log/nats.log" &
    nats_pid=$!
    export NATS_URL=nats://127.0.0.1:$nats_port
    # one worker node next to the API; more may run on any host that mounts MEDIA_ROOT
    build-run/src/bin/videoflix-worker --nats "$NATS_URL" --media-root "$MEDIA_ROOT" \
        --name "$(hostname)-local" >>"$state/log/worker.log" 2>&1 &
    worker_pid=$!
fi

cat <<INFO
Videoflix on http://$LISTEN
  admin:  $ADMIN_EMAIL / $ADMIN_PASSWORD
  mails:  $state/mail/*.eml
  jobs:   ${NATS_URL:-in-process} (worker log: $state/log/worker.log, broker: $state/log/nats.log)
  logs:   $state/log/videoflixd.log (and this terminal), PostgreSQL: $state/pg/postgres.log
INFO
build-run/src/bin/videoflixd 2>&1 | tee -a "$state/log/videoflixd.log"
