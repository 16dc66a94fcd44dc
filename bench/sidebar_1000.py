"""The sidebar's run view with a 1000-step run: click to shown, DOM size, work per one-step change, route cost.

Run: ``python bench/sidebar_1000.py [--steps 1000] [--changes 20]`` (needs Chromium at /usr/bin/chromium).

A private local core gets two really built workflows: ``--steps`` independent steps, and 10 (the floor, measured
in the same run). Each gets a client-driven pipeline run (a ``status.nodes`` entry per step, half of them
Succeeded and half Running, so no thousand worker processes are spawned). JupyterLab with the dhhera extension
runs on a free port; headless Chromium (1366x768) opens the pipelines panel.

Printed per run size:
- click to shown: from the click on the run to its run view holding the DAG and the first page of the step
  table (one ``GET /dhhera/runs/<id>`` and one graph read, the layout drawn on first use);
- DOM: elements in the run view (the step table draws one page, the DAG folds the fan-out);
- per one-step change: ``--changes`` times one Running step turns Succeeded on the core; the page polls and
  patches. Counted in the page: DOM nodes added or removed and character-data changes per change (a full
  re-render would replace every row), the longest main-thread gap between animation frames, and long tasks;
- route: bytes and median time of ``GET /dhhera/runs/<id>`` (what each poll costs when the run changed).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support, which sidebar_pipelines uses
sys.path.insert(0, str(ROOT / "tests" / "server"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import isolated_local_core, stop_server_and_core  # noqa: E402
from sidebar_dag_latency import CHROMIUM, CHROMIUM_ARGS, start_lab  # noqa: E402 (after the sys.path setup above)
from sidebar_refresh import PROJECT, Core, nodes_of, yaml_tasks  # noqa: E402

CLICK_UNTIL_SHOWN = """async ([runId]) => {
  const panel = document.querySelector('#dhhera-pipelines');
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  const t0 = performance.now();
  panel.querySelector(`[data-run-id="${runId}"] button`).click();
  const view = panel.querySelector('.dhhera-RunView');
  while (!(view.querySelector('svg g.node') && view.querySelectorAll('.dhhera-StepTable-row').length > 0
           && view.querySelector('.dhhera-RunView-title').title.includes(runId))) {
    await frame();
  }
  await frame();
  return { ms: performance.now() - t0, elements: view.querySelectorAll('*').length,
           nodes: view.querySelectorAll('svg g.node').length,
           rows: view.querySelectorAll('.dhhera-StepTable-row').length };
}"""

WATCH = """() => {
  const view = document.querySelector('#dhhera-pipelines .dhhera-RunView');
  const w = window.__dhheraWatch = { added: 0, removed: 0, text: 0, attrs: 0, longTasks: 0, maxGap: 0, last: 0 };
  new MutationObserver(list => {
    for (const m of list) {
      w.added += m.addedNodes.length; w.removed += m.removedNodes.length;
      if (m.type === 'characterData') w.text += 1;
      if (m.type === 'attributes') w.attrs += 1;
    }
  }).observe(view, { subtree: true, childList: true, characterData: true, attributes: true });
  try {
    new PerformanceObserver(list => { w.longTasks += list.getEntries().length; }).observe({ type: 'longtask' });
  } catch (e) { w.longTasks = -1; }
  const tick = t => { if (w.last) w.maxGap = Math.max(w.maxGap, t - w.last); w.last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""

PROGRESS = "() => document.querySelector('#dhhera-pipelines .dhhera-RunView-progressLabel').textContent"


def make_run(core: Core, width: int) -> tuple[str, str, list[dict]]:
    import digitalhub as dh
    from sidebar_pipelines import WIDE, add_workflow

    project = dh.get_or_create_project(PROJECT)
    workflow = add_workflow(project, f"wide{width}", WIDE.format(width=width))
    doc = core.call("GET", f"/api/v1/-/{PROJECT}/workflows/{workflow.id}")
    steps = [t["name"] for t in yaml_tasks(doc["spec"])]
    run_name = secrets.token_hex(16)
    nodes = nodes_of(run_name, steps, "Succeeded")
    for node in nodes[1 + width // 2 :]:
        node.update(state="Running", end_time=None)
    nodes[0]["state"] = "Running"
    run_id = core.client_run(
        "hera+pipeline:run", f"hera+pipeline://{PROJECT}/{workflow.id}",
        f"hera://{PROJECT}/wide{width}:{workflow.id}", ["BUILT", "READY", "RUNNING"], nodes, {"gate": "none"},
    )  # fmt: skip
    return run_id, run_name, nodes


def route_cost(base: str, token: str, run_id: str, repeat: int = 15) -> tuple[int, float]:
    url = f"{base}dhhera/runs/{run_id}?project={PROJECT}"
    sizes, times = [], []
    for _ in range(repeat):
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        t0 = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            body = response.read()
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(body))
    return max(sizes), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="dhhera-bench-sidebar1000-"))

    info = isolated_local_core(home)
    core = Core(info)
    lab = None
    results: dict[int, dict] = {}
    try:
        runs = {width: make_run(core, width) for width in (10, args.steps)}
        lab, base, token = start_lab(home)
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for width, (run_id, _name, nodes) in runs.items():
                page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                page.goto(f"{base}lab?reset&token={token}")
                page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]').click()
                panel = page.locator("#dhhera-pipelines")
                select = panel.locator("select.dhhera-SidebarHeader-select")
                expect(select.locator(f'option[value="{PROJECT}"]')).to_have_count(1, timeout=90_000)
                select.select_option(PROJECT)
                expect(panel.locator(f'[data-run-id="{run_id}"] button')).to_be_visible(timeout=60_000)
                shown = page.evaluate(CLICK_UNTIL_SHOWN, [run_id])
                panel.locator(".dhhera-RunView-close").click()  # again, with the layout drawn and cached
                again = page.evaluate(CLICK_UNTIL_SHOWN, [run_id])
                page.evaluate(WATCH)
                running = [n for n in nodes[1:] if n["state"] == "Running"]
                changes = running[: args.changes]
                for node in changes:
                    before = page.evaluate(PROGRESS)
                    node.update(state="Succeeded", end_time="2026-01-01T10:00:09Z")
                    doc = core.call("GET", f"/api/v1/-/{PROJECT}/runs/{run_id}")
                    doc["status"] = {**doc["status"], "nodes": nodes}
                    core.call("PUT", f"/api/v1/-/{PROJECT}/runs/{run_id}", doc)
                    deadline = time.monotonic() + 30
                    while page.evaluate(PROGRESS) == before:
                        if time.monotonic() > deadline:
                            raise SystemExit("the run view did not show a change within 30 s")
                        page.wait_for_timeout(20)
                watch = page.evaluate("() => window.__dhheraWatch")
                size, median_ms = route_cost(base, token, run_id)
                results[width] = {
                    "shown": shown, "again": again, "watch": watch, "size": size, "route_ms": median_ms,
                    "changes": len(changes),
                }  # fmt: skip
                page.context.close()
            browser.close()
        for width, r in results.items():
            s, w, n = r["shown"], r["watch"], max(1, r["changes"])
            per = (w["added"] + w["removed"]) / n
            print(f"{width:>5} steps: click to shown {s['ms']:.0f} ms (first), {r['again']['ms']:.0f} ms (again); "
                  f"run view {s['elements']} elements, {s['nodes']} DAG node(s), {s['rows']} table rows")  # fmt: skip
            print(f"       per one-step change ({n}): {per:.1f} nodes added/removed, {w['text'] / n:.1f} text and "
                  f"{w['attrs'] / n:.1f} attribute changes; longest frame gap {w['maxGap']:.0f} ms, "
                  f"{w['longTasks']} long tasks")  # fmt: skip
            print(f"       GET /dhhera/runs/<id>: {r['size'] / 1024:.1f} KB, median {r['route_ms']:.1f} ms")
        big, small = results[args.steps], results[10]
        print(f"ratio {args.steps} vs 10 steps: click to shown {big['shown']['ms'] / small['shown']['ms']:.2f}x, "
              f"run view elements {big['shown']['elements'] / small['shown']['elements']:.2f}x, "
              f"route bytes {big['size'] / small['size']:.1f}x")  # fmt: skip
    finally:
        stop_server_and_core(lab)


if __name__ == "__main__":
    main()
