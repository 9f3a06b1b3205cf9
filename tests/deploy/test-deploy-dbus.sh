#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the D-Bus and polkit files of data/ offline: the polkit action file is valid
# against polkit's DTD and declares the action videoflixd asks for; the system bus policy
# is well-formed, lets the user videoflixd.service runs as own the name, and lets the
# videoflix group call the interface.
# Usage: test-deploy-dbus.sh SOURCE-ROOT
set -uo pipefail

root=$1
policy=$root/data/org.videoflix.admin.policy
busconf=$root/data/org.videoflix.Admin1.conf
dtd=/usr/share/polkit-1/policyconfig-1.dtd

for tool in xmllint; do
    command -v "$tool" >/dev/null || { echo "Bail out! $tool not found: apt-get install libxml2-utils"; exit 1; }
done
[ -f "$dtd" ] || { echo "Bail out! $dtd not found: apt-get install polkitd"; exit 1; }

number=0
failed=0
check() { # description, then the command
    local description=$1
    shift
    number=$((number + 1))
    if output=$("$@" 2>&1); then
        echo "ok $number - $description"
    else
        echo "not ok $number - $description"
        sed 's/^/# /' <<<"$output"
        failed=$((failed + 1))
    fi
}
xpath() { xmllint --noout --nonet --xpath "$2" "$1" >/dev/null 2>&1 || xmllint --nonet --xpath "$2" "$1"; }

echo "1..6"
check "the polkit action file is valid against polkit's DTD" \
    xmllint --noout --nonet --dtdvalid "$dtd" "$policy"
action=$(sed -n 's/^#define VF_DBUS_AUTHORITY_ACTION "\(.*\)"$/\1/p' "$root/src/dbus/vf-dbus-authority.h")
check "videoflixd asks for an action the file declares ($action)" \
    xpath "$policy" "/policyconfig/action[@id='$action']"
check "the action wants an administrator, remembered for a while" \
    xpath "$policy" "/policyconfig/action[@id='$action']/defaults/allow_active[text()='auth_admin_keep']"
check "the bus policy is well-formed" xmllint --noout --nonet "$busconf"
user=$(sed -n 's/^User=//p' "$root/data/videoflixd.service.in")
check "the service's user ($user) may own org.videoflix.Admin1" \
    xpath "$busconf" "/busconfig/policy[@user='$user']/allow[@own='org.videoflix.Admin1']"
check "the videoflix group may call the interface" \
    xpath "$busconf" "/busconfig/policy[@group='videoflix']/allow[@send_destination='org.videoflix.Admin1' and @send_interface='org.videoflix.Admin1']"
exit $((failed > 0))
