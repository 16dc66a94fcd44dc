"""Entity reads and writes on one DigitalHub through an SDK ``Client``: the calls the SDK's own CRUD makes
(``build_api`` + ``read_object``/``list_objects``/``create_object``/``delete_object``), usable for the backend in
use and for a push target alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dhhera_jupyter.errors import BackendUnreachable, DhheraError
from dhhera_jupyter.platform.backend import sdk
from dhhera_jupyter.platform.promote.target import Target
from dhhera_jupyter.platform.sdk_errors import credentials_rejected, is_not_found


class EntityCalls:
    """Entity reads and writes on one backend through an SDK ``Client`` (the same calls the SDK's CRUD makes)."""

    def __init__(self, sdk_client: Any) -> None:
        self.client = sdk_client

    def _api(self, operation: str, project: str, type_: str, **kwargs: Any) -> str:
        return str(self.client.build_api("context", operation, project=project, entity_type=type_, **kwargs))

    def by_id(self, project: str, type_: str, id_: str) -> dict | None:
        try:
            return dict(self.client.read_object(self._api("read", project, type_, entity_id=id_)))
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise

    def latest(self, project: str, type_: str, name: str) -> dict | None:
        try:
            found = self.client.list_objects(self._api("list", project, type_), params={"name": name})
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        return dict(found[0]) if found else None

    def find(self, project: str, type_: str, **params: Any) -> list[dict]:
        return [dict(d) for d in self.client.list_objects(self._api("list", project, type_), params=params)]

    def create(self, project: str, type_: str, body: dict) -> dict:
        return dict(self.client.create_object(self._api("create", project, type_), body))

    def delete(self, project: str, type_: str, id_: str) -> None:
        self.client.delete_object(self._api("delete", project, type_, entity_id=id_))

    def project(self, name: str) -> dict | None:
        api = self.client.build_api("base", "read", entity_type="project", entity_name=name)
        try:
            return dict(self.client.read_object(api))
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise

    def create_project(self, body: dict) -> None:
        self.client.create_object(self.client.build_api("base", "create", entity_type="project"), body)

    def delete_project(self, name: str) -> None:
        api = self.client.build_api("base", "delete", entity_type="project", entity_name=name)
        self.client.delete_object(api, params={"cascade": "true"})


def source_calls() -> EntityCalls:
    sdk()
    from digitalhub.stores.client.base.factory import get_client

    return EntityCalls(get_client())


@contextmanager
def target_errors(target: Target, doing: str) -> Iterator[None]:
    """SDK exceptions of a call to the target, as one sentence naming the target and what was being done."""
    try:
        yield
    except DhheraError:
        raise
    except Exception as exc:
        chain: list[BaseException] = []
        item: BaseException | None = exc
        while item is not None and len(chain) < 10:
            chain.append(item)
            item = item.__cause__ or item.__context__
        if any(isinstance(e, (ConnectionError, TimeoutError)) for e in chain):
            raise BackendUnreachable(
                f"The DigitalHub at {target.endpoint} stopped answering while {doing}; check it, then push again."
            ) from exc
        if credentials_rejected(exc):
            raise DhheraError(
                f"The DigitalHub at {target.endpoint} rejected the credentials of {target.origin}; "
                "give a valid --token or fix that profile, then push again."
            ) from exc
        raise DhheraError(f"The DigitalHub at {target.endpoint} refused {doing}: {exc}") from exc


__all__ = ["EntityCalls", "source_calls", "target_errors"]
