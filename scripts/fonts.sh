# Sourced by scripts/venv.sh: the Debian font packages that training draws its letters and printed
# digits from (and, for Humor Sans and Andika, the held-out letters of the tests and benchmarks).
source "$(dirname "${BASH_SOURCE[0]}")/debian_packages.sh"
ensure_debian_packages "training falls back to OpenCV's fonts, some tests skip" \
  fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-comic-neue \
  fonts-humor-sans fonts-sil-andika
