"""A module whose import ends the interpreter: preloading it makes the warm process die during warm-up.

It only does so when ``POOL_TEST_EXIT_ON_IMPORT`` is set, so that tools importing every module stay alive.
"""

from __future__ import annotations

import os

if os.environ.get("POOL_TEST_EXIT_ON_IMPORT"):
    os._exit(3)
