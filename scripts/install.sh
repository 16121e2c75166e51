#!/usr/bin/env bash
# The technician's one command: installs room-agent on this board from the USB folder it sits in,
# offline, as root. Run it again at any time: what is already in place is left alone.
#
#   sudo bash /media/usb/room-agent/install.sh [--lang en] [--dry-run] [--root DIR] [-- PROVISION_FLAGS…]
#
# In order, and nothing after a refusal:
#   1. SHA256SUMS: every file it lists must be in the folder with that checksum, and every package
#      or installer in the folder must be listed; until this passes nothing is changed.
#   2. The board: its architecture from `dpkg --print-architecture` (32-bit Raspberry Pi OS may run
#      a 64-bit kernel: the packages must match dpkg, not uname), ARMv6 boards refused (Pi 1, Zero:
#      Node.js 20 has no build for them), the OS release from /etc/os-release (Debian 12 or 13,
#      Raspberry Pi OS 12 or 13).
#   3. room-agent-node, then room-agent, with dpkg, once every system package they depend on is
#      found installed; a package installed at the folder's version is skipped, one installed at a
#      newer version left as it is (an older stick never downgrades).
#   4. The hardware watchdog, where the board has one: systemd pets it (RuntimeWatchdogSec in
#      /etc/systemd/system.conf.d/room-agent-watchdog.conf, at most the board's max_timeout), so a
#      hung board reboots. Only sysfs is read: opening /dev/watchdog would arm it.
#   5. `room-agent provision` when the configuration is missing or fails `room-agent config check`
#      (the flags after `--` go to it, so a script can provision without questions), then the
#      service is restarted; last `room-agent doctor`, whose ✘ lines say what the room still needs.
#
# --dry-run lists the changes it would make (steps 3 to 5; the doctor, which changes nothing, runs
# only for real) and makes none; once everything is in place it lists nothing.
# --root DIR installs into DIR, a root that is not running, for this machine's architecture (a
# test's scratch root, an image built on a machine of the board's architecture): dpkg --root with
# the maintainer scripts run on this machine (they honour DPKG_ROOT), no systemctl. Architecture,
# CPU and watchdog are this machine's, so a root whose var/lib/dpkg/arch names another architecture
# is refused; the OS release is DIR's. Provision and the doctor are skipped: they probe the room's serial ports, cameras and
# broker, which only the board itself can reach, so it says to run them there.
# --sys-dir DIR and --proc-dir DIR (for tests) read sysfs and /proc from DIR; `dpkg
# --print-architecture` and `uname -m` come from PATH.
#
# stdout: the steps, one line each ("would …" in a dry run); stderr: progress, notes and failures,
# each failure with what to do. Chinese unless --lang en.
# Exit codes: 0 installed or nothing to do (the doctor's ✘ lines do not change it); 64 usage;
# 65 the folder fails its checksums or holds ambiguous packages; 69 board, OS or architecture not
# supported, no package for it in the folder, or a system package they depend on missing; 77 not root; 78 installed but provisioning did
# not finish; 1 a step failed (dpkg, writing a file: the lines above say why).
# errtrace (-E): the ERR trap below also fires for a failure inside a function.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lang=zh
dry_run=0
root=''
sys_dir=/sys
proc_dir=/proc
provision_args=()
# The watchdog timeout systemd is given: the Raspberry Pi's is at most 15 s, and more would let a
# hung board sit longer before it reboots.
watchdog_sec=15

# say ZH EN: one line in the chosen language on stdout.
say() { if [ "$lang" = en ]; then printf '%s\n' "$2"; else printf '%s\n' "$1"; fi; }
# note ZH EN: the same on stderr (progress and notes, never steps).
note() { say "$@" >&2; }
# fail CODE ZH EN: the reason and what to do, then exit CODE.
fail() {
  local code=$1
  shift
  if [ "$lang" = en ]; then printf 'install.sh: %s\n' "$2" >&2; else printf 'install.sh：%s\n' "$1" >&2; fi
  exit "$code"
}

# A command that fails where no check expected it (set -e) still says what to do.
trap 'fail 1 "意外失败（第 $LINENO 行，退出码 $?）：原因见上面的输出；解决后再运行本脚本，已完成的步骤不会重做" \
  "unexpected failure (line $LINENO, exit $?): the lines above say why; fix that and run this again, steps already done are not redone"' ERR

