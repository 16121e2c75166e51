#!/usr/bin/env bash
# The one test command (README "Quick start", .ci/run): installs what the tests need on a fresh
# Debian machine, builds, type-checks and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real: strace watches the journal's fsync calls.
declare -A debs=([strace]=strace)
missing=()
for tool in "${!debs[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${debs[$tool]}")
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
