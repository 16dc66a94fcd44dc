"""``/dhhera/preview?key=<entity key>&rows=N``: a step output's bounded preview, for the sidebar's step details."""

from __future__ import annotations

from tornado import web

from dhhera_jupyter.server.base import SidebarHandler
from dhhera_jupyter.server.http_errors import BadRequest

#: Longest entity key accepted (DHCore keys are far shorter).
MAX_KEY = 600


class PreviewHandler(SidebarHandler):
    """``GET``: the preview of the entity ``key`` (:func:`dhhera_jupyter.platform.previews.preview_output`).

    The body is bounded by the preview itself (rows, cell text, files, metrics); a missing entity is a 404 with a
    sentence saying it was deleted.
    """

    @web.authenticated
    async def get(self) -> None:
        from dhhera_jupyter.platform.previews import DEFAULT_ROWS, preview_output

        key = self.get_query_argument("key", "").strip()
        if not key or len(key) > MAX_KEY:
            raise BadRequest("Say which output to preview: ?key=store://<project>/<type>/<kind>/<name>:<id>.")
        try:
            rows = int(self.get_query_argument("rows", str(DEFAULT_ROWS)))
        except ValueError:
            raise BadRequest("rows must be a whole number (1 to 100).") from None
        preview = await self.blocking(preview_output, key, rows)
        self.send_json(preview.to_dict())
