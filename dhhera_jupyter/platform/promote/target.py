"""A second DigitalHub backend in the same process: the SDK's client and S3 store for a push target.

The SDK keeps one global client (``get_client()``) and one context per project name, and both read the
process environment (``DHCORE_*``, ``AWS_*``) and one ini file. The backend in use owns them; a push must
not repoint them, because the run panels' poller of this kernel uses them at the same time. So the target
gets clients of its own, built through the SDK's own extension points: a ``Client`` with an injected
configurator (``get_client(configurator=...)``) whose settings come from one ini profile or one token, never
from the environment, and an ``S3Store`` with an injected configurator. Refreshed tokens stay in memory for
the push: the user's ini file is never written (the SDK would also switch its ``current_environment``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.platform.backend import ini_section, sdk


@dataclass
class Target:
    """Where a push goes, and with which credentials.

    Attributes
    ----------
    endpoint : str
        The target DigitalHub's base URL.
    values : dict
        The SDK's variables for it (``DHCORE_ACCESS_TOKEN``, ``AWS_ENDPOINT_URL``...), upper case.
    origin : str
        How the credentials were given, for messages (``profile 'prod' of ~/.dhcore.ini``), never their value.
    given : str
        ``--to`` as given (the endpoint or the profile name), for "see it there" hints.
    """

    endpoint: str
    values: dict[str, str] = field(default_factory=dict)
    origin: str = "no credentials"
    given: str = ""

    def __repr__(self) -> str:  # the values hold tokens: never in a traceback or a log
        return f"Target({self.endpoint!r}, {self.origin})"

    @property
    def files_store(self) -> str | None:
        """The target's default files store (``s3://bucket``), from its settings, when it has one."""
        store = self.values.get("DHCORE_DEFAULT_FILES_STORE")
        if store:
            return store.rstrip("/")
        bucket = self.values.get("S3_BUCKET")
        return f"s3://{bucket}" if bucket else None

    def missing_store_settings(self) -> list[str]:
        """The object store settings a data copy needs and the target's settings lack."""
        needed = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        missing = [k for k in needed if not self.values.get(k)]
        return missing + ([] if self.files_store else ["DHCORE_DEFAULT_FILES_STORE"])


def target(to: str, token: str | None = None) -> Target:
    """The push target ``to``: an ``http(s)://`` endpoint (with ``token``, or none), or a profile of the user's
    ini file (``~/.dhcore.ini`` or ``DH_CONFIG``) giving its endpoint, credentials and object store.

    Raises
    ------
    DhheraError
        When ``to`` is neither an endpoint nor a profile, or the profile has no endpoint.
    """
    to = to.strip()
    if to.startswith(("http://", "https://")):
        values = {"DHCORE_ACCESS_TOKEN": token} if token else {}
        return Target(to.rstrip("/"), values, "the --token given" if token else "no credentials", to.rstrip("/"))
    path, section = ini_section(to, what="an http(s):// endpoint", instead="give `--to https://<DigitalHub>`")
    values = {k.upper(): v for k, v in section.items() if v and k != "current_environment"}
    if token:
        values["DHCORE_ACCESS_TOKEN"] = token
    endpoint = values.get("DHCORE_ENDPOINT", "").strip().rstrip("/")
    if not endpoint.startswith(("http://", "https://")):
        raise DhheraError(f"Profile '{to}' of {path} has no http(s):// dhcore_endpoint; add one, then push again.")
    values["DHCORE_ENDPOINT"] = endpoint
    return Target(endpoint, values, f"profile '{to}' of {path}", to)


def client(target: Target) -> Any:
    """A new SDK ``Client`` for ``target`` (the global client of the backend in use is left alone)."""
    sdk()
    from digitalhub.stores.client.base.factory import get_client

    return get_client(configurator=_configurator(target))


def s3_store(target: Target) -> Any:
    """An SDK ``S3Store`` that reads and writes the target's object store."""
    sdk()
    from digitalhub.stores.data.s3.configurator import S3StoreConfigurator
    from digitalhub.stores.data.s3.store import S3Store

    values = target.values

    class _TargetS3Configurator(S3StoreConfigurator):
        def __init__(self) -> None:  # the base validates against the global client: the source's settings
            pass

        def get_credentials(self, lowercase_keys: bool = True) -> dict:
            keys = (
                "AWS_ENDPOINT_URL",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_REGION",
                "S3_SIGNATURE_VERSION",
            )
            return {(k.lower() if lowercase_keys else k): values.get(k) for k in keys}

        def eval_retry(self) -> bool:
            return False  # no other credentials to fall back on (the environment is the source's)

    store = S3Store.__new__(S3Store)
    store._configurator = _TargetS3Configurator()
    return store


def _configurator(target: Target) -> Any:
    from digitalhub.stores.client.auth.auth_handler import AuthenticationHandler
    from digitalhub.stores.client.auth.client_configurator import ClientConfigurator
    from digitalhub.stores.client.auth.config_manager import ConfigManager
    from digitalhub.stores.client.auth.enums import ConfigurationVars, CredentialsVars
    from digitalhub.stores.client.auth.refresh import TokenRefreshService

    values = {**target.values, "DHCORE_ENDPOINT": target.endpoint}

    class _ProfileSettings(ConfigManager):
        """The SDK's settings manager, filled from one target's values instead of the environment and ini."""

        def __init__(self) -> None:
            self._current_profile = "push-target"
            self._configuration = {v.value: values.get(v.value) for v in ConfigurationVars}
            self._credentials = {v.value: values.get(v.value) for v in CredentialsVars}
            self._in_memory = True  # refreshed tokens are kept in memory, never written to the user's ini
            self._reloaded_from_env = False

        def eval_retry(self) -> bool:
            return False  # the environment holds the source's credentials: never fall back on them

        def set_current_profile(self, profile: str) -> None:
            raise DhheraError("A push target's profile cannot be switched.")

    class _TargetConfigurator(ClientConfigurator):
        def __init__(self) -> None:
            self._config_manager = _ProfileSettings()
            self._auth_handler = AuthenticationHandler(self._config_manager)
            self._token_refresh_service = TokenRefreshService(self._config_manager, self._auth_handler)
            self.set_auth_type()

    return _TargetConfigurator()


__all__ = ["Target", "client", "s3_store", "target"]
