"""``%hera debug RUN_ID STEP`` and its Python twin :func:`debug`: cells that reproduce a step in the kernel."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments

from dhhera_jupyter.magics.display import frontend


def debug(
    run_id: str, step: str, project: str | None = None, insert: bool | None = None, item: str | int | None = None
) -> Any:
    """Put cells that reproduce ``step`` of pipeline run ``run_id`` below the current cell, or print them.

    The cells fetch the function version the step ran and its input entities by key through the SDK, then
    call the handler with the step's exact parameters (see :mod:`dhhera_jupyter.platform.step_debug`).

    Parameters
    ----------
    run_id : str
        Pipeline run id.
    step : str
        Step name as the run panel and the sidebar show it (or its task name, or Argo node id).
    project : str, optional
        Project of the run (default: the backend's default project).
    insert : bool, optional
        Insert the cells into the notebook (True) or print them (False); default: insert in a notebook
        kernel, print elsewhere (terminal IPython).
    item : str or int, optional
        For a fan-out step (``with_items``/``with_param``), the item to reproduce: its index or its value.
        Without it the only failed item is taken; otherwise the error lists the items.

    Returns
    -------
    CellInserter or None
        The widget that inserted the cells (displayed by the magic), None when they were printed.

    Raises
    ------
    DhheraError
        One sentence for an unknown run or step, a step that has not run, a function version that is gone,
        a run that is not a pipeline run, a fan-out step whose item is not said (listing the items).
    """
    from dhhera_jupyter.platform.step_debug import debug_cells

    cells = debug_cells(run_id, step, project, item=None if item is None else str(item))
    if insert is None:
        insert = frontend() == "widgets"
    if insert:
        try:
            from dhhera_jupyter.widgets.debug_action import cells_widget
        except ImportError:  # no widget library in this kernel: print
            insert = False
        else:
            return cells_widget(cells)
    print(cells.text())
    return None


@magic_arguments(name="hera debug")
@argument("run_id", help="A pipeline run id (see %%hera runs).")
@argument("step", help="The step's name as the run panel shows it (or its task name).")
@argument("--project", help="Project (default: the backend's default project).")
@argument(
    "--item",
    help="For a fan-out step (with_items/with_param): the item's index or value (#N: the index, =V: the value).",
)
@argument("--print", dest="print_only", action="store_true", help="Print the cells instead of inserting them.")
def debug_magic(shell: Any, args: Any) -> Any:
    """Insert cells below that fetch a step's function and inputs and call it here, reproducing the step
    (printed in terminal IPython). Example: ``%hera debug 1a2b3c train``, ``%hera debug 1a2b3c each --item 2``."""
    return debug(
        args.run_id, args.step, project=args.project, insert=False if args.print_only else None, item=args.item
    )
