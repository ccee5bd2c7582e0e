# Sourced by fonts.sh and test_packages.sh: `ensure_debian_packages NOTE PACKAGE...` installs the
# Debian packages that are missing with apt-get when run as root on Debian/Ubuntu; elsewhere it prints
# "note: <missing packages> not installed; NOTE" and goes on.
ensure_debian_packages() {
  local note=$1
  shift
  local missing
  missing=$(for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "note: $(echo $missing) not installed; $note" >&2
  fi
}
