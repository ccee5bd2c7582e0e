# Sourced by scripts/venv.sh: the Debian font packages that training draws its letters and printed
# digits from (and, for Humor Sans and Andika, the held-out letters of the tests and benchmarks).
# Installed with apt-get when run as root on Debian/Ubuntu; elsewhere, says what is missing.
FONT_PACKAGES="fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-comic-neue fonts-humor-sans fonts-sil-andika"
missing=$(for p in $FONT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done)
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "note: fonts not installed ($(echo $missing)); training falls back to OpenCV's fonts, some tests skip" >&2
  fi
fi
