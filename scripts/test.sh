#!/usr/bin/env bash
# The one test command (README "Quick start", .ci/run): installs what the tests need on a fresh
# Debian machine, builds, type-checks and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real: strace watches the journal's fsync calls; python3
# runs the scanner module emulators on real pseudo-terminals; libusb is loaded by node-hid's
# native binding even for hidraw; mosquitto is the real broker the sync tests start on loopback
# (Debian installs it in /usr/sbin); chromium is the real browser the county board's page is tested
# in (puppeteer-core drives it; it downloads no browser of its own).
export PATH="$PATH:/usr/sbin"
declare -A commands=([strace]=strace [python3]=python3 [mosquitto]=mosquitto [chromium]=chromium)
declare -A libraries=([libusb-1.0.so.0]=libusb-1.0-0)
missing=()
for tool in "${!commands[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${commands[$tool]}")
done
for library in "${!libraries[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "$library" || missing+=("${libraries[$library]}")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "scripts/test.sh: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm run build
npx tsc -p test/tsconfig.json --noEmit

report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
ROOM_AGENT_SKIP_BUILD=1 npx vitest run --config test/vitest.config.ts \
  --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node scripts/test-summary.mjs "$report" || true
exit "$status"
