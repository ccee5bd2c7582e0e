# Sourced by the scripts: make ./.venv with the toolkit installed (training and mqtt extras + dev tools), and
# install the fonts training and the tests draw letters with.
source scripts/fonts.sh
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# held to the versions the Pi bundle pins (scripts/constraints.py), so that the suite tests what it ships
"$PYTHON" scripts/constraints.py > .venv/constraints.txt
stamp=.venv/.installed-$(cat pyproject.toml .venv/constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c .venv/constraints.txt -e '.[train,dev,mqtt]'
  touch "$stamp"
fi
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
