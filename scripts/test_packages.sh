# Sourced by scripts/test.sh: the Debian packages `edge serve`'s tests start — chromium (the real-browser
# tests, driven by Playwright) and mosquitto (the MQTT broker). Installed with apt-get when run as root on
# Debian/Ubuntu; elsewhere, says what is missing (those tests then skip, saying why).
TEST_PACKAGES="chromium mosquitto"
missing=$(for p in $TEST_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done)
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "note: $(echo $missing) not installed; edge serve's browser or MQTT tests skip" >&2
  fi
fi
