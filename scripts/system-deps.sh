#!/usr/bin/env bash
# Installs the system programs the test suite runs for real (idempotent, quiet when all is there):
#   - PostgreSQL server binaries (the service's API tests start a throwaway server on 127.0.0.1),
#   - Chromium (the web-map and report tests drive it headless through Playwright),
#   - Node.js + npm (the web map's CesiumJS comes from the npm registry via package-lock.json).
# Debian/Ubuntu packages through apt-get; needs root (CI and the dev machines run as root).
# Set SKYWARDEN_SKIP_SYSTEM_DEPS=1 to skip (then the tests that need these fail with a clear message).
set -euo pipefail

if [[ "${SKYWARDEN_SKIP_SYSTEM_DEPS:-0}" == "1" ]]; then
    exit 0
fi

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# fonts for readable screenshots of the report and the map
[[ -d /usr/share/fonts/truetype/dejavu ]] || missing+=(fonts-dejavu-core)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" != "0" ]]; then
    echo "skywarden: these system packages are needed by the tests and are missing: ${missing[*]}" >&2
    echo "           install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "skywarden: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "skywarden: system packages installed."
