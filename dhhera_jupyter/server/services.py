"""``/dhhera/runs/<id>/service``: the service of a serve run (a pipeline's serve step), read live.

A pipeline whose serve step is up is COMPLETED while its service keeps RUNNING: the sidebar reads the serve
step's own run (its child run) to show the service's URL and state until it stops. Stopping it is that child
run's stop (``POST /dhhera/runs/<child>/stop``).
"""

from __future__ import annotations

# The logic lives in the platform layer, shared with the notebook run panel.
from dhhera_jupyter.platform.services import read_service, service_url, service_view

__all__ = ["read_service", "service_url", "service_view"]
