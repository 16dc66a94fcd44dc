"""Every magic's Python twin is reachable as ``dhhera_jupyter.NAME`` and the README names them all."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_twins() -> set[str]:
    text = README.read_text()
    start = text.index("Every magic has a Python twin")
    sentence = text[start : text.index("\n- ", start)]
    return set(re.findall(r"`(?:dhhera_jupyter\.)?(\w+)\(", sentence))


def test_every_twin_the_readme_names_is_a_callable_of_the_package_and_importing_it_loads_no_sdk() -> None:
    names = sorted(_readme_twins())
    assert {"run", "attach", "debug", "retry", "push"} <= set(names), names
    probe = (
        "import sys, dhhera_jupyter as d\n"
        f"names = {names!r}\n"
        "missing = [n for n in names if not callable(getattr(d, n, None))]\n"
        "assert not missing, missing\n"
        "assert sorted(d._TWINS) == names, sorted(set(d._TWINS) ^ set(names))\n"
        "try:\n    d.no_such_twin\nexcept AttributeError as e:\n    print(e)\n"
        "print('digitalhub' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["module 'dhhera_jupyter' has no attribute 'no_such_twin'", "False"]
