#!/usr/bin/env bash
# Builds the Debian packages from the compiled output `npm run dist` wrote, on the machine whose
# architecture they are for (a PC for amd64, a Pi for arm64 or armhf): no TypeScript needed here,
# only Node 20 and npm (to fetch or compile the native modules for this architecture and this
# Node ABI), dpkg-dev and binutils.
#
#   scripts/build-deb.sh --dist room-agent-V-dist.tar.gz --out DIR [--version V] [--node BIN]
#
# writes and prints
#   DIR/room-agent_V_ARCH.deb         what a room runs: /usr/lib/room-agent, /usr/bin/room-agent,
#                                     the unit and udev rules under /lib, the example configuration
#   DIR/room-agent-center_V_all.deb   the reference county center, the demo and the emulators
# Node itself is the separate package room-agent-node (scripts/build-node-deb.sh).
#
# --modules-from DIR takes the node_modules `npm ci` already installed on this machine (a CI job's
# own checkout, compiled by this Node for this architecture) instead of installing them again: its
# dev dependencies are pruned with `npm prune --omit=dev`, offline. Its addons are built without
# Debian's hardening flags, which only a release build from npm ci adds.
#
# ROOM_AGENT_MODULES_CACHE=DIR keeps the pruned production node_modules there, keyed by the lock
# file, the build flags and pruning, the Node ABI and the architecture: `npm ci` compiles
# better-sqlite3 for minutes, and an unchanged lock file gives the same modules.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
deb=$here/deb
# The Node major the native modules are built for; the package depends on exactly this major.
NODE_MAJOR=20
MAINTAINER=${ROOM_AGENT_MAINTAINER:-room-agent maintainers <maintainers@room-agent.example.org>}

die() {
  echo "build-deb.sh: $*" >&2
  exit 1
}

dist='' out='' version='' modules_from='' node_bin=$(command -v node || true)
while (($#)); do
  case $1 in
    --dist) dist=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --version) version=${2:-}; shift 2 ;;
    --node) node_bin=${2:-}; shift 2 ;;
    --modules-from) modules_from=${2:-}; shift 2 ;;
    *) die "unknown argument $1 (usage: build-deb.sh --dist FILE --out DIR [--version V] [--node BIN] [--modules-from DIR])" ;;
  esac
done
{ [ -n "$dist" ] && [ -n "$out" ]; } || die "usage: build-deb.sh --dist FILE --out DIR [--version V] [--node BIN] [--modules-from DIR]"
[ -f "$dist" ] || die "$dist: no such file (npm run dist writes room-agent-VERSION-dist.tar.gz)"
[ -z "$modules_from" ] || [ -d "$modules_from/better-sqlite3" ] ||
  die "--modules-from $modules_from: not a node_modules folder npm ci installed (no better-sqlite3 in it)"
for tool in dpkg-deb dpkg-shlibdeps strip npm; do
  command -v "$tool" >/dev/null || die "$tool is missing: sudo apt-get install dpkg-dev binutils npm"
done
{ [ -n "$node_bin" ] && [ -x "$node_bin" ]; } || die "no node found: install Node $NODE_MAJOR or pass --node BIN"
node_version=$("$node_bin" -p process.versions.node)
[ "${node_version%%.*}" = "$NODE_MAJOR" ] ||
  die "node $node_version: the native modules must be built with Node $NODE_MAJOR, the Node room-agent-node installs (pass --node /usr/lib/room-agent/node/bin/node)"
# npm's own `#!/usr/bin/env node` and node-gyp then run on this node, and build for its ABI.
PATH="$(dirname "$node_bin"):$PATH"
export PATH

arch=$(dpkg --print-architecture)
node_arch=$("$node_bin" -p process.arch)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tar -xzf "$dist" -C "$work"
top=$(find "$work" -mindepth 1 -maxdepth 1 -type d)
{ [ "$(echo "$top" | wc -l)" = 1 ] && [ -f "$top/package.json" ] && [ -f "$top/dist/src/cli/main.js" ]; } ||
  die "$dist is not an npm run dist tarball (one folder holding package.json and dist/src/cli/main.js)"
