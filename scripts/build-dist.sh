#!/usr/bin/env bash
# `npm run dist`: compiles the TypeScript once (on a PC or CI) and writes
# room-agent-<version>-dist.tar.gz, everything scripts/build-deb.sh needs to build the Debian
# packages on any architecture without a TypeScript toolchain: the compiled output, the manifest
# and lock file (build-deb.sh runs `npm ci --omit=dev` on the building machine, so the native
# modules match its architecture), the example configuration, the unit and udev rules, the README,
# the Python emulators and the county board's page files, and the packaging scripts themselves.
#
#   scripts/build-dist.sh [--out DIR]      (default: the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."

out=.
while (($#)); do
  case $1 in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    *) echo "build-dist.sh: unknown argument $1 (usage: build-dist.sh [--out DIR])" >&2; exit 2 ;;
  esac
done

version=$(node -p "require('./package.json').version")
top=room-agent-$version
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$top"

# A fresh output directory: a stale dist/ could carry modules deleted from src/. No source maps:
# the TypeScript they point at is not shipped.
npx tsc -p tsconfig.json --outDir "$stage/$top/dist" --sourceMap false
chmod 0755 "$stage/$top/dist/src/cli/main.js"

cp -a package.json package-lock.json README.md config systemd "$stage/$top/"
# Files read at run time beside the compiled code (packageRoot()): the emulators and the board's page.
cp -a --parents drivers/emulator-common/*.py drivers/*/emulator/*.py src/center/web/assets "$stage/$top/"
cp -a --parents scripts/build-deb.sh scripts/deb "$stage/$top/"

mkdir -p "$out"
tarball=$(cd "$out" && pwd)/$top-dist.tar.gz
# Reproducible: same sources, same bytes (sorted names, root-owned, no timestamps in gzip).
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" \
  -C "$stage" -cf - "$top" | gzip -9n >"$tarball"
echo "$tarball"
