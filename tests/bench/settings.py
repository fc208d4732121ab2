"""The production settings with one bench-only URL, the floor of a save (tests/bench/floor.py).

Only the bench's gunicorn uses this module; production runs `backend.settings`, whose
URLconf has no floor endpoint."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