# usage ZH EN: what was wrong with the command line.
usage() {
  fail 64 "用法：sudo bash $0 [--lang en] [--dry-run] [--root 目录] [-- provision 参数…]（$1）" \
    "usage: sudo bash $0 [--lang en] [--dry-run] [--root DIR] [-- PROVISION_FLAGS…] ($2)"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --lang)
      case "${2:-}" in zh | en) lang=$2 ;; *) usage "--lang zh|en" "--lang zh|en" ;; esac
      shift 2
      ;;
    --dry-run) dry_run=1; shift ;;
    --root | --sys-dir | --proc-dir)
      [ -n "${2:-}" ] || usage "$1 后面缺少目录" "$1 needs a DIR"
      case "$1" in
        --root) root=$2 ;;
        --sys-dir) sys_dir=$2 ;;
        --proc-dir) proc_dir=$2 ;;
      esac
      shift 2
      ;;
    --) shift; provision_args=("$@"); break ;;
    -h | --help)
      # The comment at the top of this file.
      sed -n '2,/^# errtrace/{/^# errtrace/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) usage "未知参数：$1" "unknown argument: $1" ;;
  esac
done
if [ -n "$root" ] && [ ${#provision_args[@]} -gt 0 ]; then
  usage "--root：provision 在板子上运行，不能与 --root 同用" "--root: provision runs on the board itself, not with --root"
fi

[ "$(id -u)" -eq 0 ] || fail 77 "请以 root 运行：sudo bash $0" "run it as root: sudo bash $0"
for dir in "$root" "$sys_dir" "$proc_dir"; do
  [ -z "$dir" ] || [ -d "$dir" ] || usage "$dir 不是目录" "$dir is not a directory"
done
[ -z "$root" ] || root=$(cd "$root" && pwd)

# 1. The folder's checksums, before anything else.
sums="$here/SHA256SUMS"
[ -f "$sums" ] || fail 65 "$here 中没有 SHA256SUMS：U 盘目录不完整，请重新复制整个目录" \
  "no SHA256SUMS in $here: the USB folder is incomplete; copy the whole folder again"
declare -A expected=()
while read -r hash name; do
  [ -n "$hash" ] || continue
  # A copy edited on Windows ends its lines in CR; a name is never meant to.
  name=${name%$'\r'}
  name=${name#\*}
  if ! [[ $hash =~ ^[0-9a-f]{64}$ ]] || [[ $name == */* ]] || [ -z "$name" ]; then
    fail 65 "SHA256SUMS 有一行无法识别（$hash $name）：请从构建机重新复制整个目录" \
      "SHA256SUMS has a line that is not '<sha256>  <file name>' ($hash $name): copy the whole folder again from the build"
  fi
  expected[$name]=$hash
done <"$sums"
for file in "$here"/install.sh "$here"/*.deb; do
  [ -e "$file" ] || continue
  name=${file##*/}
  [ -n "${expected[$name]:-}" ] || fail 65 "$name 不在 SHA256SUMS 中：它不属于这个发行包，删除它或重新复制整个目录" \
    "$name is not listed in SHA256SUMS: it is not part of this release; delete it or copy the whole folder again"
done
count=${#expected[@]}
index=0
while IFS= read -r name; do
  index=$((index + 1))
  file="$here/$name"
  [ -f "$file" ] || fail 65 "缺少 $name（SHA256SUMS 中有它）：请重新复制整个目录" \
    "$name is missing (SHA256SUMS lists it): copy the whole folder again"
  size_mb=$(($(stat -c %s "$file") / 1048576))
  note "校验 $index/$count：$name（$size_mb MB）" "checking $index/$count: $name ($size_mb MB)"
  actual=$(sha256sum <"$file")
  [ "${actual%% *}" = "${expected[$name]}" ] || fail 65 \
    "$name 的校验和不符：文件已损坏或被改动，未安装任何东西；请从构建机重新复制整个目录" \
    "$name does not match its checksum: the file is damaged or altered, nothing was installed; copy the whole folder again from the build"
done < <(printf '%s\n' "${!expected[@]}" | sort)

# 2. The board and its OS.
arch=$(dpkg --print-architecture)
case "$arch" in
  amd64 | arm64) ;;
  armhf)
    if [ "$(uname -m)" = armv6l ] || grep -Eqs '^model name[[:space:]]*:.*(ARMv6|\(v6l\))|^CPU part[[:space:]]*:[[:space:]]*0xb76' "$proc_dir/cpuinfo"; then
      fail 69 "这块板子的 CPU 是 ARMv6（树莓派 1、Zero、Zero W）：Node.js 20 不支持它，room-agent 无法运行；请换用树莓派 2 及以后的型号或 Zero 2 W" \
        "this board has an ARMv6 CPU (Raspberry Pi 1, Zero, Zero W): Node.js 20 has no build for it, so room-agent cannot run; use a Raspberry Pi 2 or later, or a Zero 2 W"
    fi
    ;;
  *) fail 69 "不支持的架构 $arch：room-agent 支持 amd64、arm64 和 armhf" \
    "architecture $arch is not supported: room-agent runs on amd64, arm64 and armhf" ;;
esac
# The maintainer scripts and the checks above run on this machine: a root of another architecture
# would get this machine's packages.
root_arch=$(head -n 1 "$root/var/lib/dpkg/arch" 2>/dev/null || true)
if [ -n "$root" ] && [ -n "$root_arch" ] && [ "$root_arch" != "$arch" ]; then
  fail 69 "$root 是 $root_arch 系统，而这台机器是 $arch：--root 只能为本机架构安装；请在 $root_arch 机器上（或在板子上）运行本脚本" \
    "$root is a $root_arch system and this machine is $arch: --root installs for this machine's architecture only; run this on a $root_arch machine (or on the board)"
fi
os_release="$root/etc/os-release"
[ -f "$os_release" ] || os_release="$root/usr/lib/os-release"
os_field() { sed -n "s/^$1=//p" "$os_release" 2>/dev/null | head -n 1 | tr -d "\"'"; }
os_id=$(os_field ID)
os_version=$(os_field VERSION_ID)
os_name=$(os_field PRETTY_NAME)
case "$os_id:$os_version" in
  debian:12 | debian:13 | raspbian:12 | raspbian:13) ;;
  *) fail 69 "不支持的系统 ${os_name:-（$os_release 不可读）}：room-agent 支持 Debian 12、13 和树莓派 OS 12（Bookworm）、13；请先安装其中之一" \
    "unsupported OS ${os_name:-(no readable $os_release)}: room-agent supports Debian 12 and 13 and Raspberry Pi OS 12 (Bookworm) and 13; install one of them first" ;;