[ -n "$version" ] || version=$("$node_bin" -p "require('$top/package.json').version")
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "version $version is not a Debian version"

# --- Production modules for this machine ------------------------------------------------------

# Deletes from a node_modules tree what a device never runs: other platforms' prebuilt binaries,
# native sources and build intermediates, type definitions, source maps, documentation and tests.
prune_modules() {
  local modules=$1 gyp dir
  rm -rf "$modules/.bin" "$modules/.package-lock.json" "$modules/@types"
  # Headers for compiling addons, read by node-gyp only.
  find "$modules" -type d \( -name nan -o -name node-addon-api \) -path '*/node_modules/*' -prune -exec rm -rf {} +
  # The modules' own command-line tools ("bin" in their package.json): the daemon runs none of them.
  "$node_bin" -e '
    const { readFileSync, readdirSync, rmSync, statSync } = require("node:fs");
    const { join } = require("node:path");
    const walk = (dir) => readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) return [];
      if (name.startsWith("@")) return walk(path);
      const nested = readdirSync(path).includes("node_modules") ? walk(join(path, "node_modules")) : [];
      return [path, ...nested];
    });
    for (const dir of walk(process.argv[1])) {
      let bin;
      try { bin = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).bin; } catch { continue; }
      const files = typeof bin === "string" ? [bin] : Object.values(bin ?? {});
      for (const file of files) rmSync(join(dir, file), { force: true });
    }' "$modules"
  while IFS= read -r gyp; do
    dir=$(dirname "$gyp")
    # Only the addon itself is loaded (build/Release/*.node); better-sqlite3's test extension is not.
    if [ -d "$dir/build" ]; then
      find "$dir/build" -type f ! -path '*/build/Release/*.node' -delete
      find "$dir/build" -path '*/Release/obj*' -prune -exec rm -rf {} +
      rm -f "$dir/build/Release/test_extension.node"
      find "$dir/build" -type d -empty -delete
    fi
    rm -rf "$dir/src" "$dir/deps" "$dir/hidapi" "$dir/binding.gyp"
  done < <(find "$modules" -name binding.gyp -not -path '*/build/*')
  # prebuilds/<platform>-<arch>[...]: keep this machine's glibc builds only.
  find "$modules" -type d -path '*/prebuilds/*' -prune -regextype posix-extended \
    ! -regex ".*/prebuilds/([A-Za-z_]+-)?linux-$node_arch" -exec rm -rf {} +
  find "$modules" -path '*/prebuilds/*' -name '*musl*' -prune -exec rm -rf {} +
  find "$modules" -type f \( -name '*.md' -o -name '*.markdown' -o -name '*.map' -o -name '*.ts' -o -name '*.mts' \
    -o -name '*.cts' -o -name '*.tsbuildinfo' -o -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' \
    -o -name '*.gyp' -o -name '*.gypi' -o -name 'Makefile' -o -name '.npmignore' -o -name '.eslintrc*' \
    -o -name '.travis.yml' -o -name '.editorconfig' -o -name '.prettierrc*' -o -name '*.flow' -o -name '*.sh' \
    -o -name '.gitattributes' -o -name '*.html' \) -delete
  # Only at a module's top level (nested modules' too): inside dist/ a "doc" folder can be code (yaml's is).
  (cd "$modules" && find . -regextype posix-extended -type d \
    -regex '\./(.*/node_modules/)?(@[^/]+/)?[^/]+/(test|tests|__tests__|examples?|docs?|\.github|benchmarks?|\.husky|integration-test|fixtures?)' \
    -prune -exec rm -rf {} +)
  # As dh_strip does: no symbols, no compiler notes.
  find "$modules" -name '*.node' -type f -exec strip --strip-unneeded --remove-section=.comment --remove-section=.note {} +
  find "$modules" -type d -empty -delete
}

