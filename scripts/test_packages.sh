# Sourced by scripts/test.sh: the Debian packages `edge serve`'s tests start — chromium (the real-browser
# tests, driven by Playwright) and mosquitto (the MQTT broker).
source "$(dirname "${BASH_SOURCE[0]}")/debian_packages.sh"
ensure_debian_packages "edge serve's browser or MQTT tests skip" chromium mosquitto