esac

# Each package in the folder: its name, architecture and version, read once.
declare -A deb_package=() deb_arch=() deb_version=()
for file in "$here"/*.deb; do
  [ -e "$file" ] || continue
  read -r name deb_arch["$file"] deb_version["$file"] \
    < <(dpkg-deb --show --showformat "\${Package} \${Architecture} \${Version}\n" "$file")
  deb_package["$file"]=$name
done
# Sets VAR to the folder's package of NAME for this architecture (exactly one).
package_file() {
  local found=() file
  for file in "${!deb_package[@]}"; do
    if [ "${deb_package[$file]}" = "$1" ] && [ "${deb_arch[$file]}" = "$arch" ]; then found+=("$file"); fi
  done
  case ${#found[@]} in
    1) printf -v "$2" '%s' "${found[0]}" ;;
    0) fail 69 "这个目录里没有 $arch 的 $1 包：请在 $arch 机器上构建（scripts/build-usb.sh），再复制目录" \
      "this folder has no $1 package for $arch: build one on an $arch machine (scripts/build-usb.sh) and copy the folder again" ;;
    *) fail 65 "这个目录里有多个 $arch 的 $1 包（${found[*]##*/}）：只保留一个发行版的包" \
      "this folder holds more than one $1 package for $arch (${found[*]##*/}): keep one release's packages only" ;;
  esac
}
node_deb=''
agent_deb=''
package_file room-agent-node node_deb
package_file room-agent agent_deb

dpkg_target=()
[ -z "$root" ] || dpkg_target=("--root=$root")
# The version of NAME installed (configured), or nothing (dpkg-query fails for a package it never saw).
installed_version() {
  { dpkg-query "${dpkg_target[@]}" -W -f '${db:Status-Status} ${Version}\n' "$1" 2>/dev/null || true; } |
    sed -n 's/^installed //p'
}

# systemd runs this root (not so with --root, nor in a chroot or container): then systemctl may be called.
systemd_running() { [ -z "$root" ] && [ -d /run/systemd/system ]; }

# Each step: its line, then the function that takes it.
steps=()
step_lines=()
add_step() { steps+=("$1"); step_lines+=("$(say "$2" "$3")"); }

install_package() {
  local deb=$1 name=${deb_package[$1]} version=${deb_version[$1]}
  note "dpkg 正在安装 $name $version，请稍候…" "dpkg is installing $name $version, please wait…"
  local options=(--force-confdef --force-confold)
  # Another root: maintainer scripts run here with DPKG_ROOT set, and the dependencies are the
  # target's business (its dpkg database may not list them).
  [ -z "$root" ] || options=("--root=$root" "--log=$root/var/log/dpkg.log" --force-script-chrootless --force-depends)
  if ! dpkg "${options[@]}" -i "$deb" </dev/null; then
    fail 1 "dpkg 未能安装 $name（原因见上面的输出）：若另一个程序正在安装软件（dpkg 的锁被占用），等它结束；若缺少某个系统包，联网执行 sudo apt-get install -f；然后再运行本脚本" \
      "dpkg could not install $name (its lines above say why): if another program is installing packages (dpkg's lock is held), wait for it to finish; if a system package is missing, run sudo apt-get install -f while online; then run this again"
  fi
}
install_node() { install_package "$node_deb"; }
install_agent() { install_package "$agent_deb"; }

for deb in "$node_deb" "$agent_deb"; do
  name=${deb_package[$deb]}
  version=${deb_version[$deb]}
  installed=$(installed_version "$name")
  [ "$installed" != "$version" ] || continue
  # An older stick never downgrades a room (a newer release may have changed what it stores).
  if [ -n "$installed" ] && dpkg --compare-versions "$installed" gt "$version"; then
    note "$name $installed 比这个目录里的 $version 新：保持不变" \
      "$name $installed is newer than this folder's $version: left as it is"
    continue
  fi
  step=install_agent
  [ "$deb" != "$node_deb" ] || step=install_node
  add_step "$step" "安装 $name $version（$arch）" "install $name $version ($arch)"
done

# What the packages need from the system, checked before anything is installed: offline, a missing
# package cannot be fetched, and dpkg would leave room-agent unpacked and unconfigured. A scratch
# root's database lists nothing (dpkg --force-depends there).
missing_dependencies() {
  local deb item alternative name op version installed satisfied items alternatives
  for deb in "$node_deb" "$agent_deb"; do
    IFS=',' read -ra items <<<"$(dpkg-deb -f "$deb" Depends)"
    for item in "${items[@]}"; do
      satisfied=0
      IFS='|' read -ra alternatives <<<"$item"
      for alternative in "${alternatives[@]}"; do
        read -r name op version <<<"${alternative//[()]/ }"
        name=${name%%:*}
        # Installed from this folder before the package that needs it.
        if [ "$name" = room-agent-node ]; then satisfied=1; break; fi
        installed=$(installed_version "$name")
        if [ -n "$installed" ] && { [ -z "$op" ] || dpkg --compare-versions "$installed" "$op" "$version"; }; then
          satisfied=1
          break
        fi
      done
      # read trims the blanks around the item.
      [ "$satisfied" -eq 1 ] || { read -r item <<<"$item" && printf '%s\n' "$item"; }
    done
  done
}
if [ -z "$root" ] && [ ${#steps[@]} -gt 0 ]; then
  missing=$(missing_dependencies | sort -u | paste -sd ',' | sed 's/,/, /g')
  [ -z "$missing" ] || fail 69 "系统缺少 room-agent 需要的软件包：$missing；请联网安装（sudo apt-get install 包名）后再运行本脚本，什么都还没有安装" \
    "this system lacks packages room-agent needs: $missing; install them while online (sudo apt-get install NAME…) and run this again; nothing was installed"
fi

# 4. The hardware watchdog.
watchdog="$sys_dir/class/watchdog/watchdog0"
dropin="$root/etc/systemd/system.conf.d/room-agent-watchdog.conf"
if [ -d "$watchdog" ]; then
  max=$(cat "$watchdog/max_timeout" 2>/dev/null || true)
  if [[ $max =~ ^[1-9][0-9]*$ ]]; then
    seconds=$((max < watchdog_sec ? max : watchdog_sec))
    identity=$(cat "$watchdog/identity" 2>/dev/null || echo watchdog0)
    dropin_text="# Written by room-agent's install.sh: systemd keeps the board's hardware watchdog
# ($identity, at most $max s) fed, so a board that hangs reboots by itself.
[Manager]
RuntimeWatchdogSec=$seconds"
    if [ "$(cat "$dropin" 2>/dev/null || true)" != "$dropin_text" ]; then
      add_step write_watchdog "写入 ${dropin#"$root"}：RuntimeWatchdogSec=$seconds（硬件看门狗 $identity，最长 $max 秒）" \
        "write ${dropin#"$root"}: RuntimeWatchdogSec=$seconds (hardware watchdog $identity, at most $max s)"
    fi
  else
    note "看门狗 $watchdog 没有给出最长超时（max_timeout），未启用" \
      "the watchdog $watchdog states no maximum timeout (max_timeout): not enabled"
  fi
fi
write_watchdog() {
  install -d -m 0755 "${dropin%/*}"
  printf '%s\n' "$dropin_text" >"$dropin.new"
  chmod 0644 "$dropin.new"
  mv -f "$dropin.new" "$dropin"
  # systemd re-reads system.conf.d on a reload and arms the watchdog from it; otherwise at boot.
  if systemd_running; then systemctl daemon-reload; fi
}

# 5. Provision, on the board itself.
config=/etc/room-agent/config.yaml
provision() {
  # A configuration that passes (one a removed package left behind) is kept, and the service is
  # started with it: the package may have been installed while it stood stopped.
  local action=start
  if ! { [ -f "$config" ] && room-agent config check "$config" >/dev/null 2>&1; }; then
    if ! room-agent --lang "$lang" provision "${provision_args[@]}"; then
      fail 78 "软件已安装，但房间尚未配置完成：请按上面的提示执行 sudo room-agent provision，然后 sudo room-agent doctor" \
        "the software is installed but the room is not set up: run sudo room-agent provision as the lines above say, then sudo room-agent doctor"
    fi
    # A running daemon still has the old configuration.
    action=restart
  fi
  if systemd_running; then
    systemctl "$action" room-agent
  else
    note "systemd 未在运行：服务将在开机时启动" "systemd is not running here: the service starts at boot"
  fi
}
if [ -z "$root" ]; then
  if [ ! -f "$config" ]; then
    add_step provision "配置房间：room-agent provision（$config 尚不存在），然后启动服务" \
      "set the room up: room-agent provision ($config does not exist yet), then start the service"
  elif ! command -v room-agent >/dev/null; then
    add_step provision "检查 $config（room-agent config check），未通过则配置房间（room-agent provision）" \
      "check $config (room-agent config check), and set the room up (room-agent provision) if it fails"
  elif ! room-agent config check "$config" >/dev/null 2>&1; then
    add_step provision "配置房间：room-agent provision（$config 未通过 config check），然后重启服务" \
      "set the room up: room-agent provision ($config fails config check), then restart the service"
  fi
fi

if [ "$dry_run" -eq 1 ]; then
  for line in "${step_lines[@]}"; do say "将$line" "would $line"; done
  exit 0
fi
for index in "${!steps[@]}"; do
  printf '%s\n' "${step_lines[$index]}"
  "${steps[$index]}"
done
if [ -n "$root" ]; then
  note "已安装到 $root。房间的配置和检查在板子上进行：启动后执行 sudo room-agent provision，再执行 sudo room-agent doctor" \
    "installed into $root. The room is set up and checked on the board itself: once it runs, sudo room-agent provision, then sudo room-agent doctor"
  exit 0
fi
room-agent --lang "$lang" doctor || note "room-agent doctor 发现了问题：按上面 ✘ 行的提示处理" \
  "room-agent doctor found problems: fix them as its ✘ lines say"
