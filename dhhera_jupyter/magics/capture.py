"""Pipeline source → executed code and its handler: parse, static checks, run in a namespace, find the handler.

Line numbers in messages are those the user sees: for a cell magic the ``%%hera_pipeline`` line is
line 1, so the source is compiled with ``line_offset`` blank lines in front.
"""

from __future__ import annotations

import ast
import linecache
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.errors import PipelineError

#: Appended to every error raised before registering.
NOTHING_REGISTERED = "nothing was registered"


@dataclass
class CapturedSource:
    """A pipeline's source, parsed and executed.

    Attributes
    ----------
    source : str
        The source as registered (without the magic line).
    where : str
        How messages name it: ``"the cell"`` or ``"file 'x.py'"``.
    filename : str
        Name the code was compiled under (its lines are in ``linecache``, so tracebacks show them).
    line_offset : int
        Lines in front of ``source`` in what the user sees.
    functions : list[str]
        Top-level functions the source defines, in order.
    candidates : list[str]
        Those among ``functions`` that mention ``Workflow`` (likely pipeline handlers).
    namespace : dict
        Where the code ran.
    """

    source: str
    where: str
    filename: str
    line_offset: int
    tree: ast.Module
    functions: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    namespace: dict[str, Any] = field(default_factory=dict)

    def at(self, lineno: int | None) -> str:
        """`` (line N of the cell)`` or empty text."""
        return f" (line {lineno} of {self.where})" if lineno else ""


def parse(source: str, *, where: str = "the cell", line_offset: int = 1, label: str = "pipeline") -> CapturedSource:
    """Parse ``source``; a syntax error becomes a :class:`PipelineError` naming the line.

    Parameters
    ----------
    source : str
        Python source of the pipeline.
    where : str
        How messages name the source.
    line_offset : int
        Lines the user sees in front of ``source`` (1 for a cell magic: its ``%%`` line).
    label : str
        Used in the compiled file name.
    """
    padded = "\n" * line_offset + source
    filename = f"<hera_pipeline {label} {time.time_ns():x}>"
    try:
        tree = ast.parse(padded, filename=filename)
    except SyntaxError as exc:
        text = (exc.text or "").strip()
        shown = f": {text}" if text else ""
        raise PipelineError(
            f"Syntax error at line {exc.lineno} of {where}: {exc.msg}{shown}; {NOTHING_REGISTERED}."
        ) from None
    captured = CapturedSource(source, where, filename, line_offset, tree)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            if node.name in captured.functions:
                captured.functions.remove(node.name)
            captured.functions.append(node.name)
            if _mentions_workflow(node) and node.name not in captured.candidates:
                captured.candidates.append(node.name)
    linecache.cache[filename] = (len(padded), None, padded.splitlines(True), filename)
    return captured


def _mentions_workflow(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == "Workflow":
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "Workflow":
            return True
    return False


def step_calls(captured: CapturedSource) -> list[ast.Call]:
    """Calls of ``step(...)`` / ``dsl.step(...)`` in the source."""
    out = []
    for node in ast.walk(captured.tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "step") or (
                isinstance(func, ast.Attribute) and func.attr == "step"
            ):
                out.append(node)
    return out


def execute(captured: CapturedSource, namespace: dict[str, Any]) -> None:
    """Run the source in ``namespace``; an exception becomes a :class:`PipelineError` naming the line."""
    captured.namespace = namespace
    code = compile(captured.tree, captured.filename, "exec")
    try:
        exec(code, namespace)  # noqa: S102 - running the user's own cell is the point
    except Exception as exc:
        raise PipelineError(
            f"{captured.where[0].upper()}{captured.where[1:]} raised {type(exc).__name__}: {exc}"
            f"{captured.at(line_in(exc, captured.filename))}; {NOTHING_REGISTERED}."
        ) from exc


def line_in(exc: BaseException, filename: str) -> int | None:
    """The last line of ``filename`` in the traceback of ``exc``."""
    lineno = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def find_handler(captured: CapturedSource, handler: str | None) -> tuple[str, Callable[..., Any]]:
    """The pipeline function: ``handler`` if given, else the single function that builds a ``Workflow``.

    Raises
    ------
    PipelineError
        No function, the named one is not defined by the source, or several candidates.
    """
    defined = [f for f in captured.functions if callable(captured.namespace.get(f))]
    listed = ", ".join(defined)
    if handler:
        if handler not in defined:
            others = f" (it defines: {listed})" if defined else " (it defines no function)"
            raise PipelineError(
                f"The handler '{handler}' is not defined in {captured.where}{others}; {NOTHING_REGISTERED}."
            )
        return handler, captured.namespace[handler]
    if not defined:
        raise PipelineError(
            f"{captured.where[0].upper()}{captured.where[1:]} defines no function; define one that "
            f"returns a Hera Workflow (def pipeline(): ... return w); {NOTHING_REGISTERED}."
        )
    candidates = [f for f in captured.candidates if f in defined]
    if len(candidates) == 1:
        return candidates[0], captured.namespace[candidates[0]]
    if len(candidates) > 1:
        raise PipelineError(
            f"Several functions of {captured.where} could be the pipeline: {', '.join(candidates)}; "
            f"choose one with --handler NAME; {NOTHING_REGISTERED}."
        )
    if len(defined) == 1:
        return defined[0], captured.namespace[defined[0]]
    raise PipelineError(
        f"None of the functions of {captured.where} ({listed}) builds a Hera Workflow; "
        f"choose the handler with --handler NAME; {NOTHING_REGISTERED}."
    )
