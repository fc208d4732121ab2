"""Typed helpers that read settings from environment variables and fail loudly.

Each helper raises ImproperlyConfigured with one line naming the variable, so a
bad deployment stops at start-up instead of misbehaving later.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set (see docs/configuration.md).")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false, yes/no), got {value!r}."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    value = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc}).")
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {value!r}.")
    return config


def postgres_without_jit(config: dict) -> dict:
    """PostgreSQL connections with JIT compilation off (`-c jit=off`), keeping any `options`
    the URL already carries; a URL that sets `jit` itself wins. The app runs short queries,
    and a plan whose cost estimate passes `jit_above_cost` is otherwise compiled anew on every
    request (~300 ms for the tracking board at 1,000 municipalities; docs/performance.md)."""
    if not config.get("ENGINE", "").endswith("postgresql"):
        return config
    options = config.setdefault("OPTIONS", {})
    current = options.get("options", "")
    if "jit" not in current:
        options["options"] = f"{current} -c jit=off".strip()
    return config


def postgres_prepared_statements(config: dict, enabled: bool = True) -> dict:
    """PostgreSQL with server-side parameter binding and prepared statements: psycopg prepares
    a statement after its 5th run on a connection, and PostgreSQL then skips parsing and
    planning it. The save/submit path runs the same ~10 statements on every request; planning
    was most of their database time (docs/performance.md). Off (`enabled=False`) behind a
    pooler in transaction mode, which cannot keep a session's prepared statements."""
    if not config.get("ENGINE", "").endswith("postgresql") or not enabled:
        return config
    options = config.setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", 5)
    return config
