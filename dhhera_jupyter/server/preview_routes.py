"""``/dhhera/preview?key=<key>&rows=N`` (a step output's bounded preview) and ``/dhhera/preview/code?key=<key>``
(the code that loads it), for the sidebar's step details."""

from __future__ import annotations

from tornado import web

from dhhera_jupyter.server.base import SidebarHandler
from dhhera_jupyter.server.http_errors import BadRequest

#: Longest entity key accepted (DHCore keys are far shorter).
MAX_KEY = 600


def _key(handler: SidebarHandler) -> str:
    key = handler.get_query_argument("key", "").strip()
    if not key or len(key) > MAX_KEY:
        raise BadRequest("Say which output to preview: ?key=store://<project>/<type>/<kind>/<name>:<id>.")
    return key


class PreviewHandler(SidebarHandler):
    """``GET``: the preview of the entity ``key`` (:func:`dhhera_jupyter.platform.previews.preview_output`).

    The body is bounded by the preview itself (rows, cell text, files, metrics); a missing entity is a 404 with a
    sentence saying it was deleted.
    """

    @web.authenticated
    async def get(self) -> None:
        from dhhera_jupyter.platform.previews import DEFAULT_ROWS, preview_output

        key = _key(self)
        try:
            rows = int(self.get_query_argument("rows", str(DEFAULT_ROWS)))
        except ValueError:
            raise BadRequest("rows must be a whole number (1 to 100).") from None
        preview = await self.blocking(preview_output, key, rows)
        self.send_json(preview.to_dict())


class LoadCodeHandler(SidebarHandler):
    """``GET``: ``{"key", "code"}``, the notebook code that loads the output ``key`` (no backend read)."""

    @web.authenticated
    async def get(self) -> None:
        from dhhera_jupyter.platform.previews import check_key, load_code

        key = _key(self)
        check_key(key)
        self.send_json({"key": key, "code": load_code(key)})
