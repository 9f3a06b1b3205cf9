#!/usr/bin/env bash
# Runs every test suite (unit, integration with the browser test, media) from a fresh
# Debian 12 machine: installs what is missing (Debian packages as root, the browser
# test's npm packages), builds into build/, runs meson test, and ends
# with one line "tests: N passed, M failed" (test programs). Exit status 0 only
# when all passed. Extra arguments go to meson test (e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

if [ "$(id -u)" = 0 ]; then
    mapfile -t packages < <(grep -v '^#' .ci/debian-packages)
    if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${packages[@]}"
    fi
    # German mails need the de_DE.UTF-8 locale
    if ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
        localedef -i de_DE -f UTF-8 de_DE.UTF-8
    fi
fi

# the browser test's npm packages (hls.js, playwright-core), pinned by the lock file
if [ ! -d tests/browser/node_modules/hls.js ] || [ ! -d tests/browser/node_modules/playwright-core ]; then
    npm ci --prefix tests/browser --no-audit --no-fund
fi

builddir=${BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" -Dwerror=true
fi
ninja -C "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs "$@" || status=$?

# one line for CI: test programs that passed and failed
python3 - "$top/$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    result = json.loads(line).get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result != "SKIP":
        failed += 1
print(f"tests: {passed} passed, {failed} failed")
PY
exit $status