# The modules' inputs: the lock file, how they are built and pruned, the Node ABI and architecture.
modules_key=$(
  {
    cat "$top/package-lock.json"
    declare -f prune_modules
    DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh
    echo "$node_arch $("$node_bin" -p process.versions.modules)"
  } | sha256sum | cut -c1-16
)
cache=${ROOM_AGENT_MODULES_CACHE:-}
if [ -n "$modules_from" ]; then
  echo "build-deb.sh: node_modules from $modules_from, dev dependencies pruned…" >&2
  cp -a "$modules_from" "$top/node_modules"
  (cd "$top" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >&2)
  prune_modules "$top/node_modules"
elif [ -n "$cache" ] && [ -f "$cache/modules-$modules_key.tar" ]; then
  tar -xf "$cache/modules-$modules_key.tar" -C "$top"
else
  echo "build-deb.sh: npm ci --omit=dev (native modules for $arch, Node $node_version)…" >&2
  # Debian's hardening flags (stack protector, fortify, relro and bind-now) for the addons node-gyp
  # compiles here; prebuilt ones come as their authors built them.
  (cd "$top" && eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)" &&
    npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
  prune_modules "$top/node_modules"
  if [ -n "$cache" ]; then
    mkdir -p "$cache"
    tar -cf "$cache/.modules-$modules_key.$$" -C "$top" node_modules
    mv "$cache/.modules-$modules_key.$$" "$cache/modules-$modules_key.tar"
  fi
fi

# --- The two trees ----------------------------------------------------------------------------

lib=usr/lib/room-agent
device=$work/room-agent
center=$work/room-agent-center
mkdir -p "$device/$lib" "$center/$lib"

cp -a "$top/package.json" "$top/dist" "$top/node_modules" "$device/$lib/"
# Moves PATH (relative to /usr/lib/room-agent) from the device tree to the center's.
to_center() {
  mkdir -p "$(dirname "$center/$lib/$1")"
  mv "$device/$lib/$1" "$center/$lib/$1"
}
# The CLI loads these lazily (src/cli/optionalCommands.ts) and names room-agent-center when absent.
to_center dist/src/center
to_center dist/src/demo
to_center dist/src/cli/commands/center.js
to_center dist/src/cli/commands/demo.js
# The county board's page plays HLS with hls.js: only its light build is served.
to_center node_modules/hls.js
find "$center/$lib/node_modules/hls.js" -mindepth 1 -maxdepth 1 ! -name package.json ! -name dist ! -iname 'licen*' -exec rm -rf {} +
find "$center/$lib/node_modules/hls.js/dist" -type f ! -name hls.light.min.mjs -delete
# Read beside the compiled code (packageRoot()): the emulators (Python) and the page files.
(cd "$top" && cp -a --parents drivers src/center/web/assets "$center/$lib/")

