#!/usr/bin/env bash
# Writes the folder a technician copies to a USB stick and installs a room from, offline:
#
#   scripts/build-usb.sh --out DIR PACKAGE.deb…
#
# PACKAGE.deb: room-agent_<version>_<arch>.deb (scripts/build-deb.sh; an arm package is built on a
# Pi from the same dist) and room-agent-node_<version>_<arch>.deb (scripts/build-node-deb.sh), one
# of each for every architecture the release carries (amd64, arm64, armhf). DIR gets them,
# install.sh, README.txt and SHA256SUMS of everything beside it, which install.sh checks before it
# changes anything.
#
# The center package (room-agent-center: the reference county center and the demo) is refused: a
# room never runs it, and a stick that carries only what a room installs cannot install it by
# mistake. It stays with build-deb.sh's output, for the county's server or a demo PC.
set -euo pipefail

usage() {
  echo "usage: $0 --out DIR PACKAGE.deb…" >&2
  echo "  PACKAGE.deb: room-agent and room-agent-node packages, one of each per architecture" >&2
  exit 64
}

out=''
debs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:-}"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "$0: unknown option: $1" >&2; usage ;;
    *) debs+=("$1"); shift ;;
  esac
done
if [ -z "$out" ] || [ ${#debs[@]} -eq 0 ]; then usage; fi
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "$0: $out is not empty: give a new folder (or remove this one)" >&2
  exit 73
fi

# Which package each architecture has: "room-agent:arm64" -> file.
declare -A chosen=()
declare -A arches=()
for deb in "${debs[@]}"; do
  [ -f "$deb" ] || { echo "$0: no such file: $deb" >&2; exit 66; }
  if ! package=$(dpkg-deb -f "$deb" Package 2>/dev/null); then
    echo "$0: $deb is not a Debian package" >&2
    exit 65
  fi
  arch=$(dpkg-deb -f "$deb" Architecture)
  case "$package" in
    room-agent | room-agent-node) ;;
    room-agent-center)
      echo "$0: $deb: the center package is not installed in a room; keep it for the county's server" >&2
      exit 65
      ;;
    *) echo "$0: $deb is $package, not a room-agent or room-agent-node package" >&2; exit 65 ;;
  esac
  if [ -n "${chosen[$package:$arch]:-}" ]; then
    echo "$0: two $package packages for $arch: ${chosen[$package:$arch]} and $deb" >&2
    exit 65
  fi
  chosen[$package:$arch]=$deb
  arches[$arch]=1
done
# install.sh installs both or refuses the board: a half pair is a mistake found here, not in a room.
for arch in "${!arches[@]}"; do
  for package in room-agent room-agent-node; do
    if [ -z "${chosen[$package:$arch]:-}" ]; then
      echo "$0: no $package package for $arch: give one of each per architecture" >&2
      exit 65
    fi
  done
done

mkdir -p "$out"
install -m 0755 "$(dirname "$0")/install.sh" "$out/install.sh"
for deb in "${chosen[@]}"; do install -m 0644 "$deb" "$out/"; done
cat >"$out/README.txt" <<'EOF'
room-agent 安装 / installation

在房间的板子上以 root 运行，无需联网 / On the room's board, as root, no network needed:

  sudo bash <U 盘上的这个目录>/install.sh
  sudo bash <this folder on the stick>/install.sh --lang en

先核对 SHA256SUMS，再安装 Node.js 和 room-agent，然后配置房间（room-agent provision）并运行 room-agent doctor。
加 --dry-run 只列出要做的步骤。再次运行不会重复已完成的步骤。
It checks SHA256SUMS, installs Node.js and room-agent, sets the room up (room-agent provision) and runs
room-agent doctor. --dry-run lists the steps without taking them. Running it again redoes nothing done.
EOF
mapfile -t files < <(cd "$out" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort)
sums=$(cd "$out" && sha256sum -- "${files[@]}")
printf '%s\n' "$sums" >"$out/SHA256SUMS"
echo "$out"
