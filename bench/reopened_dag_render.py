"""Time a reopened notebook takes to draw a 100-step DAG in Chromium, against the floor of inserting its SVG.

Run: ``python bench/reopened_dag_render.py [--steps 100] [--repeat 5]``. A reopened notebook has no kernel: the
widget manager restores the DagWidget's model from the saved widget state (svg, nodes, node_states) and calls the
front end's ``render``. This script does exactly that in headless Chromium (``/usr/bin/chromium``) with the real
``static/dag_widget.js`` bundle and a model holding the saved traits, and measures from ``render`` until the
browser has painted the coloured graph (two animation frames). The floor is inserting the same Graphviz SVG with
``innerHTML`` and painting it. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_panel_traffic import spec  # noqa: E402  (the same 100-step pipeline as the traffic bench)

from dhhera_jupyter.graph import from_workflow  # noqa: E402
from dhhera_jupyter.widgets._assets import STATIC_DIR  # noqa: E402
from dhhera_jupyter.widgets.dag import node_details  # noqa: E402

PAGE = """
async ([code, css, svg, nodes, states]) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  const module = await import(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  const paint = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const traits = { svg, nodes, node_states: states, selected: '', height: 'auto', title: 'big', details: 'pane' };
  const model = {
    get: k => traits[k], set: (k, v) => { traits[k] = v; }, on() {}, off() {}, save_changes() {}, send() {}
  };
  const times = { widget: [], floor: [] };
  for (let i = 0; i < REPEAT; i++) {
    const el = document.createElement('div');
    el.style.width = '1100px';
    document.body.appendChild(el);
    const t0 = performance.now();
    module.default.initialize?.({ model });
    const dispose = module.default.render({ model, el });
    await paint();
    times.widget.push(performance.now() - t0);
    if (el.querySelectorAll('g.node[class*="dhhera-state-"]').length < Object.keys(states).length) {
      throw new Error('not every node was coloured');
    }
    dispose();
    el.remove();
    const raw = document.createElement('div');
    document.body.appendChild(raw);
    const t1 = performance.now();
    raw.innerHTML = svg;
    await paint();
    times.floor.push(performance.now() - t1);
    raw.remove();
  }
  return times;
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    graph = from_workflow(spec(args.steps))
    svg = graph.to_svg()
    nodes = node_details(graph.to_dict())
    states = {n.id: ("succeeded" if i % 3 else "failed") for i, n in enumerate(graph.nodes)}
    code = (STATIC_DIR / "dag_widget.js").read_text(encoding="utf-8")
    css = (STATIC_DIR / "dag_widget.css").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_content("<!doctype html><html><body></body></html>")
        times = page.evaluate(PAGE.replace("REPEAT", str(args.repeat)), [code, css, svg, nodes, states])
        browser.close()
    widget, floor = statistics.median(times["widget"]), statistics.median(times["floor"])
    print(f"{args.steps}-step DAG, SVG {len(svg) / 1024:.0f} KB, saved state {len(json.dumps(nodes)) / 1024:.0f} KB")
    print(f"reopened DagWidget render to paint: median {widget:.0f} ms (max {max(times['widget']):.0f} ms)")
    print(f"floor, innerHTML of the same SVG:   median {floor:.0f} ms (max {max(times['floor']):.0f} ms)")
    print(f"target < 1000 ms: {'met' if max(times['widget']) < 1000 else 'MISSED'}")


if __name__ == "__main__":
    main()
