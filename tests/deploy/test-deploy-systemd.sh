#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the systemd files of data/ offline (no running systemd needed): both units pass
# `systemd-analyze verify` without a single warning and stay within an exposure of 2.5 in
# `systemd-analyze security`, the worker gives its job time to go back, and the sysusers.d and
# tmpfiles.d snippets create the user and directories in a scratch root.
# Usage: test-deploy-systemd.sh UNIT-DIR SYSUSERS-FILE TMPFILES-FILE
# (UNIT-DIR holds the units configured with the build tree's executables.)
set -uo pipefail

unit_dir=$1
sysusers_file=$(realpath "$2")
tmpfiles_file=$(realpath "$3")
max_exposure=25 # tenths: 2.5, "OK" in systemd-analyze's words

for tool in systemd-analyze systemd-sysusers systemd-tmpfiles; do
    if ! command -v "$tool" >/dev/null; then
        echo "Bail out! $tool not found: apt-get install systemd"
        exit 1
    fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$unit_dir/videoflixd.service" "$unit_dir/videoflix-worker@.service" "$scratch/"
ln -s videoflix-worker@.service "$scratch/videoflix-worker@1.service"

number=0
failed=0
report() { # report STATUS NAME [OUTPUT]
    number=$((number + 1))
    if [ "$1" = 0 ]; then
        echo "ok $number - $2"
    else
        failed=$((failed + 1))
        echo "not ok $number - $2"
        [ -n "${3:-}" ] && sed 's/^/# /' <<<"$3"
    fi
}

echo "1..9"

# verify exits 0 on unknown keys and bad values (it only warns), so any output fails too
for unit in videoflixd.service videoflix-worker@1.service; do
    output=$(cd "$scratch" && systemd-analyze verify "./$unit" 2>&1)
    status=$?
    [ -z "$output" ] || status=1
    report "$status" "systemd-analyze verify $unit" "$output"
done

for unit in videoflixd.service videoflix-worker@1.service; do
    output=$(cd "$scratch" &&
        systemd-analyze security --offline=yes --threshold=$max_exposure "./$unit" 2>&1)
    report $? "$unit exposure at most 2.5" "$(grep -E '✗|Overall' <<<"$output")"
done

# the last value of a key in a unit file
property() { # property UNIT KEY
    sed -n "s/^$2=//p" "$scratch/$1" | tail -n 1
}
status=0
[ "$(property videoflix-worker@.service KillMode)" = mixed ] || status=1
report $status "SIGTERM reaches the worker alone, SIGKILL the rest (KillMode=mixed)" \
    "KillMode=$(property videoflix-worker@.service KillMode)"

timeout=$(property videoflix-worker@.service TimeoutStopSec)
status=0
[[ $timeout =~ ^([0-9]+)s?$ ]] && [ "${BASH_REMATCH[1]}" -gt 30 ] || status=1
report $status "the worker has more than its 30 s grace period to stop" \
    "TimeoutStopSec=$timeout"

status=0
grep -q -- '--name %H-%i' "$scratch/videoflix-worker@.service" || status=1
report $status "each worker instance has its own node name (--name %H-%i)"

# sysusers.d and tmpfiles.d in a scratch root
root="$scratch/root"
mkdir -p "$root/etc"
output=$(systemd-sysusers --root="$root" "$sysusers_file" 2>&1)
status=$?
entry=$(grep '^videoflix:' "$root/etc/passwd" 2>/dev/null)
[ "$(cut -d: -f6 <<<"$entry")" = /var/lib/videoflix ] || status=1
report $status "sysusers.d creates videoflix with home /var/lib/videoflix" "$output
passwd: $entry"

output=$(systemd-tmpfiles --root="$root" --create "$tmpfiles_file" 2>&1)
status=$?
uid=$(cut -d: -f3 <<<"$entry")
for dir in var/lib/videoflix var/lib/videoflix/media; do
    owner=$(stat -c %u "$root/$dir" 2>/dev/null)
    if [ "$owner" != "$uid" ]; then
        status=1
        output+=$'\n'"$dir: owner ${owner:-missing}, expected $uid"
    fi
done
report $status "tmpfiles.d creates the state directory and MEDIA_ROOT for videoflix" "$output"

[ $failed = 0 ]