install -D -m 0755 "$deb/room-agent.sh" "$device/usr/bin/room-agent"
install -D -m 0644 "$top/systemd/room-agent.service" "$device/lib/systemd/system/room-agent.service"
for rules in "$top"/systemd/*.rules; do
  install -D -m 0644 "$rules" "$device/lib/udev/rules.d/$(basename "$rules")"
done
install -D -m 0644 "$top/config/room-agent.example.yaml" "$device/usr/share/room-agent/room-agent.example.yaml"
install -D -m 0644 "$top/config/room-agent.schema.json" "$device/usr/share/room-agent/room-agent.schema.json"
for example in "$top"/config/mosquitto.*.example; do
  install -D -m 0644 "$example" "$center/usr/share/room-agent-center/$(basename "$example")"
done
install -D -m 0644 "$top/README.md" "$device/usr/share/doc/room-agent/README.md"
# The pruned tree still works: every native addon loads on this machine, and the CLI runs (the
# manual page is its help).
"$node_bin" -e '
  const load = require("node:module").createRequire(process.argv[1]);
  new (load("better-sqlite3"))(":memory:").close();
  for (const name of ["@serialport/bindings-cpp", "node-hid", "epoll", "unix-dgram"]) load(name);
' "$device/$lib/package.json" || die "the pruned node_modules do not load on this machine"
mkdir -p "$device/usr/share/man/man1"
"$node_bin" "$device/$lib/dist/src/cli/main.js" --lang en help | "$node_bin" "$deb/manpage.mjs" "$version" |
  gzip -9n >"$device/usr/share/man/man1/room-agent.1.gz"

# --- Package metadata -------------------------------------------------------------------------

changelog_date=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$top/package.json")}")
shlibs=$(
  mkdir -p "$work/shlibs/debian" && cd "$work/shlibs" &&
    printf 'Source: room-agent\n\nPackage: room-agent\nArchitecture: any\n' >debian/control &&
    find "$device/$lib" -name '*.node' -type f -print0 | xargs -0 -r dpkg-shlibdeps --warnings=0 -O 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p'
)
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no shared-library dependencies for the native modules"

# Normalises modes (npm leaves whatever the tarballs carried), writes the docs, control files and
# maintainer scripts, and builds PACKAGE's tree into DIR/PACKAGE_VERSION_ARCH.deb.
build_package() {
  local package=$1 tree=$2 package_arch=$3
  find "$tree" -type d -exec chmod 0755 {} +
  find "$tree" -type f -exec chmod 0644 {} +
  if [ -f "$tree/$lib/dist/src/cli/main.js" ]; then
    # Not a command of its own: its `#!/usr/bin/env node` would pick the distribution's nodejs,
    # whose ABI the native modules were not built for. /usr/bin/room-agent and the unit run it on
    # the private Node. A comment keeps the line numbers of stack traces.
    sed -i '1s|^#!.*|// The room-agent CLI: run by /usr/bin/room-agent on /usr/lib/room-agent/node/bin/node.|' \
      "$tree/$lib/dist/src/cli/main.js"
  fi
  if [ -f "$tree/usr/bin/room-agent" ]; then chmod 0755 "$tree/usr/bin/room-agent"; fi

  local docs=$tree/usr/share/doc/$package
  mkdir -p "$docs"
  node "$deb/copyright.mjs" "$deb/copyright.header" "$tree" >"$docs/copyright"
  # Their texts are in the copyright file now.
  find "$tree/$lib" -path '*/node_modules/*' -type f -regextype posix-extended \
    -iregex '.*/(licen[cs]e|copying)([-_.][^/]*)?' -delete
  printf '%s (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
    "$package" "$version" "$version" "$MAINTAINER" "$changelog_date" | gzip -9n >"$docs/changelog.gz"
  chmod 0644 "$docs"/*

  mkdir -p "$tree/DEBIAN"
  local size
  size=$(du -sk --apparent-size --exclude=DEBIAN "$tree" | cut -f1)
  sed -e "s/@VERSION@/$version/g" -e "s/@ARCH@/$package_arch/g" -e "s/@SIZE@/$size/g" \
    -e "s/@MAINTAINER@/$MAINTAINER/g" -e "s/@SHLIBS@/$shlibs/g" \
    -e "s/@NODE_MAJOR@/$NODE_MAJOR/g" -e "s/@NODE_NEXT@/$((NODE_MAJOR + 1))/g" \
    "$deb/control.$package" >"$tree/DEBIAN/control"
  if [ "$package" = room-agent ]; then
    for script in postinst prerm postrm; do install -m 0755 "$deb/$script" "$tree/DEBIAN/$script"; done
  fi
  (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum >DEBIAN/md5sums)
  chmod 0644 "$tree/DEBIAN/control" "$tree/DEBIAN/md5sums"

  local file=$out/${package}_${version}_$package_arch.deb
  dpkg-deb --root-owner-group -Zxz --build "$tree" "$file" >/dev/null
  echo "$file"
}

mkdir -p "$out"
out=$(cd "$out" && pwd)
build_package room-agent "$device" "$arch"
build_package room-agent-center "$center" all
