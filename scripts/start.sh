#!/usr/bin/env bash
# Quick start from a fresh clone: installs, builds and runs the daemon in the foreground on the
# example configuration, with its data under ./.demo-data. Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
exec node dist/src/cli/main.js run --config config/room-agent.example.yaml --data-dir .demo-data "$@"
