# shellcheck shell=bash
# Sourced by start.sh and test.sh: installs the Debian packages a script needs that are missing.
#
#   install_missing SCRIPT_NAME COMMAND:PACKAGE… [LIBRARY.so.N:PACKAGE…] [/FILE:PACKAGE…]
#
# A command is looked up on PATH, a library in ldconfig's cache, an absolute path (a shell pattern
# such as /usr/lib/*/girepository-1.0/X.typelib, for files under an architecture's directory) on
# disk: plugins and typelibs are neither commands nor libraries the linker knows.
# As root they are installed with apt-get; otherwise the exact apt-get line is printed and the
# script exits 1. Debian installs some daemons (mosquitto) in /usr/sbin, which is put on PATH here.
export PATH="$PATH:/usr/sbin"

install_missing() {
  local script=$1
  shift
  local missing=() item name package
  for item in "$@"; do
    name=${item%%:*}
    package=${item#*:}
    if [[ $name == /* ]]; then
      compgen -G "$name" >/dev/null || missing+=("$package")
    elif [[ $name == *.so* ]]; then
      ldconfig -p 2>/dev/null | grep -q "$name" || missing+=("$package")
    else
      command -v "$name" >/dev/null 2>&1 || missing+=("$package")
    fi
  done
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "$script: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
}
