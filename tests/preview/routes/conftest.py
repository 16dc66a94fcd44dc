"""The route tests use the server tests' Jupyter server fixtures (``api``, pytest-jupyter's ``jp_fetch``...)."""

from tests.server.conftest import *  # noqa: F403 (jp_server_config, jp_asyncio_loop, api and pytest-jupyter's)
