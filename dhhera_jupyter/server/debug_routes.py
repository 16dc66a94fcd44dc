"""``/dhhera/runs/<id>/debug?step=&item=``: the cells that reproduce a step, for the sidebar's "Debug in notebook"."""

from __future__ import annotations

from tornado import web

from dhhera_jupyter.server.base import SidebarHandler
from dhhera_jupyter.server.http_errors import BadRequest


class RunDebugHandler(SidebarHandler):
    """``GET /dhhera/runs/<id>/debug?project=&step=&item=``: the cells of ``step_debug.debug_cells``.

    The sidebar inserts them into the current notebook; they are the same cells ``%hera debug`` inserts. For a
    fan-out step, ``item`` (index or value) says which item, as ``%hera debug --item`` does; a ``step`` that is an
    item's node id names the item itself; without either, the only failed item, else a 400 listing the items.
    """

    @web.authenticated
    async def get(self, run_id: str) -> None:
        from dhhera_jupyter.platform.step_debug import debug_cells

        project = await self.project()
        run_id = self.checked(run_id, "run id")
        step = self.get_query_argument("step", "").strip()[:500]
        if not step:
            raise BadRequest("Say which step to debug: ?step=<name as the run view shows it>.")
        item = self.get_query_argument("item", "").strip()[:500] or None
        debug = await self.blocking(debug_cells, run_id, step, project, item)
        self.send_json(debug.to_dict())
