"""A module whose import ends the interpreter: preloading it makes the warm process die during warm-up."""

from __future__ import annotations

import os

os._exit(3)
