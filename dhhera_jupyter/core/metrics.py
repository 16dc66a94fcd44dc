"""Metrics of runs and models, in DHCore's shapes (its ``MetricsService<Run>`` and ``MetricsService<Model>``).

``GET .../{runs|models}/{id}/metrics`` answers ``{name: number or list of numbers}``, ``GET .../metrics/{name}`` the
value, ``PUT .../metrics/{name}`` stores a value (``NumberOrNumberArray``) and answers empty. The values are kept
in the entity's ``status.metrics`` (DHCore keeps a table of its own and merges the embedded ones in).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from dhhera_jupyter.core import validation
from dhhera_jupyter.core.entities import ApiError, Entities

#: Entity types DHCore keeps metrics for.
METRIC_TYPES = ("run", "model")
#: Store type of the metrics rows (not an entity type of the API).
METRICS_ROW = "metrics"

Handler = Callable[..., Any]


class Metrics:
    """Reads and writes the metrics of runs and models."""

    def __init__(self, entities: Entities) -> None:
        self.entities = entities
        self._lock = threading.Lock()

    @staticmethod
    def _row_id(t: str, id: str) -> str:
        return f"{t}:{id}"

    def all(self, p: str, t: str, id: str) -> dict[str, Any]:
        embedded = (self.entities.get(p, t, id).get("status") or {}).get("metrics") or {}
        row = self.entities.store.get(METRICS_ROW, self._row_id(t, id)) or {}
        return {**(row.get("data") or {}), **embedded}

    def get(self, q: dict, b: Any, p: str, t: str, id: str, name: str | None = None) -> Any:
        metrics = self.all(p, t, id)
        if name is None:
            return metrics
        if name not in metrics:
            raise ApiError(404, f"No such metric '{name}' in {t} {id}.")
        return metrics[name]

    def put(self, q: dict, b: Any, p: str, t: str, id: str, name: str) -> None:
        b = validation.metric(name, b)
        self.entities.get(p, t, id)  # 404 for an entity that does not exist
        with self._lock:
            row_id = self._row_id(t, id)
            row = self.entities.store.get(METRICS_ROW, row_id) or {"id": row_id, "project": p, "name": id, "kind": t}
            row.setdefault("data", {})[name] = b
            self.entities.store.put(METRICS_ROW, row)


def routes(metrics: Metrics) -> list[tuple[str, re.Pattern[str], Handler]]:
    """The metrics routes, for the API's route table."""
    types = "|".join(METRIC_TYPES)
    base = rf"^/api/v1/-/(?P<p>[^/]+)/(?P<t>{types})s/(?P<id>[^/]+)/metrics"
    return [
        ("GET", re.compile(base + r"(?:/(?P<name>[^/]+))?$"), metrics.get),
        ("PUT", re.compile(base + r"/(?P<name>[^/]+)$"), metrics.put),
    ]
