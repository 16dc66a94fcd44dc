"""Time the pipeline diagram: from_workflow + to_dot + SVG, for generated pipelines of 10-1000 steps.

Run: ``python bench/graph_render.py`` (about half a minute). Columns, in seconds:

- ``parse``: ``from_workflow`` on the ``Workflow.to_dict()`` output; ``dot``: ``to_dot``;
- ``svg warm``: WebAssembly Graphviz once compiled (median of 3); ``total``: the three together;
- ``svg cold``: first render in a fresh process, module compile included (separate subprocess);
- ``sys dot``: the system ``dot`` when it is on PATH;
- ``hera yaml``: Hera's own ``Workflow.to_yaml()`` on the same pipeline, for comparison.

Targets (warm): 100 steps < 0.1 s, 1000 steps < 0.5 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hera.workflows import DAG, Container, Parameter, Workflow

from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.graph.render import render_svg

IMAGE = "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest"
SIZES = (10, 100, 1000)
SHAPES = ("fan", "chain")


def step_template(i: int) -> Container:
    return Container(
        name=f"container-f{i % 7}-{i:06x}",
        image=IMAGE,
        command=["python"],
        args=[
            "step.py",
            "--entity",
            f"store://bench/function/python/f{i % 7}:abc{i}",
            "--kwargs",
            json.dumps({"action": "job", "parameters": {"x": "{{inputs.parameters.x}}"}}),
        ],
        inputs=[Parameter(name="x")],
    )


def pipeline(shape: str, n: int) -> Workflow:
    """``fan``: blocks of one task fanning out to 8 and back in; ``chain``: a chain with a diamond every 5 steps."""
    with Workflow(generate_name=f"{shape}-{n}-", entrypoint="main") as w:
        templates = [step_template(i) for i in range(7)]
        with DAG(name="main"):
            tasks = [templates[i % 7](name=f"s{i}", arguments={"x": str(i)}) for i in range(n)]
            if shape == "fan":
                i = 0
                while i < n - 1:
                    head, wide = tasks[i], tasks[i + 1 : i + 9]
                    join = tasks[i + 9] if i + 9 < n else None
                    for t in wide:
                        head >> t
                        if join is not None:
                            t >> join
                    i += 9
            else:
                # blocks of 5: k -> (k+1, k+2) -> k+3 -> k+4 -> next block
                edges = []
                for k in range(0, n, 5):
                    edges += [(k, k + 1), (k, k + 2), (k + 1, k + 3), (k + 2, k + 3), (k + 3, k + 4), (k + 4, k + 5)]
                for a, b in edges:
                    if b < n:
                        tasks[a] >> tasks[b]
    return w


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


COLD = """
import sys, time
sys.path.insert(0, {root!r})
import yaml
from dhhera_jupyter.graph import from_workflow
from dhhera_jupyter.graph.render import render_svg
spec = yaml.load(open({path!r}), Loader=yaml.CSafeLoader)
start = time.perf_counter()
render_svg(from_workflow(spec).to_dot(), engine="wasm")
print(time.perf_counter() - start)
"""


def cold_svg(spec_yaml: str, tmp: Path) -> float:
    path = tmp / "spec.yaml"
    path.write_text(spec_yaml)
    code = COLD.format(root=str(Path(__file__).resolve().parents[1]), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="dhhera-bench-"))
    has_dot = shutil.which("dot") is not None
    render_svg("digraph { warm }", engine="wasm")  # pay the module compile before timing warm renders
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, system dot: {'yes' if has_dot else 'no'}")
    header = f"{'shape':<6} {'steps':>5} {'edges':>5} {'parse':>7} {'dot':>7} {'svg warm':>9} {'total':>7} "
    header += f"{'svg cold':>9} {'sys dot':>8} {'hera yaml':>10}"
    print(header)
    print("-" * len(header))
    for shape in SHAPES:
        for n in SIZES:
            w = pipeline(shape, n)
            spec = w.to_dict()
            t_yaml, spec_yaml = timed(w.to_yaml)
            t_parse, graph = timed(lambda: from_workflow(spec))  # noqa: B023
            t_dot, dot = timed(graph.to_dot)
            t_svg, svg = timed(lambda: render_svg(dot, engine="wasm"))  # noqa: B023
            assert svg.count('class="node') == len(graph.nodes)
            t_cold = cold_svg(spec_yaml, tmp)
            t_sys = f"{timed(lambda: render_svg(dot, engine='system'))[0]:8.3f}" if has_dot else f"{'-':>8}"  # noqa: B023
            total = t_parse + t_dot + t_svg
            print(
                f"{shape:<6} {n:>5} {len(graph.edges):>5} {t_parse:7.3f} {t_dot:7.3f} {t_svg:9.3f} {total:7.3f} "
                f"{t_cold:9.3f} {t_sys} {t_yaml:10.3f}"
            )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
