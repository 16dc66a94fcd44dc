"""Time from clicking a run in the sidebar to its DAG drawn in the browser, for 10 and 100 steps.

Run: ``python bench/sidebar_dag_latency.py [--repeat 5]`` (needs Chromium at /usr/bin/chromium).

A private local core gets two really built workflows (10 and 100 independent steps) and one finished
pipeline run of each (client-driven runs with a ``status.nodes`` entry per step, so no 100 worker
processes are spawned). JupyterLab with the dhhera extension runs on a free port; headless Chromium opens
the pipelines panel and chooses the project. Each measurement runs in the page: click the run's button,
then wait for animation frames until the run view holds an SVG with one ``g.node`` per step, plus one
more frame (painted). What a click costs: ``GET /dhhera/runs/<id>`` and ``GET /dhhera/runs/<id>/graph`` in
parallel (server: one run read, one workflow read, Graphviz layout on the first request of a build, cached
after), then sanitising and inserting the SVG and colouring its nodes.

"first" is the first click on a run of that size since the server started (layout drawn then); the
median is over ``--repeat`` later clicks, alternating the two sizes. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "server"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import isolated_local_core, stop_server_and_core  # noqa: E402
from sidebar_refresh import Core, free_port, nodes_of, yaml_tasks  # noqa: E402 (after the sys.path setup above)

PROJECT = "bench-sidebar"
CHROMIUM = os.environ.get("DHHERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

CLICK_UNTIL_DRAWN = """async ([runId, steps]) => {
  const panel = document.querySelector('#dhhera-pipelines');
  const button = panel.querySelector(`[data-run-id="${runId}"] button`);
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  const t0 = performance.now();
  button.click();
  while (panel.querySelectorAll('.dhhera-RunView svg.dhhera-DagWidget-svg g.node').length !== steps) {
    await frame();
  }
  await frame();
  return performance.now() - t0;
}"""


def make_runs(core: Core) -> dict[int, str]:
    import digitalhub as dh
    from sidebar_pipelines import WIDE, add_workflow

    project = dh.get_or_create_project(PROJECT)
    out = {}
    for width in (10, 100):
        workflow = add_workflow(project, f"wide{width}", WIDE.format(width=width))
        doc = core.call("GET", f"/api/v1/-/{PROJECT}/workflows/{workflow.id}")
        steps = [t["name"] for t in yaml_tasks(doc["spec"])]
        run_name = secrets.token_hex(16)
        out[width] = core.client_run(
            "hera+pipeline:run", f"hera+pipeline://{PROJECT}/{workflow.id}",
            f"hera://{PROJECT}/wide{width}:{workflow.id}", ["BUILT", "READY", "RUNNING", "COMPLETED"],
            nodes_of(run_name, steps, "Succeeded"), {"gate": "none"},
        )  # fmt: skip
    return out


def start_lab(home: Path) -> tuple[subprocess.Popen, str, str]:
    port, token = free_port(), secrets.token_hex(16)
    settings = home / "app-settings"
    settings.mkdir()
    overrides = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
    (settings / "overrides.json").write_text(json.dumps(overrides))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "jcfg"), "JUPYTER_RUNTIME_DIR": str(home / "jrt")}
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={home}", "--ServerApp.port_retries=0",
        f"--LabApp.app_settings_dir={settings}", f"--LabApp.user_settings_dir={home / 'user-settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]  # fmt: skip
    log = (home / "lab.log").open("wb")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2):
                return process, base, token
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"jupyter lab did not start; see {home / 'lab.log'}") from None
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="dhhera-bench-dag-"))

    from dhhera_jupyter.graph.render import engine_in_use

    info = isolated_local_core(home)
    lab = None
    try:
        runs = make_runs(Core(info))
        lab, base, token = start_lab(home)
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.goto(f"{base}lab?token={token}")
            page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]').click()
            panel = page.locator("#dhhera-pipelines")
            select = panel.locator("select.dhhera-SidebarHeader-select")
            expect(select.locator(f'option[value="{PROJECT}"]')).to_have_count(1, timeout=90_000)
            select.select_option(PROJECT)
            for run_id in runs.values():
                expect(panel.locator(f'[data-run-id="{run_id}"] button')).to_be_visible(timeout=60_000)

            first = {w: page.evaluate(CLICK_UNTIL_DRAWN, [runs[w], w]) for w in (10, 100)}
            later: dict[int, list[float]] = {10: [], 100: []}
            for _ in range(args.repeat):
                for width in (10, 100):
                    later[width].append(page.evaluate(CLICK_UNTIL_DRAWN, [runs[width], width]))
            browser.close()
        print(f"Graphviz engine: {engine_in_use()}")
        for width in (10, 100):
            print(f"{width:>3} steps: first click {first[width]:.0f} ms, then median "
                  f"{statistics.median(later[width]):.0f} ms (min {min(later[width]):.0f}, "
                  f"max {max(later[width]):.0f}) over {args.repeat} clicks")  # fmt: skip
        worst = max(max(first.values()), *(max(v) for v in later.values()))
        print(f"target (click to DAG visible < 1 s): {'MET' if worst < 1000 else 'NOT MET'} (worst {worst:.0f} ms)")
    finally:
        stop_server_and_core(lab)


if __name__ == "__main__":
    main()
