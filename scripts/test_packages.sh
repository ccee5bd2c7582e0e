# Sourced by scripts/test.sh: the Debian packages the tests start — chromium (the real-browser
# tests, driven by Playwright) and mosquitto (the MQTT broker).
source "$(dirname "${BASH_SOURCE[0]}")/debian_packages.sh"
ensure_debian_packages "edge serve's browser or MQTT tests skip" chromium mosquitto
# ssocr (Debian's seven-segment OCR, a benchmark-only peer): small, so the tests of its peers.py engine run too
ensure_debian_packages "the ssocr engine's test in tests/test_peers.py skips" ssocr
