"""Database backups and restores for the operator (docs/deploy.md: Backups).

PostgreSQL: `pg_dump --format=custom` and `pg_restore` with the connection parameters of the
configured database (the password goes through the environment, never the command line).
SQLite (the embedded default): the sqlite3 online backup API, safe while the site runs.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Something an operator can act on; the message says what."""


def engine(alias="default"):
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _pg_args_env(alias):
    settings = connections[alias].settings_dict
    args = ["--dbname", settings["NAME"], "--no-password"]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def _sqlite_connection(alias):
    """The live sqlite3 connection of the Django connection: works for a file and for the
    in-memory database of the test run alike."""
    connection = connections[alias]
    connection.ensure_connection()
    return connection.connection


def backup(out, alias="default"):
    """Write a complete backup of the database to `out`; returns the file's path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if engine(alias) == "postgresql":
        args, env = _pg_args_env(alias)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)]
            + args,
            env,
        )
    else:
        target = sqlite3.connect(partial)
        try:
            _sqlite_connection(alias).backup(target)
        finally:
            target.close()
    partial.replace(out)  # a half-written backup never carries the final name
    return out


def _check_file(path, vendor):
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    with path.open("rb") as handle:
        head = handle.read(16)
    expected = PG_MAGIC if vendor == "postgresql" else SQLITE_MAGIC
    if not head.startswith(expected):
        kind = "a pg_dump custom-format file" if vendor == "postgresql" else "a SQLite database"
        raise BackupError(f"{path} is not {kind}, so it cannot be restored into {vendor}.")
    return path


def existing_tables(alias="default"):
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def restore(path, alias="default"):
    """Restore a backup into the configured database, which must be empty (a fresh database):
    a restore never mixes with, or silently overwrites, live data."""
    vendor = engine(alias)
    path = _check_file(path, vendor)
    tables = existing_tables(alias)
    if tables:
        raise BackupError(
            f"The database {connections[alias].settings_dict['NAME']} is not empty "
            f"({len(tables)} tables). Restore into a freshly created database."
        )
    if vendor == "postgresql":
        args, env = _pg_args_env(alias)
        connections[alias].close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
            ]
            + args
            + [str(path)],
            env,
        )
    else:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(_sqlite_connection(alias))
        finally:
            source.close()
    return existing_tables(alias)
