#!/usr/bin/env bash
# Quick start from a fresh clone: installs what the demo needs, builds, and runs `room-agent demo`:
# a private broker, the emulated scanner, the agent, the county center and a story that plays by
# itself, all on this machine (data and logs in ./.demo-data). Ctrl-C stops it. Arguments go to the
# demo: --headless, --duration SECONDS, --dir DIR, --http-port PORT, --lang en.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the demo runs: mosquitto is its private broker (Debian installs it in
# /usr/sbin); python3 runs the emulated fingerprint module; util-linux's setpriv makes the kernel
# end the demo's processes when the demo itself is killed.
export PATH="$PATH:/usr/sbin"
declare -A commands=([python3]=python3 [mosquitto]=mosquitto [setpriv]=util-linux)
missing=()
for tool in "${!commands[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${commands[$tool]}")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "scripts/start.sh: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# Built only when a source is newer than the build: a second start is quick, and a build never
# rewrites dist/ under a daemon or a test that is running from it.
if [ ! -f dist/src/cli/main.js ] ||
  [ -n "$(find src drivers scripts tsconfig.json package-lock.json -newer dist/src/cli/main.js -print -quit)" ]; then
  npm run build --silent
fi
exec node dist/src/cli/main.js demo "$@"
