"""``%hera preview KEY``: the bounded preview of a step output as text (the run panel and the sidebar show it as a
table; this is the same preview for terminal IPython and for scripts)."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="hera preview")
@argument(
    "key",
    help="A step output's key: store://<project>/<dataitem|artifact|model>/<kind>/<name>[:<id>] (no id: the latest).",
)
@argument("--rows", type=int, default=10, help="Table rows to show (1 to 100; default 10).")
def preview_magic(shell: Any, args: Any) -> None:
    """Print a step output's schema and first rows, its files or its metrics, then the code that loads it
    (reads are bounded). Example: ``%hera preview store://demo/dataitem/table/dataset:1a2b``."""
    from dhhera_jupyter.errors import DhheraError
    from dhhera_jupyter.platform.previews import MAX_ROWS, preview_output, preview_text

    if not 1 <= args.rows <= MAX_ROWS:
        raise DhheraError(f"The number of table rows to show (--rows) must be 1 to {MAX_ROWS}, not {args.rows}.")
    print(preview_text(preview_output(args.key, rows=args.rows)))
