"""``POST /dhhera/runs/<id>/retry?project=``: start the retry of a failed or stopped pipeline run."""

from __future__ import annotations

from typing import Any

from tornado import web

from dhhera_jupyter.server.base import SidebarHandler


def start_retry(run_id: str, project: str) -> dict[str, Any]:
    """Start the retry (blocking: one GET of the original, one POST); 404/409 with the sentence on refusal."""
    from dhhera_jupyter.platform.retry import retry

    doc = retry(run_id, project)
    return {"run_id": str(doc["id"]), "state": str((doc.get("status") or {}).get("state") or ""), "retry_of": run_id}


class RunRetryHandler(SidebarHandler):
    """``POST /dhhera/runs/<id>/retry?project=``: a new run re-executing only what went wrong."""

    @web.authenticated
    async def post(self, run_id: str) -> None:
        project = await self.project()
        result = await self.blocking(start_retry, self.checked(run_id, "run id"), project)
        await self.sidebar.projects.refresh(project)
        self.send_json(result, status=201)
