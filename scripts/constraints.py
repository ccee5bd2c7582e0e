"""Print pip constraints that hold the test venvs to the versions the Pi bundle pins.

The pins live once, in `edge_runtime/bundle.py` (`RUNTIME_REQUIREMENTS`); they are read from its
source (no import: this runs before any venv exists), and opencv-python, which the laptop installs
instead of the headless build, is held to the headless pin. `tests/test_bundle.py` checks that the
suite runs with these versions. Usage: python scripts/constraints.py > constraints.txt
"""

import ast
from pathlib import Path

BUNDLE = Path(__file__).resolve().parents[1] / "edge_runtime" / "bundle.py"
SAME_BUILD = {"opencv-python-headless": "opencv-python"}  # one release of both builds


def pins() -> list[str]:
    """The `name==version` lines of RUNTIME_REQUIREMENTS."""
    for node in ast.parse(BUNDLE.read_text()).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["RUNTIME_REQUIREMENTS"]:
            return list(ast.literal_eval(node.value))
    raise SystemExit(f"{BUNDLE}: no RUNTIME_REQUIREMENTS")


def main() -> None:
    for pin in pins():
        print(pin)
        name, version = pin.split("==")
        if name in SAME_BUILD:
            print(f"{SAME_BUILD[name]}=={version}")


if __name__ == "__main__":
    main()
