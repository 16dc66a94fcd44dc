"""The run handle and its text view load no widget library (terminal IPython, scripts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_run_handle_and_text_view_loads_no_widget_library() -> None:
    code = (
        "import json, sys\n"
        "from dhhera_jupyter.runs import TextRunView, WatchedRun, render_text\n"
        "from dhhera_jupyter.runs.progress import counts_line\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'anywidget', 'ipywidgets'})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, timeout=60
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
