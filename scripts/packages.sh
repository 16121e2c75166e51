# shellcheck shell=bash
# Sourced by start.sh and test.sh: installs the Debian packages a script needs that are missing.
#
#   install_missing SCRIPT_NAME COMMAND:PACKAGE… [LIBRARY.so.N:PACKAGE…] [/FILE:PACKAGE…]
#   install_wanted SCRIPT_NAME …   (the same, but without root only a warning: the script can do without)
#
# A command is looked up on PATH, a library in ldconfig's cache, an absolute path (a shell pattern
# such as /usr/lib/*/girepository-1.0/X.typelib, for files under an architecture's directory) on
# disk: plugins and typelibs are neither commands nor libraries the linker knows.
# As root they are installed with apt-get; otherwise the exact apt-get line is printed and the
# script exits 1 (install_missing) or goes on (install_wanted). Debian installs some daemons (mosquitto) in /usr/sbin, which is put on PATH here.
export PATH="$PATH:/usr/sbin"

# Prints the packages of COMMAND:PACKAGE… items whose command or file is missing, one line.
missing_packages() {
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
  echo "${missing[*]}"
}

# As root, apt-get installs what is missing; otherwise $1 is called with the script name and the list.
install_or() {
  local otherwise=$1 script=$2
  shift 2
  local missing
  read -r -a missing <<<"$(missing_packages "$@")"
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    "$otherwise" "$script" "${missing[*]}"
  fi
}

refuse_missing() {
  echo "$1: missing Debian packages: $2; run as root or: sudo apt-get install $2" >&2
  exit 1
}

warn_missing() {
  echo "$1: without Debian packages $2 part of it is left out; run as root or: sudo apt-get install $2" >&2
}

# What the script cannot run without: installed as root, else the script stops with the apt-get line.
install_missing() {
  install_or refuse_missing "$@"
}

# What the script can do without (it says so itself): installed as root, else a warning.
install_wanted() {
  install_or warn_missing "$@"
}
