"""SDK exceptions → our errors, each one readable sentence naming the object and the next step."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from dhhera_jupyter import settings
from dhhera_jupyter.errors import BackendUnreachable, DhheraError, NotFound


def _endpoint() -> str:
    return settings.dhcore_endpoint() or "(no DHCORE_ENDPOINT)"


def unreachable(exc: BaseException | None = None) -> BackendUnreachable:
    """The error for a backend that refuses connections or times out."""
    from dhhera_jupyter.platform.backend import _backend

    endpoint = _backend.endpoint if _backend is not None else _endpoint()
    reason = "timed out" if isinstance(exc, TimeoutError) else "connection refused"
    if _backend is not None and _backend.mode == "local":
        how = "start the local core with `dhhera core start` (or `%hera use local`)"
    else:
        how = "start it, or switch to the local core with `%hera use local`"
    return BackendUnreachable(f"The DigitalHub backend at {endpoint} does not answer ({reason}); {how}.")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_not_found(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) says an entity does not exist."""
    for item in _chain(exc):
        name = type(item).__name__
        if name in ("EntityNotExistsError", "ContextError") or "No object found" in str(item):
            return True
    return False


def credentials_rejected(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) is the backend refusing the credentials (HTTP 401)."""
    return any(type(item).__name__ == "UnauthorizedError" for item in _chain(exc))


def rejected_credentials() -> DhheraError:
    """The error for a 401: which backend, and how to renew the credentials."""
    return DhheraError(
        f"The DigitalHub backend at {_endpoint()} rejected your credentials (the access token expired or was "
        "revoked): renew them by setting a fresh DHCORE_ACCESS_TOKEN in the kernel (a DigitalHub workspace "
        "gives one on restart) or by updating your ~/.dhcore.ini profile and running `%hera use <profile>`, "
        "and watching resumes by itself."
    )


#: How the SDK words an HTTP error: ``"Bad request. Response: {...json...}."`` (``stores/client/http/response.py``).
_RESPONSE = re.compile(r"Response: (\{.*\})\.?\s*$", re.DOTALL)


def backend_message(exc: BaseException) -> str:
    """What the backend said, in its own words: the ``message`` of the JSON body the SDK quotes in ``exc``.

    DHCore (and the local core) answer errors with ``{"status": 400, "message": "Invalid workflow name …"}``;
    the SDK puts the whole body after ``Response:``. Without such a body, ``str(exc)`` is returned.
    """
    text = str(exc)
    match = _RESPONSE.search(text)
    if match is not None:
        try:
            body = json.loads(match.group(1))
        except ValueError:
            return text
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, str) and message.strip():
            return message.strip()
    return text


def _sdk_validation(exc: BaseException) -> str | None:
    """One sentence for a pydantic ``ValidationError`` of the SDK's own validators (a name it refuses), else None."""
    errors = getattr(exc, "errors", None)
    pydantic = type(exc).__module__.startswith("pydantic")
    if type(exc).__name__ != "ValidationError" or not pydantic or not callable(errors):
        return None
    try:
        first = errors()[0]
    except (IndexError, TypeError, ValueError):
        return None
    field = ".".join(str(part) for part in first.get("loc") or ()) or "a value"
    value = first.get("input")
    shown = f" {str(value)[:80]!r}" if isinstance(value, (str, int, float)) else ""
    msg = str(first.get("msg") or "is not valid").rstrip(".")
    return f"The DigitalHub SDK refused the {field}{shown}: {msg[0].lower() + msg[1:]}; change it and try again."


def translate(exc: BaseException, not_found: str | None = None) -> DhheraError | None:
    """Our error for an SDK exception, or None when it is not one we know how to word.

    Parameters
    ----------
    exc : BaseException
        What the SDK raised.
    not_found : str, optional
        The sentence to use when the entity does not exist.
    """
    if isinstance(exc, DhheraError):
        return exc
    for item in _chain(exc):
        if isinstance(item, (ConnectionError, TimeoutError)):
            return unreachable(item)
    if credentials_rejected(exc):
        return rejected_credentials()
    if is_not_found(exc):
        return NotFound(not_found or f"Not found on the DigitalHub backend: {backend_message(exc)}")
    for item in _chain(exc):
        module = type(item).__module__ or ""
        if module.startswith("digitalhub"):
            said = backend_message(item).rstrip(".")
            return DhheraError(f"The DigitalHub backend at {_endpoint()} refused the request: {said}.")
        validation = _sdk_validation(item)
        if validation is not None:
            return DhheraError(validation)
    return None


@contextmanager
def sdk_errors(not_found: str | None = None) -> Iterator[None]:
    """Re-raise SDK exceptions of the block as our errors (unknown ones pass through unchanged)."""
    try:
        yield
    except DhheraError:
        raise
    except Exception as exc:
        ours = translate(exc, not_found)
        if ours is None:
            raise
        raise ours from exc
